// The data-dependent EEG input projection (models/train/InputInit.h) on features built by hand: a few
// positions with large, known offsets plus content of a known covariance. What W and b must do follows
// from the definition: every position maps to the same pre-activation (the offsets are removed), the
// content comes out with identity covariance, and the overall mean maps to 0.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/runtime/ModelStore.h"
#include "models/train/InputInit.h"

namespace neurolm {
namespace {

nn::NeuroLM smallLm(int64_t width) {
  auto cfg = runtime::neuroLmConfigForSize("tiny");
  cfg.gpt.nEmbd = width;
  cfg.gpt.nHead = 2;
  return runtime::randomNeuroLm(cfg, 3);
}

TEST(EegInputInit, RemovesPositionOffsetsAndWhitensTheContent) {
  torch::manual_seed(7);
  const int64_t positions = 5, perPosition = 4000, width = 16, dim = 768;
  // Content: 40 independent directions with variances 1…40 (the top 16 are kept), the rest exactly 0.
  const auto basis = std::get<0>(torch::linalg_qr(torch::randn({dim, 40}, torch::kDouble)));  // [768, 40]
  const auto scales = torch::arange(1, 41, torch::kDouble).sqrt();
  const auto offsets = torch::randn({positions, dim}, torch::kDouble) * 30.0;  // large, position-specific
  std::vector<torch::Tensor> rows, keys;
  for (int64_t p = 0; p < positions; ++p) {
    const auto content = (torch::randn({perPosition, 40}, torch::kDouble) * scales).matmul(basis.t());
    rows.push_back(content + offsets[p]);
    keys.push_back(torch::full({perPosition}, p * 64 + 3, torch::kLong));
  }
  const auto features = torch::cat(rows).to(torch::kFloat);
  auto lm = smallLm(width);
  const auto report = train::whitenEegInput(*lm, features, torch::cat(keys));
  EXPECT_EQ(report.tokens, positions * perPosition);
  EXPECT_EQ(report.positions, positions);
  EXPECT_EQ(report.positionDirections, positions - 1);  // 5 centred means span 4 directions
  EXPECT_LT(report.contentShare, 0.05);                   // offsets of 30 dwarf content of variance ≤ 40
  // Kept share: variances 25…40 of the (offset-free) content 1…40, up to sampling.
  EXPECT_NEAR(report.keptContentShare, (25.0 + 40.0) * 16 / 2 / (40.0 * 41 / 2), 0.03);

  auto params = lm->encode_transform_layer->named_parameters();
  const auto w = params["0.weight"].to(torch::kDouble), b = params["0.bias"].to(torch::kDouble);
  ASSERT_EQ(w.sizes(), (std::vector<int64_t>{width, dim}));
  const auto pre = features.to(torch::kDouble).matmul(w.t()) + b;  // [T, 16]
  // Position offsets are gone: every position's mean pre-activation is ~0 (content means are ~0).
  for (int64_t p = 0; p < positions; ++p) {
    const auto m = pre.narrow(0, p * perPosition, perPosition).mean(0);
    EXPECT_LT(m.abs().max().item<double>(), 0.1) << "position " << p;
  }
  // Unit, uncorrelated content.
  const auto centred = pre - pre.mean(0);
  const auto cov = centred.t().matmul(centred) / static_cast<double>(pre.size(0));
  EXPECT_LT((cov - torch::eye(width, torch::kDouble)).abs().max().item<double>(), 1e-4);
}

TEST(EegInputInit, RefusesAnLmThatReadsTheFeaturesDirectly) {
  auto cfg = runtime::neuroLmConfigForSize("tiny");
  cfg.gpt.nEmbd = 768;
  cfg.gpt.nHead = 12;
  cfg.gpt.nLayer = 1;
  auto lm = runtime::randomNeuroLm(cfg, 1);
  EXPECT_THROW(train::whitenEegInput(*lm, torch::randn({100, 768}), torch::zeros({100}, torch::kLong)),
               std::invalid_argument);
}

TEST(EegInputInit, RefusesTooFewContentDirections) {
  auto lm = smallLm(16);
  // 8 content directions only (rank 8 < 16).
  const auto f = torch::randn({500, 8}).matmul(torch::randn({8, 768}));
  EXPECT_THROW(train::whitenEegInput(*lm, f, torch::zeros({500}, torch::kLong)), std::invalid_argument);
}

}  // namespace
}  // namespace neurolm
