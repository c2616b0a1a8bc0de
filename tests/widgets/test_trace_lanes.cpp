#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <cmath>

#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "widgets/traces/TraceRenderer.h"
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

// Trace colours of the renderer: EEG dark blue (20, 60, 160), ECG dark red (170, 30, 40).
bool isEegInk(QRgb c) { return qBlue(c) > 120 && qRed(c) < 90 && qGreen(c) < 120; }
bool isEcgInk(QRgb c) { return qRed(c) > 130 && qGreen(c) < 90 && qBlue(c) < 100; }

constexpr int kRate = 256;
constexpr double kEcgAmplitudeUv = 3200;  // 3.2 mV: 3.2 divisions at the ECG default of 1 mV per division
constexpr double kEegAmplitudeUv = 50;    // half a division at the EEG default of 100 uV per division

double sample(int c, std::int64_t i) {
  const double t = static_cast<double>(i) / kRate;
  return c == 0 ? kEcgAmplitudeUv * std::sin(2 * M_PI * 1.3 * t)
                : kEegAmplitudeUv * std::sin(2 * M_PI * 10 * t);
}

std::shared_ptr<Recording> ecgNextToEeg(const test::TempDir& tmp) {
  test::SyntheticSpec spec;
  spec.channels = 2;
  spec.sampleRateHz = kRate;
  spec.seconds = 10;
  spec.labels = {"ECG", "EEG Cz"};
  spec.value = sample;
  test::writeSyntheticEdf(tmp / "lanes.edf", spec);
  OpenOptions o;
  o.buildPyramid = false;
  return Recording::open(tmp / "lanes.edf", o);
}

int countInk(const QImage& img, int x0, int x1, int y0, int y1, bool (*ink)(QRgb)) {
  int n = 0;
  for (int x = x0; x < x1; ++x)
    for (int y = y0; y < y1; ++y) n += ink(img.pixel(x, y)) ? 1 : 0;
  return n;
}

}  // namespace

TEST(TraceLanes, TypesGiveEachLaneItsScaleAndClippingKeepsTracesInTheirLanes) {
  app();
  test::TempDir tmp("lanes");
  const auto rec = ecgNextToEeg(tmp);
  const auto table = channelDisplayTable(*rec);
  ASSERT_EQ(table.type(0), signal::SignalType::Ecg);
  ASSERT_EQ(table.type(1), signal::SignalType::Eeg);
  TraceGeometry g;
  g.size = QSize(1090, 424);  // plot 1000 x 400: lane 0 = rows 0..199, lane 1 = rows 200..399
  g.channels = 2;
  const TracePageData page = loadTracePage(*rec, 0, 10, g.plotWidth(), table);
  const int left = g.plotLeft(), right = left + g.plotWidth();

  const QImage clipped = renderTracePage(page, g);
  EXPECT_GT(countInk(clipped, left, right, 0, 200, isEcgInk), 1000);  // the ECG fills its own lane
  EXPECT_EQ(countInk(clipped, left, right, 200, 400, isEcgInk), 0) << "ECG painted over the EEG lane";
  EXPECT_EQ(countInk(clipped, left, right, 0, 200, isEegInk), 0) << "EEG painted over the ECG lane";
  EXPECT_EQ(countInk(clipped, 0, g.size.width(), 400, g.size.height(), isEcgInk), 0);  // nor on the axis

  g.style.clipToLane = false;
  const QImage unclipped = renderTracePage(page, g);
  EXPECT_GT(countInk(unclipped, left, right, 200, 400, isEcgInk), 100) << "the ECG should overflow unclipped";
  g.style.clipToLane = true;

  // The 10 Hz EEG sine, 50 uV at 100 uV per half lane of 100 px: y = 300 - 0.5 * 100 * sin. Column x holds
  // samples [floor(2.56 x), floor(2.56 (x + 1))); its ink must cover the rows of those samples' min..max and
  // stay within one pixel of the span joined with the previous column.
  const double samplesPerColumn = 10.0 * kRate / g.plotWidth();
  auto rowOf = [](double uv) { return static_cast<int>(std::lround(300 - uv / 100.0 * 100)); };
  auto span = [&](int x) {
    const auto a = static_cast<std::int64_t>(std::floor(x * samplesPerColumn));
    const auto b = std::max(a + 1, static_cast<std::int64_t>(std::floor((x + 1) * samplesPerColumn)));
    double lo = 1e9, hi = -1e9;
    for (std::int64_t i = a; i < b; ++i) {
      lo = std::min(lo, sample(1, i));
      hi = std::max(hi, sample(1, i));
    }
    return std::pair<int, int>(rowOf(hi), rowOf(lo));  // (top row, bottom row)
  };
  int topmost = 400, bottommost = 0;
  for (int x = 1; x < g.plotWidth(); ++x) {
    const auto [top, bottom] = span(x);
    const auto [prevTop, prevBottom] = span(x - 1);
    for (int y = top; y <= bottom; ++y) {
      const bool inked = isEegInk(clipped.pixel(left + x, y)) || isEegInk(clipped.pixel(left + x, y - 1)) ||
                         isEegInk(clipped.pixel(left + x, y + 1));
      ASSERT_TRUE(inked) << "column " << x << " row " << y;
    }
    for (int y = 200; y < 400; ++y) {
      if (!isEegInk(clipped.pixel(left + x, y))) continue;
      ASSERT_GE(y, std::min(top, prevBottom) - 1) << "column " << x;
      ASSERT_LE(y, std::max(bottom, prevTop) + 1) << "column " << x;
      topmost = std::min(topmost, y);
      bottommost = std::max(bottommost, y);
    }
  }
  EXPECT_NEAR(topmost, 250, 1);
  EXPECT_NEAR(bottommost, 350, 1);

  // A per-channel override: the EEG at 25 uV per division doubles against 50, reaching the lane's edges
  // (clipped).
  auto overridden = table;
  overridden.setPerDivision(1, 25);
  const QImage bigger = renderTracePage(loadTracePage(*rec, 0, 10, g.plotWidth(), overridden), g);
  EXPECT_GT(countInk(bigger, left, right, 200, 202, isEegInk), 0);
  EXPECT_EQ(countInk(bigger, left, right, 0, 200, isEegInk), 0);
  // The global gain halves every lane: the EEG sine then spans rows 275..325.
  g.style.gain = 0.5;
  const QImage half = renderTracePage(page, g);
  EXPECT_EQ(countInk(half, left, right, 200, 274, isEegInk), 0);
  EXPECT_GT(countInk(half, left, right, 274, 277, isEegInk), 0);
}

TEST(TraceLanes, TriggerStepsAreFittedToTheirLane) {
  app();
  test::TempDir tmp("lanes-trigger");
  test::SyntheticSpec spec;  // physical range +-3276.7: codes 0..5 would be invisible on it
  spec.channels = 2;
  spec.seconds = 10;
  spec.labels = {"EEG Cz", "Status"};
  spec.value = [](int c, std::int64_t i) { return c == 0 ? 0.0 : (i < 4 * 256 ? 0.0 : 5.0); };
  test::writeSyntheticEdf(tmp / "trigger.edf", spec);
  OpenOptions o;
  o.buildPyramid = false;
  const auto rec = Recording::open(tmp / "trigger.edf", o);
  const auto table = channelDisplayTable(*rec);
  ASSERT_EQ(table.type(1), signal::SignalType::Trigger);
  TraceGeometry g;
  g.size = QSize(1090, 424);
  g.channels = 2;
  const QImage img = renderTracePage(loadTracePage(*rec, 0, 10, g.plotWidth(), table), g);
  // Lane 1 spans rows 200..399, centre 300, half lane 100 px: code 0 at 300 + 80 = 380, code 5 at 220.
  auto inkRows = [&](int x) {
    std::vector<int> rows;
    for (int y = 200; y < 400; ++y) {
      const QRgb c = img.pixel(g.plotLeft() + x, y);
      if (qRed(c) < 130 && qRed(c) == qGreen(c) && qGreen(c) == qBlue(c)) rows.push_back(y);  // grey steps
    }
    return rows;
  };
  const auto before = inkRows(200), after = inkRows(700), edge = inkRows(400);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_NEAR(before.front(), 380, 1);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_NEAR(after.front(), 220, 1);
  ASSERT_FALSE(edge.empty());  // the step at 4 s (column 400) is a vertical edge
  EXPECT_LE(edge.front(), 221);
  EXPECT_GE(edge.back(), 379);
}

TEST(TraceLanes, ViewOverridesAreValidatedAndKeepTheViewUnchangedOnError) {
  app();
  test::TempDir tmp("lanes-view");
  const auto rec = ecgNextToEeg(tmp);
  TraceView view;
  view.setRecording(rec);
  ASSERT_EQ(view.displayTable().size(), 2u);
  EXPECT_EQ(view.displayTable().scale(0).unit.symbol, "mV");
  view.setChannelType(0, signal::SignalType::Eeg);
  EXPECT_EQ(view.displayTable().scale(0).unit.symbol, "µV");
  EXPECT_THROW(view.setChannelPerDivision(1, -3), std::invalid_argument);
  EXPECT_THROW(view.setChannelType(5, signal::SignalType::Eeg), std::out_of_range);
  EXPECT_DOUBLE_EQ(view.displayTable().scale(1).perDivision, 100.0);
  view.resetChannelDisplay(0);
  EXPECT_EQ(view.displayTable().type(0), signal::SignalType::Ecg);
  view.setGain(2);
  EXPECT_DOUBLE_EQ(view.gain(), 2.0);
  view.setGain(1e9);
  EXPECT_DOUBLE_EQ(view.gain(), 1000.0);

  // The lane menu: rows 0..149 of a 300 px high view (276 px of plot) are lane 0, the rest of the plot
  // lane 1.
  view.resize(600, 300);
  EXPECT_EQ(view.channelAt(10), 0);
  EXPECT_EQ(view.channelAt(200), 1);
  EXPECT_EQ(view.channelAt(290), -1);  // the time axis
  auto menu = view.channelMenu(1);
  ASSERT_TRUE(menu);
  QAction* larger = nullptr;
  QAction* ecg = nullptr;
  for (QAction* a : menu->actions()) {
    if (a->text().startsWith(QStringLiteral("Larger"))) larger = a;
    if (a->menu()) {
      for (QAction* t : a->menu()->actions()) {
        if (t->text() == QStringLiteral("ECG")) ecg = t;
      }
    }
  }
  ASSERT_TRUE(larger && ecg);
  EXPECT_EQ(larger->text(), QStringLiteral("Larger (50 µV/div)"));
  larger->trigger();
  EXPECT_DOUBLE_EQ(view.displayTable().scale(1).perDivision, 50.0);
  ecg->trigger();
  EXPECT_EQ(view.displayTable().type(1), signal::SignalType::Ecg);
  EXPECT_EQ(view.displayTable().scale(1).unit.symbol, "mV");
  EXPECT_FALSE(view.channelMenu(2));
}
