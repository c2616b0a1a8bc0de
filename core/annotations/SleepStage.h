#pragma once
// Sleep stages read from annotation texts, for the hypnogram of the overview strip.
//
// Recognised (case-insensitive, surrounding spaces ignored):
//   R&K, as PhysioNet's Sleep-EDF hypnograms: "Sleep stage W", "Sleep stage 1" .. "Sleep stage 4",
//     "Sleep stage R", "Sleep stage ?" (not scored)
//   AASM: "W", "N1", "N2", "N3", "REM", also "Wake", "R", and with the prefix: "Sleep stage N1", "Sleep stage
//     REM", ...
// Anything else ("Movement time", "Lights off", "1" without the prefix) is not a stage.
#include <optional>
#include <string_view>
#include <vector>

#include "core/annotations/AnnotationDocument.h"

namespace neurolm {

enum class SleepStage { Wake, Rem, N1, N2, N3, N4, Unscored };

std::optional<SleepStage> classifySleepStage(std::string_view text);

// Hypnogram row of a stage, top to bottom: W 0, REM 1, N1 2, N2 3, N3 4, N4 (R&K stage 4) 5; unscored -1.
int hypnogramLevel(SleepStage stage);
inline constexpr int kHypnogramLevels = 6;
const char* sleepStageName(SleepStage stage);  // "W", "REM", "N1", "N2", "N3", "N4", "?"

struct StageEpoch {
  double onsetSec = 0;
  double durationSec = 0;
  SleepStage stage = SleepStage::Unscored;
};

// The stage annotations of a list, sorted by onset. An epoch without a duration lasts until the next stage
// epoch (the last one: `defaultEpochSec`, 30 s as scored epochs).
std::vector<StageEpoch> sleepStageEpochs(const std::vector<AnnotationEntry>& entries,
                                         double defaultEpochSec = 30);

}  // namespace neurolm
