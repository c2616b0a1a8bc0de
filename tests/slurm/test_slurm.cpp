// `neurolm submit --slurm` and `neurolm jobs` against a real Slurm started on this machine (LocalSlurm):
// a short training job runs to COMPLETED with the job protocol in its log and output; a long one is
// cancelled and ends CANCELLED after the trainer's graceful stop wrote its checkpoint; a requeued job
// continues from its checkpoint, also after the warning before the time limit (sent by hand, and by Slurm
// itself under a 2-minute limit); sbatch's own errors come back naming the command.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/jobs/Process.h"
#include "core/jobs/SlurmJob.h"
#include "slurm/LocalSlurm.h"

using namespace neurolm;
using nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> kWorkloadChannels = {
    "EEG Fp1", "EEG Fp2", "EEG F3", "EEG F4", "EEG F7", "EEG F8", "EEG T3", "EEG T4", "EEG C3", "EEG C4",
    "EEG T5",  "EEG T6",  "EEG P3", "EEG P4", "EEG O1", "EEG O2", "EEG Fz", "EEG Cz", "EEG Pz"};

// The mini EEGMAT Workload definition of tests/cli/test_train.cpp: subjects 00–02 train, 03 validation.
void writeMiniDefinition(const fs::path& dir) {
  json d = {{"name", "mini-workload"},
            {"root", (test::dataDir() / "eegmat").string()},
            {"files", {"^Subject0[0-3]_[12]\\.edf$"}},
            {"channels", kWorkloadChannels},
            {"channel_name_rule", "workload"},
            {"protocol", "workload"},
            {"label", {{"from", "filename"}, {"pattern", "_([12])\\.edf$"}, {"map", {{"1", 0}, {"2", 1}}}}},
            {"split", {{"subject_pattern", "^Subject(\\d\\d)_"}, {"train", {"00-02"}}, {"val", {"03"}}}},
            {"task",
             {{"prompt", "Question: Is this EEG segment of high workload? Answer:"},
              {"options", {" No", " Yes"}}}}};
  std::ofstream(dir / "mini.json") << d.dump(1);
}

fs::path writeVqConfig(const fs::path& dir, const std::string& run, int64_t steps, int64_t checkpointEvery,
                       int64_t epochs = 1) {
  const json c = {{"stage", "vq"},
                  {"run_dir", (dir / "runs" / run).string()},
                  {"dataset", "mini.json"},
                  {"padded_length", 96},
                  {"epochs", epochs},
                  {"batch_size", 4},
                  {"max_steps", steps},
                  {"warmup_epochs", 0},
                  {"text_batch_size", 2},
                  {"text_block_size", 32},
                  {"checkpoint_every_steps", checkpointEvery},
                  {"threads", 1}};
  const auto path = dir / (run + ".json");
  std::ofstream(path) << c.dump(1);
  return path;
}

jobs::ProcessResult runNeurolm(const std::vector<std::string>& args) {
  std::vector<std::string> argv{(test::binDir() / "neurolm").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return jobs::runProcess(argv, 120s);
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

int lastProgressStep(const fs::path& log) {
  int step = -1;
  for (const auto& e : jsonLines(log))
    if (e.value("event", "") == "progress") step = e.value("step", -1);
  return step;
}

json jobStatus(const std::string& id) {
  const auto r = runNeurolm({"jobs", "status", id, "--json"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  return r.exitCode == 0 ? json::parse(r.out) : json{{"state", "?"}, {"finished", false}};
}

std::string submit(const fs::path& config, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"submit", config.string(), "--slurm", "--cpus", "1", "--mem", "1G", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = runNeurolm(args);
  EXPECT_EQ(r.exitCode, 0) << r.err;
  if (r.exitCode != 0) return "";
  const auto j = json::parse(r.out);
  EXPECT_TRUE(jobs::isSlurmJobId(j["job_id"].get<std::string>())) << r.out;
  return j["job_id"];
}

// Polls `neurolm jobs status` until the job has finished; returns the states seen, in order, without repeats.
std::string waitUntilFinished(const std::string& id, json& last, std::chrono::seconds timeout = 300s) {
  std::string states, previous;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    last = jobStatus(id);
    const auto state = last.value("state", "?");
    if (state != previous) states += state + " ";
    previous = state;
    if (last.value("finished", false)) return states;
    std::this_thread::sleep_for(300ms);
  }
  ADD_FAILURE() << "job " << id << " did not finish within " << timeout.count() << " s; last status "
                << last.dump();
  return states;
}

bool waitFor(const std::function<bool()>& condition, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

std::string readText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// True while a slurmstepd of this job (any step of its current or previous start) runs on this machine.
bool jobStepRunsHere(const std::string& id) {
  const std::string title = "slurmstepd: [" + id + ".";
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.rfind(title, 0) == 0) return true;
  }
  return false;
}

// Slurm holds a requeued job back for 120 s (Reason=BeginTime); the tests release it at once, as an
// administrator can. Not before the previous start has left the node, though: slurmd refuses a launch that
// comes within the second of the kill of the previous start ("Job credential revoked", the job then FAILS),
// which a real cluster's 120-s hold never meets.
void releaseRequeuedJob(const test::LocalSlurm& cluster, const std::string& id) {
  ASSERT_TRUE(waitFor([&] { return jobStatus(id)["state"] == "PENDING"; }, 120s)) << jobStatus(id).dump();
  ASSERT_TRUE(waitFor([&] { return !jobStepRunsHere(id); }, 120s)) << "the previous start of " << id
                                                                   << " did not end";
  std::this_thread::sleep_for(2s);
  const auto release = cluster.client({"scontrol", "update", "JobId=" + id, "StartTime=now"});
  EXPECT_EQ(release.exitCode, 0) << release.err;
}

class Slurm : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new test::LocalSlurm();
    if (cluster_->unavailableReason().empty())
      std::cout << "[ slurm    ] " << cluster_->version() << ", node " << cluster_->nodeName() << ", "
                << cluster_->dir() << "\n";
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    if (!cluster_->unavailableReason().empty())
      GTEST_SKIP() << "no local Slurm cluster: " << cluster_->unavailableReason();
    writeMiniDefinition(tmp_.path());
  }
  void TearDown() override {
    if (HasFailure() && cluster_) std::cout << cluster_->logTails();
  }
  static test::LocalSlurm* cluster_;
  test::TempDir tmp_{"slurm runs"};  // a space: the script must quote its paths
};
test::LocalSlurm* Slurm::cluster_ = nullptr;

}  // namespace

TEST_F(Slurm, SubmittedTrainingRunsToCompletionWithTheJobProtocol) {
  const auto config = writeVqConfig(tmp_.path(), "short", 4, 2);
  const auto runDir = tmp_.path() / "runs" / "short";
  const auto id = submit(config, {"--time", "0:10:00"});
  ASSERT_FALSE(id.empty());

  // The script in the run folder: requeue-safe, graceful stop before the limit, the resources asked for.
  const auto script = readText(runDir / "slurm.sbatch");
  for (const char* line :
       {"#SBATCH --requeue\n", "#SBATCH --signal=B:USR1@60\n", "#SBATCH --time=0-00:10:00\n",
        "#SBATCH --cpus-per-task=1\n", "#SBATCH --mem=1024M\n", "#SBATCH --open-mode=append\n",
        "#SBATCH --job-name=neurolm-vq-short\n"})
    EXPECT_NE(script.find(line), std::string::npos) << line << " missing in\n" << script;
  EXPECT_NE(script.find(" train " + jobs::shellQuote(config.string()) + " --resume --json"),
            std::string::npos)
      << script;
  EXPECT_EQ(script.find("--gres"), std::string::npos);

  json last;
  bool progressWhileRunning = false;
  std::vector<std::string> states;
  const auto deadline = std::chrono::steady_clock::now() + 300s;
  while (std::chrono::steady_clock::now() < deadline) {
    last = jobStatus(id);
    const auto state = last.value("state", "?");
    if (states.empty() || states.back() != state) states.push_back(state);
    if (state == "RUNNING" && lastProgressStep(runDir / "log.jsonl") >= 1) progressWhileRunning = true;
    if (last.value("finished", false)) break;
    std::this_thread::sleep_for(250ms);
  }
  std::string seen;
  for (const auto& s : states) seen += s + " ";
  EXPECT_NE(std::find(states.begin(), states.end(), "RUNNING"), states.end()) << seen;
  EXPECT_EQ(states.back(), "COMPLETED") << seen << last.dump();
  EXPECT_TRUE(progressWhileRunning) << "no progress line in log.jsonl while the job was RUNNING; states "
                                    << seen;
  EXPECT_EQ(last["exit_code"], "0:0") << last.dump();
  EXPECT_EQ(last["name"], "neurolm-vq-short");
  EXPECT_EQ(last["nodes"], cluster_->nodeName());
  EXPECT_EQ(last["source"], "squeue");

  // The protocol in the run's log and, as the trainer's stdout, in the job's output file.
  const auto log = jsonLines(runDir / "log.jsonl");
  const auto output = jsonLines(runDir / ("slurm-" + id + ".out"));
  for (const auto* lines : {&log, &output}) {
    std::vector<int> steps;
    std::string lastEvent;
    for (const auto& e : *lines) {
      if (e["event"] == "progress") steps.push_back(e["step"]);
      lastEvent = e["event"];
    }
    EXPECT_EQ(steps, (std::vector<int>{1, 2, 3, 4}));
    EXPECT_EQ(lastEvent, "done");
  }
  EXPECT_TRUE(fs::exists(runDir / "model.safetensors"));
  const auto outText = readText(runDir / ("slurm-" + id + ".out"));
  EXPECT_NE(outText.find("neurolm-slurm: job " + id + " start 0 on " + cluster_->nodeName()),
            std::string::npos)
      << outText;
  EXPECT_NE(outText.find("trainer exited with status 0"), std::string::npos) << outText;
}

TEST_F(Slurm, CancelledJobStopsGracefullyWithACheckpointAndEndsCancelled) {
  // Checkpoints only at step 1000: the one found afterwards is the graceful stop's.
  const auto config = writeVqConfig(tmp_.path(), "long", 400, 1000);
  const auto runDir = tmp_.path() / "runs" / "long";
  const auto id = submit(config);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(waitFor([&] { return lastProgressStep(runDir / "log.jsonl") >= 2; }, 240s))
      << "no training progress; status " << jobStatus(id).dump() << "\n"
      << readText(runDir / ("slurm-" + id + ".out"));
  EXPECT_EQ(jobStatus(id)["state"], "RUNNING");

  const auto cancel = runNeurolm({"jobs", "cancel", id});
  EXPECT_EQ(cancel.exitCode, 0) << cancel.err;
  EXPECT_NE(cancel.out.find("Slurm job " + id), std::string::npos) << cancel.out;
  json last;
  const auto states = waitUntilFinished(id, last, 120s);
  EXPECT_EQ(last["state"], "CANCELLED") << states << last.dump();

  // The trainer got SIGTERM, finished its step, checkpointed it and reported the stop (exit 75).
  const auto log = jsonLines(runDir / "log.jsonl");
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back()["event"], "stopped") << log.back().dump();
  EXPECT_EQ(log.back()["exit_code"], 75);
  const int stoppedAt = log.back().value("step", -1);
  EXPECT_GE(stoppedAt, 2);
  EXPECT_LT(stoppedAt, 5000);
  std::ifstream marker(runDir / "checkpoints" / "latest.json");
  ASSERT_TRUE(marker) << "no checkpoint after the cancel";
  EXPECT_EQ(json::parse(marker)["step"], stoppedAt);
  EXPECT_FALSE(fs::exists(runDir / "model.safetensors"));
  EXPECT_NE(readText(runDir / ("slurm-" + id + ".out")).find("trainer exited with status 75"),
            std::string::npos);

  // The trainer's exit status 75 (stopped after a checkpoint) as Slurm recorded it.
  EXPECT_EQ(last["exit_code"], "75:0") << last.dump();
  // A cancelled job cannot be cancelled again (scancel itself would say nothing and exit 0).
  const auto again = runNeurolm({"jobs", "cancel", id});
  EXPECT_EQ(again.exitCode, 1);
  EXPECT_NE(again.err.find("Slurm job " + id + " has already ended (CANCELLED)"), std::string::npos)
      << again.err;
}

TEST_F(Slurm, RequeuedJobContinuesFromItsCheckpointAndCompletes) {
  const auto config = writeVqConfig(tmp_.path(), "requeue", 8, 2);
  const auto runDir = tmp_.path() / "runs" / "requeue";
  const auto id = submit(config);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(waitFor([&] { return lastProgressStep(runDir / "log.jsonl") >= 3; }, 240s))
      << readText(runDir / ("slurm-" + id + ".out"));
  // What a preemption or an administrator does: Slurm ends this start (SIGTERM: the trainer checkpoints)
  // and queues the job again, which then runs `neurolm train --resume`.
  const auto requeue = cluster_->client({"scontrol", "requeue", id});
  ASSERT_EQ(requeue.exitCode, 0) << requeue.err;
  releaseRequeuedJob(*cluster_, id);
  json last;
  const auto states = waitUntilFinished(id, last, 300s);
  EXPECT_EQ(last["state"], "COMPLETED") << states << last.dump();

  const auto log = jsonLines(runDir / "log.jsonl");
  std::vector<json> starts;
  std::set<int> steps;
  for (const auto& e : log) {
    if (e["event"] == "start") starts.push_back(e);
    if (e["event"] == "progress") steps.insert(e["step"].get<int>());
  }
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_TRUE(starts[0]["resumed_from"].is_null());
  ASSERT_FALSE(starts[1]["resumed_from"].is_null()) << starts[1].dump();
  EXPECT_GE(starts[1]["resumed_from"].get<int>(), 2);
  EXPECT_EQ(steps, (std::set<int>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(log.back()["event"], "done");
  EXPECT_TRUE(fs::exists(runDir / "model.safetensors"));
  // Both starts wrote to the same output file (--open-mode=append).
  const auto out = readText(runDir / ("slurm-" + id + ".out"));
  EXPECT_NE(out.find("job " + id + " start 0 on"), std::string::npos) << out;
  EXPECT_NE(out.find("job " + id + " start 1 on"), std::string::npos) << out;
}

TEST_F(Slurm, WarnedBeforeTheTimeLimitTheJobCheckpointsAndRequeuesItself) {
  const auto config = writeVqConfig(tmp_.path(), "warned", 8, 1000);
  const auto runDir = tmp_.path() / "runs" / "warned";
  const auto id = submit(config, {"--time", "30:00", "--stop-warning", "120"});
  ASSERT_FALSE(id.empty());
  EXPECT_NE(readText(runDir / "slurm.sbatch").find("#SBATCH --signal=B:USR1@120\n"), std::string::npos);
  ASSERT_TRUE(waitFor([&] { return lastProgressStep(runDir / "log.jsonl") >= 2; }, 240s))
      << readText(runDir / ("slurm-" + id + ".out"));
  // What Slurm does 120 s before the limit (--signal=B:USR1@120), sent now: SIGUSR1 to the batch shell only.
  const auto warn = cluster_->client({"scancel", "--batch", "--signal=USR1", id});
  ASSERT_EQ(warn.exitCode, 0) << warn.err;
  releaseRequeuedJob(*cluster_, id);
  json last;
  const auto states = waitUntilFinished(id, last, 300s);
  EXPECT_EQ(last["state"], "COMPLETED") << states << last.dump();

  // First start: stopped with a checkpoint of that step; second start: resumed from it and done.
  std::vector<std::string> events;
  int stoppedAt = -1;
  json resumedFrom;
  for (const auto& e : jsonLines(runDir / "log.jsonl")) {
    const std::string event = e["event"];
    if (event == "prepare" || event == "progress" || event == "checkpoint" || event == "metrics") continue;
    events.push_back(event);
    if (event == "stopped") stoppedAt = e["step"];
    if (event == "start" && !e["resumed_from"].is_null()) resumedFrom = e["resumed_from"];
  }
  EXPECT_EQ(events, (std::vector<std::string>{"start", "stopped", "start", "done"}));
  EXPECT_GE(stoppedAt, 2);
  EXPECT_EQ(resumedFrom, stoppedAt);
  const auto out = readText(runDir / ("slurm-" + id + ".out"));
  EXPECT_NE(out.find("trainer exited with status 75"), std::string::npos) << out;
  EXPECT_NE(out.find("requeueing job " + id), std::string::npos) << out;
  EXPECT_NE(out.find("job " + id + " start 1 on"), std::string::npos) << out;
}

TEST_F(Slurm, SlurmsOwnTimeLimitWarningStopsTheTrainerWithACheckpointAndRequeues) {
  // A 3-minute limit and a warning 100 s before it: Slurm signals 80 s after the start or up to 60 s earlier
  // (sbatch(1): "the signal may be sent up to 60 seconds earlier than specified"; with a 2-minute limit it
  // once came 1 s after the start). Far more steps than fit (about 0.05 s each), and no periodic checkpoint.
  const auto config = writeVqConfig(tmp_.path(), "limit", 5000, 10000, 200);  // 43 steps an epoch
  const auto runDir = tmp_.path() / "runs" / "limit";
  const auto id = submit(config, {"--time", "3", "--stop-warning", "100"});
  ASSERT_FALSE(id.empty());
  std::string states, previous;
  bool requeued = false;
  const auto deadline = std::chrono::steady_clock::now() + 240s;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto status = jobStatus(id);
    const std::string state = status.value("state", "?");
    if (state != previous) states += state + " ";
    previous = state;
    if (state == "PENDING" && states.find("RUNNING") != std::string::npos) {
      requeued = true;
      break;
    }
    if (status.value("finished", false)) break;
    std::this_thread::sleep_for(300ms);
  }
  ASSERT_TRUE(requeued) << "states: " << states << "\n" << readText(runDir / ("slurm-" + id + ".out"));
  const auto cancel = runNeurolm({"jobs", "cancel", id});  // the pending requeued job: it need not run again
  EXPECT_EQ(cancel.exitCode, 0) << cancel.err;

  const auto log = jsonLines(runDir / "log.jsonl");
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back()["event"], "stopped") << log.back().dump();
  const int stoppedAt = log.back().value("step", -1);
  EXPECT_GE(stoppedAt, 1);
  EXPECT_LT(stoppedAt, 5000);
  std::ifstream marker(runDir / "checkpoints" / "latest.json");
  ASSERT_TRUE(marker);
  EXPECT_EQ(json::parse(marker)["step"], stoppedAt);
  const auto out = readText(runDir / ("slurm-" + id + ".out"));
  EXPECT_NE(out.find("requeueing job " + id), std::string::npos) << out;
}

TEST_F(Slurm, RefusalsNameTheCommandAndQuoteSlurm) {
  const auto config = writeVqConfig(tmp_.path(), "refused", 2, 2);
  // An unknown partition: sbatch refuses, and its words come back with the command.
  auto r = runNeurolm({"submit", config.string(), "--slurm", "--partition", "nosuchpartition"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("sbatch --parsable " +
                       jobs::shellQuote((tmp_.path() / "runs" / "refused" / "slurm.sbatch").string())),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("invalid partition specified: nosuchpartition"), std::string::npos) << r.err;
  // A GPU on a cluster without GRES: sbatch's words, and our warning that the config trains on the CPU.
  r = runNeurolm({"submit", config.string(), "--slurm", "--gpus", "1"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("Invalid generic resource (gres) specification"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("warning: 1 GPU(s) asked for"), std::string::npos) << r.err;
  EXPECT_NE(readText(tmp_.path() / "runs" / "refused" / "slurm.sbatch").find("#SBATCH --gres=gpu:1\n"),
            std::string::npos);
  // A job id the controller never gave out; without accounting storage sacct cannot help either.
  r = runNeurolm({"jobs", "status", "987654"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("Slurm job 987654 is unknown"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Invalid job id specified"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sacct"), std::string::npos) << r.err;
  // sbatch not installed: the message says which program is missing and where it was looked for.
  const std::string path = std::getenv("PATH");
  setenv("PATH", tmp_.path().c_str(), 1);
  r = runNeurolm({"submit", config.string(), "--slurm"});
  setenv("PATH", path.c_str(), 1);
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("cannot run 'sbatch --parsable"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'sbatch' was not found in PATH"), std::string::npos) << r.err;
  const jobs::SlurmClient elsewhere(
      jobs::SlurmClient::Programs{"/nonexistent/sbatch", "squeue", "sacct", "scancel"});
  try {
    elsewhere.submitScript(tmp_.path() / "runs" / "refused" / "slurm.sbatch");
    ADD_FAILURE() << "submitting with a missing sbatch succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'/nonexistent/sbatch' does not exist"), std::string::npos)
        << e.what();
  }
}
