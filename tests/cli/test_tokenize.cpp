// `neurolm tokenize` and `neurolm init` on the sample recording and the parity fixtures.
#include <gtest/gtest.h>

#include <iomanip>

#include "CliRun.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/io/Npy.h"
#include "models/runtime/EegWindows.h"
#include "models/runtime/InferenceRuntime.h"

using namespace neurolm;
using test::runCli;

namespace {

const std::string kChannels = "FP1,FP2,F3,F4,F7,F8,T3,T4,C3,C4,T5,T6,P3,P4,O1,O2,FZ,CZ,PZ";
std::string vq() { return (test::parityDir() / "vq" / "ckpt.pt").string(); }
std::string lm() { return (test::parityDir() / "neurolm" / "ckpt.pt").string(); }
std::string sample() { return (test::resourcesDir() / "sample" / "Subject00_2.edf").string(); }
std::string parityNpy() { return (test::parityDir() / "vq" / "window_scaled_f32.npy").string(); }

std::vector<int64_t> officialCodes() {
  const auto all = readNpy(test::parityDir() / "vq" / "codes.npy").toInt64();
  return {all.begin(), all.begin() + 76};
}

}  // namespace

TEST(CliTokenize, SampleSecondsTwoToSixGiveTheOfficialCodesAndTheSameCodesAsTheEngine) {
  const auto r = runCli({"tokenize", sample(), "--vq", vq(), "--window", "2:6", "--json", "--device", "cpu"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = r.lines();
  ASSERT_EQ(lines.size(), 2u);
  const auto& input = lines[0];
  EXPECT_EQ(input["type"], "input");
  EXPECT_EQ(input["channels"].size(), 19u);
  ASSERT_EQ(input["dropped_channels"].size(), 2u);  // never silent
  EXPECT_EQ(input["dropped_channels"][0]["label"], "EEG A2-A1");
  EXPECT_EQ(input["dropped_channels"][1]["label"], "ECG ECG");
  const auto& t = lines[1];
  EXPECT_EQ(t["window"], (nlohmann::json{2.0, 6.0}));
  EXPECT_EQ(t["padded_length"], 276);
  EXPECT_EQ(t["tokens"], 76);
  const auto flat = t["codes_flat"].get<std::vector<int64_t>>();
  EXPECT_EQ(flat, officialCodes());
  // codes[channel][second] is the time-major flat list regrouped.
  ASSERT_EQ(t["codes"].size(), 19u);
  for (std::size_t c = 0; c < 19; ++c)
    for (std::size_t s = 0; s < 4; ++s) EXPECT_EQ(t["codes"][c][s].get<int64_t>(), flat[s * 19 + c]);
  EXPECT_EQ(t["features_shape"], (nlohmann::json{76, 768}));
  EXPECT_EQ(t["features"].size(), 76u * 768u);

  // The same path in C++ directly: EegSource -> window -> InferenceRuntime.
  const auto source = runtime::EegSource::openRecording(sample());
  runtime::RuntimeOptions o;
  o.tokenizerPath = vq();
  o.device = "cpu";
  runtime::InferenceRuntime engine(o);
  EXPECT_EQ(engine.tokenize(source.window({2, 6}, 276)).get().codes, flat);
}

TEST(CliTokenize, NpyInputReproducesTheOfficialCodesAndWritesFeatures) {
  test::TempDir dir("cli-tokenize");
  const auto features = (dir / "f.npy").string();
  const auto r = runCli({"tokenize", parityNpy(), "--channels", kChannels, "--vq", vq(), "--window", "0:4",
                         "--json", "--features-out", features});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto t = r.linesOfType("tokens");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0]["codes_flat"].get<std::vector<int64_t>>(), officialCodes());
  EXPECT_EQ(t[0]["features_path"], features);
  EXPECT_FALSE(t[0].contains("features"));
  const auto f = readNpy(features);
  EXPECT_EQ(f.shape, (std::vector<std::size_t>{1, 76, 768}));
  const auto ref = readNpy(test::parityDir() / "vq" / "encoder_features.npy").toFloat();
  const auto got = f.toFloat();
  double worst = 0;
  for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(double(got[i]) - ref[i]));
  EXPECT_LE(worst, 1e-4);
}

TEST(CliTokenize, TextOutputIsTheCodeGridAndListsDroppedChannels) {
  const auto r = runCli({"tokenize", sample(), "--vq", vq(), "--window", "2:6"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("EEG A2-A1: a derivation between reference electrodes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ECG ECG: not in the channel vocabulary"), std::string::npos);
  const auto codes = officialCodes();
  // Row FP1: seconds 0-3 = tokens 0, 19, 38, 57.
  std::ostringstream row;
  row << std::setw(8) << "FP1" << std::setw(6) << codes[0] << std::setw(6) << codes[19] << std::setw(6)
      << codes[38] << std::setw(6) << codes[57] << "\n";
  EXPECT_NE(r.out.find(row.str()), std::string::npos) << r.out;
}

TEST(CliTokenize, SlidingWindowsGiveOneLineEach) {
  const auto r =
      runCli({"tokenize", sample(), "--vq", vq(), "--windows", "4:2", "--range", "2:12", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto t = r.linesOfType("tokens");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0]["codes_flat"].get<std::vector<int64_t>>(), officialCodes());  // window 2:6 again
  EXPECT_EQ(t[3]["window"], (nlohmann::json{8.0, 12.0}));
}

TEST(CliTokenize, BadInputsGiveClearErrorsAndNonZeroExit) {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"tokenize", sample(), "--vq", "/nonexistent/vq.pt", "--window", "2:6"},
       "/nonexistent/vq.pt: no such file"},
      {{"tokenize", sample(), "--vq", lm(), "--window", "2:6"}, "is a NeuroLM checkpoint"},
      {{"tokenize", sample(), "--vq", vq(), "--window", "60:64"}, "beyond the recording (62 s long)"},
      {{"tokenize", sample(), "--vq", vq(), "--window", "0:70", "--pad", "1024"}, "the limit is 64 s"},
      {{"tokenize", sample(), "--vq", vq(), "--window", "0:20"}, "380 tokens exceed the padded length 276"},
      {{"tokenize", sample(), "--vq", vq(), "--channels", "FP1,XYZ"}, "does not have: XYZ"},
      {{"tokenize", parityNpy(), "--vq", vq()}, "needs --channels"},
      {{"tokenize", parityNpy(), "--vq", vq(), "--channels", "FP1,FP2"},
       "19 channel rows but --channels names 2"},
      {{"tokenize", sample(), "--vq", vq(), "--window", "6:2"}, "need 0 <= a < b"},
      {{"tokenize", "/nonexistent/rec.edf", "--vq", vq()}, "/nonexistent/rec.edf"},
      {{"tokenize", sample(), "--vq", vq(), "--threads", "0"}, "--threads '0' is not a thread count"},
      {{"tokenize", sample(), "--vq", vq(), "--threads", "2x"}, "--threads '2x' is not a thread count"},
  };
  for (const auto& c : cases) {
    const auto r = runCli(c.args);
    EXPECT_NE(r.code, 0) << c.expected;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << "expected '" << c.expected << "' in: " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  EXPECT_EQ(runCli({"tokenize", sample()}).code, 2);  // no --vq
}

TEST(CliInit, WritesOurFormatThatTokenizeAndAskLoad) {
  test::TempDir dir("cli-init");
  const auto vqFile = (dir / "vq.safetensors").string(), lmFile = (dir / "lm.safetensors").string();
  auto r = runCli({"init", "--kind", "vq", "--size", "tiny", "--seed", "3", "--out", vqFile, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.lines()[0]["config"]["encoder"]["n_layer"], 2);
  r = runCli({"init", "--kind", "neurolm", "--seed", "4", "--out", lmFile});
  ASSERT_EQ(r.code, 0) << r.err;
  r = runCli({"tokenize", parityNpy(), "--channels", kChannels, "--vq", vqFile, "--window", "0:4", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto codes = r.linesOfType("tokens").at(0)["codes_flat"].get<std::vector<int64_t>>();
  EXPECT_EQ(codes.size(), 76u);
  // The same file twice gives the same codes (deterministic) and a different seed different ones.
  EXPECT_EQ(
      runCli({"tokenize", parityNpy(), "--channels", kChannels, "--vq", vqFile, "--window", "0:4", "--json"})
          .linesOfType("tokens")
          .at(0)["codes_flat"]
          .get<std::vector<int64_t>>(),
      codes);
  r = runCli({"ask", parityNpy(), "--channels", kChannels, "--model", lmFile, "--vq", vqFile, "--window",
              "0:4", "--json", "Question: Is this EEG segment of high workload? Answer:"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto answer = r.linesOfType("answer").at(0);
  EXPECT_EQ(answer["codes_flat"].get<std::vector<int64_t>>(), codes);
  EXPECT_EQ(answer["options"].size(), 2u);
  EXPECT_GE(answer["answer_ids"].size(), 1u);
  EXPECT_EQ(runCli({"init", "--kind", "gpt", "--out", lmFile}).code, 1);
  EXPECT_EQ(runCli({"init", "--out", lmFile}).code, 2);
  EXPECT_EQ(
      runCli({"ask", parityNpy(), "--channels", kChannels, "--model", vqFile, "--window", "0:4", "x"}).code,
      1);
}
