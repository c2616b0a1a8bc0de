// `neurolm ask` with the parity NeuroLM (official fixture checkpoint) on the parity window and the sample.
#include <gtest/gtest.h>

#include <fstream>

#include "CliRun.h"
#include "common/TestPaths.h"
#include "core/io/Npy.h"

using namespace neurolm;
using test::runCli;

namespace {

const std::string kChannels = "FP1,FP2,F3,F4,F7,F8,T3,T4,C3,C4,T5,T6,P3,P4,O1,O2,FZ,CZ,PZ";
const std::string kPrompt = "Question: Is this EEG segment of high workload? Answer:";
std::string lm() { return (test::parityDir() / "neurolm" / "ckpt.pt").string(); }
std::string vq() { return (test::parityDir() / "vq" / "ckpt.pt").string(); }
std::string sample() { return (test::resourcesDir() / "sample" / "Subject00_2.edf").string(); }
std::string parityNpy() { return (test::parityDir() / "vq" / "window_scaled_f32.npy").string(); }

std::vector<int64_t> ids(const char* file) { return readNpy(test::parityDir() / "neurolm" / file).toInt64(); }

nlohmann::json outputs() {
  std::ifstream in(test::parityDir() / "neurolm" / "outputs.json");
  return nlohmann::json::parse(in);
}

void expectStepLogits(const nlohmann::json& answer, const nlohmann::json& reference) {
  const auto got = answer["step_top_logits"].get<std::vector<double>>();
  ASSERT_EQ(got.size(), reference["steps"].size());
  for (std::size_t s = 0; s < got.size(); ++s)
    EXPECT_NEAR(got[s], reference["steps"][s]["top5_logits"][0].get<double>(), 1e-3) << "step " << s;
}

}  // namespace

TEST(CliAsk, ParityNeuroLmOnTheParityWindowGivesTheCorrectGreedyIds) {
  const auto r = runCli({"ask", parityNpy(), "--channels", kChannels, "--model", lm(), "--window", "0:4",
                         "--json", "--json-tokens", kPrompt});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto answers = r.linesOfType("answer");
  ASSERT_EQ(answers.size(), 1u);
  const auto& a = answers[0];
  const auto ref = ids("generate_causal_greedy_ids.npy");
  EXPECT_EQ(a["prompt_ids"].get<std::vector<int64_t>>(), std::vector<int64_t>(ref.begin(), ref.begin() + 13));
  EXPECT_EQ(a["answer_ids"].get<std::vector<int64_t>>(), std::vector<int64_t>(ref.begin() + 13, ref.end()));
  EXPECT_EQ(a["answer"], "44444");
  EXPECT_EQ(a["mode"], "greedy");
  expectStepLogits(a, outputs()["generate_causal_greedy"]);
  // Workload prompt: the options default to " Yes"/" No", probabilities summing to one.
  ASSERT_EQ(a["options"].size(), 2u);
  EXPECT_EQ(a["options"][0]["text"], " Yes");
  EXPECT_EQ(a["options"][0]["ids"], (nlohmann::json{3363}));
  EXPECT_NEAR(a["options"][0]["probability"].get<double>() + a["options"][1]["probability"].get<double>(), 1,
              1e-9);
  // Tokens were streamed before the answer line, in order.
  const auto lines = r.lines();
  ASSERT_EQ(lines.size(), 1u + 5u + 1u);
  for (int s = 0; s < 5; ++s) {
    EXPECT_EQ(lines[1 + s]["type"], "token");
    EXPECT_EQ(lines[1 + s]["step"], s);
    EXPECT_EQ(lines[1 + s]["id"], ref[13 + s]);
  }
  EXPECT_EQ(lines.back()["type"], "answer");
}

TEST(CliAsk, OfficialGenerateSwitchReproducesTheOfficialDecode) {
  const auto r = runCli({"ask", parityNpy(), "--channels", kChannels, "--model", lm(), "--window", "0:4",
                         "--json", "--official-generate", kPrompt});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto a = r.linesOfType("answer").at(0);
  const auto ref = ids("generate_official_ids.npy");
  EXPECT_EQ(a["answer_ids"].get<std::vector<int64_t>>(), std::vector<int64_t>(ref.begin() + 13, ref.end()));
  EXPECT_EQ(a["mode"], "official");
  expectStepLogits(a, outputs()["generate_official"]);  // differs from the greedy logits by ~5e-3 at step 1
}

TEST(CliAsk, SampleRecordingWindowTwoToSixEqualsTheParityWindow) {
  const auto fromEdf =
      runCli({"ask", sample(), "--model", lm(), "--vq", vq(), "--window", "2:6", "--json", kPrompt});
  const auto fromNpy = runCli(
      {"ask", parityNpy(), "--channels", kChannels, "--model", lm(), "--window", "0:4", "--json", kPrompt});
  ASSERT_EQ(fromEdf.code, 0) << fromEdf.err;
  ASSERT_EQ(fromNpy.code, 0) << fromNpy.err;
  const auto a = fromEdf.linesOfType("answer").at(0), b = fromNpy.linesOfType("answer").at(0);
  EXPECT_EQ(a["answer_ids"], b["answer_ids"]);
  EXPECT_NEAR(a["options"][0]["log_prob"].get<double>(), b["options"][0]["log_prob"].get<double>(), 1e-4);
  const auto codes = readNpy(test::parityDir() / "vq" / "codes.npy").toInt64();
  EXPECT_EQ(a["codes_flat"].get<std::vector<int64_t>>(),
            std::vector<int64_t>(codes.begin(), codes.begin() + 76));
}

TEST(CliAsk, WindowsOverARangeGiveOneAnswerLineEach) {
  const auto r = runCli({"ask", sample(), "--model", lm(), "--windows", "4:2", "--range", "2:12", "--json",
                         "--max-new-tokens", "2", kPrompt});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto answers = r.linesOfType("answer");
  ASSERT_EQ(answers.size(), 4u);
  const double starts[] = {2, 4, 6, 8};
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(answers[k]["window"], (nlohmann::json{starts[k], starts[k] + 4}));
    EXPECT_EQ(answers[k]["answer_ids"].size(), 2u);
  }
  EXPECT_EQ(r.lines().size(), 5u);  // input line + 4 answers
}

TEST(CliAsk, ExplicitOptionsKeepTheirSpacesAndTextModeStreamsTheAnswer) {
  const auto r = runCli({"ask", parityNpy(), "--channels", kChannels, "--model", lm(), "--window", "0:4",
                         "--options", " Yes, No, maybe", kPrompt});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("answer: 44444"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("option \" Yes\": p = "), std::string::npos);
  EXPECT_NE(r.out.find("option \" No\": p = "), std::string::npos);
  EXPECT_NE(r.out.find("option \" maybe\": p = "), std::string::npos);
}

TEST(CliAsk, BadInputsGiveClearErrorsAndNonZeroExit) {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"ask", sample(), "--model", "/nonexistent/lm.pt", "--window", "2:6", kPrompt},
       "/nonexistent/lm.pt: no such file"},
      {{"ask", sample(), "--model", vq(), "--window", "2:6", kPrompt}, "is a tokenizer checkpoint"},
      {{"ask", sample(), "--model", lm(), "--window", "58:66", kPrompt}, "beyond the recording"},
      {{"ask", sample(), "--model", lm(), "--window", "0:65", kPrompt}, "the limit is 64 s"},
      {{"ask", sample(), "--model", lm(), "--window", "0:15", kPrompt}, "the limit for 19 channels is 14 s"},
      {{"ask", parityNpy(), "--channels", "FP1,FP2,F3,F4,F7,F8,T3,T4,C3,C4,T5,T6,P3,P4,O1,O2,FZ,CZ,QQ",
        "--model", lm(), "--window", "0:4", kPrompt},
       "'QQ'"},
      {{"ask", sample(), "--model", lm(), "--window", "2:6", "--options", " Yes,,No", kPrompt},
       "empty option"},
  };
  for (const auto& c : cases) {
    const auto r = runCli(c.args);
    EXPECT_NE(r.code, 0) << c.expected;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << "expected '" << c.expected << "' in: " << r.err;
  }
  EXPECT_EQ(runCli({"ask", sample(), "--model", lm(), "--window", "2:6"}).code, 2);  // no instruction
}

TEST(CliAsk, NoAnswerScoresTheWindowsInBatchesWithTheProbabilitiesOfTheOneWindowPath) {
  const std::vector<std::string> common = {"ask",   sample(),  "--model", lm(),        "--windows",
                                           "4:3",   "--range", "0:26",    "--options", " Yes, No, maybe",
                                           "--json"};
  auto with = [&](std::vector<std::string> extra) {
    auto args = common;
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(kPrompt);
    return runCli(args);
  };
  const auto unbatched = with({"--max-new-tokens", "1"});
  const auto batched = with({"--no-answer", "--batch", "3"});
  const auto oneBatch = with({"--no-answer"});
  for (const auto* r : {&unbatched, &batched, &oneBatch}) ASSERT_EQ(r->code, 0) << r->err;
  const auto a = unbatched.linesOfType("answer");
  ASSERT_EQ(a.size(), 8u);  // 0, 3, …, 21
  for (const auto* r : {&batched, &oneBatch}) {
    const auto b = r->linesOfType("answer");
    ASSERT_EQ(b.size(), a.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(b[k]["window"], a[k]["window"]);
      EXPECT_EQ(b[k]["mode"], "options");
      EXPECT_EQ(b[k]["prompt_ids"], a[k]["prompt_ids"]);
      EXPECT_TRUE(b[k]["answer_ids"].empty());
      EXPECT_EQ(b[k]["best_option"], a[k]["best_option"]);
      ASSERT_EQ(b[k]["options"].size(), 3u);
      for (std::size_t c = 0; c < 3; ++c) {
        EXPECT_EQ(b[k]["options"][c]["ids"], a[k]["options"][c]["ids"]);
        EXPECT_NEAR(b[k]["options"][c]["probability"].get<double>(),
                    a[k]["options"][c]["probability"].get<double>(), 1e-5)
            << "window " << k << " option " << c;
        EXPECT_NEAR(b[k]["options"][c]["log_prob"].get<double>(),
                    a[k]["options"][c]["log_prob"].get<double>(), 1e-4);
      }
    }
  }
  // --batch needs --no-answer; --no-answer needs options.
  auto bare = with({"--batch", "4"});
  EXPECT_NE(bare.code, 0);
  EXPECT_NE(bare.err.find("add --no-answer"), std::string::npos) << bare.err;
  const auto noOptions = runCli({"ask", sample(), "--model", lm(), "--window", "2:6", "--no-answer",
                                 "--options", "none", "how are you?"});
  EXPECT_NE(noOptions.code, 0);
  EXPECT_NE(noOptions.err.find("--no-answer needs answer options"), std::string::npos) << noOptions.err;
}
