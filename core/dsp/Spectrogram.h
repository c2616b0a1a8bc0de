#pragma once
// Short-time power spectra with the conventions of scipy.signal.spectrogram(x, fs, window, nperseg, noverlap,
// nfft=nperseg, detrend, return_onesided=True, scaling='density', mode='psd'):
//   segment s covers samples [s·step, s·step + nperseg), step = nperseg - noverlap, as many as fit
//   ((n - noverlap) // step); each is detrended, multiplied by the periodic window w and transformed;
//   S(f, s) = |X(f)|² / (fs · Σw²), doubled for every bin except DC and (even nperseg) Nyquist.
//   Times are segment centres: (nperseg / 2 + s·step) / fs, as scipy's `t`.
// Unlike scipy the window is always given explicitly (scipy's default is a Tukey window; we use Hann).
// Work is split over channels × blocks of segments on worker threads; the FFT plan of a length is created
// once under the process-wide FFTW plan lock (RealFft) and every thread executes it on its own buffers.
#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "core/dsp/Welch.h"

namespace neurolm::dsp {

struct SpectrogramOptions {
  std::size_t nperseg = 256;
  std::optional<std::size_t> noverlap;  // default nperseg / 8 (integer division, as scipy.signal.spectrogram)
  WelchWindow window = WelchWindow::Hann;
  Detrend detrend = Detrend::Constant;
  unsigned threads = 0;  // 0: std::thread::hardware_concurrency()
};

struct SpectrogramResult {
  double sampleRateHz = 0;
  std::size_t nperseg = 0, noverlap = 0;
  std::size_t channelCount = 0;
  std::vector<double> frequenciesHz;  // k · fs / nperseg, k = 0 .. nperseg/2
  std::vector<double> timesSec;       // segment centres, relative to the first sample
  std::vector<float> power;           // [channel][frequency][time], (unit of x)² / Hz
  std::size_t frequencyCount() const { return frequenciesHz.size(); }
  std::size_t timeCount() const { return timesSec.size(); }
  float at(std::size_t channel, std::size_t frequency, std::size_t time) const {
    return power[(channel * frequencyCount() + frequency) * timeCount() + time];
  }
};

// Called from worker threads with the fraction done (0..1); keep it cheap and thread-safe.
using SpectrogramProgress = std::function<void(double)>;

// All channels must hold `n` samples at `sampleRateHz`. Throws std::invalid_argument naming the parameter:
// no channels, fewer samples than nperseg, fs <= 0, nperseg < 2, noverlap >= nperseg. Returns a result with
// no power (channelCount 0) when `cancel` becomes true.
SpectrogramResult spectrogram(const std::vector<const double*>& channels, std::size_t n, double sampleRateHz,
                              const SpectrogramOptions& options = {},
                              const std::atomic<bool>* cancel = nullptr,
                              const SpectrogramProgress& progress = {});

inline SpectrogramResult spectrogram(const std::vector<double>& x, double sampleRateHz,
                                     const SpectrogramOptions& options = {}) {
  return spectrogram(std::vector<const double*>{x.data()}, x.size(), sampleRateHz, options);
}

}  // namespace neurolm::dsp
