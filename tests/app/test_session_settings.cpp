// Layout, recent files and preferences survive the window: change them, close and destroy the window, create
// a new one, same state. QSettings points at a temporary folder, never at the user's settings.
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableWidget>
#include <QTest>
#include <filesystem>
#include <fstream>
#include <memory>

#include "common/QtApp.h"
#include "app/studio/MainWindow.h"
#include "app/studio/MontageControls.h"
#include "app/studio/SessionSettings.h"
#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "core/montage/Montage.h"
#include "widgets/spectrogram/SpectrogramView.h"
#include "widgets/traces/MontageEditorDialog.h"
#include "widgets/traces/TraceView.h"

using namespace neurolm;

namespace {

using test::qtApp;

QStringList recentEntries(QMenu* menu, bool enabledOnly) {
  Q_EMIT menu->aboutToShow();
  QStringList out;
  for (QAction* a : menu->actions())
    if (a->data().isValid() && (!enabledOnly || a->isEnabled())) out << a->data().toString();
  return out;
}

}  // namespace

TEST(SessionSettings, LayoutRecentFilesAndPreferencesSurviveTheWindow) {
  qtApp();
  test::TempDir tmp("session-settings");
  QCoreApplication::setOrganizationName(QStringLiteral("neurolm-tests"));
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                     QString::fromStdString((tmp / "settings").string()));
  QSettings().clear();
  ASSERT_TRUE(QSettings().fileName().startsWith(QString::fromStdString(tmp.path().string())))
      << QSettings().fileName().toStdString();
  test::SyntheticSpec spec;
  spec.seconds = 120;
  spec.labels = {"EEG Fp1", "EEG F7", "EEG T3", "EEG T5"};  // a double banana exists: Fp1-F7, F7-T3, T3-T5
  for (const char* name : {"a.edf", "b.edf", "c.edf"}) test::writeSyntheticEdf(tmp / name, spec);
  auto path = [&](const char* name) { return QString::fromStdString((tmp / name).string()); };

  auto window = std::make_unique<app::MainWindow>();
  auto* session = new app::SessionSettings(window.get());
  window->resize(1300, 850);
  window->show();
  // Defaults first, so the changes below are changes.
  ASSERT_FALSE(window->spectrogramDock()->isVisible());
  ASSERT_TRUE(window->spectrumDock()->isVisible());
  ASSERT_EQ(window->traceView()->pageDurationSec(), 10);
  ASSERT_TRUE(window->clipToLaneAction()->isChecked());
  ASSERT_FALSE(window->clockTimeAction()->isChecked());
  for (const char* name : {"a.edf", "b.edf", "c.edf"}) {
    QSignalSpy opened(window.get(), &app::MainWindow::recordingOpened);
    window->openFile(path(name));
    ASSERT_TRUE(opened.wait(10000)) << window->errorText().toStdString();
  }
  EXPECT_EQ(session->recentFiles(), (QStringList{path("c.edf"), path("b.edf"), path("a.edf")}));
  window->spectrogramDock()->show();
  window->spectrumDock()->hide();
  window->resizeDocks({window->spectrogramDock()}, {333}, Qt::Vertical);
  window->pageLengthBox()->setCurrentIndex(window->pageLengthBox()->findData(30));
  window->traceView()->setGain(2.5);
  window->clipToLaneAction()->setChecked(false);
  window->clockTimeAction()->setChecked(true);
  montage::FilterSet filters;
  filters.all.highPassHz = 0.5;
  filters.all.notchHz = 50;
  window->traceView()->setFilters(filters);
  window->spectrogramView()->setColourMap(widgets::ColourMap::Magma);
  window->traceView()->setMontage(std::make_shared<montage::Montage>(
      montage::buildMontage(montage::BuiltinMontage::LongitudinalBipolar, *window->recording())));
  QTest::qWait(50);
  const int dockHeight = window->spectrogramDock()->height();
  const QSize size = window->size();
  window->close();  // saves
  window.reset();

  std::filesystem::remove(tmp / "b.edf");  // gone since: shown disabled
  window = std::make_unique<app::MainWindow>();
  session = new app::SessionSettings(window.get());
  window->show();
  QTest::qWait(50);
  EXPECT_TRUE(window->spectrogramDock()->isVisible());
  EXPECT_FALSE(window->spectrumDock()->isVisible());
  EXPECT_NEAR(window->spectrogramDock()->height(), dockHeight, 2);
  EXPECT_EQ(window->size(), size);
  EXPECT_EQ(window->traceView()->pageDurationSec(), 30);
  EXPECT_EQ(window->pageLengthBox()->currentData().toDouble(), 30);
  EXPECT_DOUBLE_EQ(window->traceView()->gain(), 2.5);
  EXPECT_FALSE(window->clipToLaneAction()->isChecked());
  EXPECT_FALSE(window->traceView()->clipToLane());
  EXPECT_TRUE(window->clockTimeAction()->isChecked());
  EXPECT_TRUE(window->traceView()->clockTimeAxis());
  EXPECT_EQ(window->traceView()->filters().all, filters.all);
  EXPECT_EQ(window->spectrogramView()->colourMap(), widgets::ColourMap::Magma);
  // Recent files: most recent first; the missing one is listed but disabled and marked.
  EXPECT_EQ(recentEntries(session->recentMenu(), false),
            (QStringList{path("c.edf"), path("b.edf"), path("a.edf")}));
  EXPECT_EQ(recentEntries(session->recentMenu(), true), (QStringList{path("c.edf"), path("a.edf")}));
  for (QAction* a : session->recentMenu()->actions()) {
    if (a->data().toString() == path("b.edf")) {
      EXPECT_TRUE(a->text().contains(QStringLiteral("(missing)"))) << a->text().toStdString();
    }
  }
  // The montage comes back with the first recording opened.
  EXPECT_EQ(window->traceView()->montage(), nullptr);  // nothing open yet
  QSignalSpy opened(window.get(), &app::MainWindow::recordingOpened);
  for (QAction* a : session->recentMenu()->actions())
    if (a->data().toString() == path("a.edf")) a->trigger();
  ASSERT_TRUE(opened.wait(10000));
  EXPECT_EQ(opened.front().front().toString(), path("a.edf"));
  ASSERT_NE(window->traceView()->montage(), nullptr);
  EXPECT_EQ(window->traceView()->montage()->name, "Longitudinal bipolar");
  EXPECT_EQ(window->traceView()->montage()->derivations.size(), 3u);
  EXPECT_EQ(session->recentFiles().front(), path("a.edf"));
  window->close();
  window.reset();
  QSettings().clear();
}

TEST(SessionSettings, KeepsAtMostTenRecentFiles) {
  qtApp();
  test::TempDir tmp("session-recent");
  QCoreApplication::setOrganizationName(QStringLiteral("neurolm-tests"));
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                     QString::fromStdString((tmp / "settings").string()));
  QSettings().clear();
  app::MainWindow window;
  auto* session = new app::SessionSettings(&window);
  test::SyntheticSpec spec;
  spec.seconds = 4;
  for (int i = 0; i < 12; ++i) {
    const auto file = tmp / ("r" + std::to_string(i) + ".edf");
    test::writeSyntheticEdf(file, spec);
    QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
    window.openFile(QString::fromStdString(file.string()));
    ASSERT_TRUE(opened.wait(10000));
  }
  const QStringList recent = session->recentFiles();
  ASSERT_EQ(recent.size(), app::SessionSettings::kMaxRecentFiles);
  EXPECT_TRUE(recent.front().endsWith(QStringLiteral("r11.edf")));
  EXPECT_TRUE(recent.back().endsWith(QStringLiteral("r2.edf")));
  QSettings().clear();
}

TEST(SessionSettings, CustomMontageFileComesBackAndAMissingOrBadOneFallsBackToReferential) {
  qtApp();
  test::TempDir tmp("session-montage-file");
  QCoreApplication::setOrganizationName(QStringLiteral("neurolm-tests"));
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                     QString::fromStdString((tmp / "settings").string()));
  QSettings().clear();
  test::SyntheticSpec spec;
  spec.seconds = 20;
  spec.labels = {"EEG Fp1", "EEG F7", "EEG T3", "EEG T5"};
  test::writeSyntheticEdf(tmp / "a.edf", spec);
  const QString recording = QString::fromStdString((tmp / "a.edf").string());
  const QString montageFile = QString::fromStdString((tmp / "mine.json").string());
  montage::MontageSpec mine;
  mine.name = "Mine";
  mine.derivations = {{"Fp1-T5", {{"Fp1", 1}, {"T5", -1}}}, {"F7 half", {{"EEG F7", 0.5}}}};
  montage::saveMontageFile(montageFile.toStdString(), mine);

  // One run: open, load the file in the editor, OK; close (saves).
  const auto newWindow = [] {
    auto window = std::make_unique<app::MainWindow>();
    new app::SessionSettings(window.get());
    window->resize(1100, 700);
    window->show();
    return window;
  };
  const auto open = [&](app::MainWindow& window) {
    QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
    window.openFile(recording);
    return opened.wait(10000);
  };
  const auto controlsOf = [](app::MainWindow& window) {
    return window.findChild<app::MontageControls*>(QStringLiteral("montageControls"));
  };
  auto window = newWindow();
  ASSERT_TRUE(open(*window)) << window->errorText().toStdString();
  widgets::MontageEditorDialog* editor = controlsOf(*window)->showMontageEditor();
  ASSERT_NE(editor, nullptr);
  ASSERT_TRUE(editor->loadFile(montageFile)) << editor->errorText().toStdString();
  EXPECT_EQ(editor->tableFile(), montageFile);
  ASSERT_TRUE(editor->applyMontage()) << editor->errorText().toStdString();
  editor->close();
  EXPECT_EQ(controlsOf(*window)->customMontageFile(), montageFile);
  window->close();
  window.reset();
  EXPECT_EQ(QSettings().value(QStringLiteral("browser/montageFile")).toString(), montageFile);

  // Next start: the first recording opened shows the file's montage.
  window = newWindow();
  EXPECT_EQ(window->traceView()->montage(), nullptr);
  ASSERT_TRUE(open(*window));
  ASSERT_NE(window->traceView()->montage(), nullptr);
  EXPECT_EQ(window->traceView()->montage()->name, "Mine");
  ASSERT_EQ(window->traceView()->laneCount(), 2);
  EXPECT_EQ(window->traceView()->laneLabel(0), QStringLiteral("Fp1-T5"));
  EXPECT_EQ(window->traceView()->montage()->derivations[1].terms[0].weight, 0.5);
  EXPECT_EQ(controlsOf(*window)->montageBox()->currentText(), QStringLiteral("Custom: Mine"));
  EXPECT_EQ(controlsOf(*window)->customMontageFile(), montageFile);
  // Another recording opened next gets the file's montage too, as it would get a built-in; one without T5
  // cannot: referential, said in the status bar.
  {
    test::writeSyntheticEdf(tmp / "b.edf", spec);
    QSignalSpy opened(window.get(), &app::MainWindow::recordingOpened);
    window->openFile(QString::fromStdString((tmp / "b.edf").string()));
    ASSERT_TRUE(opened.wait(10000));
    ASSERT_TRUE(QTest::qWaitFor([&] { return window->traceView()->montage() != nullptr; }, 5000));
    EXPECT_EQ(window->traceView()->montage()->name, "Mine");
    EXPECT_EQ(window->traceView()->laneLabel(1), QStringLiteral("F7 half"));
    test::SyntheticSpec other = spec;
    other.labels = {"EEG Fp1", "EEG F7", "EEG T3", "EEG O1"};
    test::writeSyntheticEdf(tmp / "no-t5.edf", other);
    window->openFile(QString::fromStdString((tmp / "no-t5.edf").string()));
    ASSERT_TRUE(opened.wait(10000));
    QTest::qWait(50);  // the queued attempt to apply the file
    EXPECT_EQ(window->traceView()->montage(), nullptr);
    EXPECT_NE(window->statusBar()->currentMessage().indexOf(QStringLiteral("T5")), -1)
        << window->statusBar()->currentMessage().toStdString();
    window->openFile(recording);  // back to a.edf: referential now, as last shown
    ASSERT_TRUE(opened.wait(10000));
    QTest::qWait(50);
    EXPECT_EQ(window->traceView()->montage(), nullptr);
    ASSERT_TRUE(controlsOf(*window)->loadMontageFile(montageFile));
  }
  window->close();
  window.reset();

  // An edit in the editor that is not saved: the table is no longer the file.
  window = newWindow();
  ASSERT_TRUE(open(*window));
  editor = controlsOf(*window)->showMontageEditor();
  ASSERT_TRUE(editor->loadFile(montageFile));
  editor->table()->item(1, 1)->setText(QStringLiteral("0.25 F7"));
  EXPECT_EQ(editor->tableFile(), QString());
  editor->close();
  window->close();
  window.reset();

  // The file is gone: referential, and the status bar names the file.
  std::filesystem::remove(montageFile.toStdString());
  window = newWindow();
  ASSERT_TRUE(open(*window));
  EXPECT_EQ(window->traceView()->montage(), nullptr);
  EXPECT_EQ(window->traceView()->laneCount(), 4);
  EXPECT_NE(window->statusBar()->currentMessage().indexOf(QStringLiteral("mine.json")), -1)
      << window->statusBar()->currentMessage().toStdString();
  EXPECT_NE(window->statusBar()->currentMessage().indexOf(QStringLiteral("referential")), -1);
  // Loaded again by hand, then made unusable: malformed JSON, and a montage naming a channel not recorded.
  montage::saveMontageFile(montageFile.toStdString(), mine);
  ASSERT_TRUE(controlsOf(*window)->loadMontageFile(montageFile));
  window->close();
  window.reset();
  for (const char* content :
       {"{\"name\": \"Mine\", \"derivations\": [",
        R"({"name": "Other", "derivations": [{"label": "O1", "terms": [{"channel": "O1"}]}]})"}) {
    {
      std::ofstream out(montageFile.toStdString(), std::ios::trunc);
      out << content;
    }
    QSettings().setValue(QStringLiteral("browser/montageFile"), montageFile);
    window = newWindow();
    ASSERT_TRUE(open(*window));
    EXPECT_EQ(window->traceView()->montage(), nullptr) << content;
    EXPECT_EQ(window->traceView()->laneCount(), 4);
    EXPECT_NE(window->statusBar()->currentMessage().indexOf(QStringLiteral("mine.json")), -1)
        << window->statusBar()->currentMessage().toStdString();
    window->close();
    window.reset();
    // The fallback is what is remembered now.
    EXPECT_FALSE(QSettings().contains(QStringLiteral("browser/montageFile")));
    EXPECT_EQ(QSettings().value(QStringLiteral("browser/montage")).toString(), QStringLiteral("referential"));
  }
  QSettings().clear();
}
