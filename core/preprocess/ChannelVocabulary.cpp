#include "core/preprocess/ChannelVocabulary.h"

#include <algorithm>
#include <cctype>

namespace neurolm::preprocess {
namespace {

constexpr std::array<std::string_view, kVocabularySize> kStandard1020 = {
    "FP1",    "FPZ",    "FP2",    "AF9",    "AF7",    "AF5",    "AF3",    "AF1",    "AFZ",    "AF2",
    "AF4",    "AF6",    "AF8",    "AF10",   "F9",     "F7",     "F5",     "F3",     "F1",     "FZ",
    "F2",     "F4",     "F6",     "F8",     "F10",    "FT9",    "FT7",    "FC5",    "FC3",    "FC1",
    "FCZ",    "FC2",    "FC4",    "FC6",    "FT8",    "FT10",   "T9",     "T7",     "C5",     "C3",
    "C1",     "CZ",     "C2",     "C4",     "C6",     "T8",     "T10",    "TP9",    "TP7",    "CP5",
    "CP3",    "CP1",    "CPZ",    "CP2",    "CP4",    "CP6",    "TP8",    "TP10",   "P9",     "P7",
    "P5",     "P3",     "P1",     "PZ",     "P2",     "P4",     "P6",     "P8",     "P10",    "PO9",
    "PO7",    "PO5",    "PO3",    "PO1",    "POZ",    "PO2",    "PO4",    "PO6",    "PO8",    "PO10",
    "O1",     "OZ",     "O2",     "O9",     "CB1",    "CB2",    "IZ",     "O10",    "T3",     "T5",
    "T4",     "T6",     "M1",     "M2",     "A1",     "A2",     "CFC1",   "CFC2",   "CFC3",   "CFC4",
    "CFC5",   "CFC6",   "CFC7",   "CFC8",   "CCP1",   "CCP2",   "CCP3",   "CCP4",   "CCP5",   "CCP6",
    "CCP7",   "CCP8",   "T1",     "T2",     "FTT9h",  "TTP7h",  "TPP9h",  "FTT10h", "TPP8h",  "TPP10h",
    "FP1-F7", "F7-T7",  "T7-P7",  "P7-O1",  "FP2-F8", "F8-T8",  "T8-P8",  "P8-O2",  "FP1-F3", "F3-C3",
    "C3-P3",  "P3-O1",  "FP2-F4", "F4-C4",  "C4-P4",  "P4-O2",  "pad",    "I1",     "I2"};

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trimBlanks(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string joinQuoted(const std::vector<std::string>& raw, const std::vector<std::string>& normalised) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (i) out += ", ";
    out += "'" + raw[i] + "'";
    if (normalised[i] != raw[i]) out += " (as '" + normalised[i] + "')";
  }
  return out;
}

}  // namespace

const std::array<std::string_view, kVocabularySize>& standard1020Vocabulary() { return kStandard1020; }

std::optional<std::int32_t> vocabularyIndex(std::string_view exactName) {
  const auto it = std::find(kStandard1020.begin(), kStandard1020.end(), exactName);
  if (it == kStandard1020.end()) return std::nullopt;
  return static_cast<std::int32_t>(it - kStandard1020.begin());
}

UnknownChannelsError::UnknownChannelsError(std::vector<std::string> rawNames,
                                           std::vector<std::string> normalisedNames)
    : std::runtime_error(std::to_string(rawNames.size()) + " channel name(s) not in the NeuroLM standard_1020 " +
                         "vocabulary: " + joinQuoted(rawNames, normalisedNames) +
                         ". Map them explicitly or drop them; no synonyms are merged (T3 is not T7)."),
      rawNames_(std::move(rawNames)),
      normalisedNames_(std::move(normalisedNames)) {}

std::string normaliseChannelName(std::string_view rawName) {
  std::string_view s = trimBlanks(rawName);
  if (s.size() > 4 && upper(s.substr(0, 4)) == "EEG ") s = trimBlanks(s.substr(4));
  while (!s.empty() && s.back() == '.') s.remove_suffix(1);  // EEGMMIDB pads labels with dots: `Fc5.`, `Iz..`
  std::string name = upper(trimBlanks(s));
  for (std::string_view suffix : {"-REF", "-LE", "-M1", "-M2", "-A1", "-A2"}) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      name.resize(name.size() - suffix.size());
      break;
    }
  }
  return std::string(trimBlanks(name));
}

std::string normaliseWorkloadChannelName(std::string_view rawName) {
  const std::string name = upper(rawName);
  const auto lastSpace = name.rfind(' ');
  return lastSpace == std::string::npos ? name : name.substr(lastSpace + 1);
}

std::string normaliseChannelName(std::string_view rawName, ChannelNameRule rule) {
  switch (rule) {
    case ChannelNameRule::Generic:
      return normaliseChannelName(rawName);
    case ChannelNameRule::Workload:
      return normaliseWorkloadChannelName(rawName);
    case ChannelNameRule::Exact:
      break;
  }
  return std::string(rawName);
}

std::vector<std::int32_t> mapChannelsToVocabulary(const std::vector<std::string>& rawNames, ChannelNameRule rule) {
  std::vector<std::int32_t> indices;
  std::vector<std::string> unknownRaw, unknownNormalised;
  indices.reserve(rawNames.size());
  for (const auto& raw : rawNames) {
    const std::string normalised = normaliseChannelName(raw, rule);
    if (const auto index = vocabularyIndex(normalised)) {
      indices.push_back(*index);
    } else {
      unknownRaw.push_back(raw);
      unknownNormalised.push_back(normalised);
    }
  }
  if (!unknownRaw.empty()) throw UnknownChannelsError(std::move(unknownRaw), std::move(unknownNormalised));
  return indices;
}

}  // namespace neurolm::preprocess
