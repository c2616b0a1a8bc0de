// The annotations dock driven as a user would: keys on the traces, editing in the table, undo/redo, the
// filter and jumping; the sidecar next to the recording is written on change and read back by a new window.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDockWidget>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>
#include <filesystem>

#include "app/studio/MainWindow.h"
#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "common/QtApp.h"
#include "common/TestPaths.h"
#include "core/annotations/AnnotationFiles.h"
#include "widgets/annotations/AnnotationTableModel.h"
#include "widgets/annotations/AnnotationsDock.h"
#include "widgets/traces/TraceView.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

using test::qtApp;

// EEGMMIDB S002R03 (intact copy) has 30 EDF+ annotations; MNE reads 7 'T2', the first two at 12.3 s and 20.5
// s (mne.read_annotations, computed once by hand for this test).
fs::path copyOfS002R03(const test::TempDir& tmp) {
  const fs::path copy = tmp / "S002R03 copy.edf";
  fs::copy_file(test::dataDir() / "eegmmidb" / "S002" / "S002R03.edf", copy);
  return copy;
}

void openAndWait(app::MainWindow& window, const fs::path& file) {
  QSignalSpy loaded(&window, &app::MainWindow::annotationsLoaded);
  window.openFile(QString::fromStdString(file.string()));
  ASSERT_TRUE(loaded.wait(15000)) << window.errorText().toStdString();
}

void activate(QWidget& window) {
  window.show();
  window.activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(&window));
}

}  // namespace

TEST(AnnotationsPane, UserAddsEditsUndoesFiltersAndJumps) {
  qtApp();
  test::TempDir tmp("pane");
  const fs::path recording = copyOfS002R03(tmp);
  const auto recordingBytes = test::readAllBytes(recording);
  const fs::path sidecar = annotationSidecarPath(recording);
  {
    app::MainWindow window;
    window.resize(1400, 900);
    activate(window);
    openAndWait(window, recording);
    AnnotationDocument* doc = window.annotations();
    ASSERT_NE(doc, nullptr);
    ASSERT_EQ(doc->size(), 30u);
    EXPECT_EQ(doc->entries()[0].source, AnnotationSource::File);
    EXPECT_TRUE(window.annotationsDock()->isVisible());
    auto* pane = window.annotationsPane();
    auto* table = pane->table();
    EXPECT_EQ(table->model()->rowCount(), 30);

    // Two pages on (10-s pages), then key 3 labels the page 'N2'.
    auto* traces = window.traceView();
    traces->setFocus();
    QTest::keyClick(traces, Qt::Key_PageDown);
    QTest::keyClick(traces, Qt::Key_PageDown);
    ASSERT_DOUBLE_EQ(traces->pageStartSec(), 20.0);
    QSignalSpy saved(&window, &app::MainWindow::annotationsSaved);
    QTest::keyClick(traces, Qt::Key_3);
    ASSERT_EQ(doc->size(), 31u);
    const AnnotationEntry* added = nullptr;
    for (const auto& e : doc->entries()) {
      if (e.source == AnnotationSource::User) added = &e;
    }
    ASSERT_NE(added, nullptr);
    const std::uint64_t id = added->id;
    EXPECT_EQ(added->text, "N2");
    EXPECT_DOUBLE_EQ(added->onsetSec, 20.0);
    EXPECT_DOUBLE_EQ(added->durationSec, 10.0);
    ASSERT_TRUE(saved.wait(5000));
    EXPECT_EQ(loadSidecar(sidecar).size(), 31u);

    // Edit its text in the table: the new row is selected; F2 opens the editor on the current cell.
    const QModelIndex current = table->currentIndex();
    ASSERT_TRUE(current.isValid());
    ASSERT_EQ(current.data(widgets::AnnotationTableModel::IdRole).value<quint64>(), id);
    const QModelIndex textCell = current.siblingAtColumn(widgets::AnnotationTableModel::TextColumn);
    table->setFocus();
    table->setCurrentIndex(textCell);
    QTest::keyClick(table, Qt::Key_F2);
    auto* editor = qobject_cast<QLineEdit*>(QApplication::focusWidget());
    ASSERT_NE(editor, nullptr);
    editor->selectAll();
    QTest::keyClicks(editor, QStringLiteral("N2 spindles "));
    editor->insert(QStringLiteral("纺锤波"));  // as an input method commits it (QTest types ASCII only)
    QTest::keyClick(editor, Qt::Key_Return);   // the delegate commits on the next event loop turn
    ASSERT_TRUE(QTest::qWaitFor([&] { return doc->find(id) && doc->find(id)->text != "N2"; }, 2000));
    EXPECT_EQ(doc->find(id)->text, "N2 spindles 纺锤波");
    EXPECT_EQ(doc->undoText(), "edit 'N2'");

    // Undo twice from the traces (Ctrl+Z): the edit, then the annotation; redo brings both back.
    traces->setFocus();
    QTest::keyClick(traces, Qt::Key_Z, Qt::ControlModifier);
    EXPECT_EQ(doc->find(id)->text, "N2");
    QTest::keyClick(traces, Qt::Key_Z, Qt::ControlModifier);
    EXPECT_EQ(doc->find(id), nullptr);
    EXPECT_EQ(table->model()->rowCount(), 30);
    QTest::keyClick(traces, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QTest::keyClick(traces, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    ASSERT_NE(doc->find(id), nullptr);
    EXPECT_EQ(doc->find(id)->text, "N2 spindles 纺锤波");

    // Filter: typing T2 leaves the 7 T2 rows.
    QTest::keyClicks(pane->filterEdit(), QStringLiteral("t2"));
    ASSERT_EQ(table->model()->rowCount(), 7);
    // Jump: clicking the second T2 row moves the traces to its onset.
    const QModelIndex second = table->model()->index(1, widgets::AnnotationTableModel::TextColumn);
    EXPECT_EQ(second.data().toString(), QStringLiteral("T2"));
    table->scrollTo(second);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(second).center());
    EXPECT_NEAR(traces->pageStartSec(), 20.5, 1e-9);
    // Typing digits in the filter types digits; it does not label pages.
    QTest::keyClicks(pane->filterEdit(), QStringLiteral("1"));
    EXPECT_EQ(pane->filterEdit()->text(), QStringLiteral("t21"));
    EXPECT_EQ(doc->size(), 31u);
    pane->filterEdit()->clear();
    EXPECT_EQ(table->model()->rowCount(), 31);

    // Delete the first file annotation (T0 at 0 s) with the Delete key in the table.
    table->setFocus();
    table->selectRow(0);
    QTest::keyClick(table, Qt::Key_Delete);
    EXPECT_EQ(doc->size(), 30u);
    EXPECT_GT(doc->entries()[0].onsetSec, 0.0);
  }  // closing the window writes what is pending

  EXPECT_EQ(test::readAllBytes(recording), recordingBytes) << "the recording was modified";
  const auto onDisk = loadSidecar(sidecar);
  ASSERT_EQ(onDisk.size(), 30u);
  {
    // A new window opens the sidecar instead of the file's annotations.
    app::MainWindow window;
    activate(window);
    openAndWait(window, recording);
    AnnotationDocument* doc = window.annotations();
    ASSERT_EQ(doc->size(), 30u);
    int user = 0;
    for (const auto& e : doc->entries()) {
      if (e.source == AnnotationSource::User) {
        ++user;
        EXPECT_EQ(e.text, "N2 spindles 纺锤波");
      }
    }
    EXPECT_EQ(user, 1);
    EXPECT_FALSE(doc->canUndo());
  }
}

TEST(AnnotationsPane, OpeningAHypnogramImportsItOntoTheOpenRecording) {
  qtApp();
  test::TempDir tmp("pane");
  const fs::path recording = copyOfS002R03(tmp);
  app::MainWindow window;
  activate(window);
  // No recording yet: the hypnogram alone is refused with a clear message.
  test::AnnotationOnlySpec spec;
  spec.annotations = {{0, 30, "Sleep stage W"}, {30, 30, "Sleep stage 1"}};
  const auto header = Recording::open(recording)->header();
  ASSERT_LT(header.startMinute, 59);
  spec.startDate =
      QString::asprintf("%02d.%02d.%02d", header.startDay, header.startMonth, header.startYear % 100)
          .toStdString();
  spec.startTime =  // one minute after the recording starts
      QString::asprintf("%02d.%02d.%02d", header.startHour, header.startMinute + 1, header.startSecond)
          .toStdString();
  const fs::path hypnogram = tmp / "S002R03-Hypnogram.edf";
  test::writeAnnotationOnlyEdf(hypnogram, spec);
  QSignalSpy failed(&window, &app::MainWindow::openFailed);
  window.openFile(QString::fromStdString(hypnogram.string()));
  ASSERT_TRUE(failed.wait(10000));
  EXPECT_NE(window.errorText().indexOf(QStringLiteral("annotations only")), -1)
      << window.errorText().toStdString();

  openAndWait(window, recording);
  AnnotationDocument* doc = window.annotations();
  ASSERT_EQ(doc->size(), 30u);
  window.openFile(QString::fromStdString(hypnogram.string()));
  ASSERT_TRUE(QTest::qWaitFor([&] { return doc->size() == 32u; }, 10000));
  EXPECT_EQ(window.recording()->sourceName(), recording.string());  // still the recording
  int imported = 0;
  for (const auto& e : doc->entries()) {
    if (e.source != AnnotationSource::Imported) continue;
    ++imported;
    EXPECT_DOUBLE_EQ(e.onsetSec, e.text == "Sleep stage W" ? 60.0 : 90.0);  // shifted by the start times
  }
  EXPECT_EQ(imported, 2);
  EXPECT_EQ(doc->undoText(), "import S002R03-Hypnogram.edf");  // one step
}

TEST(AnnotationsPane, OpeningAnotherRecordingSavesTheFirstAndShowsTheSecond) {
  qtApp();
  test::TempDir tmp("pane");
  const fs::path first = copyOfS002R03(tmp);
  test::SyntheticSpec spec;  // the second: plain EDF without annotations
  spec.channels = 2;
  spec.seconds = 60;
  const fs::path second = tmp / "second.edf";
  test::writeSyntheticEdf(second, spec);

  app::MainWindow window;
  activate(window);
  openAndWait(window, first);
  window.traceView()->setFocus();
  QTest::keyClick(window.traceView(), Qt::Key_6);  // 'Artifact' over the first page
  ASSERT_EQ(window.annotations()->size(), 31u);
  openAndWait(window, second);  // before the save timer fired
  EXPECT_EQ(window.annotations()->size(), 0u);
  EXPECT_EQ(window.annotationsPane()->table()->model()->rowCount(), 0);
  EXPECT_FALSE(fs::exists(annotationSidecarPath(second)));  // nothing changed there: nothing written

  const auto saved = loadSidecar(annotationSidecarPath(first));
  ASSERT_EQ(saved.size(), 31u);
  int artifacts = 0;
  for (const auto& e : saved) artifacts += e.text == "Artifact" && e.onsetSec == 0 && e.durationSec == 10;
  EXPECT_EQ(artifacts, 1);
}

TEST(AnnotationsPane, EdfPlusDGapsAreInTheReportNotInTheAnnotations) {
  qtApp();
  test::TempDir tmp("pane");
  test::SyntheticSpec spec;
  spec.channels = 2;
  spec.seconds = 4;
  spec.edfPlus = true;
  spec.annotations = {{0.5, "stimulus"}};
  const fs::path path = tmp / "d.edf";
  test::writeSyntheticEdf(path, spec);
  auto bytes = test::readAllBytes(path);
  test::patchField(bytes, 192, 44, "EDF+D");
  const std::string s(bytes.begin(), bytes.end());
  const auto at = s.find("+3\x14\x14");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 1] = '8';  // the last record starts at 8 s: one gap of 5 s after 3 s
  test::writeAllBytes(path, bytes);

  app::MainWindow window;
  activate(window);
  openAndWait(window, path);
  ASSERT_EQ(window.annotations()->size(), 1u);
  EXPECT_EQ(window.annotations()->entries()[0].text, "stimulus");
  ASSERT_TRUE(QTest::qWaitFor([&] { return window.reportText().contains(QStringLiteral("Gaps")); }, 5000))
      << window.reportText().toStdString();
  EXPECT_TRUE(window.reportText().contains(QStringLiteral("1 gap(s), 5 s without data")))
      << window.reportText().toStdString();
}
