#include "core/dsp/Spectrogram.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/dsp/RealFft.h"

namespace neurolm::dsp {

SpectrogramResult spectrogram(const std::vector<const double*>& channels, std::size_t n, double sampleRateHz,
                              const SpectrogramOptions& options, const std::atomic<bool>* cancel,
                              const SpectrogramProgress& progress) {
  if (channels.empty()) throw std::invalid_argument("spectrogram: no channels");
  if (!(sampleRateHz > 0) || !std::isfinite(sampleRateHz))
    throw std::invalid_argument("spectrogram: sample rate must be > 0, got " + std::to_string(sampleRateHz));
  const std::size_t nperseg = options.nperseg;
  if (nperseg < 2)
    throw std::invalid_argument("spectrogram: nperseg must be >= 2, got " + std::to_string(nperseg));
  if (n < nperseg)
    throw std::invalid_argument("spectrogram: " + std::to_string(n) + " samples, fewer than nperseg (" +
                                std::to_string(nperseg) + ")");
  const std::size_t noverlap = options.noverlap ? *options.noverlap : nperseg / 8;
  if (noverlap >= nperseg)
    throw std::invalid_argument("spectrogram: noverlap (" + std::to_string(noverlap) +
                                ") must be less than nperseg (" + std::to_string(nperseg) + ")");
  const std::size_t step = nperseg - noverlap;
  const std::size_t segments = (n - noverlap) / step;
  const std::size_t bins = nperseg / 2 + 1;

  SpectrogramResult out;
  out.sampleRateHz = sampleRateHz;
  out.nperseg = nperseg;
  out.noverlap = noverlap;
  out.frequenciesHz.resize(bins);
  for (std::size_t k = 0; k < bins; ++k)
    out.frequenciesHz[k] = static_cast<double>(k) * sampleRateHz / static_cast<double>(nperseg);
  out.timesSec.resize(segments);
  for (std::size_t s = 0; s < segments; ++s)
    out.timesSec[s] = (static_cast<double>(nperseg) / 2 + static_cast<double>(s * step)) / sampleRateHz;
  out.power.assign(channels.size() * bins * segments, 0.0f);

  const std::vector<double> w = periodicWindow(options.window, nperseg);
  double windowPower = 0;
  for (double v : w) windowPower += v * v;
  const double scale = 1.0 / (sampleRateHz * windowPower);
  std::vector<double> binScale(bins, 2 * scale);
  binScale[0] = scale;
  if (nperseg % 2 == 0) binScale[bins - 1] = scale;  // the even Nyquist bin has no mirror
  const auto fft = sharedRealFft(nperseg);           // planned under fftwPlanMutex()

  // Linear detrend: least-squares line over i = 0..m-1 (scipy.signal.detrend type='linear').
  const double m = static_cast<double>(nperseg);
  const double sumI = m * (m - 1) / 2, sumII = (m - 1) * m * (2 * m - 1) / 6;
  const double denominator = m * sumII - sumI * sumI;

  // Tasks: (channel, block of segments); blocks small enough to balance, large enough to amortise.
  constexpr std::size_t kBlock = 64;
  const std::size_t blocksPerChannel = (segments + kBlock - 1) / kBlock;
  const std::size_t tasks = channels.size() * blocksPerChannel;
  std::atomic<std::size_t> nextTask{0}, doneTasks{0};
  std::atomic<bool> cancelled{false};

  auto worker = [&] {
    FftwBuffer<double> buffer(nperseg);
    FftwBuffer<std::complex<double>> spectrum(bins);
    std::vector<float> tile(bins * kBlock);  // [frequency][segment of the block]: rows copied out whole
    for (std::size_t task = nextTask++; task < tasks; task = nextTask++) {
      if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
        cancelled = true;
        return;
      }
      const std::size_t c = task / blocksPerChannel;
      const std::size_t first = (task % blocksPerChannel) * kBlock;
      const std::size_t last = std::min(segments, first + kBlock);
      float* plane = out.power.data() + c * bins * segments;
      for (std::size_t s = first; s < last; ++s) {
        const double* seg = channels[c] + s * step;
        double offset = 0, slope = 0;
        if (options.detrend == Detrend::Constant) {
          double sum = 0;
          for (std::size_t i = 0; i < nperseg; ++i) sum += seg[i];
          offset = sum / m;
        } else if (options.detrend == Detrend::Linear) {
          double sum = 0, sumIX = 0;
          for (std::size_t i = 0; i < nperseg; ++i) {
            sum += seg[i];
            sumIX += static_cast<double>(i) * seg[i];
          }
          slope = denominator == 0 ? 0 : (m * sumIX - sumI * sum) / denominator;
          offset = (sum - slope * sumI) / m;
        }
        double* b = buffer.data();
        if (slope == 0) {
          for (std::size_t i = 0; i < nperseg; ++i) b[i] = (seg[i] - offset) * w[i];
        } else {
          for (std::size_t i = 0; i < nperseg; ++i)
            b[i] = (seg[i] - offset - slope * static_cast<double>(i)) * w[i];
        }
        fft->forward(b, spectrum.data());  // fftw_execute_dft_r2c on this thread's buffers
        const std::size_t j = s - first;
        for (std::size_t k = 0; k < bins; ++k)
          tile[k * kBlock + j] = static_cast<float>(std::norm(spectrum[k]) * binScale[k]);
      }
      // Writing each value straight into its [frequency][time] place would touch a new cache line per bin.
      for (std::size_t k = 0; k < bins; ++k)
        std::copy_n(tile.data() + k * kBlock, last - first, plane + k * segments + first);
      const std::size_t done = ++doneTasks;
      if (progress) progress(static_cast<double>(done) / static_cast<double>(tasks));
    }
  };

  unsigned threads =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, tasks));
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
  }
  if (cancelled || (cancel != nullptr && cancel->load())) {
    out.power.clear();
    out.channelCount = 0;
    return out;
  }
  out.channelCount = channels.size();
  return out;
}

}  // namespace neurolm::dsp
