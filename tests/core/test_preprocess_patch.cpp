// Patching, token order and padding (spec §1.3) and tokenizer targets (spec §1.4) against the official
// loaders' outputs in ../shared/parity/vq.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "common/TestPaths.h"
#include "core/io/Npy.h"
#include "core/preprocess/ChannelVocabulary.h"
#include "core/preprocess/PatchGrid.h"
#include "core/preprocess/WorkloadProtocol.h"

using namespace neurolm;
using namespace neurolm::preprocess;

namespace {

const std::vector<std::int32_t> kEegmatIndices = {0, 2, 17, 21, 15, 23, 88, 90, 39, 43,
                                                  89, 91, 61, 65, 80, 82, 19, 41, 63};

// The official window 0 of Subject00_2 (µV, float64 [19, 800]) as a 200-Hz signal.
MultichannelSignal officialWindow() {
  const auto a = readNpy(test::parityDir() / "vq" / "window_uV_f64.npy");
  EXPECT_EQ(a.shape, (std::vector<std::size_t>{19, 800}));
  const auto v = a.toDouble();
  MultichannelSignal s;
  s.sampleRateHz = 200.0;
  for (auto name : workloadEdfChannelOrder()) s.names.emplace_back(name);
  for (std::size_t c = 0; c < 19; ++c) s.samplesUv.emplace_back(v.begin() + c * 800, v.begin() + (c + 1) * 800);
  return s;
}

template <typename T>
std::vector<std::int64_t> asInt64(const std::vector<T>& v) {
  return std::vector<std::int64_t>(v.begin(), v.end());
}

}  // namespace

TEST(PreprocessPatch, TokenOrderAndPaddingOfTheSpecExample) {
  const PatchGrid g = makePatchGrid(officialWindow(), kEegmatIndices, 0, 4, 276);
  ASSERT_EQ(g.realTokenCount(), 76u);
  ASSERT_EQ(g.inputChans.size(), 276u);
  for (std::size_t a = 0; a < 4; ++a)
    for (std::size_t n = 0; n < 19; ++n) {
      EXPECT_EQ(g.inputChans[a * 19 + n], kEegmatIndices[n]);
      EXPECT_EQ(g.inputTime[a * 19 + n], static_cast<std::int32_t>(a));
      EXPECT_EQ(g.inputMask[a * 19 + n], 1);
    }
  for (std::size_t p = 76; p < 276; ++p) {
    EXPECT_EQ(g.inputChans[p], 136);
    EXPECT_EQ(g.inputTime[p], 0);
    EXPECT_EQ(g.inputMask[p], 0);
    for (float v : g.patch(p)) ASSERT_EQ(v, 0.0f);
  }
  // token 57 = second 3 of FP1: samples 600…799 of row 0, /100
  const auto w = officialWindow();
  EXPECT_EQ(g.patch(57)[0], static_cast<float>(w.samplesUv[0][600] / 100.0));
  EXPECT_EQ(g.patch(75)[199], static_cast<float>(w.samplesUv[18][799] / 100.0));
}

TEST(PreprocessPatch, EqualsTheOfficialLoaderTensors) {
  const PatchGrid g = makePatchGrid(officialWindow(), kEegmatIndices, 0, 4, kInstructionPaddedLength);
  const auto dir = test::parityDir() / "vq";
  EXPECT_EQ(readNpy(dir / "input_x.npy").toFloat(), g.patches);  // bit-identical float32
  EXPECT_EQ(readNpy(dir / "input_chans.npy").toInt64(), asInt64(g.inputChans));
  EXPECT_EQ(readNpy(dir / "input_time.npy").toInt64(), asInt64(g.inputTime));
  EXPECT_EQ(readNpy(dir / "input_mask.npy").toInt64(), asInt64(g.inputMask));
  // Appendix A: x[0, 0:4], x[19, 0:2]
  EXPECT_NEAR(g.patch(0)[0], 0.10265104, 5e-9);  // 8 printed decimals
  EXPECT_NEAR(g.patch(0)[3], 0.13914502, 5e-9);
  EXPECT_NEAR(g.patch(19)[0], -0.26800978, 5e-9);
  EXPECT_NEAR(g.patch(19)[1], -0.21571755, 5e-9);

  const PatchGrid g1024 = makePatchGrid(officialWindow(), kEegmatIndices, 0, 4, kPretrainPaddedLength);
  EXPECT_EQ(readNpy(dir / "pickleloader_1024" / "input_chans.npy").toInt64(), asInt64(g1024.inputChans));
  EXPECT_EQ(readNpy(dir / "pickleloader_1024" / "input_time.npy").toInt64(), asInt64(g1024.inputTime));
  EXPECT_EQ(readNpy(dir / "pickleloader_1024" / "input_mask.npy").toInt64(), asInt64(g1024.inputMask));
}

TEST(PreprocessPatch, TokenizerTargetsMatchThePickleLoader) {
  const PatchGrid g = makePatchGrid(officialWindow(), kEegmatIndices, 0, 4, kPretrainPaddedLength);
  const TokenizerTargets t = makeTokenizerTargets(g);
  ASSERT_EQ(t.yRaw.size(), 1024u * 200u);
  ASSERT_EQ(t.yFreq.size(), 1024u * 100u);
  const auto dir = test::parityDir() / "vq" / "pickleloader_1024";
  const auto yRaw = readNpy(dir / "Y_raw_rows0_75.npy");
  const auto yFreq = readNpy(dir / "Y_freq_rows0_75.npy");
  ASSERT_EQ(yRaw.shape, (std::vector<std::size_t>{1, 76, 200}));
  ASSERT_EQ(yFreq.shape, (std::vector<std::size_t>{1, 76, 100}));
  const auto raw = yRaw.toFloat();
  const auto freq = yFreq.toFloat();
  // The official targets are float32 torch arithmetic; ours float64 rounded once: a few float32 ulps apart.
  float rawDiff = 0, freqDiff = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) rawDiff = std::max(rawDiff, std::abs(raw[i] - t.yRaw[i]));
  for (std::size_t i = 0; i < freq.size(); ++i) freqDiff = std::max(freqDiff, std::abs(freq[i] - t.yFreq[i]));
  EXPECT_LE(rawDiff, 2e-6f) << "Y_raw max |Δ| (values up to 5.2)";
  EXPECT_LE(freqDiff, 1e-5f) << "Y_freq max |Δ| (values up to 17.4)";
  std::printf("[ measure  ] tokenizer targets vs official PickleLoader: max |dY_raw| %.3g, max |dY_freq| %.3g\n",
              rawDiff, freqDiff);
  for (std::size_t i = 76 * 200; i < t.yRaw.size(); ++i) ASSERT_EQ(t.yRaw[i], 0.0f);
  for (std::size_t i = 76 * 100; i < t.yFreq.size(); ++i) ASSERT_EQ(t.yFreq[i], 0.0f);
  // one mean / one unbiased std over the whole window: the real rows of Y_raw have mean 0 and std 1
  double sum = 0, squares = 0;
  for (std::size_t i = 0; i < 76 * 200; ++i) sum += t.yRaw[i];
  const double mean = sum / (76 * 200);
  for (std::size_t i = 0; i < 76 * 200; ++i) squares += (t.yRaw[i] - mean) * (t.yRaw[i] - mean);
  EXPECT_NEAR(mean, 0.0, 1e-6);
  EXPECT_NEAR(std::sqrt(squares / (76 * 200 - 1)), 1.0, 1e-6);
}

TEST(PreprocessPatch, LimitsNameTheLimitAndTheValue) {
  MultichannelSignal s;
  s.sampleRateHz = 200.0;
  s.names = {"Cz", "Pz"};
  s.samplesUv.assign(2, std::vector<double>(200 * 70, 1.0));
  const std::vector<std::int32_t> idx = {41, 63};
  const auto expectMessage = [&](auto&& call, std::vector<std::string> parts) {
    try {
      call();
      ADD_FAILURE() << "accepted";
    } catch (const std::invalid_argument& e) {
      for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    }
  };
  expectMessage([&] { makePatchGrid(s, idx, 0, 65, 1024); }, {"A = 65", "64"});
  expectMessage([&] { makePatchGrid(s, idx, 0, 0, 1024); }, {"A = 0"});
  expectMessage([&] { makePatchGrid(s, idx, 0, 20, 32); }, {"40 tokens", "Le = 32"});
  expectMessage([&] { makePatchGrid(s, idx, 200 * 60, 11, 1024); }, {"outside", "14000"});
  expectMessage([&] { makePatchGrid(s, std::vector<std::int32_t>{41, 136}, 0, 4, 276); }, {"136"});
  expectMessage([&] { makePatchGrid(s, std::vector<std::int32_t>{41}, 0, 4, 276); }, {"1 vocabulary indices"});
  auto s500 = s;
  s500.sampleRateHz = 500.0;
  expectMessage([&] { makePatchGrid(s500, idx, 0, 4, 276); }, {"200 Hz", "500"});
  EXPECT_EQ(makePatchGrid(s, idx, 200 * 6, 64, 128).realTokenCount(), 128u);  // A = 64, A·N = Le: allowed
}

TEST(PreprocessPatch, WorkloadWindowsCutTheLastMinute) {
  MultichannelSignal s;
  s.sampleRateHz = 200.0;
  s.names = {"Cz"};
  s.samplesUv.assign(1, std::vector<double>(12400));
  for (std::size_t i = 0; i < 12400; ++i) s.samplesUv[0][i] = static_cast<double>(i);
  const auto windows = workloadWindows(s);
  ASSERT_EQ(windows.size(), 29u);
  for (std::size_t i = 0; i < 29; ++i) {
    ASSERT_EQ(windows[i].samplesUv[0].size(), 800u);
    EXPECT_EQ(windows[i].samplesUv[0].front(), 400.0 + 400.0 * static_cast<double>(i));
  }
  EXPECT_EQ(windows[28].samplesUv[0].back(), 12399.0);
  s.samplesUv[0].resize(11999);
  try {
    workloadWindows(s);
    FAIL() << "short recording accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("11999"), std::string::npos) << e.what();
  }
}
