// The overview strip: activity band values from the pyramid (hand-worked), x <-> time, click/keys move the
// page, the hypnogram's line on the rows of its stages, the page rectangle where the page is.
#include <gtest/gtest.h>

#include <QApplication>
#include <QSignalSpy>
#include <QTest>
#include <cmath>

#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "widgets/overview/OverviewView.h"
#include "widgets/overview/OverviewWorker.h"

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

// 4 channels, 600 s: channel c is a 10-Hz sine of amplitude 100*(c+1) µV, doubled after 300 s. Peak-to-peak
// per channel: 200, 400, 600, 800 µV (then twice that). Over channels: median (index round(0.5*3) = 2 of the
// sorted four) 600 µV, 90th percentile (index round(0.9*3) = 3) 800 µV.
std::shared_ptr<Recording> steppedRecording(const test::TempDir& tmp) {
  test::SyntheticSpec spec;
  spec.channels = 4;
  spec.seconds = 600;
  spec.value = [](int c, std::int64_t i) {
    const double gain = i < 300 * 256 ? 1.0 : 2.0;
    return gain * 100.0 * (c + 1) * std::sin(2 * M_PI * 10.0 * static_cast<double>(i) / 256.0);
  };
  test::writeSyntheticEdf(tmp / "stepped.edf", spec);
  auto rec = Recording::open(tmp / "stepped.edf");
  rec->waitForPyramid();
  return rec;
}

bool near(QRgb c, QColor want, int tol = 40) {
  return std::abs(qRed(c) - want.red()) <= tol && std::abs(qGreen(c) - want.green()) <= tol &&
         std::abs(qBlue(c) - want.blue()) <= tol;
}

}  // namespace

TEST(Overview, ColumnsAreTheMedianAndUpperPeakToPeakOverChannels) {
  test::TempDir tmp("overview-cols");
  const auto rec = steppedRecording(tmp);
  const auto cols = overviewColumns(*rec, 60);  // 10 s per column
  ASSERT_EQ(cols.size(), 60u);
  for (int x : {0, 10, 29}) {
    EXPECT_NEAR(cols[x].medianUv, 600, 6) << x;
    EXPECT_NEAR(cols[x].upperUv, 800, 8) << x;
  }
  for (int x : {30, 45, 59}) {
    EXPECT_NEAR(cols[x].medianUv, 1200, 12) << x;
    EXPECT_NEAR(cols[x].upperUv, 1600, 16) << x;
  }
  // Drawn: the second half's bars are twice as tall as the first half's (scaled to the 98th percentile).
  const QImage band = renderOverviewBand(cols, QSize(60, 41));
  const auto barHeight = [&](int x) {
    int h = 0;
    for (int y = 0; y < band.height(); ++y) h += qAlpha(band.pixel(x, y)) > 0 ? 1 : 0;
    return h;
  };
  EXPECT_EQ(barHeight(50), 40);  // the band leaves its top row free
  EXPECT_NEAR(barHeight(5), 20, 1);
}

TEST(Overview, ModelMapsTimeAndCentresThePage) {
  OverviewModel m;
  m.setDuration(3600);
  m.setPage(0, 60);
  EXPECT_DOUBLE_EQ(m.timeAtX(250, 1000), 900);
  EXPECT_DOUBLE_EQ(m.xOfTime(900, 1000), 250);
  EXPECT_DOUBLE_EQ(m.timeAtX(-5, 1000), 0);
  EXPECT_DOUBLE_EQ(m.pageStartCentredOn(900), 870);
  EXPECT_DOUBLE_EQ(m.pageStartCentredOn(10), 0);       // kept inside
  EXPECT_DOUBLE_EQ(m.pageStartCentredOn(3590), 3540);  // last page
  EXPECT_TRUE(m.setBand(2, QImage(4, 4, QImage::Format_ARGB32)));
  EXPECT_FALSE(m.setBand(1, QImage()));  // an older band is dropped
  EXPECT_FALSE(m.band().isNull());
}

TEST(Overview, ClickDragAndKeysRequestPages) {
  app();
  test::TempDir tmp("overview-click");
  const auto rec = steppedRecording(tmp);
  OverviewView view;
  view.resize(690, 72);  // band 90 .. 688: 598 px for 600 s
  view.show();
  view.setRecording(rec);
  view.setPage(0, 10);
  QSignalSpy rendered(&view, &OverviewView::bandRendered);
  ASSERT_TRUE(rendered.wait(5000));
  QSignalSpy requested(&view, &OverviewView::pageStartRequested);
  const QRect band = view.bandRect();
  const int x = band.left() + band.width() / 2;
  QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(x, band.center().y()));
  ASSERT_EQ(requested.size(), 1);
  const double centre = 600.0 * (x - band.left()) / band.width();
  EXPECT_NEAR(requested[0][0].toDouble(), centre - 5, 1e-9);
  view.setPage(200, 10);
  QTest::keyClick(&view, Qt::Key_Right);
  EXPECT_DOUBLE_EQ(requested.last()[0].toDouble(), 210);
  QTest::keyClick(&view, Qt::Key_End);
  EXPECT_DOUBLE_EQ(requested.last()[0].toDouble(), 590);
  QTest::keyClick(&view, Qt::Key_Home);
  EXPECT_DOUBLE_EQ(requested.last()[0].toDouble(), 0);
  // The page rectangle is drawn where the page is (200..210 s).
  view.setPage(300, 10);
  const QImage img = view.grab().toImage();
  const int px = band.left() + static_cast<int>(std::lround(band.width() * 302.0 / 600));
  const int qx = band.left() + static_cast<int>(std::lround(band.width() * 100.0 / 600));
  EXPECT_TRUE(near(img.pixel(px, 1), QColor(210, 140, 0), 60)) << std::hex << img.pixel(px, 1);
  EXPECT_FALSE(near(img.pixel(qx, 1), QColor(210, 140, 0), 60));
}

TEST(Overview, HypnogramOfSleepStagesRunsOnTheirRows) {
  app();
  test::TempDir tmp("overview-hyp");
  const auto rec = steppedRecording(tmp);
  OverviewView view;
  view.resize(690, 72);
  view.show();
  view.setRecording(rec);
  view.setPage(590, 10);  // the page rectangle far from the columns checked
  EXPECT_TRUE(view.hypnogramRect().isEmpty());
  std::vector<AnnotationEntry> entries;
  entries.push_back({0, 0, 200, "Sleep stage W", "", AnnotationSource::File});
  entries.push_back({0, 200, 200, "Sleep stage 4", "", AnnotationSource::File});
  entries.push_back({0, 400, 150, "N2", "", AnnotationSource::User});
  view.setAnnotations(entries);
  ASSERT_TRUE(view.model()->hasHypnogram());
  const QRect hyp = view.hypnogramRect();
  ASSERT_FALSE(hyp.isEmpty());
  const QImage img = view.grab().toImage();
  const double rowH = hyp.height() / 6.0;
  const auto lineRows = [&](double sec) {
    const int x = hyp.left() + static_cast<int>(std::lround(hyp.width() * sec / 600));
    std::vector<int> rows;
    for (int y = hyp.top(); y <= hyp.bottom(); ++y) {
      if (near(img.pixel(x, y), QColor(20, 60, 160), 60)) rows.push_back(y);
    }
    return rows;
  };
  const auto onRow = [&](double sec, int level) {
    const auto rows = lineRows(sec);
    const double want = hyp.top() + (level + 0.5) * rowH;
    bool hit = false;
    for (int y : rows) hit = hit || std::abs(y - want) <= 1.5;
    return hit && !rows.empty() && std::abs(rows.front() - want) <= 2 && std::abs(rows.back() - want) <= 2;
  };
  EXPECT_TRUE(onRow(100, 0));          // W
  EXPECT_TRUE(onRow(300, 5));          // R&K stage 4
  EXPECT_TRUE(onRow(470, 3));          // N2
  EXPECT_TRUE(lineRows(580).empty());  // after the last epoch (ends at 550 s)
  // Annotation ticks: orange at the top of the band at 200 s.
  const QRect band = view.bandRect();
  const int tx = band.left() + static_cast<int>(std::lround(band.width() * 200.0 / 600));
  EXPECT_TRUE(near(img.pixel(tx, band.top() + 2), QColor(220, 130, 20), 30));
}
