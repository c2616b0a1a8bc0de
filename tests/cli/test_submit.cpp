// `neurolm submit` and `neurolm jobs` without a cluster: option refusals, and the sbatch values the options
// turn into (read from the script, which is written before sbatch is called; here sbatch is not on PATH).
// tests/slurm runs the same commands on a real Slurm.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/CliRun.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

// A valid vq config on a small EEGMAT dataset definition (checked before submitting, never trained here).
fs::path writeConfig(const fs::path& dir) {
  const nlohmann::json d = {
      {"name", "mini"},
      {"root", (test::dataDir() / "eegmat").string()},
      {"files", {"^Subject0[0-1]_[12]\\.edf$"}},
      {"channels", {"EEG Fp1", "EEG Fp2"}},
      {"channel_name_rule", "workload"},
      {"protocol", "workload"},
      {"label", {{"from", "filename"}, {"pattern", "_([12])\\.edf$"}, {"map", {{"1", 0}, {"2", 1}}}}},
      {"split", {{"subject_pattern", "^Subject(\\d\\d)_"}, {"train", {"00"}}, {"val", {"01"}}}},
      {"task", {{"prompt", "Question: high workload? Answer:"}, {"options", {" No", " Yes"}}}}};
  std::ofstream(dir / "mini.json") << d.dump();
  const nlohmann::json c = {{"stage", "vq"}, {"run_dir", (dir / "run").string()}, {"dataset", "mini.json"}};
  std::ofstream(dir / "vq.json") << c.dump();
  return dir / "vq.json";
}

// Runs `neurolm submit` with an empty PATH: the script is written, then sbatch is not found.
test::CliResult submitWithoutSbatch(const fs::path& config, const std::vector<std::string>& options) {
  const std::string path = std::getenv("PATH");
  setenv("PATH", "/nonexistent", 1);
  std::vector<std::string> args{"submit", config.string(), "--slurm"};
  args.insert(args.end(), options.begin(), options.end());
  auto r = test::runCli(args);
  setenv("PATH", path.c_str(), 1);
  return r;
}

std::string script(const fs::path& config) {
  std::ifstream in(config.parent_path() / "run" / "slurm.sbatch");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST(Submit, OptionsBecomeSbatchValues) {
  test::TempDir tmp("submit-values");
  const auto config = writeConfig(tmp.path());
  struct Case {
    std::vector<std::string> options;
    std::vector<std::string> lines;
  };
  const std::vector<Case> cases = {
      {{"--time", "90"}, {"#SBATCH --time=0-01:30:00\n"}},
      {{"--time", "5:30"}, {"#SBATCH --time=0-00:05:30\n"}},
      {{"--time", "2:03:04"}, {"#SBATCH --time=0-02:03:04\n"}},
      {{"--time", "1-2"}, {"#SBATCH --time=1-02:00:00\n"}},
      {{"--time", "3-4:05"}, {"#SBATCH --time=3-04:05:00\n"}},
      {{"--mem", "2G"}, {"#SBATCH --mem=2048M\n"}},
      {{"--mem", "1500"}, {"#SBATCH --mem=1500M\n"}},
      {{"--mem", "1T"}, {"#SBATCH --mem=1048576M\n"}},
      {{"--cpus", "6", "--partition", "long", "--job-name", "my run"},
       {"#SBATCH --cpus-per-task=6\n", "#SBATCH --partition=long\n", "#SBATCH --job-name=\"my run\"\n",
        "OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-6}\""}},
      {{"--stop-warning", "300"}, {"#SBATCH --signal=B:USR1@300\n", "#SBATCH --job-name=neurolm-vq-run\n"}},
  };
  for (const auto& c : cases) {
    const auto r = submitWithoutSbatch(config, c.options);
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("'sbatch' was not found in PATH"), std::string::npos) << r.err;
    const auto text = script(config);
    for (const auto& line : c.lines)
      EXPECT_NE(text.find(line), std::string::npos) << c.options[0] << ": " << text;
  }
  // The trainer the job runs is the neurolm beside this program, with the config's absolute path.
  EXPECT_NE(script(config).find((test::binDir() / "neurolm").string() + " train " + config.string() +
                                " --resume --json"),
            std::string::npos)
      << script(config);
}

TEST(Submit, RefusesBadOptionsWithUsage) {
  test::TempDir tmp("submit-refusals");
  const auto config = writeConfig(tmp.path()).string();
  auto expectUsage = [&](const std::vector<std::string>& args, const std::string& needle) {
    const auto r = test::runCli(args);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  };
  expectUsage({"submit", config}, "--slurm");
  expectUsage({"submit", config, "--slurm", "--time", "1:2:3:4"}, "--time '1:2:3:4' is not a time limit");
  expectUsage({"submit", config, "--slurm", "--time", "0"}, "--time '0' is not a time limit");
  expectUsage({"submit", config, "--slurm", "--mem", "8X"}, "--mem '8X' is not a memory size");
  expectUsage({"submit", config, "--slurm", "--cpus", "0"}, "--cpus '0' must be a whole number ≥ 1");
  expectUsage({"submit", config, "--slurm", "--gpus"}, "--gpus");
  expectUsage({"jobs", "status", "12;ls"}, "'12;ls' is not a Slurm job id");
  expectUsage({"jobs", "restart", "12"}, "unknown action 'restart'");
  // A warning not shorter than the limit is refused before anything is queued.
  const auto r = test::runCli({"submit", config, "--slurm", "--time", "1", "--stop-warning", "60"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("the stop warning (60 s) must be shorter than the time limit (60 s)"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(tmp.path() / "run" / "slurm.sbatch"));
}
