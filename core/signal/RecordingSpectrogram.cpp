#include "core/signal/RecordingSpectrogram.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/signal/PhysicalUnit.h"

namespace neurolm::signal {

RecordingSpectrogram recordingSpectrogram(const Recording& recording, const montage::Montage& montage,
                                          const montage::FilterSet& filters,
                                          const SpectrogramRequest& request, const std::atomic<bool>* cancel,
                                          const std::function<void(double)>& progress) {
  const std::string& file = recording.sourceName();
  if (montage.derivations.empty()) throw std::invalid_argument(file + ": spectrogram of no channels");
  const double fs = montage.derivations.front().sampleRateHz;
  for (const auto& d : montage.derivations) {
    if (d.sampleRateHz != fs) {
      std::ostringstream s;
      s << file << ": spectrogram channels must share one sample rate ('" << montage.derivations.front().label
        << "' " << fs << " Hz, '" << d.label << "' " << d.sampleRateHz << " Hz)";
      throw std::invalid_argument(s.str());
    }
  }
  if (!(request.overlapFraction >= 0 && request.overlapFraction < 1))
    throw std::invalid_argument("spectrogram overlap must be in [0, 1), got " +
                                std::to_string(request.overlapFraction));
  const auto nperseg = static_cast<std::size_t>(std::llround(request.segmentSec * fs));
  if (!(request.segmentSec > 0) || nperseg < 2)
    throw std::invalid_argument("spectrogram segment of " + std::to_string(request.segmentSec) +
                                " s is shorter than 2 samples at " + std::to_string(fs) + " Hz");
  const auto noverlap =
      static_cast<std::size_t>(std::floor(request.overlapFraction * static_cast<double>(nperseg)));
  const std::size_t step = nperseg - noverlap;

  const double endSec = std::min(request.window.endSec, recording.durationSec());
  const std::int64_t first = std::llround(request.window.startSec * fs);
  const std::int64_t last = std::llround(endSec * fs);
  if (request.window.startSec < 0 || request.window.startSec >= recording.durationSec() || last <= first) {
    std::ostringstream s;
    s << file << ": window " << request.window.startSec << ":" << request.window.endSec
      << " s is empty or outside the recording (0:" << recording.durationSec() << " s)";
    throw std::invalid_argument(s.str());
  }
  const auto n = static_cast<std::size_t>(last - first);
  if (n < nperseg) {
    std::ostringstream s;
    s << file << ": window " << request.window.startSec << ":" << endSec << " s holds " << n
      << " samples, fewer than one segment (" << nperseg << " samples = " << request.segmentSec << " s)";
    throw std::invalid_argument(s.str());
  }
  const std::size_t segments = (n - noverlap) / step;

  // Voltages to µV (every derivation's terms are already in its own unit).
  const PhysicalUnit microvolts = parsePhysicalUnit("uV");
  std::vector<double> factor;
  RecordingSpectrogram out;
  bool allVolts = true;
  for (const auto& d : montage.derivations) {
    const PhysicalUnit unit = parsePhysicalUnit(d.unit);
    factor.push_back(unit.isVoltage() ? *conversionFactor(unit, microvolts) : 1.0);
    allVolts = allVolts && unit.isVoltage();
    out.labels.push_back(d.label);
  }
  out.amplitudeUnit =
      allVolts ? microvolts.symbol : parsePhysicalUnit(montage.derivations.front().unit).symbol;
  out.densityUnit = out.amplitudeUnit + "²/Hz";
  out.firstSample = static_cast<std::size_t>(first);
  out.startSec = static_cast<double>(first) / fs;

  dsp::SpectrogramOptions options;
  options.nperseg = nperseg;
  options.noverlap = noverlap;
  options.window = request.taper;
  options.detrend = request.detrend;
  options.threads = request.threads;

  // Chunks of whole segments: chunk k holds segments [k·K, (k+1)·K) and reads the samples they cover.
  const std::size_t chunkSegments =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(600 * fs / step)));
  const std::size_t chunks = (segments + chunkSegments - 1) / chunkSegments;
  const std::size_t channels = montage.derivations.size();
  const std::size_t bins = nperseg / 2 + 1;
  out.power.power.assign(channels * bins * segments, 0.0f);
  for (std::size_t k = 0; k < chunks; ++k) {
    if (cancel != nullptr && cancel->load()) return {};
    const std::size_t s0 = k * chunkSegments, s1 = std::min(segments, s0 + chunkSegments);
    const std::int64_t a = first + static_cast<std::int64_t>(s0 * step);
    const std::size_t length = (s1 - s0 - 1) * step + nperseg;
    const auto window = montage::applyMontageAndFilters(
        recording, montage, filters, static_cast<double>(a) / fs,
        static_cast<double>(a + static_cast<std::int64_t>(length)) / fs, cancel);
    if (window.samples.size() != channels) return {};  // cancelled
    std::vector<std::vector<double>> x(channels);
    std::vector<const double*> pointers;
    for (std::size_t c = 0; c < channels; ++c) {
      x[c] = window.samples[c];
      if (x[c].size() < length) {
        std::ostringstream s;
        s << file << ": '" << out.labels[c] << "' holds " << x[c].size() << " samples from " << a
          << ", expected " << length;
        throw std::runtime_error(s.str());
      }
      for (double& v : x[c]) v *= factor[c];
      pointers.push_back(x[c].data());
    }
    const double done = static_cast<double>(s0) / static_cast<double>(segments);
    const double share = static_cast<double>(s1 - s0) / static_cast<double>(segments);
    dsp::SpectrogramProgress inner;
    if (progress) inner = [&](double f) { progress(done + share * f); };
    const auto part = dsp::spectrogram(pointers, length, fs, options, cancel, inner);
    if (part.channelCount == 0) return {};
    const std::size_t t = part.timeCount();
    if (t != s1 - s0) throw std::logic_error("spectrogram chunk: segment count mismatch");
    if (k == 0) {
      out.power.sampleRateHz = part.sampleRateHz;
      out.power.nperseg = part.nperseg;
      out.power.noverlap = part.noverlap;
      out.power.frequenciesHz = part.frequenciesHz;
    }
    for (std::size_t c = 0; c < channels; ++c)
      for (std::size_t f = 0; f < bins; ++f)
        std::copy_n(part.power.data() + (c * bins + f) * t, t,
                    out.power.power.data() + (c * bins + f) * segments + s0);
  }
  out.power.channelCount = channels;
  out.power.timesSec.resize(segments);
  for (std::size_t s = 0; s < segments; ++s)
    out.power.timesSec[s] = (static_cast<double>(nperseg) / 2 + static_cast<double>(s * step)) / fs;
  if (progress) progress(1.0);
  return out;
}

}  // namespace neurolm::signal
