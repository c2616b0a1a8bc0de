#include "models/train/Trainer.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>
#include <stdexcept>

#include "core/io/AtomicFile.h"
#include "core/metrics/Calibration.h"
#include "core/metrics/Classification.h"
#include "core/preprocess/ChannelVocabulary.h"
#include "core/preprocess/PatchGrid.h"
#include "models/io/SafeTensors.h"
#include "models/io/StateDict.h"
#include "models/nn/Attention.h"
#include "models/nn/CpuKernels.h"
#include "models/nn/Generation.h"
#include "models/nn/Primitives.h"
#include "models/runtime/ModelStore.h"
#include "models/text/Gpt2Bpe.h"
#include "models/train/Dataset.h"
#include "models/train/Distributed.h"
#include "models/train/InputInit.h"
#include "models/train/OptionScores.h"
#include "models/train/Optimizer.h"
#include "models/train/StageLoss.h"

namespace neurolm::train {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// bf16 autocast of the forward on a GPU, as the official scripts (spec §5.1): matmuls in bf16, losses, norms
// and softmax in float32 (autocast's own policy), master weights and optimizer state float32. CPU: off.
class AutocastScope {
 public:
  explicit AutocastScope(bool on) : on_(on) {
    if (!on_) return;
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
  }
  ~AutocastScope() {
    if (!on_) return;
    at::autocast::set_enabled(false);
    at::autocast::clear_cache();
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool on_;
};

double residentMemoryMb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576.0;
}

std::string isoNow() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// Uniform text ids or windows of a uint16 token file (the official get_batch on train.bin).
class TextSource {
 public:
  TextSource(const fs::path& corpus, int64_t blockSize) : blockSize_(blockSize) {
    if (corpus.empty()) return;
    std::ifstream in(corpus, std::ios::binary | std::ios::ate);
    if (!in) throw std::runtime_error(corpus.string() + ": text corpus cannot be read");
    const auto bytes = static_cast<std::size_t>(in.tellg());
    if (bytes % 2 != 0)
      throw std::runtime_error(corpus.string() + ": a text corpus holds uint16 ids (odd size)");
    tokens_.resize(bytes / 2);
    in.seekg(0);
    in.read(reinterpret_cast<char*>(tokens_.data()), static_cast<std::streamsize>(bytes));
    if (static_cast<int64_t>(tokens_.size()) <= blockSize + 1)
      throw std::runtime_error(corpus.string() + ": text corpus has " + std::to_string(tokens_.size()) +
                               " ids, fewer than one block of " + std::to_string(blockSize + 1));
    for (auto t : tokens_)
      if (t > 50256)
        throw std::runtime_error(corpus.string() + ": id " + std::to_string(t) + " is not a GPT-2 id");
  }
  bool hasCorpus() const { return !tokens_.empty(); }
  // {x, y} [n, block] int64 (y shifted by one).
  std::pair<torch::Tensor, torch::Tensor> batch(int64_t n, torch::Generator& gen) const {
    if (!hasCorpus()) {
      auto x = torch::randint(0, 50257, {n, blockSize_}, gen, torch::kLong);
      return {x, torch::Tensor()};
    }
    const auto offsets =
        torch::randint(static_cast<int64_t>(tokens_.size()) - blockSize_, {n}, gen, torch::kLong);
    auto x = torch::empty({n, blockSize_}, torch::kLong);
    auto y = torch::empty({n, blockSize_}, torch::kLong);
    auto xa = x.accessor<int64_t, 2>();
    auto ya = y.accessor<int64_t, 2>();
    for (int64_t b = 0; b < n; ++b) {
      const auto o = offsets[b].item<int64_t>();
      for (int64_t k = 0; k < blockSize_; ++k) {
        xa[b][k] = tokens_[static_cast<std::size_t>(o + k)];
        ya[b][k] = tokens_[static_cast<std::size_t>(o + k + 1)];
      }
    }
    return {x, y};
  }

 private:
  int64_t blockSize_;
  std::vector<uint16_t> tokens_;
};

// Tokens per second of a sample (its channel count N): tokens with second 0.
int64_t channelsOf(const PreparedSplit& s, int64_t i) {
  int64_t n = 0;
  for (int64_t k = 0; k < s.tokens; ++k) n += s.inputTime[static_cast<std::size_t>(i * s.tokens + k)] == 0;
  return n;
}

nn::EegBatch padBatch(const PreparedSplit& s, const std::vector<int64_t>& idx, int64_t padded) {
  const auto b = static_cast<int64_t>(idx.size());
  const int64_t v = s.tokens;
  if (v > padded)
    throw std::invalid_argument("windows of " + std::to_string(v) + " tokens do not fit padded_length " +
                                std::to_string(padded));
  auto x = torch::zeros({b, padded, 200});
  auto chans = torch::full({b, padded}, preprocess::kPadChannelIndex, torch::kInt);
  auto time = torch::zeros({b, padded}, torch::kInt);
  auto mask = torch::zeros({b, padded}, torch::kBool);
  for (int64_t r = 0; r < b; ++r) {
    const auto i = idx[static_cast<std::size_t>(r)];
    std::memcpy(x[r].data_ptr<float>(), s.x.data() + i * v * 200,
                sizeof(float) * static_cast<std::size_t>(v * 200));
    std::memcpy(chans[r].data_ptr<int32_t>(), s.inputChans.data() + i * v,
                sizeof(int32_t) * static_cast<std::size_t>(v));
    std::memcpy(time[r].data_ptr<int32_t>(), s.inputTime.data() + i * v,
                sizeof(int32_t) * static_cast<std::size_t>(v));
    mask[r].narrow(0, 0, v).fill_(true);
  }
  return {x, chans, time, mask};
}

// Tokenizer targets (spec §1.4) of each sample: {yFreq [B, L, 100], yRaw [B, L, 200]}.
std::pair<torch::Tensor, torch::Tensor> tokenizerTargets(const PreparedSplit& s,
                                                         const std::vector<int64_t>& idx, int64_t padded) {
  const auto b = static_cast<int64_t>(idx.size());
  auto yFreq = torch::zeros({b, padded, 100});
  auto yRaw = torch::zeros({b, padded, 200});
  for (int64_t r = 0; r < b; ++r) {
    const auto i = idx[static_cast<std::size_t>(r)];
    preprocess::PatchGrid g;
    g.channelCount = static_cast<std::size_t>(channelsOf(s, i));
    g.windowSec = static_cast<std::size_t>(s.tokens) / g.channelCount;
    g.paddedLength = static_cast<std::size_t>(s.tokens);
    g.patches.assign(s.x.begin() + i * s.tokens * 200, s.x.begin() + (i + 1) * s.tokens * 200);
    const auto t = preprocess::makeTokenizerTargets(g);
    std::memcpy(yFreq[r].data_ptr<float>(), t.yFreq.data(),
                sizeof(float) * static_cast<std::size_t>(s.tokens * 100));
    std::memcpy(yRaw[r].data_ptr<float>(), t.yRaw.data(),
                sizeof(float) * static_cast<std::size_t>(s.tokens * 200));
  }
  return {yFreq, yRaw};
}

struct InstructionText {
  torch::Tensor ids;      // [B, 80] int64
  torch::Tensor targets;  // [B, 80] int64, −1 except the answer
};

// Official training text (spec §1.6): [SEP] + BPE(prompt + answer) + " " + <|endoftext|>, padded to 80 with
// 50256; targets text[j+1] for j = P−1 … V−2 (P = length of [SEP] + BPE(prompt)).
InstructionText instructionText(const TaskDefinition& task, const std::vector<int64_t>& labels,
                                const Gpt2Bpe& bpe, int64_t textLength) {
  const auto b = static_cast<int64_t>(labels.size());
  auto ids = torch::full({b, textLength}, 50256, torch::kLong);
  auto targets = torch::full({b, textLength}, -1, torch::kLong);
  const auto promptIds = bpe.encode(task.prompt);
  const int64_t p = 1 + static_cast<int64_t>(promptIds.size());
  for (int64_t r = 0; r < b; ++r) {
    std::vector<int64_t> seq{nn::kSepId};
    for (auto t :
         bpe.encode(task.prompt +
                    task.options.at(static_cast<std::size_t>(labels[static_cast<std::size_t>(r)])) + " "))
      seq.push_back(t);
    seq.push_back(50256);
    const auto v = static_cast<int64_t>(seq.size());
    if (v > textLength)
      throw std::invalid_argument("instruction text of " + std::to_string(v) + " tokens exceeds " +
                                  std::to_string(textLength));
    for (int64_t k = 0; k < v; ++k) ids[r][k] = seq[static_cast<std::size_t>(k)];
    for (int64_t j = p - 1; j <= v - 2; ++j) targets[r][j] = seq[static_cast<std::size_t>(j + 1)];
  }
  return {ids, targets};
}

void applyModelShape(const std::map<std::string, int64_t>& shape, nn::VqConfig& c) {
  auto set = [&](const char* key, int64_t& field) {
    if (const auto it = shape.find(key); it != shape.end()) field = it->second;
  };
  set("encoder_layers", c.encoder.nLayer);
  set("encoder_heads", c.encoder.nHead);
  set("decoder_layers", c.decoder.nLayer);
  set("decoder_heads", c.decoder.nHead);
  set("decoder_width", c.decoder.nEmbd);
  set("codebook_size", c.quantizer.nEmbed);
  set("code_dim", c.quantizer.embedDim);
  if (c.encoder.nEmbd % c.encoder.nHead || c.decoder.nEmbd % c.decoder.nHead)
    throw std::invalid_argument("model: a width must be a multiple of its head count (encoder " +
                                std::to_string(c.encoder.nEmbd) + "/" + std::to_string(c.encoder.nHead) +
                                ", decoder " + std::to_string(c.decoder.nEmbd) + "/" +
                                std::to_string(c.decoder.nHead) + ")");
}

void applyModelShape(const std::map<std::string, int64_t>& shape, nn::NeuroLmConfig& c) {
  auto set = [&](const char* key, int64_t& field) {
    if (const auto it = shape.find(key); it != shape.end()) field = it->second;
  };
  set("gpt_layers", c.gpt.nLayer);
  set("gpt_heads", c.gpt.nHead);
  set("gpt_width", c.gpt.nEmbd);
  if (c.gpt.nEmbd % c.gpt.nHead)
    throw std::invalid_argument("model: gpt_width " + std::to_string(c.gpt.nEmbd) +
                                " is not a multiple of gpt_heads " + std::to_string(c.gpt.nHead));
}

std::vector<int64_t> epochOrder(int64_t count, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(static_cast<std::size_t>(count));
  for (int64_t i = 0; i < count; ++i) order[static_cast<std::size_t>(i)] = i;
  std::mt19937_64 rng(seed * 1000003ull + static_cast<uint64_t>(epoch) * 0x9E3779B97F4A7C15ull);
  // Fisher–Yates with our own index draw (std::shuffle's use of the engine is not specified by the standard).
  for (int64_t i = count - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(rng() % static_cast<uint64_t>(i + 1));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  return order;
}

class Job {
 public:
  Job(const TrainConfig& c, const TrainOptions& o) : c_(c), o_(o) {}

  // Only process 0 reports (and writes the log); the other ranks of a data-parallel run are silent.
  void emit(json event) {
    if (dist_ && !dist_->isRoot()) return;
    event["time"] = isoNow();
    if (log_.is_open()) {
      log_ << event.dump() << "\n";
      log_.flush();
    }
    if (o_.onEvent) o_.onEvent(event);
  }

  int run();
  int runEval();

 private:
  void openRun();
  void buildModel();
  void whitenInput();
  void loadCheckpoint(const fs::path& file);
  void saveCheckpoint(int64_t step);
  StageLoss batchLoss(const PreparedSplit& s, const TaskDefinition* task, const std::vector<int64_t>& idx,
                      bool withText);
  json evaluate(const PreparedSplit& s, const TaskDefinition* task);
  fs::path finalModelPath() const { return c_.runDir / "model.safetensors"; }
  // The longest training window in seconds (largest second index + 1 over every member's training split;
  // padding has second 0): the seconds the tokenizer's time embedding was trained for.
  int trainedWindowSec() const {
    int32_t longest = 0;
    for (const auto& m : members_)
      for (const int32_t t : m.train().inputTime) longest = std::max(longest, t + 1);
    return static_cast<int>(longest);
  }

  std::size_t datasetCount() const { return c_.datasets.empty() ? 1 : c_.datasets.size(); }
  const fs::path& datasetPath(std::size_t m) const { return c_.datasets.empty() ? c_.dataset : c_.datasets[m]; }

  const TrainConfig& c_;
  const TrainOptions& o_;
  std::ofstream log_;
  torch::Device device_{torch::kCPU};
  // One dataset definition of the run and its prepared windows.
  struct Member {
    DatasetDefinition definition;
    PreparedDataset data;
    const PreparedSplit& train() const { return data.splits.at("train"); }
  };
  std::vector<Member> members_;
  DatasetDefinition definition_;  // the eval stage's definition
  PreparedDataset data_;          // the eval stage's windows
  // What the saved NeuroLM answers: the init model's tasks, plus (instruct) each dataset's question, which
  // replaces an earlier task of the same name.
  std::vector<runtime::ModelTask> tunedTasks() const {
    auto tasks = tasks_;
    if (c_.stage != "instruct") return tasks;
    for (const auto& m : members_) {
      if (!m.definition.task) continue;
      runtime::ModelTask t{m.definition.name, m.definition.task->prompt,
                           m.definition.source.value("description", std::string()), m.definition.task->options};
      std::erase_if(tasks, [&](const runtime::ModelTask& old) { return old.name == t.name; });
      tasks.push_back(std::move(t));
    }
    return tasks;
  }
  // The batches of one epoch, in order: {member, batch number within that member's shuffled windows}. One
  // member: its batches in order (the single-dataset schedule); several: all of them, shuffled (seeded).
  std::vector<std::pair<std::size_t, int64_t>> epochBatches(int64_t epoch, int64_t perStep) const {
    std::vector<std::pair<std::size_t, int64_t>> batches;
    for (std::size_t m = 0; m < members_.size(); ++m)
      for (int64_t k = 0; k < members_[m].train().count / perStep; ++k) batches.emplace_back(m, k);
    if (members_.size() > 1) {
      std::vector<std::pair<std::size_t, int64_t>> shuffled;
      for (auto i : epochOrder(static_cast<int64_t>(batches.size()), c_.seed + 7919, epoch))
        shuffled.push_back(batches[static_cast<std::size_t>(i)]);
      batches = std::move(shuffled);
    }
    return batches;
  }
  nn::VQAlign vq_{nullptr};
  nn::NeuroLM lm_{nullptr};
  std::vector<runtime::ModelTask> tasks_;  // the init model's tuned tasks (instruct adds its own)
  nn::VQ frozenVq_{nullptr};
  torch::nn::Module* model_ = nullptr;
  std::unique_ptr<AdamW> opt_;
  std::unique_ptr<Gpt2Bpe> bpe_;
  std::unique_ptr<TextSource> text_;
  torch::Generator textGen_ = at::detail::createCPUGenerator(1);
  torch::Generator kmeansGen_ = at::detail::createCPUGenerator(2);
  int64_t startStep_ = 0;
  int64_t stepsPerEpoch_ = 0;
  std::optional<Distributed> dist_;
  bool bf16_ = false;  // autocast of the forward (GPU only)
  int64_t world() const { return dist_ ? dist_->worldSize() : 1; }
  int64_t rank() const { return dist_ ? dist_->rank() : 0; }
  bool root() const { return !dist_ || dist_->isRoot(); }
  // Text rows of this process: every process draws the GLOBAL text batch from the same generator state and
  // keeps its own rows, so N processes see what one process with N times the batch sees.
  torch::Tensor ownRows(const torch::Tensor& t, int64_t perProcess) const {
    return t.defined() ? t.narrow(0, rank() * perProcess, perProcess) : t;
  }
  int64_t totalSteps_ = 0;
  std::vector<double> lr_;
};

void Job::openRun() {
  fs::create_directories(c_.runDir / "checkpoints");
  const auto latest = c_.runDir / "checkpoints" / "latest.json";
  const auto storedConfig = c_.runDir / "config.json";
  if (!o_.resume && fs::exists(latest))
    throw std::runtime_error(c_.runDir.string() +
                             " already holds a run with checkpoints; continue it with --resume "
                             "or choose another run_dir (nothing was changed)");
  if (o_.resume && fs::exists(storedConfig)) {
    std::ifstream in(storedConfig);
    const auto stored = json::parse(in);
    const auto now = trainConfigToJson(c_);
    for (const auto& [key, value] : now.items()) {
      if (key == "threads" || key == "device" || key == "precision" || key == "log_every_steps")
        continue;  // may change on resume
      if (!stored.contains(key) || stored[key] != value)
        throw std::runtime_error(storedConfig.string() + ": '" + key + "' was " +
                                 (stored.contains(key) ? stored[key].dump() : "absent") +
                                 ", the config now says " + value.dump() +
                                 "; a resumed run must keep its configuration");
    }
  }
  log_.open(c_.runDir / "log.jsonl", std::ios::app);
  if (!log_) throw std::runtime_error((c_.runDir / "log.jsonl").string() + ": cannot be written");
}

void Job::buildModel() {
  const uint64_t seed = c_.seed;
  if (c_.stage == "vq") {
    auto cfg = runtime::vqConfigForSize(c_.modelSize);
    applyModelShape(c_.modelShape, cfg);
    cfg.quantizer.restartBelow = c_.codebookRestartBelow;
    cfg.domainClassifierWidth = cfg.encoder.nEmbd;  // fed 768-wide features and wte rows
    vq_ = nn::VQAlign(cfg);
    auto init = runtime::randomTokenizer(cfg, seed);  // official initialisers, seeded
    {
      torch::NoGradGuard g;
      auto src = init->named_parameters();
      for (auto& p : vq_->vq->named_parameters()) p.value().copy_(src[p.key()]);
      auto srcB = init->named_buffers();
      for (auto& b : vq_->vq->named_buffers()) b.value().copy_(srcB[b.key()]);
      // Untrained codebook: k-means on the first batch (spec §2.8).
      vq_->vq->quantize->embedding->weight.zero_();
      vq_->vq->quantize->embedding->initted.zero_();
      vq_->vq->quantize->cluster_size.zero_();
      torch::manual_seed(seed);
      for (auto& m : vq_->domain_classifier->modules(false))
        if (auto* lin = m->as<nn::LinearImpl>()) {
          lin->weight.normal_(0.0, 0.02);
          lin->bias.zero_();
        }
      // No GPT-2 weights exist offline: the frozen text embedding is a seeded N(0, 0.02) table.
      vq_->wte->weight.normal_(0.0, 0.02);
    }
    model_ = vq_.get();
  } else if (c_.stage == "pretrain") {
    auto tok = runtime::loadTokenizer(c_.tokenizer);
    frozenVq_ = tok.vq;
    frozenVq_->eval();
    frozenVq_->to(device_);
    auto cfg = runtime::neuroLmConfigForSize(c_.modelSize);
    applyModelShape(c_.modelShape, cfg);
    cfg.tokenizer = frozenVq_->config().encoder;
    lm_ = runtime::randomNeuroLm(cfg, seed);
    {
      torch::NoGradGuard g;
      auto src = frozenVq_->encoder->named_parameters();
      for (auto& p : lm_->tokenizer->named_parameters()) p.value().copy_(src[p.key()]);
    }
    if (c_.eegInputInit == "whiten") whitenInput();
    model_ = lm_.get();
  } else {
    auto loaded = runtime::loadNeuroLm(c_.initModel);
    lm_ = loaded.model;
    tasks_ = loaded.tasks;
    // Re-measured on this stage's own windows: the features depend on the window length and the padded
    // length (GroupNorm statistics include the padding, spec §2.2), so pre-training's measurement is off here.
    if (c_.eegInputInit == "whiten") whitenInput();
    model_ = lm_.get();
    for (std::size_t m = 0; m < members_.size(); ++m)
      if (!members_[m].definition.task)
        throw std::invalid_argument(datasetPath(m).string() +
                                    ": the instruct stage needs a 'task' (prompt and options)");
    if (o_.bpeDir.empty())
      throw std::invalid_argument("the instruct stage needs the GPT-2 BPE files (bpeDir)");
    bpe_ = std::make_unique<Gpt2Bpe>(Gpt2Bpe::fromDirectory(o_.bpeDir));
  }
  model_->train();
  model_->to(device_);
  if (dist_ && vq_) {
    auto& q = vq_->vq->quantize->collectives;
    q.allReduceSum = [this](torch::Tensor& t) { dist_->allReduceSum(t); };
    q.broadcastFromRoot = [this](torch::Tensor& t) { dist_->broadcastFromRoot(t); };
    q.allGather = [this](const torch::Tensor& t) { return dist_->allGather(t); };
    q.isRoot = dist_->isRoot();
  }
  if (lm_)
    for (auto& p : lm_->tokenizer->parameters()) p.set_requires_grad(false);
  opt_ = std::make_unique<AdamW>(officialParamGroups(*model_, c_.weightDecay),
                                 AdamWOptions{c_.beta1, c_.beta2, 1e-8});
}

// "eeg_input_init": "whiten" (models/train/InputInit.h): the tokenizer features of up to 512 training
// windows, evenly spread over the split, set the LM's EEG input projection.
void Job::whitenInput() {
  std::vector<torch::Tensor> features, positions;
  int64_t windows = 0;
  torch::NoGradGuard g;
  for (const auto& member : members_) {
  const auto& train = member.train();
  const int64_t n = std::min<int64_t>(train.count, 512);
  windows += n;
  for (int64_t first = 0; first < n; first += 16) {
    std::vector<int64_t> idx;
    for (int64_t k = first; k < std::min<int64_t>(n, first + 16); ++k) idx.push_back(k * train.count / n);
    const auto eeg = padBatch(train, idx, c_.paddedLength);
    const int64_t v = train.tokens;
    features.push_back(lm_->tokenizer->forwardRealOnly(eeg).reshape({-1, 768}));  // [B, V, 768] -> [B·V, 768]
    const auto key = eeg.inputChans.narrow(1, 0, v).to(torch::kLong) * 64 + eeg.inputTime.narrow(1, 0, v);
    positions.push_back(key.reshape({-1}));
  }
  }
  const auto r = whitenEegInput(*lm_, torch::cat(features), torch::cat(positions));
  emit({{"event", "input_init"},
        {"method", "whiten"},
        {"windows", windows},
        {"tokens", r.tokens},
        {"positions", r.positions},
        {"position_directions", r.positionDirections},
        {"content_share", r.contentShare},
        {"kept_content_share", r.keptContentShare}});
}

StageLoss Job::batchLoss(const PreparedSplit& s, const TaskDefinition* task, const std::vector<int64_t>& idx,
                         bool withText) {
  const AutocastScope autocast(bf16_);
  auto eeg = padBatch(s, idx, c_.paddedLength);
  auto to = [&](const torch::Tensor& t) { return t.defined() ? t.to(device_) : t; };
  eeg = {to(eeg.x), to(eeg.inputChans), to(eeg.inputTime), to(eeg.inputMask)};
  if (c_.stage == "vq") {
    auto [yFreq, yRaw] = tokenizerTargets(s, idx, c_.paddedLength);
    const double alpha = domainAlpha(std::min(startStep_, totalSteps_), c_.epochs, stepsPerEpoch_);
    const int64_t rows = withText ? c_.textBatchSize : 1;
    auto [textIds, unused] = text_->batch(rows * world(), textGen_);
    return tokenizerStepLoss(*vq_, eeg, to(yFreq), to(yRaw), to(ownRows(textIds, rows)), alpha, kmeansGen_);
  }
  torch::Tensor textX, textY;
  if (withText && text_->hasCorpus() && c_.textBatchSize > 0) {
    auto [x, y] = text_->batch(c_.textBatchSize * world(), textGen_);
    textX = to(ownRows(x, c_.textBatchSize));
    textY = to(ownRows(y, c_.textBatchSize));
  }
  if (c_.stage == "pretrain") {
    torch::Tensor codes;
    {
      torch::NoGradGuard g;
      codes = frozenVq_->encode(eeg).codes;  // [B, L] codes of the same padded batch (official)
    }
    auto y = torch::full_like(codes, -1);
    for (int64_t r = 0; r < static_cast<int64_t>(idx.size()); ++r) {
      const int64_t n = channelsOf(s, idx[static_cast<std::size_t>(r)]);
      const int64_t keep = s.tokens - n;  // every token predicts its channel's code one second later
      if (keep > 0) y[r].narrow(0, 0, keep).copy_(codes[r].narrow(0, n, keep));
    }
    const auto mask = nn::eegTextMask(eeg.inputTime, eeg.inputMask, 0);
    return pretrainStepLoss(*lm_, eeg, mask, y, textX, textY);
  }
  std::vector<int64_t> labels;
  for (auto i : idx) labels.push_back(s.labels[static_cast<std::size_t>(i)]);
  const auto text = instructionText(*task, labels, *bpe_, 80);
  const auto mask = nn::eegTextMask(eeg.inputTime, eeg.inputMask, 80);
  const auto targets = torch::cat(
      {torch::full({static_cast<int64_t>(idx.size()), c_.paddedLength}, -1, torch::kLong), text.targets}, 1);
  return instructStepLoss(*lm_, eeg, to(text.ids), mask, to(targets), textX, textY);
}

json Job::evaluate(const PreparedSplit& s, const TaskDefinition* task) {
  torch::NoGradGuard g;
  model_->eval();
  std::map<std::string, double> sums;
  int64_t batches = 0;
  for (int64_t first = 0; first + c_.batchSize <= s.count || (first == 0 && s.count > 0);
       first += c_.batchSize) {
    std::vector<int64_t> idx;
    for (int64_t i = first; i < std::min(s.count, first + c_.batchSize); ++i) idx.push_back(i);
    const auto saved = textGen_.get_state();  // evaluation draws no training randomness
    const auto loss = batchLoss(s, task, idx, false);
    textGen_.set_state(saved);
    for (const auto& [name, t] : loss.parts) sums[name] += t.item<double>();
    ++batches;
  }
  model_->train();
  json values;
  for (const auto& [name, v] : sums) values[name] = v / static_cast<double>(batches);
  return values;
}

void Job::saveCheckpoint(int64_t step) {
  NamedTensors tensors;
  for (auto& [name, t] : nn::orderedStateDict(*model_)) tensors.emplace_back("model." + name, t.cpu());
  for (auto& [name, t] : opt_->stateTensors()) tensors.emplace_back("optimizer." + name, t.cpu());
  tensors.emplace_back("rng.text", textGen_.get_state());
  tensors.emplace_back("rng.kmeans", kmeansGen_.get_state());
  char name[64];
  std::snprintf(name, sizeof name, "step-%08lld.safetensors", static_cast<long long>(step));
  const auto dir = c_.runDir / "checkpoints";
  writeSafeTensors(dir / name, tensors, {{"stage", c_.stage}, {"step", std::to_string(step)}});
  // The completion marker: written (atomically) only once the checkpoint file is complete.
  writeFileAtomically(dir / "latest.json", json{{"step", step}, {"file", name}, {"stage", c_.stage}}.dump());
  std::vector<fs::path> all;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".safetensors") all.push_back(e.path());
  std::sort(all.begin(), all.end());
  while (static_cast<int64_t>(all.size()) > c_.keepCheckpoints) {
    fs::remove(all.front());
    all.erase(all.begin());
  }
  emit({{"event", "checkpoint"}, {"step", step}, {"path", (dir / name).string()}});
}

void Job::loadCheckpoint(const fs::path& file) {
  const auto f = readSafeTensors(file, SafeTensorsLoad::Copy);
  const auto stage = f.metadata.count("stage") ? f.metadata.at("stage") : std::string();
  if (stage != c_.stage)
    throw std::runtime_error(file.string() + ": not a '" + c_.stage + "' training checkpoint (stage '" +
                             stage + "')");
  NamedTensors model, optimizer;
  std::map<std::string, torch::Tensor> rng;
  for (const auto& [name, t] : f.tensors) {
    if (name.rfind("model.", 0) == 0)
      model.emplace_back(name.substr(6), t);
    else if (name.rfind("optimizer.", 0) == 0)
      optimizer.emplace_back(name.substr(10), t);
    else if (name.rfind("rng.", 0) == 0)
      rng[name.substr(4)] = t;
  }
  if (!rng.count("text") || !rng.count("kmeans"))
    throw std::runtime_error(file.string() + ": RNG state missing");
  loadStateDict(*model_, model, file.string());
  opt_->loadState(optimizer, file.string());
  textGen_.set_state(rng["text"]);
  kmeansGen_.set_state(rng["kmeans"]);
  startStep_ = opt_->stepCount();
}

int Job::run() {
  dist_ = Distributed::fromEnvironment();
  if (root()) openRun();
  if (dist_) dist_->barrier();
  // Every CPU of the affinity mask unless the config says otherwise (LibTorch alone may pick 1 here).
  torch::set_num_threads(c_.threads > 0 ? static_cast<int>(c_.threads) : nn::cpu::defaultCpuThreads());
  if (c_.device == "cuda" || (c_.device == "auto" && torch::cuda::is_available())) {
    if (!torch::cuda::is_available())
      throw std::runtime_error("device \"cuda\" was asked for but this LibTorch build sees no CUDA device");
    device_ = torch::Device(torch::kCUDA);
  }
  if (c_.precision == "bf16" && !device_.is_cuda())
    throw std::invalid_argument("precision \"bf16\" needs a CUDA device (the CPU trains in float32)");
  bf16_ = device_.is_cuda() && c_.precision != "fp32";
  textGen_ = at::detail::createCPUGenerator(c_.seed + 1);
  kmeansGen_ = at::detail::createCPUGenerator(c_.seed + 2);

  PrepareOptions po;
  po.cacheDir = c_.cacheDir;
  po.progress = [&](std::size_t done, std::size_t total) {
    emit({{"event", "prepare"}, {"files_done", done}, {"files_total", total}});
    return !(o_.stopRequested && o_.stopRequested->load());
  };
  const int64_t perStep = c_.batchSize * c_.gradAccum * world();  // the global batch of one step
  int64_t trainWindows = 0;
  stepsPerEpoch_ = 0;
  for (std::size_t m = 0; m < datasetCount(); ++m) {
    Member member;
    member.definition = readDatasetDefinition(datasetPath(m), c_.dataRoot);
    // Process 0 prepares the shards; the others read them from the cache once they exist.
    if (root()) member.data = prepareDataset(member.definition, po);
    if (dist_) dist_->barrier();
    if (!root()) member.data = prepareDataset(member.definition, po);
    const auto& data = member.data;
    if (!data.splits.count("train") || data.splits.at("train").count == 0)
      throw std::runtime_error(datasetPath(m).string() + ": the train split holds no window");
    const auto& train = data.splits.at("train");
    if (c_.stage == "instruct")
      for (auto l : train.labels)
        if (l < 0)
          throw std::runtime_error(datasetPath(m).string() + ": the instruct stage needs labelled windows");
    if (train.count / perStep < 1)
      throw std::runtime_error(datasetPath(m).string() + ": " + std::to_string(train.count) +
                               " training windows are fewer than one step of batch_size × grad_accum = " +
                               std::to_string(perStep));
    stepsPerEpoch_ += train.count / perStep;
    trainWindows += train.count;
    members_.push_back(std::move(member));
  }
  const int64_t warmupSteps =
      c_.warmupRatio > 0
          ? static_cast<int64_t>(c_.warmupRatio * static_cast<double>(stepsPerEpoch_ * c_.epochs))
          : -1;
  lr_ = cosineSchedule(c_.lr, c_.minLr, c_.epochs, stepsPerEpoch_, c_.warmupEpochs, 0.0, warmupSteps);
  totalSteps_ = c_.maxSteps > 0 ? std::min<int64_t>(c_.maxSteps, static_cast<int64_t>(lr_.size()))
                                : static_cast<int64_t>(lr_.size());

  buildModel();
  text_ = std::make_unique<TextSource>(c_.textCorpus, c_.textBlockSize);
  const auto latest = c_.runDir / "checkpoints" / "latest.json";
  std::optional<int64_t> resumedFrom;
  if (o_.resume && fs::exists(latest)) {
    std::ifstream in(latest);
    const auto marker = json::parse(in);
    loadCheckpoint(c_.runDir / "checkpoints" / marker.at("file").get<std::string>());
    resumedFrom = startStep_;
  }
  writeFileAtomically(c_.runDir / "config.json", trainConfigToJson(c_).dump(2));
  {
    // One dataset: {dataset, shards, splits, skipped}; several: {"datasets": [that, ...]}.
    json all = json::array();
    for (const auto& m : members_) {
      json splits;
      for (const auto& [name, s] : m.data.splits) {
        std::set<std::string> subjects(s.subjects.begin(), s.subjects.end());
        splits[name] = {{"windows", s.count},
                        {"subjects", std::vector<std::string>(subjects.begin(), subjects.end())}};
      }
      all.push_back({{"dataset", m.definition.name},
                     {"shards", m.data.shardDir.string()},
                     {"splits", splits},
                     {"skipped", m.data.skipped}});
    }
    writeFileAtomically(c_.runDir / "splits.json",
                        (all.size() == 1 ? all[0] : json{{"datasets", all}}).dump(2));
  }
  emit({{"event", "start"},
        {"stage", c_.stage},
        {"run_dir", c_.runDir.string()},
        {"total", totalSteps_},
        {"steps_per_epoch", stepsPerEpoch_},
        {"device", device_.str()},
        {"precision", bf16_ ? "bf16 autocast" : "float32"},
        {"threads", torch::get_num_threads()},
        {"train_windows", trainWindows},
        {"world_size", world()},
        {"shards", members_.front().data.shardDir.string()},
        {"shards_from_cache", members_.front().data.fromCache},
        {"resumed_from", resumedFrom ? json(*resumedFrom) : json(nullptr)}});

  std::vector<torch::Tensor> params;
  for (const auto& g : opt_->groups())
    for (const auto& [n, p] : g.params) params.push_back(p);
  std::vector<std::vector<int64_t>> orders;  // per member: its training windows in this epoch's order
  std::vector<std::pair<std::size_t, int64_t>> batches;
  int64_t orderEpoch = -1;
  double avgStepSec = 0;
  for (int64_t step = startStep_; step < totalSteps_; ++step) {
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t epoch = step / stepsPerEpoch_;
    if (epoch != orderEpoch) {
      orders.clear();
      for (std::size_t m = 0; m < members_.size(); ++m)  // member 0 keeps the single-dataset order
        orders.push_back(epochOrder(members_[m].train().count, c_.seed + m, epoch));
      batches = epochBatches(epoch, perStep);
      orderEpoch = epoch;
    }
    const auto [member, batchInMember] = batches[static_cast<std::size_t>(step % stepsPerEpoch_)];
    const auto& order = orders[member];
    const auto& train = members_[member].train();
    const TaskDefinition* task = members_[member].definition.task ? &*members_[member].definition.task : nullptr;
    startStep_ = step;  // the alpha of the vq stage follows the global step
    json parts = json::object();
    double lossValue = 0;
    for (int64_t micro = 0; micro < c_.gradAccum; ++micro) {
      // This process's share of the global batch (rank order = one process with the whole batch).
      const auto first =
          order.begin() + ((batchInMember * c_.gradAccum + micro) * world() + rank()) * c_.batchSize;
      const std::vector<int64_t> idx(first, first + c_.batchSize);
      auto loss = batchLoss(train, task, idx, true);
      (loss.total / static_cast<double>(c_.gradAccum)).backward();
      for (const auto& [name, t] : loss.parts)
        parts[name] = parts.value(name, 0.0) + t.item<double>() / static_cast<double>(c_.gradAccum);
      lossValue += loss.total.item<double>() / static_cast<double>(c_.gradAccum);
    }
    if (dist_) {
      dist_->averageGradients(params);
      auto l = torch::tensor({lossValue}, torch::kDouble);
      dist_->allReduceSum(l);
      lossValue = l.item<double>() / static_cast<double>(world());
    }
    double gradNormValue;
    if (c_.gradClip > 0)
      gradNormValue = clipGradNorm(params, c_.gradClip).totalNorm;
    else
      gradNormValue = gradNorm(params);
    if (!std::isfinite(lossValue) || !std::isfinite(gradNormValue))
      throw std::runtime_error("step " + std::to_string(step) +
                               ": the loss or gradient is not finite (loss " + std::to_string(lossValue) +
                               ", gradient norm " + std::to_string(gradNormValue) +
                               "); the last checkpoint is kept");
    opt_->step(lr_[static_cast<std::size_t>(step)]);
    opt_->zeroGrad();
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    avgStepSec = step == startStep_ && avgStepSec == 0 ? sec : 0.8 * avgStepSec + 0.2 * sec;
    const int64_t done = step + 1;
    if (done % c_.logEverySteps == 0 || done == totalSteps_)
      emit({{"event", "progress"},
            {"step", done},
            {"total", totalSteps_},
            {"epoch", epoch},
            {"loss", lossValue},
            {"parts", parts},
            {"lr", lr_[static_cast<std::size_t>(step)]},
            {"grad_norm", gradNormValue},
            {"samples_per_sec", static_cast<double>(perStep) / sec},
            {"eta_sec", avgStepSec * static_cast<double>(totalSteps_ - done)},
            {"device", device_.str()},
            {"memory_mb", residentMemoryMb()}});
    bool stop = o_.stopRequested && o_.stopRequested->load();
    if (dist_) {  // every process stops after the same step
      auto flag = torch::tensor({stop ? 1.0 : 0.0}, torch::kDouble);
      dist_->allReduceSum(flag);
      stop = flag.item<double>() > 0;
    }
    const bool epochEnd = done % stepsPerEpoch_ == 0;
    if (root() && epochEnd)
      for (const auto& m : members_) {
        if (!m.data.splits.count("val") || m.data.splits.at("val").count == 0) continue;
        json metrics = {{"event", "metrics"},
                        {"split", "val"},
                        {"step", done},
                        {"epoch", epoch},
                        {"values", evaluate(m.data.splits.at("val"),
                                            m.definition.task ? &*m.definition.task : nullptr)}};
        if (members_.size() > 1) metrics["dataset"] = m.definition.name;
        emit(metrics);
      }
    if (done % c_.checkpointEverySteps == 0 || done == totalSteps_ || stop) {
      if (root()) saveCheckpoint(done);
      if (dist_) dist_->barrier();
    }
    if (stop && done < totalSteps_) {
      emit({{"event", "stopped"}, {"step", done}, {"exit_code", kStoppedExitCode}});
      return kStoppedExitCode;
    }
  }
  if (root()) {
    if (c_.stage == "vq")
      runtime::saveTokenizer(*vq_->vq, finalModelPath(), StoragePrecision::Float32, trainedWindowSec());
    else
      runtime::saveNeuroLm(*lm_, finalModelPath(), tunedTasks());
  }
  if (dist_) dist_->barrier();
  emit({{"event", "done"}, {"step", totalSteps_}, {"model", finalModelPath().string()}});
  return 0;
}

// Official parse (spec §5.6): split the decoded prompt + answer on single spaces, take the word after the
// prompt's words; "(X..." keeps its first 3 characters; it must equal an option (without its leading space).
int64_t parseAnswer(const std::string& decoded, std::size_t resultIdx,
                    const std::vector<std::string>& options) {
  std::vector<std::string> words;
  std::size_t start = 0;
  for (;;) {
    const auto space = decoded.find(' ', start);
    words.push_back(decoded.substr(start, space == std::string::npos ? std::string::npos : space - start));
    if (space == std::string::npos) break;
    start = space + 1;
  }
  if (resultIdx >= words.size()) return -1;
  auto word = words[resultIdx];
  if (!word.empty() && word[0] == '(') word = word.substr(0, 3);
  for (std::size_t k = 0; k < options.size(); ++k) {
    auto o = options[k];
    while (!o.empty() && o.front() == ' ') o.erase(o.begin());
    if (word == o) return static_cast<int64_t>(k);
  }
  return -1;
}

int Job::runEval() {
  torch::set_num_threads(c_.threads > 0 ? static_cast<int>(c_.threads) : nn::cpu::defaultCpuThreads());
  fs::create_directories(c_.runDir);
  log_.open(c_.runDir / "log.jsonl", std::ios::app);
  if (!log_) throw std::runtime_error((c_.runDir / "log.jsonl").string() + ": cannot be written");
  definition_ = readDatasetDefinition(c_.dataset, c_.dataRoot);
  if (!definition_.task)
    throw std::invalid_argument(c_.dataset.string() + ": the eval stage needs a 'task' (prompt and options)");
  PrepareOptions po;
  po.cacheDir = c_.cacheDir;
  po.progress = [&](std::size_t done, std::size_t total) {
    emit({{"event", "prepare"}, {"files_done", done}, {"files_total", total}});
    return !(o_.stopRequested && o_.stopRequested->load());
  };
  data_ = prepareDataset(definition_, po);
  if (!data_.splits.count(c_.evalSplit) || data_.splits.at(c_.evalSplit).count == 0)
    throw std::runtime_error(c_.dataset.string() + ": the '" + c_.evalSplit + "' split holds no window");
  const auto& split = data_.splits.at(c_.evalSplit);
  for (auto l : split.labels)
    if (l < 0) throw std::runtime_error(c_.dataset.string() + ": the eval stage needs labelled windows");
  auto loaded = runtime::loadNeuroLm(c_.initModel);
  lm_ = loaded.model;
  lm_->eval();
  if (o_.bpeDir.empty()) throw std::invalid_argument("the eval stage needs the GPT-2 BPE files (bpeDir)");
  bpe_ = std::make_unique<Gpt2Bpe>(Gpt2Bpe::fromDirectory(o_.bpeDir));
  const auto& task = *definition_.task;
  std::vector<int64_t> prompt{nn::kSepId};
  for (auto t : bpe_->encode(task.prompt)) prompt.push_back(t);
  const auto promptIds = torch::tensor(prompt, torch::kLong).unsqueeze(0);  // [1, Lt]
  std::vector<std::vector<int64_t>> choices;
  std::size_t longest = 0;
  for (const auto& o : task.options) {
    std::vector<int64_t> ids;
    for (auto t : bpe_->encode(o)) ids.push_back(t);
    longest = std::max(longest, ids.size());
    choices.push_back(ids);
  }
  std::size_t resultIdx = 1;
  for (char ch : task.prompt) resultIdx += ch == ' ';
  const auto k = static_cast<int64_t>(task.options.size());
  emit({{"event", "start"},
        {"stage", "eval"},
        {"run_dir", c_.runDir.string()},
        {"total", split.count},
        {"split", c_.evalSplit},
        {"model", c_.initModel.string()},
        {"device", "cpu"},
        {"threads", torch::get_num_threads()}});

  torch::NoGradGuard noGrad;
  std::vector<int64_t> y, hard;
  std::vector<std::vector<double>> logProbs;  // per window: the options' log-probabilities
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < split.count; ++i) {
    if (o_.stopRequested && o_.stopRequested->load()) {
      emit({{"event", "stopped"}, {"step", i}, {"exit_code", kStoppedExitCode}});
      return kStoppedExitCode;
    }
    const auto eeg = padBatch(split, {i}, c_.paddedLength);
    const auto prefill = nn::prefillPrompt(*lm_, eeg, promptIds, true,
                                           static_cast<int64_t>(std::max<std::size_t>(longest, 5)));
    const auto scores = nn::scoreChoices(*lm_, prefill, choices);
    nn::GenerateOptions go;
    go.maxNewTokens = 5;
    nn::GenerateResult gen;
    if (c_.officialGenerate) {
      go.officialQuirks = true;
      gen = nn::generate(*lm_, eeg, promptIds, go);
    } else {
      gen = nn::generateFrom(*lm_, prefill, promptIds, go);
    }
    std::vector<int32_t> textIds;
    for (int64_t t = 1; t < gen.ids.size(1); ++t)
      textIds.push_back(static_cast<int32_t>(gen.ids[0][t].item<int64_t>()));
    const auto decoded = bpe_->decodeBytes(textIds, Gpt2Bpe::UnknownIds::Mark);
    const auto answer = parseAnswer(decoded, resultIdx, task.options);
    const auto label = split.labels[static_cast<std::size_t>(i)];
    y.push_back(label);
    logProbs.push_back(scores.logProb);
    hard.push_back(answer);
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if ((i + 1) % c_.logEverySteps == 0 || i + 1 == split.count)
      emit({{"event", "progress"},
            {"step", i + 1},
            {"total", split.count},
            {"samples_per_sec", static_cast<double>(i + 1) / sec},
            {"eta_sec", sec / static_cast<double>(i + 1) * static_cast<double>(split.count - i - 1)},
            {"device", "cpu"},
            {"memory_mb", residentMemoryMb()}});
  }
  // Option probabilities at the model's calibrated temperature for this task, or (calibrate) at the one
  // fitted here; the calibrated model is written with it.
  auto tasks = loaded.tasks;
  auto taskIt = std::find_if(tasks.begin(), tasks.end(),
                             [&](const runtime::ModelTask& t) { return t.prompt == task.prompt; });
  const double modelTemperature = taskIt != tasks.end() ? taskIt->temperature : 1.0;
  double temperature = modelTemperature;
  OptionScores scores{split.files, split.startSec, split.subjects, y, logProbs};
  writeFileAtomically(c_.runDir / "scores.csv", formatOptionScores(scores));
  json calibration;
  if (c_.calibrate) {
    // This split's windows, then those of the pooled scores files (held out from the models that scored them).
    auto fitY = y;
    auto fitLogProbs = logProbs;
    json pooled = json::array();
    const std::set<std::string> own(split.subjects.begin(), split.subjects.end());
    for (const auto& path : c_.calibratePool) {
      const auto more = readOptionScores(path, task.options.size());
      std::set<std::string> subjects(more.subjects.begin(), more.subjects.end());
      for (const auto& s : subjects) {
        if (own.count(s))
          throw std::invalid_argument(path.string() + ": subject " + s + " is also in the '" + c_.evalSplit +
                                      "' split of " + c_.dataset.string() + " (it would count twice)");
        for (const char* reported : {"val", "test"}) {
          const auto it = definition_.split.splits.find(reported);
          if (it != definition_.split.splits.end() &&
              std::find(it->second.begin(), it->second.end(), s) != it->second.end())
            throw std::invalid_argument(path.string() + ": subject " + s + " belongs to the '" + reported +
                                        "' split of " + c_.dataset.string() +
                                        ", which must never be used to calibrate");
        }
      }
      fitY.insert(fitY.end(), more.labels.begin(), more.labels.end());
      fitLogProbs.insert(fitLogProbs.end(), more.logProbs.begin(), more.logProbs.end());
      pooled.push_back({{"scores", path.string()},
                        {"windows", more.labels.size()},
                        {"subjects", std::vector<std::string>(subjects.begin(), subjects.end())}});
    }
    temperature = metrics::fitTemperature(fitLogProbs, fitY);
    const auto before = metrics::softmaxWithTemperature(fitLogProbs, modelTemperature);
    const auto after = metrics::softmaxWithTemperature(fitLogProbs, temperature);
    calibration = {{"method", c_.calibratePool.empty()
                                  ? "temperature scaling of the option log-probabilities (NLL minimised on this split)"
                                  : "temperature scaling of the option log-probabilities (NLL minimised on this "
                                    "split and the pooled held-out windows of other models of the recipe)"},
                   {"split", c_.evalSplit},
                   {"pooled", pooled},
                   {"windows", fitY.size()},
                   {"temperature_before", modelTemperature},
                   {"temperature", temperature},
                   {"nll_before", metrics::temperatureNll(fitLogProbs, fitY, modelTemperature)},
                   {"nll_after", metrics::temperatureNll(fitLogProbs, fitY, temperature)},
                   {"ece_before", metrics::expectedCalibrationError(fitY, before)},
                   {"ece_after", metrics::expectedCalibrationError(fitY, after)}};
    if (taskIt == tasks.end()) {
      tasks.push_back({definition_.name, task.prompt, definition_.source.value("description", std::string()),
                       task.options});
      taskIt = tasks.end() - 1;
    }
    taskIt->temperature = temperature;
    // The description travels with the calibration: it says how the task was calibrated.
    if (const auto d = definition_.source.value("description", std::string()); !d.empty()) taskIt->description = d;
  }
  const auto probs = metrics::softmaxWithTemperature(logProbs, temperature);
  std::string csv = "file,start_sec,subject,label,hard_answer";
  for (int64_t c = 0; c < k; ++c) csv += ",p" + std::to_string(c);
  csv += "\n";
  for (int64_t i = 0; i < split.count; ++i) {
    const auto w = static_cast<std::size_t>(i);
    csv += split.files[w] + "," + std::to_string(split.startSec[w]) + "," + split.subjects[w] + "," +
           std::to_string(y[w]) + "," + std::to_string(hard[w]);
    for (double v : probs[w]) csv += "," + std::to_string(v);
    csv += "\n";
  }
  const auto pred = metrics::argmaxRows(probs);
  json fromProbabilities = {{"accuracy", metrics::accuracy(y, pred)},
                            {"balanced_accuracy", metrics::balancedAccuracy(y, pred, k)},
                            {"cohen_kappa", metrics::cohenKappa(y, pred, k)},
                            {"f1_weighted", metrics::weightedF1(y, pred, k)},
                            {"ece", metrics::expectedCalibrationError(y, probs)}};
  try {
    fromProbabilities["roc_auc"] = metrics::rocAuc(y, probs);
  } catch (const std::invalid_argument&) {
    fromProbabilities["roc_auc"] = nullptr;  // one class only
  }
  // The official hard-answer metric: binary tasks count an unparseable answer (−1) as class 0 and rank it
  // below 0 for the AUC; multi-class tasks count it as the last class.
  std::vector<int64_t> hardClass;
  int64_t unparsed = 0;
  for (auto a : hard) {
    unparsed += a < 0;
    hardClass.push_back(a >= 0 ? a : (k == 2 ? 0 : k - 1));
  }
  json official = {{"accuracy", metrics::accuracy(y, hardClass)},
                   {"balanced_accuracy", metrics::balancedAccuracy(y, hardClass, k)},
                   {"cohen_kappa", metrics::cohenKappa(y, hardClass, k)},
                   {"f1_weighted", metrics::weightedF1(y, hardClass, k)},
                   {"unparsed_answers", unparsed},
                   {"generation", c_.officialGenerate ? "official generate (mask quirks, spec 4.5)"
                                                      : "greedy, training-time mask (spec 8.11)"}};
  if (k == 2) {
    std::vector<double> raw(hard.begin(), hard.end());
    try {
      official["roc_auc"] = metrics::rocAucBinary(y, raw);
    } catch (const std::invalid_argument&) {
      official["roc_auc"] = nullptr;
    }
  }
  json values = {{"windows", split.count},
                 {"split", c_.evalSplit},
                 {"temperature", temperature},
                 {"from_option_probabilities", fromProbabilities},
                 {"official_hard_answer", official}};
  if (c_.calibrate) values["calibration"] = calibration;
  if (c_.calibrate) runtime::saveNeuroLm(*lm_, finalModelPath(), tasks);
  writeFileAtomically(c_.runDir / "metrics.json", values.dump(2));
  writeFileAtomically(c_.runDir / "predictions.csv", csv);
  emit({{"event", "metrics"}, {"split", c_.evalSplit}, {"step", split.count}, {"values", values}});
  json done = {{"event", "done"}, {"step", split.count}, {"metrics", (c_.runDir / "metrics.json").string()}};
  if (c_.calibrate) done["model"] = finalModelPath().string();
  emit(done);
  return 0;
}

}  // namespace

int runTraining(const TrainConfig& config, const TrainOptions& options) {
  Job job(config, options);
  try {
    return config.stage == "eval" ? job.runEval() : job.run();
  } catch (const std::exception& e) {
    job.emit({{"event", "error"}, {"message", e.what()}});
    throw;
  }
}

}  // namespace neurolm::train
