#pragma once
// NeuroLM model input (spec §1.3) and tokenizer training targets (spec §1.4).
// A window of A seconds × N channels at 200 Hz becomes A·N patches of 200 samples in time-major order
// (token p = a·N + n holds second a of channel n), padded to a recorded length Le.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/preprocess/MultichannelSignal.h"

namespace neurolm::preprocess {

inline constexpr std::size_t kSamplesPerPatch = 200;  // 1 s at 200 Hz
inline constexpr std::size_t kMaxWindowSec = 64;      // rows of the tokenizer's time embedding
inline constexpr std::size_t kInstructionPaddedLength = 276;  // eeg_max_len of instruction tuning / evaluation
inline constexpr std::size_t kPretrainPaddedLength = 1024;    // block_size of tokenizer training / pre-training
inline constexpr double kModelInputScaleUv = 100.0;           // model input = µV / 100

struct PatchGrid {
  std::size_t channelCount = 0;   // N
  std::size_t windowSec = 0;      // A
  std::size_t paddedLength = 0;   // Le
  std::vector<float> patches;             // [Le, 200] row-major, µV/100 (computed in float64, rounded to float32)
  std::vector<std::int32_t> inputChans;   // [Le] vocabulary index; 136 (`pad`) for padding
  std::vector<std::int32_t> inputTime;    // [Le] second of the patch; 0 for padding
  std::vector<std::uint8_t> inputMask;    // [Le] 1 for real tokens, 0 for padding

  std::size_t realTokenCount() const { return channelCount * windowSec; }
  std::span<const float> patch(std::size_t token) const {
    return std::span<const float>(patches).subspan(token * kSamplesPerPatch, kSamplesPerPatch);
  }
};

// Cuts [startSample, startSample + windowSec·200) of a 200-Hz signal. channelVocabIndices gives the vocabulary
// index of each signal row (see ChannelVocabulary.h). Throws std::invalid_argument naming the limit and the value:
// windowSec must be 1…64, windowSec·N ≤ paddedLength, the window must lie inside the signal, the rate must be
// 200 Hz, indices must lie in the vocabulary.
PatchGrid makePatchGrid(const MultichannelSignal& signal200Hz, std::span<const std::int32_t> channelVocabIndices,
                        std::size_t startSample, std::size_t windowSec, std::size_t paddedLength);

// Tokenizer-training targets of the real patches (official PickleLoader, GPT_training=False):
// Y_raw = std_norm(x), Y_freq = std_norm(|DFT200(x)|)[:, 0:100], each with ONE mean and ONE unbiased std over
// the whole [P, 200] matrix. Rows P…Le−1 are zero.
struct TokenizerTargets {
  std::size_t paddedLength = 0;
  std::size_t realTokenCount = 0;
  std::vector<float> yRaw;   // [Le, 200]
  std::vector<float> yFreq;  // [Le, 100]
  // The one mean and std of Y_freq's standardisation: over all P·200 amplitudes |DFT200(x)| of the window, in
  // the model's units (x in µV / 100), so Y_freq · freqStd + freqMean gives the amplitudes back.
  double freqMean = 0, freqStd = 1;
};

TokenizerTargets makeTokenizerTargets(const PatchGrid& grid);

}  // namespace neurolm::preprocess
