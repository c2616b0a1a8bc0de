#pragma once
// What the token lane needs from the engine (no torch, no Qt): the neural tokenizer's codes of a whole
// recording, one per model channel and 1-s patch. Implemented in app/ over the inference runtime.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace neurolm::widgets {

// Codes of a recording: rows are the channels the tokenizer knows (model order), columns whole seconds.
struct TokenGrid {
  std::vector<std::string> channels;      // normalised model names (FP1, …), one per row
  std::vector<std::string> sourceLabels;  // the recording's labels of those rows (to find the trace lanes)
  std::size_t seconds = 0;                // columns: whole 1-s patches from 0 s
  std::vector<std::int32_t> codes;        // [channel · seconds + second]; -1 where no code was computed
  std::int64_t codebookSize = 0;          // e.g. 8192
  std::size_t windowSec = 0;              // length of the windows the codes were computed in
  std::size_t paddedLength = 0;           // the tokenizer's padded sequence length (codes depend on it)

  std::size_t channelCount() const { return channels.size(); }
  std::int32_t code(std::size_t channel, std::size_t second) const { return codes[channel * seconds + second]; }
  bool empty() const { return channels.empty() || seconds == 0; }
};

// The tokenizer's view of one cell (spec §1.4): the amplitude spectrum of the 1-s patch, Y_freq = |DFT200|
// standardised with one mean and std over its whole window, bins 0…99 (bin k = k Hz), next to the tokenizer
// decoder's reconstruction of it from the patch's code. available() false: `unavailable` says why.
struct PatchSpectrum {
  std::vector<double> frequenciesHz;               // 0, 1, …, 99
  std::vector<float> real, reconstructed;          // standardised amplitude, one per frequency
  std::int32_t code = -1;                          // the code that was decoded (as the lane's)
  double windowStartSec = 0, windowEndSec = 0;     // the window the standardisation used
  double amplitudeMeanUv = 0, amplitudeStdUv = 1;  // of that window's |DFT| (µV): |DFT| = value · std + mean
  std::string unavailable;
  bool available() const { return unavailable.empty(); }
};

// Thrown by TokenBackend::tokenize when its progress callback asked to stop.
class TokenizeCancelled : public std::runtime_error {
 public:
  TokenizeCancelled() : std::runtime_error("tokenisation cancelled") {}
};

class TokenBackend {
 public:
  virtual ~TokenBackend() = default;
  // Codes of the whole recording at `path`. Blocking: the lane calls it on its worker thread. `progress`
  // (0…1, called on that thread) returns false to cancel, then TokenizeCancelled is thrown and nothing is
  // kept. Errors (unreadable file, no channel the model knows) throw std::exception naming the file.
  virtual TokenGrid tokenize(const std::filesystem::path& path, const std::function<bool(double)>& progress) = 0;
  // One line for the lane's status, e.g. the tokenizer file.
  virtual std::string description() const = 0;
  // Real and reconstructed spectrum of the patch of model channel row `channel` at `second` of the recording
  // at `path` (the same windows as tokenize, so the code matches the lane's). Blocking: the lane calls it on
  // its worker thread. A tokenizer without a spectrum decoder (and this default) returns unavailable with the
  // reason; errors (unreadable file, cell outside the recording) throw std::exception naming the file.
  virtual PatchSpectrum patchSpectrum(const std::filesystem::path& /*path*/, std::size_t /*channel*/,
                                      std::size_t /*second*/) {
    PatchSpectrum none;
    none.unavailable = "this tokenizer has no spectrum decoder";
    return none;
  }
};

}  // namespace neurolm::widgets
