#pragma once
// The token lane's engine: a recording preprocessed as the CLI does (spec §1: the channels the model knows,
// band-pass, notch, 200 Hz), cut into consecutive windows the tokenizer accepts (the longest that fits the
// padded length of 276, as `neurolm tokenize` chooses by default; the last one shorter), each tokenised on
// the inference runtime's worker. Results are cached on disk per recording + tokenizer, so opening the same
// file again shows its codes at once.
#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "models/runtime/EegWindows.h"
#include "widgets/tokens/TokenBackend.h"

namespace neurolm::runtime {
class InferenceRuntime;
}

namespace neurolm::app {

class RuntimeTokenBackend : public widgets::TokenBackend {
 public:
  // `runtime` must hold a VQ tokenizer (throws std::invalid_argument otherwise). cacheDir empty:
  // <AppDataLocation>/token-cache.
  explicit RuntimeTokenBackend(std::shared_ptr<runtime::InferenceRuntime> runtime,
                               std::filesystem::path cacheDir = {});

  widgets::TokenGrid tokenize(const std::filesystem::path& path,
                              const std::function<bool(double)>& progress) override;
  std::string description() const override;
  // Over InferenceRuntime::patchSpectra of the window holding that second. The preprocessed recording and the
  // last window's spectra are kept, so moving over the cells of one window sends no new request.
  widgets::PatchSpectrum patchSpectrum(const std::filesystem::path& path, std::size_t channel,
                                       std::size_t second) override;

  // Where the codes of this recording (as it is now: path, size, modification time) with this tokenizer are
  // cached. Throws std::filesystem::filesystem_error when either file cannot be read.
  std::filesystem::path cachePath(const std::filesystem::path& recording) const;
  const std::filesystem::path& cacheDir() const { return cacheDir_; }
  // Tokenize requests sent to the runtime so far (a cached recording sends none).
  std::size_t runtimeRequests() const { return requests_.load(); }
  // Spectrum requests sent to the runtime so far (one per window asked for, not per cell).
  std::size_t spectrumRequests() const { return spectrumRequests_.load(); }
  std::size_t paddedLength() const { return paddedLength_; }

  // The windows a recording of this source is cut into: [0, L), [L, 2L), … with L = the longest window for its
  // channel count, at most `maxWindowSec` when that is > 0 (the tokenizer's training window: its time
  // embedding knows no later second), the last one the whole seconds left (at least 1 s).
  static std::vector<runtime::TimeRange> windowsFor(const runtime::EegSource& source, std::size_t paddedLength,
                                                    std::size_t maxWindowSec = 0);
  std::size_t maxWindowSec() const { return maxWindowSec_; }

 private:
  std::shared_ptr<runtime::InferenceRuntime> runtime_;
  std::filesystem::path tokenizerPath_;
  std::filesystem::path cacheDir_;
  std::int64_t codebookSize_ = 0;
  std::size_t paddedLength_;
  std::size_t maxWindowSec_ = 0;  // the tokenizer's training window (0: not recorded in its file)
  std::atomic<std::size_t> requests_{0};

  struct SpectrumWindow;
  std::mutex spectrumMutex_;  // one patchSpectrum at a time (the lane's worker; tests call it directly too)
  std::string spectrumRecording_;  // identity (path, size, time) of the recording below
  std::shared_ptr<const runtime::EegSource> spectrumSource_;
  std::shared_ptr<const SpectrumWindow> spectrumWindow_;
  std::atomic<std::size_t> spectrumRequests_{0};
};

}  // namespace neurolm::app
