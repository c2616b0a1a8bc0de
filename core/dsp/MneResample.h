#pragma once
// MNE-Python 1.3 FFT resampling, reproduced exactly (spec §1.1, §8 item 7): `raw.resample(sfreq)` with
// npad='auto', window='boxcar', pad='reflect_limited'. Float64 throughout; never a polyphase substitute.
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace neurolm::dsp {

class RealFft;

// Every length of one resampling of n samples (Python round-half-even wherever MNE calls round()).
struct ResamplePlan {
  std::size_t inputLength = 0;   // n
  double ratio = 0.0;            // toHz / fromHz, as float64
  std::size_t padLeft = 0;       // a
  std::size_t padRight = 0;      // b
  std::size_t paddedLength = 0;  // L = n + a + b, a power of two
  std::size_t newLength = 0;     // round(ratio · L)
  std::size_t removeStart = 0;   // rm0 = round(ratio · a)
  std::size_t removeEnd = 0;     // rm1 = newLength − finalLength − rm0
  std::size_t finalLength = 0;   // round(ratio · n)
};

// Throws std::invalid_argument naming the value for empty input or non-positive / non-finite rates.
ResamplePlan planMneResample(std::size_t inputLength, double fromHz, double toHz);

// One resampling geometry with its FFT plans, reusable for every channel of a recording; apply() is thread-safe.
class MneResampler {
 public:
  MneResampler(std::size_t inputLength, double fromHz, double toHz);
  ~MneResampler();
  MneResampler(const MneResampler&) = delete;
  MneResampler& operator=(const MneResampler&) = delete;

  const ResamplePlan& plan() const { return plan_; }
  // x must have plan().inputLength samples; returns plan().finalLength samples.
  std::vector<double> apply(std::span<const double> x) const;

 private:
  ResamplePlan plan_;
  std::shared_ptr<const RealFft> forward_;  // length L
  std::shared_ptr<const RealFft> inverse_;  // length newLength
};

// Convenience for one signal.
std::vector<double> resampleMne(std::span<const double> x, double fromHz, double toHz);

}  // namespace neurolm::dsp
