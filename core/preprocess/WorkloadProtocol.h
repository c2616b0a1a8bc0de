#pragma once
// The official Workload (EEGMAT) protocol (spec §1.5): 19 channels in a fixed order, whole-recording
// preprocessing, then the last 60 s cut into 29 windows of 4 s with a 2-s hop.
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/preprocess/MultichannelSignal.h"
#include "core/preprocess/NeuroLmPreprocess.h"

namespace neurolm::preprocess {

inline constexpr std::size_t kWorkloadChannelCount = 19;
inline constexpr std::size_t kWorkloadBlockSec = 60;
inline constexpr std::size_t kWorkloadWindowSec = 4;
inline constexpr std::size_t kWorkloadHopSec = 2;
inline constexpr std::size_t kWorkloadWindowCount = 29;  // (60 − 4) / 2 + 1

// EDF labels in the official model order.
const std::array<std::string_view, kWorkloadChannelCount>& workloadEdfChannelOrder();

// The official maker's options: those 19 channels, 0.1–75 Hz, 50 Hz notch, 200 Hz.
PreprocessOptions workloadPreprocessOptions();

// Windows of the last 60 s of a preprocessed 200-Hz recording: window i = samples [400·i, 400·i + 800) of the
// block, each a [19 or N, 800] signal with the input's names. Throws std::invalid_argument naming the length
// found when the recording is shorter than 60 s or not at 200 Hz.
std::vector<MultichannelSignal> workloadWindows(const MultichannelSignal& preprocessed200Hz);

}  // namespace neurolm::preprocess
