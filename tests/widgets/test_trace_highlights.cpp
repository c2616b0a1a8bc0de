// Highlight layers of the trace view: the occurrences of a selected code and the evidence of a chat answer
// are set independently and drawn together, each in its colour with an opacity scaled by the span's weight.
#include <gtest/gtest.h>

#include <QApplication>
#include <QSignalSpy>
#include <QTest>
#include <cmath>

#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "widgets/traces/TraceView.h"

using namespace neurolm;
using namespace neurolm::widgets;
using Layer = TraceView::HighlightLayer;

namespace {

QApplication& app() {
  static int argc = 1;
  static char name[] = "widgets_tests";
  static char* argv[] = {name, nullptr};
  static QApplication* a = new QApplication(argc, argv);
  return *a;
}

// Four flat channels (0 uV): each trace is a straight line through its lane's middle.
std::shared_ptr<Recording> flatRecording(const test::TempDir& tmp, const char* name) {
  test::SyntheticSpec spec;
  spec.channels = 4;
  spec.sampleRateHz = 128;
  spec.seconds = 10;
  spec.value = [](int, std::int64_t) { return 0.0; };
  test::writeSyntheticEdf(tmp / name, spec);
  OpenOptions o;
  o.buildPyramid = false;
  return Recording::open(tmp / name, o);
}

// Source-over compositing of (r, g, b) at alpha/255 onto an opaque pixel, by hand.
QRgb over(QRgb below, int r, int g, int b, int alpha) {
  const double a = alpha / 255.0;
  const auto mix = [a](int top, int bottom) {
    return static_cast<int>(std::lround(top * a + bottom * (1 - a)));
  };
  return qRgb(mix(r, qRed(below)), mix(g, qGreen(below)), mix(b, qBlue(below)));
}

::testing::AssertionResult near(QRgb got, QRgb want, int tolerance = 2) {
  if (std::abs(qRed(got) - qRed(want)) <= tolerance && std::abs(qGreen(got) - qGreen(want)) <= tolerance &&
      std::abs(qBlue(got) - qBlue(want)) <= tolerance)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "got (" << qRed(got) << ", " << qGreen(got) << ", " << qBlue(got) << "), want (" << qRed(want)
         << ", " << qGreen(want) << ", " << qBlue(want) << ")";
}

bool sameSpans(const std::vector<TraceView::Highlight>& a, const std::vector<TraceView::Highlight>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].lane != b[i].lane || a[i].startSec != b[i].startSec || a[i].endSec != b[i].endSec ||
        a[i].weight != b[i].weight)
      return false;
  return true;
}

}  // namespace

TEST(TraceHighlights, LayersAreSetIndependentlyAndDrawnTogetherWithOpacityByWeight) {
  app();
  test::TempDir tmp("trace-highlights");
  TraceView view;
  view.resize(1090, 424);
  view.show();
  QSignalSpy rendered(&view, &TraceView::pageRendered);
  view.setRecording(flatRecording(tmp, "a.edf"));
  ASSERT_TRUE(rendered.wait(10000));
  ASSERT_TRUE(QTest::qWaitFor([&] { return view.deliveredRequestId() == view.latestRequestId(); }, 10000));
  ASSERT_EQ(view.laneCount(), 4);
  ASSERT_DOUBLE_EQ(view.pageStartSec(), 0);
  ASSERT_DOUBLE_EQ(view.pageDurationSec(), 10);
  const QImage base = view.grab().toImage();

  const std::vector<TraceView::Highlight> code = {{0, 1, 3, 1}, {2, 5, 6, 1}};
  const std::vector<TraceView::Highlight> evidence = {{0, 2, 4, 1.0}, {1, 6, 8, 0.25}, {3, 0, 1, 0.0}};
  view.setHighlights(Layer::CodeOccurrences, code);
  view.setHighlights(Layer::Evidence, evidence);
  EXPECT_TRUE(sameSpans(view.highlights(Layer::CodeOccurrences), code));
  EXPECT_TRUE(sameSpans(view.highlights(Layer::Evidence), evidence));  // weights carried

  // Pixels inside the spans, a quarter lane below the lane's top (clear of the trace and the outlines):
  // the base image with the layers' fills composited over it. Fill alphas by hand from the documented rule,
  // alpha(w) = alpha(1) * (80 + 175 w) / 255: code 55 at w = 1; evidence 70 at w = 1,
  // 70 * 123.75 / 255 = 34 at w = 0.25, 70 * 80 / 255 = 22 at w = 0.
  const TraceGeometry g = view.geometry();
  const auto x = [&](double sec) {
    return g.plotLeft() + static_cast<int>(std::lround(sec / 10 * g.plotWidth()));
  };
  const auto y = [&](int lane) { return g.laneTop(lane) + (g.laneBottom(lane) - g.laneTop(lane)) / 4; };
  {
    const QImage shown = view.grab().toImage();
    const auto at = [&](const QImage& img, double sec, int lane) { return img.pixel(x(sec), y(lane)); };
    EXPECT_TRUE(near(at(shown, 1.5, 0), over(at(base, 1.5, 0), 255, 150, 0, 55)));  // code only
    EXPECT_TRUE(near(at(shown, 2.5, 0),  // code, then evidence (w = 1) on top
                     over(over(at(base, 2.5, 0), 255, 150, 0, 55), 200, 0, 160, 70)));
    EXPECT_TRUE(near(at(shown, 3.5, 0), over(at(base, 3.5, 0), 200, 0, 160, 70)));  // evidence, w = 1
    EXPECT_TRUE(near(at(shown, 7.0, 1), over(at(base, 7.0, 1), 200, 0, 160, 34)));  // evidence, w = 0.25
    EXPECT_TRUE(near(at(shown, 0.5, 3), over(at(base, 0.5, 3), 200, 0, 160, 22)));  // evidence, w = 0
    EXPECT_TRUE(near(at(shown, 5.5, 2), over(at(base, 5.5, 2), 255, 150, 0, 55)));  // code only
    EXPECT_EQ(at(shown, 9.0, 1), at(base, 9.0, 1));                                 // no span
    // Outlines over the fill: evidence 2 px magenta at alpha 80 + 175 w (255 at w = 1, 124 at w = 0.25) on
    // the span's first two columns and rows; code 1 px (220, 110, 0) at alpha 200, as before the layers.
    EXPECT_TRUE(near(shown.pixel(x(3.5), g.laneTop(0) + 1), qRgb(200, 0, 160)));
    for (const int column : {x(6.0), x(6.0) + 1})
      EXPECT_TRUE(near(shown.pixel(column, y(1)),
                       over(over(base.pixel(column, y(1)), 200, 0, 160, 34), 200, 0, 160, 124)));
    EXPECT_TRUE(near(shown.pixel(x(1.0), y(0)),
                     over(over(base.pixel(x(1.0), y(0)), 255, 150, 0, 55), 220, 110, 0, 200)));
    shown.save(QString::fromStdString((tmp / "highlights.png").string()));
    shown.save(QStringLiteral("/tmp/trace_highlights.png"));
  }
  EXPECT_EQ(TraceView::highlightFill(Layer::Evidence, 0.25).alpha(), 34);
  EXPECT_EQ(TraceView::highlightOutline(Layer::Evidence, 0.25).alpha(), 124);
  EXPECT_EQ(TraceView::highlightOutline(Layer::Evidence, 7.0).alpha(), 255);  // clamped to [0, 1]
  EXPECT_EQ(TraceView::highlightOutline(Layer::Evidence, std::nan("")).alpha(), 80);

  // Each layer replaces only its own spans.
  const std::vector<TraceView::Highlight> otherCode = {{1, 0, 1, 1}};
  view.setHighlights(Layer::CodeOccurrences, otherCode);
  EXPECT_TRUE(sameSpans(view.highlights(Layer::CodeOccurrences), otherCode));
  EXPECT_TRUE(sameSpans(view.highlights(Layer::Evidence), evidence));
  view.setHighlights(Layer::Evidence, {});
  EXPECT_TRUE(view.highlights(Layer::Evidence).empty());
  EXPECT_TRUE(sameSpans(view.highlights(Layer::CodeOccurrences), otherCode));
  {
    const QImage shown = view.grab().toImage();
    EXPECT_EQ(shown.pixel(x(3.5), y(0)), base.pixel(x(3.5), y(0)));  // the evidence is gone from the image
    EXPECT_TRUE(near(shown.pixel(x(0.5), y(1)), over(base.pixel(x(0.5), y(1)), 255, 150, 0, 55)));
  }

  // A new recording clears both layers.
  view.setHighlights(Layer::Evidence, evidence);
  view.setRecording(flatRecording(tmp, "b.edf"));
  EXPECT_TRUE(view.highlights(Layer::CodeOccurrences).empty());
  EXPECT_TRUE(view.highlights(Layer::Evidence).empty());
}
