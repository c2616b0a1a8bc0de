// The spectrogram pane's computation on a real EEGMAT recording equals scipy.signal.spectrogram (samples read
// by MNE), in dB, column by column, and as group means when the columns are capped; colour maps and
// percentile limits.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/io/Npy.h"
#include "widgets/spectrogram/SpectrogramWorker.h"

using namespace neurolm;
using namespace neurolm::widgets;

namespace {

struct Scipy {
  std::vector<double> freqs, times, power;  // power [C, F, T]
};

Scipy scipyOnEegmat(const test::TempDir& tmp, double a, double b, const std::string& channels) {
  const std::string cmd = std::string(test::python()) + " " +
                          (test::testsDir() / "tools" / "spectrogram_edf_reference.py").string() + " " +
                          (test::dataDir() / "eegmat" / "Subject00_1.edf").string() + " " +
                          tmp.path().string() + " " + std::to_string(a) + " " + std::to_string(b) + " '" +
                          channels + "' 1000 500";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return {readNpy(tmp / "freqs.npy").toDouble(), readNpy(tmp / "times.npy").toDouble(),
          readNpy(tmp / "power.npy").toDouble()};
}

}  // namespace

TEST(SpectrogramWorker, EqualsScipyInDecibelsOnEegmat) {
  test::TempDir tmp("spectrogram-worker");
  const Scipy ref = scipyOnEegmat(tmp, 30, 90, "EEG O1,EEG Fz");
  OpenOptions o;
  o.buildPyramid = false;
  const auto rec = Recording::open(test::dataDir() / "eegmat" / "Subject00_1.edf", o);
  SpectrogramSettings settings;
  settings.channels = {static_cast<std::size_t>(rec->channelIndex("EEG O1")),
                       static_cast<std::size_t>(rec->channelIndex("EEG Fz"))};
  settings.startSec = 30;
  settings.endSec = 90;
  const SpectrogramData d = computeSpectrogram(*rec, settings);
  ASSERT_TRUE(d.valid()) << d.error.toStdString();
  EXPECT_EQ(d.labels, (QStringList{QStringLiteral("EEG O1"), QStringLiteral("EEG Fz")}));
  EXPECT_EQ(d.unit, QStringLiteral("µV²/Hz"));
  ASSERT_EQ(d.frequenciesHz.size(), ref.freqs.size());
  ASSERT_EQ(d.timesSec.size(), ref.times.size());
  EXPECT_DOUBLE_EQ(d.columnSec, 1.0);
  const std::size_t F = ref.freqs.size(), T = ref.times.size();
  for (std::size_t t = 0; t < T; ++t) EXPECT_NEAR(d.timesSec[t], 30 + ref.times[t], 1e-9);
  double worst = 0;
  for (std::size_t c = 0; c < 2; ++c)
    for (std::size_t f = 1; f < F; ++f)
      for (std::size_t t = 0; t < T; ++t)
        worst = std::max(worst, std::abs(d.at(c, f, t) - 10 * std::log10(ref.power[(c * F + f) * T + t])));
  EXPECT_LT(worst, 1e-3) << "dB";

  // Capped at 10 columns: 59 segments in groups of 6 (the last 5 segments left out), each the group's mean.
  settings.maxColumns = 10;
  const SpectrogramData g = computeSpectrogram(*rec, settings);
  ASSERT_TRUE(g.valid()) << g.error.toStdString();
  ASSERT_EQ(g.timesSec.size(), 9u);
  EXPECT_DOUBLE_EQ(g.columnSec, 6.0);
  worst = 0;
  for (std::size_t col = 0; col < 9; ++col) {
    double centre = 0;
    for (std::size_t t = col * 6; t < col * 6 + 6; ++t) centre += 30 + ref.times[t];
    EXPECT_NEAR(g.timesSec[col], centre / 6, 1e-9);
    for (std::size_t c = 0; c < 2; ++c)
      for (std::size_t f = 1; f < F; ++f) {
        double mean = 0;
        for (std::size_t t = col * 6; t < col * 6 + 6; ++t) mean += ref.power[(c * F + f) * T + t] / 6;
        worst = std::max(worst, std::abs(g.at(c, f, col) - 10 * std::log10(mean)));
      }
  }
  EXPECT_LT(worst, 1e-3) << "dB";
}

TEST(SpectrogramWorker, ErrorsAreReportedNotThrown) {
  OpenOptions o;
  o.buildPyramid = false;
  const auto rec = Recording::open(test::dataDir() / "eegmat" / "Subject00_1.edf", o);
  SpectrogramSettings settings;
  settings.channels = {0};
  settings.startSec = 10;
  settings.endSec = 11;  // shorter than a 2-s segment
  const SpectrogramData d = computeSpectrogram(*rec, settings);
  EXPECT_FALSE(d.valid());
  EXPECT_NE(d.error.indexOf(QStringLiteral("shorter than one segment")), -1) << d.error.toStdString();
  settings.channels.clear();
  EXPECT_FALSE(computeSpectrogram(*rec, settings).error.isEmpty());
}

TEST(SpectrogramWorker, ColourMapsAndPercentileLimits) {
  // matplotlib's viridis at 0, 0.5, 1 and halfway between two anchors; grey is linear.
  EXPECT_EQ(colourAt(ColourMap::Viridis, 0), qRgb(0x44, 0x01, 0x54));
  EXPECT_EQ(colourAt(ColourMap::Viridis, 0.5), qRgb(0x21, 0x91, 0x8c));
  EXPECT_EQ(colourAt(ColourMap::Viridis, 1), qRgb(0xfd, 0xe7, 0x25));
  EXPECT_EQ(colourAt(ColourMap::Viridis, 2), colourAt(ColourMap::Viridis, 1));  // clamped
  EXPECT_EQ(colourAt(ColourMap::Grey, 0.5), qRgb(128, 128, 128));
  EXPECT_EQ(colourAt(ColourMap::Magma, 0), qRgb(0, 0, 4));
  // Brightness grows along every map (what "brightest row" means in the dock test).
  for (ColourMap m : {ColourMap::Viridis, ColourMap::Magma, ColourMap::Grey})
    for (int i = 1; i <= 100; ++i)
      EXPECT_GT(qGray(colourAt(m, i / 100.0)) + 1, qGray(colourAt(m, (i - 1) / 100.0)));

  SpectrogramData d;
  d.labels = {QStringLiteral("a")};
  d.frequenciesHz = {0, 1, 2};
  d.timesSec.resize(100);
  d.db.resize(300);
  for (std::size_t f = 0; f < 3; ++f)
    for (std::size_t t = 0; t < 100; ++t)
      d.db[f * 100 + t] = f == 2 ? 1000.f : static_cast<float>(f * 100 + t);
  // Rows up to 1 Hz: values 0..199; the 5th and 99.5th percentiles (nearest rank below).
  const auto [lo, hi] = percentileLimits(d, 1.0);
  EXPECT_DOUBLE_EQ(lo, 9);
  EXPECT_DOUBLE_EQ(hi, 198);
}
