#pragma once
// Spectrogram of derivations of a recording over a time window: read -> display filters -> montage (as the
// trace view, core/montage/MontagePipeline.h) -> voltages to µV -> dsp::spectrogram. Shared by
// `neurolm spectrogram` and the spectrogram pane. Long windows are processed in chunks of whole segments
// (each chunk read with its own filter warm-up), so memory for samples stays bounded and progress is steady.
#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/dsp/Spectrogram.h"
#include "core/io/Recording.h"
#include "core/montage/MontagePipeline.h"
#include "core/signal/ChannelPsd.h"

namespace neurolm::signal {

struct SpectrogramRequest {
  TimeWindow window;             // seconds of the recording; clamped to its end
  double segmentSec = 2;         // nperseg = round(segmentSec · fs)
  double overlapFraction = 0.5;  // noverlap = floor(overlapFraction · nperseg)
  dsp::WelchWindow taper = dsp::WelchWindow::Hann;
  dsp::Detrend detrend = dsp::Detrend::Constant;
  unsigned threads = 0;  // 0: every hardware thread
};

struct RecordingSpectrogram {
  std::vector<std::string> labels;  // one per derivation, in the montage's order
  std::string amplitudeUnit;        // "µV" when every derivation is a voltage, else the first's unit
  std::string densityUnit;          // amplitudeUnit + "²/Hz"
  double startSec = 0;              // the first sample's time; timesSec of `power` are relative to it
  std::size_t firstSample = 0;      // round(startSec · fs)
  dsp::SpectrogramResult power;     // [derivation][frequency][time]
  double timeSec(std::size_t column) const { return startSec + power.timesSec[column]; }  // in the recording
};

// Every derivation of `montage` must have one sample rate. Throws std::invalid_argument naming the file and
// the problem (window outside the recording, shorter than one segment, mixed rates, bad overlap). Returns
// an empty result (power.channelCount 0) when `cancel` becomes true. `progress` (0..1) is called from the
// calling thread between chunks and from worker threads inside one.
RecordingSpectrogram recordingSpectrogram(const Recording& recording, const montage::Montage& montage,
                                          const montage::FilterSet& filters,
                                          const SpectrogramRequest& request,
                                          const std::atomic<bool>* cancel = nullptr,
                                          const std::function<void(double)>& progress = {});

}  // namespace neurolm::signal
