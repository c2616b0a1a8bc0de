// core/jobs without a cluster: the batch script of a training job (lines, refusals, valid bash) and the
// process runner under it. The same script runs on a real Slurm in tests/slurm.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/TempDir.h"
#include "core/jobs/Process.h"
#include "core/jobs/SlurmJob.h"

using namespace neurolm;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

jobs::SlurmTrainSubmission submission() {
  jobs::SlurmTrainSubmission s;
  s.neurolmExecutable = "/opt/neurolm/bin/neurolm";
  s.configPath = "/data/my runs/vq.json";
  s.runDir = "/data/my runs/vq";
  s.jobName = "neurolm-vq-vq";
  s.resources.partition = "gpu";
  s.resources.timeLimit = 26h + 3min + 4s;
  s.resources.cpusPerTask = 8;
  s.resources.memoryMb = 16 * 1024;
  s.resources.gpus = 2;
  s.resources.stopWarning = 90s;
  return s;
}

void expectRefused(const jobs::SlurmTrainSubmission& s, const std::string& needle) {
  try {
    jobs::slurmTrainScript(s);
    ADD_FAILURE() << "accepted; expected a refusal with '" << needle << "'";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(SlurmScript, TimeLimitsInSbatchForm) {
  EXPECT_EQ(jobs::formatSlurmTime(0s), "0-00:00:00");
  EXPECT_EQ(jobs::formatSlurmTime(59s), "0-00:00:59");
  EXPECT_EQ(jobs::formatSlurmTime(26h + 3min + 4s), "1-02:03:04");
  EXPECT_EQ(jobs::formatSlurmTime(std::chrono::hours(24 * 14)), "14-00:00:00");
}

TEST(SlurmScript, CarriesTheResourcesTheRequeueAndTheResumingTrainer) {
  const auto script = jobs::slurmTrainScript(submission());
  for (const char* line :
       {"#!/bin/bash\n", "#SBATCH --job-name=neurolm-vq-vq\n",
        "#SBATCH --output=\"/data/my runs/vq/slurm-%j.out\"\n", "#SBATCH --chdir=\"/data/my runs/vq\"\n",
        "#SBATCH --partition=gpu\n", "#SBATCH --time=1-02:03:04\n", "#SBATCH --cpus-per-task=8\n",
        "#SBATCH --mem=16384M\n", "#SBATCH --gres=gpu:2\n", "#SBATCH --requeue\n",
        "#SBATCH --signal=B:USR1@90\n", "#SBATCH --open-mode=append\n",
        "/opt/neurolm/bin/neurolm train '/data/my runs/vq.json' --resume --json </dev/null &\n",
        "scontrol requeue \"$SLURM_JOB_ID\"\n"})
    EXPECT_NE(script.find(line), std::string::npos) << line << " missing in\n" << script;
  // Every #SBATCH line comes before the first command (sbatch stops reading them there).
  const auto lastDirective = script.rfind("#SBATCH");
  const auto firstCommand = script.find("\nset -u");
  EXPECT_LT(lastDirective, firstCommand);

  // Defaults: no partition, limit, memory or GPU lines; no warning when it is 0.
  jobs::SlurmTrainSubmission plain = submission();
  plain.resources = {};
  plain.resources.stopWarning = 0s;
  const auto minimal = jobs::slurmTrainScript(plain);
  for (const char* absent : {"--partition", "--time", "--mem", "--gres", "--signal"})
    EXPECT_EQ(minimal.find(absent), std::string::npos) << absent;
  EXPECT_NE(minimal.find("#SBATCH --cpus-per-task=1\n"), std::string::npos);
}

TEST(SlurmScript, IsValidBash) {
  test::TempDir tmp("slurm-script");
  const auto path = tmp.path() / "job.sbatch";
  std::ofstream(path) << jobs::slurmTrainScript(submission());
  const auto r = jobs::runProcess({"bash", "-n", path.string()});
  EXPECT_EQ(r.exitCode, 0) << r.err;
}

// The time-limit warning (USR1 to the batch shell) may come while the trainer is still starting and does
// not yet handle SIGTERM: it then dies of the TERM the shell passes on (status 143), had not trained, and the
// job must requeue just the same. A stand-in trainer without a handler, and a scontrol that records its call.
TEST(SlurmScript, AWarningWhileTheTrainerStartsStillRequeues) {
  test::TempDir tmp("slurm-script-early");
  const auto bin = tmp.path() / "bin";
  fs::create_directories(bin);
  const auto trainer = bin / "neurolm";
  std::ofstream(trainer) << "#!/bin/sh\nexec sleep 30\n";
  std::ofstream(bin / "scontrol") << "#!/bin/sh\necho \"$@\" > " << (tmp.path() / "scontrol.args").string() << "\n";
  fs::permissions(trainer, fs::perms::owner_all);
  fs::permissions(bin / "scontrol", fs::perms::owner_all);
  auto s = submission();
  s.neurolmExecutable = trainer;
  const auto path = tmp.path() / "job.sbatch";
  std::ofstream(path) << jobs::slurmTrainScript(s);
  const auto r = jobs::runProcess(
      {"bash", "-c",
       "PATH=" + jobs::shellQuote(bin.string()) + ":$PATH SLURM_JOB_ID=77 bash " + jobs::shellQuote(path.string()) +
           " & job=$!; sleep 0.5; kill -USR1 $job; wait $job"},
      20s);
  EXPECT_EQ(r.exitCode, 143) << r.err;
  EXPECT_NE(r.err.find("trainer exited with status 143"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("requeueing job 77"), std::string::npos) << r.err;
  std::ifstream args(tmp.path() / "scontrol.args");
  std::string line;
  std::getline(args, line);
  EXPECT_EQ(line, "requeue 77");
}

TEST(SlurmScript, RefusesWhatABatchScriptCannotCarry) {
  auto s = submission();
  s.runDir = "runs/vq";
  expectRefused(s, "run_dir must be an absolute path");
  s = submission();
  s.runDir = "/data/100%/vq";
  expectRefused(s, "holds '%'");
  s = submission();
  s.jobName = "a\"b";
  expectRefused(s, "the job name 'a\"b' holds a newline or '\"'");
  s = submission();
  s.resources.cpusPerTask = 0;
  expectRefused(s, "cpus must be ≥ 1, got 0");
  s = submission();
  s.resources.timeLimit = 60s;
  s.resources.stopWarning = 60s;
  expectRefused(s, "the stop warning (60 s) must be shorter than the time limit (60 s)");
}

TEST(SlurmScript, JobIds) {
  EXPECT_TRUE(jobs::isSlurmJobId("123"));
  EXPECT_TRUE(jobs::isSlurmJobId("123_4"));
  EXPECT_FALSE(jobs::isSlurmJobId(""));
  EXPECT_FALSE(jobs::isSlurmJobId("12a"));
  EXPECT_FALSE(jobs::isSlurmJobId("1;rm"));
}

TEST(Process, SeparatesStdoutStderrAndExitStatus) {
  const auto r = jobs::runProcess({"sh", "-c", "printf out; printf err >&2; exit 7"});
  EXPECT_EQ(r.exitCode, 7);
  EXPECT_EQ(r.out, "out");
  EXPECT_EQ(r.err, "err");
  const auto killed = jobs::runProcess({"sh", "-c", "kill -TERM $$"});
  EXPECT_EQ(killed.exitCode, -15);
  // Much more than a pipe holds, on both streams at once.
  const auto big = jobs::runProcess({"sh", "-c", "head -c 300000 /dev/zero; head -c 200000 /dev/zero >&2"});
  EXPECT_EQ(big.out.size(), 300000u);
  EXPECT_EQ(big.err.size(), 200000u);
}

TEST(Process, NamesAMissingProgramAndKillsOneThatHangs) {
  try {
    jobs::runProcess({"neurolm-no-such-program", "--x"});
    ADD_FAILURE() << "a missing program ran";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'neurolm-no-such-program' was not found in PATH"),
              std::string::npos)
        << e.what();
  }
  const auto start = std::chrono::steady_clock::now();
  try {
    jobs::runProcess({"sleep", "30"}, 300ms);
    ADD_FAILURE() << "a hanging program was not stopped";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'sleep 30' did not finish"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_EQ(jobs::commandLine({"a b", "it's", "plain-1.0"}), "'a b' 'it'\\''s' plain-1.0");
}
