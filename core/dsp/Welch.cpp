#include "core/dsp/Welch.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "core/dsp/RealFft.h"

namespace neurolm::dsp {

std::vector<double> periodicWindow(WelchWindow window, std::size_t n) {
  std::vector<double> w(n, 1.0);
  // Periodic (DFT-even) windows: the symmetric window of n + 1 points without its last point.
  const double twoPiOverN = 2 * M_PI / static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double c = std::cos(twoPiOverN * static_cast<double>(i));
    switch (window) {
      case WelchWindow::Hann:
        w[i] = 0.5 - 0.5 * c;
        break;
      case WelchWindow::Hamming:
        w[i] = 0.54 - 0.46 * c;
        break;
      case WelchWindow::Boxcar:
        w[i] = 1.0;
        break;
    }
  }
  return w;
}

std::string welchWindowName(WelchWindow window) {
  switch (window) {
    case WelchWindow::Hann:
      return "hann";
    case WelchWindow::Hamming:
      return "hamming";
    case WelchWindow::Boxcar:
      return "boxcar";
  }
  return "hann";
}

namespace {

// Windows by (kind, length), computed once: a page of many channels asks for the same one every call.
std::shared_ptr<const std::vector<double>> cachedWindow(WelchWindow window, std::size_t n) {
  static std::mutex mutex;
  static std::map<std::pair<int, std::size_t>, std::shared_ptr<const std::vector<double>>> cache;
  std::lock_guard lock(mutex);
  if (cache.size() > 64) cache.clear();  // holders keep theirs alive
  auto& slot = cache[{static_cast<int>(window), n}];
  if (!slot) slot = std::make_shared<const std::vector<double>>(periodicWindow(window, n));
  return slot;
}

}  // namespace

PowerSpectrum welch(const double* x, std::size_t n, double sampleRateHz, const WelchOptions& options) {
  if (n == 0) throw std::invalid_argument("welch: no samples");
  if (!(sampleRateHz > 0) || !std::isfinite(sampleRateHz)) {
    throw std::invalid_argument("welch: sample rate must be > 0, got " + std::to_string(sampleRateHz));
  }
  if (options.nperseg == 0) throw std::invalid_argument("welch: nperseg must be > 0");
  const std::size_t nperseg =
      std::min(options.nperseg, n);  // scipy: "nperseg = ... is greater than input length"
  const std::size_t noverlap = options.noverlap ? *options.noverlap : nperseg / 2;
  if (noverlap >= nperseg) {
    throw std::invalid_argument("welch: noverlap (" + std::to_string(noverlap) +
                                ") must be less than nperseg (" + std::to_string(nperseg) + ")");
  }
  const std::size_t step = nperseg - noverlap;
  const std::size_t segments = (n - noverlap) / step;

  const auto window = cachedWindow(options.window, nperseg);
  const std::vector<double>& w = *window;
  double windowPower = 0;
  for (double v : w) windowPower += v * v;
  const auto fft = sharedRealFft(nperseg);
  FftwBuffer<double> buffer(nperseg);
  FftwBuffer<std::complex<double>> spectrum(fft->binCount());

  PowerSpectrum out;
  out.sampleRateHz = sampleRateHz;
  out.nperseg = nperseg;
  out.noverlap = noverlap;
  out.segments = segments;
  out.density.assign(fft->binCount(), 0.0);
  out.frequenciesHz.resize(fft->binCount());
  for (std::size_t k = 0; k < out.frequenciesHz.size(); ++k) {
    out.frequenciesHz[k] = static_cast<double>(k) * sampleRateHz / static_cast<double>(nperseg);
  }

  // Least-squares line over i = 0..m-1 (scipy.signal.detrend type='linear'): closed-form sums of i and i².
  const double m = static_cast<double>(nperseg);
  const double sumI = m * (m - 1) / 2, sumII = (m - 1) * m * (2 * m - 1) / 6;
  const double denominator = m * sumII - sumI * sumI;
  for (std::size_t s = 0; s < segments; ++s) {
    const double* seg = x + s * step;
    double offset = 0, slope = 0;
    if (options.detrend != Detrend::None) {
      double sum = 0, sumIX = 0;
      for (std::size_t i = 0; i < nperseg; ++i) {
        sum += seg[i];
        sumIX += static_cast<double>(i) * seg[i];
      }
      if (options.detrend == Detrend::Constant || denominator == 0) {
        offset = sum / m;
      } else {
        slope = (m * sumIX - sumI * sum) / denominator;
        offset = (sum - slope * sumI) / m;
      }
    }
    for (std::size_t i = 0; i < nperseg; ++i)
      buffer[i] = (seg[i] - offset - slope * static_cast<double>(i)) * w[i];
    fft->forward(buffer.data(), spectrum.data());
    for (std::size_t k = 0; k < out.density.size(); ++k) out.density[k] += std::norm(spectrum[k]);
  }
  const double scale = 1.0 / (sampleRateHz * windowPower * static_cast<double>(segments));
  const std::size_t bins = out.density.size();
  for (std::size_t k = 0; k < bins; ++k) {
    const bool unpaired = k == 0 || (nperseg % 2 == 0 && k == bins - 1);  // DC and the even Nyquist bin
    out.density[k] *= scale * (unpaired ? 1.0 : 2.0);
  }
  return out;
}

}  // namespace neurolm::dsp
