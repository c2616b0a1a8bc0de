// `neurolm train`: configs refused with the key and the reason, the three stages end to end on real EEGMAT
// recordings with the job protocol, and exact resumption after SIGKILL at several points and after a
// graceful stop (final weights bit-identical to an uninterrupted run).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/CliRun.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/io/Npy.h"
#include "models/io/SafeTensors.h"
#include "models/runtime/ModelStore.h"
#include "models/train/Dataset.h"
#include "models/train/OptionScores.h"
#include "models/train/Trainer.h"

using namespace neurolm;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kWorkloadChannels = {
    "EEG Fp1", "EEG Fp2", "EEG F3", "EEG F4", "EEG F7", "EEG F8", "EEG T3", "EEG T4", "EEG C3", "EEG C4",
    "EEG T5",  "EEG T6",  "EEG P3", "EEG P4", "EEG O1", "EEG O2", "EEG Fz", "EEG Cz", "EEG Pz"};

// Subjects 00–02 train, 03 validation (8 recordings of EEGMAT), the official Workload protocol.
fs::path writeMiniDefinition(const fs::path& dir) {
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
  const auto path = dir / "mini.json";
  std::ofstream(path) << d.dump(1);
  return path;
}

fs::path writeConfig(const fs::path& dir, const std::string& name, json config) {
  const auto path = dir / name;
  std::ofstream(path) << config.dump(1);
  return path;
}

json vqConfig(const fs::path& dir, const std::string& runName, int64_t steps) {
  return {{"stage", "vq"},
          {"run_dir", (dir / "runs" / runName).string()},
          {"dataset", "mini.json"},
          {"padded_length", 96},
          {"epochs", 1},
          {"batch_size", 4},
          {"max_steps", steps},
          {"warmup_epochs", 0},
          {"text_batch_size", 2},
          {"text_block_size", 32},
          {"checkpoint_every_steps", 2},
          {"threads", 2}};
}

std::vector<json> protocolLines(const std::string& out) {
  std::vector<json> v;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) v.push_back(json::parse(line));
  return v;
}

// Runs the neurolm executable; when killAtStep > 0, SIGKILLs it right after it reports that step.
struct ProcessResult {
  int exitCode = -1;
  bool killed = false;
  std::string out;
};
ProcessResult runNeurolm(const std::vector<std::string>& args, int killAtStep = 0,
                         const std::string& stdinText = "", rlim_t fileSizeLimit = 0) {
  int outPipe[2], inPipe[2];
  EXPECT_EQ(pipe(outPipe), 0);
  EXPECT_EQ(pipe(inPipe), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(outPipe[1], STDOUT_FILENO);
    dup2(inPipe[0], STDIN_FILENO);
    close(outPipe[0]);
    close(inPipe[1]);
    if (fileSizeLimit > 0) {  // a full disk, as a write beyond this size fails with EFBIG
      signal(SIGXFSZ, SIG_IGN);
      const rlimit limit{fileSizeLimit, fileSizeLimit};
      setrlimit(RLIMIT_FSIZE, &limit);
    }
    std::vector<std::string> all{(test::binDir() / "neurolm").string()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(outPipe[1]);
  close(inPipe[0]);
  ProcessResult r;
  FILE* out = fdopen(outPipe[0], "r");
  char* line = nullptr;
  size_t cap = 0;
  bool stopSent = false;
  while (getline(&line, &cap, out) > 0) {
    r.out += line;
    const auto j = json::parse(line, nullptr, false);
    if (j.is_discarded() || j.value("event", "") != "progress") continue;
    const int step = j.value("step", 0);
    if (killAtStep > 0 && step == killAtStep && !r.killed) {
      kill(pid, SIGKILL);
      r.killed = true;
    }
    if (!stdinText.empty() && !stopSent && step >= 1) {
      EXPECT_EQ(write(inPipe[1], stdinText.data(), stdinText.size()), static_cast<ssize_t>(stdinText.size()));
      stopSent = true;
    }
  }
  free(line);
  fclose(out);
  close(inPipe[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  return r;
}

void expectSameWeights(const fs::path& a, const fs::path& b) {
  const auto fa = readSafeTensors(a, SafeTensorsLoad::Copy);
  const auto fb = readSafeTensors(b, SafeTensorsLoad::Copy);
  ASSERT_EQ(fa.tensors.size(), fb.tensors.size());
  for (std::size_t i = 0; i < fa.tensors.size(); ++i) {
    ASSERT_EQ(fa.tensors[i].first, fb.tensors[i].first);
    EXPECT_TRUE(torch::equal(fa.tensors[i].second, fb.tensors[i].second)) << fa.tensors[i].first;
  }
}

}  // namespace

TEST(TrainConfig, RefusesUnknownKeysAndBadValuesNamingThem) {
  test::TempDir tmp("train-config");
  writeMiniDefinition(tmp.path());
  auto expectError = [&](json config, const std::string& needle) {
    const auto path = writeConfig(tmp.path(), "c.json", config);
    const auto r = test::runCli({"train", path.string()});
    EXPECT_EQ(r.code, 1) << config.dump();
    EXPECT_NE(r.err.find(path.string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  };
  auto base = vqConfig(tmp.path(), "a", 2);
  auto c = base;
  c["learning_rate"] = 1e-3;  // the official argparse name, not ours
  expectError(c, "'learning_rate' is not a known key");
  c = base;
  c["batch_size"] = 0;
  expectError(c, "'batch_size' must be ≥ 1, got 0");
  c = base;
  c["lr"] = "fast";
  expectError(c, "'lr' must be a number");
  c = base;
  c["stage"] = "finetune";
  expectError(c, "'stage' must be");
  c = base;
  c["dataset"] = "missing.json";
  expectError(c, "'dataset' names");
  c = base;
  c["stage"] = "pretrain";
  expectError(c, "'tokenizer' is required");
  c = base;
  c["model"] = {{"gpt_depth", 2}};
  expectError(c, "'model' has the unknown key 'gpt_depth'");
  c = base;
  c["model"] = {{"codebook_size", 0}};
  expectError(c, "'codebook_size' must be a whole number in [1, 65536], got 0");
  c = base;
  c["stage"] = "eval";
  c["init_model"] = c["dataset"];
  c["model"] = {{"gpt_layers", 2}};
  expectError(c, "belongs to the vq or pretrain stage only");
  EXPECT_FALSE(fs::exists(tmp.path() / "runs" / "a"));  // nothing was created for a refused config
}

TEST(TrainDataset, WorkloadDefinitionGivesTheOfficialWindowsAndSubjectSplit) {
  test::TempDir tmp("train-dataset");
  const auto def = train::readDatasetDefinition(writeMiniDefinition(tmp.path()));
  train::PrepareOptions po;
  po.cacheDir = tmp.path() / "cache";
  const auto data = train::prepareDataset(def, po);
  EXPECT_FALSE(data.fromCache);
  // Spec §1.5: 29 windows of 4 s × 19 channels per recording, label from _1 (0) / _2 (1).
  const auto& train = data.splits.at("train");
  EXPECT_EQ(train.count, 6 * 29);
  EXPECT_EQ(train.tokens, 76);
  EXPECT_EQ(data.splits.at("val").count, 2 * 29);
  for (int64_t i = 0; i < train.count; ++i) {
    EXPECT_EQ(train.labels[static_cast<std::size_t>(i)],
              train.files[static_cast<std::size_t>(i)].find("_2.edf") != std::string::npos ? 1 : 0);
    EXPECT_NE(train.subjects[static_cast<std::size_t>(i)], "03");
  }
  // Window 0 of Subject00_2 equals the official pickle of the parity fixtures (µV / 100, float32).
  const auto ref = readNpy(test::parityDir() / "vq" / "window_scaled_f32.npy").toFloat();  // [19, 800]
  int64_t w = -1;
  for (int64_t i = 0; i < train.count && w < 0; ++i)
    if (train.files[static_cast<std::size_t>(i)] == "Subject00_2.edf") w = i;
  ASSERT_GE(w, 0);
  double maxDiff = 0;
  for (int64_t tok = 0; tok < 76; ++tok) {
    const int64_t sec = tok / 19, ch = tok % 19;
    for (int64_t k = 0; k < 200; ++k)
      maxDiff =
          std::max<double>(maxDiff, std::abs(train.x[static_cast<std::size_t>((w * 76 + tok) * 200 + k)] -
                                             ref[static_cast<std::size_t>(ch * 800 + sec * 200 + k)]));
  }
  EXPECT_LE(maxDiff, 1e-6);
  // A second preparation reads the verified shards.
  const auto again = train::prepareDataset(def, po);
  EXPECT_TRUE(again.fromCache);
  EXPECT_EQ(again.splits.at("train").x, train.x);
  // A damaged shard is refused with its path.
  {
    const auto shard = data.shardDir / "train.x.npy";
    std::fstream f(shard, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-4, std::ios::end);
    f.write("\x01\x02\x03\x04", 4);
  }
  try {
    train::prepareDataset(def, po);
    ADD_FAILURE() << "a corrupt shard was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("train.x.npy"), std::string::npos) << e.what();
  }
}

// Two jobs preparing the same dataset into one cache at the same moment (the embedded recipe's two folds do)
// both get their windows, and one complete shard folder remains, with no partial folder left behind.
TEST(TrainDataset, TwoProcessesPreparingOneDatasetAtOnceBothSucceed) {
  test::TempDir tmp("train-dataset-race");
  const auto def = train::readDatasetDefinition(writeMiniDefinition(tmp.path()));
  train::PrepareOptions po;
  po.cacheDir = tmp.path() / "cache";
  std::vector<pid_t> children;
  for (int i = 0; i < 2; ++i) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int code = 1;
      try {
        code = train::prepareDataset(def, po).splits.at("train").count == 6 * 29 ? 0 : 2;
      } catch (...) {
        code = 3;
      }
      _exit(code);
    }
    children.push_back(pid);
  }
  for (const pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "2: wrong windows, 3: preparation threw";
  }
  const auto cached = train::prepareDataset(def, po);
  EXPECT_TRUE(cached.fromCache);
  EXPECT_EQ(cached.splits.at("train").count, 6 * 29);
  int folders = 0;
  for (const auto& entry : fs::directory_iterator(po.cacheDir)) {
    ++folders;
    EXPECT_EQ(entry.path().filename().string().find(".partial"), std::string::npos) << entry.path();
  }
  EXPECT_EQ(folders, 1);
}

TEST(TrainStages, AllThreeStagesRunEndToEndWithTheProtocol) {
  test::TempDir tmp("train-stages");
  writeMiniDefinition(tmp.path());
  const auto runs = tmp.path() / "runs";
  auto vq = writeConfig(tmp.path(), "vq.json", vqConfig(tmp.path(), "vq", 3));
  auto r = test::runCli({"train", vq.string(), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto lines = protocolLines(r.out);
  ASSERT_FALSE(lines.empty());
  std::vector<std::string> events;
  for (const auto& l : lines)
    if (l["event"] != "prepare") events.push_back(l["event"]);
  EXPECT_EQ(events.front(), "start");
  EXPECT_EQ(events.back(), "done");
  int progress = 0;
  for (const auto& l : lines)
    if (l["event"] == "progress") {
      ++progress;
      for (const char* key :
           {"step", "total", "loss", "lr", "samples_per_sec", "eta_sec", "device", "memory_mb"})
        EXPECT_TRUE(l.contains(key)) << key;
      EXPECT_TRUE(std::isfinite(l["loss"].get<double>()));
    }
  EXPECT_EQ(progress, 3);
  // The same lines are in the run's log.
  std::ifstream log(runs / "vq" / "log.jsonl");
  std::stringstream logText;
  logText << log.rdbuf();
  EXPECT_EQ(protocolLines(logText.str()).size(), lines.size());
  EXPECT_TRUE(fs::exists(runs / "vq" / "model.safetensors"));
  EXPECT_TRUE(fs::exists(runs / "vq" / "splits.json"));
  // The tokenizer records the longest window it was trained on: the Workload protocol's 4 s (spec 1.5).
  EXPECT_EQ(readSafeTensors(runs / "vq" / "model.safetensors").metadata.at(runtime::kTrainedWindowSecKey), "4");
  EXPECT_EQ(runtime::loadTokenizer(runs / "vq" / "model.safetensors").trainedWindowSec, 4);

  json pre = {{"stage", "pretrain"},    {"run_dir", (runs / "pre").string()},
              {"dataset", "mini.json"}, {"tokenizer", (runs / "vq" / "model.safetensors").string()},
              {"padded_length", 96},    {"epochs", 1},
              {"batch_size", 4},        {"max_steps", 2},
              {"warmup_epochs", 0},     {"threads", 2},
              {"model", {{"gpt_layers", 1}, {"gpt_heads", 2}, {"gpt_width", 48}}}};
  r = test::runCli({"train", writeConfig(tmp.path(), "pre.json", pre).string(), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json ins = {{"stage", "instruct"},
              {"run_dir", (runs / "ins").string()},
              {"dataset", "mini.json"},
              {"init_model", (runs / "pre" / "model.safetensors").string()},
              {"epochs", 1},
              {"batch_size", 4},
              {"max_steps", 2},
              {"warmup_ratio", 0},
              {"warmup_epochs", 0},
              {"threads", 2}};
  r = test::runCli({"train", writeConfig(tmp.path(), "ins.json", ins).string(), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  lines = protocolLines(r.out);
  bool sawInstructionLoss = false;
  for (const auto& l : lines)
    if (l["event"] == "progress") sawInstructionLoss = l["parts"].contains("instruction_loss");
  EXPECT_TRUE(sawInstructionLoss);
  // The "model" shape reached the pre-trained NeuroLM; instruct kept it and recorded its task.
  const auto tuned = runtime::loadNeuroLm(runs / "ins" / "model.safetensors");
  EXPECT_EQ(tuned.model->config().gpt.nLayer, 1);
  EXPECT_EQ(tuned.model->config().gpt.nEmbd, 48);
  EXPECT_TRUE(runtime::loadNeuroLm(runs / "pre" / "model.safetensors").tasks.empty());
  ASSERT_EQ(tuned.tasks.size(), 1u);
  EXPECT_EQ(tuned.tasks[0].name, "mini-workload");
  EXPECT_EQ(tuned.tasks[0].prompt, "Question: Is this EEG segment of high workload? Answer:");
  EXPECT_EQ(tuned.tasks[0].options, (std::vector<std::string>{" No", " Yes"}));
  r = test::runCli({"ask", "--list-tasks", "--json", "--model", (runs / "ins" / "model.safetensors").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto listed = protocolLines(r.out);
  ASSERT_EQ(listed.size(), 1u) << r.out;
  EXPECT_EQ(listed[0]["type"], "task");
  EXPECT_EQ(listed[0]["options"], (json{" No", " Yes"}));
  // The instruction-tuned model answers through `neurolm ask`.
  r = test::runCli({"ask", (test::dataDir() / "eegmat" / "Subject03_2.edf").string(), "--model",
                    (runs / "ins" / "model.safetensors").string(), "--window", "10:14", "--json",
                    "Question: Is this EEG segment of high workload? Answer:"});
  EXPECT_EQ(r.code, 0) << r.err;

  // Calibration: the temperature is fitted on held-out training subjects (split "calib"), never on the
  // reported split; the calibrated model records it and `neurolm ask` applies it to the option probabilities.
  {
    std::ifstream in(tmp.path() / "mini.json");
    auto d = json::parse(in);
    d["split"]["train"] = {"00-01"};
    d["split"]["calib"] = {"02"};
    d["description"] = "mini Workload, temperature fitted on subject 02";
    std::ofstream(tmp.path() / "mini-calib.json") << d.dump(1);
  }
  json cal = {{"stage", "eval"},
              {"run_dir", (runs / "cal").string()},
              {"dataset", "mini-calib.json"},
              {"init_model", (runs / "ins" / "model.safetensors").string()},
              {"calibrate", true},
              {"threads", 2}};
  r = test::runCli({"train", writeConfig(tmp.path(), "cal-val.json", cal).string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("must not fit on the 'val' split"), std::string::npos) << r.err;
  cal["eval_split"] = "calib";
  r = test::runCli({"train", writeConfig(tmp.path(), "cal.json", cal).string(), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json calMetrics;
  {
    std::ifstream in(runs / "cal" / "metrics.json");
    calMetrics = json::parse(in);
  }
  const double temperature = calMetrics["calibration"]["temperature"];
  EXPECT_GT(temperature, 0.0);
  EXPECT_EQ(calMetrics["temperature"], temperature);
  EXPECT_LE(calMetrics["calibration"]["nll_after"].get<double>(),
            calMetrics["calibration"]["nll_before"].get<double>() + 1e-12);
  const auto calibrated = runtime::loadNeuroLm(runs / "cal" / "model.safetensors");
  ASSERT_EQ(calibrated.tasks.size(), 1u);
  EXPECT_DOUBLE_EQ(calibrated.tasks[0].temperature, temperature);
  EXPECT_EQ(calibrated.tasks[0].description, "mini Workload, temperature fitted on subject 02");  // how it was calibrated
  r = test::runCli({"ask", (test::dataDir() / "eegmat" / "Subject03_2.edf").string(), "--model",
                    (runs / "cal" / "model.safetensors").string(), "--window", "10:14", "--json",
                    "Question: Is this EEG segment of high workload? Answer:"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto answer = protocolLines(r.out).back();
  ASSERT_EQ(answer["options"].size(), 2u) << r.out;
  const double l0 = answer["options"][0]["log_prob"], l1 = answer["options"][1]["log_prob"];
  const double p0 = 1.0 / (1.0 + std::exp((l1 - l0) / temperature));
  EXPECT_NEAR(answer["options"][0]["probability"].get<double>(), p0, 1e-9);

  // Cross-fitted calibration: the scores.csv of another eval run (here subject 01, held out by a "fold B"
  // definition) pooled into the fit. scores.csv holds the raw log-probabilities behind predictions.csv; the
  // pooled temperature is the NLL minimum over both runs' windows (checked against its neighbours with a
  // hand-written NLL); a pooled subject of the val split, or of the split being fitted, is refused.
  {
    std::ifstream in(tmp.path() / "mini.json");
    auto d = json::parse(in);
    d["split"]["train"] = {"00", "02"};
    d["split"]["calib"] = {"01"};
    std::ofstream(tmp.path() / "mini-fold-b.json") << d.dump(1);
  }
  json score = {{"stage", "eval"},
                {"run_dir", (runs / "score-b").string()},
                {"dataset", "mini-fold-b.json"},
                {"init_model", (runs / "ins" / "model.safetensors").string()},
                {"eval_split", "calib"},
                {"threads", 2}};
  r = test::runCli({"train", writeConfig(tmp.path(), "score-b.json", score).string(), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto foldB = train::readOptionScores(runs / "score-b" / "scores.csv", 2);
  ASSERT_FALSE(foldB.labels.empty());
  EXPECT_EQ(std::set<std::string>(foldB.subjects.begin(), foldB.subjects.end()), std::set<std::string>{"01"});
  {
    std::ifstream in(runs / "score-b" / "predictions.csv");
    std::string line;
    std::getline(in, line);
    for (std::size_t i = 0; std::getline(in, line); ++i) {
      ASSERT_LT(i, foldB.labels.size());
      const double p0 = std::stod(line.substr(line.rfind(',', line.rfind(',') - 1) + 1));
      const auto& lp = foldB.logProbs[i];  // the uncalibrated model: temperature 1
      EXPECT_NEAR(p0, 1.0 / (1.0 + std::exp(lp[1] - lp[0])), 1e-6) << line;
    }
  }
  json pooled = cal;
  pooled["run_dir"] = (runs / "cal-pool").string();
  pooled["calibrate_pool"] = {(runs / "score-b" / "scores.csv").string()};
  r = test::runCli({"train", writeConfig(tmp.path(), "cal-pool.json", pooled).string(), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json poolMetrics;
  {
    std::ifstream in(runs / "cal-pool" / "metrics.json");
    poolMetrics = json::parse(in);
  }
  const auto own = train::readOptionScores(runs / "cal-pool" / "scores.csv", 2);
  const auto& calib = poolMetrics["calibration"];
  EXPECT_EQ(calib["windows"].get<std::size_t>(), own.labels.size() + foldB.labels.size());
  ASSERT_EQ(calib["pooled"].size(), 1u);
  EXPECT_EQ(calib["pooled"][0]["subjects"], json({"01"}));
  const auto pooledNll = [&](double t) {
    double sum = 0;
    std::size_t n = 0;
    for (const auto* s : {&own, &foldB})
      for (std::size_t i = 0; i < s->labels.size(); ++i, ++n) {
        const double a = s->logProbs[i][0] / t, b = s->logProbs[i][1] / t;
        const double m = std::max(a, b), lse = m + std::log(std::exp(a - m) + std::exp(b - m));
        sum -= (s->labels[i] == 0 ? a : b) - lse;
      }
    return sum / static_cast<double>(n);
  };
  const double pooledT = calib["temperature"];
  EXPECT_NEAR(calib["nll_after"].get<double>(), pooledNll(pooledT), 1e-9);
  // (The fit searches T in [0.05, 20]; this barely trained model may sit at the upper end.)
  if (pooledT < 19.9) {
    EXPECT_LE(pooledNll(pooledT), pooledNll(pooledT * 1.01) + 1e-12) << "T " << pooledT;
  }
  EXPECT_LE(pooledNll(pooledT), pooledNll(pooledT / 1.01) + 1e-12) << "T " << pooledT;
  EXPECT_LE(pooledNll(pooledT), pooledNll(temperature) + 1e-12);  // at least as good as the one-split fit
  EXPECT_DOUBLE_EQ(runtime::loadNeuroLm(runs / "cal-pool" / "model.safetensors").tasks[0].temperature, pooledT);
  // Refusals: a validation subject (03), a subject of the split being fitted (02), no "calibrate".
  json scoreVal = score;
  scoreVal["run_dir"] = (runs / "score-val").string();
  scoreVal["dataset"] = "mini.json";
  scoreVal["eval_split"] = "val";
  r = test::runCli({"train", writeConfig(tmp.path(), "score-val.json", scoreVal).string(), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  pooled["run_dir"] = (runs / "cal-pool-val").string();
  pooled["calibrate_pool"] = {(runs / "score-val" / "scores.csv").string()};
  r = test::runCli({"train", writeConfig(tmp.path(), "cal-pool-val.json", pooled).string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find((runs / "score-val" / "scores.csv").string() + ": subject 03 belongs to the 'val' split"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(runs / "cal-pool-val" / "model.safetensors"));
  pooled["run_dir"] = (runs / "cal-pool-twice").string();
  pooled["calibrate_pool"] = {(runs / "cal" / "scores.csv").string()};
  r = test::runCli({"train", writeConfig(tmp.path(), "cal-pool-twice.json", pooled).string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("subject 02 is also in the 'calib' split"), std::string::npos) << r.err;
  score["calibrate_pool"] = {(runs / "score-b" / "scores.csv").string()};
  r = test::runCli({"train", writeConfig(tmp.path(), "pool-no-calibrate.json", score).string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("'calibrate_pool'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("needs \"calibrate\": true"), std::string::npos) << r.err;

  // Starting the same run again without --resume is refused and changes nothing.
  const auto before = fs::last_write_time(runs / "vq" / "model.safetensors");
  r = test::runCli({"train", vq.string(), "--json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--resume"), std::string::npos) << r.err;
  EXPECT_EQ(fs::last_write_time(runs / "vq" / "model.safetensors"), before);
}

TEST(TrainStages, SigkillAtAnyPointThenResumeEqualsAnUninterruptedRun) {
  test::TempDir tmp("train-kill");
  writeMiniDefinition(tmp.path());
  const auto ref = writeConfig(tmp.path(), "ref.json", vqConfig(tmp.path(), "ref", 6));
  auto r = runNeurolm({"train", ref.string(), "--json"});
  ASSERT_EQ(r.exitCode, 0) << r.out;
  for (int killAt : {1, 2, 5}) {
    SCOPED_TRACE("killed after step " + std::to_string(killAt));
    const auto name = "k" + std::to_string(killAt);
    const auto cfg = writeConfig(tmp.path(), name + ".json", vqConfig(tmp.path(), name, 6));
    r = runNeurolm({"train", cfg.string(), "--json"}, killAt);
    ASSERT_TRUE(r.killed);
    EXPECT_EQ(r.exitCode, -SIGKILL);
    EXPECT_FALSE(fs::exists(tmp.path() / "runs" / name / "model.safetensors"));
    r = runNeurolm({"train", cfg.string(), "--resume", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.out;
    const auto lines = protocolLines(r.out);
    for (const auto& l : lines)
      if (l["event"] == "start" && !l["resumed_from"].is_null()) {  // a checkpoint every 2 steps
        EXPECT_EQ(l["resumed_from"].get<int>() % 2, 0);
        EXPECT_LE(l["resumed_from"].get<int>(), killAt);
        EXPECT_GE(l["resumed_from"].get<int>(), killAt - 1 - (killAt - 1) % 2);
      }
    expectSameWeights(tmp.path() / "runs" / "ref" / "model.safetensors",
                      tmp.path() / "runs" / name / "model.safetensors");
  }
}

TEST(TrainStages, StopOnStdinCheckpointsExitsWith75AndResumesExactly) {
  test::TempDir tmp("train-stop");
  writeMiniDefinition(tmp.path());
  const auto ref = writeConfig(tmp.path(), "ref.json", vqConfig(tmp.path(), "ref", 5));
  ASSERT_EQ(runNeurolm({"train", ref.string(), "--json"}).exitCode, 0);
  const auto cfg = writeConfig(tmp.path(), "s.json", vqConfig(tmp.path(), "s", 5));
  auto r = runNeurolm({"train", cfg.string(), "--json"}, 0, "stop\n");
  EXPECT_EQ(r.exitCode, train::kStoppedExitCode) << r.out;
  const auto lines = protocolLines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back()["event"], "stopped");
  const int stoppedAt = lines.back()["step"];
  EXPECT_LT(stoppedAt, 5);
  // The stop wrote a checkpoint for exactly that step.
  std::ifstream marker(tmp.path() / "runs" / "s" / "checkpoints" / "latest.json");
  EXPECT_EQ(json::parse(marker)["step"], stoppedAt);
  r = runNeurolm({"train", cfg.string(), "--resume", "--json"});
  ASSERT_EQ(r.exitCode, 0) << r.out;
  expectSameWeights(tmp.path() / "runs" / "ref" / "model.safetensors",
                    tmp.path() / "runs" / "s" / "model.safetensors");
}

TEST(TrainStages, CorruptCheckpointOnResumeIsRefusedNamingIt) {
  test::TempDir tmp("train-corrupt");
  writeMiniDefinition(tmp.path());
  const auto cfg = writeConfig(tmp.path(), "c.json", vqConfig(tmp.path(), "c", 2));
  ASSERT_EQ(test::runCli({"train", cfg.string(), "--json"}).code, 0);
  const auto ckpt = tmp.path() / "runs" / "c" / "checkpoints" / "step-00000002.safetensors";
  ASSERT_TRUE(fs::exists(ckpt));
  fs::resize_file(ckpt, fs::file_size(ckpt) / 2);
  const auto damagedSize = fs::file_size(ckpt);
  const auto r = test::runCli({"train", cfg.string(), "--resume", "--json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(ckpt.string()), std::string::npos) << r.err;
  EXPECT_EQ(fs::file_size(ckpt), damagedSize);  // left as found, nothing overwritten
}

namespace {
double maxWeightDifference(const fs::path& a, const fs::path& b) {
  const auto fa = readSafeTensors(a, SafeTensorsLoad::Copy);
  const auto fb = readSafeTensors(b, SafeTensorsLoad::Copy);
  EXPECT_EQ(fa.tensors.size(), fb.tensors.size());
  double d = 0;
  for (std::size_t i = 0; i < std::min(fa.tensors.size(), fb.tensors.size()); ++i) {
    EXPECT_EQ(fa.tensors[i].first, fb.tensors[i].first);
    if (!fa.tensors[i].second.is_floating_point()) {
      EXPECT_TRUE(torch::equal(fa.tensors[i].second, fb.tensors[i].second)) << fa.tensors[i].first;
      continue;
    }
    d = std::max(d, (fa.tensors[i].second.to(torch::kDouble) - fb.tensors[i].second.to(torch::kDouble))
                        .abs()
                        .max()
                        .item<double>());
  }
  return d;
}
std::vector<double> progressLosses(const fs::path& log) {
  std::ifstream in(log);
  std::vector<double> out;
  for (std::string line; std::getline(in, line);) {
    const auto j = json::parse(line);
    if (j["event"] == "progress") out.push_back(j["loss"]);
  }
  return out;
}
}  // namespace

// Two processes with batch B (Gloo all-reduce of gradients and of the EMA codebook statistics, k-means on
// rank 0 over the gathered batch) against one process with batch 2B.
TEST(TrainDistributed, TwoGlooProcessesEqualOneProcessWithTheDoubledBatch) {
  test::TempDir tmp("train-ddp");
  writeMiniDefinition(tmp.path());
  // Tokenizer stage, one step: k-means initialisation and the first EMA update see the whole global batch.
  auto one = vqConfig(tmp.path(), "vq1", 1);
  one["batch_size"] = 4;
  one["text_batch_size"] = 2;
  one["threads"] = 1;
  auto two = one;
  two["run_dir"] = (tmp.path() / "runs" / "vq2").string();
  two["batch_size"] = 2;
  two["text_batch_size"] = 1;
  ASSERT_EQ(runNeurolm({"train", writeConfig(tmp.path(), "vq1.json", one).string(), "--json"}).exitCode, 0);
  auto r = runNeurolm({"train", writeConfig(tmp.path(), "vq2.json", two).string(), "--json", "--nproc", "2"});
  ASSERT_EQ(r.exitCode, 0) << r.out;
  for (const auto& l : protocolLines(r.out))
    if (l["event"] == "start") {
      EXPECT_EQ(l["world_size"], 2);
    }
  const double dVq = maxWeightDifference(tmp.path() / "runs" / "vq1" / "model.safetensors",
                                         tmp.path() / "runs" / "vq2" / "model.safetensors");
  std::cout << "[ddp] vq, 1 step: max |weight difference| " << dVq << "\n";
  EXPECT_LE(dVq, 1e-6);  // codebook, cluster sizes and weights

  // Pre-training, three steps (gradient clipping on the averaged gradients).
  const auto tok = tmp.path() / "tok.safetensors";
  ASSERT_EQ(
      test::runCli({"init", "--kind", "vq", "--size", "tiny", "--seed", "3", "--out", tok.string()}).code, 0);
  json pre = {{"stage", "pretrain"},    {"run_dir", (tmp.path() / "runs" / "pre1").string()},
              {"dataset", "mini.json"}, {"tokenizer", tok.string()},
              {"padded_length", 96},    {"epochs", 1},
              {"batch_size", 4},        {"max_steps", 3},
              {"warmup_epochs", 0},     {"threads", 1}};
  auto pre2 = pre;
  pre2["run_dir"] = (tmp.path() / "runs" / "pre2").string();
  pre2["batch_size"] = 2;
  ASSERT_EQ(runNeurolm({"train", writeConfig(tmp.path(), "pre1.json", pre).string(), "--json"}).exitCode, 0);
  r = runNeurolm({"train", writeConfig(tmp.path(), "pre2.json", pre2).string(), "--json", "--nproc", "2"});
  ASSERT_EQ(r.exitCode, 0) << r.out;
  const auto l1 = progressLosses(tmp.path() / "runs" / "pre1" / "log.jsonl");
  const auto l2 = progressLosses(tmp.path() / "runs" / "pre2" / "log.jsonl");
  ASSERT_EQ(l1.size(), 3u);
  ASSERT_EQ(l2.size(), 3u);
  for (std::size_t i = 0; i < l1.size(); ++i)
    EXPECT_NEAR(l1[i], l2[i], 1e-5 * std::abs(l1[i])) << "step " << i + 1;
  const double dPre = maxWeightDifference(tmp.path() / "runs" / "pre1" / "model.safetensors",
                                          tmp.path() / "runs" / "pre2" / "model.safetensors");
  std::cout << "[ddp] pretrain, 3 steps: max |weight difference| " << dPre << " (lr 6e-4)\n";
  // Adam turns float-level gradient differences of near-zero gradients into fractions of one lr-sized step.
  EXPECT_LE(dPre, 0.1 * 6e-4);
}

TEST(TrainStages, AFullDiskGivesAClearErrorAndKeepsEverythingWritten) {
  test::TempDir tmp("train-disk");
  writeMiniDefinition(tmp.path());
  const auto cfg = writeConfig(tmp.path(), "d.json", vqConfig(tmp.path(), "d", 2));
  const auto run = tmp.path() / "runs" / "d";
  // No room for a checkpoint (hundreds of MB) from the start: an error naming the checkpoint, nothing
  // partial.
  auto r = runNeurolm({"train", cfg.string(), "--json"}, 0, "", 40u << 20);
  EXPECT_EQ(r.exitCode, 1);
  auto lines = protocolLines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back()["event"], "error");
  const auto message = lines.back()["message"].get<std::string>();
  EXPECT_NE(message.find((run / "checkpoints" / "step-00000002.safetensors").string()), std::string::npos)
      << message;
  EXPECT_NE(message.find("File too large"), std::string::npos) << message;
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(run / "checkpoints")) {
    ++files;
    ADD_FAILURE() << "left behind: " << e.path();
  }
  EXPECT_EQ(files, 0u);
  EXPECT_FALSE(fs::exists(run / "model.safetensors"));

  // A finished run, then a resume that cannot write: the earlier checkpoint and model stay as they were.
  fs::remove_all(run);
  ASSERT_EQ(runNeurolm({"train", cfg.string(), "--json"}).exitCode, 0);
  const auto model = run / "model.safetensors";
  const auto ckpt = run / "checkpoints" / "step-00000002.safetensors";
  const auto modelSize = fs::file_size(model), ckptSize = fs::file_size(ckpt);
  const auto modelTime = fs::last_write_time(model);
  r = runNeurolm({"train", cfg.string(), "--resume", "--json"}, 0, "", 1u << 20);
  EXPECT_EQ(r.exitCode, 1);
  lines = protocolLines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back()["event"], "error");
  EXPECT_EQ(fs::file_size(model), modelSize);
  EXPECT_EQ(fs::last_write_time(model), modelTime);
  EXPECT_EQ(fs::file_size(ckpt), ckptSize);
  for (const auto& e : fs::directory_iterator(run))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << "left behind: " << e.path();
}

// EEGMMIDB left vs right fist: every window starts at a T1/T2 onset that MNE reads from the file (snapped to
// the 200-Hz grid), carries that annotation's class, and lies inside it.
TEST(TrainDataset, AnnotationWindowsFollowTheEventsMneReads) {
  test::TempDir tmp("train-mmidb");
  auto def = train::readDatasetDefinition(test::resourcesDir() / "datasets" / "eegmmidb-left-right.json",
                                          test::dataDir() / "eegmmidb");
  train::PrepareOptions po;
  po.cacheDir = tmp.path() / "cache";
  const auto data = train::prepareDataset(def, po);
  const auto& train = data.splits.at("train");
  EXPECT_EQ(train.tokens, 64 * 4);
  const auto file = test::dataDir() / "eegmmidb" / "S002" / "S002R03.edf";
  const std::string cmd = std::string(test::python()) + " " +
                          (test::testsDir() / "tools" / "mne_read_annotations.py").string() + " " +
                          file.string() + " " + (tmp / "ann.json").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(tmp / "ann.json");
  const auto ann = json::parse(in);
  std::vector<std::pair<double, int64_t>> expected;  // (start, class) of every T1/T2 lasting ≥ 4 s
  for (const auto& a : ann) {
    const auto text = a["text"].get<std::string>();
    if ((text == "T1" || text == "T2") && a["duration"].get<double>() >= 4.0)
      expected.emplace_back(std::round(a["onset"].get<double>() * 200.0) / 200.0, text == "T1" ? 0 : 1);
  }
  ASSERT_GT(expected.size(), 10u);
  std::vector<std::pair<double, int64_t>> ours;
  for (int64_t i = 0; i < train.count; ++i)
    if (train.files[static_cast<std::size_t>(i)] == "S002/S002R03.edf")
      ours.emplace_back(train.startSec[static_cast<std::size_t>(i)],
                        train.labels[static_cast<std::size_t>(i)]);
  ASSERT_EQ(ours.size(), expected.size());
  for (std::size_t k = 0; k < ours.size(); ++k) {
    EXPECT_NEAR(ours[k].first, expected[k].first, 1e-9);
    EXPECT_EQ(ours[k].second, expected[k].second);
  }
}

namespace {
// EEGMMIDB left vs right fist, subject 002 training and 003 validation (runs R03/R04), 64 channels.
fs::path writeMiniHandsDefinition(const fs::path& dir) {
  json d = {{"name", "mini-hands"},
            {"root", (test::dataDir() / "eegmmidb").string()},
            {"files", {"S00[23]R0[34]\\.edf$"}},
            {"notch_hz", 60},
            {"protocol", "sliding"},
            {"window_sec", 4},
            {"hop_sec", 1},
            {"label", {{"from", "annotations"}, {"map", {{"T1", 0}, {"T2", 1}}}}},
            {"split", {{"subject_pattern", "S(\\d{3})R"}, {"train", {"002"}}, {"val", {"003"}}}},
            {"task",
             {{"prompt", "Question: Which hand does this EEG segment move? Options: (A) left. (B) right. Answer:"},
              {"options", {" (A)", " (B)"}}}}};
  const auto path = dir / "hands.json";
  std::ofstream(path) << d.dump(1);
  return path;
}
}  // namespace

// A multi-task instruction run: every step's batch comes from one definition (windows of one shape, its own
// prompt), each definition's windows once per epoch; the saved model answers both tasks; metrics come per
// definition; and a run killed mid-way and resumed equals the uninterrupted one (the batch schedule is seeded).
TEST(TrainStages, InstructionTuningOnSeveralDatasetsMixesTheirBatchesAndResumesExactly) {
  test::TempDir tmp("train-multi");
  {  // Workload on subject 00 (training, 58 windows) and 01 (validation): a short epoch
    std::ifstream in(writeMiniDefinition(tmp.path()));
    auto d = json::parse(in);
    d["files"] = {"^Subject0[01]_[12]\\.edf$"};
    d["split"]["train"] = {"00"};
    d["split"]["val"] = {"01"};
    std::ofstream(tmp.path() / "mini.json") << d.dump(1);
  }
  writeMiniHandsDefinition(tmp.path());
  const auto init = tmp.path() / "init.safetensors";
  auto r = test::runCli({"init", "--kind", "neurolm", "--size", "tiny", "--out", init.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  auto config = [&](const std::string& name, int64_t steps) {
    json c = {{"stage", "instruct"},
              {"run_dir", (tmp.path() / "runs" / name).string()},
              {"dataset", json::array({"mini.json", "hands.json"})},
              {"init_model", init.string()},
              {"epochs", 2},
              {"batch_size", 8},
              {"max_steps", steps},  // stops 2 steps into the second epoch
              {"warmup_ratio", 0},
              {"warmup_epochs", 0},
              {"checkpoint_every_steps", 2},
              {"eeg_input_init", "whiten"},
              {"threads", 2}};
    return writeConfig(tmp.path(), name + ".json", c);
  };
  const auto ref = runNeurolm({"train", config("ref", 12).string(), "--json"});
  ASSERT_EQ(ref.exitCode, 0) << ref.out;
  const auto lines = protocolLines(ref.out);

  // Steps per epoch = the sum of each definition's whole batches (from the windows splits.json reports).
  std::ifstream splitsIn(tmp.path() / "runs" / "ref" / "splits.json");
  const auto splits = json::parse(splitsIn);
  ASSERT_EQ(splits["datasets"].size(), 2u);
  int64_t expectedSteps = 0;
  std::set<std::string> names;
  for (const auto& d : splits["datasets"]) {
    expectedSteps += d["splits"]["train"]["windows"].get<int64_t>() / 8;
    names.insert(d["dataset"].get<std::string>());
  }
  EXPECT_EQ(names, (std::set<std::string>{"mini-workload", "mini-hands"}));
  std::set<std::string> metricDatasets;
  int64_t stepsPerEpoch = 0, total = 0;
  for (const auto& l : lines) {
    if (l["event"] == "start") {
      stepsPerEpoch = l["steps_per_epoch"].get<int64_t>();
      total = l["total"].get<int64_t>();
    }
    if (l["event"] == "metrics") metricDatasets.insert(l["dataset"].get<std::string>());
    if (l["event"] == "input_init") {
      EXPECT_GT(l["windows"].get<int64_t>(), 0);
    }
  }
  EXPECT_EQ(stepsPerEpoch, expectedSteps);
  ASSERT_EQ(expectedSteps, 58 / 8 + 30 / 8);  // the windows of subject 00's last minutes and S002's fists
  EXPECT_EQ(total, 12);
  EXPECT_EQ(metricDatasets, names);
  const auto model = runtime::loadNeuroLm(tmp.path() / "runs" / "ref" / "model.safetensors");
  std::set<std::string> prompts;
  for (const auto& t : model.tasks) prompts.insert(t.prompt);
  EXPECT_TRUE(prompts.count("Question: Is this EEG segment of high workload? Answer:"));
  EXPECT_TRUE(prompts.count("Question: Which hand does this EEG segment move? Options: (A) left. (B) right. Answer:"));

  const int killAt = static_cast<int>(expectedSteps) + 1;  // inside the second epoch
  auto killed = runNeurolm({"train", config("k", 12).string(), "--json"}, killAt);
  ASSERT_TRUE(killed.killed);
  const auto resumed = runNeurolm({"train", config("k", 12).string(), "--resume", "--json"});
  ASSERT_EQ(resumed.exitCode, 0) << resumed.out;
  expectSameWeights(tmp.path() / "runs" / "ref" / "model.safetensors",
                    tmp.path() / "runs" / "k" / "model.safetensors");
}

TEST(TrainConfig, ADatasetListIsReadAndRefusedWhereItDoesNotBelong) {
  test::TempDir tmp("train-config-list");
  writeMiniDefinition(tmp.path());
  writeMiniHandsDefinition(tmp.path());
  json c = {{"stage", "instruct"}, {"run_dir", "runs/x"}, {"dataset", json::array({"mini.json", "hands.json"})},
            {"init_model", "mini.json"}};
  const auto parsed = train::parseTrainConfig(c, "list.json", tmp.path());
  ASSERT_EQ(parsed.datasets.size(), 2u);
  EXPECT_EQ(parsed.dataset, tmp.path() / "mini.json");
  EXPECT_EQ(train::trainConfigToJson(parsed)["dataset"].size(), 2u);
  auto refused = [&](json bad, const std::string& needle) {
    try {
      train::parseTrainConfig(bad, "list.json", tmp.path());
      ADD_FAILURE() << "accepted " << bad.dump();
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  auto empty = c;
  empty["dataset"] = json::array();
  refused(empty, "empty list");
  auto twice = c;
  twice["dataset"] = json::array({"mini.json", "mini.json"});
  refused(twice, "twice");
  auto missing = c;
  missing["dataset"] = json::array({"mini.json", "nope.json"});
  refused(missing, "nope.json");
  auto eval = c;
  eval["stage"] = "eval";
  refused(eval, "eval stage");
  auto badInit = c;
  badInit["eeg_input_init"] = "zeros";
  refused(badInit, "eeg_input_init");
  auto evalInit = c;
  evalInit["dataset"] = "mini.json";
  evalInit["stage"] = "eval";
  evalInit["eeg_input_init"] = "whiten";
  refused(evalInit, "eeg_input_init");
}
