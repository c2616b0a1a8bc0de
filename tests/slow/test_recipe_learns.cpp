// The embedded model's recipe (models/recipes/embedded/run.sh) retrained from scratch still learns: all of its
// stages on the real EEGMAT data, in a temporary copy of the recipe folder, then the Workload metrics of the
// int8 file on the validation subjects 26-30, whom nothing in the run has seen. About 45 minutes on 2 cores, so
// it is registered only with -DNEUROLM_SLOW_TESTS=ON (label `slow`: `ctest -L slow`); CI's 45-minute budget
// does not hold it next to the other tests.
//
// The bar and why: AUROC of the option probabilities >= 0.62 and balanced accuracy >= 0.60 on the 290
// validation windows. A model that does not read the EEG answers every window alike; the runs of
// models/recipes/EXPERIMENTS.md that failed that way scored AUROC 0.52-0.57 and balanced accuracy 0.500, while
// the previously shipped run scored 0.714 / 0.690 and the present one 0.759 / 0.714. With 145 windows per class the AUROC of a ranker that ignores the EEG
// has a standard deviation of about 0.034 (windows treated as independent), so 0.62 is ~3.5 standard
// deviations above chance; windows of one subject are correlated, which is why the bar is not lower.
// Whether the new weights are byte-identical to resources/model/neurolm.safetensors is printed, not asserted:
// run.sh pins the CPU kernels (AVX2) and thread counts for that, but a different BLAS or LibTorch build breaks it.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "common/TempDir.h"
#include "common/TestPaths.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST(RecipeLearns, TheEmbeddedRecipeRetrainedBeatsChanceOnUnseenWorkloadSubjects) {
  neurolm::test::TempDir tmp("recipe-learns");
  // The recipe's dataset roots are relative (../../../../../shared/data/...): the same depth here.
  const fs::path recipe = tmp.path() / "main" / "models" / "recipes" / "embedded";
  fs::create_directories(recipe);
  for (const auto& entry :
       fs::directory_iterator(neurolm::test::testsDir().parent_path() / "models" / "recipes" / "embedded"))
    if (entry.path().filename() != "runs")  // a developer's earlier runs are neither copied nor reused
      fs::copy(entry.path(), recipe / entry.path().filename(), fs::copy_options::recursive);
  fs::create_directory_symlink(fs::absolute(neurolm::test::sharedDir()), tmp.path() / "shared");

  const std::string command = "sh '" + (recipe / "run.sh").string() + "' '" +
                              (neurolm::test::binDir() / "neurolm").string() + "' > '" +
                              (tmp.path() / "recipe.log").string() + "' 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_EQ(status, 0) << bytes(tmp.path() / "recipe.log");
  std::printf("%s", bytes(tmp.path() / "recipe.log").c_str());

  std::ifstream in(recipe / "runs" / "5-eval" / "metrics.json");
  const auto metrics = json::parse(in);
  EXPECT_EQ(metrics["windows"].get<int>(), 290);
  const auto& p = metrics["from_option_probabilities"];
  const double auroc = p["roc_auc"].get<double>(), balanced = p["balanced_accuracy"].get<double>();
  const bool identical = bytes(recipe / "runs" / "neurolm.safetensors") ==
                         bytes(neurolm::test::resourcesDir() / "model" / "neurolm.safetensors");
  std::printf("[ measured ] retrained recipe, Workload subjects 26-30: AUROC %.3f, balanced accuracy %.3f, "
              "ECE %.3f; weights %s the shipped file\n",
              auroc, balanced, p["ece"].get<double>(), identical ? "byte-identical to" : "differ from");
  EXPECT_GE(auroc, 0.62);
  EXPECT_GE(balanced, 0.60);
}
