#pragma once
// NeuroLM signal preprocessing as every official dataset maker does it (spec §1.1, §8 items 6–8, 31), on the
// whole recording before any window is cut: select/reorder channels by name, MNE band-pass 0.1–75 Hz, MNE notch
// at the mains frequency, MNE FFT resampling to 200 Hz. Float64 µV in and out.
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/dsp/MneFir.h"
#include "core/preprocess/MultichannelSignal.h"

namespace neurolm::preprocess {

inline constexpr double kModelSampleRateHz = 200.0;

struct PreprocessOptions {
  // Source channel names to keep, in model order (exact match); empty keeps every channel in source order.
  std::vector<std::string> channelOrder;
  double bandPassLowHz = 0.1;
  double bandPassHighHz = 75.0;
  // Mains frequency of the recording site: 50 (Workload, TUAB, TUEV, HMC, SEED) or 60 (TUH, TUSL); nullopt
  // skips the notch (not an official setting).
  std::optional<double> notchHz = 50.0;
  double targetRateHz = kModelSampleRateHz;
  // Recordings at fs <= 2·bandPassHighHz cannot take the official low-pass and are refused. Setting this
  // low-passes at the given edge instead: a labelled deviation from the training distribution.
  std::optional<double> lowRateHighEdgeHz;
  // Called with the fraction done (0…1) between channels and steps; returning false cancels. Calls are
  // serialised but may come from the worker threads.
  std::function<bool(double)> progress;
  // Channels are processed in parallel on this many threads (0: one per hardware thread). The result does not
  // depend on it: every channel is computed the same way on any thread.
  std::size_t threadCount = 0;
};

struct PreprocessResult {
  MultichannelSignal signal;          // selected channels at targetRateHz, µV
  dsp::FirDesign bandPass;            // the filters that were applied
  std::optional<dsp::FirDesign> notch;
  std::vector<std::string> warnings;  // e.g. recording shorter than the filter; deviations from the official steps
};

// The sample rate is too low for the requested band-pass (spec §8 item 31).
class SampleRateTooLowError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class PreprocessCancelled : public std::runtime_error {
 public:
  PreprocessCancelled() : std::runtime_error("preprocessing cancelled") {}
};

// Rows of `signal` named by `order`, in that order (exact, case-sensitive). Throws std::invalid_argument listing
// every missing name (and duplicated source names that make the choice ambiguous).
MultichannelSignal selectChannels(const MultichannelSignal& signal, const std::vector<std::string>& order);

// Official order: selection, band-pass, notch, resample. Throws std::invalid_argument (bad input, missing
// channels), SampleRateTooLowError, PreprocessCancelled; never returns partial results.
PreprocessResult preprocessNeuroLm(const MultichannelSignal& recording, const PreprocessOptions& options = {});

// Applies one zero-phase FIR to every channel (the same as the band-pass / notch steps of the pipeline).
MultichannelSignal filterChannels(const MultichannelSignal& signal, const dsp::ZeroPhaseFir& filter);

}  // namespace neurolm::preprocess
