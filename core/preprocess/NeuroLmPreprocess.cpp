#include "core/preprocess/NeuroLmPreprocess.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "core/dsp/MneResample.h"

namespace neurolm {

namespace {
std::string number(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6g", v);
  return buffer;
}
}  // namespace

void validateSignal(const MultichannelSignal& signal, const std::string& what) {
  if (signal.names.size() != signal.samplesUv.size())
    throw std::invalid_argument(what + ": " + std::to_string(signal.names.size()) + " channel names but " +
                                std::to_string(signal.samplesUv.size()) + " sample rows");
  if (!(signal.sampleRateHz > 0.0) || !std::isfinite(signal.sampleRateHz))
    throw std::invalid_argument(what + ": sample rate must be positive, got " + number(signal.sampleRateHz) + " Hz");
  const std::size_t n = signal.sampleCount();
  for (std::size_t c = 0; c < signal.samplesUv.size(); ++c) {
    const auto& row = signal.samplesUv[c];
    if (row.size() != n)
      throw std::invalid_argument(what + ": channel '" + signal.names[c] + "' has " + std::to_string(row.size()) +
                                  " samples, channel '" + signal.names[0] + "' has " + std::to_string(n));
    for (std::size_t i = 0; i < row.size(); ++i)
      if (!std::isfinite(row[i]))
        throw std::invalid_argument(what + ": channel '" + signal.names[c] + "' sample " + std::to_string(i) +
                                    " is not a finite number");
  }
}

namespace preprocess {

MultichannelSignal selectChannels(const MultichannelSignal& signal, const std::vector<std::string>& order) {
  validateSignal(signal, "channel selection");
  std::map<std::string, std::vector<std::size_t>> rowsByName;
  for (std::size_t c = 0; c < signal.names.size(); ++c) rowsByName[signal.names[c]].push_back(c);
  std::string missing, ambiguous;
  for (const auto& name : order) {
    const auto it = rowsByName.find(name);
    if (it == rowsByName.end())
      missing += (missing.empty() ? "'" : ", '") + name + "'";
    else if (it->second.size() > 1)
      ambiguous += (ambiguous.empty() ? "'" : ", '") + name + "'";
  }
  if (!missing.empty() || !ambiguous.empty()) {
    std::string message = "channel selection:";
    if (!missing.empty()) message += " missing channel(s) " + missing + ";";
    if (!ambiguous.empty()) message += " name(s) occurring more than once " + ambiguous + ";";
    message += " the recording has " + std::to_string(signal.names.size()) + " channels";
    throw std::invalid_argument(message);
  }
  MultichannelSignal out;
  out.sampleRateHz = signal.sampleRateHz;
  for (const auto& name : order) {
    out.names.push_back(name);
    out.samplesUv.push_back(signal.samplesUv[rowsByName[name].front()]);
  }
  return out;
}

MultichannelSignal filterChannels(const MultichannelSignal& signal, const dsp::ZeroPhaseFir& filter) {
  MultichannelSignal out;
  out.names = signal.names;
  out.sampleRateHz = signal.sampleRateHz;
  out.samplesUv.reserve(signal.samplesUv.size());
  for (const auto& row : signal.samplesUv) out.samplesUv.push_back(filter.apply(row));
  return out;
}

PreprocessResult preprocessNeuroLm(const MultichannelSignal& recording, const PreprocessOptions& options) {
  validateSignal(recording, "preprocessing");
  if (recording.sampleCount() == 0) throw std::invalid_argument("preprocessing: the recording has no samples");
  if (!(options.targetRateHz > 0.0))
    throw std::invalid_argument("preprocessing: target rate must be positive, got " + number(options.targetRateHz));
  const double fs = recording.sampleRateHz;
  const double nyquistHz = fs / 2.0;
  PreprocessResult result;

  double highEdgeHz = options.bandPassHighHz;
  bool lowRateDeviation = false;
  if (!(options.bandPassHighHz < nyquistHz)) {
    if (!options.lowRateHighEdgeHz)
      throw SampleRateTooLowError(
          "preprocessing: sample rate " + number(fs) + " Hz is too low for the NeuroLM band-pass " +
          number(options.bandPassLowHz) + "–" + number(options.bandPassHighHz) + " Hz (the " +
          number(options.bandPassHighHz) + " Hz edge needs a sample rate above " +
          number(2.0 * options.bandPassHighHz) + " Hz). Refused by default; the low-rate option low-passes at a "
          "lower edge instead, which deviates from the training distribution.");
    highEdgeHz = *options.lowRateHighEdgeHz;
    if (!(highEdgeHz < nyquistHz) || !(highEdgeHz > options.bandPassLowHz))
      throw SampleRateTooLowError("preprocessing: low-rate high edge " + number(highEdgeHz) +
                                  " Hz must lie between the low edge " + number(options.bandPassLowHz) +
                                  " Hz and the Nyquist frequency " + number(nyquistHz) + " Hz");
    lowRateDeviation = true;
    result.warnings.push_back("deviation: sample rate " + number(fs) + " Hz is below the official " +
                              number(2.0 * options.bandPassHighHz) + " Hz minimum; low-passed at " +
                              number(highEdgeHz) + " Hz instead of " + number(options.bandPassHighHz) +
                              " Hz (not the training distribution)");
  }

  // Designs first: a bad parameter fails before any work.
  result.bandPass = dsp::designMneBandPass(fs, options.bandPassLowHz, highEdgeHz);
  if (options.notchHz) {
    const double notchHz = *options.notchHz;
    const double upperPassHz = notchHz + notchHz / 400.0 + 0.5;
    if (lowRateDeviation && !(upperPassHz < nyquistHz)) {
      result.warnings.push_back("deviation: the " + number(notchHz) + " Hz notch is impossible at " + number(fs) +
                                " Hz and was skipped (the low-pass already removes it)");
    } else {
      result.notch = dsp::designMneNotch(fs, notchHz);
    }
  } else {
    result.warnings.push_back("deviation: no notch filter (the official makers always notch the mains frequency)");
  }

  MultichannelSignal selected =
      options.channelOrder.empty() ? recording : selectChannels(recording, options.channelOrder);
  const std::size_t n = selected.sampleCount();
  const std::size_t channels = selected.channelCount();
  const auto warnIfShort = [&](const dsp::FirDesign& design, const char* what) {
    if (design.taps.size() > n)
      result.warnings.push_back("the recording (" + std::to_string(n) + " samples, " +
                                number(static_cast<double>(n) / fs) + " s) is shorter than the " + what + " (" +
                                std::to_string(design.taps.size()) + " taps, " + number(design.lengthSec()) +
                                " s); filtered anyway as MNE does, expect edge distortion");
  };
  warnIfShort(result.bandPass, "band-pass filter");
  if (result.notch) warnIfShort(*result.notch, "notch filter");

  const dsp::ZeroPhaseFir bandPass(result.bandPass.taps);
  std::optional<dsp::ZeroPhaseFir> notch;
  if (result.notch) notch.emplace(result.notch->taps);
  const dsp::MneResampler resampler(n, fs, options.targetRateHz);

  // Channels in parallel: each worker takes the next channel index; results land in their own row.
  const double steps = static_cast<double>(channels) * 3.0;
  std::mutex progressMutex;
  double done = 0.0;
  std::atomic<bool> cancelled = false;
  const auto report = [&] {
    if (!options.progress) return;
    std::lock_guard lock(progressMutex);
    done += 1.0;
    if (!cancelled && !options.progress(steps > 0 ? done / steps : 1.0)) cancelled = true;
  };
  if (options.progress && !options.progress(0.0)) throw PreprocessCancelled();

  result.signal.names = selected.names;
  result.signal.sampleRateHz = options.targetRateHz;
  result.signal.samplesUv.assign(channels, {});
  std::atomic<std::size_t> nextChannel = 0;
  std::exception_ptr failure;
  std::mutex failureMutex;
  const auto work = [&] {
    try {
      for (std::size_t c = nextChannel++; c < channels && !cancelled; c = nextChannel++) {
        std::vector<double> row = bandPass.apply(selected.samplesUv[c]);
        report();
        if (cancelled) return;
        if (notch) row = notch->apply(row);
        report();
        if (cancelled) return;
        result.signal.samplesUv[c] = resampler.apply(row);
        report();
        selected.samplesUv[c] = {};  // release the source row early: long recordings
      }
    } catch (...) {
      std::lock_guard lock(failureMutex);
      if (!failure) failure = std::current_exception();
      cancelled = true;
    }
  };
  std::size_t threads = options.threadCount != 0 ? options.threadCount
                                                 : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, channels);
  {
    std::vector<std::jthread> pool;
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
  }  // joined here
  if (failure) std::rethrow_exception(failure);
  if (cancelled) throw PreprocessCancelled();
  return result;
}

}  // namespace preprocess
}  // namespace neurolm
