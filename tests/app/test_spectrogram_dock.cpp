// The spectrogram dock in the main window, offscreen: a 10-Hz sine that switches to 20 Hz at 30 s is drawn
// with its brightest row at 10 Hz left of the switch and at 20 Hz right of it, in the pixels of the grabbed
// plot; a page view follows the page; a whole-recording request can be cancelled. Set NEUROLM_SCREENSHOT_DIR
// to keep the dock as a PNG.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QSignalSpy>
#include <QTest>
#include <cmath>

#include "app/studio/MainWindow.h"
#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "common/QtApp.h"
#include "common/TestPaths.h"
#include "core/montage/Montage.h"
#include "widgets/spectrogram/SpectrogramView.h"
#include "widgets/traces/TraceView.h"

using namespace neurolm;

namespace {

using test::qtApp;

bool waitForResult(widgets::SpectrogramView* view, double startSec, double endSec) {
  for (int i = 0; i < 400; ++i) {
    const auto& r = view->model()->result();
    if (!view->model()->busy() && r.valid() && std::abs(r.startSec - startSec) < 1e-9 &&
        std::abs(r.endSec - endSec) < 1e-9)
      return true;
    QTest::qWait(25);
  }
  return false;
}

int grey(QRgb c) { return qGray(c); }

}  // namespace

TEST(SpectrogramDock, BrightestRowIsTheSineFrequencyBeforeAndAfterTheSwitch) {
  qtApp();
  test::TempDir tmp("spectrogram-dock");
  test::SyntheticSpec spec;
  spec.channels = 2;
  spec.sampleRateHz = 256;
  spec.seconds = 60;
  spec.labels = {"EEG Fz", "EEG Cz"};
  // Channel 0: 10 Hz for t < 30 s, then 20 Hz; channel 1: 20 Hz then 10 Hz (50 uV).
  spec.value = [](int c, std::int64_t i) {
    const double t = static_cast<double>(i) / 256.0;
    const bool first = t < 30;
    const double f = (c == 0) == first ? 10.0 : 20.0;
    return 50.0 * std::sin(2 * M_PI * f * t);
  };
  test::writeSyntheticEdf(tmp / "switch.edf", spec);

  app::MainWindow window;
  window.resize(1280, 900);
  window.show();
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  window.openFile(QString::fromStdString((tmp / "switch.edf").string()));
  ASSERT_TRUE(opened.wait(10000)) << window.errorText().toStdString();
  ASSERT_FALSE(window.spectrogramDock()->isVisible());  // hidden until asked for
  window.spectrogramDock()->toggleViewAction()->trigger();
  ASSERT_TRUE(window.spectrogramDock()->isVisible());
  window.resizeDocks({window.spectrogramDock()}, {420}, Qt::Vertical);
  auto* view = window.spectrogramView();
  view->setChannels({0, 1});
  view->setColourMap(widgets::ColourMap::Grey);  // brightness grows with power
  view->setMaxFrequency(40);
  view->setRange(widgets::SpectrogramModel::Range::WholeRecording);
  ASSERT_TRUE(waitForResult(view, 0, 60)) << view->statusText().toStdString();
  const auto& r = view->model()->result();
  ASSERT_EQ(r.channelCount(), 2u);
  EXPECT_EQ(r.labels[0], QStringLiteral("EEG Fz"));
  EXPECT_DOUBLE_EQ(r.frequenciesHz[1], 0.5);  // 2-s segments
  EXPECT_EQ(r.timesSec.size(), 59u);          // (60·256 - 256) / 256 segments, 1-s hop
  QTest::qWait(50);
  const QImage image = view->plot()->grab().toImage();
  auto* plot = view->plot();
  for (int c = 0; c < 2; ++c) {
    const QRectF strip = plot->stripRect(c);
    const double rowPx = std::abs(plot->yForFrequency(c, 0.5) - plot->yForFrequency(c, 0));
    int checkedBefore = 0, checkedAfter = 0;
    // From 100 px in: the channel label is written over the top-left corner of the strip.
    for (int x = static_cast<int>(strip.left()) + 100; x < static_cast<int>(strip.right()) - 1; x += 3) {
      // Time at this pixel column; skip the columns whose segments straddle the switch.
      const double t = (x - plot->xForTime(0)) / (plot->xForTime(1) - plot->xForTime(0));
      if (t < 1.5 || t > 58.5 || std::abs(t - 30) < 1.6) continue;
      int bestY = -1, best = -1;
      for (int y = static_cast<int>(strip.top()) + 1; y < static_cast<int>(strip.bottom()); ++y) {
        const int g = grey(image.pixel(x, y));
        if (g > best) best = g, bestY = y;
      }
      const bool first = t < 30;
      const double expectedHz = (c == 0) == first ? 10.0 : 20.0;
      const double expectedY = plot->yForFrequency(c, expectedHz);
      EXPECT_NEAR(bestY, expectedY, rowPx / 2 + 1.5)
          << "channel " << c << " x " << x << " t " << t << " s: brightest at y " << bestY << ", "
          << expectedHz << " Hz is at y " << expectedY;
      (first ? checkedBefore : checkedAfter)++;
    }
    EXPECT_GT(checkedBefore, 20);
    EXPECT_GT(checkedAfter, 20);
  }
  if (const QByteArray dir = qgetenv("NEUROLM_SCREENSHOT_DIR"); !dir.isEmpty()) {
    view->setColourMap(widgets::ColourMap::Viridis);
    QTest::qWait(50);
    window.grab().save(QDir(QString::fromLocal8Bit(dir)).filePath(QStringLiteral("spectrogram_window.png")));
    view->grab().save(QDir(QString::fromLocal8Bit(dir)).filePath(QStringLiteral("spectrogram_dock.png")));
  }

  // Page view: follows the trace view's page, time axis aligned to the recording.
  view->setRange(widgets::SpectrogramModel::Range::Page);
  window.traceView()->setPageDuration(20);
  window.traceView()->setPageStart(35);
  ASSERT_TRUE(waitForResult(view, 35, 55)) << view->statusText().toStdString();
  EXPECT_NEAR(view->model()->result().timesSec.front(), 36.0, 1e-9);  // first segment's centre
  EXPECT_NEAR(plot->xForTime(35), plot->stripRect(0).left(), 1e-6);
  // Manual colour limits are used as given.
  view->setManualLimits(-10, 30);
  EXPECT_EQ(view->colourLimits(), std::make_pair(-10.0, 30.0));

  // A real recording (EEGMAT, 500 Hz): the whole recording of O1 and Fz, auto limits at most 80 dB apart.
  view->setAutoLimits(true);
  view->setColourMap(widgets::ColourMap::Viridis);
  QSignalSpy openedReal(&window, &app::MainWindow::recordingOpened);
  window.openFile(QString::fromStdString((test::dataDir() / "eegmat" / "Subject00_1.edf").string()));
  ASSERT_TRUE(openedReal.wait(10000)) << window.errorText().toStdString();
  const auto& rec = window.recording();
  view->setChannels({static_cast<std::size_t>(rec->channelIndex("EEG O1")),
                     static_cast<std::size_t>(rec->channelIndex("EEG Fz"))});
  view->setRange(widgets::SpectrogramModel::Range::WholeRecording);
  ASSERT_TRUE(waitForResult(view, 0, rec->durationSec())) << view->statusText().toStdString();
  const auto [lo, hi] = view->colourLimits();
  EXPECT_GT(hi, lo);
  EXPECT_LE(hi - lo, 80.0);
  // The dock follows the trace view's montage: its picker lists the derivations, the strips show them.
  window.traceView()->setMontage(std::make_shared<montage::Montage>(
      montage::buildMontage(montage::BuiltinMontage::LongitudinalBipolar, *rec)));
  bool followed = false;
  for (int i = 0; i < 400 && !followed; ++i) {
    const auto& r = view->model()->result();
    followed = !view->model()->busy() && r.valid() && r.labels == QStringList{QStringLiteral("Fp1-F7")};
    if (!followed) QTest::qWait(25);
  }
  EXPECT_TRUE(followed) << view->statusText().toStdString();
  ASSERT_NE(view->model()->montage(), nullptr);
  EXPECT_EQ(view->model()->montage()->name, window.traceView()->montage()->name);
  if (const QByteArray dir = qgetenv("NEUROLM_SCREENSHOT_DIR"); !dir.isEmpty()) {
    view->setChannels({0, 1});
    QTest::qWait(500);
    window.traceView()->setPageStart(60);
    QTest::qWait(300);
    window.grab().save(
        QDir(QString::fromLocal8Bit(dir)).filePath(QStringLiteral("spectrogram_eegmat_window.png")));
  }
}

TEST(SpectrogramDock, WholeRecordingCanBeCancelled) {
  qtApp();
  test::TempDir tmp("spectrogram-cancel");
  test::SyntheticSpec spec;
  spec.channels = 4;
  spec.seconds = 3 * 3600;
  test::writeSyntheticEdf(tmp / "long.edf", spec);
  widgets::SpectrogramView view;
  view.resize(600, 400);
  view.show();
  OpenOptions o;
  o.buildPyramid = false;
  view.setRecording(Recording::open(tmp / "long.edf", o));
  view.setChannels({0, 1, 2, 3});
  QSignalSpy busy(view.model(), &widgets::SpectrogramModel::busyChanged);
  view.setRange(widgets::SpectrogramModel::Range::WholeRecording);
  view.setPage(0, 10);
  ASSERT_TRUE(view.model()->busy());
  QTest::keyClick(&view, Qt::Key_Escape);  // Esc cancels, as the Cancel button
  EXPECT_FALSE(view.model()->busy());
  EXPECT_EQ(view.model()->result().error, QStringLiteral("Cancelled"));
  QSignalSpy changed(view.model(), &widgets::SpectrogramModel::resultChanged);
  QTest::qWait(1500);
  EXPECT_EQ(changed.count(), 0);  // the cancelled job delivers nothing
  EXPECT_NE(view.statusText().indexOf(QStringLiteral("Cancelled")), -1) << view.statusText().toStdString();
}
