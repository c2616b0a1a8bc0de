#include <gtest/gtest.h>

#include <QApplication>
#include <QSignalSpy>
#include <QTest>

#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "widgets/traces/TraceView.h"

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

bool isTrace(QRgb c) { return qBlue(c) > 120 && qRed(c) < 90 && qGreen(c) < 120; }

// Rows of column x (within [y0, y1]) that hold trace colour.
std::vector<int> traceRows(const QImage& img, int x, int y0, int y1) {
  std::vector<int> rows;
  for (int y = std::max(0, y0); y <= std::min(img.height() - 1, y1); ++y) {
    if (isTrace(img.pixel(x, y))) rows.push_back(y);
  }
  return rows;
}

// Square wave: channel 0 is +200 uV for the first 5 s and -200 uV after; channel 1 is 0.
std::shared_ptr<Recording> squareRecording(const test::TempDir& tmp) {
  test::SyntheticSpec spec;
  spec.channels = 2;
  spec.seconds = 10;
  spec.value = [](int c, std::int64_t i) { return c == 0 ? (i < 5 * 256 ? 200.0 : -200.0) : 0.0; };
  test::writeSyntheticEdf(tmp / "square.edf", spec);
  OpenOptions o;
  o.buildPyramid = false;
  return Recording::open(tmp / "square.edf", o);
}

}  // namespace

TEST(TraceRenderer, DrawsTracesWhereTheDataSays) {
  app();
  test::TempDir tmp("render");
  const auto rec = squareRecording(tmp);
  TraceGeometry g;
  g.size = QSize(1090, 424);  // plot 1000 x 400: lanes of 200 px, 100 px per 100 uV
  g.channels = 2;
  const QImage img = renderTracePage(loadTracePage(*rec, 0, 10, g.plotWidth()), g);
  ASSERT_EQ(img.size(), g.size);
  // Channel 0 ('Ch1', uV: type Other, 100 uV per half lane) baseline y = 100; +200 uV -> y = -100 (clipped), so
  // use a global gain of 1/4: 400 uV per half lane.
  g.style.gain = 0.25;  // 200 uV = half of half a lane = 50 px
  const QImage img2 = renderTracePage(loadTracePage(*rec, 0, 10, g.plotWidth()), g);
  const int left = g.plotLeft();
  for (int x : {left + 100, left + 400}) {  // first half: y = 100 - 50 = 50
    const auto rows = traceRows(img2, x, 0, 199);
    ASSERT_FALSE(rows.empty()) << "no trace at x=" << x;
    EXPECT_NEAR(rows.front(), 50, 1);
    EXPECT_NEAR(rows.back(), 50, 1);
  }
  for (int x : {left + 600, left + 950}) {  // second half: y = 100 + 50 = 150
    const auto rows = traceRows(img2, x, 0, 199);
    ASSERT_FALSE(rows.empty());
    EXPECT_NEAR(rows.front(), 150, 1);
  }
  // The step at 5 s (column 500) is joined: trace pixels span from 50 to 150 there.
  const auto edge = traceRows(img2, left + 500, 0, 199);
  ASSERT_FALSE(edge.empty());
  EXPECT_LE(edge.front(), 51);
  EXPECT_GE(edge.back(), 149);
  // Channel 1 (zero) sits on its baseline y = 300.
  const auto flat = traceRows(img2, left + 300, 200, 399);
  ASSERT_EQ(flat.size(), 1u);
  EXPECT_NEAR(flat.front(), 300, 1);
  // Nothing is drawn in the label margin with trace colour.
  EXPECT_TRUE(traceRows(img2, left - 5, 0, 399).empty());
}

TEST(TraceView, RendersOnItsWorkerAndDropsStaleRequests) {
  app();
  test::TempDir tmp("view");
  const auto rec = squareRecording(tmp);
  TraceView view;
  view.resize(800, 300);
  view.setPageDuration(2);
  view.show();
  QSignalSpy rendered(&view, &TraceView::pageRendered);
  view.setRecording(rec);
  for (int i = 0; i < 8; ++i) view.setPageStart(i);  // a burst of requests: only the newest matters
  ASSERT_TRUE(rendered.wait(5000) || rendered.count() > 0);
  QTest::qWait(200);
  EXPECT_EQ(view.deliveredRequestId(), view.latestRequestId());
  EXPECT_DOUBLE_EQ(view.pageStartSec(), 7.0);
  EXPECT_LT(rendered.count(), 8) << "stale pages were rendered";
  // Keyboard paging.
  QTest::keyClick(&view, Qt::Key_Home);
  EXPECT_DOUBLE_EQ(view.pageStartSec(), 0.0);
  QTest::keyClick(&view, Qt::Key_PageDown);
  EXPECT_DOUBLE_EQ(view.pageStartSec(), 2.0);
  QTest::keyClick(&view, Qt::Key_End);
  EXPECT_DOUBLE_EQ(view.pageStartSec(), 8.0);
  QTest::keyClick(&view, Qt::Key_PageDown);
  EXPECT_DOUBLE_EQ(view.pageStartSec(), 8.0);  // clamped at the end
}
