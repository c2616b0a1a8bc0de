// The few-row linear kernel against torch::linear (LibTorch's BLAS path) on the shapes a decode step meets
// and on awkward ones (tails of in % 8 and out % 4, no bias, leading dims, non-contiguous input), its domain,
// and that a KV-cache generation gives the same ids with and without it.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <tuple>
#include <vector>

#include "models/nn/CpuKernels.h"
#include "models/nn/EegBatch.h"
#include "models/nn/Generation.h"
#include "models/nn/NeuroLm.h"

namespace cpu = neurolm::nn::cpu;
namespace nn = neurolm::nn;

namespace {

struct KernelGuard {  // restores the default after a test that switches the kernel off
  ~KernelGuard() { cpu::setFewRowsKernelEnabled(true); }
};

// max |Δ| relative to the largest |reference| value.
double relativeError(const torch::Tensor& got, const torch::Tensor& want) {
  return (got - want).abs().max().item<double>() / std::max(1e-30, want.abs().max().item<double>());
}

}  // namespace

TEST(CpuKernels, FewRowsLinearEqualsTorchLinear) {
  torch::NoGradGuard noGrad;
  torch::manual_seed(3);
  // (rows, in, out, bias): GPT-2 B decode shapes, the text part of lm_head, and tails.
  const std::vector<std::tuple<int64_t, int64_t, int64_t, bool>> cases = {
      {1, 768, 2304, true}, {1, 768, 3072, true}, {1, 3072, 768, true}, {1, 768, 50257, false},
      {2, 768, 768, true},  {8, 200, 768, false}, {3, 13, 7, true},     {1, 1, 1, true},
      {5, 9, 5, false},     {4, 1024, 1, true}};
  for (const auto& [rows, in, out, withBias] : cases) {
    const auto x = torch::randn({rows, in});
    const auto w = torch::randn({out, in}) * 0.05;
    const auto b = withBias ? torch::randn({out}) : torch::Tensor();
    ASSERT_TRUE(cpu::fewRowsLinearApplies(x, w, b)) << rows << "x" << in << "->" << out;
    const auto got = cpu::fewRowsLinear(x, w, b);
    const auto want = torch::linear(x, w, b);
    ASSERT_EQ(got.sizes(), want.sizes());
    EXPECT_LT(relativeError(got, want), 2e-6) << rows << "x" << in << "->" << out << " bias " << withBias;
  }
}

TEST(CpuKernels, LeadingDimsNonContiguousInputAndWeightRowSlices) {
  torch::NoGradGuard noGrad;
  torch::manual_seed(4);
  const auto w = torch::randn({600, 96});
  const auto b = torch::randn({600});
  const auto x3 = torch::randn({2, 1, 96});  // [B, 1, D], a decode step of two samples
  EXPECT_LT(relativeError(cpu::fewRowsLinear(x3, w, b), torch::linear(x3, w, b)), 2e-6);
  EXPECT_EQ(cpu::fewRowsLinear(x3, w, b).sizes(), (std::vector<int64_t>{2, 1, 600}));
  const auto strided = torch::randn({96, 3}).t();  // [3, 96], not contiguous
  ASSERT_FALSE(strided.is_contiguous());
  EXPECT_LT(relativeError(cpu::fewRowsLinear(strided, w, b), torch::linear(strided, w, b)), 2e-6);
  const auto head = w.narrow(0, 0, 257);  // the first rows of a weight (lm_head's text rows) are contiguous
  ASSERT_TRUE(cpu::fewRowsLinearApplies(x3, head, torch::Tensor()));
  EXPECT_LT(relativeError(cpu::fewRowsLinear(x3, head, {}), torch::linear(x3, head)), 2e-6);
}

TEST(CpuKernels, DomainLeavesEverythingElseToTorch) {
  const auto w = torch::randn({16, 8});
  EXPECT_FALSE(cpu::fewRowsLinearApplies(torch::randn({cpu::kFewRowsMax + 1, 8}), w, {}));  // many rows
  EXPECT_FALSE(cpu::fewRowsLinearApplies(torch::randn({1, 8}, torch::kDouble), w.to(torch::kDouble), {}));
  EXPECT_FALSE(cpu::fewRowsLinearApplies(torch::randn({1, 8}), w.t().contiguous().t(), {}));  // strided W
  EXPECT_FALSE(cpu::fewRowsLinearApplies(torch::randn({1, 7}), w, {}));                       // shape
  EXPECT_FALSE(cpu::fewRowsLinearApplies(torch::randn({1, 8}), w, torch::randn({15})));       // bias size
  const auto trainable = torch::randn({16, 8}).requires_grad_(true);
  EXPECT_FALSE(cpu::fewRowsLinearApplies(torch::randn({1, 8}), trainable, {}));  // autograd needs torch
  {
    torch::NoGradGuard noGrad;
    EXPECT_TRUE(cpu::fewRowsLinearApplies(torch::randn({1, 8}), trainable, {}));
  }
  EXPECT_THROW(cpu::fewRowsLinear(torch::randn({1, 7}), w, {}), std::invalid_argument);
  KernelGuard restore;
  cpu::setFewRowsKernelEnabled(false);
  EXPECT_FALSE(cpu::fewRowsLinearApplies(torch::randn({1, 8}), w, {}));
}

TEST(CpuKernels, TrainingGradientsStillFlowThroughLinear) {
  nn::Linear linear(8, 4, true);
  const auto x = torch::randn({1, 8});
  linear(x).sum().backward();  // one row, but autograd is on: torch::linear must be used
  ASSERT_TRUE(linear->weight.grad().defined());
  EXPECT_TRUE(torch::allclose(linear->weight.grad(), x.expand({4, 8})));
}

TEST(CpuKernels, GenerationIdsAndLogitsSameWithAndWithoutKernel) {
  torch::NoGradGuard noGrad;
  torch::manual_seed(11);
  nn::NeuroLmConfig config;
  config.gpt = nn::GptConfig{2, 2, 16};  // 2 layers, 2 heads, 16 wide (as the generation tests)
  config.tokenizer.nLayer = 1;
  nn::NeuroLM model(config);
  model->GPT2->lm_head->weight.mul_(25.0);  // clear top-1 margins
  model->GPT2->transformer->wte->weight.mul_(25.0);
  model->eval();
  // 3 channels × 2 s real, padded to 8.
  nn::EegBatch eeg{torch::randn({1, 8, 200}), torch::tensor({{0, 1, 2, 0, 1, 2, 136, 136}}),
                   torch::tensor({{0, 0, 0, 1, 1, 1, 0, 0}}),
                   torch::tensor({{true, true, true, true, true, true, false, false}})};
  const auto prompt = torch::tensor({{50257L, 24361L, 25L, 1148L}});
  nn::GenerateOptions o;
  o.maxNewTokens = 6;
  o.traceTopK = 5;
  const auto withKernel = nn::generate(*model, eeg, prompt, o);
  KernelGuard restore;
  cpu::setFewRowsKernelEnabled(false);
  const auto without = nn::generate(*model, eeg, prompt, o);
  ASSERT_TRUE(torch::equal(withKernel.ids, without.ids));
  ASSERT_EQ(withKernel.steps.size(), without.steps.size());
  for (size_t i = 0; i < withKernel.steps.size(); ++i)
    EXPECT_LT((withKernel.steps[i].topLogits - without.steps[i].topLogits).abs().max().item<double>(), 1e-4) << i;
}

namespace {
struct SinglePoolScope {  // the policy for one test, stock behaviour afterwards
  SinglePoolScope() : active(cpu::enableSinglePoolPolicy()) { torch::set_num_threads(2); }
  ~SinglePoolScope() { cpu::disableSinglePoolPolicy(); }
  bool active;
};
}  // namespace

TEST(CpuKernels, SinglePoolPolicySwitchesBlasThreadsAndBack) {
  {
    SinglePoolScope scope;
    ASSERT_TRUE(scope.active) << "this machine's BLAS cannot be made single-threaded: "
                              << cpu::threadPolicyDescription();
    EXPECT_TRUE(cpu::singlePoolPolicyActive());
    const auto d = cpu::threadPolicyDescription();
    EXPECT_EQ(d.rfind("single pool", 0), 0u) << d;
    if (d.find("OpenBLAS") != std::string::npos) {
      EXPECT_NE(d.find("OpenBLAS 1 thread"), std::string::npos) << d;
    }
    EXPECT_TRUE(cpu::enableSinglePoolPolicy());  // idempotent
  }
  EXPECT_FALSE(cpu::singlePoolPolicyActive());
  EXPECT_EQ(cpu::threadPolicyDescription().rfind("stock", 0), 0u);
}

TEST(CpuKernels, PooledLinearAndBatchedMatmulEqualTorch) {
  torch::NoGradGuard noGrad;
  torch::manual_seed(5);
  SinglePoolScope scope;
  ASSERT_TRUE(scope.active);
  // (rows, in, out, bias): encoder / prefill shapes (76 real tokens, 89-row prefill), odd widths.
  const std::vector<std::tuple<int64_t, int64_t, int64_t, bool>> cases = {
      {76, 768, 2304, false}, {89, 768, 3072, true}, {9, 3072, 768, true},
      {300, 40, 1000, true},  {17, 5, 3, false},     {64, 768, 50257, false}};
  for (const auto& [rows, in, out, withBias] : cases) {
    const auto x = torch::randn({1, rows, in});
    const auto w = torch::randn({out, in}) * 0.05;
    const auto b = withBias ? torch::randn({out}) : torch::Tensor();
    const auto got = cpu::linear(x, w, b);
    const auto want = torch::linear(x, w, b);
    ASSERT_EQ(got.sizes(), want.sizes());
    EXPECT_LT(relativeError(got, want), 2e-6) << rows << "x" << in << "->" << out;
  }
  // Attention layouts: q·kᵀ with k a transposed view of a cache buffer narrowed to its filled length, p·v.
  const auto q = torch::randn({1, 12, 89, 64});
  const auto cacheBuffer = torch::randn({1, 12, 120, 64});
  const auto k = cacheBuffer.narrow(2, 0, 89);
  const auto scores = cpu::batchedMatmul(q, k.transpose(-2, -1));
  EXPECT_LT(relativeError(scores, torch::matmul(q, k.transpose(-2, -1))), 2e-6);
  const auto p = torch::softmax(scores, -1);
  EXPECT_LT(relativeError(cpu::batchedMatmul(p, k), torch::matmul(p, k)), 2e-6);
  const auto one = torch::randn({2, 12, 1, 64});  // decode: one query row per sample
  const auto keys = torch::randn({2, 12, 300, 64});
  EXPECT_LT(relativeError(cpu::batchedMatmul(one, keys.transpose(-2, -1)), torch::matmul(one, keys.transpose(-2, -1))),
            2e-6);
  // With gradients recorded everything stays on torch (and gradients flow).
  torch::AutoGradMode withGrad(true);
  const auto a = torch::randn({2, 3, 4}).requires_grad_(true);
  cpu::batchedMatmul(a, torch::randn({2, 4, 5})).sum().backward();
  EXPECT_TRUE(a.grad().defined());
}

TEST(CpuKernels, GenerationIdsSameUnderTheSinglePoolPolicy) {
  torch::NoGradGuard noGrad;
  torch::manual_seed(12);
  nn::NeuroLmConfig config;
  config.gpt = nn::GptConfig{2, 2, 16};
  config.tokenizer.nLayer = 2;
  nn::NeuroLM model(config);
  model->GPT2->lm_head->weight.mul_(25.0);
  model->GPT2->transformer->wte->weight.mul_(25.0);
  model->eval();
  nn::EegBatch eeg{torch::randn({1, 24, 200}), torch::arange(24).remainder(12).unsqueeze(0),
                   torch::arange(24).div(12, "floor").unsqueeze(0), torch::ones({1, 24}, torch::kBool)};
  const auto prompt = torch::tensor({{50257L, 24361L, 25L, 1148L, 428L, 48749L, 10618L, 286L, 1029L, 26211L}});
  nn::GenerateOptions o;
  o.maxNewTokens = 6;
  o.traceTopK = 3;
  const auto stock = nn::generate(*model, eeg, prompt, o);
  SinglePoolScope scope;
  ASSERT_TRUE(scope.active);
  const auto pooled = nn::generate(*model, eeg, prompt, o);
  ASSERT_TRUE(torch::equal(stock.ids, pooled.ids));
  for (size_t i = 0; i < stock.steps.size(); ++i)
    EXPECT_LT((stock.steps[i].topLogits - pooled.steps[i].topLogits).abs().max().item<double>(), 1e-4) << i;
}

TEST(CpuKernels, BatchedMatmulWithAddendOnePassEqualsMatmulPlusAddend) {
  torch::NoGradGuard noGrad;
  torch::manual_seed(6);
  const auto q = torch::randn({2, 12, 89, 64});
  const auto k = torch::randn({2, 12, 120, 64}).narrow(2, 0, 89).transpose(-2, -1);  // [2, 12, 64, 89] view
  const auto mask = torch::rand({2, 1, 89, 89}) > 0.3;
  const auto bias = torch::zeros({2, 1, 89, 89}).masked_fill_(mask.logical_not(), -1e9);  // per sample
  const auto want = torch::matmul(q, k) + bias;
  for (const bool pooled : {false, true}) {
    if (pooled) {
      ASSERT_TRUE(cpu::enableSinglePoolPolicy());
    }
    const auto got = cpu::batchedMatmul(q, k, bias);
    ASSERT_EQ(got.sizes(), want.sizes());
    EXPECT_LT((got - want).abs().max().item<double>(), 1e-3) << "pooled " << pooled;  // |values| up to 1e9
    EXPECT_LT(relativeError(got.masked_select(mask), want.masked_select(mask)), 2e-6) << "pooled " << pooled;
    EXPECT_LT(relativeError(cpu::batchedMatmul(q, k), torch::matmul(q, k)), 2e-6) << "pooled " << pooled;
  }
  cpu::disableSinglePoolPolicy();
  // The addend is never modified (it is copied into a fresh output).
  const auto full = torch::randn({2, 12, 89, 89});
  const auto copy = full.clone();
  (void)cpu::batchedMatmul(q, k, full);
  EXPECT_TRUE(torch::equal(full, copy));
}
