// The README's tour: the main window on the embedded sample with the embedded model and tokenizer, every
// model pane used once as a user would (a task from the model's list, its evidence, the whole recording, a
// clicked code). Asserts what the README says each pane shows; with NEUROLM_SCREENSHOT_DIR set it keeps the
// pictures the README uses (docs/tour-*.png).
#include <gtest/gtest.h>

#include <QDir>
#include <QDockWidget>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <cmath>

#include "app/studio/MainWindow.h"
#include "app/studio/ModelHost.h"
#include "common/QtApp.h"
#include "common/TestPaths.h"
#include "widgets/chat/ChatPane.h"
#include "widgets/overview/OverviewView.h"
#include "widgets/tokens/CodeUsageView.h"
#include "widgets/tokens/TokenLane.h"
#include "widgets/tokens/TokenModel.h"
#include "widgets/traces/TraceView.h"

using namespace neurolm;

namespace {

void keep(QWidget* w, const char* name) {
  const QByteArray dir = qgetenv("NEUROLM_SCREENSHOT_DIR");
  if (dir.isEmpty()) return;
  QTest::qWait(200);  // let queued repaints land
  ASSERT_TRUE(w->grab().save(QDir(QString::fromLocal8Bit(dir)).filePath(QString::fromLatin1(name))));
}

}  // namespace

TEST(ReadmeTour, TheEmbeddedModelOnTheSampleInEveryPane) {
  test::qtApp();
  QStandardPaths::setTestModeEnabled(true);  // chat history in the test data folder
  ASSERT_TRUE(QFileInfo::exists(app::ModelHost::defaultModelPath())) << "resources/model is part of the repository";

  app::MainWindow window;
  window.resize(1600, 1000);
  window.show();
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  window.openFile(QString::fromStdString((test::resourcesDir() / "sample" / "Subject00_2.edf").string()));
  window.modelHost()->loadDefault();
  ASSERT_TRUE(opened.count() > 0 || opened.wait(30000));
  ASSERT_TRUE(QTest::qWaitFor([&] { return !window.modelHost()->isLoading(); }, 120000));
  ASSERT_TRUE(window.modelHost()->lastError().isEmpty()) << window.modelHost()->lastError().toStdString();
  EXPECT_EQ(window.modelHost()->tokenizerPath(), app::ModelHost::defaultTokenizerPath());

  // The token lane: a code for every channel the tokenizer knows and every whole second of the recording.
  widgets::TokenLane* lane = window.tokenLane();
  ASSERT_TRUE(QTest::qWaitFor([&] { return lane->state() == widgets::TokenLane::State::Ready; }, 120000))
      << lane->statusText().toStdString();
  const auto grid = lane->model()->grid();
  ASSERT_TRUE(grid);
  EXPECT_EQ(grid->channelCount(), 19u);  // EEGMAT's 10-20 channels
  EXPECT_EQ(lane->model()->tokenCount(), grid->channelCount() * grid->seconds);

  // A task from the model's own list, one click: the answer and its option probabilities (they sum to 1 and
  // the streamed answer is the most probable option, as the model card's hard answers are).
  widgets::ChatPane* pane = window.chatPane();
  ASSERT_TRUE(QTest::qWaitFor([&] { return !pane->tasks().isEmpty() && pane->currentSegment(); }, 30000));
  pane->clearConversation();
  QSignalSpy answered(pane, &widgets::ChatPane::answerFinished);
  ASSERT_TRUE(pane->askTask(0));
  ASSERT_TRUE(answered.wait(120000));
  const widgets::ChatAnswer& answer = pane->conversation().turn(0).shown().answer;
  ASSERT_TRUE(answer.error.isEmpty()) << answer.error.toStdString();
  ASSERT_EQ(answer.choices.size(), pane->tasks()[0].options.size());
  double sum = 0, best = -1;
  QString bestText;
  for (const auto& c : answer.choices) {
    sum += c.probability;
    if (c.probability > best) best = c.probability, bestText = c.text;
  }
  EXPECT_NEAR(sum, 1.0, 1e-6);
  EXPECT_EQ(answer.text.trimmed(), bestText.trimmed());  // no <|endoftext|> shown

  // Its evidence: the tokens that moved the answer, outlined on the lane and highlighted on the traces.
  QSignalSpy explained(pane, &widgets::ChatPane::evidenceShown);
  ASSERT_TRUE(pane->showEvidence(0));
  ASSERT_TRUE(explained.wait(120000));
  EXPECT_FALSE(lane->evidence().empty());
  EXPECT_EQ(window.traceView()->highlights(widgets::TraceView::HighlightLayer::Evidence).size(),
            lane->evidence().size());
  window.chatDock()->raise();
  keep(&window, "tour-chat.png");

  // The whole recording: one probability per window as a track on the overview.
  QSignalSpy scanned(pane, &widgets::ChatPane::scanFinished);
  ASSERT_TRUE(pane->askWholeRecording(0));
  ASSERT_TRUE(scanned.wait(180000));
  const auto& track = window.overview()->track();
  ASSERT_FALSE(track.isEmpty());
  EXPECT_EQ(track.value.size(), track.startSec.size());
  for (double v : track.value) EXPECT_TRUE(v >= 0 && v <= 1) << v;

  // Find similar EEG: the most frequent code, clicked, is highlighted on the traces wherever it occurs.
  const auto top = lane->model()->topCodes(1);
  ASSERT_EQ(top.size(), 1u);
  lane->model()->selectCode(top[0].code);
  EXPECT_EQ(lane->model()->occurrences().size(), top[0].count);
  EXPECT_EQ(window.traceView()->highlights(widgets::TraceView::HighlightLayer::CodeOccurrences).size(), top[0].count);
  window.codeUsageDock()->show();
  window.codeUsageDock()->raise();
  keep(&window, "tour-tokens.png");

  pane->clearConversation();
  pane->flushWrites();
}
