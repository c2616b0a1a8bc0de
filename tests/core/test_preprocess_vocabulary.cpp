// Channel vocabulary and name normalisation (spec §1.2, §8 item 12).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/TestPaths.h"
#include "core/preprocess/ChannelVocabulary.h"

using namespace neurolm;
using namespace neurolm::preprocess;

namespace {

// Signal labels straight from an EDF header (16 bytes each after the 256-byte fixed part).
std::vector<std::string> edfHeaderLabels(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string fixed(256, '\0');
  in.read(fixed.data(), 256);
  const int signals = std::stoi(fixed.substr(252, 4));
  std::string labels(static_cast<std::size_t>(signals) * 16, '\0');
  in.read(labels.data(), static_cast<std::streamsize>(labels.size()));
  EXPECT_TRUE(in.good()) << path;
  std::vector<std::string> out;
  for (int i = 0; i < signals; ++i) {
    std::string label = labels.substr(static_cast<std::size_t>(i) * 16, 16);
    while (!label.empty() && label.back() == ' ') label.pop_back();
    out.push_back(label);
  }
  return out;
}

}  // namespace

TEST(PreprocessVocabulary, EqualsTheFactsFile) {
  std::ifstream in(test::sharedDir() / "spec" / "neurolm_facts.json");
  const auto facts = nlohmann::json::parse(in);
  const auto expected = facts["channel_vocabulary_standard_1020"].get<std::vector<std::string>>();
  ASSERT_EQ(expected.size(), kVocabularySize);
  for (std::size_t i = 0; i < kVocabularySize; ++i) EXPECT_EQ(standard1020Vocabulary()[i], expected[i]) << i;
  EXPECT_EQ(facts["pad_channel_index"].get<int>(), kPadChannelIndex);
  EXPECT_EQ(vocabularyIndex("pad"), kPadChannelIndex);
}

TEST(PreprocessVocabulary, ExactCaseSensitiveLookupWithoutSynonyms) {
  EXPECT_EQ(vocabularyIndex("T3"), 88);
  EXPECT_EQ(vocabularyIndex("T7"), 37);
  EXPECT_EQ(vocabularyIndex("T5"), 89);
  EXPECT_EQ(vocabularyIndex("P7"), 59);
  EXPECT_EQ(vocabularyIndex("FTT9h"), 114);
  EXPECT_EQ(vocabularyIndex("FTT9H"), std::nullopt);
  EXPECT_EQ(vocabularyIndex("fp1"), std::nullopt);
  EXPECT_EQ(vocabularyIndex("I2"), 138);
  // the generic rule upper-cases, so the mixed-case entries can never match through it
  EXPECT_THROW(mapChannelsToVocabulary({"FTT9h"}), UnknownChannelsError);
}

TEST(PreprocessVocabulary, GenericNormaliser) {
  EXPECT_EQ(normaliseChannelName("EEG Fp1"), "FP1");
  EXPECT_EQ(normaliseChannelName("EEG FP1-REF"), "FP1");
  EXPECT_EQ(normaliseChannelName("EEG F4-M1"), "F4");
  EXPECT_EQ(normaliseChannelName("EEG T3-LE"), "T3");
  EXPECT_EQ(normaliseChannelName("C3-A2"), "C3");
  EXPECT_EQ(normaliseChannelName("Fc5."), "FC5");
  EXPECT_EQ(normaliseChannelName("Iz.."), "IZ");
  EXPECT_EQ(normaliseChannelName("T10."), "T10");
  EXPECT_EQ(normaliseChannelName("FP1-F7"), "FP1-F7");  // bipolar names keep their second electrode
  EXPECT_EQ(normaliseChannelName(" eeg Cz "), "CZ");
  EXPECT_EQ(normaliseWorkloadChannelName("EEG Fp1"), "FP1");
  EXPECT_EQ(normaliseWorkloadChannelName("EEG A2-A1"), "A2-A1");
}

TEST(PreprocessVocabulary, AllEegmmidbLabelsMap) {
  auto labels = edfHeaderLabels(test::dataDir() / "eegmmidb" / "S001" / "S001R01.edf");
  ASSERT_EQ(labels.size(), 65u);
  ASSERT_EQ(labels.back(), "EDF Annotations");
  labels.pop_back();
  EXPECT_EQ(labels.front(), "Fc5.");
  EXPECT_EQ(labels.back(), "Iz..");
  const auto indices = mapChannelsToVocabulary(labels);
  ASSERT_EQ(indices.size(), 64u);
  EXPECT_EQ(indices.front(), 27);  // FC5
  EXPECT_EQ(indices.back(), 86);   // IZ
  EXPECT_EQ(std::set<std::int32_t>(indices.begin(), indices.end()).size(), 64u);  // all distinct
  EXPECT_EQ(indices[40], 37);  // `T7..` is T7, not T3
}

TEST(PreprocessVocabulary, EegmatChannelsMapToOfficialIndices) {
  const std::vector<std::string> edf = {"EEG Fp1", "EEG Fp2", "EEG F3", "EEG F4", "EEG F7", "EEG F8", "EEG T3",
                                        "EEG T4",  "EEG C3",  "EEG C4", "EEG T5", "EEG T6", "EEG P3", "EEG P4",
                                        "EEG O1",  "EEG O2",  "EEG Fz", "EEG Cz", "EEG Pz"};
  const std::vector<std::int32_t> expected = {0, 2, 17, 21, 15, 23, 88, 90, 39, 43, 89, 91, 61, 65, 80, 82, 19, 41, 63};
  EXPECT_EQ(mapChannelsToVocabulary(edf, ChannelNameRule::Generic), expected);
  EXPECT_EQ(mapChannelsToVocabulary(edf, ChannelNameRule::Workload), expected);
  std::ifstream in(test::parityDir() / "preprocessing" / "channels.json");
  const auto channels = nlohmann::json::parse(in);
  EXPECT_EQ(channels["vocab_indices"].get<std::vector<std::int32_t>>(), expected);
  EXPECT_EQ(channels["edf_channel_names_in_order"].get<std::vector<std::string>>(), edf);
}

TEST(PreprocessVocabulary, UnknownNamesAreAllListed) {
  try {
    mapChannelsToVocabulary({"EEG Fp1", "ECG ECG", "EEG Cz", "Resp.", "EEG X9"});
    FAIL() << "unknown names accepted";
  } catch (const UnknownChannelsError& e) {
    EXPECT_EQ(e.rawNames(), (std::vector<std::string>{"ECG ECG", "Resp.", "EEG X9"}));
    EXPECT_EQ(e.normalisedNames(), (std::vector<std::string>{"ECG ECG", "RESP", "X9"}));
    const std::string message = e.what();
    EXPECT_NE(message.find("3 channel name(s)"), std::string::npos) << message;
    for (const char* name : {"'ECG ECG'", "'Resp.'", "'EEG X9'", "'X9'"})
      EXPECT_NE(message.find(name), std::string::npos) << message;
  }
}
