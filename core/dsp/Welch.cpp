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

// Σ x[i] and Σ i·x[i] over 8 interleaved partial sums: one serial sum waits for each add in turn (half the
// time of a 64-channel page went there); the result differs from the serial order only in rounding.
struct SegmentSums {
  double sum = 0, sumIX = 0;
};
template <bool kWithIndex>
SegmentSums segmentSums(const double* x, std::size_t n) {
  constexpr std::size_t kLanes = 8;
  double sum[kLanes] = {}, sumIX[kLanes] = {};
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (std::size_t l = 0; l < kLanes; ++l) {
      sum[l] += x[i + l];
      if constexpr (kWithIndex) sumIX[l] += static_cast<double>(i + l) * x[i + l];
    }
  }
  SegmentSums out;
  for (; i < n; ++i) {
    out.sum += x[i];
    if constexpr (kWithIndex) out.sumIX += static_cast<double>(i) * x[i];
  }
  for (std::size_t l = 0; l < kLanes; ++l) {
    out.sum += sum[l];
    out.sumIX += sumIX[l];
  }
  return out;
}

// Windows by (kind, length) with their power Σw², computed once: a page of many channels asks for the same
// one every call.
struct CachedWindow {
  std::vector<double> values;
  double power = 0;
};
std::shared_ptr<const CachedWindow> cachedWindow(WelchWindow window, std::size_t n) {
  static std::mutex mutex;
  static std::map<std::pair<int, std::size_t>, std::shared_ptr<const CachedWindow>> cache;
  std::lock_guard lock(mutex);
  if (cache.size() > 64) cache.clear();  // holders keep theirs alive
  auto& slot = cache[{static_cast<int>(window), n}];
  if (!slot) {
    auto made = std::make_shared<CachedWindow>();
    made->values = periodicWindow(window, n);
    for (double v : made->values) made->power += v * v;
    slot = std::move(made);
  }
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
  const double* w = window->values.data();
  const double windowPower = window->power;
  // Segments go through the FFT in pairs, s as the real and s + 1 as the imaginary part of one complex
  // transform Z: for real a, b with Z = A + iB, |A_k|² + |B_k|² = (|Z_k|² + |Z_(n-k) mod n|²) / 2, which is
  // all the average needs (an odd last segment is paired with zeros: the same formula gives |A_k|²). One
  // complex 512-point transform costs ~2/3 of two real ones here.
  const auto fft = sharedComplexFft(nperseg);
  const std::size_t bins = nperseg / 2 + 1;
  // Scratch: reused across calls on this thread for usual lengths (a page of 64 channels is 64 calls), a
  // call's own for long ones (not kept alive per thread).
  constexpr std::size_t kReusedScratchMax = 1 << 15;
  thread_local FftwBuffer<std::complex<double>> reusedIn, reusedOut;
  FftwBuffer<std::complex<double>> ownIn, ownOut;
  const bool reuse = nperseg <= kReusedScratchMax;
  if (reuse && reusedIn.size() < nperseg) {
    reusedIn = FftwBuffer<std::complex<double>>(nperseg);
    reusedOut = FftwBuffer<std::complex<double>>(nperseg);
  } else if (!reuse) {
    ownIn = FftwBuffer<std::complex<double>>(nperseg);
    ownOut = FftwBuffer<std::complex<double>>(nperseg);
  }
  std::complex<double>* in = reuse ? reusedIn.data() : ownIn.data();
  std::complex<double>* spectrum = reuse ? reusedOut.data() : ownOut.data();
  const double* spectrumValues = reinterpret_cast<const double*>(spectrum);

  PowerSpectrum out;
  out.sampleRateHz = sampleRateHz;
  out.nperseg = nperseg;
  out.noverlap = noverlap;
  out.segments = segments;
  out.density.assign(bins, 0.0);
  out.frequenciesHz.resize(bins);
  for (std::size_t k = 0; k < bins; ++k) {
    out.frequenciesHz[k] = static_cast<double>(k) * sampleRateHz / static_cast<double>(nperseg);
  }
  double* density = out.density.data();

  // Least-squares line over i = 0..m-1 (scipy.signal.detrend type='linear'): closed-form sums of i and i².
  const double m = static_cast<double>(nperseg);
  const double sumI = m * (m - 1) / 2, sumII = (m - 1) * m * (2 * m - 1) / 6;
  const double denominator = m * sumII - sumI * sumI;
  // The line (or mean) each segment loses before the window.
  struct Trend {
    double offset = 0, slope = 0;
  };
  const auto trendOf = [&](const double* seg) {
    Trend t;
    if (options.detrend == Detrend::Linear && denominator != 0) {
      const SegmentSums sums = segmentSums<true>(seg, nperseg);
      t.slope = (m * sums.sumIX - sumI * sums.sum) / denominator;
      t.offset = (sums.sum - t.slope * sumI) / m;
    } else if (options.detrend != Detrend::None) {  // constant (or a line through one point: its mean)
      t.offset = segmentSums<false>(seg, nperseg).sum / m;
    }
    return t;
  };
  // Σ over transforms of |Z_j|² for all n bins; folded into the one-sided density at the end.
  thread_local std::vector<double> reusedPower;
  std::vector<double> ownPower;
  std::vector<double>& power = reuse ? reusedPower : ownPower;
  power.assign(nperseg, 0.0);
  for (std::size_t s = 0; s < segments; s += 2) {
    const double* a = x + s * step;
    const double* b = s + 1 < segments ? x + (s + 1) * step : nullptr;
    const Trend ta = trendOf(a), tb = b != nullptr ? trendOf(b) : Trend{};
    if (b == nullptr && ta.slope == 0) {
      for (std::size_t i = 0; i < nperseg; ++i) in[i] = {(a[i] - ta.offset) * w[i], 0.0};
    } else if (b == nullptr) {
      for (std::size_t i = 0; i < nperseg; ++i)
        in[i] = {(a[i] - ta.offset - ta.slope * static_cast<double>(i)) * w[i], 0.0};
    } else if (ta.slope == 0 && tb.slope == 0) {
      for (std::size_t i = 0; i < nperseg; ++i)
        in[i] = {(a[i] - ta.offset) * w[i], (b[i] - tb.offset) * w[i]};
    } else {
      for (std::size_t i = 0; i < nperseg; ++i) {
        const double di = static_cast<double>(i);
        in[i] = {(a[i] - ta.offset - ta.slope * di) * w[i], (b[i] - tb.offset - tb.slope * di) * w[i]};
      }
    }
    fft->forward(in, spectrum);
    for (std::size_t j = 0; j < nperseg; ++j) {
      const double re = spectrumValues[2 * j], im = spectrumValues[2 * j + 1];
      power[j] += re * re + im * im;
    }
  }
  for (std::size_t k = 0; k < bins; ++k) density[k] = 0.5 * (power[k] + power[k == 0 ? 0 : nperseg - k]);
  const double scale = 1.0 / (sampleRateHz * windowPower * static_cast<double>(segments));
  for (std::size_t k = 0; k < bins; ++k) {
    const bool unpaired = k == 0 || (nperseg % 2 == 0 && k == bins - 1);  // DC and the even Nyquist bin
    density[k] *= scale * (unpaired ? 1.0 : 2.0);
  }
  return out;
}

}  // namespace neurolm::dsp
