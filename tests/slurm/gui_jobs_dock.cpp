// The Training jobs dock against the real localhost Slurm (LocalSlurm): a vq job filled in the form with
// Slurm's resources (memory, stop warning) is submitted by app::SlurmJobRunner, shown queued behind another
// job with its Slurm job id, then running with progress and the loss curve from its run folder's log; Stop is
// scancel, after which the trainer's checkpoint is in the run folder and Slurm says CANCELLED; a new pane
// (the window restarted) finds the job again with that final state. squeue and scontrol are asked directly,
// not through the product's client. The cluster has no accounting storage, so sacct knows nothing here; the
// controller remembers ended jobs for MinJobAge (600 s).
#include <gtest/gtest.h>

#include <QComboBox>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QTest>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "app/studio/LocalJobRunner.h"
#include "app/studio/SlurmJobRunner.h"
#include "common/QtApp.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/jobs/SlurmJob.h"
#include "slurm/LocalSlurm.h"
#include "widgets/jobs/JobForm.h"
#include "widgets/jobs/JobsPanel.h"

using namespace neurolm;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The mini EEGMAT Workload definition of tests/cli/test_train.cpp: subjects 00–02 train, 03 validation.
fs::path writeMiniDefinition(const fs::path& dir) {
  const std::vector<std::string> channels = {
      "EEG Fp1", "EEG Fp2", "EEG F3", "EEG F4", "EEG F7", "EEG F8", "EEG T3", "EEG T4", "EEG C3", "EEG C4",
      "EEG T5",  "EEG T6",  "EEG P3", "EEG P4", "EEG O1", "EEG O2", "EEG Fz", "EEG Cz", "EEG Pz"};
  const json d = {
      {"name", "mini-workload"},
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

template <class F>
bool waitFor(F condition, int timeoutMs) {
  QElapsedTimer t;
  t.start();
  while (!condition()) {
    if (t.elapsed() > timeoutMs) return false;
    QTest::qWait(50);
  }
  return true;
}

std::string readText(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<json> jsonLines(const fs::path& path) {
  std::vector<json> v;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto j = json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object()) v.push_back(j);
  }
  return v;
}

// One field of `scontrol show job ID` ("JobState", "MinMemoryNode", …), as the controller reports it.
std::string scontrolField(const test::LocalSlurm& cluster, const std::string& id, const std::string& key) {
  const auto r = cluster.client({"scontrol", "show", "job", id});
  const auto at = (" " + r.out).find(" " + key + "=");
  if (r.exitCode != 0 || at == std::string::npos) return "?" + r.out + r.err;
  const auto begin = at + key.size() + 1;  // the leading space added above cancels the '='
  return r.out.substr(begin, r.out.find_first_of(" \n", begin) - begin);
}

// squeue's state of the job (%T), as the controller reports it.
std::string squeueState(const test::LocalSlurm& cluster, const std::string& id) {
  const auto r = cluster.client({"squeue", "--noheader", "--states=all", "--jobs=" + id, "--format=%T"});
  std::string s = r.out;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return r.exitCode == 0 ? s : "?" + r.err;
}

// Submits a job that holds the whole node (--exclusive) and waits until it runs; its id, or "" on failure.
std::string holdTheNode(const test::LocalSlurm& cluster) {
  const auto blocker = cluster.client({"sbatch", "--parsable", "--exclusive", "--output=/dev/null",
                                       "--job-name=blocker", "--wrap", "sleep 300"});
  EXPECT_EQ(blocker.exitCode, 0) << blocker.err;
  std::string id = blocker.out;
  while (!id.empty() && id.back() == '\n') id.pop_back();
  if (blocker.exitCode != 0) return {};
  const bool runs = waitFor([&]() { return squeueState(cluster, id) == "RUNNING"; }, 30000);
  EXPECT_TRUE(runs) << squeueState(cluster, id);
  return runs ? id : std::string();
}

void useFreshSettings(const test::TempDir& tmp) {
  QCoreApplication::setOrganizationName(QStringLiteral("neurolm-tests"));
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                     QString::fromStdString((tmp / "settings").string()));
  for (const char* key : {"jobs/runDirs", "jobs/after", "jobs/blocked"})
    QSettings().remove(QLatin1String(key));
}

class SlurmJobsDock : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = new test::LocalSlurm(); }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    if (!cluster_->unavailableReason().empty())
      GTEST_SKIP() << "no local Slurm cluster: " << cluster_->unavailableReason();
  }
  void TearDown() override {
    if (HasFailure() && cluster_) std::cout << cluster_->logTails();
  }
  static test::LocalSlurm* cluster_;
};
test::LocalSlurm* SlurmJobsDock::cluster_ = nullptr;

}  // namespace

TEST_F(SlurmJobsDock, AJobFromTheFormIsQueuedRunsIsCancelledAndFoundAgainByANewPane) {
  test::qtApp();
  test::TempDir tmp("slurm dock");  // a space: the script must quote its paths
  useFreshSettings(tmp);
  const QString neurolm = QString::fromStdString((test::binDir() / "neurolm").string());
  // The window's runner: sbatch, squeue and scancel of PATH, which talk to the cluster through SLURM_CONF.
  const auto makeRunner = [&]() {
    return std::make_shared<app::SlurmJobRunner>(std::make_shared<app::LocalJobRunner>(neurolm), neurolm);
  };
  auto panel = std::make_unique<widgets::JobsPanel>(makeRunner(), QString(), nullptr, 100);
  panel->resize(560, 860);
  panel->show();

  const QString runDir = QString::fromStdString((tmp / "runs" / "vq-cluster").string());
  auto form = widgets::JobForms::defaultForm(QStringLiteral("vq"));
  form.dataset = QString::fromStdString(writeMiniDefinition(tmp.path()).string());
  form.runDir = runDir;
  form.epochs = 200;  // far more steps than the test waits for; only the graceful stop's checkpoint
  form.batchSize = 4;
  form.maxSteps = 5000;
  form.paddedLength = 96;
  form.otherKeys = QStringLiteral(
      R"({"warmup_epochs": 0, "text_batch_size": 2, "text_block_size": 32, "checkpoint_every_steps": 10000,)"
      R"( "threads": 1})");
  panel->setForm(form);
  panel->tabs()->setCurrentIndex(1);

  // The Slurm fields appear when Slurm is chosen.
  auto* scheduler = panel->findChild<QComboBox*>(QStringLiteral("scheduler"));
  auto* memory = panel->findChild<QSpinBox*>(QStringLiteral("memory"));
  auto* stopWarning = panel->findChild<QSpinBox*>(QStringLiteral("stopWarning"));
  auto* timeLimit = panel->findChild<QSpinBox*>(QStringLiteral("timeLimit"));
  ASSERT_TRUE(scheduler && memory && stopWarning && timeLimit);
  EXPECT_FALSE(memory->isVisibleTo(panel.get()));
  EXPECT_FALSE(stopWarning->isVisibleTo(panel.get()));
  EXPECT_EQ(stopWarning->value(), 60);  // neurolm submit's default
  scheduler->setCurrentIndex(scheduler->findData(QStringLiteral("slurm")));
  EXPECT_TRUE(memory->isVisibleTo(panel.get()));
  EXPECT_TRUE(stopWarning->isVisibleTo(panel.get()));
  EXPECT_FALSE(memory->toolTip().isEmpty());
  EXPECT_FALSE(stopWarning->toolTip().isEmpty());
  panel->findChild<QLineEdit*>(QStringLiteral("partition"))
      ->setText(QString::fromStdString(cluster_->partition()));
  memory->setValue(1500);
  stopWarning->setValue(90);
  timeLimit->setValue(1);  // 60 s: not longer than the 90-s warning
  panel->startButton()->click();
  EXPECT_TRUE(panel->runDirs().isEmpty());
  ASSERT_FALSE(panel->formMessage(QStringLiteral("timeLimit"))->isHidden());
  EXPECT_TRUE(panel->formMessage(QStringLiteral("timeLimit"))->text().contains(QStringLiteral("90 s")))
      << panel->formMessage(QStringLiteral("timeLimit"))->text().toStdString();
  timeLimit->setValue(10);
  const auto formShot = fs::temp_directory_path() / "neurolm-jobs-slurm-cluster-form.png";
  ASSERT_TRUE(panel->grab().save(QString::fromStdString(formShot.string())));

  // Another job holds the whole node, so this one waits in the queue.
  const std::string blockerId = holdTheNode(*cluster_);
  ASSERT_FALSE(blockerId.empty());

  panel->startButton()->click();
  ASSERT_EQ(panel->runDirs(), QStringList{runDir})
      << panel->formMessage(QStringLiteral("timeLimit"))->text().toStdString();
  ASSERT_TRUE(
      waitFor([&]() { return fs::exists(app::SlurmJobRunner::jobIdPath(runDir).toStdString()); }, 30000));
  std::string id = readText(app::SlurmJobRunner::jobIdPath(runDir).toStdString());
  while (!id.empty() && id.back() == '\n') id.pop_back();
  ASSERT_TRUE(jobs::isSlurmJobId(id)) << id;
  const QString slurmJob = QStringLiteral("Slurm job %1").arg(QString::fromStdString(id));

  // What reached sbatch, and what the controller made of it.
  const std::string script = readText(jobs::slurmScriptPath(runDir.toStdString()));
  for (const char* line : {"#SBATCH --mem=1500M\n", "#SBATCH --signal=B:USR1@90\n",
                           "#SBATCH --time=0-00:10:00\n", "#SBATCH --partition=debug\n",
                           "#SBATCH --job-name=neurolm-vq-vq-cluster\n", "#SBATCH --cpus-per-task=1\n"})
    EXPECT_NE(script.find(line), std::string::npos) << line << " missing in\n" << script;
  EXPECT_EQ(scontrolField(*cluster_, id, "MinMemoryNode"), "1500M");
  EXPECT_EQ(scontrolField(*cluster_, id, "TimeLimit"), "00:10:00");
  EXPECT_EQ(scontrolField(*cluster_, id, "Partition"), "debug");
  EXPECT_EQ(scontrolField(*cluster_, id, "JobName"), "neurolm-vq-vq-cluster");

  // Queued behind the blocker: squeue says PENDING, the pane "queued" with the Slurm job id.
  EXPECT_EQ(squeueState(*cluster_, id), "PENDING");
  ASSERT_TRUE(waitFor([&]() { return panel->statusText(runDir) == QStringLiteral("queued"); }, 15000))
      << panel->statusText(runDir).toStdString() << " / " << panel->statusLabel()->text().toStdString();
  EXPECT_TRUE(panel->statusLabel()->text().contains(slurmJob + QStringLiteral(": PENDING")))
      << panel->statusLabel()->text().toStdString();
  EXPECT_TRUE(panel->jobList()->item(0)->text().contains(QStringLiteral("queued")));
  EXPECT_TRUE(panel->jobList()->item(0)->text().endsWith(slurmJob))
      << panel->jobList()->item(0)->text().toStdString();
  EXPECT_TRUE(panel->stopButton()->isEnabled());  // a queued job can be cancelled too
  EXPECT_FALSE(panel->resumeButton()->isEnabled());
  const auto queuedShot = fs::temp_directory_path() / "neurolm-jobs-slurm-cluster-queued.png";
  ASSERT_TRUE(panel->grab().save(QString::fromStdString(queuedShot.string())));

  // The node frees up: the job runs and its progress and curves come from the run folder's log.
  const auto freed = cluster_->client({"scancel", blockerId});
  ASSERT_EQ(freed.exitCode, 0) << freed.err;
  ASSERT_TRUE(waitFor([&]() { return panel->state(runDir).step >= 3; }, 120000))
      << panel->statusText(runDir).toStdString() << " / " << panel->statusLabel()->text().toStdString()
      << "\n"
      << readText(tmp / "runs" / "vq-cluster" / ("slurm-" + id + ".out"));
  EXPECT_EQ(squeueState(*cluster_, id), "RUNNING");
  EXPECT_EQ(scontrolField(*cluster_, id, "NodeList"), cluster_->nodeName());
  EXPECT_EQ(panel->shownStatus(runDir), jobs::JobStatus::Running);
  EXPECT_TRUE(waitFor(
      [&]() { return panel->statusLabel()->text().contains(slurmJob + QStringLiteral(": RUNNING")); }, 5000))
      << panel->statusLabel()->text().toStdString();
  EXPECT_EQ(panel->state(runDir).totalSteps, 5000);
  EXPECT_GE(panel->lossSeries()->count(), 3);
  EXPECT_EQ(panel->lossSeries()->count(), panel->lrSeries()->count());
  EXPECT_GE(panel->progressBar()->value(), 3);
  EXPECT_EQ(panel->progressBar()->maximum(), 5000);
  const auto runningShot = fs::temp_directory_path() / "neurolm-jobs-slurm-cluster-running.png";
  ASSERT_TRUE(panel->grab().save(QString::fromStdString(runningShot.string())));

  // Stop: scancel; Slurm sends SIGTERM, the batch shell passes it on, the trainer checkpoints and exits 75.
  ASSERT_TRUE(panel->stopButton()->isEnabled());
  panel->stopButton()->click();
  EXPECT_EQ(panel->shownStatus(runDir), jobs::JobStatus::Stopping);
  ASSERT_TRUE(waitFor([&]() { return panel->shownStatus(runDir) == jobs::JobStatus::Stopped; }, 60000))
      << panel->statusText(runDir).toStdString() << " / " << panel->statusLabel()->text().toStdString();
  ASSERT_TRUE(waitFor([&]() { return squeueState(*cluster_, id) == "CANCELLED"; }, 60000))
      << squeueState(*cluster_, id);
  EXPECT_EQ(scontrolField(*cluster_, id, "ExitCode"), "75:0");  // the trainer's status: stopped
  ASSERT_TRUE(waitFor(
      [&]() { return panel->statusLabel()->text().contains(slurmJob + QStringLiteral(": CANCELLED")); },
      10000))
      << panel->statusLabel()->text().toStdString();
  const auto stopped = panel->state(runDir);
  EXPECT_EQ(stopped.exitCode, 75);
  EXPECT_GE(stopped.step, 3);
  EXPECT_LT(stopped.step, 5000);
  ASSERT_TRUE(stopped.lastCheckpoint.has_value());
  EXPECT_EQ(stopped.lastCheckpoint->step, stopped.step);
  std::ifstream marker(tmp / "runs" / "vq-cluster" / "checkpoints" / "latest.json");
  ASSERT_TRUE(marker) << "no checkpoint in the run folder after the cancel";
  EXPECT_EQ(json::parse(marker)["step"], stopped.step);
  const auto log = jsonLines(tmp / "runs" / "vq-cluster" / "log.jsonl");
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back()["event"], "stopped");
  EXPECT_EQ(log.back()["step"], stopped.step);
  int progressLines = 0;
  for (const auto& e : log) progressLines += e["event"] == "progress";
  EXPECT_EQ(panel->lossSeries()->count(), progressLines);
  EXPECT_NE(
      readText(tmp / "runs" / "vq-cluster" / ("slurm-" + id + ".out")).find("trainer exited with status 75"),
      std::string::npos);
  EXPECT_EQ(panel->statusText(runDir), QStringLiteral("stopped"));
  EXPECT_TRUE(waitFor([&]() { return panel->resumeButton()->isEnabled(); }, 5000));
  EXPECT_FALSE(panel->stopButton()->isEnabled());

  // The window restarted: a new pane finds the job in the settings and its final state in the run folder
  // and the cluster.
  panel.reset();
  panel = std::make_unique<widgets::JobsPanel>(makeRunner(), QString(), nullptr, 100);
  panel->resize(560, 860);
  panel->show();
  ASSERT_EQ(panel->runDirs(), QStringList{runDir});
  EXPECT_EQ(panel->selectedRunDir(), runDir);
  ASSERT_TRUE(waitFor(
      [&]() {
        return panel->shownStatus(runDir) == jobs::JobStatus::Stopped &&
               panel->statusLabel()->text().contains(slurmJob + QStringLiteral(": CANCELLED"));
      },
      15000))
      << panel->statusText(runDir).toStdString() << " / " << panel->statusLabel()->text().toStdString();
  EXPECT_EQ(panel->state(runDir).step, stopped.step);
  EXPECT_EQ(panel->state(runDir).exitCode, 75);
  EXPECT_EQ(panel->lossSeries()->count(), progressLines);
  EXPECT_TRUE(panel->jobList()->item(0)->text().contains(QStringLiteral("stopped")));
  EXPECT_TRUE(panel->jobList()->item(0)->text().endsWith(slurmJob));
  EXPECT_TRUE(waitFor([&]() { return panel->resumeButton()->isEnabled(); }, 5000));
  const auto reattachedShot = fs::temp_directory_path() / "neurolm-jobs-slurm-cluster-reattached.png";
  ASSERT_TRUE(panel->grab().save(QString::fromStdString(reattachedShot.string())));
  std::cout << "slurm job " << id << " stopped at step " << stopped.step << "; screenshots: " << formShot
            << ", " << queuedShot << ", " << runningShot << ", " << reattachedShot << "\n";
  panel.reset();
  for (const char* key : {"jobs/runDirs", "jobs/after", "jobs/blocked"})
    QSettings().remove(QLatin1String(key));
}

// Stop on a job that still waits in Slurm's queue: scancel, and the job is "stopped" (it never started, so
// it is not "failed"), with nothing written by a trainer; Resume submits it again.
TEST_F(SlurmJobsDock, AJobCancelledWhileQueuedIsStoppedAndCanBeResumed) {
  test::qtApp();
  test::TempDir tmp("slurm dock queued");
  useFreshSettings(tmp);
  const QString neurolm = QString::fromStdString((test::binDir() / "neurolm").string());
  widgets::JobsPanel panel(
      std::make_shared<app::SlurmJobRunner>(std::make_shared<app::LocalJobRunner>(neurolm), neurolm),
      QString(), nullptr, 100);
  const QString runDir = QString::fromStdString((tmp / "runs" / "never-ran").string());
  auto form = widgets::JobForms::defaultForm(QStringLiteral("vq"));
  form.dataset = QString::fromStdString(writeMiniDefinition(tmp.path()).string());
  form.runDir = runDir;
  form.maxSteps = 2;
  form.paddedLength = 96;
  form.scheduler = QStringLiteral("slurm");
  form.timeLimitMin = 5;
  panel.setForm(form);

  const std::string blockerId = holdTheNode(*cluster_);
  ASSERT_FALSE(blockerId.empty());
  ASSERT_TRUE(panel.startFromForm());
  ASSERT_TRUE(waitFor([&]() { return panel.statusText(runDir) == QStringLiteral("queued"); }, 30000))
      << panel.statusText(runDir).toStdString() << " / " << panel.statusLabel()->text().toStdString();
  std::string id = readText(app::SlurmJobRunner::jobIdPath(runDir).toStdString());
  while (!id.empty() && id.back() == '\n') id.pop_back();
  EXPECT_EQ(squeueState(*cluster_, id), "PENDING");
  EXPECT_EQ(panel.progressBar()->format(), QStringLiteral("queued"));
  ASSERT_TRUE(panel.stopButton()->isEnabled());
  panel.stopButton()->click();
  ASSERT_TRUE(waitFor([&]() { return squeueState(*cluster_, id) == "CANCELLED"; }, 30000))
      << squeueState(*cluster_, id);
  ASSERT_TRUE(
      waitFor([&]() { return panel.statusLabel()->text().contains(QStringLiteral(": CANCELLED")); }, 10000))
      << panel.statusLabel()->text().toStdString();
  EXPECT_EQ(panel.shownStatus(runDir), jobs::JobStatus::Stopped);
  EXPECT_EQ(panel.statusText(runDir), QStringLiteral("stopped"));
  EXPECT_EQ(panel.state(runDir).runs, 0);
  EXPECT_FALSE(fs::exists(tmp / "runs" / "never-ran" / "log.jsonl"));
  EXPECT_TRUE(waitFor([&]() { return panel.resumeButton()->isEnabled(); }, 5000));
  const auto freed = cluster_->client({"scancel", blockerId});
  EXPECT_EQ(freed.exitCode, 0) << freed.err;
  for (const char* key : {"jobs/runDirs", "jobs/after", "jobs/blocked"})
    QSettings().remove(QLatin1String(key));
}
