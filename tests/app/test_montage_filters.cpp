// Montage and display filters in the window: switching montage changes the lanes and their labels, a
// high-pass centres lanes that a DC offset pushed out of view, the custom editor resolves its table, and the
// filter dialog plots the response of what it applies. Set NEUROLM_SCREENSHOT_DIR to keep the rendered pages.
#include <gtest/gtest.h>

#include <QApplication>
#include <QComboBox>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <cmath>
#include <numbers>

#include "common/QtApp.h"
#include "app/studio/MainWindow.h"
#include "app/studio/MontageControls.h"
#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "widgets/traces/FilterDialog.h"
#include "widgets/traces/MontageEditorDialog.h"
#include "widgets/traces/TraceView.h"

using namespace neurolm;

namespace {

using test::qtApp;

bool isEegInk(QRgb c) { return qBlue(c) > 120 && qRed(c) < 90 && qGreen(c) < 120; }

const std::vector<std::string> kLabels = {
    "EEG Fp1", "EEG Fp2", "EEG F3", "EEG F4", "EEG C3", "EEG C4", "EEG P3", "EEG P4", "EEG O1", "EEG O2",
    "EEG F7",  "EEG F8",  "EEG T3", "EEG T4", "EEG T5", "EEG T6", "EEG Fz", "EEG Cz", "EEG Pz"};

// Every channel: a 300 µV offset (3 divisions at 100 µV/div: out of its lane) plus 30 µV of 10 Hz alpha.
double sample(int c, std::int64_t i) {
  return 300 + 30 * std::sin(2 * std::numbers::pi * 10 * static_cast<double>(i) / 256 + 0.4 * c);
}

void waitForPage(widgets::TraceView* view) {
  for (int i = 0; i < 200 && view->deliveredRequestId() != view->latestRequestId(); ++i) QTest::qWait(25);
  ASSERT_EQ(view->deliveredRequestId(), view->latestRequestId());
  QTest::qWait(30);
}

// Mean distance (in lane heights) of a lane's trace ink from its centre line; 1 when there is no ink.
double offCentre(const QImage& img, const widgets::TraceGeometry& g, int lane) {
  double sum = 0;
  int n = 0;
  for (int x = g.plotLeft() + 2; x < g.plotLeft() + g.plotWidth() - 2; x += 3) {
    for (int y = g.laneTop(lane); y < g.laneBottom(lane); ++y) {
      if (isEegInk(img.pixel(x, y))) {
        sum += std::abs(y - g.baselineY(lane));
        ++n;
      }
    }
  }
  return n > 0 ? sum / n / g.laneHeight() : 1;
}

void keep(const QImage& img, const char* name) {
  const QByteArray dir = qgetenv("NEUROLM_SCREENSHOT_DIR");
  if (!dir.isEmpty()) img.save(QString::fromUtf8(dir) + QLatin1Char('/') + QLatin1String(name));
}

}  // namespace

TEST(MontageFilters, SwitchingMontageAndFilterChangesTheLanes) {
  qtApp();
  test::TempDir tmp("montage-gui");
  test::SyntheticSpec spec;
  spec.channels = static_cast<int>(kLabels.size());
  spec.labels = kLabels;
  spec.sampleRateHz = 256;
  spec.seconds = 30;
  spec.value = sample;
  test::writeSyntheticEdf(tmp / "banana.edf", spec);

  app::MainWindow window;
  window.resize(1200, 900);
  window.show();
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  window.openFile(QString::fromStdString((tmp / "banana.edf").string()));
  ASSERT_TRUE(opened.wait(10000)) << window.errorText().toStdString();
  auto* view = window.traceView();
  view->setPageStart(10);
  waitForPage(view);
  auto* controls = window.findChild<app::MontageControls*>(QStringLiteral("montageControls"));
  ASSERT_NE(controls, nullptr);
  QComboBox* combo = controls->montageBox();

  // Referential: 19 lanes as recorded, the offset pushes every trace to its lane's edge.
  ASSERT_EQ(view->laneCount(), 19);
  EXPECT_EQ(view->laneLabel(0), QStringLiteral("EEG Fp1"));
  QImage img = view->currentImage();
  keep(img, "referential.png");
  for (int lane = 0; lane < 19; ++lane) EXPECT_GT(offCentre(img, view->geometry(), lane), 0.4) << lane;

  // Double banana from the tool bar's combo (keyboard: the combo is a tab stop): 18 derivations, offsets
  // cancel.
  combo->setFocus();
  combo->setCurrentIndex(combo->findData(static_cast<int>(montage::BuiltinMontage::LongitudinalBipolar)));
  Q_EMIT combo->activated(combo->currentIndex());
  waitForPage(view);
  ASSERT_EQ(view->laneCount(), 18);
  EXPECT_EQ(view->laneLabel(0), QStringLiteral("Fp1-F7"));
  EXPECT_EQ(view->laneLabel(1), QStringLiteral("F7-T3"));
  EXPECT_EQ(view->laneLabel(17), QStringLiteral("Cz-Pz"));
  EXPECT_EQ(view->geometry().channels, 18);
  img = view->currentImage();
  keep(img, "double-banana.png");
  for (int lane = 0; lane < 18; ++lane) EXPECT_LT(offCentre(img, view->geometry(), lane), 0.15) << lane;

  // Common average: 19 lanes "…-Avg", each over 19 channels; a bad channel leaves every mean.
  ASSERT_TRUE(controls->selectBuiltin(montage::BuiltinMontage::CommonAverage));
  EXPECT_EQ(view->laneLabel(17), QStringLiteral("Cz-Avg"));
  EXPECT_EQ(view->montage()->derivations[0].terms.size(), 19u);
  controls->setBadChannels({17});
  EXPECT_EQ(view->montage()->derivations[0].terms.size(), 18u);
  EXPECT_EQ(combo->currentData().toInt(), static_cast<int>(montage::BuiltinMontage::CommonAverage));
  waitForPage(view);

  // Back to referential, then a 0.5 Hz high-pass from the filter dialog centres the recorded channels.
  ASSERT_TRUE(controls->selectBuiltin(montage::BuiltinMontage::Referential));
  EXPECT_EQ(combo->currentData().toInt(), static_cast<int>(montage::BuiltinMontage::Referential));
  widgets::FilterDialog* dialog = controls->showFilterDialog();
  ASSERT_NE(dialog, nullptr);
  dialog->setHighPass(0.5);
  dialog->setLowPass(0);
  dialog->setNotch(50, false);
  // The plotted response is that of the design: -6 dB at the cut-off, the notch deep at 50 Hz.
  double atCutoff = 0, atNotch = 0, atAlpha = 0;
  for (const QPointF& p : dialog->responsePoints()) {
    if (std::abs(p.x() - 0.5) < 0.126) atCutoff = p.y();
    if (std::abs(p.x() - 50) < 0.126) atNotch = p.y();
    if (std::abs(p.x() - 10) < 0.126) atAlpha = p.y();
  }
  EXPECT_NEAR(atCutoff, -6.0, 1.0);
  EXPECT_LT(atNotch, -40);
  EXPECT_NEAR(atAlpha, 0, 0.1);
  keep(dialog->grab().toImage(), "filter-dialog.png");
  ASSERT_TRUE(dialog->apply()) << dialog->errorText().toStdString();
  dialog->close();
  EXPECT_EQ(view->filters().all.highPassHz, 0.5);
  waitForPage(view);
  img = view->currentImage();
  keep(img, "referential-highpass.png");
  ASSERT_EQ(view->laneCount(), 19);
  for (int lane = 0; lane < 19; ++lane) EXPECT_LT(offCentre(img, view->geometry(), lane), 0.15) << lane;

  // A low-pass at Nyquist is refused in the dialog and nothing changes.
  dialog = controls->showFilterDialog();
  dialog->setLowPass(200);
  EXPECT_FALSE(dialog->apply());
  EXPECT_NE(dialog->errorText().indexOf(QStringLiteral("low-pass")), -1) << dialog->errorText().toStdString();
  dialog->close();
  EXPECT_EQ(view->filters().all.lowPassHz, 0);
}

TEST(MontageFilters, CustomMontageEditorResolvesItsTable) {
  qtApp();
  test::TempDir tmp("montage-editor");
  test::SyntheticSpec spec;
  spec.channels = static_cast<int>(kLabels.size());
  spec.labels = kLabels;
  spec.sampleRateHz = 256;
  spec.seconds = 12;
  spec.value = sample;
  test::writeSyntheticEdf(tmp / "custom.edf", spec);
  app::MainWindow window;
  window.show();
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  window.openFile(QString::fromStdString((tmp / "custom.edf").string()));
  ASSERT_TRUE(opened.wait(10000));
  auto* controls = window.findChild<app::MontageControls*>(QStringLiteral("montageControls"));
  widgets::MontageEditorDialog* editor = controls->showMontageEditor();
  ASSERT_NE(editor, nullptr);
  EXPECT_EQ(editor->table()->rowCount(), 19);  // starts from what is shown
  montage::MontageSpec custom;
  custom.name = "two";
  custom.derivations = {{"Cz-Pz", {{"Cz", 1}, {"Pz", -1}}}, {"bad", {{"Cz", 1}, {"Q7", -1}}}};
  editor->setSpec(custom);
  EXPECT_EQ(editor->table()->item(0, 1)->text(), QStringLiteral("Cz; -1 Pz"));
  EXPECT_FALSE(editor->applyMontage());
  EXPECT_NE(editor->errorText().indexOf(QStringLiteral("derivation 2 ('bad'): 'Q7'")), -1)
      << editor->errorText().toStdString();
  EXPECT_EQ(window.traceView()->laneCount(), 19);  // unchanged
  editor->table()->item(1, 1)->setText(QStringLiteral("-F3; 2 C3; -F7"));
  ASSERT_TRUE(editor->saveFile(QString::fromStdString((tmp / "two.json").string())));
  ASSERT_TRUE(editor->loadFile(QString::fromStdString((tmp / "two.json").string())));
  ASSERT_TRUE(editor->applyMontage()) << editor->errorText().toStdString();
  const auto& m = window.traceView()->montage();
  ASSERT_TRUE(m);
  ASSERT_EQ(m->derivations.size(), 2u);
  EXPECT_EQ(m->derivations[1].terms.size(), 3u);
  EXPECT_EQ(m->derivations[1].terms[0].weight, -1);
  EXPECT_EQ(m->derivations[1].terms[1].weight, 2);
  EXPECT_EQ(window.traceView()->laneLabel(1), QStringLiteral("bad"));
  EXPECT_EQ(controls->montageBox()->currentText(), QStringLiteral("Custom: two"));
}
