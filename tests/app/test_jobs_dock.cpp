// The Training jobs dock: a tiny real `neurolm train` job (vq on EEGMAT, the real binary) started from the
// form, followed (progress, loss curve), stopped (exit 75), resumed, re-attached by a new window after the
// first one was destroyed while the job ran, and finished; the UI event loop never stalls meanwhile.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTest>
#include <QTimer>
#include <QTranslator>
#include <ctime>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "app/studio/LocalJobRunner.h"
#include "app/studio/MainWindow.h"
#include "app/studio/SlurmJobRunner.h"
#include "common/TempDir.h"
#include "common/QtApp.h"
#include "common/TestPaths.h"
#include "core/jobs/SlurmJob.h"
#include "models/train/Trainer.h"
#include "widgets/jobs/JobForm.h"
#include "widgets/jobs/JobsPanel.h"

using namespace neurolm;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using test::qtApp;

// Subjects 00–02 train, 03 validation (8 EEGMAT recordings), as tests/cli/test_train.cpp.
fs::path writeMiniDefinition(const fs::path& dir) {
  const std::vector<std::string> channels = {
      "EEG Fp1", "EEG Fp2", "EEG F3", "EEG F4", "EEG F7", "EEG F8", "EEG T3", "EEG T4", "EEG C3", "EEG C4",
      "EEG T5",  "EEG T6",  "EEG P3", "EEG P4", "EEG O1", "EEG O2", "EEG Fz", "EEG Cz", "EEG Pz"};
  json d = {{"name", "mini-workload"},
            {"root", (test::dataDir() / "eegmat").string()},
            {"files", {"^Subject0[0-3]_[12]\\.edf$"}},
            {"channels", channels},
            {"channel_name_rule", "workload"},
            {"protocol", "workload"},
            {"split", {{"subject_pattern", "^Subject(\\d\\d)_"}, {"train", {"00-02"}}, {"val", {"03"}}}}};
  const auto path = dir / "mini.json";
  std::ofstream(path) << d.dump(1);
  return path;
}

double threadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// The largest gap between ticks of a 5-ms timer: how long the UI thread was unable to dispatch. On a shared
// machine the thread may also wait for a core, so the CPU time the UI thread itself spent within each gap is
// measured too: that part is the pane's own work.
class GapMeter {
 public:
  GapMeter() {
    timer_.setInterval(5);
    QObject::connect(&timer_, &QTimer::timeout, [this]() {
      const double cpu = threadCpuMs();
      if (clock_.isValid()) {
        maxGapMs_ = std::max(maxGapMs_, clock_.nsecsElapsed() / 1e6);
        maxBusyMs_ = std::max(maxBusyMs_, cpu - lastCpuMs_);
      }
      lastCpuMs_ = cpu;
      clock_.restart();
    });
  }
  void start() {
    clock_.invalidate();
    timer_.start();
  }
  void pause() { timer_.stop(); }
  double maxGapMs() const { return maxGapMs_; }
  double maxBusyMs() const { return maxBusyMs_; }

 private:
  QTimer timer_;
  QElapsedTimer clock_;
  double lastCpuMs_ = 0;
  double maxGapMs_ = 0;
  double maxBusyMs_ = 0;
};

template <class F>
bool waitFor(F condition, int timeoutMs) {
  QElapsedTimer t;
  t.start();
  while (!condition()) {
    if (t.elapsed() > timeoutMs) return false;
    QTest::qWait(20);
  }
  return true;
}

}  // namespace

TEST(JobsDock, FormDefaultsAreTheTrainersOfficialDefaults) {
  qtApp();
  test::TempDir tmp("jobs-defaults");
  const auto definition = writeMiniDefinition(tmp.path());
  std::ofstream(tmp / "model.safetensors") << "x";  // only its existence is checked by the config reader
  for (const auto& stage : widgets::JobForms::stages()) {
    json c = {{"stage", stage.toStdString()},
              {"run_dir", (tmp / "run").string()},
              {"dataset", definition.string()}};
    if (stage == "pretrain") c["tokenizer"] = (tmp / "model.safetensors").string();
    if (stage == "instruct" || stage == "eval") c["init_model"] = (tmp / "model.safetensors").string();
    std::ofstream(tmp / "c.json") << c.dump();
    const auto official = train::readTrainConfig(tmp / "c.json");
    const auto shown = widgets::JobForms::defaults(stage);
    EXPECT_EQ(shown.epochs, official.epochs) << stage.toStdString();
    EXPECT_EQ(shown.batchSize, official.batchSize) << stage.toStdString();
    EXPECT_DOUBLE_EQ(shown.lr, official.lr) << stage.toStdString();
    EXPECT_EQ(shown.paddedLength, official.paddedLength) << stage.toStdString();
  }
}

TEST(JobsDock, StartsFollowsStopsResumesAndReattachesARealTrainingJob) {
  qtApp();
  test::TempDir tmp("jobs-dock");
  QCoreApplication::setOrganizationName(QStringLiteral("neurolm-tests"));
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                     QString::fromStdString((tmp / "settings").string()));
  QSettings().remove(QStringLiteral("jobs/runDirs"));
  const auto definition = writeMiniDefinition(tmp.path());
  const QString runDir = QString::fromStdString((tmp / "runs" / "vq").string());
  constexpr int kSteps = 10;
  GapMeter gaps;

  auto window = std::make_unique<app::MainWindow>();
  window->resize(1400, 900);
  window->show();
  EXPECT_TRUE(window->jobsDock()->isHidden());  // no known jobs: the dock waits in the View menu
  window->jobsDock()->show();
  window->jobsDock()->raise();
  auto* panel = window->jobsPanel();
  ASSERT_NE(panel, nullptr);

  // Inline validation: nothing is started from an incomplete form.
  auto form = widgets::JobForms::defaultForm(QStringLiteral("pretrain"));
  form.dataset = QString::fromStdString((tmp / "missing.json").string());
  form.lr = QStringLiteral("fast");
  panel->setForm(form);
  EXPECT_EQ(panel->form().epochs, 20);  // pretrain's official defaults were shown
  EXPECT_EQ(panel->form().paddedLength, 1024);
  EXPECT_FALSE(panel->startFromForm());
  for (const char* field : {"dataset", "runDir", "tokenizer", "lr"}) {
    EXPECT_FALSE(panel->formMessage(QLatin1String(field))->isHidden()) << field;
    EXPECT_FALSE(panel->formMessage(QLatin1String(field))->text().isEmpty()) << field;
  }
  EXPECT_TRUE(panel->formMessage(QStringLiteral("dataset"))->text().contains(QStringLiteral("missing.json")));
  EXPECT_TRUE(panel->runDirs().isEmpty());
  panel->tabs()->setCurrentIndex(1);
  const auto formShot = fs::temp_directory_path() / "neurolm-jobs-form.png";
  ASSERT_TRUE(window->jobsDock()->grab().save(QString::fromStdString(formShot.string())));
  std::cout << "jobs form screenshot: " << formShot << "\n";

  form = widgets::JobForms::defaultForm(QStringLiteral("vq"));
  form.dataset = QString::fromStdString(definition.string());
  form.runDir = runDir;
  form.epochs = 1;
  form.batchSize = 4;
  form.maxSteps = kSteps;
  form.paddedLength = 96;
  form.otherKeys = QStringLiteral(
      R"({"warmup_epochs": 0, "text_batch_size": 2, "text_block_size": 32, "checkpoint_every_steps": 2,)"
      R"( "threads": 1})");
  panel->setForm(form);
  GapMeter idle;  // the same window with no job: what the machine's load alone costs
  idle.start();
  QTest::qWait(2000);
  idle.pause();
  ASSERT_TRUE(panel->startFromForm())
      << panel->formMessage(QStringLiteral("otherKeys"))->text().toStdString();
  EXPECT_TRUE(panel->formMessage(QStringLiteral("runDir"))->isHidden());
  QTest::qWait(300);  // the switch to the Jobs tab paints its chart for the first time
  gaps.start();
  ASSERT_EQ(panel->runDirs(), QStringList{runDir});
  EXPECT_EQ(panel->selectedRunDir(), runDir);
  {
    std::ifstream in(widgets::JobForms::configPath(runDir).toStdString());
    const auto written = json::parse(in);
    EXPECT_EQ(written["stage"], "vq");
    EXPECT_EQ(written["max_steps"], kSteps);
    EXPECT_EQ(written["padded_length"], 96);
    EXPECT_EQ(written["warmup_epochs"], 0);
    EXPECT_EQ(written["run_dir"], runDir.toStdString());
  }

  // Progress and the loss curve fill while it runs.
  ASSERT_TRUE(waitFor([&]() { return panel->state(runDir).step >= 2; }, 120000))
      << panel->statusText(runDir).toStdString() << "\n"
      << panel->logTail()->toPlainText().toStdString();
  EXPECT_EQ(panel->shownStatus(runDir), jobs::JobStatus::Running);
  EXPECT_EQ(panel->state(runDir).totalSteps, kSteps);
  EXPECT_GE(panel->lossSeries()->count(), 2);
  EXPECT_EQ(panel->lossSeries()->count(), panel->lrSeries()->count());
  EXPECT_GT(panel->lossSeries()->at(0).y(), 0.0);
  EXPECT_GE(panel->progressBar()->value(), 2);
  EXPECT_EQ(panel->progressBar()->maximum(), kSteps);
  EXPECT_TRUE(panel->progressBar()->format().contains(QStringLiteral("ETA")))
      << panel->progressBar()->format().toStdString();
  EXPECT_TRUE(panel->logTail()->toPlainText().contains(QStringLiteral("step 2/10")));
  EXPECT_TRUE(panel->stopButton()->isEnabled());
  EXPECT_FALSE(panel->resumeButton()->isEnabled());
  EXPECT_FALSE(panel->openModelButton()->isEnabled());

  // The dock as the user sees it, for a look by eye.
  gaps.pause();  // grabbing the dock into an image is not part of following the job
  const auto shot = fs::temp_directory_path() / "neurolm-jobs-dock.png";
  ASSERT_TRUE(window->jobsDock()->grab().save(QString::fromStdString(shot.string())));
  std::cout << "jobs dock screenshot: " << shot << "\n";

  // Stop: "stop" on the job's stdin; it finishes the step, checkpoints and exits 75.
  gaps.start();
  panel->stopButton()->click();
  EXPECT_EQ(panel->shownStatus(runDir), jobs::JobStatus::Stopping);
  EXPECT_FALSE(panel->stopButton()->isEnabled());
  ASSERT_TRUE(waitFor([&]() { return panel->shownStatus(runDir) == jobs::JobStatus::Stopped; }, 60000))
      << panel->statusText(runDir).toStdString();
  const auto stopped = panel->state(runDir);
  EXPECT_EQ(stopped.exitCode, 75);
  EXPECT_LT(stopped.step, kSteps);
  EXPECT_EQ(stopped.lastCheckpoint->step, stopped.step);
  ASSERT_TRUE(waitFor(
      [&]() {
        const auto info = app::LocalJobRunner().processInfo(runDir);
        return info.exitCode == 75 && !info.alive;
      },
      10000));
  EXPECT_TRUE(waitFor([&]() { return panel->resumeButton()->isEnabled(); }, 5000));
  EXPECT_FALSE(panel->stopButton()->isEnabled());

  // Resume, then destroy the window while the job runs: the job goes on.
  panel->resumeButton()->click();
  ASSERT_TRUE(waitFor([&]() { return panel->state(runDir).runs == 2; }, 60000));
  EXPECT_EQ(panel->state(runDir).resumedFrom, stopped.step);
  EXPECT_EQ(panel->shownStatus(runDir), jobs::JobStatus::Running);
  gaps.pause();
  window.reset();
  EXPECT_TRUE(app::LocalJobRunner().processInfo(runDir).alive);

  // A new window re-attaches from the settings and the run folder, and follows the job to its end.
  window = std::make_unique<app::MainWindow>();
  window->show();
  panel = window->jobsPanel();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(window.get()));
  QTest::qWait(300);  // the new window's first paint is not part of following the job
  gaps.start();
  ASSERT_EQ(panel->runDirs(), QStringList{runDir});
  EXPECT_FALSE(window->jobsDock()->isHidden());
  ASSERT_TRUE(waitFor([&]() { return panel->state(runDir).runs == 2; }, 10000));
  EXPECT_EQ(panel->selectedRunDir(), runDir);
  EXPECT_GT(panel->state(runDir).step, 0);
  EXPECT_GE(panel->lossSeries()->count(), stopped.step);
  const auto attached = panel->shownStatus(runDir);
  EXPECT_TRUE(attached == jobs::JobStatus::Running || panel->state(runDir).status == jobs::JobStatus::Done)
      << panel->statusText(runDir).toStdString();

  ASSERT_TRUE(waitFor([&]() { return panel->shownStatus(runDir) == jobs::JobStatus::Done; }, 120000))
      << panel->statusText(runDir).toStdString();
  gaps.pause();
  const auto done = panel->state(runDir);
  EXPECT_EQ(done.step, kSteps);
  EXPECT_EQ(done.exitCode, 0);
  ASSERT_EQ(done.lossHistory.size(), static_cast<std::size_t>(kSteps));
  for (int i = 0; i < kSteps; ++i) EXPECT_EQ(done.lossHistory[i].step, i + 1);
  EXPECT_EQ(panel->lossSeries()->count(), kSteps);
  EXPECT_EQ(panel->progressBar()->value(), kSteps);
  EXPECT_FALSE(panel->stopButton()->isEnabled());
  EXPECT_FALSE(panel->resumeButton()->isEnabled());
  ASSERT_TRUE(panel->openModelButton()->isEnabled());
  // A vq run's model is a tokenizer: the button offers it as one (never as a NeuroLM to open).
  EXPECT_EQ(panel->openModelButton()->text(), QStringLiteral("Use as tokenizer"));
  QSignalSpy asModel(panel, &widgets::JobsPanel::openModelRequested);
  QSignalSpy opened(panel, &widgets::JobsPanel::useTokenizerRequested);
  panel->openModelButton()->click();
  EXPECT_EQ(asModel.size(), 0);
  ASSERT_EQ(opened.size(), 1);
  const QString model = opened.at(0).at(0).toString();
  EXPECT_EQ(model, runDir + QStringLiteral("/model.safetensors"));
  EXPECT_TRUE(QFile::exists(model));

  std::cout << "largest UI event-loop gap while the job ran: " << gaps.maxGapMs() << " ms wall clock, "
            << gaps.maxBusyMs() << " ms of UI-thread CPU time (idle baseline: " << idle.maxGapMs()
            << " ms)\n";
  EXPECT_LT(gaps.maxBusyMs(), 50.0);
  window.reset();
  QSettings().remove(QStringLiteral("jobs/runDirs"));
}

TEST(JobsDock, SpeaksChineseWithTheZhCnTranslation) {
  qtApp();
  test::TempDir tmp("jobs-zh");
  QTranslator translator;
  ASSERT_TRUE(translator.load(QLocale(QStringLiteral("zh_CN")), QStringLiteral("neurolm"),
                              QStringLiteral("_"), QStringLiteral(":/i18n")));
  QApplication::installTranslator(&translator);
  {
    widgets::JobsPanel panel(std::make_shared<app::LocalJobRunner>(), QString());
    EXPECT_EQ(panel.tabs()->tabText(0), QStringLiteral("任务"));
    EXPECT_EQ(panel.stopButton()->text(), QStringLiteral("停止"));
    auto form = widgets::JobForms::defaultForm(QStringLiteral("vq"));
    form.dataset = QString::fromStdString(writeMiniDefinition(tmp.path()).string());
    const auto errors = widgets::JobForms::validate(form);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].field, QStringLiteral("runDir"));
    EXPECT_EQ(errors[0].message, QStringLiteral("请选择运行文件夹。"));
  }
  QApplication::removeTranslator(&translator);
}

TEST(JobsDock, AJobWhoseProcessIsGoneWithoutAFinalEventIsNotShownRunning) {
  qtApp();
  test::TempDir tmp("jobs-killed");
  QCoreApplication::setOrganizationName(QStringLiteral("neurolm-tests"));
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                     QString::fromStdString((tmp / "settings").string()));
  // The real run's log up to its step-3 progress line, as a SIGKILL leaves it; no process exists.
  const auto runDir = tmp / "run";
  fs::create_directories(runDir);
  std::ifstream in(test::testsDir() / "fixtures" / "jobs" / "vq-stop-resume.log.jsonl");
  std::ofstream log(runDir / "log.jsonl");
  std::string line;
  for (int i = 0; i < 13 && std::getline(in, line); ++i) log << line << "\n";
  log.close();
  std::ofstream(runDir / "studio-job.json") << "{}";
  const QString run = QString::fromStdString(runDir.string());
  QSettings().setValue(QStringLiteral("jobs/runDirs"), QStringList{run});

  widgets::JobsPanel panel(std::make_shared<app::LocalJobRunner>(), QString(), nullptr, 50);
  ASSERT_EQ(panel.runDirs(), QStringList{run});
  ASSERT_TRUE(waitFor([&]() { return panel.state(run).step == 3; }, 5000));
  EXPECT_EQ(panel.state(run).status, jobs::JobStatus::Running);  // what the log alone says
  EXPECT_EQ(panel.shownStatus(run), jobs::JobStatus::Failed);    // its process is gone
  EXPECT_EQ(panel.state(run).lastCheckpoint->step, 2);
  EXPECT_FALSE(panel.stopButton()->isEnabled());
  EXPECT_TRUE(panel.resumeButton()->isEnabled());  // --resume continues from the step-2 checkpoint
  EXPECT_EQ(panel.lossSeries()->count(), 3);
  QSettings().remove(QStringLiteral("jobs/runDirs"));
}

namespace {

// The `time` of the first line of a log with this event.
std::string eventTime(const fs::path& log, const std::string& event) {
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    const auto j = json::parse(line, nullptr, false);
    if (j.is_object() && j.value("event", "") == event) return j.value("time", "");
  }
  return {};
}

}  // namespace

// Stage dependencies: a pretrain queued after a tiny real vq run waits ("waiting for vq"), keeps waiting in a
// new pane, starts when the vq run is done and trains on its model; a job queued after a job that fails is
// blocked with the reason and never starts, also after the pane is created again.
TEST(JobsDock, AQueuedJobStartsWhenItsPredecessorIsDoneAndIsBlockedWhenItFails) {
  qtApp();
  test::TempDir tmp("jobs-queue");
  QCoreApplication::setOrganizationName(QStringLiteral("neurolm-tests"));
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                     QString::fromStdString((tmp / "settings").string()));
  for (const char* key : {"jobs/runDirs", "jobs/after", "jobs/blocked"})
    QSettings().remove(QLatin1String(key));
  const auto definition = QString::fromStdString(writeMiniDefinition(tmp.path()).string());
  const auto broken = tmp / "broken.json";  // a file the form accepts, a definition the trainer refuses
  std::ofstream(broken) << "{\"name\": \"broken\"}";
  const auto dir = [&](const char* name) { return QString::fromStdString((tmp / "runs" / name).string()); };
  const QString vq = dir("vq"), pre = dir("pre"), bad = dir("bad"), never = dir("never");
  const QString small = QStringLiteral(R"({"warmup_epochs": 0, "text_batch_size": 2, "text_block_size": 32,)"
                                       R"( "threads": 1, "model": {"gpt_layers": 1, "gpt_heads": 2,)"
                                       R"( "gpt_width": 48}})");
  const QString vqKeys = QStringLiteral(R"({"warmup_epochs": 0, "text_batch_size": 2, "text_block_size": 32,)"
                                        R"( "threads": 1})");

  auto panel =
      std::make_unique<widgets::JobsPanel>(std::make_shared<app::LocalJobRunner>(), QString(), nullptr, 50);
  auto form = widgets::JobForms::defaultForm(QStringLiteral("vq"));
  form.dataset = definition;
  form.runDir = vq;
  form.epochs = 1;
  form.batchSize = 4;
  form.maxSteps = 4;
  form.paddedLength = 96;
  form.otherKeys = vqKeys;
  panel->setForm(form);
  ASSERT_TRUE(panel->startFromForm());

  // The pretrain names the vq run's model before it exists: accepted only because it waits for that run.
  form = widgets::JobForms::defaultForm(QStringLiteral("pretrain"));
  form.dataset = definition;
  form.runDir = pre;
  form.tokenizer = widgets::JobForms::modelPath(vq);
  form.epochs = 1;
  form.batchSize = 4;
  form.maxSteps = 2;
  form.paddedLength = 96;
  form.otherKeys = small;
  panel->setForm(form);
  EXPECT_FALSE(panel->startFromForm());  // not queued: the tokenizer does not exist yet
  EXPECT_FALSE(panel->formMessage(QStringLiteral("tokenizer"))->isHidden());
  form.after = vq;
  panel->setForm(form);
  EXPECT_EQ(panel->form().after, vq);  // the "Start" choice lists the vq job
  ASSERT_TRUE(panel->startFromForm())
      << panel->formMessage(QStringLiteral("tokenizer"))->text().toStdString();
  EXPECT_EQ(panel->waitingFor(pre), vq);
  EXPECT_EQ(panel->statusText(pre), QStringLiteral("waiting for vq"));
  EXPECT_EQ(panel->runDirs(), (QStringList{vq, pre}));
  panel->selectJob(pre);
  const auto shot = fs::temp_directory_path() / "neurolm-jobs-queue.png";
  panel->resize(520, 640);
  ASSERT_TRUE(panel->grab().save(QString::fromStdString(shot.string())));
  std::cout << "queue screenshot: " << shot << "\n";
  panel->tabs()->setCurrentIndex(1);
  const auto formShot = fs::temp_directory_path() / "neurolm-jobs-queue-form.png";
  ASSERT_TRUE(panel->grab().save(QString::fromStdString(formShot.string())));
  panel->tabs()->setCurrentIndex(0);
  // Closing the pane while the pretrain waits (no event was processed since it was queued, so it cannot have
  // started): a new pane reads the queue back before any snapshot arrives.
  panel.reset();
  panel =
      std::make_unique<widgets::JobsPanel>(std::make_shared<app::LocalJobRunner>(), QString(), nullptr, 50);
  ASSERT_EQ(panel->runDirs(), (QStringList{vq, pre}));
  EXPECT_EQ(panel->waitingFor(pre), vq);
  EXPECT_EQ(panel->statusText(pre), QStringLiteral("waiting for vq"));
  EXPECT_EQ(panel->state(pre).stage, "");  // no log yet: the list shows the stage the pane asked for
  EXPECT_TRUE(
      panel->tabs()->findChild<QListWidget*>()->item(1)->text().startsWith(QStringLiteral("pretrain")));

  // A job queued after a job that will fail.
  form = widgets::JobForms::defaultForm(QStringLiteral("vq"));
  form.dataset = QString::fromStdString(broken.string());
  form.runDir = bad;
  form.otherKeys = vqKeys;
  panel->setForm(form);
  ASSERT_TRUE(panel->startFromForm());
  form.runDir = never;
  form.after = bad;
  panel->setForm(form);
  ASSERT_TRUE(panel->startFromForm());
  ASSERT_TRUE(waitFor([&]() { return !panel->blockedReason(never).isEmpty(); }, 60000))
      << panel->statusText(bad).toStdString();
  EXPECT_EQ(panel->shownStatus(bad), jobs::JobStatus::Failed);
  EXPECT_EQ(panel->blockedReason(never), QStringLiteral("bad failed, so this job was not started."));
  EXPECT_EQ(panel->statusText(never), QStringLiteral("blocked"));
  EXPECT_TRUE(panel->waitingFor(never).isEmpty());

  // A new pane keeps the blocked job blocked.
  panel.reset();
  panel =
      std::make_unique<widgets::JobsPanel>(std::make_shared<app::LocalJobRunner>(), QString(), nullptr, 50);
  ASSERT_EQ(panel->runDirs(), (QStringList{vq, pre, bad, never}));
  EXPECT_EQ(panel->blockedReason(never), QStringLiteral("bad failed, so this job was not started."));
  EXPECT_EQ(panel->shownStatus(never), jobs::JobStatus::Failed);

  ASSERT_TRUE(waitFor([&]() { return panel->shownStatus(vq) == jobs::JobStatus::Done; }, 300000))
      << panel->statusText(vq).toStdString();
  ASSERT_TRUE(waitFor([&]() { return panel->shownStatus(pre) == jobs::JobStatus::Done; }, 300000))
      << panel->statusText(pre).toStdString() << ": " << panel->blockedReason(pre).toStdString() << "\n"
      << panel->state(pre).errorMessage;
  EXPECT_TRUE(panel->waitingFor(pre).isEmpty());
  EXPECT_EQ(panel->state(pre).stage, "pretrain");
  EXPECT_EQ(panel->state(pre).step, 2);
  // It trained on the vq run's model, and started only after that run had written it.
  std::ifstream stored(fs::path(pre.toStdString()) / "config.json");
  EXPECT_EQ(json::parse(stored)["tokenizer"], widgets::JobForms::modelPath(vq).toStdString());
  const auto vqDone = eventTime(fs::path(vq.toStdString()) / "log.jsonl", "done");
  const auto preFirst = eventTime(fs::path(pre.toStdString()) / "log.jsonl", "start");
  ASSERT_FALSE(vqDone.empty());
  ASSERT_FALSE(preFirst.empty());
  EXPECT_GE(preFirst, vqDone);  // ISO-8601 UTC strings order as times
  std::cout << "vq done " << vqDone << ", pretrain start " << preFirst << "\n";
  // The blocked job never ran.
  EXPECT_FALSE(fs::exists(fs::path(never.toStdString()) / "job.pid"));
  EXPECT_FALSE(fs::exists(fs::path(never.toStdString()) / "log.jsonl"));
  panel->selectJob(never);
  EXPECT_FALSE(panel->resumeButton()->isEnabled());
  panel.reset();
  for (const char* key : {"jobs/runDirs", "jobs/after", "jobs/blocked"})
    QSettings().remove(QLatin1String(key));
}

namespace {

void writeExecutable(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
  fs::permissions(path, fs::perms::owner_all);
}

}  // namespace

// Slurm from the form: the form's partition, time limit, CPUs and GPUs reach sbatch through the submission
// `neurolm submit --slurm` makes (jobs::SlurmClient::submitTraining, the same script), and the pane follows,
// stops (scancel) and resumes the job. The cluster here is a stand-in: sbatch runs the batch script on this
// machine, squeue reports it RUNNING while it lives, scancel sends the script SIGTERM as Slurm does. A real
// localhost cluster runs the same script in tests/slurm (the CLI's tests).
TEST(JobsDock, ASlurmJobFromTheFormIsSubmittedAsNeurolmSubmitDoesAndFollowed) {
  qtApp();
  test::TempDir tmp("jobs-slurm");
  QCoreApplication::setOrganizationName(QStringLiteral("neurolm-tests"));
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                     QString::fromStdString((tmp / "settings").string()));
  for (const char* key : {"jobs/runDirs", "jobs/after", "jobs/blocked"})
    QSettings().remove(QLatin1String(key));
  const auto stand = tmp / "slurm";
  fs::create_directories(stand);
  writeExecutable(stand / "sbatch", R"SH(#!/bin/bash
S=$(dirname "$0")
echo "$@" >> "$S/sbatch.args"
script="$2"
dir=$(dirname "$script")
cd "$dir" || exit 1
SLURM_JOB_ID=4242 SLURM_CPUS_PER_TASK=1 setsid bash "$script" >> "$dir/slurm-4242.out" 2>&1 < /dev/null &
echo $! > "$S/job.pid"
echo 4242
)SH");
  writeExecutable(stand / "squeue", R"SH(#!/bin/bash
S=$(dirname "$0")
if kill -0 "$(cat "$S/job.pid")" 2>/dev/null; then echo "4242|RUNNING|None|0|0:01|30:00|localhost|job"; fi
)SH");
  writeExecutable(stand / "sacct", "#!/bin/sh\necho '4242|COMPLETED|0:0|00:00:05|00:30:00|localhost|job'\n");
  writeExecutable(stand / "scancel", R"SH(#!/bin/bash
S=$(dirname "$0")
echo "$@" >> "$S/scancel.args"
kill -TERM -- "-$(cat "$S/job.pid")"
)SH");
  jobs::SlurmClient::Programs programs;
  programs.sbatch = (stand / "sbatch").string();
  programs.squeue = (stand / "squeue").string();
  programs.sacct = (stand / "sacct").string();
  programs.scancel = (stand / "scancel").string();
  const QString neurolm = QString::fromStdString((test::binDir() / "neurolm").string());
  auto runner = std::make_shared<app::SlurmJobRunner>(std::make_shared<app::LocalJobRunner>(neurolm), neurolm,
                                                      jobs::SlurmClient(programs));
  widgets::JobsPanel panel(runner, QString(), nullptr, 50);
  auto* memory = panel.findChild<QSpinBox*>(QStringLiteral("memory"));
  ASSERT_NE(memory, nullptr);
  panel.tabs()->setCurrentIndex(1);           // the form
  EXPECT_FALSE(memory->isVisibleTo(&panel));  // the Slurm rows show for Slurm only

  const QString runDir = QString::fromStdString((tmp / "runs" / "vq-slurm").string());
  auto form = widgets::JobForms::defaultForm(QStringLiteral("vq"));
  form.dataset = QString::fromStdString(writeMiniDefinition(tmp.path()).string());
  form.runDir = runDir;
  form.epochs = 1;
  form.batchSize = 4;
  form.maxSteps = 30;
  form.paddedLength = 96;
  form.otherKeys = QStringLiteral(
      R"({"warmup_epochs": 0, "text_batch_size": 2, "text_block_size": 32, "checkpoint_every_steps": 2,)"
      R"( "threads": 1})");
  form.scheduler = QStringLiteral("slurm");
  form.partition = QStringLiteral("debug");
  form.timeLimitMin = 1;  // not longer than the 60-s warning
  panel.setForm(form);
  EXPECT_TRUE(memory->isVisibleTo(&panel));
  EXPECT_FALSE(panel.startFromForm());
  EXPECT_FALSE(panel.formMessage(QStringLiteral("timeLimit"))->isHidden());
  form.timeLimitMin = 90;
  form.cpus = 3;
  form.gpus = 1;
  form.memoryMb = 2048;
  form.stopWarningSec = 5400;  // the whole 90 minutes: refused
  panel.setForm(form);
  EXPECT_FALSE(panel.startFromForm());
  EXPECT_TRUE(panel.formMessage(QStringLiteral("timeLimit"))->text().contains(QStringLiteral("5400 s")));
  form.stopWarningSec = 120;
  panel.setForm(form);
  EXPECT_EQ(panel.form().cpus, 3);
  EXPECT_EQ(panel.form().memoryMb, 2048);
  EXPECT_EQ(panel.form().stopWarningSec, 120);
  panel.tabs()->setCurrentIndex(1);
  panel.resize(520, 760);
  const auto formShot = fs::temp_directory_path() / "neurolm-jobs-slurm-form.png";
  ASSERT_TRUE(panel.grab().save(QString::fromStdString(formShot.string())));
  ASSERT_TRUE(panel.startFromForm());

  // The script sbatch got is the one neurolm submit writes for these resources.
  ASSERT_TRUE(
      waitFor([&]() { return fs::exists(app::SlurmJobRunner::jobIdPath(runDir).toStdString()); }, 30000));
  jobs::SlurmTrainSubmission expected;
  expected.neurolmExecutable = neurolm.toStdString();
  expected.configPath = widgets::JobForms::configPath(runDir).toStdString();
  expected.runDir = runDir.toStdString();
  expected.jobName = "neurolm-vq-vq-slurm";
  expected.resources.partition = "debug";
  expected.resources.timeLimit = std::chrono::minutes(90);
  expected.resources.cpusPerTask = 3;
  expected.resources.gpus = 1;
  expected.resources.memoryMb = 2048;
  expected.resources.stopWarning = std::chrono::seconds(120);
  const std::string script = jobs::slurmTrainScript(expected);
  std::ifstream in(jobs::slurmScriptPath(runDir.toStdString()));
  const std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, script);
  for (const char* line :
       {"#SBATCH --partition=debug\n", "#SBATCH --time=0-01:30:00\n", "#SBATCH --cpus-per-task=3\n",
        "#SBATCH --gres=gpu:1\n", "#SBATCH --mem=2048M\n", "#SBATCH --signal=B:USR1@120\n"})
    EXPECT_NE(written.find(line), std::string::npos) << line;
  std::ifstream idFile(app::SlurmJobRunner::jobIdPath(runDir).toStdString());
  std::string id;
  idFile >> id;
  EXPECT_EQ(id, "4242");

  // Followed through the run folder's log while squeue says RUNNING; Stop is scancel.
  ASSERT_TRUE(waitFor([&]() { return panel.state(runDir).step >= 2; }, 120000))
      << panel.statusText(runDir).toStdString() << "\n"
      << runner->processInfo(runDir).outputTail.toStdString();
  EXPECT_EQ(panel.shownStatus(runDir), jobs::JobStatus::Running);
  ASSERT_TRUE(panel.stopButton()->isEnabled());
  panel.stopButton()->click();
  ASSERT_TRUE(waitFor([&]() { return panel.shownStatus(runDir) == jobs::JobStatus::Stopped; }, 60000))
      << panel.statusText(runDir).toStdString() << " at step " << panel.state(runDir).step << "\n"
      << fs::exists(stand / "scancel.args") << "\n"
      << runner->processInfo(runDir).outputTail.toStdString();
  EXPECT_EQ(panel.state(runDir).exitCode, 75);
  {
    std::ifstream cancelled(stand / "scancel.args");
    std::string args;
    std::getline(cancelled, args);
    EXPECT_EQ(args, "4242");
  }
  const auto stoppedAt = panel.state(runDir).step;
  EXPECT_LT(stoppedAt, 30);
  // Resume submits the same script again; the trainer continues from its checkpoint to the end.
  ASSERT_TRUE(waitFor([&]() { return panel.resumeButton()->isEnabled(); }, 10000));
  panel.resumeButton()->click();
  ASSERT_TRUE(waitFor([&]() { return panel.shownStatus(runDir) == jobs::JobStatus::Done; }, 120000))
      << panel.statusText(runDir).toStdString();
  EXPECT_EQ(panel.state(runDir).step, 30);
  EXPECT_EQ(panel.state(runDir).runs, 2);
  EXPECT_EQ(panel.state(runDir).resumedFrom, stoppedAt);
  std::ifstream argsIn(stand / "sbatch.args");
  int submissions = 0;
  for (std::string line; std::getline(argsIn, line);) ++submissions;
  EXPECT_EQ(submissions, 2);
  std::cout << "slurm form screenshot: " << formShot << ", stopped at step " << stoppedAt << "\n";
  for (const char* key : {"jobs/runDirs", "jobs/after", "jobs/blocked"})
    QSettings().remove(QLatin1String(key));
}
