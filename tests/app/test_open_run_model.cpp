// "Open model" in the Training jobs dock: a finished run's model is loaded into the window's model host (with
// a tokenizer.safetensors beside it, as File → Load model… does), the status bar names it and the chat pane
// then asks that model.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "app/studio/MainWindow.h"
#include "app/studio/ModelHost.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/preprocess/PatchGrid.h"
#include "models/runtime/EegWindows.h"
#include "models/runtime/InferenceRuntime.h"
#include "widgets/chat/ChatPane.h"
#include "widgets/jobs/JobsPanel.h"

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

constexpr const char* kWorkload = "Question: Is this EEG segment of high workload? Answer:";

QString qs(const fs::path& p) { return QString::fromStdString(p.string()); }

// A random tiny model written by the CLI, as a user (or a finished run) leaves one.
void init(const char* kind, int seed, const fs::path& out) {
  fs::create_directories(out.parent_path());
  const std::string cmd = (test::binDir() / "neurolm").string() + " init --kind " + kind +
                          " --size tiny --seed " + std::to_string(seed) + " --out " + out.string() +
                          " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// The engine asked directly (no Qt, no pane), loaded with the same files as the host.
runtime::AskResult askDirectly(const fs::path& model, const QString& tokenizer,
                               const widgets::ChatSegment& s) {
  const auto source =
      runtime::EegSource::openRecording((test::resourcesDir() / "sample" / "Subject00_2.edf").string());
  runtime::RuntimeOptions o;
  o.neuroLmPath = model;
  o.tokenizerPath = tokenizer.toStdString();
  o.bpeDir = test::resourcesDir() / "tokenizer" / "gpt2";
  runtime::InferenceRuntime engine(o);
  runtime::AskOptions ask;
  ask.maxNewTokens = 1;
  ask.choices = {" Yes", " No"};
  return engine
      .ask(source.window({s.startSec, s.endSec}, preprocess::kInstructionPaddedLength), kWorkload, ask)
      .get();
}

}  // namespace

TEST(OpenRunModel, OpenModelInTheJobsDockLoadsTheRunsModelAndTheChatAsksIt) {
  qtApp();
  QStandardPaths::setTestModeEnabled(true);
  test::TempDir tmp("open-run-model");
  // The model the window starts with, and a finished run's folder: its model and a tokenizer beside it.
  const fs::path first = tmp / "first" / "neurolm.safetensors";
  const fs::path runDir = tmp / "runs" / "instruct";
  const fs::path runModel = runDir / "model.safetensors";
  const fs::path runTokenizer = runDir / "tokenizer.safetensors";
  init("neurolm", 7, first);
  init("neurolm", 11, runModel);
  init("vq", 3, runTokenizer);

  app::MainWindow window;
  window.resize(1400, 860);
  window.show();
  app::ModelHost* host = window.modelHost();
  QSignalSpy loaded(host, &app::ModelHost::loaded);
  host->load(qs(first));
  ASSERT_TRUE(loaded.wait(60000)) << host->lastError().toStdString();
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  window.openFile(qs(test::resourcesDir() / "sample" / "Subject00_2.edf"));
  ASSERT_TRUE(opened.wait(30000));
  widgets::ChatPane* pane = window.chatPane();
  ASSERT_TRUE(QTest::qWaitFor([pane] { return pane->currentSegment().has_value(); }, 30000));

  // Open model, as the jobs dock's button emits it for a finished run.
  Q_EMIT window.jobsPanel()->openModelRequested(qs(runModel));
  ASSERT_TRUE(loaded.wait(60000)) << host->lastError().toStdString();
  EXPECT_EQ(host->modelPath(), qs(runModel));
  EXPECT_EQ(host->tokenizerPath(), qs(runTokenizer));
  ASSERT_TRUE(host->runtime());
  EXPECT_TRUE(host->runtime()->hasNeuroLm());
  EXPECT_TRUE(host->runtime()->hasTokenizer());
  // The status bar says which model the chat now uses: its file and its folder.
  const QString status = window.statusBar()->currentMessage();
  EXPECT_TRUE(status.contains(QStringLiteral("model.safetensors"))) << status.toStdString();
  EXPECT_TRUE(status.contains(QDir::toNativeSeparators(qs(runDir)))) << status.toStdString();
  // The chat pane shows it (its model label's tooltip starts with the model's path).
  ASSERT_TRUE(QTest::qWaitFor(
      [&] {
        for (const QLabel* label : pane->findChildren<QLabel*>())
          if (label->toolTip().startsWith(qs(runModel))) return true;
        return false;
      },
      5000));

  // The chat asks the run's model: the option probabilities equal that model asked directly, and differ from
  // the first model's (so the comparison tells the two apart).
  pane->clearConversation();
  pane->inputEdit()->setPlainText(QString::fromLatin1(kWorkload));
  pane->optionsEdit()->setText(QStringLiteral(" Yes, No"));
  pane->maxTokensBox()->setValue(1);
  QSignalSpy answered(pane, &widgets::ChatPane::answerFinished);
  ASSERT_TRUE(pane->send());
  ASSERT_TRUE(answered.wait(120000));
  const auto& answer = pane->conversation().turn(pane->conversation().turnCount() - 1).shown().answer;
  const widgets::ChatSegment segment = *pane->currentSegment();
  const runtime::AskResult byRun = askDirectly(runModel, qs(runTokenizer), segment);
  const runtime::AskResult byFirst = askDirectly(first, QString(), segment);
  ASSERT_EQ(answer.choices.size(), 2);
  ASSERT_EQ(byRun.choices.size(), 2u);
  ASSERT_EQ(byFirst.choices.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const auto k = static_cast<std::size_t>(i);
    EXPECT_EQ(answer.choices[i].text.toStdString(), byRun.choices[k].text);
    EXPECT_NEAR(answer.choices[i].logProb, byRun.choices[k].logProb, 1e-9);
  }
  EXPECT_GT(std::abs(byRun.choices[0].logProb - byFirst.choices[0].logProb), 1e-3);
  std::printf("log p(' Yes'): run's model %.6f (chat %.6f), first model %.6f\n", byRun.choices[0].logProb,
              answer.choices[0].logProb, byFirst.choices[0].logProb);

  // A run's model without a tokenizer beside it loads alone.
  const fs::path bare = tmp / "runs" / "bare" / "model.safetensors";
  fs::create_directories(bare.parent_path());
  fs::copy_file(runModel, bare);
  Q_EMIT window.jobsPanel()->openModelRequested(qs(bare));
  ASSERT_TRUE(loaded.wait(60000)) << host->lastError().toStdString();
  EXPECT_EQ(host->modelPath(), qs(bare));
  EXPECT_TRUE(host->tokenizerPath().isEmpty());
  QTest::qWait(50);
  window.grab().save(QStringLiteral("/tmp/open_run_model.png"));
}
