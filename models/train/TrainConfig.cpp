#include <cmath>
#include <fstream>
#include <set>
#include <stdexcept>

#include "models/train/Trainer.h"

namespace neurolm::train {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Reader {
  const json& j;
  std::string source;
  fs::path baseDir;

  [[noreturn]] void bad(const std::string& key, const std::string& why) const {
    throw std::invalid_argument(source + ": '" + key + "' " + why);
  }
  bool has(const char* key) const { return j.contains(key) && !j[key].is_null(); }
  std::string str(const char* key, const std::string& def) const {
    if (!has(key)) return def;
    if (!j[key].is_string()) bad(key, "must be a string");
    return j[key].get<std::string>();
  }
  fs::path path(const char* key) const {
    const auto s = str(key, "");
    if (s.empty()) return {};
    fs::path p(s);
    return p.is_relative() ? baseDir / p : p;
  }
  int64_t integer(const char* key, int64_t def, int64_t min) const {
    if (!has(key)) return def;
    if (!j[key].is_number_integer()) bad(key, "must be an integer, got " + j[key].dump());
    const auto v = j[key].get<int64_t>();
    if (v < min) bad(key, "must be ≥ " + std::to_string(min) + ", got " + std::to_string(v));
    return v;
  }
  double number(const char* key, double def, double min, double max) const {
    if (!has(key)) return def;
    if (!j[key].is_number()) bad(key, "must be a number, got " + j[key].dump());
    const auto v = j[key].get<double>();
    if (!std::isfinite(v) || v < min || v > max)
      bad(key,
          "must lie in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " + j[key].dump());
    return v;
  }
};

}  // namespace

TrainConfig parseTrainConfig(const json& j, const std::string& source, const fs::path& baseDir) {
  if (!j.is_object()) throw std::invalid_argument(source + ": a training config must be a JSON object");
  static const std::set<std::string> known = {"stage",
                                              "run_dir",
                                              "seed",
                                              "dataset",
                                              "data_root",
                                              "cache_dir",
                                              "padded_length",
                                              "model_size",
                                              "tokenizer",
                                              "init_model",
                                              "epochs",
                                              "batch_size",
                                              "grad_accum",
                                              "max_steps",
                                              "lr",
                                              "min_lr",
                                              "weight_decay",
                                              "beta1",
                                              "beta2",
                                              "grad_clip",
                                              "warmup_epochs",
                                              "warmup_ratio",
                                              "text_corpus",
                                              "text_batch_size",
                                              "text_block_size",
                                              "checkpoint_every_steps",
                                              "keep_checkpoints",
                                              "log_every_steps",
                                              "threads",
                                              "device",
                                              "model",
                                              "calibrate",
                                              "calibrate_pool",
                                              "precision",
                                              "eval_split",
                                              "official_generate",
                                              "eeg_input_init",
                                              "comment"};
  for (const auto& [key, value] : j.items())
    if (!known.count(key)) throw std::invalid_argument(source + ": '" + key + "' is not a known key");
  const Reader r{j, source, baseDir};
  TrainConfig c;
  c.source = j;
  c.stage = r.str("stage", "");
  if (c.stage != "vq" && c.stage != "pretrain" && c.stage != "instruct" && c.stage != "eval")
    r.bad("stage", "must be \"vq\", \"pretrain\", \"instruct\" or \"eval\", got " +
                       (j.contains("stage") ? j["stage"].dump() : "nothing"));
  c.runDir = r.path("run_dir");
  if (c.runDir.empty()) r.bad("run_dir", "is required (the folder of this run)");
  c.seed = static_cast<uint64_t>(r.integer("seed", 1337, 0));
  if (r.has("dataset") && j["dataset"].is_array()) {
    if (j["dataset"].empty()) r.bad("dataset", "is an empty list");
    if (c.stage == "eval") r.bad("dataset", "must name one definition for the eval stage (one task per run)");
    std::set<std::string> seen;
    for (const auto& item : j["dataset"]) {
      if (!item.is_string() || item.get<std::string>().empty())
        r.bad("dataset", "must list definition paths (strings), got " + item.dump());
      fs::path p(item.get<std::string>());
      if (p.is_relative()) p = baseDir / p;
      if (!seen.insert(p.lexically_normal().string()).second)
        r.bad("dataset", "lists " + p.string() + " twice");
      c.datasets.push_back(p);
    }
  } else {
    const auto one = r.path("dataset");
    if (one.empty()) r.bad("dataset", "is required (a dataset definition .json, or a list of them)");
    c.datasets.push_back(one);
  }
  for (const auto& p : c.datasets)
    if (!fs::exists(p)) r.bad("dataset", "names " + p.string() + ", which does not exist");
  c.dataset = c.datasets.front();
  c.dataRoot = r.path("data_root");
  c.cacheDir = r.path("cache_dir");
  if (c.cacheDir.empty()) c.cacheDir = c.runDir.parent_path() / "cache";
  c.modelSize = r.str("model_size", "tiny");
  if (c.modelSize != "tiny" && c.modelSize != "B") r.bad("model_size", "must be \"tiny\" or \"B\"");
  if (r.has("model")) {
    if (!j["model"].is_object()) r.bad("model", "must be an object of layer/head/width numbers");
    for (const auto& [key, value] : j["model"].items()) {
      bool knownKey = false;
      for (const char* k : kModelShapeKeys) knownKey = knownKey || key == k;
      if (!knownKey) r.bad("model", "has the unknown key '" + key + "'");
      if (key == "codebook_restart_below") {
        if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1e6)
          r.bad("model", "'codebook_restart_below' must be a number ≥ 0, got " + value.dump());
        c.codebookRestartBelow = value.get<double>();
        continue;
      }
      if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > 65536)
        r.bad("model", "'" + key + "' must be a whole number in [1, 65536], got " + value.dump());
      c.modelShape[key] = value.get<int64_t>();
    }
    if (!j["model"].empty() && c.stage != "vq" && c.stage != "pretrain")
      r.bad("model", "shapes a new model, so it belongs to the vq or pretrain stage only");
  }
  c.eegInputInit = r.str("eeg_input_init", "official");
  if (c.eegInputInit != "official" && c.eegInputInit != "whiten")
    r.bad("eeg_input_init", "must be \"official\" or \"whiten\", got \"" + c.eegInputInit + "\"");
  if (c.eegInputInit != "official" && c.stage != "pretrain" && c.stage != "instruct")
    r.bad("eeg_input_init", "sets the LM's EEG input projection, so it belongs to the pretrain or instruct stage");
  c.tokenizer = r.path("tokenizer");
  c.initModel = r.path("init_model");
  if (c.stage == "pretrain" && c.tokenizer.empty()) r.bad("tokenizer", "is required by the pretrain stage");
  if ((c.stage == "instruct" || c.stage == "eval") && c.initModel.empty())
    r.bad("init_model", "is required by the " + c.stage + " stage");
  c.precision = r.str("precision", "auto");
  if (c.precision != "auto" && c.precision != "fp32" && c.precision != "bf16")
    r.bad("precision", "must be \"auto\", \"fp32\" or \"bf16\", got \"" + c.precision + "\"");
  c.evalSplit = r.str("eval_split", "val");
  if (c.evalSplit != "train" && c.evalSplit != "val" && c.evalSplit != "test" && c.evalSplit != "calib")
    r.bad("eval_split", "must be \"train\", \"val\", \"test\" or \"calib\", got \"" + c.evalSplit + "\"");
  if (r.has("calibrate")) {
    if (!j["calibrate"].is_boolean()) r.bad("calibrate", "must be true or false");
    c.calibrate = j["calibrate"].get<bool>();
    if (c.calibrate && c.stage != "eval") r.bad("calibrate", "belongs to the eval stage");
    if (c.calibrate && (c.evalSplit == "val" || c.evalSplit == "test"))
      r.bad("calibrate", "must not fit on the '" + c.evalSplit +
                             "' split (the one reported); use eval_split \"calib\" (held-out training subjects)");
  }
  if (r.has("calibrate_pool")) {
    if (!c.calibrate) r.bad("calibrate_pool", "pools windows into a calibration, so it needs \"calibrate\": true");
    if (!j["calibrate_pool"].is_array()) r.bad("calibrate_pool", "must list scores.csv paths");
    for (const auto& item : j["calibrate_pool"]) {
      if (!item.is_string() || item.get<std::string>().empty())
        r.bad("calibrate_pool", "must list scores.csv paths (strings), got " + item.dump());
      fs::path p(item.get<std::string>());
      if (p.is_relative()) p = baseDir / p;
      if (!fs::exists(p)) r.bad("calibrate_pool", "names " + p.string() + ", which does not exist");
      c.calibratePool.push_back(p);
    }
  }
  if (r.has("official_generate")) {
    if (!j["official_generate"].is_boolean()) r.bad("official_generate", "must be true or false");
    c.officialGenerate = j["official_generate"].get<bool>();
  }
  for (const auto* p : {&c.tokenizer, &c.initModel})
    if (!p->empty() && !fs::exists(*p))
      r.bad(p == &c.tokenizer ? "tokenizer" : "init_model",
            "names " + p->string() + ", which does not exist");

  // Official defaults (spec §5.2–5.4); batch sizes are per process.
  const bool vq = c.stage == "vq", pre = c.stage == "pretrain";
  c.paddedLength = r.integer("padded_length", c.stage == "instruct" || c.stage == "eval" ? 276 : 1024, 1);
  c.epochs = r.integer("epochs", vq ? 50 : pre ? 20 : 5, 1);
  c.batchSize = r.integer("batch_size", vq ? 64 : pre ? 60 : 64, 1);
  c.gradAccum = r.integer("grad_accum", 1, 1);
  c.maxSteps = r.integer("max_steps", 0, 0);
  c.lr = r.number("lr", vq ? 5e-5 : pre ? 6e-4 : 5e-4, 0, 1);
  c.minLr = r.number("min_lr", vq ? 1e-5 : pre ? 6e-5 : 5e-5, 0, 1);
  c.weightDecay = r.number("weight_decay", vq ? 1e-4 : 0.1, 0, 10);
  c.beta1 = r.number("beta1", 0.9, 0, 0.999999);
  c.beta2 = r.number("beta2", vq ? 0.999 : 0.95, 0, 0.999999);
  c.gradClip = r.number("grad_clip", vq ? 0.0 : 1.0, 0, 1e9);
  c.warmupEpochs = r.integer("warmup_epochs", vq ? 5 : pre ? 2 : 1, 0);
  c.warmupRatio = r.number("warmup_ratio", c.stage == "instruct" ? 0.1 : 0.0, 0, 1);
  c.textCorpus = r.path("text_corpus");
  if (!c.textCorpus.empty() && !fs::exists(c.textCorpus))
    r.bad("text_corpus", "names " + c.textCorpus.string() + ", which does not exist");
  c.textBatchSize = r.integer("text_batch_size", vq ? 16 : pre ? 4 : 16, 0);
  c.textBlockSize = r.integer("text_block_size", 1024, 2);
  c.checkpointEverySteps = r.integer("checkpoint_every_steps", 50, 1);
  c.keepCheckpoints = r.integer("keep_checkpoints", 3, 1);
  c.logEverySteps = r.integer("log_every_steps", 1, 1);
  c.threads = r.integer("threads", 0, 0);
  c.device = r.str("device", "cpu");
  if (c.device != "cpu" && c.device != "cuda" && c.device != "auto")
    r.bad("device", "must be \"cpu\", \"cuda\" or \"auto\", got \"" + c.device + "\"");
  return c;
}

TrainConfig readTrainConfig(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(path.string() + ": training config not found or unreadable");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    throw std::invalid_argument(path.string() + ": not valid JSON (" + e.what() + ")");
  }
  return parseTrainConfig(j, path.string(), path.parent_path());
}

namespace {
// The "model" object as the parser reads it: the shape numbers and, when set, the codebook restart.
json modelJson(const TrainConfig& c) {
  json m = c.modelShape;
  if (c.codebookRestartBelow > 0) m["codebook_restart_below"] = c.codebookRestartBelow;
  return m;
}

// One definition as a string (as most configs write it), several as a list.
json datasetJson(const TrainConfig& c) {
  if (c.datasets.size() <= 1) return c.dataset.string();
  json list = json::array();
  for (const auto& p : c.datasets) list.push_back(p.string());
  return list;
}
}  // namespace

json trainConfigToJson(const TrainConfig& c) {
  return {{"stage", c.stage},
          {"run_dir", c.runDir.string()},
          {"seed", c.seed},
          {"dataset", datasetJson(c)},
          {"data_root", c.dataRoot.string()},
          {"cache_dir", c.cacheDir.string()},
          {"padded_length", c.paddedLength},
          {"model_size", c.modelSize},
          {"model", modelJson(c)},
          {"eeg_input_init", c.eegInputInit},
          {"tokenizer", c.tokenizer.string()},
          {"init_model", c.initModel.string()},
          {"epochs", c.epochs},
          {"batch_size", c.batchSize},
          {"grad_accum", c.gradAccum},
          {"max_steps", c.maxSteps},
          {"lr", c.lr},
          {"min_lr", c.minLr},
          {"weight_decay", c.weightDecay},
          {"beta1", c.beta1},
          {"beta2", c.beta2},
          {"grad_clip", c.gradClip},
          {"warmup_epochs", c.warmupEpochs},
          {"warmup_ratio", c.warmupRatio},
          {"text_corpus", c.textCorpus.string()},
          {"text_batch_size", c.textBatchSize},
          {"text_block_size", c.textBlockSize},
          {"checkpoint_every_steps", c.checkpointEverySteps},
          {"keep_checkpoints", c.keepCheckpoints},
          {"log_every_steps", c.logEverySteps},
          {"threads", c.threads},
          {"device", c.device},
          {"precision", c.precision},
          {"eval_split", c.evalSplit},
          {"calibrate", c.calibrate},
          {"calibrate_pool", [&] {
             json a = json::array();
             for (const auto& p : c.calibratePool) a.push_back(p.string());
             return a;
           }()},
          {"official_generate", c.officialGenerate}};
}

}  // namespace neurolm::train
