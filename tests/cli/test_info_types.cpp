#include <gtest/gtest.h>

#include "cli/CliRun.h"
#include "common/TestPaths.h"

using namespace neurolm;

// EEGMAT: 19 EEG electrodes, the A2-A1 reference (EEG) and 'ECG ECG' in mV; EEGMMIDB: 64 bare electrode
// names.
TEST(InfoTypes, JsonCarriesTheTypeOfEveryChannel) {
  const auto r = test::runCli({"info", (test::dataDir() / "eegmat" / "Subject00_1.edf").string(), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["channels"].size(), 21u);
  for (const auto& c : j["channels"]) {
    EXPECT_EQ(c["type"], c["label"] == "ECG ECG" ? "ecg" : "eeg") << c["label"];
  }
  const auto m =
      test::runCli({"info", (test::dataDir() / "eegmmidb" / "S002" / "S002R03.edf").string(), "--json"});
  ASSERT_EQ(m.code, 0) << m.err;
  const auto jm = nlohmann::json::parse(m.out);
  ASSERT_EQ(jm["channels"].size(), 64u);
  for (const auto& c : jm["channels"]) EXPECT_EQ(c["type"], "eeg") << c["label"];
}

TEST(InfoTypes, TextTableAndHelpShowTheType) {
  const auto r = test::runCli({"info", (test::dataDir() / "eegmat" / "Subject00_1.edf").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("ECG ECG            ecg          mV"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("EEG Fp1            eeg          uV"), std::string::npos) << r.out;
  const auto help = test::runCli({"info", "--help"});
  EXPECT_NE(help.out.find("type: what the channel measures"), std::string::npos);
}
