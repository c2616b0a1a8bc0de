#pragma once
// Whole-recording samples in physical µV, one row per channel, all rows at one rate: what a recording reader
// hands to preprocessing, and what preprocessing hands on (at 200 Hz).
#include <cstddef>
#include <string>
#include <vector>

namespace neurolm {

struct MultichannelSignal {
  std::vector<std::string> names;             // channel labels as the source wrote them
  double sampleRateHz = 0.0;
  std::vector<std::vector<double>> samplesUv;  // [channel][sample], µV

  std::size_t channelCount() const { return samplesUv.size(); }
  std::size_t sampleCount() const { return samplesUv.empty() ? 0 : samplesUv.front().size(); }
  double durationSec() const { return sampleRateHz > 0 ? static_cast<double>(sampleCount()) / sampleRateHz : 0; }
};

// Throws std::invalid_argument naming `what`, the field and the value when names and rows disagree, rows
// differ in length, the rate is not positive or a sample is not finite.
void validateSignal(const MultichannelSignal& signal, const std::string& what);

}  // namespace neurolm
