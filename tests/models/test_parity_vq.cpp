// Tokenizer parity: the official VQ_Align fixture checkpoint through our modules vs the official outputs
// (../shared/parity/vq, tolerances of its README).
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/TestPaths.h"
#include "core/io/Npy.h"
#include "models/io/StateDict.h"
#include "models/io/TorchCheckpoint.h"
#include "models/nn/Configs.h"
#include "models/nn/Vq.h"

using namespace neurolm;
using namespace neurolm::nn;

namespace {

std::filesystem::path vqDir() { return test::parityDir() / "vq"; }

torch::Tensor loadNpy(const std::filesystem::path& path) {
  const auto a = readNpy(path);
  const std::vector<int64_t> shape(a.shape.begin(), a.shape.end());
  switch (a.type) {
    case NpyType::Bool:
      return torch::tensor(a.toInt64()).view(shape).to(torch::kBool);
    case NpyType::Int32:
      return torch::tensor(a.toInt64()).view(shape).to(torch::kInt);
    case NpyType::Int64:
      return torch::tensor(a.toInt64()).view(shape);
    default:
      return torch::tensor(a.toFloat()).view(shape);
  }
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes().vec(), b.sizes().vec());
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

// Prints the measured deviation (for the parity report) and checks it.
void expectClose(const char* what, const torch::Tensor& ours, const torch::Tensor& official,
                 double tolerance) {
  const double d = maxAbsDiff(ours, official);
  std::cout << "[parity] " << what << " max|d| = " << d << " (tolerance " << tolerance << ")\n";
  EXPECT_LE(d, tolerance) << what;
}

void expectRelClose(const char* what, double ours, double official, double relTolerance) {
  const double rel = std::abs(ours - official) / std::abs(official);
  std::cout << "[parity] " << what << " ours " << ours << " official " << official << " rel " << rel << "\n";
  EXPECT_LE(rel, relTolerance) << what;
}

struct VqFixture {
  VQAlign model{nullptr};
  nlohmann::json outputs;
};

VqFixture& fixture() {
  static VqFixture f = [] {
    torch::set_num_threads(2);
    const auto ckpt = readTorchCheckpoint(vqDir() / "ckpt.pt");
    VqFixture v;
    v.model = VQAlign(vqConfigFromArgs(ckpt.encoderArgs, ckpt.decoderArgs));
    loadStateDict(*v.model, ckpt.modelTensors, (vqDir() / "ckpt.pt").string());
    v.model->eval();
    std::ifstream in(vqDir() / "outputs.json");
    v.outputs = nlohmann::json::parse(in);
    return v;
  }();
  return f;
}

EegBatch batch276() {
  return {loadNpy(vqDir() / "input_x.npy"), loadNpy(vqDir() / "input_chans.npy"),
          loadNpy(vqDir() / "input_time.npy"), loadNpy(vqDir() / "input_mask.npy")};
}

}  // namespace

TEST(ParityVq, CheckpointConfigIsTheFixtureTokenizer) {
  auto& vq = *fixture().model->vq;
  EXPECT_EQ(vq.config().encoder.nLayer, 0);
  EXPECT_EQ(vq.config().decoder.nLayer, 2);
  EXPECT_EQ(vq.config().decoder.nEmbd, 32);
  EXPECT_EQ(countBlocks(orderedStateDict(*fixture().model), "VQ.decoder_raw.blocks."), 2);
}

TEST(ParityVq, EncoderFeaturesCodesAndQuantisedVectorsMatchTheOfficialOutputs) {
  auto& vq = *fixture().model->vq;
  const auto eeg = batch276();
  const auto clusterBefore = vq.quantize->cluster_size.clone();
  torch::NoGradGuard g;
  const auto enc = vq.encode(eeg);
  expectClose("vq encoder_features", enc.features, loadNpy(vqDir() / "encoder_features.npy"), 1e-4);
  expectClose("vq to_quantizer_features", enc.toQuantizer, loadNpy(vqDir() / "to_quantizer_features.npy"),
              1e-5);
  expectClose("vq z_normalized", enc.z, loadNpy(vqDir() / "z_normalized.npy"), 1e-5);
  expectClose("vq z_q", enc.zq, loadNpy(vqDir() / "z_q.npy"), 1e-5);
  const auto codes = loadNpy(vqDir() / "codes.npy");
  EXPECT_TRUE(torch::equal(enc.codes, codes))
      << "codes differ at " << (enc.codes != codes).sum().item<int64_t>();
  // The listed real-token codes of outputs.json (independent copy).
  const auto listed = fixture().outputs["codes_real_tokens_276"].get<std::vector<int64_t>>();
  EXPECT_TRUE(torch::equal(enc.codes[0].narrow(0, 0, 76), torch::tensor(listed)));
  expectRelClose("vq commitment_loss_276", enc.commitmentLoss.item<double>(),
                 fixture().outputs["commitment_loss_276"].get<double>(), 1e-5);
  EXPECT_TRUE(torch::equal(vq.codebookIndices(eeg), codes));
  EXPECT_TRUE(torch::equal(vq.quantize->cluster_size, clusterBefore))
      << "inference must not change the quantizer";
}

TEST(ParityVq, DecoderOutputsMatchTheOfficialOutputs) {
  auto& vq = *fixture().model->vq;
  const auto eeg = batch276();
  torch::NoGradGuard g;
  const auto dec = vq.decode(vq.encode(eeg).zq, eeg);
  expectClose("vq decoder_freq_features", dec.freqFeatures, loadNpy(vqDir() / "decoder_freq_features.npy"),
              1e-4);
  expectClose("vq decoder_raw_features", dec.rawFeatures, loadNpy(vqDir() / "decoder_raw_features.npy"),
              1e-4);
  expectClose("vq rec_freq", dec.recFreq, loadNpy(vqDir() / "rec_freq.npy"), 1e-4);
  expectClose("vq rec_raw", dec.recRaw, loadNpy(vqDir() / "rec_raw.npy"), 1e-4);
}

TEST(ParityVq, PickleLoader1024FeaturesCodesAndLossesMatch) {
  auto& vq = *fixture().model->vq;
  const auto dir = vqDir() / "pickleloader_1024";
  EegBatch eeg{torch::zeros({1, 1024, 200}), loadNpy(dir / "input_chans.npy"),
               loadNpy(dir / "input_time.npy"), loadNpy(dir / "input_mask.npy")};
  eeg.x.narrow(1, 0, 76).copy_(loadNpy(vqDir() / "input_x.npy").narrow(1, 0, 76));
  auto yFreq = torch::zeros({1, 1024, 100});
  auto yRaw = torch::zeros({1, 1024, 200});
  yFreq.narrow(1, 0, 76).copy_(loadNpy(dir / "Y_freq_rows0_75.npy"));
  yRaw.narrow(1, 0, 76).copy_(loadNpy(dir / "Y_raw_rows0_75.npy"));
  torch::NoGradGuard g;
  const auto enc = vq.encode(eeg);
  expectClose("vq 1024 encoder_features rows 0-75", enc.features.narrow(1, 0, 76),
              loadNpy(dir / "encoder_features_rows0_75.npy"), 1e-4);
  EXPECT_TRUE(torch::equal(enc.codes, loadNpy(dir / "codes.npy")));
  const auto listed = fixture().outputs["codes_real_tokens_1024"].get<std::vector<int64_t>>();
  EXPECT_TRUE(torch::equal(enc.codes[0].narrow(0, 0, 76), torch::tensor(listed)));
  const auto losses = vq.losses(eeg, yFreq, yRaw);
  const auto& ref = fixture().outputs["pickleloader_1024_losses(eval-mode VQ.forward)"];
  expectRelClose("vq 1024 quant_loss", losses.quant.item<double>(), ref["val/quant_loss"].get<double>(),
                 1e-5);
  expectRelClose("vq 1024 rec_freq_loss", losses.recFreq.item<double>(),
                 ref["val/rec_freq_loss"].get<double>(), 1e-5);
  expectRelClose("vq 1024 rec_raw_loss", losses.recRaw.item<double>(), ref["val/rec_raw_loss"].get<double>(),
                 1e-5);
  expectRelClose("vq 1024 total_loss", losses.total.item<double>(), ref["val/total_loss"].get<double>(),
                 1e-5);
}

TEST(ParityVq, PaddingShortcutReproducesTheOfficialPaddedFeatures) {
  auto& encoder = *fixture().model->vq->encoder;
  const auto eeg = batch276();
  const auto x = eeg.x.narrow(1, 0, 76), chans = eeg.inputChans.narrow(1, 0, 76),
             time = eeg.inputTime.narrow(1, 0, 76);
  torch::NoGradGuard g;
  expectClose("vq fast path (276) encoder_features rows 0-75", encoder.forwardRealTokens(x, chans, time, 276),
              loadNpy(vqDir() / "encoder_features.npy").narrow(1, 0, 76), 1e-4);
  expectClose("vq fast path (1024) encoder_features rows 0-75",
              encoder.forwardRealTokens(x, chans, time, 1024),
              loadNpy(vqDir() / "pickleloader_1024" / "encoder_features_rows0_75.npy"), 1e-4);
  // What the runtime tokenizes with: the whole VQ encode on the real tokens gives the official codes.
  const auto real = fixture().model->vq->encodeRealTokens(eeg);
  ASSERT_EQ(real.codes.sizes(), (std::vector<int64_t>{1, 76}));
  const auto listed = fixture().outputs["codes_real_tokens_276"].get<std::vector<int64_t>>();
  EXPECT_TRUE(torch::equal(real.codes[0], torch::tensor(listed)));
  expectClose("vq fast path (276) z_q rows 0-75", real.zq, loadNpy(vqDir() / "z_q.npy").narrow(1, 0, 76), 1e-5);
}
