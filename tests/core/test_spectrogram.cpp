#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>

#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/dsp/Spectrogram.h"
#include "core/io/Npy.h"
#include "core/io/Recording.h"

using namespace neurolm;

namespace {

struct Reference {
  std::vector<double> freqs, times, power;  // power [C, F, T]
};

// scipy.signal.spectrogram of `x` [channels][n] (written to .npy, computed by
// tests/tools/spectrogram_reference.py).
Reference scipySpectrogram(const std::vector<std::vector<double>>& x, double fs, std::size_t nperseg,
                           std::size_t noverlap, const std::string& window, const std::string& detrend) {
  test::TempDir tmp("spectrogram");
  std::vector<double> flat;
  for (const auto& ch : x) flat.insert(flat.end(), ch.begin(), ch.end());
  writeNpy(tmp / "x.npy", makeNpy(flat, {x.size(), x.front().size()}));
  const std::string cmd =
      std::string(test::python()) + " " + (test::testsDir() / "tools" / "spectrogram_reference.py").string() +
      " " + (tmp / "x.npy").string() + " " + tmp.path().string() + " " + std::to_string(fs) + " " +
      std::to_string(nperseg) + " " + std::to_string(noverlap) + " " + window + " " + detrend;
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  Reference r;
  r.freqs = readNpy(tmp / "freqs.npy").toDouble();
  r.times = readNpy(tmp / "times.npy").toDouble();
  r.power = readNpy(tmp / "power.npy").toDouble();
  return r;
}

// Largest |ours - scipy| relative to the largest scipy value of that channel (float32 output: ~1e-7).
void expectMatches(const dsp::SpectrogramResult& ours, const Reference& ref) {
  ASSERT_EQ(ours.frequenciesHz.size(), ref.freqs.size());
  ASSERT_EQ(ours.timesSec.size(), ref.times.size());
  ASSERT_EQ(ours.power.size(), ref.power.size());
  for (std::size_t k = 0; k < ref.freqs.size(); ++k) EXPECT_NEAR(ours.frequenciesHz[k], ref.freqs[k], 1e-9);
  for (std::size_t s = 0; s < ref.times.size(); ++s) EXPECT_NEAR(ours.timesSec[s], ref.times[s], 1e-9);
  const std::size_t plane = ours.frequencyCount() * ours.timeCount();
  for (std::size_t c = 0; c < ours.channelCount; ++c) {
    double peak = 0, worst = 0;
    for (std::size_t i = c * plane; i < (c + 1) * plane; ++i) peak = std::max(peak, ref.power[i]);
    for (std::size_t i = c * plane; i < (c + 1) * plane; ++i)
      worst = std::max(worst, std::abs(static_cast<double>(ours.power[i]) - ref.power[i]));
    EXPECT_GT(peak, 0);
    EXPECT_LT(worst / peak, 1e-5) << "channel " << c << " peak " << peak;
  }
}

std::vector<const double*> pointers(const std::vector<std::vector<double>>& x) {
  std::vector<const double*> p;
  for (const auto& ch : x) p.push_back(ch.data());
  return p;
}

}  // namespace

TEST(Spectrogram, EqualsScipyOnSyntheticSignals) {
  // Two channels: a chirp with an offset and a slope (detrending matters), and white noise.
  const double fs = 200;
  const std::size_t n = 4321;
  std::vector<std::vector<double>> x(2, std::vector<double>(n));
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 3);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / fs;
    x[0][i] = 40 + 0.5 * t + 10 * std::sin(2 * M_PI * (2 * t + 1.5 * t * t));
    x[1][i] = noise(rng);
  }
  struct Case {
    std::size_t nperseg, noverlap;
    dsp::WelchWindow window;
    dsp::Detrend detrend;
    const char* detrendName;
  };
  for (const Case& c : {Case{256, 128, dsp::WelchWindow::Hann, dsp::Detrend::Constant, "constant"},
                        Case{255, 31, dsp::WelchWindow::Hamming, dsp::Detrend::Linear, "linear"},
                        Case{100, 0, dsp::WelchWindow::Boxcar, dsp::Detrend::None, "none"}}) {
    SCOPED_TRACE("nperseg " + std::to_string(c.nperseg));
    dsp::SpectrogramOptions o;
    o.nperseg = c.nperseg;
    o.noverlap = c.noverlap;
    o.window = c.window;
    o.detrend = c.detrend;
    o.threads = 3;
    const auto ours = dsp::spectrogram(pointers(x), n, fs, o);
    EXPECT_EQ(ours.channelCount, 2u);
    expectMatches(
        ours, scipySpectrogram(x, fs, c.nperseg, c.noverlap, dsp::welchWindowName(c.window), c.detrendName));
  }
}

TEST(Spectrogram, DefaultOverlapIsAnEighthAsScipy) {
  std::vector<double> x(1000, 1.0);
  dsp::SpectrogramOptions o;
  o.nperseg = 100;
  const auto s = dsp::spectrogram(x, 10, o);
  EXPECT_EQ(s.noverlap, 12u);
  EXPECT_EQ(s.timeCount(), (1000u - 12u) / 88u);
  EXPECT_DOUBLE_EQ(s.timesSec.front(), 5.0);  // nperseg / 2 / fs
  EXPECT_DOUBLE_EQ(s.timesSec[1], 5.0 + 8.8);
}

TEST(Spectrogram, EqualsScipyOnEegmatWithAnyThreadCount) {
  // 60 s of all 21 channels of a real EEGMAT recording (500 Hz), µV; 2-s Hann segments, 50 % overlap.
  OpenOptions open;
  open.buildPyramid = false;
  open.backgroundAnnotations = false;
  const auto rec = Recording::open(test::dataDir() / "eegmat" / "Subject00_1.edf", open);
  const double fs = rec->channels().front().sampleRateHz;
  ASSERT_EQ(fs, 500);
  const std::size_t n = 60 * 500;
  std::vector<std::vector<double>> x;
  for (std::size_t c = 0; c < rec->channels().size(); ++c) {
    if (rec->channels()[c].sampleRateHz != fs) continue;
    x.push_back(rec->readPhysical(c, 20 * 500, static_cast<std::int64_t>(n)));
  }
  ASSERT_GE(x.size(), 19u);
  dsp::SpectrogramOptions o;
  o.nperseg = 1000;
  o.noverlap = 500;
  o.threads = 1;
  const auto single = dsp::spectrogram(pointers(x), n, fs, o);
  expectMatches(single, scipySpectrogram(x, fs, 1000, 500, "hann", "constant"));
  o.threads = 4;
  const auto several = dsp::spectrogram(pointers(x), n, fs, o);
  EXPECT_EQ(several.power, single.power);  // same arithmetic per segment whatever thread runs it
}

TEST(Spectrogram, CancelReturnsNoPower) {
  std::vector<double> x(100000, 0.0);
  std::atomic<bool> cancel{true};
  dsp::SpectrogramOptions o;
  o.nperseg = 64;
  const auto s = dsp::spectrogram({x.data()}, x.size(), 100, o, &cancel);
  EXPECT_EQ(s.channelCount, 0u);
  EXPECT_TRUE(s.power.empty());
}

TEST(Spectrogram, BadParametersAreNamed) {
  std::vector<double> x(100, 0.0);
  dsp::SpectrogramOptions o;
  o.nperseg = 200;
  EXPECT_THROW(
      {
        try {
          dsp::spectrogram(x, 100, o);
        } catch (const std::invalid_argument& e) {
          EXPECT_NE(std::string(e.what()).find("fewer than nperseg"), std::string::npos) << e.what();
          throw;
        }
      },
      std::invalid_argument);
  o.nperseg = 50;
  o.noverlap = 50;
  EXPECT_THROW(dsp::spectrogram(x, 100, o), std::invalid_argument);
  o.noverlap.reset();
  EXPECT_THROW(dsp::spectrogram(x, 0, o), std::invalid_argument);
  EXPECT_THROW(dsp::spectrogram(std::vector<const double*>{}, 100, 100, o), std::invalid_argument);
}
