#pragma once
// The engine a GUI or the CLI talks to (no torch, no Qt in this header): owns the loaded models and ONE
// worker thread that runs every request in order under c10::InferenceMode. Requests return a request id and a
// std::future; ask() streams tokens through a callback (called on the worker) and can be cancelled by id
// (effective at the next token). Device chosen at start (auto|cpu|cuda) with CPU fallback and the reason.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/preprocess/PatchGrid.h"

namespace neurolm::runtime {

using RequestId = std::uint64_t;

struct RuntimeOptions {
  std::filesystem::path tokenizerPath;  // VQ (official .pt or ours); needed for codes
  std::filesystem::path neuroLmPath;    // NeuroLM (official .pt or ours); needed for ask
  std::filesystem::path bpeDir;         // GPT-2 encoder.json + vocab.bpe (needed for ask)
  std::string device = "auto";          // auto | cpu | cuda | cuda:N
  // CPU thread policy for this process (nn/CpuKernels.h). "auto": LibTorch's and OpenBLAS's pools side by
  // side when idle OpenMP threads wait passively (our executables start so, core/system/OpenMpWait.h), else
  // the single pool (the spinning pools would slow each other 2–3×). "single-pool" / "stock" force one.
  std::string threadPolicy = "auto";
  // LibTorch intra-op threads for the process; 0: OMP_NUM_THREADS when set, else every CPU of the affinity
  // mask (LibTorch's own default counts physical cores through cpuinfo and finds 1 on some VMs).
  int cpuThreads = 0;
};

struct ModelSummary {
  std::string path, format, kind;
  std::string config;  // compact JSON (our config field names)
  int64_t parameters = 0;
  // NeuroLM: the questions it was tuned on, JSON array of {"name", "prompt", "options": [...],
  // "description"} (ModelStore.h ModelTask); "[]" when the file records none (official checkpoints).
  std::string tasksJson = "[]";
  // Tokenizer: the longest window of its training data in seconds (0: the file does not say).
  int trainedWindowSec = 0;
};

struct TokenizeResult {
  RequestId id = 0;
  std::size_t channelCount = 0, windowSec = 0, paddedLength = 0;
  std::vector<int64_t> codes;  // [V] codes of the real tokens, time-major (token a·N + n); empty without a VQ
  std::vector<float> features;  // [V, D] encoder fc_norm features of the real tokens
  int64_t featureDim = 0;
  std::string featureSource;  // "vq" (tokenizer file) or "neurolm" (tokenizer inside the NeuroLM file)
};

// The tokenizer's view of each real patch's amplitude spectrum (spec §1.4): the training target Y_freq =
// std_norm(|DFT200(x)|)[:, 0:100] of the window (bin k = k Hz) next to the decoder's reconstruction of it
// from the quantised vectors (VQ.decode(zq).recFreq). Rows are the real tokens, time-major (token a·N + n).
struct PatchSpectraResult {
  RequestId id = 0;
  std::size_t channelCount = 0, windowSec = 0;
  std::size_t binCount = 0;          // 100
  std::vector<float> real;           // [V, binCount] Y_freq
  std::vector<float> reconstructed;  // [V, binCount] recFreq of the same rows
  std::vector<int64_t> codes;        // [V] the codes decoded (as tokenize's)
  // The window's standardisation (model units, x = µV / 100): amplitude = value · amplitudeStd +
  // amplitudeMean.
  double amplitudeMean = 0, amplitudeStd = 1;
};

// Thrown (through the future) by patchSpectra when the loaded tokenizer cannot reconstruct spectra.
class NoSpectrumDecoder : public std::runtime_error {
 public:
  explicit NoSpectrumDecoder(const std::string& what) : std::runtime_error(what) {}
};

struct AskOptions {
  int64_t maxNewTokens = 5;
  bool officialGenerate = false;  // the official generate with its quirks (parity); default: correct greedy
  bool kvCache = true;
  bool dropEegPadding = true;   // spec §8.33 fast path (correct mode with KV cache)
  bool stopAtEndOfText = true;  // correct mode: stop after <|endoftext|> (the official code never stops)
  bool sample = false;          // free chat only (spec §8.22); greedy by default
  double temperature = 1.0;
  int64_t topK = 0;
  double topP = 1.0;
  uint64_t seed = 0;
  std::vector<std::string> choices;  // answer options to score (e.g. " Yes", " No"); empty: none
};

struct AskToken {
  RequestId id = 0;
  int64_t step = 0;  // 0-based
  int64_t tokenId = 0;
  std::string bytes;  // the token's UTF-8 bytes (ids outside GPT-2 as "<|id:N|>")
};

struct ChoiceScore {
  std::string text;
  std::vector<int64_t> tokenIds;
  double logProb = 0, meanLogProb = 0;
  double probability = 0;  // exp(logProb / T) normalised over the choices (T: AskResult::optionTemperature)
};

struct AskResult {
  RequestId id = 0;
  std::vector<int64_t> promptIds;     // [SEP] + BPE(instruction)
  std::vector<int64_t> answerIds;     // generated ids (≤ maxNewTokens)
  std::string answer;                 // decoded answer text
  std::vector<double> stepTopLogits;  // the largest text logit at each delivered step (the greedy choice's)
  bool cancelled = false;
  std::vector<ChoiceScore> choices;
  int64_t bestChoice = -1;
  double seconds = 0;
  // Temperature of the option probabilities: the calibrated one of the model's task with this prompt and
  // these options (ModelStore.h ModelTask), else 1.
  double optionTemperature = 1.0;
};

// Option scores of many windows (the whole recording): per window, as AskResult::choices.
struct WindowScores {
  std::vector<double> logProb;      // per option, as ChoiceScore::logProb
  std::vector<double> probability;  // per option, as ChoiceScore::probability (with the temperature below)
  int64_t bestChoice = -1;
};

struct ScoreWindowsResult {
  RequestId id = 0;
  std::vector<int64_t> promptIds;  // [SEP] + BPE(instruction), as AskResult::promptIds
  std::vector<std::string> choices;
  std::vector<std::vector<int64_t>> choiceIds;
  std::vector<WindowScores> windows;  // the first windows.size() windows (all unless cancelled)
  bool cancelled = false;
  double optionTemperature = 1.0;  // as AskResult::optionTemperature
  double seconds = 0;
};

// Evidence of an answer option (nn/Evidence.h): gradient × input of log p(option | EEG, prompt), the option's
// summed token log-probability (not a difference between options), with respect to the EEG embeddings E of
// the real tokens. One row per real token.
struct EvidenceToken {
  int64_t token = 0;        // index among the real tokens, time-major (second · N + channel row)
  int64_t channelRow = 0;   // the window's channel row n (0 … N−1)
  int32_t vocabIndex = 0;   // input_chans of the token
  std::string channelName;  // the vocabulary's name of that channel
  int64_t second = 0;       // second of the window (0 … A−1)
  double contribution = 0;  // signed Σ_d E[d] · ∂log p/∂E[d]
  double score = 0;         // |contribution|
  double share = 0;         // score / Σ over the tokens of score (0 when all are 0)
};

struct EvidenceResult {
  RequestId id = 0;
  std::string option;
  std::vector<int64_t> optionIds;
  double logProb = 0;                 // log p(option | EEG, prompt), as ChoiceScore::logProb
  std::vector<EvidenceToken> tokens;  // every real token, highest score first (token order on ties)
  double seconds = 0;
};

class InferenceRuntime {
 public:
  // Loads the models named in options on the worker and waits for them; throws what loading threw (path in
  // the message). Neither path is required, but each request needs its model.
  explicit InferenceRuntime(const RuntimeOptions& options);
  ~InferenceRuntime();  // cancels queued/running requests and joins the worker
  InferenceRuntime(const InferenceRuntime&) = delete;
  InferenceRuntime& operator=(const InferenceRuntime&) = delete;

  // e.g. "cpu (no CUDA device available); threads: stock (OpenBLAS 2 thread(s), LibTorch 2 thread(s), OpenMP
  // wait passive)"
  std::string deviceDescription() const;
  bool hasTokenizer() const;
  bool hasNeuroLm() const;
  std::optional<ModelSummary> tokenizerSummary() const;
  std::optional<ModelSummary> neuroLmSummary() const;

  // Features + codes of one window. Uses the VQ file when loaded, else the tokenizer inside the NeuroLM file
  // (features only).
  std::future<TokenizeResult> tokenize(preprocess::PatchGrid window, RequestId* idOut = nullptr);
  // Real and reconstructed amplitude spectra of the window's real patches (needs the VQ file: a NeuroLM file
  // holds only the tokenizer's encoder, then the future throws NoSpectrumDecoder).
  std::future<PatchSpectraResult> patchSpectra(preprocess::PatchGrid window, RequestId* idOut = nullptr);
  // Answers `instruction` about the window: prompt = [SEP] + BPE(instruction). onToken (on the worker thread)
  // sees every new token as it is produced; returning false cancels like cancel(id).
  std::future<AskResult> ask(preprocess::PatchGrid window, std::string instruction, AskOptions options,
                             std::function<bool(const AskToken&)> onToken = {}, RequestId* idOut = nullptr);
  // Scores `choices` after `instruction` for every window, as ask() does per window (same prefill with the
  // EEG padding dropped, same temperature), but windows of equal shape go through GPT-2 batchSize at a time.
  // progress(done, total) runs on the worker after each batch; returning false cancels like cancel(id). A
  // cancelled request stops between batches and returns the windows scored so far with cancelled = true.
  std::future<ScoreWindowsResult> scoreWindows(std::vector<preprocess::PatchGrid> windows,
                                               std::string instruction, std::vector<std::string> choices,
                                               int batchSize = 8,
                                               std::function<bool(size_t done, size_t total)> progress = {},
                                               RequestId* idOut = nullptr);
  // Gradient × input evidence of `option` after `instruction` (one forward and one backward pass over the
  // real tokens, on the worker outside inference mode). cancel(id) drops it while queued; a running one
  // finishes (a single pass).
  std::future<EvidenceResult> evidence(preprocess::PatchGrid window, std::string instruction, std::string option,
                                       RequestId* idOut = nullptr);
  // Cancels a queued or running request: a running ask stops before its next token and returns the tokens
  // so far with cancelled = true; a queued request is not run (its future throws RequestCancelled).
  void cancel(RequestId id);

  // GPT-2 BPE of text (for showing/choosing options), without [SEP].
  std::vector<int64_t> encodeText(const std::string& text) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class RequestCancelled : public std::runtime_error {
 public:
  explicit RequestCancelled(RequestId id)
      : std::runtime_error("request " + std::to_string(id) + " cancelled") {}
};

}  // namespace neurolm::runtime
