// InferenceRuntime::patchSpectra: the real spectrum of each patch equals numpy's std_norm(|FFT|)[:, :100]
// (tests/tools/patch_spectrum_reference.py) and the official loader's Y_freq; the reconstruction equals
// VQ::decode(zq).recFreq computed here and the official rec_freq fixture (../shared/parity/vq); rows are
// time-major (a sine on one channel peaks at its bin in that channel's rows only).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>

#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/io/Npy.h"
#include "core/preprocess/ChannelVocabulary.h"
#include "core/preprocess/PatchGrid.h"
#include "models/TorchNpy.h"
#include "models/nn/EegBatch.h"
#include "models/runtime/EegWindows.h"
#include "models/runtime/InferenceRuntime.h"
#include "models/runtime/ModelStore.h"

using namespace neurolm;
using namespace neurolm::runtime;

namespace {

const std::vector<std::string> kParityChannels = {"FP1", "FP2", "F3", "F4", "F7", "F8", "T3",
                                                  "T4",  "C3",  "C4", "T5", "T6", "P3", "P4",
                                                  "O1",  "O2",  "FZ", "CZ", "PZ"};

std::filesystem::path vqDir() { return test::parityDir() / "vq"; }

InferenceRuntime& vqRuntime() {
  static InferenceRuntime r([] {
    RuntimeOptions o;
    o.tokenizerPath = vqDir() / "ckpt.pt";
    o.device = "cpu";
    return o;
  }());
  return r;
}

preprocess::PatchGrid parityWindow() {
  static const EegSource s = EegSource::openNpy(vqDir() / "window_scaled_f32.npy", kParityChannels);
  return s.window({0, 4}, 276);
}

struct NumpyReference {
  std::vector<double> yFreq;  // [P, 100]
  double mean = 0, std = 0;
};

// numpy's std_norm(|FFT|) of the grid's real patches, in a separate Python process.
NumpyReference numpyReference(const preprocess::PatchGrid& grid, const test::TempDir& tmp) {
  const std::size_t p = grid.realTokenCount();
  const std::vector<float> real(grid.patches.begin(), grid.patches.begin() + p * 200);
  writeNpy(tmp / "patches.npy", makeNpy(real, {p, 200}));
  const std::string cmd = std::string(test::python()) + " '" +
                          (test::testsDir() / "tools" / "patch_spectrum_reference.py").string() + "' '" +
                          (tmp / "patches.npy").string() + "' '" + (tmp / "yfreq.npy").string() + "' '" +
                          (tmp / "stats.json").string() + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  NumpyReference r;
  const auto y = readNpy(tmp / "yfreq.npy");
  EXPECT_EQ(y.shape, (std::vector<std::size_t>{p, 100}));
  r.yFreq = y.toDouble();
  std::ifstream in(tmp / "stats.json");
  const auto j = nlohmann::json::parse(in);
  r.mean = j.at("mean").get<double>();
  r.std = j.at("std").get<double>();
  return r;
}

double maxAbsDiff(const std::vector<float>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    worst = std::max(worst, std::abs(static_cast<double>(a[i]) - b[i]));
  return worst;
}

// Largest |a − b| / (1 + |b|): float32 rounding of values of any size.
double maxScaledDiff(const std::vector<float>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    worst = std::max(worst, std::abs(static_cast<double>(a[i]) - b[i]) / (1 + std::abs(b[i])));
  return worst;
}

std::vector<double> asDouble(const torch::Tensor& t) {
  const auto c = t.to(torch::kDouble).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

std::size_t argmaxBin(const std::vector<float>& rows, std::size_t row, std::size_t bins) {
  std::size_t best = 0;
  for (std::size_t k = 1; k < bins; ++k)
    if (rows[row * bins + k] > rows[row * bins + best]) best = k;
  return best;
}

}  // namespace

TEST(PatchSpectra, RealSpectraEqualNumpyAndReconstructionsEqualTheDecoder) {
  test::TempDir tmp("patch-spectra");
  const auto grid = parityWindow();
  const auto r = vqRuntime().patchSpectra(grid).get();
  ASSERT_EQ(r.channelCount, 19u);
  ASSERT_EQ(r.windowSec, 4u);
  ASSERT_EQ(r.binCount, 100u);
  ASSERT_EQ(r.real.size(), 76u * 100u);
  ASSERT_EQ(r.reconstructed.size(), 76u * 100u);

  // Real: numpy in its own process, and the official tokenizer-training loader's Y_freq of the same window.
  const auto numpy = numpyReference(grid, tmp);
  const double dNumpy = maxScaledDiff(r.real, numpy.yFreq);
  std::cout << "[spectra] real vs numpy max|d|/(1+|y|) = " << dNumpy << "\n";
  EXPECT_LE(dNumpy, 1e-6);
  EXPECT_NEAR(r.amplitudeMean, numpy.mean, 1e-9 * numpy.mean);
  EXPECT_NEAR(r.amplitudeStd, numpy.std, 1e-9 * numpy.std);
  const auto official = test::loadNpyTensor(vqDir() / "pickleloader_1024" / "Y_freq_rows0_75.npy")[0];
  const double dOfficial = maxAbsDiff(r.real, asDouble(official));
  std::cout << "[spectra] real vs official Y_freq max|d| = " << dOfficial << "\n";
  EXPECT_LE(dOfficial, 1e-5);

  // Reconstruction: VQ::decode(encode(batch).zq) of the same checkpoint, run here, and the official output.
  auto loaded = loadTokenizer(vqDir() / "ckpt.pt");
  torch::Tensor direct;
  torch::Tensor codes;
  {
    c10::InferenceMode inference;
    const nn::EegBatch batch{test::loadNpyTensor(vqDir() / "input_x.npy"),
                             test::loadNpyTensor(vqDir() / "input_chans.npy").to(torch::kLong),
                             test::loadNpyTensor(vqDir() / "input_time.npy").to(torch::kLong),
                             test::loadNpyTensor(vqDir() / "input_mask.npy")};
    const auto enc = loaded.vq->encode(batch);
    direct = loaded.vq->decode(enc.zq, batch).recFreq[0].slice(0, 0, 76);  // [276, 100] -> [76, 100]
    codes = enc.codes[0].slice(0, 0, 76);
  }
  const double dDirect = maxAbsDiff(r.reconstructed, asDouble(direct));
  std::cout << "[spectra] reconstruction vs VQ::decode max|d| = " << dDirect << "\n";
  EXPECT_LE(dDirect, 1e-6);
  const auto officialRec = test::loadNpyTensor(vqDir() / "rec_freq.npy")[0].slice(0, 0, 76);
  const double dRec = maxAbsDiff(r.reconstructed, asDouble(officialRec));
  std::cout << "[spectra] reconstruction vs official rec_freq max|d| = " << dRec << "\n";
  EXPECT_LE(dRec, 1e-4);
  EXPECT_EQ(r.codes, std::vector<int64_t>(codes.data_ptr<int64_t>(), codes.data_ptr<int64_t>() + 76));
  EXPECT_EQ(r.codes, vqRuntime().tokenize(grid).get().codes);  // what the token lane shows
}

TEST(PatchSpectra, RowsAreTimeMajorASineOnOneChannelPeaksAtItsBinInItsRows) {
  // 3 channels × 3 s: a small sine of 4 + n Hz on channel n, channel 1 a strong 13-Hz sine throughout and
  // channel 2 a strong 31-Hz sine in second 2 only. Token a·3 + n is channel n of second a.
  test::TempDir tmp("patch-spectra-sine");
  MultichannelSignal signal;
  signal.names = {"FP1", "CZ", "O2"};
  signal.sampleRateHz = 200;
  signal.samplesUv.assign(3, std::vector<double>(600));
  for (std::size_t i = 0; i < 600; ++i) {
    const double t = static_cast<double>(i) / 200.0;
    for (std::size_t c = 0; c < 3; ++c)
      signal.samplesUv[c][i] = 5.0 * std::sin(2 * std::numbers::pi * (4.0 + c) * t + 0.3 * c);
    signal.samplesUv[1][i] += 60.0 * std::sin(2 * std::numbers::pi * 13.0 * t);
    if (i >= 400) signal.samplesUv[2][i] += 80.0 * std::sin(2 * std::numbers::pi * 31.0 * t + 1.0);
  }
  std::vector<std::int32_t> vocab;
  for (const auto& name : signal.names) vocab.push_back(*preprocess::vocabularyIndex(name));
  const auto grid = preprocess::makePatchGrid(signal, vocab, 0, 3, 276);
  const auto r = vqRuntime().patchSpectra(grid).get();
  ASSERT_EQ(r.real.size(), 9u * 100u);
  ASSERT_EQ(r.reconstructed.size(), 9u * 100u);
  for (std::size_t a = 0; a < 3; ++a) {
    EXPECT_EQ(argmaxBin(r.real, a * 3 + 0, 100), 4u) << "second " << a;
    EXPECT_EQ(argmaxBin(r.real, a * 3 + 1, 100), 13u) << "second " << a;
    EXPECT_EQ(argmaxBin(r.real, a * 3 + 2, 100), a == 2 ? 31u : 6u) << "second " << a;
  }
  const auto numpy = numpyReference(grid, tmp);
  EXPECT_LE(maxScaledDiff(r.real, numpy.yFreq), 1e-6);
  // The amplitude of the 13-Hz bin comes back from the standardisation: |DFT| of 60 µV / 100 over 200
  // samples = 0.6 · 200 / 2 = 60 (model units; whole cycles, so no leakage).
  const double bin13 = r.real[1 * 100 + 13] * r.amplitudeStd + r.amplitudeMean;
  EXPECT_NEAR(bin13, 60.0, 1e-3);
}

TEST(PatchSpectra, ANeuroLmFileAloneHasNoSpectrumDecoderAndSaysSo) {
  RuntimeOptions o;
  o.neuroLmPath = test::parityDir() / "neurolm" / "ckpt.pt";
  o.bpeDir = test::resourcesDir() / "tokenizer" / "gpt2";
  o.device = "cpu";
  InferenceRuntime lmOnly(o);
  auto future = lmOnly.patchSpectra(parityWindow());
  try {
    future.get();
    ADD_FAILURE() << "no error";
  } catch (const NoSpectrumDecoder& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("no spectrum decoder"), std::string::npos) << what;
    EXPECT_NE(what.find("ckpt.pt"), std::string::npos) << what;
  }
}
