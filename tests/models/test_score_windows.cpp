// InferenceRuntime::scoreWindows (the whole-recording path): windows batched through GPT-2 give the option
// probabilities that ask() gives one window at a time, on a real EEGMAT recording and a `neurolm init` model;
// cancel stops between batches; a task's calibrated temperature applies.
#include <gtest/gtest.h>

#include <cmath>

#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "models/runtime/EegWindows.h"
#include "models/runtime/InferenceRuntime.h"
#include "models/runtime/ModelInit.h"
#include "models/runtime/ModelStore.h"

using namespace neurolm;
using namespace neurolm::runtime;

namespace {

constexpr const char* kWorkloadPrompt = "Question: Is this EEG segment of high workload? Answer:";
// Two one-token options and a three-token one (the batched continuation path).
const std::vector<std::string> kChoices = {" Yes", " No", " maybe not sure"};

// A tiny random model with a calibrated workload task (T = 2.5) in its metadata.
const std::filesystem::path& modelPath() {
  static test::TempDir dir("score-windows");
  static const auto path = [] {
    const auto raw = dir / "raw.safetensors";
    initRandomModel({"neurolm", "tiny", 7, raw});
    auto lm = loadNeuroLm(raw);
    ModelTask task;
    task.name = "workload";
    task.prompt = kWorkloadPrompt;
    task.options = {" Yes", " No"};
    task.temperature = 2.5;
    saveNeuroLm(*lm.model, dir / "lm.safetensors", {task});
    return dir / "lm.safetensors";
  }();
  return path;
}

InferenceRuntime& engine() {
  static InferenceRuntime rt([] {
    RuntimeOptions o;
    o.neuroLmPath = modelPath();
    o.bpeDir = test::resourcesDir() / "tokenizer" / "gpt2";
    o.device = "cpu";
    return o;
  }());
  return rt;
}

// Seven 4-s windows every 3 s of a real EEGMAT recording (19 channels, 76 real tokens, 276 padded).
const std::vector<preprocess::PatchGrid>& windows() {
  static const auto w = [] {
    const auto source = EegSource::openRecording(test::dataDir() / "eegmat" / "Subject01_1.edf");
    std::vector<preprocess::PatchGrid> out;
    for (const auto& range : slidingWindows({10, 40}, 4, 3)) {
      if (out.size() == 7) break;
      out.push_back(source.window(range, 276));
    }
    return out;
  }();
  return w;
}

AskOptions scoreOnly(const std::vector<std::string>& choices) {
  AskOptions o;
  o.maxNewTokens = 1;
  o.choices = choices;
  return o;
}

}  // namespace

TEST(ScoreWindows, EveryBatchSizeGivesTheOneWindowAskProbabilities) {
  ASSERT_EQ(windows().size(), 7u);
  std::vector<AskResult> single;
  for (const auto& w : windows())
    single.push_back(engine().ask(w, kWorkloadPrompt, scoreOnly(kChoices)).get());
  // The windows differ, so a batch that mixed them up would be caught.
  EXPECT_GT(std::abs(single[0].choices[0].logProb - single[1].choices[0].logProb), 1e-6);
  for (int batch : {1, 3, 8}) {
    std::vector<std::pair<size_t, size_t>> progress;
    const auto r = engine()
                       .scoreWindows(windows(), kWorkloadPrompt, kChoices, batch,
                                     [&](size_t done, size_t total) {
                                       progress.emplace_back(done, total);
                                       return true;
                                     })
                       .get();
    ASSERT_EQ(r.windows.size(), 7u) << "batch " << batch;
    EXPECT_FALSE(r.cancelled);
    EXPECT_DOUBLE_EQ(r.optionTemperature, 1.0);  // the task's options differ (three here): not calibrated
    for (size_t w = 0; w < 7; ++w) {
      ASSERT_EQ(r.windows[w].probability.size(), 3u);
      for (size_t c = 0; c < 3; ++c) {
        EXPECT_NEAR(r.windows[w].probability[c], single[w].choices[c].probability, 1e-5)
            << "batch " << batch << " window " << w << " option " << c;
        EXPECT_NEAR(r.windows[w].logProb[c], single[w].choices[c].logProb, 1e-4);
      }
      EXPECT_EQ(r.windows[w].bestChoice, single[w].bestChoice);
    }
    // One progress call per batch: ceil(7 / batch) calls ending at 7 of 7.
    EXPECT_EQ(progress.size(), static_cast<size_t>((7 + batch - 1) / batch)) << "batch " << batch;
    EXPECT_EQ(progress.back(), std::make_pair(size_t{7}, size_t{7}));
  }
}

TEST(ScoreWindows, TheTaskTemperatureOfTheModelMetadataApplies) {
  const std::vector<std::string> choices = {" No", " Yes"};  // the task's options, in another order
  const auto r = engine().scoreWindows(windows(), kWorkloadPrompt, choices, 4).get();
  ASSERT_EQ(r.windows.size(), 7u);
  EXPECT_DOUBLE_EQ(r.optionTemperature, 2.5);
  for (size_t w = 0; w < 7; ++w) {
    const auto& s = r.windows[w];
    // softmax(logProb / 2.5), computed here from the log-probabilities
    const double a = std::exp(s.logProb[0] / 2.5), b = std::exp(s.logProb[1] / 2.5);
    EXPECT_NEAR(s.probability[0], a / (a + b), 1e-9);
    EXPECT_NEAR(s.probability[1], b / (a + b), 1e-9);
    const auto one = engine().ask(windows()[w], kWorkloadPrompt, scoreOnly(choices)).get();
    EXPECT_DOUBLE_EQ(one.optionTemperature, 2.5);
    EXPECT_NEAR(s.probability[1], one.choices[1].probability, 1e-5);
  }
}

TEST(ScoreWindows, CancelStopsBetweenBatchesAndKeepsTheScoredWindows) {
  RequestId id = 0;
  std::vector<size_t> seen;
  auto future = engine().scoreWindows(
      windows(), kWorkloadPrompt, kChoices, 3,
      [&](size_t done, size_t) {
        seen.push_back(done);
        if (done == 3) engine().cancel(id);  // after the first batch of three
        return true;
      },
      &id);
  const auto r = future.get();
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ(r.windows.size(), 3u);
  EXPECT_EQ(seen, std::vector<size_t>{3});
  // The progress callback returning false stops the same way.
  const auto stopped =
      engine()
          .scoreWindows(windows(), kWorkloadPrompt, kChoices, 2, [](size_t done, size_t) { return done < 4; })
          .get();
  EXPECT_TRUE(stopped.cancelled);
  EXPECT_EQ(stopped.windows.size(), 4u);
}

TEST(ScoreWindows, BadArgumentsAreNamed) {
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(message([] {
              engine().scoreWindows(windows(), kWorkloadPrompt, kChoices, 0).get();
            }).find("batch size must be >= 1, got 0"),
            std::string::npos);
  EXPECT_NE(
      message([] { engine().scoreWindows(windows(), kWorkloadPrompt, {}, 4).get(); }).find("answer option"),
      std::string::npos);
}
