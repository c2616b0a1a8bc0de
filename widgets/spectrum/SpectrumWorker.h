#pragma once
// The spectrum pane's worker: Welch PSD and band powers of a page (core/dsp), off the UI thread.
#include <QObject>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "core/dsp/BandPower.h"
#include "core/io/Recording.h"
#include "core/montage/Montage.h"
#include "core/montage/MontagePipeline.h"

namespace neurolm::widgets {

struct SpectrumResult {
  quint64 requestId = 0;
  double startSec = 0, endSec = 0;
  int channel = -1;          // -1: average of the EEG channels
  QString label;             // the channel's label (single channel)
  int averagedChannels = 0;  // channels in the mean (average)
  std::vector<double> frequenciesHz;
  std::vector<double> density;  // one-sided PSD
  QString densityUnit;          // "µV²/Hz" for voltages
  QString powerUnit;            // "µV²"
  std::vector<dsp::BandPower> bandPowers;
  double peakHz = 0;  // frequency of the largest PSD bin in [0.5 Hz, Nyquist], 0 if none
  double resolutionHz = 0;
  QString error;  // non-empty when the page could not be analysed
  bool valid() const { return error.isEmpty() && !density.empty(); }
};

struct SpectrumSettings {
  double segmentSec = 2;  // Welch segment length (0.5 Hz resolution), shortened to the page when longer
  double overlap = 0.5;   // fraction of a segment
  std::vector<dsp::FrequencyBand> bands = dsp::defaultBands();
  // Of what: false, the channels as recorded; true, what the trace view displays: the derivations of
  // `montage` (null: every channel as recorded) of the channels display-filtered as `filters`, as the traces
  // compute them (core/montage/MontagePipeline.h). Channel indices are then derivation indices.
  bool displayed = false;
  std::shared_ptr<const montage::Montage> montage;
  montage::FilterSet filters;
};

// The lanes the spectrum offers when it is of what is displayed: the montage (null: referential, built from
// the recording).
montage::Montage displayedMontage(const Recording& recording,
                                  const std::shared_ptr<const montage::Montage>& m);

// Pure function used by the worker (and tests): PSD of [startSec, endSec) for `channel` (-1: mean PSD of the
// voltage EEG channels sharing the first EEG channel's sample rate; all voltage channels if none is EEG; with
// settings.displayed the same over the derivations, by their type and unit).
// Returns an empty result (no error) when `isStale` says so between channels.
SpectrumResult computeSpectrum(const Recording& recording, double startSec, double endSec, int channel,
                               const SpectrumSettings& settings, const std::function<bool()>& isStale = {});

// Lives in the model's worker thread; compute() runs there and hands the result to `deliver` (called on the
// worker thread) unless the request went stale meanwhile.
class SpectrumWorker : public QObject {
  Q_OBJECT

 public:
  explicit SpectrumWorker(std::shared_ptr<const std::atomic<quint64>> latestId)
      : latestId_(std::move(latestId)) {}
  void compute(quint64 requestId, const std::shared_ptr<const Recording>& recording, double startSec,
               double endSec, int channel, const SpectrumSettings& settings,
               const std::function<void(SpectrumResult)>& deliver) const;

 private:
  std::shared_ptr<const std::atomic<quint64>> latestId_;
};

}  // namespace neurolm::widgets
