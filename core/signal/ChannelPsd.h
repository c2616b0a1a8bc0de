#pragma once
// Welch PSD of channels of a recording over a time window, with voltages in µV (PSD in µV²/Hz) and other
// units kept as they are (PSD in unit²/Hz). Shared by `neurolm psd` and the spectrum pane.
#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

#include "core/dsp/Welch.h"
#include "core/io/Recording.h"
#include "core/montage/MontagePipeline.h"

namespace neurolm::signal {

struct TimeWindow {
  double startSec = 0;
  double endSec = 0;
  double durationSec() const { return endSec - startSec; }
};

struct ChannelPsd {
  std::size_t channel = 0;
  std::string label;
  std::string amplitudeUnit;  // "µV" for voltages, else the channel's unit as written
  std::string densityUnit;    // amplitudeUnit + "²/Hz"
  dsp::PowerSpectrum psd;
};

// Samples [round(start·fs), round(end·fs)) of each channel. Throws std::invalid_argument for an empty window,
// one outside the recording or a channel index out of range (naming the file, the window and the duration);
// returns an empty vector when `cancel` becomes true.
std::vector<ChannelPsd> channelPsds(const Recording& recording, const TimeWindow& window,
                                    const std::vector<std::size_t>& channels,
                                    const dsp::WelchOptions& options,
                                    const std::atomic<bool>* cancel = nullptr);

// Welch PSD of derivations of a montage (indices into montage.derivations) over a window, their source
// channels display-filtered first (core/montage/MontagePipeline.h: read -> filter -> montage), voltages in
// µV; what the trace view shows. ChannelPsd::channel is the derivation's index. A window shorter than
// options.nperseg shrinks the segment to the window, with noverlap = floor(overlapFraction · nperseg) (as
// scipy). Throws as applyMontageAndFilters and std::out_of_range for an index past the montage; returns an
// empty vector when `cancel` becomes true.
std::vector<ChannelPsd> derivationPsds(const Recording& recording, const montage::Montage& montage,
                                       const montage::FilterSet& filters, const TimeWindow& window,
                                       const std::vector<std::size_t>& derivations,
                                       const dsp::WelchOptions& options, double overlapFraction,
                                       const std::atomic<bool>* cancel = nullptr);

// Mean of several spectra of the same frequency grid (all channels of one rate): the channel-averaged PSD.
// Throws std::invalid_argument when the grids differ.
dsp::PowerSpectrum averageSpectra(const std::vector<ChannelPsd>& spectra);

}  // namespace neurolm::signal
