// Sleep-stage texts of R&K (Sleep-EDF hypnograms) and AASM scorings, and the epochs a hypnogram draws.
#include <gtest/gtest.h>

#include "core/annotations/SleepStage.h"

using namespace neurolm;

TEST(SleepStage, RechtschaffenKalesAndAasmNames) {
  const std::vector<std::pair<const char*, SleepStage>> known = {{"Sleep stage W", SleepStage::Wake},
                                                                 {"Sleep stage 1", SleepStage::N1},
                                                                 {"Sleep stage 2", SleepStage::N2},
                                                                 {"Sleep stage 3", SleepStage::N3},
                                                                 {"Sleep stage 4", SleepStage::N4},
                                                                 {"Sleep stage R", SleepStage::Rem},
                                                                 {"Sleep stage ?", SleepStage::Unscored},
                                                                 {"sleep stage n2", SleepStage::N2},
                                                                 {"SLEEP STAGE REM", SleepStage::Rem},
                                                                 {"  Sleep stage N3 ", SleepStage::N3},
                                                                 {"W", SleepStage::Wake},
                                                                 {"wake", SleepStage::Wake},
                                                                 {"N1", SleepStage::N1},
                                                                 {"n2", SleepStage::N2},
                                                                 {"N3", SleepStage::N3},
                                                                 {"REM", SleepStage::Rem},
                                                                 {"rem", SleepStage::Rem}};
  for (const auto& [text, stage] : known) {
    const auto got = classifySleepStage(text);
    ASSERT_TRUE(got.has_value()) << text;
    EXPECT_EQ(*got, stage) << text;
  }
  for (const char* other : {"Movement time", "Lights off", "1", "4", "?", "N5", "Sleep stage 5",
                            "Sleep stage", "stage 2", "REM sleep onset", "", "Sleep stage W2"}) {
    EXPECT_FALSE(classifySleepStage(other).has_value()) << other;
  }
}

TEST(SleepStage, HypnogramLevelsRunFromWakeToDeepSleep) {
  EXPECT_EQ(hypnogramLevel(SleepStage::Wake), 0);
  EXPECT_EQ(hypnogramLevel(SleepStage::Rem), 1);
  EXPECT_EQ(hypnogramLevel(SleepStage::N1), 2);
  EXPECT_EQ(hypnogramLevel(SleepStage::N3), 4);
  EXPECT_EQ(hypnogramLevel(SleepStage::N4), 5);
  EXPECT_EQ(hypnogramLevel(SleepStage::Unscored), -1);
  EXPECT_STREQ(sleepStageName(SleepStage::Rem), "REM");
}

TEST(SleepStage, EpochsAreSortedAndLastUntilTheNextStage) {
  std::vector<AnnotationEntry> entries;
  entries.push_back({0, 90, 0, "Sleep stage 2", "", AnnotationSource::File});
  entries.push_back({0, 0, 30, "Sleep stage W", "", AnnotationSource::File});
  entries.push_back({0, 30, 0, "Lights off", "", AnnotationSource::File});     // not a stage
  entries.push_back({0, 40, 0, "N1", "", AnnotationSource::File});             // no duration: until 90
  entries.push_back({0, 60, 30, "N2", "EEG Fpz-Cz", AnnotationSource::User});  // channel-linked: ignored
  entries.push_back({0, 120, 0, "REM", "", AnnotationSource::User});           // last, no duration: 30 s
  const auto epochs = sleepStageEpochs(entries);
  ASSERT_EQ(epochs.size(), 4u);
  EXPECT_EQ(epochs[0].stage, SleepStage::Wake);
  EXPECT_DOUBLE_EQ(epochs[0].durationSec, 30);
  EXPECT_EQ(epochs[1].stage, SleepStage::N1);
  EXPECT_DOUBLE_EQ(epochs[1].durationSec, 50);
  EXPECT_EQ(epochs[2].stage, SleepStage::N2);
  EXPECT_DOUBLE_EQ(epochs[2].durationSec, 30);  // 90 -> next at 120
  EXPECT_EQ(epochs[3].stage, SleepStage::Rem);
  EXPECT_DOUBLE_EQ(epochs[3].onsetSec, 120);
  EXPECT_DOUBLE_EQ(epochs[3].durationSec, 30);
}
