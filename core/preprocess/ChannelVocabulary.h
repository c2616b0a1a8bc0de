#pragma once
// NeuroLM's channel vocabulary (official dataset.py `standard_1020`, spec §1.2): channel embeddings are indexed
// by a name's position in this list. Lookup is exact and case-sensitive, like the official `list.index`.
#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace neurolm::preprocess {

inline constexpr std::size_t kVocabularySize = 139;
inline constexpr std::int32_t kPadChannelIndex = 136;  // `pad`: channel index of padding tokens

const std::array<std::string_view, kVocabularySize>& standard1020Vocabulary();

// Exact, case-sensitive position of name in the vocabulary; nullopt if absent.
std::optional<std::int32_t> vocabularyIndex(std::string_view exactName);

// Names that did not map, all of them, in input order (raw and normalised forms).
class UnknownChannelsError : public std::runtime_error {
 public:
  UnknownChannelsError(std::vector<std::string> rawNames, std::vector<std::string> normalisedNames);
  const std::vector<std::string>& rawNames() const { return rawNames_; }
  const std::vector<std::string>& normalisedNames() const { return normalisedNames_; }

 private:
  std::vector<std::string> rawNames_;
  std::vector<std::string> normalisedNames_;
};

// Generic rule for any recording (spec §1.2 / §8 item 12): strip a leading `EEG `, trailing dots, one reference
// suffix (-REF, -LE, -M1, -M2, -A1, -A2) and surrounding blanks; upper-case. No synonym merging (T3 ≠ T7).
std::string normaliseChannelName(std::string_view rawName);

// Official Workload (EEGMAT) rule: upper-case, keep the text after the last space (`EEG Fp1` -> `FP1`).
std::string normaliseWorkloadChannelName(std::string_view rawName);

enum class ChannelNameRule { Generic, Workload, Exact };

std::string normaliseChannelName(std::string_view rawName, ChannelNameRule rule);

// Vocabulary index of every raw name under the rule; throws UnknownChannelsError listing every name that does
// not map (never a silent drop or remap).
std::vector<std::int32_t> mapChannelsToVocabulary(const std::vector<std::string>& rawNames,
                                                  ChannelNameRule rule = ChannelNameRule::Generic);

}  // namespace neurolm::preprocess
