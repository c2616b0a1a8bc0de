// Module structure (keys, shapes, parameter counts), masks, attention and quantizer behaviour.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/TestPaths.h"
#include "core/io/Npy.h"
#include "models/nn/Attention.h"
#include "models/nn/NeuroLm.h"
#include "models/nn/Vq.h"

using namespace neurolm;
using namespace neurolm::nn;

namespace {

nlohmann::json facts() {
  std::ifstream in(test::sharedDir() / "spec" / "neurolm_facts.json");
  return nlohmann::json::parse(in);
}

const torch::TensorOptions kMetaOptions = torch::TensorOptions().device(torch::kMeta);

// Compares the module's state dict (order, names, shapes, requires_grad) with a facts.json key list.
void expectStateDictEquals(const torch::nn::Module& module, const nlohmann::json& expected) {
  const auto state = orderedStateDict(module);
  ASSERT_EQ(state.size(), expected.size());
  std::vector<std::string> bufferNames;
  for (const auto& b : module.named_buffers()) bufferNames.push_back(b.key());
  for (size_t i = 0; i < state.size(); ++i) {
    const auto& [name, tensor] = state[i];
    EXPECT_EQ(name, expected[i][0].get<std::string>()) << "entry " << i;
    EXPECT_EQ(tensor.sizes().vec(), expected[i][1].get<std::vector<int64_t>>()) << name;
    const bool isBuffer = std::find(bufferNames.begin(), bufferNames.end(), name) != bufferNames.end();
    if (expected[i][2].is_null()) {
      EXPECT_TRUE(isBuffer) << name << " should be a buffer";
    } else {
      EXPECT_FALSE(isBuffer) << name << " should be a parameter";
      EXPECT_EQ(tensor.requires_grad(), expected[i][2].get<bool>()) << name;
    }
  }
}

int64_t countWithPrefix(const torch::nn::Module& m, const std::string& prefix) {
  int64_t n = 0;
  for (const auto& [name, t] : orderedStateDict(m))
    if (name.rfind(prefix, 0) == 0) n += t.numel();
  return n;
}

int64_t trainableCount(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters())
    if (p.requires_grad()) n += p.numel();
  return n;
}

torch::Tensor npyTensor(const std::filesystem::path& path) {
  const auto a = readNpy(path);
  std::vector<int64_t> shape(a.shape.begin(), a.shape.end());
  switch (a.type) {
    case NpyType::Bool:
      return torch::tensor(a.toInt64()).view(shape).to(torch::kBool);
    case NpyType::Int32:
    case NpyType::Int64:
      return torch::tensor(a.toInt64()).view(shape);
    default:
      return torch::tensor(a.toFloat()).view(shape);
  }
}

}  // namespace

// ------------------------------------------------------------------------------------------- keys and counts
TEST(NnStructure, VqAlignStateDictEqualsTheOfficialKeysShapesAndOrder) {
  VQAlign model(VqConfig::official(), kMetaOptions);
  expectStateDictEquals(*model, facts()["state_dict_keys"]["VQ_Align"]);
}

TEST(NnStructure, NeuroLmBStateDictEqualsTheOfficialKeysShapesAndOrder) {
  NeuroLM model(NeuroLmConfig::B(), kMetaOptions);
  EXPECT_FALSE(model->hasTransformLayer());
  expectStateDictEquals(*model, facts()["state_dict_keys"]["NeuroLM_B"]);
}

TEST(NnStructure, NeuroLmLAndXLAppendTheTransformLayerAfterPosEmbed) {
  for (const auto& [config, d] :
       {std::pair{NeuroLmConfig::L(), int64_t{1024}}, {NeuroLmConfig::XL(), int64_t{1600}}}) {
    NeuroLM model(config, kMetaOptions);
    const auto state = orderedStateDict(*model);
    ASSERT_GE(state.size(), 3u);
    const auto n = state.size();
    EXPECT_EQ(state[n - 3].first, "pos_embed.weight");
    EXPECT_EQ(state[n - 3].second.sizes().vec(), (std::vector<int64_t>{256, d}));
    EXPECT_EQ(state[n - 2].first, "encode_transform_layer.0.weight");
    EXPECT_EQ(state[n - 2].second.sizes().vec(), (std::vector<int64_t>{d, 768}));
    EXPECT_EQ(state[n - 1].first, "encode_transform_layer.0.bias");
  }
}

TEST(NnStructure, ParameterCountsOfBLAndXLEqualSpecTable71) {
  const auto counts = facts()["param_counts"];
  for (const auto& [config, key] : {std::pair{NeuroLmConfig::B(), "NeuroLM_B"},
                                    {NeuroLmConfig::L(), "NeuroLM_L"},
                                    {NeuroLmConfig::XL(), "NeuroLM_XL"}}) {
    NeuroLM model(config, kMetaOptions);  // no memory: XL alone would be 7 GB
    const auto& c = counts[key];
    const int64_t total = stateElementCount(*model);
    EXPECT_EQ(total, c["total"].get<int64_t>()) << key;
    EXPECT_EQ(total - model->GPT2->transformer->wpe->weight.numel(),
              c["get_num_params_minus_wpe"].get<int64_t>());
    EXPECT_EQ(countWithPrefix(*model, "GPT2."), c["gpt2_part"].get<int64_t>()) << key;
    EXPECT_EQ(countWithPrefix(*model, "tokenizer."), c["tokenizer_frozen"].get<int64_t>()) << key;
    EXPECT_EQ(countWithPrefix(*model, "pos_embed."), c["pos_embed"].get<int64_t>()) << key;
    EXPECT_EQ(countWithPrefix(*model, "encode_transform_layer."), c["encode_transform_layer"].get<int64_t>());
    EXPECT_EQ(trainableCount(*model), c["trainable"].get<int64_t>()) << key;
  }
  EXPECT_EQ(counts["NeuroLM_XL"]["total"].get<int64_t>(), 1738430272);  // 1.74 B, spec §7.1
}

TEST(NnStructure, TokenizerParameterCountsEqualSpec) {
  const auto c = facts()["param_counts"];
  VQAlign model(VqConfig::official(), kMetaOptions);
  EXPECT_EQ(stateElementCount(*model), c["VQ_Align_state_total"].get<int64_t>());
  EXPECT_EQ(countWithPrefix(*model, "VQ.encoder."), c["VQ_encoder"].get<int64_t>());
  EXPECT_EQ(countWithPrefix(*model, "VQ.decoder_freq."), c["VQ_decoder_each"].get<int64_t>());
  EXPECT_EQ(countWithPrefix(*model, "VQ.quantize."), c["VQ_quantize_state"].get<int64_t>());
  EXPECT_EQ(countWithPrefix(*model, "VQ.encode_task_layer."), c["encode_task_layer"].get<int64_t>());
  EXPECT_EQ(countWithPrefix(*model, "VQ.decode_task_layer_freq."),
            c["decode_task_layer_freq"].get<int64_t>());
  EXPECT_EQ(countWithPrefix(*model, "VQ.decode_task_layer_raw."), c["decode_task_layer_raw"].get<int64_t>());
  EXPECT_EQ(countWithPrefix(*model, "domain_classifier."), c["domain_classifier"].get<int64_t>());
  EXPECT_EQ(countWithPrefix(*model, "wte."), c["align_wte_frozen"].get<int64_t>());
  EXPECT_EQ(trainableCount(*model->vq), c["VQ_trainable_without_domain_classifier"].get<int64_t>());
}

TEST(NnStructure, BiasFreeBlockLayerNormHasOnlyAWeight) {
  Block block(BlockConfig{32, 2, false, 1e-5});
  std::vector<std::string> names;
  for (const auto& [n, t] : orderedStateDict(*block)) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"ln_1.weight", "attn.c_attn.weight", "attn.c_proj.weight",
                                             "ln_2.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"}));
  Block biased(BlockConfig{32, 2, true, 1e-5});
  EXPECT_EQ(orderedStateDict(*biased).size(), 12u);
}

// ------------------------------------------------------------------------------------------------- masks
TEST(NnMask, StairMaskEqualsTheWorkedExampleOfSpec43) {
  const std::vector<std::vector<int>> expected = {
      {1, 1, 0, 0, 0, 0, 0, 0, 0}, {1, 1, 0, 0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 0, 0, 0, 0, 0},
      {1, 1, 1, 1, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 0, 0, 0, 0, 0},
      {1, 1, 1, 1, 0, 0, 1, 0, 0}, {1, 1, 1, 1, 0, 0, 1, 1, 0}, {1, 1, 1, 1, 0, 0, 1, 1, 1}};
  const auto formula = stairMask(/*channels=*/2, /*seconds=*/2, /*padded=*/6, /*text=*/3);
  ASSERT_EQ(formula.sizes().vec(), (std::vector<int64_t>{9, 9}));
  for (int i = 0; i < 9; ++i)
    for (int j = 0; j < 9; ++j) EXPECT_EQ(formula[i][j].item<bool>(), expected[i][j] == 1) << i << "," << j;
  // The same from the batch tensors: time 0 0 1 1 0 0, mask 1 1 1 1 0 0.
  const auto time = torch::tensor({0, 0, 1, 1, 0, 0}, torch::kInt).unsqueeze(0);
  const auto real = torch::tensor({1, 1, 1, 1, 0, 0}).to(torch::kBool).unsqueeze(0);
  EXPECT_TRUE(torch::equal(eegTextMask(time, real, 3)[0][0], formula));
}

TEST(NnMask, StairMaskEqualsTheOfficialLoaderMasks) {
  const auto dir = test::parityDir() / "neurolm";
  const auto time = npyTensor(dir / "input_time.npy");
  const auto real = npyTensor(dir / "input_eeg_mask.npy");
  for (const auto& [file, textLength] : {std::pair{"eval_gpt_mask.npy", int64_t{13}},
                                         {"train_gpt_mask.npy", int64_t{80}},
                                         {"generate_causal_final_mask.npy", int64_t{18}}}) {
    const auto official = npyTensor(dir / file);
    EXPECT_TRUE(torch::equal(stairMask(19, 4, 276, textLength).view_as(official), official)) << file;
    EXPECT_TRUE(torch::equal(eegTextMask(time, real, textLength), official)) << file;
  }
}

TEST(NnMask, TextRowsMaskEqualsTheLastRowsOfTheLongerStairMask) {
  const auto time = torch::tensor({0, 0, 0, 1, 1, 1, 0, 0}).unsqueeze(0);
  const auto real = torch::tensor({1, 1, 1, 1, 1, 1, 0, 0}).to(torch::kBool).unsqueeze(0);
  const auto full = eegTextMask(time, real, 7);  // [1, 1, 15, 15]
  const auto rows = textRowsMask(real, 4, 3);    // text rows 4, 5, 6
  EXPECT_TRUE(torch::equal(rows, full.narrow(2, 12, 3)));
}

// --------------------------------------------------------------------------------------------- attention
TEST(NnAttention, BoolMaskExcludesAndFloatMaskIsAdded) {
  torch::manual_seed(1);
  const auto q = torch::randn({1, 1, 2, 4});
  const auto k = torch::randn({1, 1, 3, 4});
  const auto v = torch::randn({1, 1, 3, 4});
  const auto allowed = torch::tensor({1, 0, 1, 1, 1, 0}).to(torch::kBool).view({1, 1, 2, 3});
  const auto additive = torch::tensor({0.5f, -1.0f, 2.0f, 0.0f, 1.0f, 0.25f}).view({1, 1, 2, 3});
  // Reference in double precision, by hand.
  const auto qd = q.to(torch::kDouble), kd = k.to(torch::kDouble), vd = v.to(torch::kDouble);
  const auto s = torch::matmul(qd, kd.transpose(-2, -1)) / 2.0;  // 1/sqrt(4)
  const auto refBool = torch::matmul(torch::softmax(s.masked_fill(allowed.logical_not(), -1e300), -1), vd);
  const auto refFloat = torch::matmul(torch::softmax(s + additive.to(torch::kDouble), -1), vd);
  EXPECT_LT(
      (scaledDotProductAttention(q, k, v, allowed).to(torch::kDouble) - refBool).abs().max().item<double>(),
      1e-6);
  EXPECT_LT(
      (scaledDotProductAttention(q, k, v, additive).to(torch::kDouble) - refFloat).abs().max().item<double>(),
      1e-6);
  // A float 0/1 mask is NOT a boolean mask: it adds +1 to the allowed scores and masks nothing.
  const auto asFloat = scaledDotProductAttention(q, k, v, allowed.to(torch::kFloat));
  const auto refOnes = torch::matmul(torch::softmax(s + allowed.to(torch::kDouble), -1), vd);
  EXPECT_LT((asFloat.to(torch::kDouble) - refOnes).abs().max().item<double>(), 1e-6);
}

TEST(NnAttention, UndefinedMaskIsCausalAlignedToTheLastKeys) {
  torch::manual_seed(2);
  const auto q = torch::randn({2, 3, 2, 8});
  const auto k = torch::randn({2, 3, 5, 8});
  const auto v = torch::randn({2, 3, 5, 8});
  const auto explicitMask =
      torch::ones({2, 5}, torch::kBool).tril(3).view({1, 1, 2, 5});  // rows = keys 3 and 4
  EXPECT_TRUE(torch::allclose(scaledDotProductAttention(q, k, v, torch::Tensor()),
                              scaledDotProductAttention(q, k, v, explicitMask)));
}

TEST(NnAttention, FullyMaskedRowGivesZerosAndIsCounted) {
  const auto q = torch::ones({1, 1, 2, 2});
  const auto k = torch::ones({1, 1, 2, 2});
  const auto v = torch::full({1, 1, 2, 2}, 3.0f);
  const auto mask = torch::tensor({1, 1, 0, 0}).to(torch::kBool).view({1, 1, 2, 2});
  const int64_t before = guardedAttentionRows();
  const auto out = scaledDotProductAttention(q, k, v, mask);
  EXPECT_FALSE(out.isnan().any().item<bool>());
  EXPECT_FLOAT_EQ(out[0][0][0][0].item<float>(), 3.0f);
  EXPECT_FLOAT_EQ(out[0][0][1][0].item<float>(), 0.0f);
  EXPECT_EQ(guardedAttentionRows() - before, 1);
}

// --------------------------------------------------------------------------------------- tokenizer pieces
namespace {
EegBatch randomEeg(int64_t channels, int64_t seconds, int64_t padded, uint64_t seed) {
  torch::manual_seed(seed);
  const int64_t v = channels * seconds;
  EegBatch b;
  b.x = torch::zeros({1, padded, 200});
  b.x.narrow(1, 0, v).copy_(torch::randn({1, v, 200}));
  b.inputChans = torch::full({1, padded}, 136, torch::kInt);
  b.inputTime = torch::zeros({1, padded}, torch::kInt);
  b.inputMask = torch::zeros({1, padded}, torch::kBool);
  for (int64_t p = 0; p < v; ++p) {
    b.inputChans[0][p] = static_cast<int>((p % channels) * 7 % 130);
    b.inputTime[0][p] = static_cast<int>(p / channels);
    b.inputMask[0][p] = true;
  }
  return b;
}
}  // namespace

TEST(NnTokenizer, GroupNormPaddingShortcutEqualsThePaddedComputation) {
  torch::manual_seed(3);
  NeuralTransformerConfig cfg;
  cfg.nLayer = 1;
  NeuralTransformer encoder(cfg);
  {  // non-trivial norms, so the padding statistics matter
    torch::NoGradGuard g;
    for (auto& p : encoder->parameters())
      if (p.dim() == 1) p.add_(0.1 * torch::randn_like(p));
  }
  const auto eeg = randomEeg(5, 3, 40, 4);
  torch::NoGradGuard g;
  const auto padded = encoder->forward(eeg).narrow(1, 0, 15);
  const auto fast = encoder->forwardRealTokens(eeg.x.narrow(1, 0, 15), eeg.inputChans.narrow(1, 0, 15),
                                               eeg.inputTime.narrow(1, 0, 15), 40);
  EXPECT_LT((padded - fast).abs().max().item<float>(), 2e-5);
  // ...and the padded length really changes the features (spec §2.2), so the shortcut is not vacuous.
  const auto unpadded = encoder->forward(eeg.slice(0, 1).x.narrow(1, 0, 15), eeg.inputChans.narrow(1, 0, 15),
                                         eeg.inputTime.narrow(1, 0, 15), eeg.inputMask.narrow(1, 0, 15));
  EXPECT_GT((padded - unpadded).abs().max().item<float>(), 1e-3);
}

TEST(NnTokenizer, BatchOfTwoEqualsTwoSingleRuns) {
  torch::manual_seed(5);
  NeuralTransformerConfig cfg;
  cfg.nLayer = 1;
  NeuralTransformer encoder(cfg);
  const auto a = randomEeg(4, 2, 12, 6);
  const auto b = randomEeg(3, 3, 12, 7);
  EegBatch both{torch::cat({a.x, b.x}), torch::cat({a.inputChans, b.inputChans}),
                torch::cat({a.inputTime, b.inputTime}), torch::cat({a.inputMask, b.inputMask})};
  torch::NoGradGuard g;
  const auto batched = encoder->forward(both);
  EXPECT_LT((batched[0] - encoder->forward(a)[0]).abs().max().item<float>(), 1e-5);
  EXPECT_LT((batched[1] - encoder->forward(b)[0]).abs().max().item<float>(), 1e-5);
}

TEST(NnTokenizer, RejectsOutOfRangeChannelAndTimeIndices) {
  NeuralTransformerConfig cfg;
  cfg.nLayer = 0;
  NeuralTransformer encoder(cfg);
  auto eeg = randomEeg(2, 2, 4, 8);
  eeg.inputTime[0][0] = 64;  // time_embed has 64 rows
  EXPECT_THROW(encoder->forward(eeg), std::out_of_range);
}

// -------------------------------------------------------------------------------------------- quantizer
TEST(NnQuantizer, NearestCodeTakesTheLowestIndexOnTiesAndInferenceChangesNoState) {
  QuantizerConfig cfg;
  cfg.nEmbed = 4;
  cfg.embedDim = 2;
  NormEMAVectorQuantizer q(cfg);
  {
    torch::NoGradGuard g;
    q->embedding->weight.copy_(torch::tensor({{0.0f, 1.0f}, {1.0f, 0.0f}, {1.0f, 0.0f}, {0.0f, -1.0f}}));
    q->embedding->initted.fill_(1.0f);
  }
  const auto z = torch::tensor({{{3.0f, 0.0f}, {0.0f, -2.0f}, {1.0f, 1.0f}}});  // [1, 3, 2]
  const auto before = q->cluster_size.clone();
  const auto out = q->quantize(z);
  // Code 1 and 2 are identical: lowest index wins. (1,1)/√2 is equally close to codes 0 and 1: 0 wins.
  EXPECT_EQ(out.codes.sizes().vec(), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(out.codes[0][0].item<int64_t>(), 1);
  EXPECT_EQ(out.codes[0][1].item<int64_t>(), 3);
  EXPECT_EQ(out.codes[0][2].item<int64_t>(), 0);
  // commitment = mean((e − z)²) over 6 elements: only the third row differs, by (−1/√2, 1 − 1/√2).
  const double r = 1.0 / std::sqrt(2.0);
  EXPECT_NEAR(out.commitmentLoss.item<double>(), (r * r + (1 - r) * (1 - r)) / 6.0, 1e-6);
  EXPECT_TRUE(torch::equal(q->cluster_size, before));
}

TEST(NnQuantizer, EmaUpdateMovesUsedCodesAndKeepsUnusedOnes) {
  QuantizerConfig cfg;
  cfg.nEmbed = 3;
  cfg.embedDim = 2;
  NormEMAVectorQuantizer q(cfg);
  torch::NoGradGuard g;
  q->embedding->weight.copy_(torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}, {-1.0f, 0.0f}}));
  const auto z = l2Normalize(torch::tensor({{1.0f, 0.2f}, {1.0f, -0.2f}, {0.1f, 1.0f}}));
  q->emaUpdate(z, torch::tensor({0, 0, 1}));
  // code 0: mean of rows 0,1 = (1, 0) -> unchanged direction; code 1: 0.99·(0,1) + 0.01·z2, normalised.
  const auto w = q->embedding->weight;
  EXPECT_NEAR(w[0][0].item<float>(), 1.0f, 1e-6);
  const auto expected1 = l2Normalize(0.99 * torch::tensor({0.0f, 1.0f}) + 0.01 * z[2]);
  EXPECT_TRUE(torch::allclose(w[1], expected1, 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(w[2], torch::tensor({-1.0f, 0.0f})));
  EXPECT_TRUE(torch::allclose(q->cluster_size, torch::tensor({0.02f, 0.01f, 0.0f})));
}

// The (non-official, opt-in) restart of unused codes: after the EMA step, every code whose usage EMA is below
// the threshold moves to one of the batch's unit vectors and counts as used once; the others are untouched.
TEST(NnQuantizer, DeadCodesRestartAtBatchVectorsOnlyWhenEnabled) {
  QuantizerConfig cfg;
  cfg.nEmbed = 4;
  cfg.embedDim = 2;
  NormEMAVectorQuantizer q(cfg);
  q->train();
  torch::NoGradGuard g;
  const auto codebook = torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}, {-1.0f, 0.0f}, {0.0f, -1.0f}});
  q->embedding->weight.copy_(codebook);
  q->embedding->initted.fill_(1.0);
  q->cluster_size.copy_(torch::tensor({5.0f, 0.0f, 0.02f, 3.0f}));
  const auto z = torch::tensor({{1.0f, 0.3f}, {0.9f, -0.2f}, {0.2f, -1.0f}});  // nearest codes 0, 0, 3
  auto gen = at::detail::createCPUGenerator(5);
  q->trainForward(z, gen);  // restartBelow 0: the official quantizer, nothing restarted
  EXPECT_TRUE(torch::allclose(q->embedding->weight[1], codebook[1]));
  EXPECT_TRUE(torch::allclose(q->embedding->weight[2], codebook[2]));

  cfg.restartBelow = 0.05;
  NormEMAVectorQuantizer r(cfg);
  r->train();
  r->embedding->weight.copy_(codebook);
  r->embedding->initted.fill_(1.0);
  r->cluster_size.copy_(torch::tensor({5.0f, 0.0f, 0.02f, 3.0f}));
  const auto out = r->trainForward(z, gen);
  EXPECT_TRUE(torch::equal(out.codes, torch::tensor({0, 0, 3})));
  const auto unit = l2Normalize(z);
  for (int code : {1, 2}) {  // unused (usage 0 and 0.02·0.99) -> restarted at one of the batch's vectors
    const auto sim = torch::matmul(unit, r->embedding->weight[code]);
    EXPECT_NEAR(sim.max().item<float>(), 1.0f, 1e-6) << code;
    EXPECT_FLOAT_EQ(r->cluster_size[code].item<float>(), 1.0f) << code;
  }
  EXPECT_NEAR(r->cluster_size[0].item<float>(), 0.99f * 5.0f + 0.01f * 2.0f, 1e-5);
  EXPECT_NEAR(r->cluster_size[3].item<float>(), 0.99f * 3.0f + 0.01f * 1.0f, 1e-5);
  EXPECT_EQ(r->restartDeadCodes(unit, gen), 0);  // nothing below the threshold any more
}

TEST(NnQuantizer, KmeansFindsWellSeparatedDirections) {
  QuantizerConfig cfg;
  cfg.nEmbed = 2;
  cfg.embedDim = 2;
  NormEMAVectorQuantizer q(cfg);
  auto gen = at::detail::createCPUGenerator(11);
  const auto samples = l2Normalize(torch::tensor({{1.0f, 0.1f}, {1.0f, -0.1f}, {-0.1f, 1.0f}, {0.1f, 1.0f}}));
  auto [means, bins] = q->kmeans(samples, gen);
  EXPECT_EQ(bins.sum().item<int64_t>(), 4);
  // Each mean is one of the two cluster directions (1,0) and (0,1), each holding 2 samples.
  const auto sim = torch::matmul(means, torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}}));
  EXPECT_NEAR(sim.amax(1).min().item<float>(), 1.0f, 1e-6);
  EXPECT_EQ(bins.min().item<int64_t>(), 2);
}

// ------------------------------------------------------------------------------------ tokenizer training
TEST(NnTokenizerTraining, GradientReversalIsIdentityForwardAndScalesTheGradientByMinusAlpha) {
  VqConfig cfg;
  cfg.encoder.nLayer = 0;
  cfg.decoder = NeuralTransformerConfig{0, 12, 768, false, 128};
  cfg.textVocab = 10;
  VQAlign model(cfg);
  torch::manual_seed(12);
  const auto features = torch::randn({1, 3, 768}, torch::requires_grad());
  const auto reversed = model->domainLogits(features, 0.3);
  const auto plain = model->domain_classifier->forward(features);
  EXPECT_TRUE(torch::equal(reversed, plain));
  const auto gReversed = torch::autograd::grad({reversed.sum()}, {features})[0];
  const auto gPlain = torch::autograd::grad({plain.sum()}, {features})[0];
  EXPECT_TRUE(torch::allclose(gReversed, -0.3 * gPlain, 1e-6, 1e-7));
}

TEST(NnTokenizerTraining, TrainingLossesInitialiseTheCodebookAndAddTheDomainLosses) {
  VqConfig cfg;
  cfg.encoder.nLayer = 0;
  cfg.decoder = NeuralTransformerConfig{1, 12, 768, false, 128};
  cfg.quantizer.nEmbed = 16;
  cfg.textVocab = 10;
  torch::manual_seed(13);
  VQAlign model(cfg);
  model->train();
  const auto eeg = randomEeg(4, 2, 12, 14);
  const auto yFreq = torch::randn({1, 12, 100}) * eeg.inputMask.unsqueeze(-1);
  const auto yRaw = torch::randn({1, 12, 200}) * eeg.inputMask.unsqueeze(-1);
  const auto text = torch::tensor({{1, 5, 7}, {2, 2, 9}});
  auto& quantizer = *model->vq->quantize;
  EXPECT_EQ(quantizer.embedding->initted.item<float>(), 0.0f);
  const auto losses = model->trainingLosses(eeg, yFreq, yRaw, text, 0.5, at::detail::createCPUGenerator(3));
  EXPECT_EQ(quantizer.embedding->initted.item<float>(), 1.0f);
  EXPECT_TRUE(torch::allclose(quantizer.embedding->weight.norm(2, 1), torch::ones({16}), 1e-5, 1e-5));
  EXPECT_NEAR(quantizer.cluster_size.sum().item<double>(), 0.01 * 12, 1e-6);  // one EMA step over 12 tokens
  EXPECT_NEAR(losses.total.item<double>(),
              (losses.vq.total + losses.domainEeg + losses.domainText).item<double>(), 1e-6);
  // The EEG domain loss by hand: real tokens only, target 0.
  torch::Tensor expectedEeg, expectedText;
  {
    torch::NoGradGuard g;
    const auto logits = model->domain_classifier->forward(model->vq->encoderFeatures(eeg))[0].narrow(0, 0, 8);
    expectedEeg = -torch::log_softmax(logits, -1).select(1, 0).mean();
    const auto textLogits = model->domain_classifier->forward(model->wte(text)).reshape({-1, 2});
    expectedText = -torch::log_softmax(textLogits, -1).select(1, 1).mean();
  }
  EXPECT_NEAR(losses.domainEeg.item<double>(), expectedEeg.item<double>(), 1e-5);
  EXPECT_NEAR(losses.domainText.item<double>(), expectedText.item<double>(), 1e-5);
  losses.total.backward();
  EXPECT_TRUE(model->vq->encoder->fc_norm->weight.grad().defined());
  EXPECT_FALSE(model->wte->weight.grad().defined());  // frozen
}

TEST(NnAttention, KvCacheAppendsLikeConcatenationAndBranchesDoNotDisturbTheOriginal) {
  torch::manual_seed(15);
  const auto a = torch::randn({2, 3, 4, 5});
  const auto b = torch::randn({2, 3, 1, 5});
  const auto c = torch::randn({2, 3, 2, 5});
  for (const int64_t reserve : {0, 16}) {
    LayerKv kv;
    kv.reserve = reserve;
    kv.append(a, -a);
    auto [k, v] = kv.append(b, -b);
    EXPECT_TRUE(torch::equal(k, torch::cat({a, b}, 2)));
    EXPECT_TRUE(torch::equal(v, torch::cat({-a, -b}, 2)));
    LayerKv branch = kv;
    auto [kb, vb] = branch.append(c, -c);
    EXPECT_EQ(branch.length, 7);
    EXPECT_TRUE(torch::equal(kb, torch::cat({a, b, c}, 2)));
    EXPECT_EQ(kv.length, 5);
    auto [k2, v2] = kv.append(b, b);  // the original continues from its own length
    EXPECT_TRUE(torch::equal(k2, torch::cat({a, b, b}, 2)));
    EXPECT_TRUE(torch::equal(v2, torch::cat({-a, -b, b}, 2)));
  }
}
