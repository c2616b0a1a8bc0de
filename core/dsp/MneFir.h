#pragma once
// MNE-Python 1.3 default FIR filters, reproduced exactly (spec §1.1, §8 item 6): `raw.filter(l, h)` and
// `raw.notch_filter(f0)` with method='fir', fir_design='firwin', fir_window='hamming', phase='zero',
// filter_length / transition bandwidths 'auto', pad='reflect_limited'. Everything is float64.
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace neurolm::dsp {

enum class FirKind { BandPass, BandStop };

struct FirDesign {
  FirKind kind = FirKind::BandPass;
  double sampleRateHz = 0.0;
  // Pass-band edges: band-pass l_freq/h_freq, or for a notch the inner pass edges f0 ∓ (f0/400 + 0.5).
  double lowEdgeHz = 0.0;
  double highEdgeHz = 0.0;
  double lowTransitionHz = 0.0;
  double highTransitionHz = 0.0;
  // MNE's piecewise gain curve from 0 Hz to Nyquist (gains 0 or 1), in Hz.
  std::vector<double> cornerFrequenciesHz;
  std::vector<int> cornerGains;
  // Lengths of the windowed-sinc low-passes summed into the taps, from Nyquist downwards.
  std::vector<std::size_t> subFilterLengths;
  std::vector<double> taps;  // odd length, symmetric: zero phase about taps.size() / 2

  double lengthSec() const { return static_cast<double>(taps.size()) / sampleRateHz; }
  std::string summary() const;  // e.g. "FIR band-pass 0.1–75 Hz at 500 Hz, 16501 taps (33.002 s)"
};

// MNE raw.filter(l_freq=lowEdgeHz, h_freq=highEdgeHz) with all defaults. Throws std::invalid_argument naming
// the value when the band is impossible at this rate (e.g. highEdgeHz ≥ Nyquist: 75 Hz needs fs > 150 Hz).
FirDesign designMneBandPass(double sampleRateHz, double lowEdgeHz = 0.1, double highEdgeHz = 75.0);

// MNE raw.notch_filter(notchHz) with all defaults (notch width f0/200, transition 1 Hz, f0 only).
FirDesign designMneNotch(double sampleRateHz, double notchHz);

// ---- building blocks, exposed for tests and for the filter dialog ----

// MNE 'auto' filter length: ceil((3.3 / minTransitionHz) · fs) in float64, then made odd.
std::size_t mneAutoFilterLength(double sampleRateHz, double minTransitionHz);

// scipy.signal.firwin(numTaps, cutoff, window='hamming', pass_zero=True, fs=2): cutoff as a fraction of Nyquist.
std::vector<double> firwinHammingLowPass(std::size_t numTaps, double cutoffFractionOfNyquist);

// MNE's firwin construction for an odd total length from a gain curve normalised to Nyquist (first corner 0,
// last 1): the sum of centred low-passes, one per gain change. Appends each low-pass length to subFilterLengths.
std::vector<double> mneFirwinFromCorners(std::size_t numTaps, const std::vector<double>& cornersFractionOfNyquist,
                                         const std::vector<int>& gains, std::vector<std::size_t>* subFilterLengths);

struct FrequencyResponse {
  std::vector<double> frequencyHz;  // uniform grid 0 … Nyquist
  std::vector<double> magnitude;    // |H(f)|, linear
  std::vector<double> magnitudeDb() const;
};

// |H| on pointCount (≥ 2) equally spaced frequencies from 0 to Nyquist (exact DTFT samples, via one FFT).
FrequencyResponse frequencyResponse(const FirDesign& design, std::size_t pointCount = 4097);

// |H(f)| of a symmetric odd-length FIR at one frequency, evaluated directly.
double magnitudeAt(std::span<const double> symmetricTaps, double sampleRateHz, double frequencyHz);

// Zero-phase FIR application as MNE's overlap-add (spec §1.1 "Application"): reflect_limited extension by
// e = min(taps, n) − 1 on both sides, full linear convolution by FFT, n samples kept from e + (taps − 1)/2.
// The FFT block size follows MNE's cost rule; the filter spectrum and plans are built once per block size and
// reused. apply() is thread-safe.
class ZeroPhaseFir {
 public:
  explicit ZeroPhaseFir(std::vector<double> taps);
  ~ZeroPhaseFir();
  ZeroPhaseFir(const ZeroPhaseFir&) = delete;
  ZeroPhaseFir& operator=(const ZeroPhaseFir&) = delete;

  std::size_t length() const { return taps_.size(); }
  const std::vector<double>& taps() const { return taps_; }
  std::vector<double> apply(std::span<const double> x) const;

  // MNE's FFT length for a signal of n samples (exposed for tests).
  std::size_t blockSizeFor(std::size_t n) const;

 private:
  struct Spectrum;
  std::shared_ptr<const Spectrum> spectrumFor(std::size_t fftLength) const;

  std::vector<double> taps_;
  mutable std::mutex cacheMutex_;
  mutable std::map<std::size_t, std::shared_ptr<const Spectrum>> spectra_;
};

// Smallest 2^a·3^b·5^c·7^d·11^e ≥ target (scipy.fft.next_fast_len, as MNE uses for single-block filtering).
std::size_t nextFastLength(std::size_t target);

}  // namespace neurolm::dsp
