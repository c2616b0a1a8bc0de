#pragma once
// Display filters of the trace view (as EDFbrowser's and MNE's browser filters): high-pass, low-pass,
// band-pass (both) and a 50/60 Hz notch (optionally at its harmonics), applied zero-phase.
//
// Why Butterworth IIR, forward-backward: a display filter is redesigned and re-run on every page, so it must
// be cheap at any cutoff. An FIR high-pass at 0.1 Hz needs tens of thousands of taps (MNE's 'auto' length is
// 3.3 / transition · fs); a Butterworth of order N is N/2 biquads whatever the cutoff. Running it forward and
// backward (scipy.signal.sosfiltfilt) removes the phase shift, so peaks stay where they are in time, and
// squares the magnitude: the cutoff is at -6 dB and the roll-off is 2N · 6 dB/octave. The notch is
// scipy.signal.iirnotch(f0, Q) (-3 dB bandwidth f0/Q for one pass), also run forward and backward.
//
// Filtering a page: the filter starts `warmupSamples()` before the page and stops as many after it, so the
// transients of starting (and, backwards, of stopping) decay below kWarmupResidual before they reach the
// page; each stretch is filtered exactly as scipy.signal.sosfiltfilt(sos, x) does (odd extension of 3 · ntaps
// samples, steady-state initial conditions from sosfilt_zi).
#include <cstddef>
#include <string>
#include <vector>

namespace neurolm::dsp {

struct FilterSettings {
  double highPassHz = 0;        // 0: off
  double lowPassHz = 0;         // 0: off
  int order = 2;                // Butterworth order of each of the high-pass and low-pass (1..8)
  double notchHz = 0;           // 0: off; usually 50 or 60
  bool notchHarmonics = false;  // also notch 2 f0, 3 f0, ... below Nyquist
  double notchQ = 30;           // quality factor f0 / bandwidth of one pass

  bool active() const { return highPassHz > 0 || lowPassHz > 0 || notchHz > 0; }
  bool operator==(const FilterSettings&) const = default;
  // "HP 0.5 Hz, LP 40 Hz (order 2), notch 50 Hz" or "off".
  std::string summary() const;
};

// One biquad of a cascade: H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2), scipy's sos row
// [b0, b1, b2, 1, a1, a2].
struct Biquad {
  double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;
};

class DisplayFilter {
 public:
  // Transients are below this fraction of the signal step that caused them when they reach the page.
  static constexpr double kWarmupResidual = 1e-6;

  DisplayFilter() = default;  // passes everything
  // Throws std::invalid_argument naming the setting: a cutoff not in (0, fs/2), high-pass >= low-pass,
  // an order outside 1..8, a notch at or above Nyquist, Q <= 0.
  DisplayFilter(const FilterSettings& settings, double sampleRateHz);

  const FilterSettings& settings() const { return settings_; }
  double sampleRateHz() const { return sampleRateHz_; }
  bool active() const { return !sections_.empty(); }
  const std::vector<Biquad>& sections() const { return sections_; }

  // Samples to read before (and after) a page: the slowest pole's decay to kWarmupResidual, plus the padding.
  std::size_t warmupSamples() const { return warmup_; }

  // |H(f)| of the whole forward-backward filter (the square of the cascade's magnitude), and in dB.
  double magnitudeAt(double frequencyHz) const;
  double magnitudeDbAt(double frequencyHz) const;

  // In place, as scipy.signal.sosfiltfilt(sos, x, padtype='odd') (padlen shrunk to n - 1 for short inputs).
  void filtfilt(std::vector<double>& x) const;
  void filtfilt(double* x, std::size_t n) const;

 private:
  FilterSettings settings_;
  double sampleRateHz_ = 0;
  std::vector<Biquad> sections_;
  std::size_t warmup_ = 0;
};

// The sections alone, for tests: Butterworth low-pass / high-pass (bilinear transform with pre-warping, as
// scipy.signal.butter), and scipy.signal.iirnotch.
std::vector<Biquad> butterworthSections(int order, double cutoffHz, double sampleRateHz, bool highPass);
Biquad iirNotch(double notchHz, double quality, double sampleRateHz);

}  // namespace neurolm::dsp
