#include "core/dsp/DisplayFilter.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <sstream>
#include <stdexcept>

namespace neurolm::dsp {
namespace {

using Complex = std::complex<double>;

std::string hz(double v) {
  std::ostringstream s;
  s << v << " Hz";
  return s.str();
}

// Largest pole radius of a biquad (its slowest decaying mode).
double poleRadius(const Biquad& s) {
  const double d = s.a1 * s.a1 - 4 * s.a2;
  if (d < 0) return std::sqrt(s.a2);
  const double r = std::sqrt(d);
  return std::max(std::abs((-s.a1 + r) / 2), std::abs((-s.a1 - r) / 2));
}

Complex response(const Biquad& s, double omega) {
  const Complex z1 = std::polar(1.0, -omega);
  const Complex z2 = z1 * z1;
  return (s.b0 + s.b1 * z1 + s.b2 * z2) / (1.0 + s.a1 * z1 + s.a2 * z2);
}

// scipy.signal.sosfilt_zi: steady-state state of each section for a unit step, scaled by the DC gain of the
// sections before it. Each row solves (I - companion(a)^T) zi = b[1:] - a[1:] b0.
std::vector<std::pair<double, double>> stepStates(const std::vector<Biquad>& sections) {
  std::vector<std::pair<double, double>> zi;
  double scale = 1;
  for (const Biquad& s : sections) {
    const double r0 = s.b1 - s.a1 * s.b0, r1 = s.b2 - s.a2 * s.b0;
    const double z0 = (r0 + r1) / (1 + s.a1 + s.a2);
    zi.emplace_back(scale * z0, scale * (r1 - s.a2 * z0));
    scale *= (s.b0 + s.b1 + s.b2) / (1 + s.a1 + s.a2);
  }
  return zi;
}

// Transposed direct form II cascade (scipy.signal.sosfilt), states initialised to zi * x0.
void cascade(const std::vector<Biquad>& sections, const std::vector<std::pair<double, double>>& zi, double x0,
             double* x, std::size_t n) {
  for (std::size_t k = 0; k < sections.size(); ++k) {
    const Biquad& s = sections[k];
    double z0 = zi[k].first * x0, z1 = zi[k].second * x0;
    for (std::size_t i = 0; i < n; ++i) {
      const double in = x[i];
      const double y = s.b0 * in + z0;
      z0 = s.b1 * in - s.a1 * y + z1;
      z1 = s.b2 * in - s.a2 * y;
      x[i] = y;
    }
  }
}

}  // namespace

std::string FilterSettings::summary() const {
  if (!active()) return "off";
  std::ostringstream s;
  if (highPassHz > 0) s << "HP " << hz(highPassHz);
  if (lowPassHz > 0) s << (highPassHz > 0 ? ", " : "") << "LP " << hz(lowPassHz);
  if (highPassHz > 0 || lowPassHz > 0) s << " (order " << order << ")";
  if (notchHz > 0) {
    s << (highPassHz > 0 || lowPassHz > 0 ? ", " : "") << "notch " << hz(notchHz)
      << (notchHarmonics ? " + harmonics" : "");
  }
  return s.str();
}

std::vector<Biquad> butterworthSections(int order, double cutoffHz, double sampleRateHz, bool highPass) {
  // Analog prototype poles -exp(i pi m / 2N), m = -N+1, -N+3, ..., N-1 (scipy.signal.buttap), pre-warped
  // cutoff, bilinear transform z = (2 fs + s) / (2 fs - s). Zeros: z = -1 (low-pass) or z = 1 (high-pass).
  const double k = 2 * sampleRateHz;
  const double warped = k * std::tan(std::numbers::pi * cutoffHz / sampleRateHz);
  std::vector<Biquad> sections;
  for (int m = -order + 1; m <= 0; m += 2) {
    const Complex prototype = -std::exp(Complex(0, std::numbers::pi * m / (2.0 * order)));
    const Complex s = highPass ? warped / prototype : warped * prototype;
    const Complex z = (k + s) / (k - s);
    Biquad b;
    if (m == 0) {  // the real pole of an odd order: a first-order section
      b.a1 = -z.real();
      const double g = highPass ? (1 - b.a1) / 2 : (1 + b.a1) / 2;
      b.b0 = g;
      b.b1 = highPass ? -g : g;
    } else {
      b.a1 = -2 * z.real();
      b.a2 = std::norm(z);
      // Unit gain at DC (low-pass) or at Nyquist (high-pass).
      const double g = highPass ? (1 - b.a1 + b.a2) / 4 : (1 + b.a1 + b.a2) / 4;
      b.b0 = g;
      b.b1 = highPass ? -2 * g : 2 * g;
      b.b2 = g;
    }
    sections.push_back(b);
  }
  return sections;
}

Biquad iirNotch(double notchHz, double quality, double sampleRateHz) {
  // scipy.signal.iirnotch: beta = tan(bandwidth / 2) (gb = 1/sqrt 2), gain = 1 / (1 + beta).
  const double w0 = 2 * std::numbers::pi * notchHz / sampleRateHz;
  const double bandwidth = w0 / quality;
  const double gain = 1 / (1 + std::tan(bandwidth / 2));
  Biquad b;
  b.b0 = gain;
  b.b1 = -2 * gain * std::cos(w0);
  b.b2 = gain;
  b.a1 = -2 * gain * std::cos(w0);
  b.a2 = 2 * gain - 1;
  return b;
}

DisplayFilter::DisplayFilter(const FilterSettings& settings, double sampleRateHz)
    : settings_(settings), sampleRateHz_(sampleRateHz) {
  const double nyquist = sampleRateHz / 2;
  const auto check = [&](double v, const char* name) {
    if (v != 0 && !(v > 0 && v < nyquist && std::isfinite(v))) {
      std::ostringstream s;
      s << name << " " << v << " Hz is outside (0, " << nyquist << ") Hz (Nyquist at " << sampleRateHz
        << " Hz)";
      throw std::invalid_argument(s.str());
    }
  };
  if (!(sampleRateHz > 0)) throw std::invalid_argument("display filter: sample rate must be > 0");
  check(settings.highPassHz, "high-pass");
  check(settings.lowPassHz, "low-pass");
  check(settings.notchHz, "notch");
  if (settings.highPassHz > 0 && settings.lowPassHz > 0 && settings.highPassHz >= settings.lowPassHz) {
    throw std::invalid_argument("high-pass " + hz(settings.highPassHz) + " must be below low-pass " +
                                hz(settings.lowPassHz));
  }
  if ((settings.highPassHz > 0 || settings.lowPassHz > 0) && (settings.order < 1 || settings.order > 8)) {
    throw std::invalid_argument("filter order " + std::to_string(settings.order) + " (expected 1..8)");
  }
  if (settings.notchHz > 0 && !(settings.notchQ > 0)) {
    throw std::invalid_argument("notch Q must be > 0");
  }
  if (settings.highPassHz > 0) {
    for (const Biquad& b : butterworthSections(settings.order, settings.highPassHz, sampleRateHz, true))
      sections_.push_back(b);
  }
  if (settings.lowPassHz > 0) {
    for (const Biquad& b : butterworthSections(settings.order, settings.lowPassHz, sampleRateHz, false))
      sections_.push_back(b);
  }
  if (settings.notchHz > 0) {
    for (int h = 1; h * settings.notchHz < nyquist; ++h) {
      sections_.push_back(iirNotch(h * settings.notchHz, settings.notchQ, sampleRateHz));
      if (!settings.notchHarmonics) break;
    }
  }
  double slowest = 0;
  for (const Biquad& b : sections_) slowest = std::max(slowest, poleRadius(b));
  const std::size_t decay =
      slowest > 0 ? static_cast<std::size_t>(std::ceil(std::log(kWarmupResidual) / std::log(slowest))) : 0;
  warmup_ = sections_.empty() ? 0 : decay + 6 * sections_.size() + 3;  // + the odd-extension length
}

double DisplayFilter::magnitudeAt(double frequencyHz) const {
  const double omega = 2 * std::numbers::pi * frequencyHz / sampleRateHz_;
  double m = 1;
  for (const Biquad& b : sections_) m *= std::norm(response(b, omega));  // |H|^2: forward and backward
  return m;
}

double DisplayFilter::magnitudeDbAt(double frequencyHz) const {
  return 20 * std::log10(std::max(magnitudeAt(frequencyHz), 1e-300));
}

void DisplayFilter::filtfilt(std::vector<double>& x) const { filtfilt(x.data(), x.size()); }

void DisplayFilter::filtfilt(double* x, std::size_t n) const {
  if (sections_.empty() || n == 0) return;
  // scipy's default padlen: 3 * (2 * sections + 1 - min(#sections with b2 == 0, #sections with a2 == 0)).
  std::size_t zeroB = 0, zeroA = 0;
  for (const Biquad& b : sections_) {
    zeroB += b.b2 == 0;
    zeroA += b.a2 == 0;
  }
  const std::size_t ntaps = 2 * sections_.size() + 1 - std::min(zeroB, zeroA);
  const std::size_t edge = std::min(3 * ntaps, n - 1);
  // Odd extension: 2 x[0] - x[edge..1] before, 2 x[n-1] - x[n-2..n-1-edge] after.
  std::vector<double> ext(n + 2 * edge);
  for (std::size_t i = 0; i < edge; ++i) ext[i] = 2 * x[0] - x[edge - i];
  std::copy(x, x + n, ext.begin() + static_cast<std::ptrdiff_t>(edge));
  for (std::size_t i = 0; i < edge; ++i) ext[edge + n + i] = 2 * x[n - 1] - x[n - 2 - i];
  const auto zi = stepStates(sections_);
  cascade(sections_, zi, ext.front(), ext.data(), ext.size());
  std::reverse(ext.begin(), ext.end());
  cascade(sections_, zi, ext.front(), ext.data(), ext.size());
  std::reverse(ext.begin(), ext.end());
  std::copy(ext.begin() + static_cast<std::ptrdiff_t>(edge),
            ext.begin() + static_cast<std::ptrdiff_t>(edge + n), x);
}

}  // namespace neurolm::dsp
