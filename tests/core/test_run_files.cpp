// Finding the tokenizer of a finished run (core/jobs/RunFiles) from the configs the trainer stored. Runs
// started with a relative config path (the embedded recipe: `neurolm train 3-instruct.json` in its folder)
// stored "tokenizer" / "init_model" relative to that folder; the lookup must find them from any working
// directory, by taking the stored relative run_dir off the run folder.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/TempDir.h"
#include "core/jobs/RunFiles.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

void writeRun(const fs::path& dir, const nlohmann::json& config) {
  fs::create_directories(dir);
  std::ofstream(dir / "config.json") << config.dump();
  std::ofstream(dir / "model.safetensors") << "x";
}

}  // namespace

TEST(RunFiles, RelativePathsStoredByARunStartedElsewhereResolveAgainstItsStartFolder) {
  test::TempDir tmp("runfiles");
  const fs::path recipe = tmp.path() / "recipe";
  writeRun(recipe / "runs" / "1-tok", {{"stage", "vq"}, {"run_dir", "runs/1-tok"}});
  writeRun(recipe / "runs" / "2-pre",
           {{"stage", "pretrain"}, {"run_dir", "runs/2-pre"}, {"tokenizer", "runs/1-tok/model.safetensors"}});
  writeRun(recipe / "runs" / "3-ins",
           {{"stage", "instruct"}, {"run_dir", "./runs//3-ins/"}, {"init_model", "runs/2-pre/model.safetensors"}});
  // The working directory is the test's, not the recipe folder: a lookup relative to it would fail.
  ASSERT_FALSE(fs::exists("runs/1-tok/model.safetensors"));
  const auto found = jobs::findRunTokenizer(recipe / "runs" / "3-ins" / "model.safetensors");
  ASSERT_TRUE(found.path) << found.note;
  EXPECT_EQ(fs::weakly_canonical(*found.path), fs::weakly_canonical(recipe / "runs" / "1-tok" / "model.safetensors"));
  EXPECT_NE(found.note.find("init_model"), std::string::npos) << found.note;
  EXPECT_EQ(jobs::runStage(recipe / "runs" / "3-ins" / "model.safetensors"), "instruct");

  // Absolute stored paths are taken as they are.
  writeRun(tmp.path() / "abs", {{"stage", "instruct"},
                               {"run_dir", (tmp.path() / "abs").string()},
                               {"tokenizer", (recipe / "runs" / "1-tok" / "model.safetensors").string()}});
  const auto absolute = jobs::findRunTokenizer(tmp.path() / "abs" / "model.safetensors");
  ASSERT_TRUE(absolute.path) << absolute.note;
  EXPECT_EQ(*absolute.path, recipe / "runs" / "1-tok" / "model.safetensors");
}

TEST(RunFiles, AMovedRunWhoseFolderNoLongerEndsWithItsRunDirSaysWhichFileIsMissing) {
  test::TempDir tmp("runfiles");
  writeRun(tmp.path() / "moved" / "elsewhere",
           {{"stage", "pretrain"}, {"run_dir", "runs/2-pre"}, {"tokenizer", "runs/1-tok/model.safetensors"}});
  const auto found = jobs::findRunTokenizer(tmp.path() / "moved" / "elsewhere" / "model.safetensors");
  EXPECT_FALSE(found.path);
  EXPECT_NE(found.note.find("runs/1-tok/model.safetensors"), std::string::npos) << found.note;
  EXPECT_NE(found.note.find("does not exist"), std::string::npos) << found.note;
}
