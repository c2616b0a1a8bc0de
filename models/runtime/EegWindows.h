#pragma once
// From a recording to model inputs (spec §1.3, §8 items 8, 9, 12): channel names normalised and mapped to the
// vocabulary, the WHOLE recording preprocessed once in the official order (band-pass, notch, resample to
// 200 Hz), then PatchGrid windows [a, b) seconds padded to an explicit length (276 for instruction use, 1024
// for tokenizer/pre-training use). Also takes a .npy [channels, samples] already at 200 Hz in model units
// (µV / 100). No torch.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/preprocess/ChannelVocabulary.h"
#include "core/preprocess/MultichannelSignal.h"
#include "core/preprocess/PatchGrid.h"

namespace neurolm::runtime {

struct TimeRange {
  double startSec = 0;
  double endSec = 0;
  double lengthSec() const { return endSec - startSec; }
};
// "a:b" (seconds, a < b). Throws std::invalid_argument naming the text.
TimeRange parseTimeRange(const std::string& text, const std::string& what);
// Windows of lengthSec every hopSec inside range (start + k·hop, while the end ≤ range.endSec).
std::vector<TimeRange> slidingWindows(TimeRange range, double lengthSec, double hopSec);

struct DroppedChannel {
  std::string label;   // as the source names it
  std::string reason;  // e.g. "not in the channel vocabulary (normalised 'ECG ECG')"
};

struct EegSourceOptions {
  // Channels to use, in this order, by source label or normalised name (case-insensitive after normalising).
  // Empty: every channel whose normalised name is in the vocabulary, in source order; the others are dropped
  // and listed in droppedChannels().
  std::vector<std::string> channels;
  preprocess::ChannelNameRule nameRule = preprocess::ChannelNameRule::Generic;
  std::optional<double> notchHz = 50.0;  // mains of the recording site (EEGMAT, TUAB: 50; TUH US: 60)
  // Preprocessing progress 0…1 (may be called from worker threads); returning false cancels with
  // preprocess::PreprocessCancelled.
  std::function<bool(double)> progress;
};

class EegSource {
 public:
  // EDF/BDF(+): reads the kept channels in µV and preprocesses the whole recording.
  static EegSource openRecording(const std::filesystem::path& path, const EegSourceOptions& options = {});
  // .npy [channels, samples] float32/float64, 200 Hz, µV / 100; channelNames (one per row) are required.
  static EegSource openNpy(const std::filesystem::path& path, const std::vector<std::string>& channelNames,
                           preprocess::ChannelNameRule nameRule = preprocess::ChannelNameRule::Generic);
  // Either, by the file's extension (.npy) — the CLI's FILE argument.
  static EegSource open(const std::filesystem::path& path, const EegSourceOptions& options);

  const std::filesystem::path& path() const { return path_; }
  const std::vector<std::string>& sourceLabels() const { return sourceLabels_; }  // kept, in model order
  const std::vector<std::string>& modelNames() const { return modelNames_; }      // normalised (FP1, …)
  const std::vector<std::int32_t>& vocabIndices() const { return vocab_; }
  const std::vector<DroppedChannel>& droppedChannels() const { return dropped_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  const MultichannelSignal& signal200Hz() const { return signal_; }  // µV
  double durationSec() const { return signal_.durationSec(); }
  bool preprocessed() const { return preprocessed_; }  // false for .npy input (used as given)

  // Longest window for this channel count and padded length: min(64, floor(paddedLength / N)).
  std::size_t maxWindowSec(std::size_t paddedLength) const;
  // Throws std::invalid_argument naming the limit and the value: whole seconds only, start on a sample,
  // 1 s ≤ length ≤ maxWindowSec (64 s: the tokenizer's time embedding; N·A ≤ paddedLength), inside the
  // recording.
  preprocess::PatchGrid window(TimeRange range, std::size_t paddedLength) const;

 private:
  std::filesystem::path path_;
  std::vector<std::string> sourceLabels_, modelNames_;
  std::vector<std::int32_t> vocab_;
  std::vector<DroppedChannel> dropped_;
  std::vector<std::string> warnings_;
  MultichannelSignal signal_;
  bool preprocessed_ = false;
};

// Comma-separated list ("FP1,FP2, F3") -> names, blanks trimmed, empty entries refused.
std::vector<std::string> splitList(const std::string& text, const std::string& what);

}  // namespace neurolm::runtime
