#include <gtest/gtest.h>

#include <QApplication>
#include <QSignalSpy>
#include <QTest>
#include <cmath>
#include <functional>

#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "core/dsp/Welch.h"
#include "widgets/spectrum/SpectrumModel.h"
#include "widgets/spectrum/SpectrumView.h"

using namespace neurolm;
using namespace neurolm::widgets;

namespace {

QApplication& app() {
  static int argc = 1;
  static char name[] = "widgets_tests";
  static char* argv[] = {name, nullptr};
  static QApplication* a = new QApplication(argc, argv);
  return *a;
}

// Channel 0: 6 Hz sine, 80 uV; channel 1: 'ECG' 1.5 Hz, 1000 uV (not averaged); 256 Hz, 60 s.
std::shared_ptr<Recording> twoChannels(const test::TempDir& tmp) {
  test::SyntheticSpec spec;
  spec.channels = 2;
  spec.seconds = 60;
  spec.labels = {"EEG O1", "ECG"};
  spec.value = [](int c, std::int64_t i) {
    const double t = static_cast<double>(i) / 256.0;
    return c == 0 ? 80 * std::sin(2 * M_PI * 6 * t) : 1000 * std::sin(2 * M_PI * 1.5 * t);
  };
  test::writeSyntheticEdf(tmp / "two.edf", spec);
  OpenOptions o;
  o.buildPyramid = false;
  return Recording::open(tmp / "two.edf", o);
}

}  // namespace

TEST(SpectrumModel, AverageTakesOnlyEegAndEqualsTheCoreWelch) {
  test::TempDir tmp("spectrum");
  const auto rec = twoChannels(tmp);
  const SpectrumResult avg = computeSpectrum(*rec, 10, 20, -1, SpectrumSettings());
  ASSERT_TRUE(avg.valid()) << avg.error.toStdString();
  EXPECT_EQ(avg.averagedChannels, 1);  // the ECG is not EEG
  EXPECT_DOUBLE_EQ(avg.peakHz, 6.0);
  EXPECT_EQ(avg.densityUnit, QStringLiteral("µV²/Hz"));
  // Same numbers as core Welch on the samples with 512-sample segments, 256 overlap.
  const auto x = rec->readPhysical(0, 2560, 2560);
  dsp::WelchOptions o;
  o.nperseg = 512;
  const auto ref = dsp::welch(x, 256, o);
  ASSERT_EQ(avg.density.size(), ref.density.size());
  for (std::size_t k = 0; k < ref.density.size(); ++k) EXPECT_DOUBLE_EQ(avg.density[k], ref.density[k]);
  const SpectrumResult ecg = computeSpectrum(*rec, 10, 20, 1, SpectrumSettings());
  EXPECT_DOUBLE_EQ(ecg.peakHz, 1.5);
  EXPECT_EQ(ecg.label, QStringLiteral("ECG"));
  // A page shorter than a segment uses the page as one segment; a page past the end is an error, not a crash.
  const SpectrumResult shortPage = computeSpectrum(*rec, 0, 1, 0, SpectrumSettings());
  EXPECT_DOUBLE_EQ(shortPage.resolutionHz, 1.0);
  EXPECT_FALSE(computeSpectrum(*rec, 70, 80, 0, SpectrumSettings()).valid());
  EXPECT_FALSE(computeSpectrum(*rec, 70, 80, 0, SpectrumSettings()).error.isEmpty());
}

TEST(SpectrumModel, DropsStaleRequestsAndDeliversTheNewestPage) {
  app();
  test::TempDir tmp("spectrum-stale");
  const auto rec = twoChannels(tmp);
  SpectrumModel model;
  QSignalSpy changed(&model, &SpectrumModel::resultChanged);
  model.setRecording(rec);
  changed.clear();
  for (int i = 0; i < 40; ++i) model.setPage(i, 10);  // a burst: only the newest matters
  for (int i = 0; i < 200 && !(model.result().valid() && model.result().startSec == 39.0); ++i)
    QTest::qWait(25);
  ASSERT_TRUE(model.result().valid());
  EXPECT_DOUBLE_EQ(model.result().startSec, 39.0);
  EXPECT_EQ(model.result().requestId, model.latestRequestId());
  EXPECT_LT(changed.count(), 40) << "stale pages were delivered";
  // Inactive (pane hidden): nothing is computed until it is shown again.
  model.setActive(false);
  const quint64 before = model.latestRequestId();
  model.setPage(5, 10);
  EXPECT_EQ(model.latestRequestId(), before);
  model.setActive(true);
  for (int i = 0; i < 200 && model.result().startSec != 5.0; ++i) QTest::qWait(25);
  EXPECT_DOUBLE_EQ(model.result().startSec, 5.0);
}

TEST(SpectrumView, BandsAreEditableAndABadTextChangesNothing) {
  app();
  test::TempDir tmp("spectrum-bands");
  const auto rec = twoChannels(tmp);
  SpectrumView view;
  view.resize(400, 700);
  view.show();
  view.setRecording(rec);
  view.setPage(0, 10);
  auto waitFor = [&](const std::function<bool()>& done) {
    for (int i = 0; i < 200 && !done(); ++i) QTest::qWait(25);
    return done();
  };
  ASSERT_TRUE(waitFor([&] { return view.model()->result().valid(); }));
  EXPECT_EQ(view.model()->result().bandPowers.size(), 5u);
  // Two bands around the 6 Hz sine of channel 0 (the average): all power in "low", none in "high".
  ASSERT_TRUE(view.setBandsText(QStringLiteral("low:4-7,high:7-30")));
  ASSERT_TRUE(waitFor([&] { return view.model()->result().bandPowers.size() == 2; }));
  const auto& bands = view.model()->result().bandPowers;
  EXPECT_EQ(bands[0].band.name, "low");
  EXPECT_NEAR(bands[0].power, 80.0 * 80.0 / 2, 3200 * 1e-3);  // sine power A²/2
  EXPECT_NEAR(bands[1].relative, 0.0, 1e-6);
  EXPECT_TRUE(
      view.tableText().startsWith(QStringLiteral("Band\tRange (Hz)\tPower (µV²)\tRelative (%)\nlow\t4–7\t")))
      << view.tableText().toStdString();
  EXPECT_FALSE(view.setBandsText(QStringLiteral("low:7-4")));
  EXPECT_NE(view.statusText().indexOf(QStringLiteral("Bands not changed")), -1);
  EXPECT_EQ(view.model()->settings().bands.size(), 2u);
}
