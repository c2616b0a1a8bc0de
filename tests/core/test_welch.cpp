#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/dsp/BandPower.h"
#include "core/dsp/Welch.h"
#include "core/io/Npy.h"
#include "core/signal/ChannelPsd.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

struct Reference {
  std::vector<double> freqs;
  std::vector<double> psd;  // [channels, F]
  nlohmann::json bands;
};

Reference scipyWelch(const fs::path& file, const test::TempDir& tmp, double a, double b, std::size_t nperseg,
                     std::size_t noverlap, const std::string& window, const std::string& detrend) {
  const std::string cmd =
      std::string(test::python()) + " " + (test::testsDir() / "tools" / "welch_reference.py").string() + " " +
      file.string() + " " + tmp.path().string() + " " + std::to_string(a) + " " + std::to_string(b) + " " +
      std::to_string(nperseg) + " " + std::to_string(noverlap) + " " + window + " " + detrend;
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  Reference r;
  r.freqs = readNpy(tmp / "freqs.npy").toDouble();
  r.psd = readNpy(tmp / "psd.npy").toDouble();
  std::ifstream in(tmp / "bands.json");
  r.bands = nlohmann::json::parse(in);
  return r;
}

OpenOptions syncOptions() {
  OpenOptions o;
  o.backgroundAnnotations = false;
  o.buildPyramid = false;
  return o;
}

struct Case {
  fs::path file;
  double a, b;
  std::size_t nperseg, noverlap;
  dsp::WelchWindow window;
  dsp::Detrend detrend;
  const char* detrendName;
};

}  // namespace

TEST(Welch, EqualsScipyOnRealRecordings) {
  const std::vector<Case> cases = {
      // EEGMAT, 500 Hz, 21 channels incl. 'ECG ECG' in mV (converted to µV on both sides), 30 s, 2 s
      // segments.
      {test::dataDir() / "eegmat" / "Subject00_1.edf", 10, 40, 1000, 500, dsp::WelchWindow::Hann,
       dsp::Detrend::Constant, "constant"},
      // EEGMMIDB, 160 Hz, 64 channels: scipy's defaults (256, 128), an odd length and a partial last segment.
      {test::dataDir() / "eegmmidb" / "S002" / "S002R03.edf", 3, 64.5, 256, 128, dsp::WelchWindow::Hann,
       dsp::Detrend::Constant, "constant"},
      {test::dataDir() / "eegmat" / "Subject03_2.edf", 0, 17, 333, 100, dsp::WelchWindow::Hamming,
       dsp::Detrend::Linear, "linear"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file.filename().string() + " nperseg " + std::to_string(c.nperseg));
    test::TempDir tmp("welch");
    const Reference ref = scipyWelch(c.file, tmp, c.a, c.b, c.nperseg, c.noverlap,
                                     dsp::welchWindowName(c.window), c.detrendName);
    const auto rec = Recording::open(c.file, syncOptions());
    std::vector<std::size_t> all(rec->channels().size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    dsp::WelchOptions o;
    o.nperseg = c.nperseg;
    o.noverlap = c.noverlap;
    o.window = c.window;
    o.detrend = c.detrend;
    const auto ours = signal::channelPsds(*rec, {c.a, c.b}, all, o);
    ASSERT_EQ(ours.size() * ref.freqs.size(), ref.psd.size());
    const std::size_t bins = ref.freqs.size();
    double worst = 0;
    for (std::size_t ch = 0; ch < ours.size(); ++ch) {
      const auto& p = ours[ch].psd;
      ASSERT_EQ(p.density.size(), bins);
      EXPECT_EQ(ours[ch].densityUnit, "µV²/Hz");
      double peak = 0;
      for (std::size_t k = 0; k < bins; ++k) peak = std::max(peak, ref.psd[ch * bins + k]);
      for (std::size_t k = 0; k < bins; ++k) {
        ASSERT_NEAR(p.frequenciesHz[k], ref.freqs[k], 1e-9);
        const double r = ref.psd[ch * bins + k];
        // Relative to the bin, with a floor at 1e-12 of the channel's peak (the detrended DC bin is ~0).
        worst = std::max(worst, std::abs(p.density[k] - r) / std::max(std::abs(r), 1e-12 * peak));
      }
      const auto powers = dsp::bandPowers(p, dsp::defaultBands());
      ASSERT_EQ(powers.size(), ref.bands["bands"].size());
      for (std::size_t i = 0; i < powers.size(); ++i) {
        const auto& rb = ref.bands["bands"][i];
        EXPECT_EQ(powers[i].band.name, rb["name"].get<std::string>());
        EXPECT_NEAR(powers[i].power, rb["power"][ch].get<double>(), 1e-9 * rb["power"][ch].get<double>());
        EXPECT_NEAR(powers[i].relative, rb["relative"][ch].get<double>(), 1e-9);
      }
    }
    EXPECT_LT(worst, 1e-9);
    std::printf("[ welch    ] %s: %zu channels x %zu bins, max relative difference to scipy %.2e\n",
                c.file.filename().c_str(), ours.size(), bins, worst);
  }
}

TEST(Welch, SineOnABinCarriesHalfItsSquaredAmplitude) {
  // Hand-worked: x = A sin(2π f0 t) with f0 on a bin; the PSD integrates to A²/2 (Parseval), all of it within
  // the Hann main lobe (f0 ± 2 bins); a constant offset is removed by the constant detrend.
  const double fs = 250, f0 = 10, amplitude = 30;
  std::vector<double> x(5000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 7 + amplitude * std::sin(2 * M_PI * f0 * i / fs);
  dsp::WelchOptions o;
  o.nperseg = 500;  // 0.5 Hz bins, 10 Hz = bin 20
  const auto p = dsp::welch(x, fs, o);
  EXPECT_EQ(p.segments, 19u);  // (5000 - 250) / 250
  EXPECT_DOUBLE_EQ(p.resolutionHz(), 0.5);
  EXPECT_NEAR(dsp::integratePower(p, 9, 11.01), amplitude * amplitude / 2, 1e-6);
  EXPECT_NEAR(dsp::integratePower(p, 0, 125.01), amplitude * amplitude / 2, 1e-6);
  EXPECT_LT(p.density[0], 1e-20);
  std::size_t peak = 0;
  for (std::size_t k = 0; k < p.density.size(); ++k) peak = p.density[k] > p.density[peak] ? k : peak;
  EXPECT_DOUBLE_EQ(p.frequenciesHz[peak], 10.0);
  // Alpha (8–13 Hz) holds all of it, relative power 1 over 0.5–45 Hz.
  const auto bands = dsp::bandPowers(p, dsp::defaultBands());
  EXPECT_NEAR(bands[2].power, 450.0, 1e-6);
  EXPECT_NEAR(bands[2].relative, 1.0, 1e-12);
  EXPECT_EQ(bands[2].bins, 10u);  // 8.0, 8.5, ..., 12.5
}

TEST(Welch, ThreadsShareOnePlanAndAgree) {
  std::vector<double> x(8192);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.01 * i * i) + 0.3 * std::cos(0.2 * i);
  const auto serial = dsp::welch(x, 200);
  std::vector<dsp::PowerSpectrum> results(4);
  std::vector<std::thread> threads;
  for (auto& r : results) threads.emplace_back([&r, &x]() { r = dsp::welch(x, 200); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r.density, serial.density);
}

TEST(Welch, RejectsBadParametersAndWindows) {
  const std::vector<double> x(100, 1.0);
  dsp::WelchOptions o;
  o.nperseg = 0;
  EXPECT_THROW(dsp::welch(x, 100, o), std::invalid_argument);
  o.nperseg = 50;
  o.noverlap = 50;
  EXPECT_THROW(dsp::welch(x, 100, o), std::invalid_argument);
  EXPECT_THROW(dsp::welch(x, 0), std::invalid_argument);
  EXPECT_THROW(dsp::welch(nullptr, 0, 100), std::invalid_argument);
  // Shorter than nperseg: one segment of the whole signal, as scipy.
  EXPECT_EQ(dsp::welch(x, 100).nperseg, 100u);
  const auto rec = Recording::open(test::dataDir() / "eegmat" / "Subject00_1.edf", syncOptions());
  EXPECT_THROW(signal::channelPsds(*rec, {5, 5}, {0}, {}), std::invalid_argument);
  EXPECT_THROW(signal::channelPsds(*rec, {0, 1e6}, {0}, {}), std::invalid_argument);
  EXPECT_THROW(signal::channelPsds(*rec, {0, 10}, {99}, {}), std::invalid_argument);
}

TEST(BandPower, ParsesAndValidatesBands) {
  const auto b = dsp::parseBands("slow:0.1-1,alpha:8-13");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].name, "slow");
  EXPECT_DOUBLE_EQ(b[0].lowHz, 0.1);
  EXPECT_DOUBLE_EQ(b[1].highHz, 13);
  EXPECT_THROW(dsp::parseBands("alpha:13-8"), std::invalid_argument);
  EXPECT_THROW(dsp::parseBands("alpha8-13"), std::invalid_argument);
  EXPECT_THROW(dsp::parseBands("alpha:8-x"), std::invalid_argument);
  EXPECT_THROW(dsp::parseBands(""), std::invalid_argument);
  const auto d = dsp::defaultBands();
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d[0].name, "delta");
  EXPECT_DOUBLE_EQ(d[0].lowHz, 0.5);
  EXPECT_DOUBLE_EQ(d[4].highHz, 45);
}
