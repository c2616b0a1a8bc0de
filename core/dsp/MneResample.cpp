#include "core/dsp/MneResample.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>
#include <string>

#include "core/dsp/Padding.h"
#include "core/dsp/RealFft.h"

namespace neurolm::dsp {
namespace {

std::size_t roundToSize(double value) {
  const std::int64_t r = roundHalfEven(value);
  return r < 0 ? 0 : static_cast<std::size_t>(r);
}

}  // namespace

ResamplePlan planMneResample(std::size_t n, double fromHz, double toHz) {
  if (!(fromHz > 0.0) || !(toHz > 0.0) || !std::isfinite(fromHz) || !std::isfinite(toHz))
    throw std::invalid_argument("resample: sample rates must be positive, got " + std::to_string(fromHz) +
                                " Hz -> " + std::to_string(toHz) + " Hz");
  if (n == 0) throw std::invalid_argument("resample: the signal has no samples");
  if (n > (static_cast<std::size_t>(1) << 40)) throw std::invalid_argument("resample: signal too long");
  ResamplePlan p;
  p.inputLength = n;
  p.ratio = toHz / fromHz;
  p.finalLength = std::max<std::size_t>(roundToSize(p.ratio * static_cast<double>(n)), 1);
  // npad='auto': reach the next power of two, at least min(n // 8, 100) · 2 samples longer than n.
  const std::size_t minAdd = std::min<std::size_t>(n / 8, 100) * 2;
  std::size_t power = 1;
  while (power < n + minAdd) power *= 2;
  const std::size_t npad = power - n;
  p.padLeft = npad / 2;
  p.padRight = npad - p.padLeft;
  p.paddedLength = power;
  p.newLength = std::max<std::size_t>(roundToSize(p.ratio * static_cast<double>(p.paddedLength)), 1);
  p.removeStart = roundToSize(p.ratio * static_cast<double>(p.padLeft));
  if (p.newLength < p.finalLength + p.removeStart)
    throw std::logic_error("resample: inconsistent trim lengths for n = " + std::to_string(n));
  p.removeEnd = p.newLength - p.finalLength - p.removeStart;
  return p;
}

MneResampler::MneResampler(std::size_t inputLength, double fromHz, double toHz)
    : plan_(planMneResample(inputLength, fromHz, toHz)),
      forward_(sharedRealFft(plan_.paddedLength)),
      inverse_(sharedRealFft(plan_.newLength)) {}

MneResampler::~MneResampler() = default;

std::vector<double> MneResampler::apply(std::span<const double> x) const {
  if (x.size() != plan_.inputLength)
    throw std::invalid_argument("MneResampler: planned for " + std::to_string(plan_.inputLength) +
                                " samples, got " + std::to_string(x.size()));
  const std::size_t L = plan_.paddedLength;
  const std::size_t newLength = plan_.newLength;
  const std::vector<double> extended = reflectLimitedPad(x, plan_.padLeft, plan_.padRight);

  FftwBuffer<double> time(L);
  std::copy(extended.begin(), extended.end(), time.data());
  FftwBuffer<std::complex<double>> spectrum(L / 2 + 1);
  forward_->forward(time.data(), spectrum.data());

  // Bins handed to the inverse of length newLength: truncated (down) or zero-extended (up).
  const std::size_t outBins = newLength / 2 + 1;
  FftwBuffer<std::complex<double>> bins(outBins);
  const std::size_t shared = std::min(outBins, spectrum.size());
  std::copy_n(spectrum.data(), shared, bins.data());
  std::fill(bins.data() + shared, bins.data() + outBins, std::complex<double>(0.0, 0.0));

  // As MNE: with an even length of the shorter side, its Nyquist bin is doubled (down) or halved (up);
  // then every bin is scaled by newLength / L (the boxcar window).
  const bool shorter = newLength < L;
  const std::size_t useLength = shorter ? newLength : L;
  if (useLength % 2 == 0) {
    const std::size_t nyquistBin = useLength / 2;
    if (nyquistBin < outBins) bins[nyquistBin] *= shorter ? 2.0 : 0.5;
  }
  const double windowGain = static_cast<double>(newLength) / static_cast<double>(L);
  for (std::size_t k = 0; k < outBins; ++k) bins[k] *= windowGain;

  FftwBuffer<double> resampled(newLength);
  inverse_->inverse(bins.data(), resampled.data());
  const double inverseScale = 1.0 / static_cast<double>(newLength);
  std::vector<double> y(plan_.finalLength);
  for (std::size_t i = 0; i < plan_.finalLength; ++i) y[i] = resampled[plan_.removeStart + i] * inverseScale;
  return y;
}

std::vector<double> resampleMne(std::span<const double> x, double fromHz, double toHz) {
  return MneResampler(x.size(), fromHz, toHz).apply(x);
}

}  // namespace neurolm::dsp
