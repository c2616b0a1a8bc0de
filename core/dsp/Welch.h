#pragma once
// Welch power spectral density, with the conventions of scipy.signal.welch(x, fs, window, nperseg, noverlap,
// nfft=nperseg, detrend, return_onesided=True, scaling='density', average='mean'):
//   segments start every nperseg - noverlap samples, as many as fit ((n - noverlap) // step, trailing samples
//   dropped); each is detrended, multiplied by a periodic window w (scipy's get_window, fftbins=True) and
//   transformed (FFTW r2c); P(f) = mean over segments of |X(f)|² / (fs · Σw²), doubled for every bin except
//   DC and (even nperseg) Nyquist. Units: (unit of x)² / Hz.
// Plans are shared per length (RealFft: created under the FFTW plan lock) and executed on per-thread buffers,
// so any number of threads may call welch() at once.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace neurolm::dsp {

enum class WelchWindow { Hann, Hamming, Boxcar };
enum class Detrend { None, Constant, Linear };

struct WelchOptions {
  std::size_t nperseg = 256;  // scipy's default; reduced to the signal length when longer (as scipy)
  std::optional<std::size_t> noverlap;  // default nperseg / 2 (integer division, as scipy)
  WelchWindow window = WelchWindow::Hann;
  Detrend detrend = Detrend::Constant;
};

struct PowerSpectrum {
  double sampleRateHz = 0;
  std::size_t nperseg = 0, noverlap = 0, segments = 0;
  std::vector<double> frequenciesHz;  // k · fs / nperseg, k = 0 .. nperseg/2
  std::vector<double> density;        // one-sided PSD per frequency
  double resolutionHz() const { return nperseg > 0 ? sampleRateHz / static_cast<double>(nperseg) : 0; }
};

// The periodic window of scipy.signal.get_window(name, n) (fftbins=True).
std::vector<double> periodicWindow(WelchWindow window, std::size_t n);
std::string welchWindowName(WelchWindow window);  // "hann", "hamming", "boxcar"

// Throws std::invalid_argument naming the parameter: no samples, fs <= 0, nperseg == 0, noverlap >= nperseg.
PowerSpectrum welch(const double* x, std::size_t n, double sampleRateHz, const WelchOptions& options = {});
inline PowerSpectrum welch(const std::vector<double>& x, double sampleRateHz,
                           const WelchOptions& options = {}) {
  return welch(x.data(), x.size(), sampleRateHz, options);
}

}  // namespace neurolm::dsp
