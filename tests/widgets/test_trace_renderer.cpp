#include <gtest/gtest.h>

#include <QApplication>
#include <QPainter>
#include <QSignalSpy>
#include <QTest>
#include <cmath>

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
  // Channel 0 ('Ch1', uV: type Other, 100 uV per half lane) baseline y = 100; +200 uV -> y = -100 (clipped),
  // so use a global gain of 1/4: 400 uV per half lane.
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

// renderTracePage writes the traces into the image's pixels itself; paintTracePage draws them through
// QPainter (what PDF/SVG exports use). Both must give the same image: lanes of every signal type, values far
// off the lane, a negative scale, a channel that ends early, clipping on and off, tall lanes (scale labels)
// and thin.
TEST(TraceRenderer, ImagePageEqualsThePainterDrawing) {
  app();
  const std::vector<signal::ChannelSignalInfo> infos = {
      {"EEG Fp1", "uV", -3276.7, 3276.7}, {"ECG", "mV", -5, 5},        {"EMG chin", "uV", -500, 500},
      {"EOG L", "uV", -800, 800},         {"Resp", "uV", -1000, 1000}, {"Status", "", 0, 255},
      {"EEG Cz", "uV", -3276.7, 3276.7}};
  const signal::ChannelDisplayTable table(infos);
  for (const QSize size : {QSize(1600, 1000), QSize(333, 217)}) {
    for (const int lanes : {7, 40}) {
      for (const bool clip : {true, false}) {
        TracePageData page;
        page.startSec = 60;
        page.durationSec = 10;
        TraceGeometry g;
        g.size = size;
        g.channels = lanes;
        g.style.clipToLane = clip;
        g.style.gain = 1.7;
        for (int c = 0; c < lanes; ++c) {
          const auto k = static_cast<std::size_t>(c % 7);
          TraceChannelData ch;
          ch.label = QString::fromStdString(infos[k].label);
          ch.type = table.type(k);
          ch.scale = table.scale(k);
          if (c % 7 == 5) ch.scale.perDivision = -ch.scale.perDivision;        // a flipped lane
          const int columns = c % 5 == 4 ? g.plotWidth() / 3 : g.plotWidth();  // ends early
          for (int x = 0; x < columns; ++x) {
            const double v = 80 * std::sin(0.05 * x + c) + (x % 97 == 0 ? 1e9 : 0);  // spikes off the lane
            ch.columns.push_back({static_cast<float>(v - 5 - c % 3), static_cast<float>(v + 5)});
          }
          page.channels.push_back(std::move(ch));
        }
        const QImage direct = renderTracePage(page, g);
        QImage painted(g.size, QImage::Format_ARGB32_Premultiplied);
        {
          QPainter p(&painted);
          paintTracePage(p, page, g);
        }
        ASSERT_EQ(direct.size(), painted.size());
        int differing = 0;
        for (int y = 0; y < direct.height(); ++y)
          for (int x = 0; x < direct.width(); ++x) differing += direct.pixel(x, y) != painted.pixel(x, y);
        EXPECT_EQ(differing, 0) << size.width() << "x" << size.height() << ", " << lanes << " lanes, clip "
                                << clip;
      }
    }
  }
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
