// Annotations drawn on the traces: the sample recording (EEGMAT, 21 channels) in the main window, annotations
// added to its document, the trace view grabbed as a user sees it. Inside a span every background pixel is
// white blended with the annotation's colour at the span's opacity (worked out here from the colour), outside
// it the pixels are the rendered page's; a channel-linked span tints only its channel's lane; the selected
// annotation is drawn stronger; a montage moves the linked span to the derivations of its channel.
#include <gtest/gtest.h>

#include <QApplication>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>
#include <cmath>
#include <filesystem>
#include <string>

#include "app/studio/MainWindow.h"
#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "common/QtApp.h"
#include "common/TestPaths.h"
#include "core/montage/Montage.h"
#include "widgets/annotations/AnnotationTableModel.h"
#include "widgets/annotations/AnnotationsDock.h"
#include "widgets/traces/TraceView.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

using test::qtApp;

// White under a colour of opacity alpha/255 (source-over).
QRgb overWhite(const QColor& c, int alpha) {
  const auto mix = [alpha](int v) { return static_cast<int>(std::lround(255 + (v - 255) * alpha / 255.0)); };
  return qRgb(mix(c.red()), mix(c.green()), mix(c.blue()));
}

bool near(QRgb a, QRgb b, int tolerance = 2) {
  return std::abs(qRed(a) - qRed(b)) <= tolerance && std::abs(qGreen(a) - qGreen(b)) <= tolerance &&
         std::abs(qBlue(a) - qBlue(b)) <= tolerance;
}

constexpr QRgb kWhite = 0xffffffff;

struct Column {
  int tinted = 0, white = 0, other = 0;  // background pixels of the page: as expected tint, still white, else
  std::string firstOther;                // row and colour of the first "else", for the failure message
};

// The background pixels (white in the rendered page) of column x between rows y0 and y1, as grabbed.
Column classify(const QImage& page, const QImage& grabbed, int x, int y0, int y1, QRgb tint) {
  Column c;
  for (int y = y0; y < y1; ++y) {
    if ((page.pixel(x, y) | 0xff000000) != kWhite) continue;  // trace or grid: not background
    const QRgb g = grabbed.pixel(x, y);
    if (near(g, tint)) {
      ++c.tinted;
    } else if (near(g, kWhite, 0)) {
      ++c.white;
    } else {
      if (c.other++ == 0) c.firstOther = "row " + std::to_string(y) + " #" + QColor(g).name().toStdString();
    }
  }
  return c;
}

}  // namespace

TEST(TraceAnnotations, SpansTintTheirTimeAndLanesAndTheSelectedOneStandsOut) {
  qtApp();
  test::TempDir tmp("trace-annotations");
  const fs::path file = tmp / "sample.edf";  // a copy: the sidecar is written next to it
  fs::copy_file(test::resourcesDir() / "sample" / "Subject00_2.edf", file);
  app::MainWindow window;
  window.resize(1500, 1100);
  window.show();
  QSignalSpy loaded(&window, &app::MainWindow::annotationsLoaded);
  window.openFile(QString::fromStdString(file.string()));
  ASSERT_TRUE(loaded.wait(15000)) << window.errorText().toStdString();
  AnnotationDocument* doc = window.annotations();
  ASSERT_NE(doc, nullptr);
  ASSERT_EQ(doc->size(), 0u);  // the sample has no EDF+ annotations
  auto* traces = window.traceView();
  ASSERT_EQ(traces->laneCount(), 21);
  ASSERT_EQ(traces->pageDurationSec(), 10);

  AnnotationEntry artifact;  // whole recording, 2-4 s
  artifact.onsetSec = 2;
  artifact.durationSec = 2;
  artifact.text = "Artifact";
  const auto artifactId = doc->add(artifact);
  AnnotationEntry overlapping = artifact;  // inside the first, same text: one fill, not twice as opaque
  overlapping.onsetSec = 3.2;
  overlapping.durationSec = 0.6;
  const auto overlappingId = doc->add(overlapping);
  AnnotationEntry spike;  // on Cz only, 6-8 s
  spike.onsetSec = 6;
  spike.durationSec = 2;
  spike.text = "Spike";
  spike.channel = "EEG Cz";
  const auto spikeId = doc->add(spike);
  AnnotationEntry marker;  // an instant at 9 s
  marker.onsetSec = 9;
  marker.text = "Marker";
  doc->add(marker);
  AnnotationEntry later;  // after the page: not drawn
  later.onsetSec = 30;
  later.durationSec = 5;
  later.text = "Artifact";
  doc->add(later);

  const auto rendered = [&] {
    return QTest::qWaitFor(
        [&] {
          return !traces->currentImage().isNull() &&
                 traces->deliveredRequestId() == traces->latestRequestId();
        },
        10000);
  };
  ASSERT_TRUE(rendered());
  QTest::qWait(50);
  const QImage page = traces->currentImage();
  const QImage grabbed = traces->grab().toImage().convertToFormat(QImage::Format_RGB32);
  ASSERT_EQ(grabbed.size(), page.size());
  grabbed.save(QString::fromStdString((tmp / "traces.png").string()));
  const auto g = traces->geometry();
  const auto xOf = [&](double t) {
    return g.plotLeft() + static_cast<int>(std::lround(t * g.plotWidth() / 10.0));
  };
  const int textRows = 3 * (QFontMetrics(traces->font()).height() + 4);  // room for the text at the top

  // Columns between the one-second grid lines. Inside the whole-recording span (3.5 s, also inside the second
  // 'Artifact', filled with the first as one): every background pixel below the texts has the single tint.
  const QColor artifactColour = widgets::TraceView::annotationColour(QStringLiteral("Artifact"));
  const QRgb artifactTint = overWhite(artifactColour, 45);
  ASSERT_FALSE(near(artifactTint, kWhite, 8));  // the tint is visible at all
  const Column inside = classify(page, grabbed, xOf(3.5), textRows, g.plotHeight(), artifactTint);
  EXPECT_GT(inside.tinted, g.plotHeight() / 2);
  EXPECT_EQ(inside.white, 0);
  EXPECT_EQ(inside.other, 0);
  // Outside every span (5.5 s): exactly the rendered page (below row 0, where the focus frame is drawn).
  for (int y = 1; y < g.plotHeight(); ++y)
    ASSERT_EQ(grabbed.pixel(xOf(5.5), y) | 0xff000000, page.pixel(xOf(5.5), y) | 0xff000000) << "row " << y;

  // The Cz span (7.5 s): tinted on Cz's lane, untouched on every other lane.
  const int cz = 17;
  ASSERT_EQ(traces->laneLabel(cz), QStringLiteral("EEG Cz"));
  ASSERT_EQ(traces->annotationLanes("EEG Cz"), std::vector<int>{cz});
  const QRgb spikeTint = overWhite(widgets::TraceView::annotationColour(QStringLiteral("Spike")), 45);
  const int laneTextRows = QFontMetrics(traces->font()).height() + 4;
  const Column onLane =
      classify(page, grabbed, xOf(7.5), g.laneTop(cz) + laneTextRows, g.laneBottom(cz) - 1, spikeTint);
  EXPECT_GT(onLane.tinted, 3);
  EXPECT_EQ(onLane.white, 0);
  EXPECT_EQ(onLane.other, 0);
  const Column above = classify(page, grabbed, xOf(7.5), 1, g.laneTop(cz) - 1, spikeTint);
  const Column below = classify(page, grabbed, xOf(7.5), g.laneBottom(cz) + 1, g.plotHeight(), spikeTint);
  EXPECT_EQ(above.tinted + below.tinted, 0);
  EXPECT_EQ(above.other + below.other, 0) << above.firstOther << below.firstOther;
  EXPECT_GT(above.white, g.plotHeight() / 2);

  // The instant at 9 s: a line in its colour (slightly darker) down the plot.
  const QRgb markerEdge = widgets::TraceView::annotationColour(QStringLiteral("Marker")).darker(115).rgb();
  int onLine = 0;
  for (int y = textRows; y < g.plotHeight(); ++y) {
    bool hit = false;
    for (int x = xOf(9) - 1; x <= xOf(9) + 1; ++x) hit = hit || near(grabbed.pixel(x, y), markerEdge, 3);
    onLine += hit;
  }
  EXPECT_GT(onLine, (g.plotHeight() - textRows) * 3 / 4);

  // Selecting the Cz annotation in the table emphasises it: its span is drawn twice as opaque.
  auto* pane = window.annotationsPane();
  const int row = pane->model()->rowOf(spikeId);
  ASSERT_GE(row, 0);
  pane->table()->selectionModel()->setCurrentIndex(
      pane->filteredModel()->mapFromSource(pane->model()->index(row, 0)),
      QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  EXPECT_EQ(traces->selectedAnnotation(), spikeId);
  const QImage selected = traces->grab().toImage().convertToFormat(QImage::Format_RGB32);
  selected.save(QString::fromStdString((tmp / "traces-selected.png").string()));
  const QRgb strongTint = overWhite(widgets::TraceView::annotationColour(QStringLiteral("Spike")), 90);
  const Column emphasised =
      classify(page, selected, xOf(7.5), g.laneTop(cz) + laneTextRows, g.laneBottom(cz) - 3, strongTint);
  EXPECT_GT(emphasised.tinted, 3);
  EXPECT_EQ(emphasised.white + emphasised.other, 0);
  EXPECT_NE(traces->selectedAnnotation(), artifactId);

  // Editing the document redraws: the artifacts removed, their column is the page again.
  doc->remove(artifactId);
  doc->remove(overlappingId);
  const QImage removed = traces->grab().toImage().convertToFormat(QImage::Format_RGB32);
  for (int y = 1; y < g.plotHeight(); ++y)
    ASSERT_EQ(removed.pixel(xOf(3.5), y) | 0xff000000, page.pixel(xOf(3.5), y) | 0xff000000) << "row " << y;

  // Double banana: Cz is an end of Fz-Cz and Cz-Pz, so the span covers those two lanes.
  traces->setMontage(std::make_shared<montage::Montage>(
      montage::buildMontage(montage::BuiltinMontage::LongitudinalBipolar, *window.recording())));
  QStringList labels;
  for (int lane : traces->annotationLanes("EEG Cz")) labels << traces->laneLabel(lane);
  EXPECT_EQ(labels, (QStringList{QStringLiteral("Fz-Cz"), QStringLiteral("Cz-Pz")}));
  // Common average: Cz weighs most in its own derivation only.
  traces->setMontage(std::make_shared<montage::Montage>(
      montage::buildMontage(montage::BuiltinMontage::CommonAverage, *window.recording())));
  labels.clear();
  for (int lane : traces->annotationLanes("Cz")) labels << traces->laneLabel(lane);
  ASSERT_EQ(labels.size(), 1);
  EXPECT_TRUE(labels.front().startsWith(QStringLiteral("Cz"))) << labels.front().toStdString();
}

TEST(TraceAnnotations, ColourOfALabelIsAFixedHuePerText) {
  // FNV-1a of the UTF-8 text, hue 15 * (hash % 24); the hashes computed with Python:
  // "W" 0xd20c0cd6 -> 330, "N2" 0x86e6f859 -> 255, "N3" 0x85e6f6c6 -> 90, "Artifact" 0xce74e943 -> 285.
  const auto hue = [](const char* text) {
    return widgets::TraceView::annotationColour(QString::fromUtf8(text)).hsvHue();
  };
  EXPECT_EQ(hue("W"), 330);
  EXPECT_EQ(hue("N2"), 255);
  EXPECT_EQ(hue("N3"), 90);
  EXPECT_EQ(hue("Artifact"), 285);
}

TEST(TraceAnnotations, EdfPlusDGapIsAGreyHatchedBandNotAnAnnotation) {
  qtApp();
  test::TempDir tmp("trace-gap");
  test::SyntheticSpec spec;
  spec.channels = 2;
  spec.seconds = 6;
  spec.edfPlus = true;
  const fs::path path = tmp / "d.edf";
  test::writeSyntheticEdf(path, spec);
  auto bytes = test::readAllBytes(path);
  test::patchField(bytes, 192, 44, "EDF+D");
  for (const char* from : {"+5\x14\x14", "+4\x14\x14", "+3\x14\x14"}) {  // records 3-5 start at 8-10 s
    const std::string s(bytes.begin(), bytes.end());
    const auto at = s.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    bytes[at + 1] = static_cast<std::uint8_t>(from[1] + 5);
  }
  test::writeAllBytes(path, bytes);
  app::MainWindow window;
  window.resize(1200, 800);
  window.show();
  QSignalSpy loaded(&window, &app::MainWindow::annotationsLoaded);
  window.openFile(QString::fromStdString(path.string()));
  ASSERT_TRUE(loaded.wait(15000)) << window.errorText().toStdString();
  auto* traces = window.traceView();
  ASSERT_TRUE(QTest::qWaitFor([&] { return traces->timeline().gaps().size() == 1; }, 5000));
  EXPECT_EQ(window.annotations()->size(), 0u);  // a gap is not an annotation
  ASSERT_TRUE(QTest::qWaitFor(
      [&] {
        return traces->deliveredRequestId() == traces->latestRequestId() && !traces->currentImage().isNull();
      },
      5000));
  QTest::qWait(50);
  const QImage page = traces->currentImage();
  const QImage grabbed = traces->grab().toImage().convertToFormat(QImage::Format_RGB32);
  const auto g = traces->geometry();
  ASSERT_DOUBLE_EQ(traces->pageDurationSec(), 10);
  const int x = g.plotLeft() + static_cast<int>(std::lround(3.0 * g.plotWidth() / 10.0));  // the seam at 3 s
  // Beside the seam (2 px off, inside the 8-px band) the white background turns grey in a hatch: some rows
  // grey, some still white, none tinted with colour.
  int grey = 0, white = 0, coloured = 0;
  for (int y = 20; y < g.plotHeight(); ++y) {
    if ((page.pixel(x + 2, y) | 0xff000000) != kWhite) continue;
    const QColor c(grabbed.pixel(x + 2, y));
    if (c.rgb() == QColor(Qt::white).rgb()) {
      ++white;
    } else if (std::abs(c.red() - c.blue()) <= 8 && c.red() < 245) {
      ++grey;
    } else {
      ++coloured;
    }
  }
  EXPECT_GT(grey, g.plotHeight() / 8);
  EXPECT_EQ(coloured, 0);
  // Its label at the top right of the band; below it, 10 px away, the page is untouched.
  int label = 0;
  for (int y = 1; y < 18; ++y)
    for (int dx = 6; dx < 60; ++dx)
      label += (grabbed.pixel(x + dx, y) | 0xff000000) != (page.pixel(x + dx, y) | 0xff000000);
  EXPECT_GT(label, 20);
  for (int y = 20; y < g.plotHeight(); ++y)
    ASSERT_EQ(grabbed.pixel(x + 10, y) | 0xff000000, page.pixel(x + 10, y) | 0xff000000) << "row " << y;
}
