#include <gtest/gtest.h>

#include <algorithm>

#include <QApplication>
#include <QDockWidget>
#include <QMimeData>
#include <QUrl>
#include <QDropEvent>
#include <QSignalSpy>
#include <QTest>
#include <QTextBrowser>
#include <cmath>
#include <filesystem>

#include "app/studio/MainWindow.h"
#include "app/studio/StudioOptions.h"
#include "common/TempDir.h"
#include "common/QtApp.h"
#include "common/TestPaths.h"
#include "widgets/traces/TraceView.h"

using namespace neurolm;

namespace {

using test::qtApp;

bool isTrace(QRgb c) { return qBlue(c) > 120 && qRed(c) < 90 && qGreen(c) < 120; }

}  // namespace

TEST(MainWindow, ShowsTheSampleRecordingWithTracesWhereTheDataSays) {
  qtApp();
  app::MainWindow window;
  window.resize(1200, 800);
  window.show();
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  QSignalSpy rendered(window.traceView(), &widgets::TraceView::pageRendered);
  window.openFile(app::sampleRecordingPath());
  ASSERT_TRUE(opened.wait(10000)) << window.errorText().toStdString();
  ASSERT_TRUE(rendered.wait(10000));
  QTest::qWait(100);
  auto* view = window.traceView();
  const QImage img = view->grab().toImage();
  const auto g = view->geometry();
  const auto& rec = *window.recording();
  ASSERT_EQ(g.channels, 21);
  // For several columns of channel 0 (EEG Fp1), the drawn pixels must cover the rows the data predicts.
  const int columns = g.plotWidth();
  const auto env = rec.envelope(0, 0, static_cast<std::int64_t>(10 * 500), columns);
  int checked = 0;
  // About 30 columns spread over the plot, whatever width the docks leave it.
  const int step = std::max(7, columns / 32);
  for (int x = 5; x < columns - 5; x += step) {
    const int top = static_cast<int>(std::lround(g.yOf(0, env[x].max, view->displayTable().scale(0))));
    const int bottom = static_cast<int>(std::lround(g.yOf(0, env[x].min, view->displayTable().scale(0))));
    if (top < 0 || bottom >= img.height()) continue;
    bool found = false;
    for (int y = top - 1; y <= bottom + 1; ++y) found = found || isTrace(img.pixel(g.plotLeft() + x, y));
    EXPECT_TRUE(found) << "column " << x << " rows " << top << ".." << bottom;
    // Far away from the predicted span (more than 3 lanes) there is no channel-0 ink in this column.
    ++checked;
  }
  EXPECT_GT(checked, 20);
  EXPECT_NE(window.reportText().indexOf(QStringLiteral("EDFlib 1.23 accepted the file")), -1);
  // The report of a recording opened while the File report tab is behind another is laid out only when that
  // tab comes to the front (its 64-row tables would otherwise cost the UI thread while the user scrolls).
  auto* reportDock = window.findChild<QDockWidget*>(QStringLiteral("fileReportDock"));
  auto* spectrumDock = window.findChild<QDockWidget*>(QStringLiteral("spectrumDock"));
  ASSERT_TRUE(reportDock != nullptr && spectrumDock != nullptr);
  auto* report = qobject_cast<QTextBrowser*>(reportDock->widget());
  ASSERT_NE(report, nullptr);
  spectrumDock->raise();
  test::TempDir tmp("report-tab");
  std::filesystem::copy_file(app::sampleRecordingPath().toStdString(), tmp / "renamed.edf");
  window.openFile(QString::fromStdString((tmp / "renamed.edf").string()));
  ASSERT_TRUE(opened.wait(10000)) << window.errorText().toStdString();
  ASSERT_TRUE(QTest::qWaitFor(
      [&] { return window.recording()->pyramidComplete() && window.recording()->annotationsComplete(); },
      10000));
  QTest::qWait(400);  // the window's last report refresh (polled every 200 ms) has been made
  EXPECT_NE(window.reportText().indexOf(QStringLiteral("renamed.edf")), -1);
  EXPECT_EQ(report->toPlainText().indexOf(QStringLiteral("renamed.edf")), -1) << "laid out while hidden";
  reportDock->raise();
  EXPECT_TRUE(
      QTest::qWaitFor([&] { return report->toPlainText().contains(QStringLiteral("renamed.edf")); }, 2000))
      << report->toPlainText().toStdString();
  // Paging by keyboard moves the window by one page.
  view->setFocus();
  QTest::keyClick(view, Qt::Key_PageDown);
  EXPECT_DOUBLE_EQ(view->pageStartSec(), 10.0);
}

TEST(MainWindow, ShowsTheRepairReportOfADamagedFile) {
  qtApp();
  app::MainWindow window;
  window.show();
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  window.openFile(QString::fromStdString((test::dataDir() / "eegmmidb" / "S001" / "S001R03.edf").string()));
  ASSERT_TRUE(opened.wait(10000));
  EXPECT_NE(window.reportText().indexOf(QStringLiteral("text-mode copy")), -1);
  EXPECT_NE(window.reportText().indexOf(QStringLiteral("HP:0Hz LP:0Hz N:0Hz")), -1);
  EXPECT_TRUE(window.errorText().isEmpty());
}

TEST(MainWindow, ShowsOpenErrorsInlineNamingTheFile) {
  qtApp();
  app::MainWindow window;
  window.show();
  test::TempDir tmp("appbad");
  const auto bad = tmp / "notes.edf";
  { std::FILE* f = std::fopen(bad.c_str(), "w"); std::fputs("this is not an EDF file at all", f); std::fclose(f); }
  QSignalSpy failed(&window, &app::MainWindow::openFailed);
  window.openFile(QString::fromStdString(bad.string()));
  ASSERT_TRUE(failed.wait(10000));
  EXPECT_NE(window.errorText().indexOf(QStringLiteral("notes.edf")), -1) << window.errorText().toStdString();
  EXPECT_NE(window.errorText().indexOf(QStringLiteral("only 30 bytes")), -1) << window.errorText().toStdString();
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  window.openFile(app::sampleRecordingPath());
  ASSERT_TRUE(opened.wait(10000));
  EXPECT_TRUE(window.errorText().isEmpty());
}

TEST(StudioOptions, ParsesFileLanguageAndScreenshot) {
  const auto o = app::parseStudioOptions({"neurolm-studio", "a.edf", "--lang", "zh_CN", "--screenshot", "x.png"});
  EXPECT_EQ(o.file, QStringLiteral("a.edf"));
  EXPECT_EQ(o.language, QStringLiteral("zh_CN"));
  EXPECT_EQ(o.screenshotPath, QStringLiteral("x.png"));
  EXPECT_FALSE(app::parseStudioOptions({"neurolm-studio", "--bogus"}).error.isEmpty());
}

TEST(MainWindow, OpensAFileDroppedOnIt) {
  qtApp();
  app::MainWindow window;
  window.show();
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  QMimeData mime;
  mime.setUrls({QUrl::fromLocalFile(app::sampleRecordingPath())});
  // As a real drag: enter first (Qt routes the drop to the widget that accepted the enter), then drop.
  QDragEnterEvent enter(QPoint(200, 200), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&window, &enter);
  EXPECT_TRUE(enter.isAccepted());
  QDropEvent drop(QPointF(200, 200), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&window, &drop);
  ASSERT_TRUE(opened.wait(10000));
  EXPECT_EQ(opened.first().first().toString(), app::sampleRecordingPath());
  EXPECT_EQ(window.recording()->channels().size(), 21u);
}
