// `neurolm convert`: storage precisions of our model files from the command line, and what int8 storage
// changes in `neurolm ask`'s option probabilities on real EEG.
#include <gtest/gtest.h>

#include <filesystem>

#include "CliRun.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"

using namespace neurolm;
using test::runCli;
namespace fs = std::filesystem;

namespace {

const std::string kPrompt = "Question: Is this EEG segment of high workload? Answer:";

// Per window (in order), the probability of each option as `neurolm ask --json` reports it.
std::vector<std::vector<double>> optionProbabilities(const test::CliResult& r) {
  std::vector<std::vector<double>> windows;
  for (const auto& a : r.linesOfType("answer")) {
    std::vector<double> p;
    for (const auto& o : a["options"]) p.push_back(o["probability"].get<double>());
    windows.push_back(p);
  }
  return windows;
}

}  // namespace

TEST(CliConvert, Int8TinyModelIsFourTimesSmallerAndAnswersAsTheFloat32Model) {
  test::TempDir dir("convert");
  const std::string f32 = (dir / "f32.safetensors").string(), i8 = (dir / "i8.safetensors").string();
  ASSERT_EQ(runCli({"init", "--kind", "neurolm", "--size", "tiny", "--seed", "4", "--out", f32}).code, 0);
  const auto c = runCli({"convert", f32, "--precision", "int8", "--out", i8, "--json"});
  ASSERT_EQ(c.code, 0) << c.err;
  const auto report = c.linesOfType("convert").at(0);
  EXPECT_EQ(report["precision_in"], "float32");
  EXPECT_EQ(report["precision"], "int8");
  EXPECT_EQ(report["bytes_in"].get<uint64_t>(), fs::file_size(f32));
  EXPECT_EQ(report["bytes_out"].get<uint64_t>(), fs::file_size(i8));
  EXPECT_GE(static_cast<double>(fs::file_size(f32)) / fs::file_size(i8), 3.5);
  EXPECT_EQ(report["precisions"].size(), 4u);

  // Real EEG: the sample recording (EEGMAT subject 00) and a second EEGMAT recording from ../shared/data,
  // four 4-s windows each.
  double worst = 0;
  for (const fs::path& edf : {test::resourcesDir() / "sample" / "Subject00_2.edf",
                              test::dataDir() / "eegmat" / "Subject01_2.edf"}) {
    if (!fs::exists(edf)) {
      ADD_FAILURE() << "missing recording " << edf;
      continue;
    }
    const std::vector<std::string> common{"ask",     edf.string(), "--windows", "4:4",
                                          "--range", "0:16",       "--json"};
    auto args = common;
    args.insert(args.end(), {"--model", f32, kPrompt});
    const auto a = runCli(args);
    args = common;
    args.insert(args.end(), {"--model", i8, kPrompt});
    const auto b = runCli(args);
    ASSERT_EQ(a.code, 0) << a.err;
    ASSERT_EQ(b.code, 0) << b.err;
    const auto pa = optionProbabilities(a), pb = optionProbabilities(b);
    ASSERT_EQ(pa.size(), 4u);
    ASSERT_EQ(pb.size(), pa.size());
    for (std::size_t w = 0; w < pa.size(); ++w) {
      ASSERT_EQ(pa[w].size(), 2u);
      ASSERT_EQ(pb[w].size(), 2u);
      for (std::size_t o = 0; o < 2; ++o) {
        EXPECT_NEAR(pb[w][o], pa[w][o], 1e-2) << edf << " window " << w << " option " << o;
        worst = std::max(worst, std::abs(pb[w][o] - pa[w][o]));
      }
    }
  }
  std::cout << "[ measured ] int8 vs float32 tiny NeuroLM, option probabilities: max |diff| = " << worst
            << " over 8 windows\n";
}

TEST(CliConvert, TokenizerKeepsItsMetadataAndPrintsSizesAndErrors) {
  test::TempDir dir("convert");
  const std::string vq = (dir / "vq.safetensors").string(), half = (dir / "vq16.safetensors").string();
  ASSERT_EQ(runCli({"init", "--kind", "vq", "--size", "tiny", "--out", vq}).code, 0);
  const auto r = runCli({"convert", vq, "--precision", "float16", "--out", half});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("vq model, float32 -> float16"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("size: "), std::string::npos);
  for (const char* p : {"float32 ", "float16 ", "bfloat16 ", "int8 "})
    EXPECT_NE(r.out.find(p), std::string::npos);
  const auto back = runCli(
      {"convert", half, "--precision", "float32", "--out", (dir / "b.safetensors").string(), "--json"});
  ASSERT_EQ(back.code, 0) << back.err;
  const auto j = back.linesOfType("convert").at(0);
  EXPECT_EQ(j["kind"], "vq");
  EXPECT_EQ(j["precision_in"], "float16");
  EXPECT_EQ(j["max_abs_error"].get<double>(), 0.0);  // float16 -> float32 is exact
}

TEST(CliConvert, HelpAndBadArgumentsAreExplained) {
  const auto help = runCli({"convert", "--help"});
  EXPECT_EQ(help.code, 0);
  for (const char* word : {"float32", "float16", "bfloat16", "int8", "s = max|row| / 127", "--out"})
    EXPECT_NE(help.out.find(word), std::string::npos) << word;
  EXPECT_NE(runCli({"help"}).out.find("convert IN.safetensors --precision"), std::string::npos);

  test::TempDir dir("convert");
  const std::string lm = (dir / "lm.safetensors").string();
  EXPECT_EQ(runCli({"convert", lm, "--out", (dir / "x").string()}).code, 2);  // no --precision
  ASSERT_EQ(runCli({"init", "--kind", "neurolm", "--out", lm}).code, 0);
  const auto bad = runCli({"convert", lm, "--precision", "int4", "--out", (dir / "x").string()});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("unknown storage precision 'int4' (expected float32, float16, bfloat16 or int8)"),
            std::string::npos)
      << bad.err;
  const auto official = runCli({"convert", (test::parityDir() / "neurolm" / "ckpt.pt").string(),
                                "--precision", "int8", "--out", (dir / "x").string()});
  EXPECT_EQ(official.code, 1);
  EXPECT_NE(official.err.find("is an official torch.save checkpoint"), std::string::npos) << official.err;
  EXPECT_FALSE(fs::exists(dir / "x"));
}
