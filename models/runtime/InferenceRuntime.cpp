#include "models/runtime/InferenceRuntime.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "core/preprocess/ChannelVocabulary.h"
#include "models/nn/CpuKernels.h"
#include "models/nn/Evidence.h"
#include "models/nn/Generation.h"
#include "models/runtime/Device.h"
#include "models/runtime/ModelStore.h"
#include "models/text/Gpt2Bpe.h"

namespace neurolm::runtime {
namespace {

nn::EegBatch toBatch(const preprocess::PatchGrid& g, const torch::Device& device) {
  const auto le = static_cast<int64_t>(g.paddedLength);
  if (g.patches.size() != g.paddedLength * preprocess::kSamplesPerPatch ||
      g.inputChans.size() != g.paddedLength || g.inputTime.size() != g.paddedLength ||
      g.inputMask.size() != g.paddedLength)
    throw std::invalid_argument("window: inconsistent patch grid sizes");
  auto x = torch::from_blob(const_cast<float*>(g.patches.data()), {1, le, 200}, torch::kFloat).clone();
  auto chans =
      torch::from_blob(const_cast<int32_t*>(g.inputChans.data()), {1, le}, torch::kInt).to(torch::kLong);
  auto time =
      torch::from_blob(const_cast<int32_t*>(g.inputTime.data()), {1, le}, torch::kInt).to(torch::kLong);
  auto mask =
      torch::from_blob(const_cast<uint8_t*>(g.inputMask.data()), {1, le}, torch::kUInt8).to(torch::kBool);
  return {x.to(device), chans.to(device), time.to(device), mask.to(device)};
}

// Windows [first, first + count) stacked into one batch (equal padded lengths).
nn::EegBatch toBatch(const std::vector<preprocess::PatchGrid>& grids, size_t first, size_t count,
                     const torch::Device& device) {
  std::vector<torch::Tensor> x, chans, time, mask;
  for (size_t i = first; i < first + count; ++i) {
    const auto one = toBatch(grids[i], torch::kCPU);
    x.push_back(one.x);
    chans.push_back(one.inputChans);
    time.push_back(one.inputTime);
    mask.push_back(one.inputMask);
  }
  // B × [1, Le, …] -> [B, Le, …]
  return {torch::cat(x, 0).to(device), torch::cat(chans, 0).to(device), torch::cat(time, 0).to(device),
          torch::cat(mask, 0).to(device)};
}

// exp(logProb / T) normalised over the options.
std::vector<double> optionProbabilities(const std::vector<double>& logProb, double temperature) {
  double maxLog = logProb.front();
  for (double l : logProb) maxLog = std::max(maxLog, l);
  double total = 0;
  for (double l : logProb) total += std::exp((l - maxLog) / temperature);
  std::vector<double> p;
  for (double l : logProb) p.push_back(std::exp((l - maxLog) / temperature) / total);
  return p;
}

std::vector<TokenId> toTokenIds(const std::vector<int64_t>& ids) { return {ids.begin(), ids.end()}; }

}  // namespace

struct InferenceRuntime::Impl {
  struct Job {
    RequestId id = 0;
    std::function<void()> run;
    std::function<void()> dropQueued;  // sets RequestCancelled on the promise
    bool inferenceMode = true;         // false for loading: parameters must be normal (not inference) tensors
  };

  RuntimeOptions options;
  DeviceChoice device;
  std::optional<LoadedTokenizer> tokenizer;
  std::optional<LoadedNeuroLm> neuroLm;
  std::optional<ModelSummary> tokenizerSummary, neuroLmSummary;
  std::unique_ptr<Gpt2Bpe> bpe;

  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Job> queue;
  std::map<RequestId, std::shared_ptr<std::atomic<bool>>> cancelFlags;
  RequestId nextId = 1;
  bool stopping = false;
  std::thread worker;

  void loop() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping and drained
        job = std::move(queue.front());
        queue.pop_front();
        const auto flag = cancelFlags.find(job.id);
        if (stopping || (flag != cancelFlags.end() && flag->second->load())) {
          cancelFlags.erase(job.id);
          lock.unlock();
          job.dropQueued();
          continue;
        }
      }
      if (job.inferenceMode) {
        c10::InferenceMode inference;
        job.run();
      } else {
        job.run();
      }
      std::lock_guard lock(mutex);
      cancelFlags.erase(job.id);
    }
  }

  template <typename Result>
  std::future<Result> post(std::function<Result(RequestId, const std::atomic<bool>&)> work, RequestId* idOut,
                           bool inferenceMode = true) {
    auto promise = std::make_shared<std::promise<Result>>();
    auto future = promise->get_future();
    std::lock_guard lock(mutex);
    const RequestId id = nextId++;
    auto flag = std::make_shared<std::atomic<bool>>(false);
    cancelFlags[id] = flag;
    Job job;
    job.id = id;
    job.inferenceMode = inferenceMode;
    job.run = [promise, work = std::move(work), id, flag] {
      try {
        promise->set_value(work(id, *flag));
      } catch (...) {
        promise->set_exception(std::current_exception());
      }
    };
    job.dropQueued = [promise, id] { promise->set_exception(std::make_exception_ptr(RequestCancelled(id))); };
    queue.push_back(std::move(job));
    if (idOut) *idOut = id;
    wake.notify_one();
    return future;
  }

  static ModelSummary summarise(torch::nn::Module& m, const std::filesystem::path& path, ModelFormat format,
                                ModelKind kind, const nlohmann::json& config) {
    return {path.string(), formatName(format), kindName(kind), config.dump(), parameterCount(m)};
  }

  void load() {
    device = chooseDevice(options.device);
    if (!options.tokenizerPath.empty()) {
      tokenizer = loadTokenizer(options.tokenizerPath);
      tokenizerSummary = summarise(*tokenizer->vq, tokenizer->path, tokenizer->format, ModelKind::Tokenizer,
                                   vqConfigToJson(tokenizer->vq->config()));
      tokenizerSummary->trainedWindowSec = tokenizer->trainedWindowSec;
    }
    if (!options.neuroLmPath.empty()) {
      neuroLm = loadNeuroLm(options.neuroLmPath);
      neuroLmSummary = summarise(*neuroLm->model, neuroLm->path, neuroLm->format, ModelKind::NeuroLm,
                                 neuroLmConfigToJson(neuroLm->model->config()));
      neuroLmSummary->tasksJson = tasksToJson(neuroLm->tasks).dump();
      if (options.bpeDir.empty()) throw std::invalid_argument("NeuroLM needs the GPT-2 BPE files (bpeDir)");
      bpe = std::make_unique<Gpt2Bpe>(Gpt2Bpe::fromDirectory(options.bpeDir));
    }
    if (device.device.is_cuda()) {
      try {
        if (tokenizer) tokenizer->vq->to(device.device);
        if (neuroLm) neuroLm->model->to(device.device);
      } catch (const std::exception& e) {
        const std::string why = e.what();
        if (tokenizer) tokenizer->vq->to(torch::kCPU);
        if (neuroLm) neuroLm->model->to(torch::kCPU);
        device = {torch::Device(torch::kCPU), "moving the models to " + device.device.str() + " failed (" +
                                                  why.substr(0, why.find('\n')) + "); using CPU"};
      }
    }
  }

  TokenizeResult tokenize(RequestId id, const preprocess::PatchGrid& grid) {
    const auto batch = toBatch(grid, device.device);
    const auto v = static_cast<int64_t>(grid.realTokenCount());
    TokenizeResult r;
    r.id = id;
    r.channelCount = grid.channelCount;
    r.windowSec = grid.windowSec;
    r.paddedLength = grid.paddedLength;
    torch::Tensor features;
    if (tokenizer) {
      const auto enc = tokenizer->vq->encodeRealTokens(batch);  // V rows (spec §8.33 shortcut)
      const auto codes = enc.codes[0].to(torch::kCPU).contiguous();
      r.codes.assign(codes.data_ptr<int64_t>(), codes.data_ptr<int64_t>() + v);
      features = enc.features[0];
      r.featureSource = "vq";
    } else if (neuroLm) {
      features = neuroLm->model->tokenizer->forwardRealOnly(batch)[0];  // [V, De]
      r.featureSource = "neurolm";
    } else {
      throw std::invalid_argument("tokenize needs a tokenizer (VQ) or a NeuroLM model; none is loaded");
    }
    features = features.to(torch::kCPU, torch::kFloat).contiguous();
    r.featureDim = features.size(1);
    r.features.assign(features.data_ptr<float>(), features.data_ptr<float>() + features.numel());
    return r;
  }

  PatchSpectraResult patchSpectra(RequestId id, const preprocess::PatchGrid& grid) {
    if (!tokenizer) {
      if (neuroLm)
        throw NoSpectrumDecoder(neuroLm->path.string() +
                                ": a NeuroLM file holds only the tokenizer's encoder; this tokenizer has no "
                                "spectrum decoder (load the VQ tokenizer file)");
      throw NoSpectrumDecoder("no tokenizer is loaded, so there is no spectrum decoder");
    }
    auto& vq = *tokenizer->vq;
    if (vq.decoder_freq.is_empty() || vq.decode_task_layer_freq.is_empty())
      throw NoSpectrumDecoder(tokenizer->path.string() + ": this tokenizer has no spectrum decoder");
    // The training target, computed by the trainer's own function (spec §1.4).
    const auto targets = preprocess::makeTokenizerTargets(grid);
    const auto v = static_cast<int64_t>(grid.realTokenCount());
    const int64_t bins = vq.config().decoderOutFreq;
    if (bins != static_cast<int64_t>(preprocess::kSamplesPerPatch / 2))
      throw NoSpectrumDecoder(tokenizer->path.string() + ": the spectrum decoder gives " +
                              std::to_string(bins) + " bins, expected " +
                              std::to_string(preprocess::kSamplesPerPatch / 2));
    // As the training forward: the whole padded window through encode and decode (the decoder's key-padding
    // mask hides the padding), then the real rows.
    const auto batch = toBatch(grid, device.device);
    const auto enc = vq.encode(batch);
    const auto rec = vq.decode(enc.zq, batch).recFreq[0].slice(0, 0, v);  // [Le, 100] -> [V, 100]
    const auto recCpu = rec.to(torch::kCPU, torch::kFloat).contiguous();
    const auto codes = enc.codes[0].slice(0, 0, v).to(torch::kCPU).contiguous();
    PatchSpectraResult r;
    r.id = id;
    r.channelCount = grid.channelCount;
    r.windowSec = grid.windowSec;
    r.binCount = static_cast<std::size_t>(bins);
    r.reconstructed.assign(recCpu.data_ptr<float>(), recCpu.data_ptr<float>() + recCpu.numel());
    r.real.assign(targets.yFreq.begin(), targets.yFreq.begin() + v * bins);
    r.codes.assign(codes.data_ptr<int64_t>(), codes.data_ptr<int64_t>() + v);
    r.amplitudeMean = targets.freqMean;
    r.amplitudeStd = targets.freqStd;
    return r;
  }

  std::vector<std::vector<int64_t>> encodeChoices(const std::vector<std::string>& choices) const {
    std::vector<std::vector<int64_t>> choiceIds;
    for (const auto& c : choices) {
      const auto ids = bpe->encode(c);
      if (ids.empty()) throw std::invalid_argument("answer option '" + c + "' has no tokens");
      choiceIds.emplace_back(ids.begin(), ids.end());
    }
    return choiceIds;
  }

  // The model's own task with this prompt and these options: its calibrated temperature applies (else 1).
  double taskTemperature(const std::string& instruction, std::vector<std::string> choices) const {
    double t = 1.0;
    std::sort(choices.begin(), choices.end());
    for (const auto& task : neuroLm->tasks) {
      auto options = task.options;
      std::sort(options.begin(), options.end());
      if (task.prompt == instruction && options == choices) t = task.temperature;
    }
    return t;
  }

  ScoreWindowsResult scoreWindows(RequestId id, const std::atomic<bool>& cancelled,
                                  const std::vector<preprocess::PatchGrid>& windows,
                                  const std::string& instruction, const std::vector<std::string>& choices,
                                  int batchSize, const std::function<bool(size_t, size_t)>& progress) {
    if (!neuroLm) throw std::invalid_argument("scoring windows needs a NeuroLM model; none is loaded");
    if (choices.empty()) throw std::invalid_argument("scoring windows needs at least one answer option");
    if (batchSize < 1)
      throw std::invalid_argument("batch size must be >= 1, got " + std::to_string(batchSize));
    const auto started = std::chrono::steady_clock::now();
    auto& model = *neuroLm->model;
    ScoreWindowsResult r;
    r.id = id;
    r.choices = choices;
    r.choiceIds = encodeChoices(choices);
    r.optionTemperature = taskTemperature(instruction, choices);
    std::vector<int64_t> promptIds{nn::kSepId};
    for (TokenId t : bpe->encode(instruction)) promptIds.push_back(t);
    r.promptIds = promptIds;
    size_t longestChoice = 0;
    for (const auto& c : r.choiceIds) longestChoice = std::max(longestChoice, c.size());
    const auto prompt = torch::tensor(promptIds, torch::kLong).view({1, -1}).to(device.device);
    for (size_t first = 0; first < windows.size();) {
      if (cancelled.load()) {
        r.cancelled = true;
        break;
      }
      // A batch: up to batchSize consecutive windows of the first one's shape (text positions follow the
      // seconds, so the window length must match too).
      size_t count = 1;
      const auto& head = windows[first];
      while (count < static_cast<size_t>(batchSize) && first + count < windows.size() &&
             windows[first + count].paddedLength == head.paddedLength &&
             windows[first + count].windowSec == head.windowSec)
        ++count;
      const auto batch = toBatch(windows, first, count, device.device);
      const auto b = static_cast<int64_t>(count);
      // As ask(): KV-cache prefill without the EEG padding, then the options from it.
      const auto prefill = nn::prefillPrompt(model, batch, prompt.expand({b, prompt.size(1)}).contiguous(),
                                             /*dropEegPadding=*/true, static_cast<int64_t>(longestChoice));
      for (const auto& scores : nn::scoreChoicesBatch(model, prefill, r.choiceIds))
        r.windows.push_back(
            {scores.logProb, optionProbabilities(scores.logProb, r.optionTemperature), scores.best});
      first += count;
      if (progress && !progress(first, windows.size())) {
        r.cancelled = first < windows.size();
        break;
      }
    }
    if (cancelled.load() && r.windows.size() < windows.size()) r.cancelled = true;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return r;
  }

  EvidenceResult evidence(RequestId id, const preprocess::PatchGrid& grid, const std::string& instruction,
                          const std::string& option) {
    if (!neuroLm) throw std::invalid_argument("evidence needs a NeuroLM model; none is loaded");
    const auto started = std::chrono::steady_clock::now();
    const auto batch = toBatch(grid, device.device);
    std::vector<int64_t> promptIds{nn::kSepId};
    for (TokenId t : bpe->encode(instruction)) promptIds.push_back(t);
    const auto prompt = torch::tensor(promptIds, torch::kLong).view({1, -1}).to(device.device);
    EvidenceResult r;
    r.id = id;
    r.option = option;
    r.optionIds = encodeChoices({option}).front();
    const auto e = nn::optionEvidence(*neuroLm->model, batch, prompt, r.optionIds);
    r.logProb = e.logProb;
    const auto v = e.contribution.size(0);
    const auto* c = e.contribution.data_ptr<double>();
    const auto n = static_cast<int64_t>(grid.channelCount);
    const auto& names = preprocess::standard1020Vocabulary();
    double total = 0;
    for (int64_t t = 0; t < v; ++t) {
      EvidenceToken tok;
      tok.token = t;
      tok.channelRow = t % n;
      tok.vocabIndex = grid.inputChans[static_cast<size_t>(t)];
      if (tok.vocabIndex >= 0 && static_cast<size_t>(tok.vocabIndex) < names.size())
        tok.channelName = std::string(names[static_cast<size_t>(tok.vocabIndex)]);
      tok.second = grid.inputTime[static_cast<size_t>(t)];
      tok.contribution = c[t];
      tok.score = std::abs(c[t]);
      total += tok.score;
      r.tokens.push_back(std::move(tok));
    }
    for (auto& tok : r.tokens) tok.share = total > 0 ? tok.score / total : 0.0;
    std::stable_sort(r.tokens.begin(), r.tokens.end(),
                     [](const EvidenceToken& a, const EvidenceToken& b) { return a.score > b.score; });
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return r;
  }

  AskResult ask(RequestId id, const std::atomic<bool>& cancelled, const preprocess::PatchGrid& grid,
                const std::string& instruction, const AskOptions& o,
                const std::function<bool(const AskToken&)>& onToken) {
    if (!neuroLm) throw std::invalid_argument("ask needs a NeuroLM model; none is loaded");
    const auto started = std::chrono::steady_clock::now();
    auto& model = *neuroLm->model;
    const auto batch = toBatch(grid, device.device);
    AskResult r;
    r.id = id;
    r.promptIds.push_back(nn::kSepId);
    for (TokenId t : bpe->encode(instruction)) r.promptIds.push_back(t);
    const auto prompt = torch::tensor(r.promptIds, torch::kLong).view({1, -1}).to(device.device);

    nn::GenerateOptions g;
    g.maxNewTokens = o.maxNewTokens;
    g.officialQuirks = o.officialGenerate;
    g.useKvCache = o.kvCache;
    g.dropEegPadding = o.dropEegPadding && o.kvCache && !o.officialGenerate;
    g.traceTopK = 1;
    g.sample = o.sample;
    g.temperature = o.temperature;
    g.topK = o.topK;
    g.topP = o.topP;
    g.seed = o.seed;
    if (o.stopAtEndOfText && !o.officialGenerate) g.stopId = nn::kLastGpt2Id;
    bool stoppedByCaller = false;
    g.onToken = [&](int64_t step, const torch::Tensor& newIds) {
      if (cancelled.load()) {
        stoppedByCaller = true;
        return false;  // cancelled while this step ran: the token is not delivered
      }
      AskToken t;
      t.id = id;
      t.step = step;
      t.tokenId = newIds[0].item<int64_t>();
      const TokenId one[1] = {static_cast<TokenId>(t.tokenId)};
      t.bytes = bpe->decodeBytes(one, Gpt2Bpe::UnknownIds::Mark);
      r.answerIds.push_back(t.tokenId);
      if (onToken && !onToken(t)) {
        stoppedByCaller = true;
        return false;
      }
      if (g.stopId && t.tokenId == *g.stopId) return false;  // nothing after <|endoftext|>
      return !cancelled.load();
    };
    // KV-cache mode: one prefill serves the answer and the option scores (the EEG is encoded once).
    const bool sharedPrefill = o.kvCache && !o.officialGenerate;
    size_t longestChoice = 0;
    for (const auto& c : o.choices) longestChoice = std::max(longestChoice, c.size());  // bytes ≥ tokens
    std::optional<nn::PromptPrefill> prefill;
    if (sharedPrefill)
      prefill = nn::prefillPrompt(model, batch, prompt, g.dropEegPadding,
                                  std::max<int64_t>(o.maxNewTokens, static_cast<int64_t>(longestChoice)));
    const auto generated =
        sharedPrefill ? nn::generateFrom(model, *prefill, prompt, g) : nn::generate(model, batch, prompt, g);
    for (std::size_t s = 0; s < r.answerIds.size() && s < generated.steps.size(); ++s)
      r.stepTopLogits.push_back(generated.steps[s].topLogits[0][0].item<double>());
    r.cancelled = stoppedByCaller || cancelled.load();
    r.answer = bpe->decode(toTokenIds(r.answerIds), Gpt2Bpe::UnknownIds::Mark);

    if (!o.choices.empty() && !r.cancelled) {
      const auto choiceIds = encodeChoices(o.choices);
      const auto scores = prefill ? nn::scoreChoices(model, *prefill, choiceIds)
                                  : nn::scoreChoices(model, batch, prompt, choiceIds, o.dropEegPadding);
      r.optionTemperature = taskTemperature(instruction, o.choices);
      const auto probabilities = optionProbabilities(scores.logProb, r.optionTemperature);
      for (std::size_t i = 0; i < o.choices.size(); ++i)
        r.choices.push_back(
            {o.choices[i], choiceIds[i], scores.logProb[i], scores.meanLogProb[i], probabilities[i]});
      r.bestChoice = scores.best;
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return r;
  }
};

InferenceRuntime::InferenceRuntime(const RuntimeOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  torch::set_num_threads(options.cpuThreads > 0 ? options.cpuThreads : nn::cpu::defaultCpuThreads());
  nn::cpu::applyThreadPolicy(options.threadPolicy);
  impl_->worker = std::thread([this] { impl_->loop(); });
  try {
    impl_
        ->post<int>(
            [this](RequestId, const std::atomic<bool>&) {
              impl_->load();
              return 0;
            },
            nullptr, false)
        .get();
  } catch (...) {
    {
      std::lock_guard lock(impl_->mutex);
      impl_->stopping = true;
    }
    impl_->wake.notify_all();
    impl_->worker.join();
    throw;
  }
}

InferenceRuntime::~InferenceRuntime() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    for (auto& [id, flag] : impl_->cancelFlags) flag->store(true);
  }
  impl_->wake.notify_all();
  if (impl_->worker.joinable()) impl_->worker.join();
}

std::string InferenceRuntime::deviceDescription() const {
  if (!impl_->device.device.is_cpu()) return impl_->device.describe();
  return impl_->device.describe() + "; threads: " + nn::cpu::threadPolicyDescription();
}
bool InferenceRuntime::hasTokenizer() const { return impl_->tokenizer.has_value(); }
bool InferenceRuntime::hasNeuroLm() const { return impl_->neuroLm.has_value(); }
std::optional<ModelSummary> InferenceRuntime::tokenizerSummary() const { return impl_->tokenizerSummary; }
std::optional<ModelSummary> InferenceRuntime::neuroLmSummary() const { return impl_->neuroLmSummary; }

std::future<TokenizeResult> InferenceRuntime::tokenize(preprocess::PatchGrid window, RequestId* idOut) {
  return impl_->post<TokenizeResult>(
      [this, window = std::move(window)](RequestId id, const std::atomic<bool>&) {
        return impl_->tokenize(id, window);
      },
      idOut);
}

std::future<PatchSpectraResult> InferenceRuntime::patchSpectra(preprocess::PatchGrid window,
                                                               RequestId* idOut) {
  return impl_->post<PatchSpectraResult>(
      [this, window = std::move(window)](RequestId id, const std::atomic<bool>&) {
        return impl_->patchSpectra(id, window);
      },
      idOut);
}

std::future<AskResult> InferenceRuntime::ask(preprocess::PatchGrid window, std::string instruction,
                                             AskOptions options, std::function<bool(const AskToken&)> onToken,
                                             RequestId* idOut) {
  return impl_->post<AskResult>(
      [this, window = std::move(window), instruction = std::move(instruction), options = std::move(options),
       onToken = std::move(onToken)](RequestId id, const std::atomic<bool>& cancelled) {
        return impl_->ask(id, cancelled, window, instruction, options, onToken);
      },
      idOut);
}

std::future<ScoreWindowsResult> InferenceRuntime::scoreWindows(
    std::vector<preprocess::PatchGrid> windows, std::string instruction, std::vector<std::string> choices,
    int batchSize, std::function<bool(size_t, size_t)> progress, RequestId* idOut) {
  return impl_->post<ScoreWindowsResult>(
      [this, windows = std::move(windows), instruction = std::move(instruction), choices = std::move(choices),
       batchSize, progress = std::move(progress)](RequestId id, const std::atomic<bool>& cancelled) {
        return impl_->scoreWindows(id, cancelled, windows, instruction, choices, batchSize, progress);
      },
      idOut);
}

std::future<EvidenceResult> InferenceRuntime::evidence(preprocess::PatchGrid window, std::string instruction,
                                                       std::string option, RequestId* idOut) {
  return impl_->post<EvidenceResult>(
      [this, window = std::move(window), instruction = std::move(instruction), option = std::move(option)](
          RequestId id, const std::atomic<bool>&) { return impl_->evidence(id, window, instruction, option); },
      idOut, /*inferenceMode=*/false);  // a backward pass needs normal tensors
}

void InferenceRuntime::cancel(RequestId id) {
  std::lock_guard lock(impl_->mutex);
  const auto it = impl_->cancelFlags.find(id);
  if (it != impl_->cancelFlags.end()) it->second->store(true);
}

std::vector<int64_t> InferenceRuntime::encodeText(const std::string& text) const {
  if (!impl_->bpe) throw std::logic_error("no BPE loaded (load a NeuroLM model)");
  const auto ids = impl_->bpe->encode(text);
  return {ids.begin(), ids.end()};
}

}  // namespace neurolm::runtime
