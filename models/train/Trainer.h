#pragma once
// `neurolm train`: the three official stages (tokenizer `vq`, multi-channel autoregressive `pretrain`,
// instruction tuning `instruct`) and `eval` (metrics of a NeuroLM on a labelled split) on prepared datasets,
// with the job protocol of docs/training.md — one JSON object per line (start, progress, checkpoint, metrics,
// done, stopped, error) to a sink and to <run_dir>/log.jsonl — atomic checkpoints with a completion marker,
// the last N kept, a graceful stop (finish the step, checkpoint, exit code kStoppedExitCode) and an exact
// resume (model, optimizer, schedule position, RNG states, data position).
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace neurolm::train {

inline constexpr int kStoppedExitCode = 75;  // stopped on request after a checkpoint; resume with --resume

// The keys of a config's "model" object: layers/heads/widths of the tokenizer's encoder and decoders, its
// codebook, and NeuroLM's GPT-2 (the encoder width stays 768: TemporalConv's output).
inline const char* const kModelShapeKeys[] = {"encoder_layers", "encoder_heads", "decoder_layers",
                                              "decoder_heads",  "decoder_width", "codebook_size",
                                              "code_dim",       "gpt_layers",    "gpt_heads",
                                              "gpt_width",      "codebook_restart_below"};

struct TrainConfig {
  std::string stage;  // vq | pretrain | instruct
  std::filesystem::path runDir;
  uint64_t seed = 1337;
  // data
  std::filesystem::path dataset;   // dataset definition (.json): the first of `datasets`
  // "dataset": one definition, or (vq, pretrain, instruct) a list: a multi-task run draws each step's batch
  // from one of them (its own task in instruct), every definition's windows once per epoch.
  std::vector<std::filesystem::path> datasets;
  std::filesystem::path dataRoot;  // overrides the definition's root when set
  std::filesystem::path cacheDir;  // shard cache (default: <run_dir>/../cache)
  int64_t paddedLength = 0;        // 0: stage default (1024 vq/pretrain, 276 instruct)
  // model
  std::string modelSize = "tiny";   // vq/pretrain start: tiny | B
  // vq/pretrain start: the size's shape with these changed (keys kModelShapeKeys, e.g. "gpt_width": 128)
  std::map<std::string, int64_t> modelShape;
  double codebookRestartBelow = 0;  // "model": {"codebook_restart_below": x} (NormEmaQuantizer.h)
  // pretrain/instruct: "official" (pretrain: N(0, 0.02) projection; instruct: as loaded) or "whiten"
  // (data-dependent, measured on the stage's training windows, models/train/InputInit.h)
  std::string eegInputInit = "official";
  std::filesystem::path tokenizer;  // pretrain: the trained tokenizer (our .safetensors or official .pt)
  std::filesystem::path initModel;  // instruct: the pre-trained NeuroLM
  // optimisation (defaults per stage from the official scripts, spec §5)
  int64_t epochs = 0;
  int64_t batchSize = 0;
  int64_t gradAccum = 1;
  int64_t maxSteps = 0;  // 0: epochs · steps per epoch
  double lr = 0, minLr = 0, weightDecay = 0, beta1 = 0.9, beta2 = 0, gradClip = 0;
  int64_t warmupEpochs = 0;
  double warmupRatio = 0;  // instruct: warm-up steps = int(ratio · total)
  // text corpus (uint16 GPT-2 ids, as the official train.bin); empty: no corpus loss in pretrain/instruct,
  // uniformly random ids for the vq stage's text domain loss
  std::filesystem::path textCorpus;
  int64_t textBatchSize = 0;
  int64_t textBlockSize = 1024;
  // job
  int64_t checkpointEverySteps = 50;
  int64_t keepCheckpoints = 3;
  int64_t logEverySteps = 1;
  int64_t threads = 0;         // 0: keep the process default
  std::string device = "cpu";  // cpu | cuda | auto
  // eval stage: the split scored, and whether the hard answers come from the official generate (with its
  // mask quirks, spec §4.5) instead of greedy decoding with the training-time mask (spec §8.11)
  std::string precision = "auto";  // auto (bf16 autocast on CUDA, float32 on CPU) | fp32 | bf16
  std::string evalSplit = "val";
  // eval: fit the temperature of the task's option probabilities on this split (held-out training
  // subjects) and write run_dir/model.safetensors = init_model with that temperature in its task metadata.
  bool calibrate = false;
  // calibrate: further held-out windows for the fit, as scores.csv files of eval runs of other models of the
  // same recipe on subjects those models never trained on (cross-fitting); none may be a subject of this
  // run's split or of the dataset's val/test splits.
  std::vector<std::filesystem::path> calibratePool;
  bool officialGenerate = false;
  nlohmann::json source;  // the JSON as given (stored in the run)
};

// Reads and validates a config; every key is checked (unknown keys, wrong types and bad values throw
// std::invalid_argument naming the file, the key and the reason) and stage defaults are filled in.
// Relative paths are resolved against the config file's folder.
TrainConfig readTrainConfig(const std::filesystem::path& path);
TrainConfig parseTrainConfig(const nlohmann::json& json, const std::string& sourceName,
                             const std::filesystem::path& baseDir);
nlohmann::json trainConfigToJson(const TrainConfig& config);  // every value, defaults included

struct TrainOptions {
  bool resume = false;
  // Receives every protocol event (already written to log.jsonl).
  std::function<void(const nlohmann::json&)> onEvent;
  // Set (e.g. by SIGTERM or "stop" on stdin) to stop after the current step.
  const std::atomic<bool>* stopRequested = nullptr;
  std::filesystem::path bpeDir;  // GPT-2 BPE files (encoder.json, vocab.bpe) for the instruct stage
};

// Runs the stage. Returns 0 when done, kStoppedExitCode when stopped on request. Throws (after writing an
// error event) std::runtime_error / std::invalid_argument naming the file and the problem.
int runTraining(const TrainConfig& config, const TrainOptions& options);

}  // namespace neurolm::train
