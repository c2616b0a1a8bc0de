// models/runtime: recording -> windows (vs the official loader's tensors), model files (official and ours),
// the inference runtime (vs the official NeuroLM/VQ fixtures in ../shared/parity), streaming and cancel.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/io/Npy.h"
#include "core/preprocess/NeuroLmPreprocess.h"
#include "models/nn/CpuKernels.h"
#include "models/runtime/EegWindows.h"
#include "models/runtime/InferenceRuntime.h"
#include "models/runtime/ModelInit.h"
#include "models/runtime/ModelStore.h"

using namespace neurolm;
using namespace neurolm::runtime;

namespace {

const std::vector<std::string> kParityChannels = {"FP1", "FP2", "F3", "F4", "F7", "F8", "T3",
                                                  "T4",  "C3",  "C4", "T5", "T6", "P3", "P4",
                                                  "O1",  "O2",  "FZ", "CZ", "PZ"};
constexpr const char* kWorkloadPrompt = "Question: Is this EEG segment of high workload? Answer:";

std::filesystem::path vqCkpt() { return test::parityDir() / "vq" / "ckpt.pt"; }
std::filesystem::path lmCkpt() { return test::parityDir() / "neurolm" / "ckpt.pt"; }
std::filesystem::path sampleEdf() { return test::resourcesDir() / "sample" / "Subject00_2.edf"; }

std::vector<int64_t> npyInts(const std::filesystem::path& p) { return readNpy(p).toInt64(); }

const EegSource& sampleSource() {
  static const EegSource s = EegSource::openRecording(sampleEdf());
  return s;
}
const EegSource& paritySource() {
  static const EegSource s =
      EegSource::openNpy(test::parityDir() / "vq" / "window_scaled_f32.npy", kParityChannels);
  return s;
}

RuntimeOptions parityOptions() {
  RuntimeOptions o;
  o.tokenizerPath = vqCkpt();
  o.neuroLmPath = lmCkpt();
  o.bpeDir = test::resourcesDir() / "tokenizer" / "gpt2";
  o.device = "cpu";
  return o;
}

InferenceRuntime& parityRuntime() {
  static InferenceRuntime r(parityOptions());
  return r;
}

std::vector<int64_t> first76(const std::vector<int64_t>& v) { return {v.begin(), v.begin() + 76}; }

template <typename F>
std::string errorOf(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(RuntimeWindows, SampleRecordingKeepsTheNineteenEegChannelsAndSaysWhichItDropped) {
  const auto& s = sampleSource();
  EXPECT_EQ(s.modelNames(), kParityChannels);
  const std::vector<int32_t> vocab = {0,  2,  17, 21, 15, 23, 88, 90, 39, 43,
                                      89, 91, 61, 65, 80, 82, 19, 41, 63};
  EXPECT_EQ(s.vocabIndices(), vocab);  // parity/preprocessing/channels.json
  ASSERT_EQ(s.droppedChannels().size(), 2u);
  EXPECT_EQ(s.droppedChannels()[0].label, "EEG A2-A1");
  EXPECT_NE(s.droppedChannels()[0].reason.find("reference"), std::string::npos);
  EXPECT_EQ(s.droppedChannels()[1].label, "ECG ECG");
  EXPECT_NE(s.droppedChannels()[1].reason.find("vocabulary"), std::string::npos);
  EXPECT_EQ(s.signal200Hz().sampleCount(), 12400u);  // 62 s at 200 Hz, as the official pipeline
}

TEST(RuntimeWindows, SecondsTwoToSixOfTheSampleAreTheOfficialWindowZero) {
  const auto grid = sampleSource().window({2, 6}, 276);
  const auto x = readNpy(test::parityDir() / "vq" / "input_x.npy").toFloat();
  ASSERT_EQ(grid.patches.size(), x.size());
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    worst = std::max(worst, std::abs(double(grid.patches[i]) - x[i]));
  std::cout << "[runtime] EDF window 2:6 vs official input_x max|d| = " << worst << "\n";
  EXPECT_LE(worst, 1e-6);  // float64 pipeline within 1e-9 uV, then /100 rounded to float32
  const auto chans = npyInts(test::parityDir() / "vq" / "input_chans.npy");
  const auto time = npyInts(test::parityDir() / "vq" / "input_time.npy");
  const auto mask = npyInts(test::parityDir() / "vq" / "input_mask.npy");
  EXPECT_EQ(std::vector<int64_t>(grid.inputChans.begin(), grid.inputChans.end()), chans);
  EXPECT_EQ(std::vector<int64_t>(grid.inputTime.begin(), grid.inputTime.end()), time);
  EXPECT_EQ(std::vector<int64_t>(grid.inputMask.begin(), grid.inputMask.end()), mask);
}

TEST(RuntimeWindows, NpyInModelUnitsReproducesTheOfficialLoaderExactly) {
  const auto grid = paritySource().window({0, 4}, 276);
  const auto x = readNpy(test::parityDir() / "vq" / "input_x.npy").toFloat();
  ASSERT_EQ(grid.patches, x);
  EXPECT_FALSE(paritySource().preprocessed());
  const auto big = paritySource().window({0, 4}, 1024);
  EXPECT_EQ(big.paddedLength, 1024u);
  EXPECT_EQ(std::vector<float>(big.patches.begin(), big.patches.begin() + 76 * 200),
            std::vector<float>(x.begin(), x.begin() + 76 * 200));
}

TEST(RuntimeWindows, LimitsAreNamedWithTheValues) {
  const auto& s = sampleSource();
  EXPECT_NE(errorOf([&] { s.window({0, 70}, 1024); }).find("the limit is 64 s"), std::string::npos);
  const auto tooMany = errorOf([&] { s.window({0, 20}, 276); });
  EXPECT_NE(tooMany.find("380 tokens exceed the padded length 276"), std::string::npos) << tooMany;
  EXPECT_NE(tooMany.find("14 s"), std::string::npos) << tooMany;  // floor(276 / 19)
  EXPECT_NE(errorOf([&] {
              s.window({60, 64}, 276);
            }).find("beyond the recording (62 s long)"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { s.window({0, 2.5}, 276); }).find("whole seconds"), std::string::npos);
  EXPECT_EQ(s.maxWindowSec(1024), 53u);  // floor(1024 / 19)
  const auto w = slidingWindows({2, 12}, 4, 2);
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w.back().startSec, 8);
  EXPECT_EQ(w.back().endSec, 12);
}

TEST(RuntimeWindows, ChannelChoiceIsExplicitAndUnknownNamesAreListed) {
  EegSourceOptions o;
  o.channels = {"EEG Cz", "fz"};  // a source label and a normalised name, in the requested order
  const auto s = EegSource::openRecording(sampleEdf(), o);
  EXPECT_EQ(s.modelNames(), (std::vector<std::string>{"CZ", "FZ"}));
  EXPECT_EQ(s.droppedChannels().size(), 19u);
  o.channels = {"ECG ECG"};
  EXPECT_NE(errorOf([&] { EegSource::openRecording(sampleEdf(), o); }).find("'ECG ECG'"), std::string::npos);
  o.channels = {"T7"};
  EXPECT_NE(errorOf([&] { EegSource::openRecording(sampleEdf(), o); }).find("does not have: T7"),
            std::string::npos);
  const auto npy = test::parityDir() / "vq" / "window_scaled_f32.npy";
  EXPECT_NE(errorOf([&] {
              EegSource::openNpy(npy, {"FP1", "FP2"});
            }).find("19 channel rows but --channels names 2"),
            std::string::npos);
  auto names = kParityChannels;
  names[3] = "XX9";
  EXPECT_NE(errorOf([&] { EegSource::openNpy(npy, names); }).find("'XX9'"), std::string::npos);
}

TEST(RuntimeModels, FormatsAndKindsAreDetectedByContentAndWrongKindsRefused) {
  EXPECT_EQ(inspectModelFile(vqCkpt()).kind, ModelKind::Tokenizer);
  EXPECT_EQ(inspectModelFile(lmCkpt()).kind, ModelKind::NeuroLm);
  EXPECT_EQ(detectFormat(lmCkpt()), ModelFormat::OfficialTorch);
  const auto wrong = errorOf([] { loadTokenizer(lmCkpt()); });
  EXPECT_NE(wrong.find(lmCkpt().string()), std::string::npos);
  EXPECT_NE(wrong.find("is a NeuroLM checkpoint"), std::string::npos) << wrong;
  EXPECT_NE(errorOf([] { loadNeuroLm(vqCkpt()); }).find("is a tokenizer checkpoint"), std::string::npos);
  EXPECT_NE(errorOf([] { loadNeuroLm("/nonexistent/x.pt"); }).find("/nonexistent/x.pt: no such file"),
            std::string::npos);
  test::TempDir dir("runtime-models");
  std::ofstream(dir / "junk.bin") << "this is not a model file at all";
  EXPECT_NE(errorOf([&] { loadNeuroLm(dir / "junk.bin"); }).find("neither a torch.save"), std::string::npos);
}

TEST(RuntimeModels, OfficialModelsSavedInOurFormatReloadIdentically) {
  test::TempDir dir("runtime-save");
  auto vq = loadTokenizer(vqCkpt());
  auto lm = loadNeuroLm(lmCkpt());
  saveTokenizer(*vq.vq, dir / "vq.safetensors");
  saveNeuroLm(*lm.model, dir / "lm.safetensors");
  EXPECT_EQ(inspectModelFile(dir / "vq.safetensors").kind, ModelKind::Tokenizer);
  EXPECT_EQ(detectFormat(dir / "lm.safetensors"), ModelFormat::SafeTensors);
  const auto vq2 = loadTokenizer(dir / "vq.safetensors");
  const auto lm2 = loadNeuroLm(dir / "lm.safetensors");
  EXPECT_EQ(vqConfigToJson(vq2.vq->config()), vqConfigToJson(vq.vq->config()));
  EXPECT_EQ(neuroLmConfigToJson(lm2.model->config()), neuroLmConfigToJson(lm.model->config()));
  const auto a = vq.vq->named_parameters(true);
  const auto b = vq2.vq->named_parameters(true);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& p : a) EXPECT_TRUE(torch::equal(p.value(), b[p.key()])) << p.key();
  for (const auto& p : lm.model->named_parameters(true))
    EXPECT_TRUE(torch::equal(p.value(), lm2.model->named_parameters(true)[p.key()])) << p.key();
  EXPECT_NE(errorOf([&] { loadNeuroLm(dir / "vq.safetensors"); }).find("is a 'vq' model"), std::string::npos);
}

TEST(RuntimeModels, RandomInitIsSeededAndUsesTheTinySizes) {
  test::TempDir dir("runtime-init");
  const auto r1 = initRandomModel({"neurolm", "tiny", 7, dir / "a.safetensors"});
  initRandomModel({"neurolm", "tiny", 7, dir / "b.safetensors"});
  initRandomModel({"neurolm", "tiny", 8, dir / "c.safetensors"});
  auto a = loadNeuroLm(dir / "a.safetensors"), b = loadNeuroLm(dir / "b.safetensors"),
       c = loadNeuroLm(dir / "c.safetensors");
  const auto& cfg = a.model->config();
  EXPECT_EQ(cfg.gpt.nLayer, 2);
  EXPECT_EQ(cfg.gpt.nHead, 2);
  EXPECT_EQ(cfg.gpt.nEmbd, 64);
  EXPECT_EQ(cfg.tokenizer.nLayer, 2);
  EXPECT_EQ(cfg.tokenizer.nEmbd, 768);
  EXPECT_EQ(r1.parameters, parameterCount(*a.model));
  const auto wa = a.model->GPT2->named_parameters(true)["lm_head.weight"];
  EXPECT_TRUE(torch::equal(wa, b.model->GPT2->named_parameters(true)["lm_head.weight"]));
  EXPECT_FALSE(torch::equal(wa, c.model->GPT2->named_parameters(true)["lm_head.weight"]));
  EXPECT_THROW(initRandomModel({"gpt", "tiny", 0, dir / "x.safetensors"}), std::invalid_argument);
  EXPECT_THROW(initRandomModel({"vq", "huge", 0, dir / "x.safetensors"}), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir / "x.safetensors"));
}

TEST(RuntimeEngine, TokenizeReproducesTheOfficialCodesAndFeatures) {
  auto& rt = parityRuntime();
  EXPECT_NE(rt.deviceDescription().find("cpu"), std::string::npos);
  // The runtime uses every CPU it may run on (LibTorch's own default finds 1 core on some VMs).
  EXPECT_EQ(torch::get_num_threads(), neurolm::nn::cpu::defaultCpuThreads());
  EXPECT_NE(rt.deviceDescription().find("LibTorch " + std::to_string(neurolm::nn::cpu::defaultCpuThreads()) +
                                        " thread"),
            std::string::npos)
      << rt.deviceDescription();
  const auto official = first76(npyInts(test::parityDir() / "vq" / "codes.npy"));
  const auto fromNpy = rt.tokenize(paritySource().window({0, 4}, 276)).get();
  EXPECT_EQ(fromNpy.codes, official);
  const auto fromEdf = rt.tokenize(sampleSource().window({2, 6}, 276)).get();
  EXPECT_EQ(fromEdf.codes, official);
  const auto features = readNpy(test::parityDir() / "vq" / "encoder_features.npy").toFloat();
  ASSERT_EQ(fromNpy.featureDim, 768);
  ASSERT_EQ(fromNpy.features.size(), 76u * 768u);
  double worst = 0;
  for (std::size_t i = 0; i < fromNpy.features.size(); ++i)
    worst = std::max(worst, std::abs(double(fromNpy.features[i]) - features[i]));
  std::cout << "[runtime] encoder features max|d| = " << worst << "\n";
  EXPECT_LE(worst, 1e-4);
  // 1024 padding gives the pre-training codes (GroupNorm statistics include the padding).
  const auto pre = rt.tokenize(paritySource().window({0, 4}, 1024)).get();
  EXPECT_EQ(pre.codes, first76(npyInts(test::parityDir() / "vq" / "pickleloader_1024" / "codes.npy")));
}

TEST(RuntimeEngine, AskReproducesBothOfficialDecodesAndStreamsInOrder) {
  auto& rt = parityRuntime();
  const auto window = paritySource().window({0, 4}, 276);
  std::ifstream in(test::parityDir() / "neurolm" / "outputs.json");
  const auto outputs = nlohmann::json::parse(in);
  for (const bool official : {false, true}) {
    AskOptions o;
    o.officialGenerate = official;
    o.choices = {" Yes", " No"};
    std::vector<AskToken> streamed;
    const auto r = rt.ask(window, kWorkloadPrompt, o, [&](const AskToken& t) {
                       streamed.push_back(t);
                       return true;
                     }).get();
    const auto ref = npyInts(test::parityDir() / "neurolm" /
                             (official ? "generate_official_ids.npy" : "generate_causal_greedy_ids.npy"));
    EXPECT_EQ(r.promptIds, std::vector<int64_t>(ref.begin(), ref.begin() + 13));
    EXPECT_EQ(r.answerIds, std::vector<int64_t>(ref.begin() + 13, ref.end()));
    EXPECT_EQ(r.answer, "44444");
    ASSERT_EQ(streamed.size(), 5u);
    for (std::size_t s = 0; s < 5; ++s) {
      EXPECT_EQ(streamed[s].step, static_cast<int64_t>(s));
      EXPECT_EQ(streamed[s].tokenId, r.answerIds[s]);
      EXPECT_EQ(streamed[s].id, r.id);
    }
    // The modes differ in their step 1-4 logits (by ~5e-3): tell them apart.
    const auto& steps = outputs[official ? "generate_official" : "generate_causal_greedy"]["steps"];
    ASSERT_EQ(r.stepTopLogits.size(), 5u);
    for (std::size_t s = 0; s < 5; ++s)
      EXPECT_NEAR(r.stepTopLogits[s], steps[s]["top5_logits"][0].get<double>(), 1e-3) << "step " << s;
    ASSERT_EQ(r.choices.size(), 2u);
    EXPECT_EQ(r.choices[0].tokenIds, (std::vector<int64_t>{3363}));
    EXPECT_EQ(r.choices[1].tokenIds, (std::vector<int64_t>{1400}));
    EXPECT_NEAR(r.choices[0].probability + r.choices[1].probability, 1.0, 1e-12);
    EXPECT_EQ(r.bestChoice, r.choices[0].logProb >= r.choices[1].logProb ? 0 : 1);
  }
}

TEST(RuntimeEngine, CancelStopsAtTheNextTokenAndQueuedRequestsAreDropped) {
  auto& rt = parityRuntime();
  const auto window = paritySource().window({0, 4}, 276);
  AskOptions o;
  o.maxNewTokens = 5;
  int seen = 0;
  const auto r = rt.ask(window, kWorkloadPrompt, o, [&](const AskToken&) { return ++seen < 2; }).get();
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ(r.answerIds.size(), 2u);
  EXPECT_EQ(seen, 2);

  // cancel(id) from another thread while the request runs: the token being computed is not delivered.
  RequestId running = 0;
  std::atomic<int> delivered{0};
  std::promise<void> firstToken;
  auto future = rt.ask(
      window, kWorkloadPrompt, o,
      [&](const AskToken& t) {
        if (delivered++ == 0) {
          firstToken.set_value();
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        (void)t;
        return true;
      },
      &running);
  firstToken.get_future().wait();
  rt.cancel(running);
  const auto c = future.get();
  EXPECT_TRUE(c.cancelled);
  EXPECT_LE(c.answerIds.size(), 2u);
  EXPECT_EQ(static_cast<int>(c.answerIds.size()), delivered.load());

  // A queued request cancelled before it runs never runs.
  std::promise<void> release;
  auto blocker = release.get_future().share();
  auto first = rt.ask(window, kWorkloadPrompt, o, [blocker](const AskToken&) {
    blocker.wait();
    return false;
  });
  RequestId queued = 0;
  auto second = rt.tokenize(window, &queued);
  rt.cancel(queued);
  release.set_value();
  EXPECT_TRUE(first.get().cancelled);
  EXPECT_THROW(second.get(), RequestCancelled);
}

TEST(RuntimeEngine, TinyModelsInOurFormatRunEndToEnd) {
  test::TempDir dir("runtime-tiny");
  initRandomModel({"vq", "tiny", 1, dir / "vq.safetensors"});
  initRandomModel({"neurolm", "tiny", 2, dir / "lm.safetensors"});
  RuntimeOptions o = parityOptions();
  o.tokenizerPath = dir / "vq.safetensors";
  o.neuroLmPath = dir / "lm.safetensors";
  InferenceRuntime rt(o);
  const auto window = paritySource().window({0, 4}, 276);
  const auto t = rt.tokenize(window).get();
  ASSERT_EQ(t.codes.size(), 76u);
  for (auto c : t.codes) EXPECT_TRUE(c >= 0 && c < 8192);
  AskOptions ao;
  ao.choices = {" Yes", " No"};
  ao.stopAtEndOfText = false;
  const auto a = rt.ask(window, kWorkloadPrompt, ao).get();
  EXPECT_EQ(a.answerIds.size(), 5u);
  // Greedy picks the argmax over text ids; the option scores use the same distribution, so the first
  // generated token, as an option, is at least as likely as " Yes" and " No".
  std::string firstText;
  AskOptions one;
  one.maxNewTokens = 1;
  one.stopAtEndOfText = false;
  rt.ask(window, kWorkloadPrompt, one, [&](const AskToken& tok) {
      firstText = tok.bytes;
      return true;
    }).get();
  ASSERT_EQ(rt.encodeText(firstText), std::vector<int64_t>{a.answerIds.front()}) << firstText;
  one.choices = {firstText, " Yes", " No"};
  const auto scored = rt.ask(window, kWorkloadPrompt, one).get();
  EXPECT_EQ(scored.bestChoice, 0);
  EXPECT_GE(scored.choices[0].logProb, std::max(scored.choices[1].logProb, scored.choices[2].logProb));
}

TEST(RuntimeWindows, PreprocessingReportsProgressAndCanBeCancelled) {
  EegSourceOptions o;
  o.channels = {"FP1", "FP2"};
  std::mutex m;
  std::vector<double> seen;
  o.progress = [&](double f) {
    std::lock_guard lock(m);
    seen.push_back(f);
    return true;
  };
  EegSource::openRecording(sampleEdf(), o);
  ASSERT_FALSE(seen.empty());
  EXPECT_DOUBLE_EQ(*std::max_element(seen.begin(), seen.end()), 1.0);
  o.progress = [](double f) { return f < 0.3; };
  EXPECT_THROW(EegSource::openRecording(sampleEdf(), o), preprocess::PreprocessCancelled);
}
