// "Open model" in the Training jobs dock: a finished run's model is loaded into the window's model host (with
// a tokenizer.safetensors beside it, as File → Load model… does), the status bar names it and the chat pane
// then asks that model.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "app/studio/MainWindow.h"
#include "app/studio/ModelHost.h"
#include "common/TempDir.h"
#include "common/QtApp.h"
#include "common/TestPaths.h"
#include "core/jobs/RunFiles.h"
#include "core/preprocess/PatchGrid.h"
#include "models/runtime/EegWindows.h"
#include "models/runtime/InferenceRuntime.h"
#include "widgets/chat/ChatPane.h"
#include "widgets/jobs/JobsPanel.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

using test::qtApp;

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

namespace {

// A finished run's folder as the trainer leaves it: model.safetensors, the stored config.json and a log.jsonl
// that starts and ends (`done`) the stage.
void writeRun(const fs::path& runDir, const std::string& stage, const nlohmann::json& config) {
  auto c = config;
  c["stage"] = stage;
  c["run_dir"] = runDir.string();
  std::ofstream(runDir / "config.json") << c.dump(2);
  const nlohmann::json start = {{"event", "start"},
                                {"stage", stage},
                                {"run_dir", runDir.string()},
                                {"device", "cpu"},
                                {"total", 4},
                                {"steps_per_epoch", 4},
                                {"threads", 1},
                                {"world_size", 1},
                                {"train_windows", 16},
                                {"resumed_from", nullptr},
                                {"time", "2026-12-03T09:00:00Z"}};
  const nlohmann::json done = {{"event", "done"},
                               {"model", (runDir / "model.safetensors").string()},
                               {"step", 4},
                               {"time", "2026-12-03T09:01:00Z"}};
  std::ofstream(runDir / "log.jsonl") << start.dump() << "\n" << done.dump() << "\n";
}

}  // namespace

// A pretrain/instruct run folder holds no tokenizer: Open model takes the one the run was trained with from
// its config.json ("tokenizer", or "init_model" back to the pretrain run's); a vq run's model is offered as
// the current model's tokenizer, never loaded as a NeuroLM.
TEST(OpenRunModel, TheTokenizerComesFromTheRunsConfigAndAVqRunIsUsedAsTokenizer) {
  qtApp();
  test::TempDir tmp("open-run-tokenizer");
  QCoreApplication::setOrganizationName(QStringLiteral("neurolm-tests"));
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, qs(tmp / "settings"));
  const fs::path first = tmp / "first" / "neurolm.safetensors";
  const fs::path vq = tmp / "runs" / "vq", pre = tmp / "runs" / "pre", ins = tmp / "runs" / "ins";
  init("neurolm", 7, first);
  init("vq", 3, vq / "model.safetensors");
  init("neurolm", 11, pre / "model.safetensors");
  init("neurolm", 13, ins / "model.safetensors");
  // As trainConfigToJson writes them: an instruct run's "tokenizer" is empty, its "init_model" the
  // pretrain's.
  writeRun(vq, "vq", {{"tokenizer", ""}, {"init_model", ""}});
  writeRun(pre, "pretrain", {{"tokenizer", (vq / "model.safetensors").string()}, {"init_model", ""}});
  writeRun(ins, "instruct", {{"tokenizer", ""}, {"init_model", (pre / "model.safetensors").string()}});
  QSettings().setValue(QStringLiteral("jobs/runDirs"), QStringList{qs(vq), qs(pre), qs(ins)});

  app::MainWindow window;
  window.resize(1400, 860);
  window.show();
  app::ModelHost* host = window.modelHost();
  auto* panel = window.jobsPanel();
  QSignalSpy loaded(host, &app::ModelHost::loaded);
  host->load(qs(first));
  ASSERT_TRUE(loaded.wait(60000)) << host->lastError().toStdString();
  EXPECT_FALSE(host->runtime()->hasTokenizer());

  // The vq run: its button uses the model as the loaded NeuroLM's tokenizer.
  panel->selectJob(qs(vq));
  ASSERT_TRUE(QTest::qWaitFor([&] { return panel->shownStatus(qs(vq)) == jobs::JobStatus::Done; }, 10000));
  EXPECT_EQ(panel->openModelButton()->text(), QStringLiteral("Use as tokenizer"));
  EXPECT_TRUE(panel->openModelButton()->toolTip().contains(QStringLiteral("not a NeuroLM")));
  ASSERT_TRUE(panel->openModelButton()->isEnabled());
  QSignalSpy asModel(panel, &widgets::JobsPanel::openModelRequested);
  panel->openModelButton()->click();
  EXPECT_EQ(asModel.size(), 0);
  ASSERT_TRUE(loaded.wait(60000)) << host->lastError().toStdString();
  EXPECT_EQ(host->modelPath(), qs(first));
  EXPECT_EQ(host->tokenizerPath(), qs(vq / "model.safetensors"));
  EXPECT_TRUE(host->runtime()->hasTokenizer());
  EXPECT_TRUE(host->runtime()->hasNeuroLm());

  // The pretrain run: Open model loads its model with the "tokenizer" of its config.
  panel->selectJob(qs(pre));
  ASSERT_TRUE(QTest::qWaitFor([&] { return panel->shownStatus(qs(pre)) == jobs::JobStatus::Done; }, 10000));
  EXPECT_EQ(panel->openModelButton()->text(), QStringLiteral("Open model"));
  panel->openModelButton()->click();
  ASSERT_EQ(asModel.size(), 1);
  ASSERT_TRUE(loaded.wait(60000)) << host->lastError().toStdString();
  EXPECT_EQ(host->modelPath(), qs(pre / "model.safetensors"));
  EXPECT_EQ(host->tokenizerPath(), qs(vq / "model.safetensors"));

  // The instruct run: "init_model" leads back to the pretrain run, whose config names the tokenizer.
  panel->selectJob(qs(ins));
  ASSERT_TRUE(QTest::qWaitFor([&] { return panel->shownStatus(qs(ins)) == jobs::JobStatus::Done; }, 10000));
  panel->openModelButton()->click();
  ASSERT_TRUE(loaded.wait(60000)) << host->lastError().toStdString();
  EXPECT_EQ(host->modelPath(), qs(ins / "model.safetensors"));
  EXPECT_EQ(host->tokenizerPath(), qs(vq / "model.safetensors"));
  EXPECT_TRUE(host->runtime()->hasTokenizer());
  const auto found = jobs::findRunTokenizer(ins / "model.safetensors");
  EXPECT_TRUE(found.note.find((ins / "config.json").string()) != std::string::npos) << found.note;

  // File → Load model… with a vq run's model: taken as the tokenizer of the model loaded now, not as a
  // NeuroLM.
  window.loadModel(qs(vq / "model.safetensors"));
  ASSERT_TRUE(loaded.wait(60000)) << host->lastError().toStdString();
  EXPECT_EQ(host->modelPath(), qs(ins / "model.safetensors"));
  EXPECT_EQ(host->tokenizerPath(), qs(vq / "model.safetensors"));

  // A config naming a tokenizer that is gone: the model loads alone, and the lookup says which file is
  // missing.
  fs::remove(vq / "model.safetensors");
  EXPECT_FALSE(jobs::findRunTokenizer(ins / "model.safetensors").path);
  EXPECT_NE(jobs::findRunTokenizer(ins / "model.safetensors").note.find("does not exist"), std::string::npos);
  panel->openModelButton()->click();
  ASSERT_TRUE(loaded.wait(60000)) << host->lastError().toStdString();
  EXPECT_EQ(host->modelPath(), qs(ins / "model.safetensors"));
  EXPECT_TRUE(host->tokenizerPath().isEmpty());
  // A chain that loops ends with a note, not a hang.
  std::ofstream(pre / "config.json") << nlohmann::json{{"stage", "pretrain"},
                                                       {"tokenizer", ""},
                                                       {"init_model", (ins / "model.safetensors").string()}}
                                            .dump();
  EXPECT_FALSE(jobs::findRunTokenizer(ins / "model.safetensors").path);
  EXPECT_NE(jobs::findRunTokenizer(ins / "model.safetensors").note.find("loops"), std::string::npos);

  panel->selectJob(qs(vq));
  QTest::qWait(50);
  window.jobsDock()->show();
  window.jobsDock()->raise();
  QTest::qWait(50);
  window.jobsDock()->grab().save(QStringLiteral("/tmp/open_run_tokenizer_dock.png"));
  QSettings().remove(QStringLiteral("jobs/runDirs"));
}
