// Navigation of the main window (go-to box, page lengths by keyboard, EDF+D gaps on the axis and in clock
// time) and the exports of the View and File menus (PNG/PDF/SVG of the view, a selection to .npy).
#include <gtest/gtest.h>

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStatusBar>
#include <QSvgRenderer>
#include <QTest>
#include <QXmlStreamReader>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "app/studio/ExportSelectionDialog.h"
#include "app/studio/MainWindow.h"
#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "common/QtApp.h"
#include "common/TestPaths.h"
#include "core/io/Npy.h"
#include "core/montage/Montage.h"
#include "core/navigation/TimeInput.h"
#include "widgets/overview/OverviewView.h"
#include "widgets/traces/TraceView.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

using test::qtApp;

void openAndRender(app::MainWindow& window, const fs::path& file) {
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  QSignalSpy rendered(window.traceView(), &widgets::TraceView::pageRendered);
  window.openFile(QString::fromStdString(file.string()));
  ASSERT_TRUE(opened.wait(10000)) << window.errorText().toStdString();
  ASSERT_TRUE(rendered.wait(10000));
}

const fs::path kEegmat = test::dataDir() / "eegmat" / "Subject00_1.edf";

// White under a colour of opacity alpha/255 (source-over), as an annotation's span tints the background.
QRgb overWhite(const QColor& c, int alpha) {
  const auto mix = [alpha](int v) { return static_cast<int>(std::lround(255 + (v - 255) * alpha / 255.0)); };
  return qRgb(mix(c.red()), mix(c.green()), mix(c.blue()));
}

bool near(QRgb a, QRgb b, int tolerance) {
  return std::abs(qRed(a) - qRed(b)) <= tolerance && std::abs(qGreen(a) - qGreen(b)) <= tolerance &&
         std::abs(qBlue(a) - qBlue(b)) <= tolerance;
}

// Where a lane's EEG trace (20, 60, 160) is in column x: the mean row weighted by how much bluer than red a
// pixel is beyond what grid, tints and annotation edges reach (an antialiased half-covered pixel still
// counts). NaN where the column has no trace.
double traceRow(const QImage& img, const widgets::TraceGeometry& g, int lane, int x) {
  double sum = 0, weight = 0;
  for (int y = g.laneTop(lane); y < g.laneBottom(lane); ++y) {
    const QRgb c = img.pixel(x, y);
    const double w = std::max(0, qBlue(c) - qRed(c) - 20);
    sum += w * y;
    weight += w;
  }
  return weight > 0 ? sum / weight : std::nan("");
}

}  // namespace

TEST(Navigation, GoToBoxReadsSecondsHmsAndClockTimeAndRefusesNonsense) {
  qtApp();
  app::MainWindow window;
  window.resize(1200, 800);
  window.show();
  openAndRender(window, kEegmat);  // starts at 00:00:00, 182 s long
  auto* traces = window.traceView();
  auto* box = window.goToEdit();
  const auto type = [&](const QString& text) {
    box->setFocus();
    box->clear();
    QTest::keyClicks(box, text);
    QTest::keyClick(box, Qt::Key_Return);
  };
  type(QStringLiteral("1:30"));
  EXPECT_DOUBLE_EQ(traces->pageStartSec(), 90);
  EXPECT_TRUE(traces->hasFocus());  // Enter hands the keyboard back to the traces
  type(QStringLiteral("@00:02:05.5"));
  EXPECT_DOUBLE_EQ(traces->pageStartSec(), 125.5);
  type(QStringLiteral("bogus"));
  EXPECT_DOUBLE_EQ(traces->pageStartSec(), 125.5);
  EXPECT_TRUE(window.statusBar()->currentMessage().contains(QStringLiteral("'bogus'")))
      << window.statusBar()->currentMessage().toStdString();
  EXPECT_FALSE(window.goToTime(QStringLiteral("10:00")));  // 600 s > 182 s
  EXPECT_DOUBLE_EQ(traces->pageStartSec(), 125.5);
  // Ctrl+G reaches the box from anywhere.
  traces->setFocus();
  QTest::keyClick(&window, Qt::Key_G, Qt::ControlModifier);
  EXPECT_TRUE(box->hasFocus());
  // Page length by keyboard: ']' longer, '[' shorter, through the combo's list; the slider follows.
  traces->setFocus();
  QTest::keyClick(traces, Qt::Key_BracketRight);
  EXPECT_DOUBLE_EQ(traces->pageDurationSec(), 20);
  QTest::keyClick(traces, Qt::Key_BracketLeft);
  QTest::keyClick(traces, Qt::Key_BracketLeft);
  EXPECT_DOUBLE_EQ(traces->pageDurationSec(), 5);
  EXPECT_EQ(window.pageLengthBox()->currentData().toInt(), 5);
  EXPECT_EQ(window.timeBar()->maximum(), 177);  // 182 - 5
  EXPECT_EQ(window.overview()->model()->pageDurationSec(), 5);
  // Clock time on the axis: Ctrl+T toggles the trace view's axis.
  QTest::keyClick(&window, Qt::Key_T, Qt::ControlModifier);
  EXPECT_TRUE(traces->clockTimeAxis());
}

TEST(Navigation, EdfPlusDGapIsMarkedOnTheAxisAndClockTimesSkipIt) {
  qtApp();
  test::TempDir tmp("nav-gap");
  test::SyntheticSpec spec;
  spec.channels = 2;
  spec.seconds = 6;
  spec.edfPlus = true;
  const fs::path path = tmp / "d.edf";
  test::writeSyntheticEdf(path, spec);
  auto bytes = test::readAllBytes(path);
  test::patchField(bytes, 192, 44, "EDF+D");
  for (const char* from :
       {"+5\x14\x14", "+4\x14\x14", "+3\x14\x14"}) {  // records 3, 4, 5 start at 8, 9, 10 s
    const std::string s(bytes.begin(), bytes.end());
    const auto at = s.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    bytes[at + 1] = static_cast<std::uint8_t>(from[1] + 5);
  }
  test::writeAllBytes(path, bytes);
  app::MainWindow window;
  window.resize(1200, 800);
  window.show();
  openAndRender(window, path);
  auto* traces = window.traceView();
  ASSERT_TRUE(QTest::qWaitFor([&] { return traces->timeline().gaps().size() == 1; }, 5000));
  EXPECT_DOUBLE_EQ(traces->timeline().gaps()[0].dataSec, 3);
  EXPECT_DOUBLE_EQ(traces->timeline().gaps()[0].durationSec, 5);
  // The seam is drawn in the plot at 3 s of the 10-s page.
  ASSERT_TRUE(
      QTest::qWaitFor([&] { return traces->deliveredRequestId() == traces->latestRequestId(); }, 5000));
  const QImage img = traces->currentImage();
  const auto g = traces->geometry();
  const int x = g.plotLeft() + static_cast<int>(std::lround(3.0 * g.plotWidth() / 10));
  int red = 0;
  for (int y = 0; y < g.plotHeight(); ++y) {
    const QRgb c = img.pixel(x, y);
    red += qRed(c) > 170 && qGreen(c) < 100 && qBlue(c) < 90;
  }
  EXPECT_GT(red, g.plotHeight() / 4);
  // Exported, the grey gap band over the seam and its label are there as on screen: the PNG is the view's
  // grab (but its focus frame), the SVG has the label.
  test::TempDir tmp2("nav-gap-export");
  for (const char* ext : {"png", "svg"}) {
    QSignalSpy done(&window, &app::MainWindow::viewExported);
    window.exportView(QString::fromStdString((tmp2 / (std::string("gap.") + ext)).string()));
    ASSERT_TRUE(done.wait(10000)) << ext << " " << window.errorText().toStdString();
  }
  const QImage grabbed = traces->grab().toImage().convertToFormat(QImage::Format_RGB32);
  const QImage png =
      QImage(QString::fromStdString((tmp2 / "gap.png").string())).convertToFormat(QImage::Format_RGB32);
  ASSERT_EQ(png.size(), grabbed.size());
  int differing = 0, banded = 0;
  for (int y = 1; y < png.height() - 1; ++y)
    for (int px = 1; px < png.width() - 1; ++px) differing += png.pixel(px, y) != grabbed.pixel(px, y);
  EXPECT_EQ(differing, 0);
  for (int y = 20; y < g.plotHeight(); ++y)  // 2 px beside the seam: inside the band, grey where it was white
    banded += (img.pixel(x + 2, y) | 0xff000000) == 0xffffffff && png.pixel(x + 2, y) != 0xffffffff;
  EXPECT_GT(banded, g.plotHeight() / 8);
  const auto svg = test::readAllBytes(tmp2 / "gap.svg");
  EXPECT_NE(std::string(svg.begin(), svg.end()).find("gap (no data)"), std::string::npos);
  // A clock time after the gap lands 5 s earlier on the data axis; one inside the gap at the seam.
  window.pageLengthBox()->setCurrentIndex(window.pageLengthBox()->findData(1));
  const double start = traces->startOfDaySec();
  const auto clock = [&](double wall) {
    return QStringLiteral("@") + QString::fromStdString(navigation::formatClockTime(wall, start, 1));
  };
  ASSERT_TRUE(window.goToTime(clock(9.5)));
  EXPECT_DOUBLE_EQ(traces->pageStartSec(), 4.5);
  ASSERT_TRUE(window.goToTime(clock(5)));
  EXPECT_DOUBLE_EQ(traces->pageStartSec(), 3);
  ASSERT_TRUE(window.goToTime(QStringLiteral("4.5")));  // recording time is data time
  EXPECT_DOUBLE_EQ(traces->pageStartSec(), 4.5);
}

TEST(ExportView, PngPdfAndSvgOfTheShownPage) {
  qtApp();
  test::TempDir tmp("export-view");
  app::MainWindow window;
  window.resize(1200, 800);
  window.show();
  openAndRender(window, kEegmat);
  const QSize size = window.traceView()->size();
  for (const char* ext : {"png", "pdf", "svg"}) {
    QSignalSpy done(&window, &app::MainWindow::viewExported);
    const QString file = QString::fromStdString((tmp / (std::string("view.") + ext)).string());
    window.exportView(file);
    ASSERT_TRUE(done.wait(10000)) << ext << " " << window.errorText().toStdString();
  }
  const QImage png(QString::fromStdString((tmp / "view.png").string()));
  EXPECT_EQ(png.size(), size);
  EXPECT_EQ(png.pixel(5, 5), window.traceView()->currentImage().pixel(5, 5));
  const auto pdf = test::readAllBytes(tmp / "view.pdf");
  const std::string pdfText(pdf.begin(), pdf.end());
  EXPECT_EQ(pdfText.substr(0, 5), "%PDF-");
  // One point per pixel: the page is as large as the view.
  std::smatch box;
  ASSERT_TRUE(std::regex_search(pdfText, box, std::regex(R"(/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\])")));
  EXPECT_NEAR(std::stod(box[1].str()), size.width(), 0.5);
  EXPECT_NEAR(std::stod(box[2].str()), size.height(), 0.5);
  QFile svgFile(QString::fromStdString((tmp / "view.svg").string()));
  ASSERT_TRUE(svgFile.open(QIODevice::ReadOnly));
  QXmlStreamReader svg(&svgFile);
  int vectorShapes = 0, texts = 0;
  QString viewBox;
  while (!svg.atEnd()) {
    svg.readNext();
    if (!svg.isStartElement()) continue;
    if (svg.name() == QLatin1String("svg"))
      viewBox = svg.attributes().value(QLatin1String("viewBox")).toString();
    if (svg.name() == QLatin1String("polyline") || svg.name() == QLatin1String("path")) ++vectorShapes;
    if (svg.name() == QLatin1String("text")) ++texts;
  }
  EXPECT_FALSE(svg.hasError()) << svg.errorString().toStdString();
  EXPECT_EQ(viewBox, QStringLiteral("0 0 %1 %2").arg(size.width()).arg(size.height()));
  EXPECT_GT(vectorShapes, 21);  // traces are vectors, not one embedded image
  EXPECT_GE(texts, 21);         // channel labels are text
  // An unknown extension is refused without writing.
  QSignalSpy failed(&window, &app::MainWindow::exportFailed);
  window.exportView(QString::fromStdString((tmp / "view.gif").string()));
  EXPECT_EQ(failed.size(), 1);
  EXPECT_FALSE(fs::exists(tmp / "view.gif"));
}

// The exported view is the view as shown: a montage's derivations through the display filter, with the
// annotations (spans and labels) over them. The PNG equals the trace view's own grab; the SVG names the
// derivations and the annotations, and drawn (QSvgRenderer) its lanes hold as much trace ink as the PNG's.
TEST(ExportView, MontageFilterAndAnnotationsAreExportedAsShown) {
  qtApp();
  test::TempDir tmp("export-montage");
  const fs::path file = tmp / "sample.edf";  // a copy: the annotation sidecar is written next to it
  fs::copy_file(test::resourcesDir() / "sample" / "Subject00_2.edf", file);
  app::MainWindow window;
  window.resize(1400, 1000);
  window.show();
  QSignalSpy loaded(&window, &app::MainWindow::annotationsLoaded);
  window.openFile(QString::fromStdString(file.string()));
  ASSERT_TRUE(loaded.wait(15000)) << window.errorText().toStdString();
  auto* traces = window.traceView();
  AnnotationDocument* doc = window.annotations();
  ASSERT_NE(doc, nullptr);
  AnnotationEntry artifact;  // every lane, 2-4 s
  artifact.onsetSec = 2;
  artifact.durationSec = 2;
  artifact.text = "Artifact";
  doc->add(artifact);
  AnnotationEntry spike;  // Cz: the lanes Fz-Cz and Cz-Pz in the double banana, 6-8 s
  spike.onsetSec = 6;
  spike.durationSec = 2;
  spike.text = "Spike";
  spike.channel = "EEG Cz";
  doc->add(spike);
  traces->setMontage(std::make_shared<montage::Montage>(
      montage::buildMontage(montage::BuiltinMontage::LongitudinalBipolar, *window.recording())));
  montage::FilterSet filters;
  filters.all.lowPassHz = 3;  // smooth traces: far less ink than the raw derivations
  traces->setFilters(filters);
  ASSERT_TRUE(QTest::qWaitFor(
      [&] {
        return !traces->currentImage().isNull() && traces->deliveredRequestId() == traces->latestRequestId();
      },
      10000));
  QTest::qWait(50);
  ASSERT_EQ(traces->laneCount(), 18);
  const auto g = traces->geometry();
  ASSERT_EQ(g.channels, 18);
  const QImage page = traces->currentImage();  // the traces without what is drawn over them
  const QImage grabbed = traces->grab().toImage().convertToFormat(QImage::Format_RGB32);

  for (const char* ext : {"png", "pdf", "svg"}) {
    QSignalSpy done(&window, &app::MainWindow::viewExported);
    window.exportView(QString::fromStdString((tmp / (std::string("view.") + ext)).string()));
    ASSERT_TRUE(done.wait(10000)) << ext << " " << window.errorText().toStdString();
  }

  // PNG: pixel for pixel what the view shows (but the focus frame on its border).
  const QImage png =
      QImage(QString::fromStdString((tmp / "view.png").string())).convertToFormat(QImage::Format_RGB32);
  ASSERT_EQ(png.size(), grabbed.size());
  int differing = 0;
  for (int y = 1; y < png.height() - 1; ++y)
    for (int x = 1; x < png.width() - 1; ++x) differing += png.pixel(x, y) != grabbed.pixel(x, y);
  EXPECT_EQ(differing, 0);
  // The whole-page annotation tints the background of its span (3.5 s) in the PNG; outside (5.5 s) white.
  const auto xOf = [&](double t) {
    return g.plotLeft() + static_cast<int>(std::lround(t * g.plotWidth() / 10));
  };
  const QRgb tint = overWhite(widgets::TraceView::annotationColour(QStringLiteral("Artifact")), 45);
  int tinted = 0, white = 0;
  for (int y = 60; y < g.plotHeight(); ++y) {
    if ((page.pixel(xOf(3.5), y) | 0xff000000) != 0xffffffff) continue;  // trace or grid
    tinted += near(png.pixel(xOf(3.5), y), tint, 2);
    white += (png.pixel(xOf(3.5), y) | 0xff000000) == 0xffffffff;
  }
  EXPECT_GT(tinted, g.plotHeight() / 2);
  EXPECT_EQ(white, 0);

  // SVG: the derivations' labels and the annotations' texts, no recorded channel's label.
  QFile svgFile(QString::fromStdString((tmp / "view.svg").string()));
  ASSERT_TRUE(svgFile.open(QIODevice::ReadOnly));
  QXmlStreamReader svg(&svgFile);
  QStringList texts;
  while (!svg.atEnd()) {
    svg.readNext();
    if (svg.isStartElement() && svg.name() == QLatin1String("text"))
      texts << svg.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
  }
  EXPECT_FALSE(svg.hasError()) << svg.errorString().toStdString();
  for (int lane = 0; lane < 18; ++lane) EXPECT_TRUE(texts.contains(traces->laneLabel(lane))) << lane;
  EXPECT_FALSE(texts.contains(QStringLiteral("EEG Fp1")));
  EXPECT_TRUE(texts.contains(QStringLiteral("Artifact"))) << texts.join(QLatin1Char('|')).toStdString();
  EXPECT_TRUE(texts.contains(QStringLiteral("Spike")));
  // Drawn, each lane's trace runs where the PNG's does (the vector lines are antialiased over two rows: half
  // a pixel off), and the annotation's span is tinted.
  QImage drawn(g.size, QImage::Format_RGB32);
  drawn.fill(Qt::white);
  {
    QSvgRenderer renderer(QString::fromStdString((tmp / "view.svg").string()));
    ASSERT_TRUE(renderer.isValid());
    QPainter painter(&drawn);
    renderer.render(&painter, QRectF(QPointF(0, 0), QSizeF(g.size)));
  }
  const QString keep = qEnvironmentVariable("NEUROLM_SCREENSHOT_DIR");
  if (!keep.isEmpty()) {
    png.save(keep + QStringLiteral("/export-view.png"));
    drawn.save(keep + QStringLiteral("/export-view-svg.png"));
    QFile::remove(keep + QStringLiteral("/export-view.pdf"));
    QFile::copy(QString::fromStdString((tmp / "view.pdf").string()),
                keep + QStringLiteral("/export-view.pdf"));
  }
  for (int lane = 0; lane < 18; ++lane) {
    double sumDiff = 0;
    int columns = 0, pngColumns = 0;
    for (int x = g.plotLeft() + 1; x < g.plotLeft() + g.plotWidth() - 1; ++x) {
      const double inPng = traceRow(png, g, lane, x), inSvg = traceRow(drawn, g, lane, x);
      pngColumns += !std::isnan(inPng);
      if (std::isnan(inPng) || std::isnan(inSvg)) continue;
      sumDiff += std::abs(inPng - inSvg);
      ++columns;
    }
    EXPECT_GT(pngColumns, g.plotWidth() * 9 / 10) << lane;
    EXPECT_GT(columns, pngColumns * 9 / 10) << lane;
    EXPECT_LT(sumDiff / std::max(1, columns), 1.0) << lane;
  }
  tinted = 0;
  for (int y = 60; y < g.plotHeight(); ++y)
    if ((page.pixel(xOf(3.5), y) | 0xff000000) == 0xffffffff)
      tinted += near(drawn.pixel(xOf(3.5), y), tint, 3);
  EXPECT_GT(tinted, g.plotHeight() / 2);
}

TEST(ExportSelection, DialogDefaultsToThePageAndTheWindowWritesTheChosenChannels) {
  qtApp();
  test::TempDir tmp("export-sel");
  fs::copy_file(kEegmat, tmp / "source.edf");  // the refusal below is tried on a copy, never on shared data
  const auto before = test::readAllBytes(tmp / "source.edf");
  app::MainWindow window;
  window.resize(1200, 800);
  window.show();
  openAndRender(window, tmp / "source.edf");
  window.traceView()->setPageStart(40);
  app::ExportSelectionDialog dialog(*window.recording(), 40, 50,
                                    QString::fromStdString((tmp / "a.npy").string()));
  EXPECT_EQ(dialog.startEdit()->text(), QStringLiteral("0:40.000"));
  EXPECT_EQ(dialog.endEdit()->text(), QStringLiteral("0:50.000"));
  ASSERT_EQ(dialog.channelList()->count(), 21);
  for (int i = 2; i < 21; ++i) dialog.channelList()->item(i)->setCheckState(Qt::Unchecked);
  dialog.endEdit()->setText(QStringLiteral("bad"));
  dialog.accept();
  EXPECT_EQ(dialog.result(), QDialog::Rejected);
  EXPECT_TRUE(dialog.errorText().contains(QStringLiteral("'bad'")));
  dialog.endEdit()->setText(QStringLiteral("0:44.5"));
  dialog.accept();
  ASSERT_EQ(dialog.result(), QDialog::Accepted) << dialog.errorText().toStdString();
  const ExportRequest request = dialog.request();
  EXPECT_EQ(request.channels, (std::vector<std::size_t>{0, 1}));
  QSignalSpy done(&window, &app::MainWindow::selectionExported);
  window.exportSelection(request, dialog.outputPath());
  ASSERT_TRUE(done.wait(10000)) << window.errorText().toStdString();
  const NpyArray a = readNpy(tmp / "a.npy");
  EXPECT_EQ(a.shape, (std::vector<std::size_t>{2, 2250}));  // 4.5 s at 500 Hz
  std::ifstream in(tmp / "a.npy.json");
  const auto meta = nlohmann::json::parse(in);
  EXPECT_EQ(meta["channels"][1]["label"], "EEG Fp2");
  // An unwritable target is reported, and the source is never a target.
  QSignalSpy failed(&window, &app::MainWindow::exportFailed);
  window.exportSelection(request, QString::fromStdString((tmp / "missing" / "b.csv").string()));
  ASSERT_TRUE(failed.wait(10000));
  EXPECT_TRUE(failed.last()[0].toString().contains(QStringLiteral("does not exist")));
  window.exportSelection(request, QString::fromStdString((tmp / "source.edf").string()));
  ASSERT_TRUE(failed.wait(10000));
  EXPECT_TRUE(failed.last()[0].toString().contains(QStringLiteral("never overwrites its source")));
  EXPECT_EQ(test::readAllBytes(tmp / "source.edf"), before);
}
