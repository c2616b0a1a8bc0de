// Navigation of the main window (go-to box, page lengths by keyboard, EDF+D gaps on the axis and in clock
// time) and the exports of the View and File menus (PNG/PDF/SVG of the view, a selection to .npy).
#include <gtest/gtest.h>

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QLineEdit>
#include <QListWidget>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTest>
#include <QXmlStreamReader>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "app/studio/ExportSelectionDialog.h"
#include "app/studio/MainWindow.h"
#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/io/Npy.h"
#include "core/navigation/TimeInput.h"
#include "widgets/overview/OverviewView.h"
#include "widgets/traces/TraceView.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

QApplication& qtApp() {
  static int argc = 1;
  static char name[] = "app_tests";
  static char* argv[] = {name, nullptr};
  if (!qApp) new QApplication(argc, argv);
  return *qApp;
}

void openAndRender(app::MainWindow& window, const fs::path& file) {
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  QSignalSpy rendered(window.traceView(), &widgets::TraceView::pageRendered);
  window.openFile(QString::fromStdString(file.string()));
  ASSERT_TRUE(opened.wait(10000)) << window.errorText().toStdString();
  ASSERT_TRUE(rendered.wait(10000));
}

const fs::path kEegmat = test::dataDir() / "eegmat" / "Subject00_1.edf";

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
