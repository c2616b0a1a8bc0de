#include <gtest/gtest.h>

#include <QApplication>
#include <QClipboard>
#include <QDockWidget>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTest>
#include <cmath>

#include "app/studio/MainWindow.h"
#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "widgets/spectrum/SpectrumView.h"
#include "widgets/traces/TraceView.h"

using namespace neurolm;

namespace {

QApplication& qtApp() {
  static int argc = 1;
  static char name[] = "app_tests";
  static char* argv[] = {name, nullptr};
  if (!qApp) new QApplication(argc, argv);
  return *qApp;
}

// Waits until the spectrum shows a valid result for a page starting at startSec.
bool waitForSpectrum(widgets::SpectrumView* view, double startSec) {
  for (int i = 0; i < 200; ++i) {
    const auto& r = view->model()->result();
    if (r.valid() && std::abs(r.startSec - startSec) < 1e-9) return true;
    QTest::qWait(25);
  }
  return false;
}

}  // namespace

TEST(SpectrumDock, PeakOfATenHertzSineIsTenHertzAndFollowsThePage) {
  qtApp();
  test::TempDir tmp("spectrum-dock");
  test::SyntheticSpec spec;  // 10 Hz sines at 256 Hz, 100 and 200 uV
  spec.channels = 2;
  spec.seconds = 40;
  spec.labels = {"EEG Fz", "EEG Cz"};
  test::writeSyntheticEdf(tmp / "sine10.edf", spec);

  app::MainWindow window;
  window.resize(1280, 800);
  window.show();
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  window.openFile(QString::fromStdString((tmp / "sine10.edf").string()));
  ASSERT_TRUE(opened.wait(10000)) << window.errorText().toStdString();
  auto* spectrum = window.spectrumView();
  ASSERT_TRUE(window.spectrumDock()->isVisible());
  ASSERT_TRUE(waitForSpectrum(spectrum, 0.0)) << spectrum->statusText().toStdString();
  const auto& r = spectrum->model()->result();
  EXPECT_EQ(r.channel, -1);
  EXPECT_EQ(r.averagedChannels, 2);
  EXPECT_DOUBLE_EQ(r.peakHz, 10.0);
  EXPECT_DOUBLE_EQ(r.resolutionHz, 0.5);  // 2 s segments
  // The plotted line peaks at 10 Hz too.
  const auto points = spectrum->psdSeries()->points();
  ASSERT_FALSE(points.isEmpty());
  QPointF top = points.front();
  for (const auto& p : points) top = p.y() > top.y() ? p : top;
  EXPECT_DOUBLE_EQ(top.x(), 10.0);
  EXPECT_NE(spectrum->statusText().indexOf(QStringLiteral("10.00 Hz")), -1)
      << spectrum->statusText().toStdString();
  // Mean power of sines of 100 and 200 uV: (100²/2 + 200²/2) / 2 = 12500 uV², all of it in alpha.
  ASSERT_EQ(r.bandPowers.size(), 5u);
  EXPECT_NEAR(r.bandPowers[2].power, 12500, 12500 * 1e-3);
  EXPECT_NEAR(r.bandPowers[2].relative, 1.0, 1e-6);
  // The table goes to the clipboard as tab-separated text.
  spectrum->copyTable();
  const QString copied = QGuiApplication::clipboard()->text();
  EXPECT_EQ(copied, spectrum->tableText());
  EXPECT_NE(copied.indexOf(QStringLiteral("alpha\t8–13\t")), -1) << copied.toStdString();

  // Scrolling the traces moves the spectrum's page.
  window.traceView()->setPageStart(20);
  ASSERT_TRUE(waitForSpectrum(spectrum, 20.0));
  EXPECT_DOUBLE_EQ(spectrum->model()->result().endSec, 30.0);
  EXPECT_DOUBLE_EQ(spectrum->model()->result().peakHz, 10.0);
  // One channel instead of the average.
  spectrum->model()->setChannel(1);
  for (int i = 0; i < 200 && spectrum->model()->result().channel != 1; ++i) QTest::qWait(25);
  EXPECT_EQ(spectrum->model()->result().channel, 1);
  EXPECT_NEAR(spectrum->model()->result().bandPowers[2].power, 20000, 20000 * 1e-3);  // 200²/2
}
