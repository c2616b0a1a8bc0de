#pragma once
// Edge extension shared by the MNE filter and resampler, and Python's rounding rule.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace neurolm::dsp {

// Python's round() of a double: nearest integer, ties to even (nearbyint under the default rounding mode).
inline std::int64_t roundHalfEven(double value) { return static_cast<std::int64_t>(std::nearbyint(value)); }

// MNE's pad='reflect_limited': odd ("point") reflection about the first / last sample; where a pad is longer
// than the n - 1 samples that can be reflected, zeros fill the outside. Result length left + n + right.
inline std::vector<double> reflectLimitedPad(std::span<const double> x, std::size_t left, std::size_t right) {
  const std::size_t n = x.size();
  std::vector<double> out(left + n + right, 0.0);
  if (n == 0) return out;
  const double first = x[0];
  const double last = x[n - 1];
  // out[left - i] = 2·x[0] − x[i] for i = 1…min(left, n − 1); zeros further out.
  for (std::size_t i = 1; i <= left && i < n; ++i) out[left - i] = 2.0 * first - x[i];
  for (std::size_t i = 0; i < n; ++i) out[left + i] = x[i];
  // out[left + n − 1 + i] = 2·x[n−1] − x[n−1−i] for i = 1…min(right, n − 1).
  for (std::size_t i = 1; i <= right && i < n; ++i) out[left + n - 1 + i] = 2.0 * last - x[n - 1 - i];
  return out;
}

}  // namespace neurolm::dsp
