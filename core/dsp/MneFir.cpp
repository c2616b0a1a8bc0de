#include "core/dsp/MneFir.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <limits>
#include <numbers>
#include <numeric>
#include <stdexcept>

#include "core/dsp/Padding.h"
#include "core/dsp/RealFft.h"

namespace neurolm::dsp {
namespace {

// MNE's window length factor for Hamming (main-lobe width in units of the transition band).
constexpr double kHammingLengthFactor = 3.3;

std::string formatHz(double hz) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6g", hz);
  return buffer;
}

// numpy.sinc: sin(πx)/(πx), 1 at 0.
double npSinc(double x) {
  const double y = std::numbers::pi * (x == 0.0 ? 1.0e-20 : x);
  return std::sin(y) / y;
}

// numpy's pairwise summation is not needed for 1e-15 agreement; a compensated sum is at least as accurate.
double accurateSum(const std::vector<double>& v) {
  double sum = 0.0, carry = 0.0;
  for (double x : v) {
    const double t = sum + x;
    carry += std::abs(sum) >= std::abs(x) ? (sum - t) + x : (x - t) + sum;
    sum = t;
  }
  return sum + carry;
}

void requirePositiveRate(double sampleRateHz) {
  if (!(sampleRateHz > 0.0) || !std::isfinite(sampleRateHz))
    throw std::invalid_argument("FIR design: sample rate must be a positive number, got " +
                                formatHz(sampleRateHz) + " Hz");
}

FirDesign finishDesign(FirDesign design, double minTransitionHz) {
  const double nyquistHz = design.sampleRateHz / 2.0;
  const std::size_t numTaps = mneAutoFilterLength(design.sampleRateHz, minTransitionHz);
  std::vector<double> normalised;
  normalised.reserve(design.cornerFrequenciesHz.size());
  for (double f : design.cornerFrequenciesHz) normalised.push_back(f / nyquistHz);
  design.taps = mneFirwinFromCorners(numTaps, normalised, design.cornerGains, &design.subFilterLengths);
  return design;
}

}  // namespace

std::string FirDesign::summary() const {
  char buffer[256];
  const char* what = kind == FirKind::BandPass ? "band-pass" : "band-stop";
  std::snprintf(buffer, sizeof buffer, "FIR %s %s–%s Hz at %s Hz, %zu taps (%.3f s), firwin/Hamming, zero phase",
                what, formatHz(lowEdgeHz).c_str(), formatHz(highEdgeHz).c_str(), formatHz(sampleRateHz).c_str(),
                taps.size(), lengthSec());
  return buffer;
}

std::size_t mneAutoFilterLength(double sampleRateHz, double minTransitionHz) {
  requirePositiveRate(sampleRateHz);
  if (!(minTransitionHz > 0.0))
    throw std::invalid_argument("FIR design: transition bandwidth must be positive, got " +
                                formatHz(minTransitionHz) + " Hz");
  // Same float64 operation order as MNE: (3.3 / tb) seconds, times fs, ceil (3.3/0.1 = 32.99999999999999).
  const double lengthSec = kHammingLengthFactor / minTransitionHz;
  const double samples = std::ceil(lengthSec * sampleRateHz);
  if (samples > 1.0e8) throw std::invalid_argument("FIR design: filter of " + formatHz(samples) + " taps refused");
  std::size_t n = std::max<std::size_t>(static_cast<std::size_t>(samples), 1);
  if (n % 2 == 0) ++n;
  return n;
}

std::vector<double> firwinHammingLowPass(std::size_t numTaps, double cutoff) {
  if (numTaps == 0) throw std::invalid_argument("firwin: numTaps must be positive");
  if (!(cutoff > 0.0 && cutoff < 1.0))
    throw std::invalid_argument("firwin: cutoff must lie strictly between 0 and Nyquist, got " + formatHz(cutoff));
  const double alpha = 0.5 * static_cast<double>(numTaps - 1);
  // Symmetric Hamming written as scipy's general cosine: 0.54 + 0.46·cos(φ_k), φ = linspace(−π, π, n).
  const double step = numTaps > 1 ? 2.0 * std::numbers::pi / static_cast<double>(numTaps - 1) : 0.0;
  std::vector<double> h(numTaps);
  for (std::size_t k = 0; k < numTaps; ++k) {
    const double m = static_cast<double>(k) - alpha;
    double window = 1.0;
    if (numTaps > 1) {
      const double phi = k + 1 == numTaps ? std::numbers::pi : static_cast<double>(k) * step - std::numbers::pi;
      window = 0.54 + 0.46 * std::cos(phi);
    }
    h[k] = cutoff * npSinc(cutoff * m) * window;
  }
  const double dcGain = accurateSum(h);  // scale to unit gain at 0 Hz
  for (double& v : h) v /= dcGain;
  return h;
}

std::vector<double> mneFirwinFromCorners(std::size_t numTaps, const std::vector<double>& corners,
                                         const std::vector<int>& gains, std::vector<std::size_t>* subFilterLengths) {
  if (numTaps % 2 == 0) throw std::invalid_argument("MNE firwin design: length must be odd, got " +
                                                    std::to_string(numTaps));
  if (corners.size() < 2 || corners.size() != gains.size() || corners.front() != 0.0 || corners.back() != 1.0)
    throw std::invalid_argument("MNE firwin design: corners must run from 0 to 1 (Nyquist) with one gain each");
  std::vector<double> h(numTaps, 0.0);
  // Walk the gain curve from Nyquist down to 0; every gain step adds (0→1) or subtracts (1→0) a low-pass
  // whose cutoff is the middle of the step and whose length resolves the step's width.
  if (gains.back() == 1) h[numTaps / 2] = 1.0;
  double upperFreq = corners.back();
  int upperGain = gains.back();
  for (std::size_t i = corners.size() - 1; i-- > 0;) {
    const double lowerFreq = corners[i];
    const int lowerGain = gains[i];
    if (lowerGain != 0 && lowerGain != 1) throw std::invalid_argument("MNE firwin design: gains must be 0 or 1");
    if (lowerGain != upperGain) {
      const double halfTransition = (upperFreq - lowerFreq) / 2.0;
      auto subLength = roundHalfEven(kHammingLengthFactor / halfTransition);
      subLength += 1 - subLength % 2;  // make it odd
      if (subLength > static_cast<std::int64_t>(numTaps))
        throw std::invalid_argument("MNE firwin design: a transition band needs " + std::to_string(subLength) +
                                    " taps, more than the filter length " + std::to_string(numTaps));
      const auto n = static_cast<std::size_t>(subLength);
      const std::vector<double> lowPass = firwinHammingLowPass(n, (upperFreq + lowerFreq) / 2.0);
      const std::size_t offset = (numTaps - n) / 2;
      const double sign = lowerGain == 0 ? -1.0 : 1.0;
      for (std::size_t k = 0; k < n; ++k) h[offset + k] += sign * lowPass[k];
      if (subFilterLengths != nullptr) subFilterLengths->push_back(n);
    }
    upperFreq = lowerFreq;
    upperGain = lowerGain;
  }
  return h;
}

FirDesign designMneBandPass(double sampleRateHz, double lowEdgeHz, double highEdgeHz) {
  requirePositiveRate(sampleRateHz);
  const double nyquistHz = sampleRateHz / 2.0;
  if (!(lowEdgeHz > 0.0 && lowEdgeHz < highEdgeHz))
    throw std::invalid_argument("band-pass: need 0 < low edge < high edge, got " + formatHz(lowEdgeHz) + " and " +
                                formatHz(highEdgeHz) + " Hz");
  if (!(highEdgeHz < nyquistHz))
    throw std::invalid_argument("band-pass: high edge " + formatHz(highEdgeHz) +
                                " Hz must be below the Nyquist frequency " + formatHz(nyquistHz) +
                                " Hz (sample rate " + formatHz(sampleRateHz) + " Hz; it needs more than " +
                                formatHz(2.0 * highEdgeHz) + " Hz)");
  FirDesign d;
  d.kind = FirKind::BandPass;
  d.sampleRateHz = sampleRateHz;
  d.lowEdgeHz = lowEdgeHz;
  d.highEdgeHz = highEdgeHz;
  // MNE 'auto' transition widths.
  d.lowTransitionHz = std::min(std::max(0.25 * lowEdgeHz, 2.0), lowEdgeHz);
  d.highTransitionHz = std::min(std::max(0.25 * highEdgeHz, 2.0), nyquistHz - highEdgeHz);
  const double lowStopHz = lowEdgeHz - d.lowTransitionHz;
  const double highStopHz = highEdgeHz + d.highTransitionHz;
  if (lowStopHz < 0.0) throw std::invalid_argument("band-pass: lower stop frequency is negative");
  if (highStopHz > nyquistHz) throw std::invalid_argument("band-pass: upper stop frequency exceeds Nyquist");
  d.cornerFrequenciesHz = {lowStopHz, lowEdgeHz, highEdgeHz, highStopHz};
  d.cornerGains = {0, 1, 1, 0};
  if (highStopHz != nyquistHz) {
    d.cornerFrequenciesHz.push_back(nyquistHz);
    d.cornerGains.push_back(0);
  }
  if (lowStopHz != 0.0) {
    d.cornerFrequenciesHz.insert(d.cornerFrequenciesHz.begin(), 0.0);
    d.cornerGains.insert(d.cornerGains.begin(), 0);
  }
  const double minTransitionHz = std::min(d.lowTransitionHz, d.highTransitionHz);
  return finishDesign(std::move(d), minTransitionHz);
}

FirDesign designMneNotch(double sampleRateHz, double notchHz) {
  requirePositiveRate(sampleRateHz);
  const double nyquistHz = sampleRateHz / 2.0;
  if (!(notchHz > 0.0)) throw std::invalid_argument("notch: frequency must be positive, got " + formatHz(notchHz));
  // notch_filter(f0): width f0/200, transition 1 Hz split 0.5/0.5, handed to the band-stop branch of
  // filter_data as l_freq = f0 + w/2 + 0.5, h_freq = f0 − w/2 − 0.5. The additions below follow MNE's order
  // so that every corner is bit-identical.
  const double widthHz = notchHz / 200.0;
  const double halfTransitionHz = 1.0 / 2.0;
  const double lowPassEdge = notchHz - widthHz / 2.0 - halfTransitionHz;
  const double highPassEdge = notchHz + widthHz / 2.0 + halfTransitionHz;
  const double passLowHz = (lowPassEdge - halfTransitionHz) + halfTransitionHz;
  const double stopLowHz = lowPassEdge + halfTransitionHz;
  const double passHighHz = (highPassEdge + halfTransitionHz) - halfTransitionHz;
  const double stopHighHz = highPassEdge - halfTransitionHz;
  if (passLowHz < 0.0) throw std::invalid_argument("notch: " + formatHz(notchHz) + " Hz is too low");
  if (passHighHz > nyquistHz)
    throw std::invalid_argument("notch: " + formatHz(notchHz) + " Hz needs a pass band up to " +
                                formatHz(passHighHz) + " Hz, above the Nyquist frequency " + formatHz(nyquistHz) +
                                " Hz");
  FirDesign d;
  d.kind = FirKind::BandStop;
  d.sampleRateHz = sampleRateHz;
  d.lowEdgeHz = passLowHz;
  d.highEdgeHz = passHighHz;
  d.lowTransitionHz = halfTransitionHz;
  d.highTransitionHz = halfTransitionHz;
  d.cornerFrequenciesHz = {passLowHz, stopLowHz, stopHighHz, passHighHz};
  d.cornerGains = {1, 0, 0, 1};
  if (d.cornerFrequenciesHz.front() != 0.0) {
    d.cornerFrequenciesHz.insert(d.cornerFrequenciesHz.begin(), 0.0);
    d.cornerGains.insert(d.cornerGains.begin(), 1);
  }
  if (d.cornerFrequenciesHz.back() != nyquistHz) {
    d.cornerFrequenciesHz.push_back(nyquistHz);
    d.cornerGains.push_back(1);
  }
  return finishDesign(std::move(d), halfTransitionHz);
}

std::vector<double> FrequencyResponse::magnitudeDb() const {
  std::vector<double> db(magnitude.size());
  for (std::size_t i = 0; i < magnitude.size(); ++i)
    db[i] = 20.0 * std::log10(std::max(magnitude[i], 1e-300));
  return db;
}

FrequencyResponse frequencyResponse(const FirDesign& design, std::size_t pointCount) {
  if (pointCount < 2) throw std::invalid_argument("frequencyResponse: need at least 2 points");
  if (design.taps.empty()) throw std::invalid_argument("frequencyResponse: the design has no taps");
  const std::size_t fftLength = 2 * (pointCount - 1);
  // Folding the taps modulo the FFT length samples the DTFT exactly at k·fs/fftLength.
  FftwBuffer<double> folded(fftLength);
  std::fill(folded.data(), folded.data() + fftLength, 0.0);
  for (std::size_t i = 0; i < design.taps.size(); ++i) folded[i % fftLength] += design.taps[i];
  FftwBuffer<std::complex<double>> bins(fftLength / 2 + 1);
  sharedRealFft(fftLength)->forward(folded.data(), bins.data());
  FrequencyResponse r;
  r.frequencyHz.resize(pointCount);
  r.magnitude.resize(pointCount);
  for (std::size_t k = 0; k < pointCount; ++k) {
    r.frequencyHz[k] = design.sampleRateHz * static_cast<double>(k) / static_cast<double>(fftLength);
    r.magnitude[k] = std::abs(bins[k]);
  }
  return r;
}

double magnitudeAt(std::span<const double> taps, double sampleRateHz, double frequencyHz) {
  if (taps.size() % 2 == 0) throw std::invalid_argument("magnitudeAt: taps must have odd length");
  const std::size_t centre = taps.size() / 2;
  const double omega = 2.0 * std::numbers::pi * frequencyHz / sampleRateHz;
  double amplitude = taps[centre];
  for (std::size_t j = 1; j <= centre; ++j)
    amplitude += (taps[centre + j] + taps[centre - j]) * std::cos(omega * static_cast<double>(j));
  return std::abs(amplitude);
}

std::size_t nextFastLength(std::size_t target) {
  if (target <= 1) return 1;
  std::size_t best = std::numeric_limits<std::size_t>::max();
  for (std::size_t p11 = 1; p11 < best; p11 *= 11)
    for (std::size_t p7 = p11; p7 < best; p7 *= 7)
      for (std::size_t p5 = p7; p5 < best; p5 *= 5)
        for (std::size_t p3 = p5; p3 < best; p3 *= 3) {
          std::size_t v = p3;
          while (v < target) v *= 2;
          best = std::min(best, v);
          if (v == target) return v;
        }
  return best;
}

struct ZeroPhaseFir::Spectrum {
  std::shared_ptr<const RealFft> fft;
  FftwBuffer<std::complex<double>> filterBins;  // FFT of the taps zero-padded to the block size, / block size
};

ZeroPhaseFir::ZeroPhaseFir(std::vector<double> taps) : taps_(std::move(taps)) {
  if (taps_.empty() || taps_.size() % 2 == 0)
    throw std::invalid_argument("ZeroPhaseFir: a zero-phase FIR needs an odd number of taps, got " +
                                std::to_string(taps_.size()));
}

ZeroPhaseFir::~ZeroPhaseFir() = default;

std::size_t ZeroPhaseFir::blockSizeFor(std::size_t n) const {
  const std::size_t m = taps_.size();
  const std::size_t edge = std::min(m, n) - 1;
  const std::size_t extended = n + 2 * edge;
  const std::size_t minFft = 2 * m - 1;
  if (extended < minFft) return nextFastLength(minFft);
  // MNE's cost: blocks × N·(log2 N + 1) multiplications, plus a penalty on very long FFTs.
  auto ceilLog2 = [](std::size_t v) {
    std::size_t k = 0;
    while ((static_cast<std::size_t>(1) << k) < v) ++k;
    return k;
  };
  std::size_t best = 0;
  double bestCost = std::numeric_limits<double>::infinity();
  for (std::size_t k = ceilLog2(minFft); k <= ceilLog2(extended); ++k) {
    const std::size_t fftLength = static_cast<std::size_t>(1) << k;
    const double blocks = std::ceil(static_cast<double>(extended) / static_cast<double>(fftLength - m + 1));
    const double cost = blocks * static_cast<double>(fftLength) * (static_cast<double>(k) + 1.0) +
                        4e-5 * static_cast<double>(fftLength) * static_cast<double>(extended);
    if (cost < bestCost) {
      bestCost = cost;
      best = fftLength;
    }
  }
  return best;
}

std::shared_ptr<const ZeroPhaseFir::Spectrum> ZeroPhaseFir::spectrumFor(std::size_t fftLength) const {
  std::lock_guard lock(cacheMutex_);
  auto& slot = spectra_[fftLength];
  if (slot) return slot;
  auto spectrum = std::make_shared<Spectrum>();
  spectrum->fft = sharedRealFft(fftLength);
  FftwBuffer<double> padded(fftLength);
  std::fill(padded.data(), padded.data() + fftLength, 0.0);
  std::copy(taps_.begin(), taps_.end(), padded.data());
  spectrum->filterBins = FftwBuffer<std::complex<double>>(spectrum->fft->binCount());
  spectrum->fft->forward(padded.data(), spectrum->filterBins.data());
  const double scale = 1.0 / static_cast<double>(fftLength);  // FFTW's inverse is unnormalised
  for (std::size_t k = 0; k < spectrum->fft->binCount(); ++k) spectrum->filterBins[k] *= scale;
  slot = std::move(spectrum);
  return slot;
}

std::vector<double> ZeroPhaseFir::apply(std::span<const double> x) const {
  const std::size_t n = x.size();
  if (n == 0) return {};
  const std::size_t m = taps_.size();
  if (m == 1) {
    std::vector<double> y(x.begin(), x.end());
    for (double& v : y) v *= taps_[0];
    return y;
  }
  const std::size_t edge = std::min(m, n) - 1;
  const std::vector<double> extended = reflectLimitedPad(x, edge, edge);
  const std::size_t fftLength = blockSizeFor(n);
  const auto spectrum = spectrumFor(fftLength);
  const std::size_t blockInput = fftLength - m + 1;
  const std::size_t shift = edge + (m - 1) / 2;  // full-convolution index of output sample 0

  std::vector<double> y(n, 0.0);
  FftwBuffer<double> block(fftLength);
  FftwBuffer<std::complex<double>> bins(spectrum->fft->binCount());
  for (std::size_t start = 0; start < extended.size(); start += blockInput) {
    if (start >= shift + n) break;               // later blocks only reach the discarded right edge
    if (start + fftLength <= shift) continue;    // this block only reaches the discarded left edge
    const std::size_t count = std::min(blockInput, extended.size() - start);
    std::copy_n(extended.begin() + static_cast<std::ptrdiff_t>(start), count, block.data());
    std::fill(block.data() + count, block.data() + fftLength, 0.0);
    spectrum->fft->forward(block.data(), bins.data());
    for (std::size_t k = 0; k < bins.size(); ++k) bins[k] *= spectrum->filterBins[k];
    spectrum->fft->inverse(bins.data(), block.data());
    // Block output t is convolution index start + t; keep the part that lands in [shift, shift + n).
    const std::size_t firstT = shift > start ? shift - start : 0;
    for (std::size_t t = firstT; t < fftLength; ++t) {
      const std::size_t outIndex = start + t - shift;
      if (outIndex >= n) break;
      y[outIndex] += block[t];
    }
  }
  return y;
}

}  // namespace neurolm::dsp
