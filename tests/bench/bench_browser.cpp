// Browser benchmark: the EEG browser's hot paths on the synthetic 24-h x 64-ch x 256-Hz recording (written
// once to /tmp/neurolm-bench-browser-24h.edf if absent, ~2.8 GB; --keep is implied, delete it by hand), each
// against its target or a scipy reference timed in the same run (tests/bench/ref_browser.py, Debian's
// python3-scipy):
//   (a) redraw of a 10-s page: read + display filter (0.5-40 Hz) + montage (double banana) + min/max columns
//   +
//       paint into a QImage, as TraceView's worker does (loadTracePage + renderTracePage)       target <= 10
//       ms
//   (b) the same page as recorded (no filter, no montage)                                      target <= 10
//   ms (c) redraw of a 1-h page as recorded (min/max pyramid) + paint                              target <=
//   50 ms (d) the overview strip: columns from the pyramid + band image                               target
//   <= 50 ms (e) spectrogram of 1 h x 19 ch x 500 Hz (2-s Hann, 50 % overlap) vs scipy.signal.spectrogram  >=
//   3x (f) Welch PSD of a 10-s page of 64 channels (nperseg 512) vs scipy.signal.welch                 >= 3x
// Medians of --reps runs (default 7). Never fails on slow numbers: it prints them.
//
//   build/bin/bench_browser [--file PATH] [--reps N] [--threads N]
#include <sys/resource.h>

#include <QGuiApplication>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/TempDir.h"
#include "core/dsp/Spectrogram.h"
#include "core/dsp/Welch.h"
#include "core/io/Npy.h"
#include "core/io/Recording.h"
#include "core/montage/Montage.h"
#include "widgets/overview/OverviewWorker.h"
#include "widgets/traces/TraceRenderer.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace neurolm;

namespace {

constexpr int kChannels = 64, kRateHz = 256;
constexpr std::int64_t kRecords = 24 * 3600;  // 1-s records
constexpr double kPhysMaxUv = 3276.7;         // +-32767 digital: 0.1 uV per step
// The 10-20 labels the built-in montages know, then numbered extras up to 64 channels.
const char* const k1020[] = {"Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T3", "C3", "Cz",
                             "C4",  "T4",  "T5", "P3", "Pz", "P4", "T6", "O1", "O2"};

double msSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n == 0 ? 0.0 : (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]));
}

std::vector<double> repeat(int n, const std::function<void()>& fn) {
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    fn();
    ms.push_back(msSince(t0));
  }
  return ms;
}

std::string field(std::string v, std::size_t width) {
  v.resize(width, ' ');
  return v;
}

// EEG-like content: alpha, theta and beta rhythms with per-channel gains and phases, a slow modulation,
// noise.
void writeRecording(const fs::path& path) {
  const fs::path partial = path.string() + ".partial";
  std::string h = field("0", 8) + field("X X X X", 80) + field("Startdate 01-DEC-2026 X X X", 80) +
                  "01.12.26" + "08.00.00" + field(std::to_string(256 * (kChannels + 1)), 8) + field("", 44) +
                  field(std::to_string(kRecords), 8) + field("1", 8) + field(std::to_string(kChannels), 4);
  for (int c = 0; c < kChannels; ++c)
    h += field(std::string("EEG ") + (c < 19 ? k1020[c] : ("X" + std::to_string(c + 1)).c_str()), 16);
  for (int c = 0; c < kChannels; ++c) h += field("AgAgCl electrode", 80);
  for (int c = 0; c < kChannels; ++c) h += field("uV", 8);
  for (int c = 0; c < kChannels; ++c) h += field("-3276.7", 8);
  for (int c = 0; c < kChannels; ++c) h += field("3276.7", 8);
  for (int c = 0; c < kChannels; ++c) h += field("-32767", 8);
  for (int c = 0; c < kChannels; ++c) h += field("32767", 8);
  for (int c = 0; c < kChannels; ++c) h += field("HP:0.1Hz LP:75Hz", 80);
  for (int c = 0; c < kChannels; ++c) h += field(std::to_string(kRateHz), 8);
  for (int c = 0; c < kChannels; ++c) h += field("", 32);
  std::ofstream out(partial, std::ios::binary | std::ios::trunc);
  out.write(h.data(), static_cast<std::streamsize>(h.size()));
  // One 10-s table per channel (rhythms at multiples of 0.1 Hz repeat exactly), modulated per record.
  std::vector<float> table(static_cast<std::size_t>(kChannels) * 10 * kRateHz);
  for (int c = 0; c < kChannels; ++c)
    for (int i = 0; i < 10 * kRateHz; ++i) {
      const double t = static_cast<double>(i) / kRateHz;
      table[static_cast<std::size_t>(c * 10 * kRateHz + i)] = static_cast<float>(
          35 * std::sin(2 * M_PI * 9.8 * t + 0.3 * c) + 15 * std::sin(2 * M_PI * 6.3 * t + 0.7 * c) +
          6 * std::sin(2 * M_PI * 21.4 * t + 1.1 * c) + 25 * std::sin(2 * M_PI * 1.7 * t + 0.2 * c));
    }
  std::mt19937 rng(1);
  std::normal_distribution<float> noise(0, 4);
  std::vector<std::int16_t> block(static_cast<std::size_t>(kChannels * kRateHz) * 60);
  for (std::int64_t r0 = 0; r0 < kRecords; r0 += 60) {
    std::size_t w = 0;
    for (std::int64_t r = r0; r < r0 + 60; ++r)
      for (int c = 0; c < kChannels; ++c) {
        const float m =
            static_cast<float>(1 + 0.4 * std::sin(2 * M_PI * static_cast<double>(r) / (300.0 + c)));
        const float* tab = table.data() + static_cast<std::size_t>(c * 10 * kRateHz + (r % 10) * kRateHz);
        for (int k = 0; k < kRateHz; ++k)
          block[w++] = static_cast<std::int16_t>(
              std::lround(std::clamp((m * tab[k] + noise(rng)) * 10.0f, -32767.f, 32767.f)));
      }
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(w * 2));
  }
  out.close();
  if (!out) throw std::runtime_error("could not write " + partial.string());
  fs::rename(partial, path);
}

double peakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  fs::path file = fs::temp_directory_path() / "neurolm-bench-browser-24h.edf";
  int reps = 7;
  unsigned threads = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--file" && i + 1 < argc)
      file = argv[++i];
    else if (a == "--reps" && i + 1 < argc)
      reps = std::max(3, std::atoi(argv[++i]));
    else if (a == "--threads" && i + 1 < argc)
      threads = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
    else {
      std::fprintf(stderr, "usage: %s [--file PATH] [--reps N>=3] [--threads N]\n", argv[0]);
      return 2;
    }
  }
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QGuiApplication app(argc, argv);  // fonts for QPainter text
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  std::printf("bench_browser: 24 h x %d ch x %d Hz in %s; %u hardware threads; %d reps\n", kChannels, kRateHz,
              file.c_str(), hw, reps);
  if (!fs::exists(file)) {
    const auto t0 = Clock::now();
    writeRecording(file);
    std::printf("written %.2f GB in %.1f s\n", static_cast<double>(fs::file_size(file)) / 1e9,
                msSince(t0) / 1e3);
  }
  auto t0 = Clock::now();
  const auto rec = Recording::open(file);  // the app's options: pyramid on a background thread
  rec->waitForPyramid();
  std::printf("opened, pyramid built in %.1f s\n\n", msSince(t0) / 1e3);

  struct Row {
    std::string what;
    double ms;
    std::string reference;
    double refMs;  // < 0: a target in ms instead of a timed reference
  };
  std::vector<Row> rows;
  nlohmann::json json;
  const QSize size(1600, 1000);
  widgets::TraceGeometry geometry;
  geometry.size = size;
  const auto display = widgets::channelDisplayTable(*rec);
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> pageStart(0, 24 * 3600 - 3600);

  // (a) 10-s page through the filter + montage path.
  widgets::TracePipeline filtered;
  filtered.montage = std::make_shared<montage::Montage>(
      montage::buildMontage(montage::BuiltinMontage::LongitudinalBipolar, *rec));
  filtered.filters.all.highPassHz = 0.5;
  filtered.filters.all.lowPassHz = 40;
  const auto filteredDisplay = widgets::montageDisplayTable(*rec, *filtered.montage);
  auto redraw = [&](double start, double duration, const signal::ChannelDisplayTable& table,
                    const widgets::TracePipeline& pipeline) {
    auto page = widgets::loadTracePage(*rec, start, duration, geometry.plotWidth(), table, pipeline);
    geometry.channels = static_cast<int>(page.channels.size());
    const QImage image = widgets::renderTracePage(page, geometry);
    if (image.isNull()) std::abort();
  };
  const double a =
      median(repeat(reps, [&] { redraw(std::floor(pageStart(rng)), 10, filteredDisplay, filtered); }));
  rows.push_back({"(a) 10-s page: read+filter+double banana+columns+paint (" +
                      std::to_string(filtered.montage->derivations.size()) + " lanes)",
                  a, "target", -10});
  json["a_page10s_filtered_montage_ms"] = a;
  const double b = median(repeat(reps, [&] { redraw(std::floor(pageStart(rng)), 10, display, {}); }));
  rows.push_back({"(b) 10-s page as recorded: read+columns+paint (64 lanes)", b, "target", -10});
  json["b_page10s_ms"] = b;
  {
    // Where (b)'s time goes: the read + columns alone, and the paint alone (of one loaded page).
    const double read = median(repeat(reps, [&] {
      (void)widgets::loadTracePage(*rec, std::floor(pageStart(rng)), 10, geometry.plotWidth(), display, {});
    }));
    const auto page = widgets::loadTracePage(*rec, 7200, 10, geometry.plotWidth(), display, {});
    geometry.channels = static_cast<int>(page.channels.size());
    const double paint = median(repeat(reps, [&] { (void)widgets::renderTracePage(page, geometry); }));
    std::printf("(b) split: read + columns %.2f ms, paint %.2f ms\n", read, paint);
    json["b_read_ms"] = read;
    json["b_paint_ms"] = paint;
  }
  const double c = median(repeat(reps, [&] { redraw(std::floor(pageStart(rng)), 3600, display, {}); }));
  rows.push_back({"(c) 1-h page as recorded: pyramid columns+paint (64 lanes)", c, "target", -50});
  json["c_page1h_ms"] = c;
  const double d = median(repeat(reps, [&] {
    const auto columns = widgets::overviewColumns(*rec, 1500);
    const QImage band = widgets::renderOverviewBand(columns, QSize(1500, 60));
    if (band.isNull()) std::abort();
  }));
  rows.push_back({"(d) overview: 1500 columns from the pyramid + band image", d, "target", -50});
  json["d_overview_ms"] = d;

  // (e), (f): arrays shared with scipy through .npy.
  test::TempDir tmp("bench-browser");
  const std::size_t n = 3600 * 500;
  std::vector<double> xs(19 * n);
  {
    std::normal_distribution<double> g(0, 10);
    for (std::size_t ch = 0; ch < 19; ++ch)
      for (std::size_t i = 0; i < n; ++i)
        xs[ch * n + i] =
            30 * std::sin(2 * M_PI * (9.5 + 0.1 * static_cast<double>(ch)) * static_cast<double>(i) / 500) +
            g(rng);
  }
  writeNpy(tmp / "xs.npy", makeNpy(xs, {19, n}));
  std::vector<double> xw(64 * 2560);
  for (std::size_t ch = 0; ch < 64; ++ch) {
    const auto v = rec->readPhysical(ch, 3600 * 256, 2560);
    std::copy(v.begin(), v.end(), xw.begin() + static_cast<std::ptrdiff_t>(ch * 2560));
  }
  writeNpy(tmp / "xw.npy", makeNpy(xw, {64, 2560}));
  const std::string cmd = std::string(NEUROLM_PYTHON) + " " + NEUROLM_TESTS_DIR + "/bench/ref_browser.py " +
                          (tmp / "xs.npy").string() + " " + (tmp / "xw.npy").string() + " " +
                          std::to_string(reps);
  std::string refOut;
  {
    FILE* pipe = popen(cmd.c_str(), "r");
    char buf[4096];
    while (pipe && fgets(buf, sizeof buf, pipe)) refOut += buf;
    if (pipe) pclose(pipe);
  }
  nlohmann::json ref;
  try {
    ref = nlohmann::json::parse(refOut);
  } catch (const std::exception&) {
    std::printf("reference failed: %s\n%s\n", cmd.c_str(), refOut.c_str());
    return 1;
  }
  std::vector<const double*> channels;
  for (std::size_t ch = 0; ch < 19; ++ch) channels.push_back(xs.data() + ch * n);
  dsp::SpectrogramOptions so;
  so.nperseg = 1000;
  so.noverlap = 500;
  so.threads = threads;
  dsp::SpectrogramResult s;
  const double e = median(repeat(reps, [&] { s = dsp::spectrogram(channels, n, 500, so); }));
  double sum = 0;
  for (float v : s.power) sum += v;
  const double eRef = ref["spectrogram_ms"].get<double>();
  rows.push_back({"(e) spectrogram 1 h x 19 ch x 500 Hz, 2-s Hann, 50 % (" +
                      std::to_string(threads ? threads : hw) + " threads)",
                  e, "scipy.signal.spectrogram", eRef});
  json["e_spectrogram_ms"] = e;
  json["e_scipy_ms"] = eRef;
  std::printf("spectrogram: shape [%zu, %zu, %zu], sum %.6e (scipy %.6e, rel. diff %.1e)\n", s.channelCount,
              s.frequencyCount(), s.timeCount(), sum, ref["spectrogram_sum"].get<double>(),
              std::abs(sum / ref["spectrogram_sum"].get<double>() - 1));
  dsp::WelchOptions wo;
  wo.nperseg = 512;
  wo.noverlap = 256;
  double welchSum = 0;
  const double f = median(repeat(reps * 5, [&] {
    welchSum = 0;
    for (std::size_t ch = 0; ch < 64; ++ch) {
      const auto p = dsp::welch(xw.data() + ch * 2560, 2560, 256, wo);
      for (double v : p.density) welchSum += v;
    }
  }));
  const double fRef = ref["welch_ms"].get<double>();
  rows.push_back({"(f) Welch PSD, 10-s page x 64 ch, nperseg 512 (1 thread)", f, "scipy.signal.welch", fRef});
  json["f_welch_ms"] = f;
  json["f_scipy_ms"] = fRef;
  std::printf("welch: sum %.6e (scipy %.6e, rel. diff %.1e)\n\n", welchSum, ref["welch_sum"].get<double>(),
              std::abs(welchSum / ref["welch_sum"].get<double>() - 1));

  std::printf("%-78s %10s  %-26s %10s  %s\n", "measure (median)", "NeuroLM", "reference", "ref",
              "ratio / verdict");
  for (const Row& r : rows) {
    if (r.refMs < 0) {
      std::printf("%-78s %8.2f ms  %-26s %7.0f ms  %s\n", r.what.c_str(), r.ms, "target <=", -r.refMs,
                  r.ms <= -r.refMs ? "meets target" : "MISSES target");
    } else {
      std::printf("%-78s %8.2f ms  %-26s %7.2f ms  %.1fx faster %s\n", r.what.c_str(), r.ms,
                  r.reference.c_str(), r.refMs, r.refMs / r.ms,
                  r.refMs / r.ms >= 3 ? "(target >= 3x: met)" : "(target >= 3x: MISSED)");
    }
  }
  json["scipy"] = ref["scipy"];
  json["numpy"] = ref["numpy"];
  json["hardware_threads"] = hw;
  json["peak_rss_mb"] = peakRssMb();
  std::printf("\npeak RSS %.0f MB; scipy %s, numpy %s\nJSON %s\n", peakRssMb(),
              ref["scipy"].get<std::string>().c_str(), ref["numpy"].get<std::string>().c_str(),
              json.dump().c_str());
  return 0;
}
