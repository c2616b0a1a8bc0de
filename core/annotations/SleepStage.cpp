#include "core/annotations/SleepStage.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace neurolm {
namespace {

std::string lowerTrimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<SleepStage> classifySleepStage(std::string_view text) {
  std::string t = lowerTrimmed(text);
  const std::string prefix = "sleep stage";
  const bool prefixed = t.rfind(prefix, 0) == 0;
  if (prefixed) t = lowerTrimmed(std::string_view(t).substr(prefix.size()));
  // Names valid with or without the "Sleep stage" prefix (AASM).
  if (t == "w" || t == "wake") return SleepStage::Wake;
  if (t == "rem" || t == "r") return SleepStage::Rem;
  if (t == "n1") return SleepStage::N1;
  if (t == "n2") return SleepStage::N2;
  if (t == "n3") return SleepStage::N3;
  if (!prefixed) return std::nullopt;
  // R&K names: only after the prefix ("1" alone is not a stage).
  if (t == "1") return SleepStage::N1;
  if (t == "2") return SleepStage::N2;
  if (t == "3") return SleepStage::N3;
  if (t == "4" || t == "n4") return SleepStage::N4;
  if (t == "?") return SleepStage::Unscored;
  return std::nullopt;
}

int hypnogramLevel(SleepStage stage) {
  switch (stage) {
    case SleepStage::Wake:
      return 0;
    case SleepStage::Rem:
      return 1;
    case SleepStage::N1:
      return 2;
    case SleepStage::N2:
      return 3;
    case SleepStage::N3:
      return 4;
    case SleepStage::N4:
      return 5;
    case SleepStage::Unscored:
      break;
  }
  return -1;
}

const char* sleepStageName(SleepStage stage) {
  switch (stage) {
    case SleepStage::Wake:
      return "W";
    case SleepStage::Rem:
      return "REM";
    case SleepStage::N1:
      return "N1";
    case SleepStage::N2:
      return "N2";
    case SleepStage::N3:
      return "N3";
    case SleepStage::N4:
      return "N4";
    case SleepStage::Unscored:
      break;
  }
  return "?";
}

std::vector<StageEpoch> sleepStageEpochs(const std::vector<AnnotationEntry>& entries,
                                         double defaultEpochSec) {
  std::vector<StageEpoch> epochs;
  for (const AnnotationEntry& e : entries) {
    if (!e.channel.empty()) continue;  // a stage belongs to the whole recording
    if (const auto stage = classifySleepStage(e.text)) epochs.push_back({e.onsetSec, e.durationSec, *stage});
  }
  std::stable_sort(epochs.begin(), epochs.end(),
                   [](const StageEpoch& a, const StageEpoch& b) { return a.onsetSec < b.onsetSec; });
  for (std::size_t i = 0; i < epochs.size(); ++i) {
    if (epochs[i].durationSec > 0) continue;
    epochs[i].durationSec =
        i + 1 < epochs.size() ? epochs[i + 1].onsetSec - epochs[i].onsetSec : defaultEpochSec;
  }
  return epochs;
}

}  // namespace neurolm
