// GPT-2 byte-level BPE: the prompt ids of spec §7.5 and neurolm_facts.json, round trips, and agreement with
// an independent pure-Python BPE (tests/tools/gpt2_bpe_reference.py).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <thread>

#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "models/text/Gpt2Bpe.h"

using namespace neurolm;
namespace fs = std::filesystem;
using Ids = std::vector<TokenId>;

namespace {

const Gpt2Bpe& bpe() {
  static const Gpt2Bpe instance = Gpt2Bpe::fromDirectory(test::resourcesDir() / "tokenizer" / "gpt2");
  return instance;
}

constexpr TokenId kSep = 50257;

Ids withSep(const Ids& ids) {
  Ids out{kSep};
  out.insert(out.end(), ids.begin(), ids.end());
  return out;
}

std::string decodeError(const Ids& ids) {
  try {
    bpe().decode(ids);
  } catch (const std::out_of_range& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(Bpe, LoadsTheGpt2Vocabulary) {
  EXPECT_EQ(bpe().vocabSize(), 50257u);
  EXPECT_EQ(bpe().mergeCount(), 50000u);
  EXPECT_EQ(bpe().idOfToken("Hello"), 15496);
  EXPECT_EQ(bpe().idOfToken("\xC4\xA0world"), 995);  // "Ġworld"
  EXPECT_EQ(bpe().idOfToken("<|endoftext|>"), 50256);
  EXPECT_EQ(bpe().idOfToken("no such token"), -1);
}

TEST(Bpe, SelfTestsOfSpec) {
  EXPECT_EQ(bpe().encode("Hello world"), (Ids{15496, 995}));
  EXPECT_EQ(bpe().encode(" world"), (Ids{995}));
  EXPECT_EQ(bpe().encode("EEG"), (Ids{6500, 38}));
  EXPECT_EQ(bpe().encode(" EEG"), (Ids{48749}));
  EXPECT_EQ(bpe().encode(" NREM-1"), (Ids{399, 40726, 12, 16}));
  EXPECT_EQ(bpe().encode(" epileptiform"), (Ids{29790, 457, 6933}));
  EXPECT_EQ(bpe().encode(" Yes"), (Ids{3363}));
  EXPECT_EQ(bpe().encode(" No"), (Ids{1400}));
  EXPECT_EQ(bpe().encode(" "), (Ids{220}));
  EXPECT_EQ(bpe().encode("<|endoftext|>"), (Ids{50256}));
  EXPECT_EQ(bpe().encode(" Positive"), (Ids{33733}));
  EXPECT_EQ(bpe().encode(" Neutral"), (Ids{25627}));
  EXPECT_EQ(bpe().encode(" Negative"), (Ids{36183}));
  EXPECT_EQ(bpe().encode(""), Ids{});
}

TEST(Bpe, WorkloadPromptOfSpec) {
  const std::string prompt = "Question: Is this EEG segment of high workload? Answer:";
  const Ids promptIds = {24361, 25, 1148, 428, 48749, 10618, 286, 1029, 26211, 30, 23998, 25};
  EXPECT_EQ(bpe().encode(prompt), promptIds);
  EXPECT_EQ(withSep(bpe().encode(prompt)),
            (Ids{50257, 24361, 25, 1148, 428, 48749, 10618, 286, 1029, 26211, 30, 23998, 25}));
  EXPECT_EQ(
      withSep(bpe().encode(prompt + " Yes <|endoftext|>")),
      (Ids{50257, 24361, 25, 1148, 428, 48749, 10618, 286, 1029, 26211, 30, 23998, 25, 3363, 220, 50256}));
  Ids no = withSep(bpe().encode(prompt + " No <|endoftext|>"));
  ASSERT_EQ(no.size(), 16u);
  EXPECT_EQ(no[13], 1400);
  EXPECT_EQ(bpe().decode(promptIds), prompt);
  // The official answer parser splits the decoded text on spaces and reads word 9.
  EXPECT_EQ(bpe().decode(bpe().encode(prompt + " Yes <|endoftext|>")),
            "Question: Is this EEG segment of high workload? Answer: Yes <|endoftext|>");
}

TEST(Bpe, EvaluationIdsOfAllSixTasksAsInTheSpecTable) {
  // spec §7.5 (evaluation input ids including [SEP]); prompts of §1.6 (multiple choice ends with " (").
  const std::vector<std::pair<std::string, Ids>> table = {
      {"Question: Is this EEG segment abnormal? Answer:",
       {50257, 24361, 25, 1148, 428, 48749, 10618, 18801, 30, 23998, 25}},
      {"Question: Which emotion type does this EEG segment belong to? Answer:",
       {50257, 24361, 25, 9022, 9942, 2099, 857, 428, 48749, 10618, 5594, 284, 30, 23998, 25}},
      {"Question: Which type does this EEG segment belong to? Options: (A) background. (B) seizure. (C) "
       "slowing. "
       "Answer: (",
       {50257, 24361, 25, 9022, 2099, 857, 428,   48749, 10618, 5594, 284, 30,    18634, 25,    357, 32,
        8,     4469,  13, 357,  33,   8,   22338, 13,    357,   34,   8,   21605, 13,    23998, 25,  357}},
      {"Question: Which sleep type does this EEG segment belong to? Options: (A) Wake. (B) NREM-1. (C) "
       "NREM-2. (D) "
       "NREM-3. (E) REM. Answer: (",
       {50257, 24361, 25,  9022, 3993, 2099,  857,   428, 48749, 10618, 5594,  284,   30,
        18634, 25,    357, 32,   8,    20441, 13,    357, 33,    8,     399,   40726, 12,
        16,    13,    357, 34,   8,    399,   40726, 12,  17,    13,    357,   35,    8,
        399,   40726, 12,  18,   13,   357,   36,    8,   22657, 13,    23998, 25,    357}},
      {"Question: Which event type does this EEG segment belong to? Options: (A) spike and slow wave. (B) "
       "generalized "
       "periodic epileptiform discharge. (C) periodic lateralized epileptiform discharge. (D) eye movement. "
       "(E) "
       "artifact. (F) background. Answer: (",
       {50257, 24361, 25,    9022,  1785, 2099,  857,  428,  48749, 10618, 5594,  284,   30,
        18634, 25,    357,   32,    8,    20240, 290,  3105, 6769,  13,    357,   33,    8,
        38284, 27458, 29790, 457,   6933, 17655, 13,   357,  34,    8,     27458, 25653, 1143,
        29790, 457,   6933,  17655, 13,   357,   35,   8,    4151,  3356,  13,    357,   36,
        8,     24127, 13,    357,   37,   8,     4469, 13,   23998, 25,    357}},
  };
  for (const auto& [prompt, ids] : table) {
    SCOPED_TRACE(prompt);
    EXPECT_EQ(withSep(bpe().encode(prompt)), ids);
    EXPECT_EQ(bpe().decode(Ids(ids.begin() + 1, ids.end())), prompt);
  }
  // Option answers: " (" 357, letters A..F = 32..37, ")" 8.
  EXPECT_EQ(bpe().encode(" (A)"), (Ids{357, 32, 8}));
  EXPECT_EQ(bpe().encode(" (F)"), (Ids{357, 37, 8}));
}

TEST(Bpe, EveryPromptAndTrainingSequenceOfTheFactsFile) {
  std::ifstream in(test::sharedDir() / "spec" / "neurolm_facts.json");
  ASSERT_TRUE(in) << "neurolm_facts.json missing";
  const nlohmann::json facts = nlohmann::json::parse(in);
  const auto& prompts = facts.at("prompts");
  ASSERT_EQ(prompts.size(), 6u);
  std::size_t sequences = 0;
  for (const auto& [task, p] : prompts.items()) {
    SCOPED_TRACE(task);
    const std::string evalPrompt = p.at("prompt_text").get<std::string>();
    EXPECT_EQ(withSep(bpe().encode(evalPrompt)), p.at("eval_input_ids").get<Ids>());
    // Training text: the prompt without the evaluation-only " (", the answer, then " <|endoftext|>".
    std::string base = evalPrompt;
    if (base.ends_with(" (")) base.resize(base.size() - 2);
    for (const auto& answer : p.at("answers")) {
      const std::string text = base + answer.at("answer_text").get<std::string>() + " <|endoftext|>";
      EXPECT_EQ(withSep(bpe().encode(text)), answer.at("train_input_ids_unpadded").get<Ids>()) << text;
      ++sequences;
    }
  }
  EXPECT_EQ(sequences, 2u + 6u + 3u + 5u + 2u + 3u);
}

TEST(Bpe, RoundTripsUnicodeText) {
  const std::vector<std::string> texts = {
      "脑电图（EEG）是一种记录大脑电活动的方法。",
      "Emoji: 😀🎉🧠 and flags 🇩🇪, ZWJ 👩‍🔬",
      "Ünïcödé àccents, ß, Ω, ﬁ ligature, Ελληνικά, русский, العربية, हिन्दी, 日本語のテキスト",
      "tabs\tand\nnewlines\r\n  multiple   spaces   \n\n\t ",
      "numbers 3.14159 -42 1e-10 ١٢٣ ⅷ",
      "it's they're we've I'm you'll he'd 'quoted' \"double\"",
      "control \x01\x02\x7f bytes and <|endoftext|> inside <|endoftext|><|endoftext|>",
      "<|endoftext",
  };
  for (const auto& t : texts) {
    SCOPED_TRACE(t);
    const Ids ids = bpe().encode(t);
    EXPECT_EQ(bpe().decode(ids), t);
    EXPECT_EQ(bpe().decodeBytes(ids), t);
  }
  // A split inside a multi-byte character: raw bytes are exact, decode() replaces the broken tail.
  const Ids brain = bpe().encode("🧠");
  ASSERT_GT(brain.size(), 1u);
  const Ids head(brain.begin(), brain.end() - 1);
  EXPECT_EQ(bpe().decodeBytes(head), std::string("🧠").substr(0, bpe().decodeBytes(head).size()));
  EXPECT_EQ(bpe().decode(head), "\xEF\xBF\xBD");
}

TEST(Bpe, RefusesOrMarksIdsOutsideTheVocabularyAndInvalidUtf8) {
  EXPECT_NE(decodeError({15496, 50257}).find("token id 50257 at position 1 is not in the GPT-2 vocabulary"),
            std::string::npos);
  EXPECT_NE(decodeError({-1}).find("token id -1"), std::string::npos);
  EXPECT_EQ(bpe().decode(Ids{50257, 15496, 995, 50304 + 17}, Gpt2Bpe::UnknownIds::Mark),
            "<|id:50257|>Hello world<|id:50321|>");
  try {
    bpe().encode("ok \xC3\x28 bad");
    FAIL() << "invalid UTF-8 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("byte offset 3"), std::string::npos) << e.what();
  }
  EXPECT_EQ(firstInvalidUtf8("abc"), std::string_view::npos);
  EXPECT_EQ(firstInvalidUtf8("a\xED\xA0\x80"), 1u);     // a surrogate
  EXPECT_EQ(firstInvalidUtf8("ab\xE0\x80\x80"), 2u);    // an overlong form
  EXPECT_EQ(firstInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // beyond U+10FFFF
}

TEST(Bpe, ReportsInconsistentVocabularyFiles) {
  test::TempDir dir("neurolm-bpe");
  auto write = [&](const std::string& name, const std::string& text) { std::ofstream(dir / name) << text; };
  auto loadError = [&] {
    try {
      Gpt2Bpe(dir / "encoder.json", dir / "vocab.bpe");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  write("encoder.json", "{\"a\": 0,");
  write("vocab.bpe", "#version: 0.2\n");
  EXPECT_NE(loadError().find("encoder.json: not valid JSON"), std::string::npos) << loadError();
  write("encoder.json", "{\"a\": 5}");
  EXPECT_NE(loadError().find("token 'a' has id 5, expected 0..0"), std::string::npos) << loadError();
  write("encoder.json", "{\"a\": 0, \"\\u0000\": 1}");  // U+0000 is not in the byte alphabet
  EXPECT_NE(loadError().find("is not spelled in GPT-2's byte alphabet"), std::string::npos) << loadError();
  write("encoder.json", "{\"a\": 0}");
  EXPECT_NE(loadError().find("no token for byte 0"), std::string::npos) << loadError();
  // A merge whose result is missing: take the real vocabulary, break vocab.bpe.
  const fs::path real = test::resourcesDir() / "tokenizer" / "gpt2";
  fs::copy_file(real / "encoder.json", dir / "encoder.json", fs::copy_options::overwrite_existing);
  write("vocab.bpe", "#version: 0.2\nh e\nq qqqqqq\n");
  EXPECT_NE(
      loadError().find("vocab.bpe: line 3: merge 'q qqqqqq' uses or makes a token that encoder.json lacks"),
      std::string::npos)
      << loadError();
  write("vocab.bpe", "#version: 0.2\nhe\n");
  EXPECT_NE(loadError().find("line 2: expected 'left right', found 'he'"), std::string::npos) << loadError();
  EXPECT_NE(loadError().find(dir.path().string()), std::string::npos);
}

TEST(Bpe, AgreesWithAnIndependentPythonBpe) {
  test::TempDir dir("neurolm-bpe");
  std::vector<std::string> texts = {
      "Hello world",
      "The quick brown fox jumps over the lazy dog's back; it's 3:45pm!",
      "   leading spaces and trailing   ",
      "line one\nline two\n\n\tindented\r\n",
      "脑电图是一种记录大脑电活动的方法，广泛用于癫痫诊断。",
      "😀 emoji 🎉🧠 mixed 👩‍🔬 sequences",
      "Ελληνικά, русский текст, العربية, हिन्दी",
      "numbers: 1234567890 3.14159 1e-10 ½ ①②",
      "symbols ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./",
      "contractions I'll we'd they've you're she's 'm 't",
      "CAPS SHOUTING 'S 'T and MiXeD",
      "a<|endoftext|>b <|endoftext|> c",
      "Question: Which sleep type does this EEG segment belong to? Options: (A) Wake. (B) NREM-1.",
  };
  // A long pseudo-random text over a mixed alphabet exercises many merges.
  const std::vector<std::string> alphabet = {"a",   "e",       "th", " ",  "  ", "\n",  "0",
                                             "9",   ".",       ",",  "'s", "é",  "中",  "😀",
                                             "EEG", " Answer", ":",  "-",  "\t", "ing", "Q"};
  std::uint32_t state = 12345;
  std::string longText;
  for (int i = 0; i < 4000; ++i) {
    state = state * 1664525u + 1013904223u;
    longText += alphabet[(state >> 16) % alphabet.size()];
  }
  texts.push_back(longText);
  {
    std::ofstream out(dir / "in.json");
    out << nlohmann::json(texts).dump();
  }
  const std::string cmd = std::string(test::python()) + " '" +
                          (test::testsDir() / "tools" / "gpt2_bpe_reference.py").string() + "' '" +
                          (test::resourcesDir() / "tokenizer" / "gpt2").string() + "' '" +
                          (dir / "in.json").string() + "' '" + (dir / "out.json").string() + "'";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << cmd;
  std::ifstream in(dir / "out.json");
  const auto expected = nlohmann::json::parse(in).get<std::vector<Ids>>();
  ASSERT_EQ(expected.size(), texts.size());
  std::size_t tokens = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    SCOPED_TRACE(texts[i].substr(0, 80));
    EXPECT_EQ(bpe().encode(texts[i]), expected[i]);
    tokens += expected[i].size();
  }
  EXPECT_GT(tokens, 2000u);
}

TEST(Bpe, EncodesConcurrentlyWithTheSameResults) {
  // Distinct texts per iteration, so that threads race on filling and clearing the merge cache.
  auto textFor = [](int i) {
    return "Question " + std::to_string(i) + ": EEG 脑电图 😀 workload" + std::string(i % 5, 'x');
  };
  const Gpt2Bpe separate = Gpt2Bpe::fromDirectory(test::resourcesDir() / "tokenizer" / "gpt2");
  std::vector<Ids> expected;
  for (int i = 0; i < 300; ++i) expected.push_back(separate.encode(textFor(i)));
  std::vector<int> matches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i)
        matches[static_cast<std::size_t>(t)] +=
            bpe().encode(textFor(i)) == expected[static_cast<std::size_t>(i)];
    });
  }
  for (auto& th : threads) th.join();
  for (const int n : matches) EXPECT_EQ(n, 300);
}
