#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/cli/Cli.h"
#include "common/TestPaths.h"

using namespace neurolm;
namespace fs = std::filesystem;

TEST(CliInfo, JsonDescribesTheRepairedEegmmidbFile) {
  std::ostringstream out, err;
  const auto file = test::dataDir() / "eegmmidb" / "S001" / "S001R04.edf";
  ASSERT_EQ(cli::run({"info", file.string(), "--json"}, out, err), 0) << err.str();
  const auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["format"], "EDF+C");
  EXPECT_EQ(j["channels"].size(), 64u);
  EXPECT_EQ(j["channels"][0]["label"], "Fc5.");
  EXPECT_DOUBLE_EQ(j["channels"][0]["sample_rate_hz"].get<double>(), 160.0);
  EXPECT_DOUBLE_EQ(j["duration_sec"].get<double>(), 125.0);
  EXPECT_EQ(j["annotations"].size(), 30u);
  EXPECT_EQ(j["annotations"][0]["text"], "T0");  // every run starts at rest (T0, 4.2 s)
  EXPECT_NEAR(j["annotations"][0]["duration_sec"].get<double>(), 4.2, 1e-9);
  EXPECT_NEAR(j["annotations"][1]["onset_sec"].get<double>(), 4.2, 1e-9);
  for (const auto& a : j["annotations"]) {
    const auto t = a["text"].get<std::string>();
    EXPECT_TRUE(t == "T0" || t == "T1" || t == "T2") << t;
  }
  bool crlf = false;
  for (const auto& r : j["repair_report"]["repairs"]) crlf = crlf || r.get<std::string>().find("text-mode copy") != std::string::npos;
  EXPECT_TRUE(crlf);
}

TEST(CliInfo, TextOutputHasHeaderChannelsAndReport) {
  std::ostringstream out, err;
  ASSERT_EQ(cli::run({"info", (test::resourcesDir() / "sample" / "Subject00_2.edf").string()}, out, err), 0);
  const std::string s = out.str();
  EXPECT_NE(s.find("format:     EDF+C"), std::string::npos) << s;
  EXPECT_NE(s.find("duration:   62 s"), std::string::npos) << s;
  EXPECT_NE(s.find("EEG Fp1"), std::string::npos);
  EXPECT_NE(s.find("EDFlib 1.23 accepted the file"), std::string::npos);
}

TEST(CliInfo, EveryNonRecordingFileInSharedDataIsRefusedWithItsName) {
  int refused = 0;
  for (const auto& e : fs::recursive_directory_iterator(test::dataDir())) {
    if (!e.is_regular_file() || e.path().extension() == ".edf") continue;
    std::ostringstream out, err;
    EXPECT_EQ(cli::run({"info", e.path().string()}, out, err), 1) << e.path();
    EXPECT_NE(err.str().find(e.path().string()), std::string::npos) << err.str();
    EXPECT_TRUE(err.str().find("not an EDF/BDF file") != std::string::npos ||
                err.str().find("bytes; an EDF/BDF header needs") != std::string::npos)
        << err.str();
    ++refused;
  }
  EXPECT_GE(refused, 10);
}

TEST(CliInfo, UsageErrors) {
  std::ostringstream out, err;
  EXPECT_EQ(cli::run({"info"}, out, err), 2);
  EXPECT_EQ(cli::run({"info", "a.edf", "--bogus"}, out, err), 2);
  EXPECT_EQ(cli::run({"info", "/nonexistent/x.edf"}, out, err), 1);
  EXPECT_NE(err.str().find("/nonexistent/x.edf: file not found"), std::string::npos) << err.str();
}
