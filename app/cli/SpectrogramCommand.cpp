// neurolm spectrogram: short-time power spectra of channels over a time window, written as a
// [channels, frequencies, times] float32 .npy (core/signal/RecordingSpectrogram.h, core/dsp/Spectrogram.h).
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <stdexcept>

#include "app/cli/Commands.h"
#include "app/cli/EngineArgs.h"
#include "app/cli/SignalArgs.h"
#include "core/io/Npy.h"
#include "core/signal/RecordingSpectrogram.h"

namespace neurolm::cli {
namespace {

constexpr const char* kUsage =
    "usage: neurolm spectrogram FILE --out S.npy [--window a:b] [--channels C1,C2,...] [--nperseg-sec S]\n"
    "                                [--overlap F] [--taper hann|hamming|boxcar]\n"
    "                                [--detrend constant|linear|none] [--montage NAME|FILE.json]\n"
    "                                [--filter hp=HZ,lp=HZ,notch=HZ,...] [--threads N] [--json]\n";

void printHelp(std::ostream& out) {
  out << kUsage
      << "\nShort-time power spectral density of each channel over a time window, computed as\n"
         "scipy.signal.spectrogram(x, fs, window=TAPER, nperseg=round(S*fs), noverlap=floor(F*nperseg),\n"
         "nfft=nperseg, detrend, return_onesided=True, scaling='density', mode='psd'): segments start every\n"
         "nperseg - noverlap samples, trailing samples that do not fill a segment are dropped. Voltages are\n"
         "converted to µV first, so the power is in µV²/Hz (other units: unit²/Hz). The channels must share\n"
         "one sample rate.\n\n"
         "  --out S.npy             where to write the power: float32 [channels, frequencies, times]\n"
         "  --window a:b            seconds [a, b) of the recording (default: the whole recording)\n"
         "  --channels C1,C2,...    channels by label ('EEG Fp1') or cleaned name ('Fp1'); with --montage,\n"
         "                          derivations by label ('Fp1-F7'); default: all\n"
         "  --nperseg-sec S         segment length in seconds (default 2)\n"
         "  --overlap F             overlap of segments as a fraction of nperseg, 0 <= F < 1 (default 0.5)\n"
         "  --taper NAME            segment window: hann (default), hamming, boxcar (periodic, as scipy)\n"
         "  --detrend MODE          constant (default: mean removed per segment), linear, none\n"
         "  --montage NAME|FILE     referential (default), average, double-banana, transverse, laplacian or\n"
         "                          a montage JSON file (format: core/montage/Montage.h)\n"
         "  --filter SPEC           display filters before the montage, zero-phase Butterworth as the "
         "app's:\n"
         "                          hp=HZ, lp=HZ, order=N (default 2), notch=HZ, harmonics=1, q=Q\n"
         "  --threads N             worker threads (default: every hardware thread)\n"
         "  --json                  one JSON object (fields below) instead of the text summary\n\n"
         "--json fields:\n"
         "  file             the recording\n"
         "  out              the .npy written\n"
         "  shape            [channels, frequencies, times] of the .npy\n"
         "  dtype            \"float32\"\n"
         "  window_sec       [a, b] as asked (b clamped to the recording's end)\n"
         "  montage          the montage's name (\"Referential\" by default)\n"
         "  filter           the display filter, in words\n"
         "  sample_rate_hz   the channels' sample rate\n"
         "  nperseg          samples per segment; noverlap: samples shared by neighbouring segments\n"
         "  taper, detrend   as given; scaling \"density\", mode \"psd\", onesided true\n"
         "  unit             unit of the power (\"µV²/Hz\")\n"
         "  channels         labels, in the order of the .npy's first axis\n"
         "  frequencies_hz   k * fs / nperseg, k = 0 .. nperseg/2 (the second axis)\n"
         "  times_sec        centre of each segment in seconds of the recording (the third axis): a + t of\n"
         "                   scipy's t, where a is the first sample's time round(a*fs)/fs\n";
}

}  // namespace

int runSpectrogram(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string file, outPath;
  std::optional<signal::TimeWindow> window;
  std::vector<std::string> channelNames;
  signal::SpectrogramRequest request;
  bool json = false;
  std::optional<std::string> montageName;
  montage::FilterSet filters;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      printHelp(out);
      return 0;
    } else if (a == "--json") {
      json = true;
    } else if (a == "--out") {
      outPath = optionValue(args, i);
    } else if (a == "--window") {
      window = parseTimeWindow(optionValue(args, i), "--window");
    } else if (a == "--channels") {
      channelNames = splitComma(optionValue(args, i));
      if (channelNames.empty()) throw std::invalid_argument("--channels needs at least one channel");
    } else if (a == "--nperseg-sec") {
      const std::string& v = optionValue(args, i);
      request.segmentSec = parseNumber(v, "--nperseg-sec");
      if (!(request.segmentSec > 0)) throw std::invalid_argument("--nperseg-sec '" + v + "' (expected > 0)");
    } else if (a == "--overlap") {
      const std::string& v = optionValue(args, i);
      request.overlapFraction = parseNumber(v, "--overlap");
      if (request.overlapFraction < 0 || request.overlapFraction >= 1)
        throw std::invalid_argument("--overlap '" + v + "' (expected 0 <= F < 1)");
    } else if (a == "--taper") {
      const std::string& v = optionValue(args, i);
      if (v == "hann") {
        request.taper = dsp::WelchWindow::Hann;
      } else if (v == "hamming") {
        request.taper = dsp::WelchWindow::Hamming;
      } else if (v == "boxcar") {
        request.taper = dsp::WelchWindow::Boxcar;
      } else {
        throw std::invalid_argument("--taper '" + v + "' (expected hann, hamming or boxcar)");
      }
    } else if (a == "--detrend") {
      const std::string& v = optionValue(args, i);
      if (v == "constant") {
        request.detrend = dsp::Detrend::Constant;
      } else if (v == "linear") {
        request.detrend = dsp::Detrend::Linear;
      } else if (v == "none") {
        request.detrend = dsp::Detrend::None;
      } else {
        throw std::invalid_argument("--detrend '" + v + "' (expected constant, linear or none)");
      }
    } else if (a == "--montage") {
      montageName = optionValue(args, i);
    } else if (a == "--filter") {
      filters.all = parseFilter(optionValue(args, i));
    } else if (a == "--threads") {
      const std::string& v = optionValue(args, i);
      const double t = parseNumber(v, "--threads");
      if (t < 1 || t != std::floor(t) || t > 4096)
        throw std::invalid_argument("--threads '" + v + "' (expected a whole number >= 1)");
      request.threads = static_cast<unsigned>(t);
    } else if (!a.empty() && a[0] == '-') {
      err << "neurolm spectrogram: unknown option '" << a << "'\n" << kUsage;
      return 2;
    } else if (file.empty()) {
      file = a;
    } else {
      err << "neurolm spectrogram: more than one FILE given\n" << kUsage;
      return 2;
    }
  }
  if (file.empty() || outPath.empty()) {
    err << "neurolm spectrogram: " << (file.empty() ? "FILE" : "--out") << " is required\n" << kUsage;
    return 2;
  }

  OpenOptions options;
  options.buildPyramid = false;
  options.backgroundAnnotations = false;
  const auto rec = Recording::open(file, options);
  if (rec->channels().empty()) throw std::invalid_argument(rec->sourceName() + " holds no channels");
  for (const ChannelInfo& c : rec->channels()) {
    try {
      (void)dsp::DisplayFilter(filters.all, c.sampleRateHz);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("--filter: channel '" + c.label + "': " + e.what());
    }
  }
  montage::Montage m = montageFor(montageName.value_or("referential"), *rec);
  if (!channelNames.empty()) {
    std::vector<std::size_t> chosen;
    const bool referential =
        !montageName || montage::builtinMontageFromName(*montageName) == montage::BuiltinMontage::Referential;
    if (!referential) {
      chosen = findDerivations(m, channelNames);
    } else {
      for (const auto& name : channelNames) chosen.push_back(findChannel(*rec, name));  // referential: d == c
    }
    montage::Montage subset{m.name, {}};
    for (std::size_t d : chosen) subset.derivations.push_back(m.derivations[d]);
    m = std::move(subset);
  }
  request.window = window.value_or(signal::TimeWindow{0, rec->durationSec()});
  request.window.endSec = std::min(request.window.endSec, rec->durationSec());
  const auto s = signal::recordingSpectrogram(*rec, m, filters, request);
  const auto& p = s.power;
  writeNpy(outPath, makeNpy(p.power, {p.channelCount, p.frequencyCount(), p.timeCount()}));

  std::vector<double> times(p.timeCount());
  for (std::size_t t = 0; t < times.size(); ++t) times[t] = s.timeSec(t);
  const char* detrend = request.detrend == dsp::Detrend::Constant ? "constant"
                        : request.detrend == dsp::Detrend::Linear ? "linear"
                                                                  : "none";
  if (json) {
    nlohmann::json j;
    j["file"] = rec->sourceName();
    j["out"] = outPath;
    j["shape"] = {p.channelCount, p.frequencyCount(), p.timeCount()};
    j["dtype"] = "float32";
    j["window_sec"] = {request.window.startSec, request.window.endSec};
    j["montage"] = m.name;
    j["filter"] = filters.all.summary();
    j["sample_rate_hz"] = p.sampleRateHz;
    j["nperseg"] = p.nperseg;
    j["noverlap"] = p.noverlap;
    j["taper"] = dsp::welchWindowName(request.taper);
    j["detrend"] = detrend;
    j["scaling"] = "density";
    j["mode"] = "psd";
    j["onesided"] = true;
    j["unit"] = s.densityUnit;
    j["channels"] = s.labels;
    j["frequencies_hz"] = p.frequenciesHz;
    j["times_sec"] = times;
    out << j.dump() << "\n";
    return 0;
  }
  out << "file:        " << rec->sourceName() << "\n"
      << "window:      " << request.window.startSec << " .. " << request.window.endSec << " s\n"
      << "montage:     " << m.name << ", filter " << filters.all.summary() << "\n"
      << "segments:    " << p.timeCount() << " of " << p.nperseg << " samples ("
      << dsp::welchWindowName(request.taper) << ", overlap " << p.noverlap << ", detrend " << detrend << "), "
      << p.sampleRateHz << " Hz\n"
      << "frequencies: " << p.frequencyCount() << " bins, 0 .. " << p.frequenciesHz.back() << " Hz\n"
      << "times:       " << (times.empty() ? 0 : times.front()) << " .. "
      << (times.empty() ? 0 : times.back()) << " s (segment centres)\n"
      << "channels:    " << p.channelCount << "\n"
      << "wrote:       " << outPath << " float32 [" << p.channelCount << ", " << p.frequencyCount() << ", "
      << p.timeCount() << "] " << s.densityUnit << "\n";
  return 0;
}

}  // namespace neurolm::cli
