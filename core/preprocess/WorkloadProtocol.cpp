#include "core/preprocess/WorkloadProtocol.h"

#include <stdexcept>
#include <string>

#include "core/preprocess/PatchGrid.h"

namespace neurolm::preprocess {

const std::array<std::string_view, kWorkloadChannelCount>& workloadEdfChannelOrder() {
  static constexpr std::array<std::string_view, kWorkloadChannelCount> order = {
      "EEG Fp1", "EEG Fp2", "EEG F3", "EEG F4", "EEG F7", "EEG F8", "EEG T3", "EEG T4", "EEG C3", "EEG C4",
      "EEG T5",  "EEG T6",  "EEG P3", "EEG P4", "EEG O1", "EEG O2", "EEG Fz", "EEG Cz", "EEG Pz"};
  return order;
}

PreprocessOptions workloadPreprocessOptions() {
  PreprocessOptions options;
  for (auto name : workloadEdfChannelOrder()) options.channelOrder.emplace_back(name);
  options.bandPassLowHz = 0.1;
  options.bandPassHighHz = 75.0;
  options.notchHz = 50.0;
  options.targetRateHz = kModelSampleRateHz;
  return options;
}

std::vector<MultichannelSignal> workloadWindows(const MultichannelSignal& signal) {
  validateSignal(signal, "Workload windows");
  if (signal.sampleRateHz != kModelSampleRateHz)
    throw std::invalid_argument("Workload windows: the signal must be at 200 Hz, got " +
                                std::to_string(signal.sampleRateHz) + " Hz");
  const std::size_t blockSamples = kWorkloadBlockSec * kSamplesPerPatch;
  const std::size_t n = signal.sampleCount();
  if (n < blockSamples)
    throw std::invalid_argument("Workload windows: the recording has " + std::to_string(n) + " samples at 200 Hz (" +
                                std::to_string(static_cast<double>(n) / 200.0) + " s); the protocol needs the last " +
                                std::to_string(kWorkloadBlockSec) + " s = " + std::to_string(blockSamples) +
                                " samples");
  const std::size_t blockStart = n - blockSamples;
  const std::size_t windowSamples = kWorkloadWindowSec * kSamplesPerPatch;
  const std::size_t hopSamples = kWorkloadHopSec * kSamplesPerPatch;
  std::vector<MultichannelSignal> windows(kWorkloadWindowCount);
  for (std::size_t i = 0; i < kWorkloadWindowCount; ++i) {
    MultichannelSignal& w = windows[i];
    w.names = signal.names;
    w.sampleRateHz = signal.sampleRateHz;
    const std::size_t start = blockStart + i * hopSamples;
    for (const auto& row : signal.samplesUv)
      w.samplesUv.emplace_back(row.begin() + static_cast<std::ptrdiff_t>(start),
                               row.begin() + static_cast<std::ptrdiff_t>(start + windowSamples));
  }
  return windows;
}

}  // namespace neurolm::preprocess
