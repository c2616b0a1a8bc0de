// A tokenizer trained on short windows (its file records kTrainedWindowSecKey) is asked only about windows
// that long: its time embedding knows no later second. The token lane's codes then equal `neurolm tokenize`
// on those windows; without the record the lane keeps the longest window that fits (test_token_lane.cpp).
#include <gtest/gtest.h>

#include <QProcess>
#include <QStringList>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/studio/RuntimeTokenBackend.h"
#include "common/CliProcess.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "common/TokenizerRuntime.h"
#include "models/io/SafeTensors.h"
#include "models/runtime/InferenceRuntime.h"
#include "models/runtime/ModelStore.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

using test::runNeurolm;

// `neurolm init` writes a tokenizer; the record of a training window is added as the trainer writes it.
fs::path tokenizerTrainedOn(const test::TempDir& tmp, int windowSec) {
  const fs::path plain = tmp / "plain.safetensors";
  runNeurolm({"init", "--kind", "vq", "--size", "tiny", "--seed", "5", "--out", QString::fromStdString(plain.string())});
  auto file = readSafeTensors(plain, SafeTensorsLoad::Copy);
  file.metadata[runtime::kTrainedWindowSecKey] = std::to_string(windowSec);
  const fs::path out = tmp / "short.safetensors";
  writeSafeTensors(out, file.tensors, file.metadata);
  return out;
}


}  // namespace

TEST(TokenWindow, ATokenizerTrainedOnShortWindowsIsAskedOnlyAboutWindowsThatLong) {
  test::TempDir tmp("token-window");
  const fs::path vq = tokenizerTrainedOn(tmp, 5);
  const auto engine = test::tokenizerRuntime(vq);
  ASSERT_EQ(engine->tokenizerSummary()->trainedWindowSec, 5);
  app::RuntimeTokenBackend backend(engine, tmp / "cache");
  EXPECT_EQ(backend.maxWindowSec(), 5u);

  const fs::path sample = test::resourcesDir() / "sample" / "Subject00_2.edf";
  const auto grid = backend.tokenize(sample, {});
  EXPECT_EQ(grid.windowSec, 5u);  // 19 channels would fit 14 s in 276 tokens

  // The lane's codes of seconds 5-9 are the CLI's codes of the window 5:10 (codes depend on the window).
  std::istringstream lines(runNeurolm({"tokenize", QString::fromStdString(sample.string()), "--vq",
                                       QString::fromStdString(vq.string()), "--window", "5:10", "--json"}));
  bool compared = false;
  for (std::string line; std::getline(lines, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j.value("type", "") != "tokens") continue;
    const auto codes = j.at("codes").get<std::vector<std::vector<std::int64_t>>>();
    ASSERT_EQ(codes.size(), grid.channelCount());
    for (std::size_t c = 0; c < codes.size(); ++c) {
      ASSERT_EQ(codes[c].size(), 5u);
      for (std::size_t s = 0; s < 5; ++s) EXPECT_EQ(grid.code(c, 5 + s), codes[c][s]) << c << " " << s;
    }
    compared = true;
  }
  EXPECT_TRUE(compared);

  // A different window length is a different cache entry (the cached 14-s codes are not reused).
  app::RuntimeTokenBackend plain(test::tokenizerRuntime(tmp / "plain.safetensors"), tmp / "cache");
  EXPECT_EQ(plain.maxWindowSec(), 0u);
  EXPECT_NE(plain.cachePath(sample).filename(), backend.cachePath(sample).filename());
}

TEST(TokenWindow, AnUnreadableTrainingWindowRecordNamesTheFile) {
  test::TempDir tmp("token-window");
  const fs::path vq = tokenizerTrainedOn(tmp, 5);
  auto file = readSafeTensors(vq, SafeTensorsLoad::Copy);
  file.metadata[runtime::kTrainedWindowSecKey] = "eight";
  writeSafeTensors(tmp / "bad.safetensors", file.tensors, file.metadata);
  try {
    runtime::loadTokenizer(tmp / "bad.safetensors");
    FAIL() << "loaded";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("bad.safetensors"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("eight"), std::string::npos) << e.what();
  }
}
