// neurolm psd: Welch PSD and band powers of a time window of a recording (core/dsp/Welch.h, BandPower.h).
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "app/cli/Commands.h"
#include "app/cli/EngineArgs.h"
#include "app/cli/SignalArgs.h"
#include "core/dsp/BandPower.h"
#include "core/io/Recording.h"
#include "core/montage/MontagePipeline.h"
#include "core/preprocess/ChannelVocabulary.h"
#include "core/signal/ChannelPsd.h"
#include "core/signal/SignalType.h"

namespace neurolm::cli {
namespace {

constexpr const char* kUsage =
    "usage: neurolm psd FILE [--window a:b] [--channels C1,C2,...] [--nperseg N] [--overlap F]\n"
    "                        [--taper hann|hamming|boxcar] [--detrend constant|linear|none]\n"
    "                        [--bands NAME:LO-HI,...] [--fmax HZ] [--montage NAME|FILE.json]\n"
    "                        [--filter hp=HZ,lp=HZ,notch=HZ,...] [--json]\n";

void printHelp(std::ostream& out) {
  out << kUsage
      << "\nWelch power spectral density of each channel over a time window, and its band powers. Computed "
         "as\n"
         "scipy.signal.welch(x, fs, window=TAPER, nperseg=N, noverlap=floor(F*N), detrend, "
         "scaling='density',\n"
         "average='mean', one-sided); voltages are converted to µV first, so the PSD is in µV²/Hz (other "
         "units:\n"
         "unit²/Hz).\n\n"
         "  --window a:b            seconds [a, b) of the recording (default: the whole recording); samples\n"
         "                          round(a*fs) .. round(b*fs) - 1 of each channel\n"
         "  --channels C1,C2,...    channels by label ('EEG Fp1') or cleaned name ('Fp1', 'FP1'); default: "
         "all\n"
         "  --nperseg N             samples per segment (default 256, as scipy; the window length if "
         "shorter)\n"
         "  --overlap F             overlap of segments as a fraction of N, 0 <= F < 1 (default 0.5)\n"
         "  --taper NAME            segment window: hann (default), hamming, boxcar (periodic, as scipy)\n"
         "  --detrend MODE          constant (default: mean removed per segment), linear, none\n"
         "  --bands NAME:LO-HI,...  bands in Hz (default delta:0.5-4,theta:4-8,alpha:8-13,beta:13-30,\n"
         "                          gamma:30-45)\n"
         "  --fmax HZ               text output: PSD rows up to this frequency (default: the highest band "
         "edge)\n"
         "  --montage NAME|FILE     the PSD of a montage's derivations instead of the recorded channels:\n"
         "                          referential, average (common average of the EEG channels), "
         "double-banana,\n"
         "                          transverse, laplacian, or a montage JSON file (format: "
         "core/montage/Montage.h);\n"
         "                          --channels then names derivations by label ('Fp1-F7')\n"
         "  --filter SPEC           display filters applied before the montage and the PSD, zero-phase\n"
         "                          Butterworth as the app's: hp=HZ, lp=HZ, order=N (default 2), notch=HZ,\n"
         "                          harmonics=1 (notch also at 2f, 3f, ...), q=Q (notch quality, default "
         "30);\n"
         "                          e.g. \"hp=0.5,lp=40,notch=50\"\n"
         "  --json                  one JSON object (fields below)\n\n"
         "Band power: the PSD integrated over the band by the rectangle rule on the bins with low <= f < "
         "high,\n"
         "i.e. (fs / N) * sum of P(f); half-open bands share no bin. Relative power: band power / power "
         "over\n"
         "[lowest low, highest high) of all bands.\n\n"
         "--json: {file, window_sec:[a, b], nperseg, noverlap, taper, detrend, scaling:\"density\",\n"
         "  onesided:true, average:\"mean\", band_rule, bands:[{name, low_hz, high_hz}], channels:[{label, "
         "type,\n"
         "  sample_rate_hz, nperseg, noverlap, segments, resolution_hz, psd_unit (\"µV²/Hz\"), power_unit\n"
         "  (\"µV²\"), frequencies_hz[], psd[], band_powers:[{name, low_hz, high_hz, power, relative, "
         "bins}]}]}\n"
         "  (nperseg/noverlap per channel can be smaller than asked when the window is shorter)\n";
}

}  // namespace

int runPsd(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string file;
  std::optional<signal::TimeWindow> window;
  std::vector<std::string> channelNames;
  dsp::WelchOptions welch;
  double overlap = 0.5;
  std::vector<dsp::FrequencyBand> bands = dsp::defaultBands();
  std::optional<double> fmax;
  bool json = false;
  std::optional<std::string> montageName;
  std::optional<dsp::FilterSettings> filter;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      printHelp(out);
      return 0;
    } else if (a == "--json") {
      json = true;
    } else if (a == "--window") {
      window = parseTimeWindow(optionValue(args, i), "--window");
    } else if (a == "--channels") {
      channelNames = splitComma(optionValue(args, i));
      if (channelNames.empty()) throw std::invalid_argument("--channels needs at least one channel");
    } else if (a == "--nperseg") {
      const std::string& v = optionValue(args, i);
      const double n = parseNumber(v, "--nperseg");
      if (n < 2 || n != std::floor(n) || n > 1e8) {
        throw std::invalid_argument("--nperseg '" + v + "' (expected a whole number >= 2)");
      }
      welch.nperseg = static_cast<std::size_t>(n);
    } else if (a == "--overlap") {
      const std::string& v = optionValue(args, i);
      overlap = parseNumber(v, "--overlap");
      if (overlap < 0 || overlap >= 1)
        throw std::invalid_argument("--overlap '" + v + "' (expected 0 <= F < 1)");
    } else if (a == "--taper") {
      const std::string& v = optionValue(args, i);
      if (v == "hann") {
        welch.window = dsp::WelchWindow::Hann;
      } else if (v == "hamming") {
        welch.window = dsp::WelchWindow::Hamming;
      } else if (v == "boxcar") {
        welch.window = dsp::WelchWindow::Boxcar;
      } else {
        throw std::invalid_argument("--taper '" + v + "' (expected hann, hamming or boxcar)");
      }
    } else if (a == "--detrend") {
      const std::string& v = optionValue(args, i);
      if (v == "constant") {
        welch.detrend = dsp::Detrend::Constant;
      } else if (v == "linear") {
        welch.detrend = dsp::Detrend::Linear;
      } else if (v == "none") {
        welch.detrend = dsp::Detrend::None;
      } else {
        throw std::invalid_argument("--detrend '" + v + "' (expected constant, linear or none)");
      }
    } else if (a == "--bands") {
      bands = dsp::parseBands(optionValue(args, i));
    } else if (a == "--montage") {
      montageName = optionValue(args, i);
    } else if (a == "--filter") {
      filter = parseFilter(optionValue(args, i));
    } else if (a == "--fmax") {
      fmax = parseNumber(optionValue(args, i), "--fmax");
    } else if (!a.empty() && a[0] == '-') {
      err << "neurolm psd: unknown option '" << a << "'\n" << kUsage;
      return 2;
    } else if (file.empty()) {
      file = a;
    } else {
      err << "neurolm psd: more than one FILE given\n" << kUsage;
      return 2;
    }
  }
  if (file.empty()) {
    err << kUsage;
    return 2;
  }

  OpenOptions options;
  options.buildPyramid = false;
  options.backgroundAnnotations = false;
  const auto rec = Recording::open(file, options);
  if (rec->channels().empty()) throw std::invalid_argument(rec->sourceName() + " holds no channels");
  const signal::TimeWindow w = window.value_or(signal::TimeWindow{0, rec->durationSec()});
  // With a montage or a filter: the derivations' PSDs (referential when only a filter is given).
  std::optional<montage::Montage> derived;
  montage::FilterSet filters;
  if (filter) {
    filters.all = *filter;
    for (const ChannelInfo& c : rec->channels()) {
      try {
        (void)dsp::DisplayFilter(*filter, c.sampleRateHz);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("--filter: channel '" + c.label + "': " + e.what());
      }
    }
  }
  if (montageName || filter) {
    derived = montageFor(montageName.value_or("referential"), *rec);
  }
  std::vector<std::size_t> channels;
  if (derived) {
    if (channelNames.empty()) {
      for (std::size_t d = 0; d < derived->derivations.size(); ++d) channels.push_back(d);
    }
    for (std::size_t d : findDerivations(*derived, channelNames)) channels.push_back(d);
  } else if (channelNames.empty()) {
    for (std::size_t c = 0; c < rec->channels().size(); ++c) channels.push_back(c);
  } else {
    for (const auto& name : channelNames) channels.push_back(findChannel(*rec, name));
  }
  // noverlap from the fraction, per channel's segment length (shorter windows shrink nperseg, as scipy).
  std::vector<signal::ChannelPsd> spectra;
  if (derived) {
    dsp::WelchOptions o = welch;
    o.noverlap = static_cast<std::size_t>(std::floor(overlap * static_cast<double>(o.nperseg)));
    spectra = signal::derivationPsds(*rec, *derived, filters, w, channels, o, overlap);
  }
  for (std::size_t c : derived ? std::vector<std::size_t>{} : channels) {
    const ChannelInfo& info = rec->channels()[c];
    const auto samples =
        std::llround(w.endSec * info.sampleRateHz) - std::llround(w.startSec * info.sampleRateHz);
    dsp::WelchOptions o = welch;
    o.nperseg =
        std::min<std::size_t>(welch.nperseg, static_cast<std::size_t>(std::max<long long>(1, samples)));
    o.noverlap = static_cast<std::size_t>(std::floor(overlap * static_cast<double>(o.nperseg)));
    auto one = signal::channelPsds(*rec, w, {c}, o);
    spectra.push_back(std::move(one.front()));
  }

  const std::string bandRule =
      "rectangle rule: (fs / nperseg) * sum of PSD bins with low_hz <= f < high_hz; relative = power / power "
      "over "
      "[lowest low_hz, highest high_hz)";
  if (json) {
    nlohmann::json j;
    j["file"] = rec->sourceName();
    j["window_sec"] = {w.startSec, w.endSec};
    j["montage"] = derived ? derived->name : "as recorded";
    j["filter"] = filters.all.summary();
    j["nperseg"] = welch.nperseg;
    j["noverlap"] = static_cast<std::size_t>(std::floor(overlap * static_cast<double>(welch.nperseg)));
    j["taper"] = dsp::welchWindowName(welch.window);
    j["detrend"] = welch.detrend == dsp::Detrend::Constant ? "constant"
                   : welch.detrend == dsp::Detrend::Linear ? "linear"
                                                           : "none";
    j["scaling"] = "density";
    j["onesided"] = true;
    j["average"] = "mean";
    j["band_rule"] = bandRule;
    j["bands"] = nlohmann::json::array();
    for (const auto& b : bands)
      j["bands"].push_back({{"name", b.name}, {"low_hz", b.lowHz}, {"high_hz", b.highHz}});
    j["channels"] = nlohmann::json::array();
    for (const auto& s : spectra) {
      nlohmann::json c;
      c["label"] = s.label;
      if (derived) {
        c["type"] = signal::signalTypeName(derived->derivations[s.channel].type);
        c["sample_rate_hz"] = derived->derivations[s.channel].sampleRateHz;
      } else {
        const ChannelInfo& info = rec->channels()[s.channel];
        c["type"] = signal::signalTypeName(signal::classifySignal(info.label, info.unit));
        c["sample_rate_hz"] = info.sampleRateHz;
      }
      c["nperseg"] = s.psd.nperseg;
      c["noverlap"] = s.psd.noverlap;
      c["segments"] = s.psd.segments;
      c["resolution_hz"] = s.psd.resolutionHz();
      c["psd_unit"] = s.densityUnit;
      c["power_unit"] = s.amplitudeUnit + "²";
      c["frequencies_hz"] = s.psd.frequenciesHz;
      c["psd"] = s.psd.density;
      c["band_powers"] = nlohmann::json::array();
      for (const auto& p : dsp::bandPowers(s.psd, bands)) {
        c["band_powers"].push_back({{"name", p.band.name},
                                    {"low_hz", p.band.lowHz},
                                    {"high_hz", p.band.highHz},
                                    {"power", p.power},
                                    {"relative", p.relative},
                                    {"bins", p.bins}});
      }
      j["channels"].push_back(std::move(c));
    }
    out << j.dump() << "\n";
    return 0;
  }

  out << "file:     " << rec->sourceName() << "\n"
      << "window:   " << w.startSec << " .. " << w.endSec << " s\n"
      << "montage:  " << (derived ? derived->name : "as recorded") << ", filter " << filters.all.summary()
      << "\n"
      << "welch:    " << dsp::welchWindowName(welch.window) << " taper, nperseg " << welch.nperseg
      << ", overlap " << overlap << ", detrend "
      << (welch.detrend == dsp::Detrend::Constant ? "constant"
          : welch.detrend == dsp::Detrend::Linear ? "linear"
                                                  : "none")
      << ", density, one-sided, mean of segments\n\n";
  // Band powers: one row per channel.
  out << "band power (" << bandRule << ")\n";
  out << std::left << std::setw(18) << "channel" << std::right;
  for (const auto& b : bands) {
    std::ostringstream head;
    head << b.name << " " << b.lowHz << "-" << b.highHz;
    out << std::setw(20) << head.str();
  }
  out << "  unit\n";
  for (const auto& s : spectra) {
    out << std::left << std::setw(18) << s.label << std::right;
    for (const auto& p : dsp::bandPowers(s.psd, bands)) {
      std::ostringstream cell;
      cell << std::setprecision(4) << p.power << " (" << std::fixed << std::setprecision(1)
           << 100 * p.relative << "%)";
      out << std::setw(20) << cell.str();
    }
    out << "  " << s.amplitudeUnit << "²\n";
  }
  // PSD: one row per frequency of the first channel's grid, one column per channel of that grid.
  double limit = bands.front().highHz;
  for (const auto& b : bands) limit = std::max(limit, b.highHz);
  if (fmax) limit = *fmax;
  for (std::size_t first = 0; first < spectra.size();) {
    std::size_t last = first + 1;
    while (last < spectra.size() && spectra[last].psd.frequenciesHz == spectra[first].psd.frequenciesHz &&
           spectra[last].densityUnit == spectra[first].densityUnit) {
      ++last;
    }
    out << "\nPSD (" << spectra[first].densityUnit << ")\n" << std::setw(9) << "Hz";
    for (std::size_t i = first; i < last; ++i) out << ' ' << std::setw(12) << spectra[i].label.substr(0, 12);
    out << "\n";
    const auto& freqs = spectra[first].psd.frequenciesHz;
    for (std::size_t k = 0; k < freqs.size() && freqs[k] <= limit + 1e-9; ++k) {
      out << std::setw(9) << std::fixed << std::setprecision(3) << freqs[k] << std::defaultfloat;
      for (std::size_t i = first; i < last; ++i) {
        out << ' ' << std::setw(12) << std::setprecision(5) << spectra[i].psd.density[k];
      }
      out << "\n";
    }
    first = last;
  }
  return 0;
}

}  // namespace neurolm::cli
