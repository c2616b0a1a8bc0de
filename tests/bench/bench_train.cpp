// Training-step benchmark on the CPU: one optimizer step of each stage (vq, pretrain, instruct) of the tiny
// configuration, against the PyTorch-eager reference tests/bench/ref_train.py run as a child in the same run
// (same BLAS, same threads, same shapes: batch 8; vq and pretrain 152 real tokens of 160, instruct 76 of 276
// + 80 text tokens). Prints medians and ratios (reference time / ours); never fails on slow numbers.
//
//   build/bin/bench_train [--steps N] [--no-ref]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/system/BlasInfo.h"
#include "core/system/OpenMpWait.h"
#include "models/nn/Attention.h"
#include "models/runtime/ModelStore.h"
#include "models/train/Optimizer.h"
#include "models/train/StageLoss.h"

namespace nn = neurolm::nn;
namespace train = neurolm::train;
namespace runtime = neurolm::runtime;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int64_t kBatch = 8;
constexpr int kThreads = 2;

nn::EegBatch batch(int64_t seconds, int64_t padded) {
  const int64_t n = 19, v = n * seconds;
  auto x = torch::zeros({kBatch, padded, 200});
  x.narrow(1, 0, v).copy_(torch::randn({kBatch, v, 200}));
  auto chans = torch::full({kBatch, padded}, 136, torch::kLong);
  chans.narrow(1, 0, v).copy_(torch::arange(v) % n);
  auto time = torch::zeros({kBatch, padded}, torch::kLong);
  time.narrow(1, 0, v).copy_(torch::arange(v).div(n, "floor"));
  auto mask = torch::zeros({kBatch, padded}, torch::kBool);
  mask.narrow(1, 0, v).fill_(true);
  return {x, chans, time, mask};
}

double medianStep(const std::function<void()>& step, int steps) {
  step();  // warm-up
  std::vector<double> t;
  for (int i = 0; i < steps; ++i) {
    const auto t0 = Clock::now();
    step();
    t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

std::vector<torch::Tensor> trainable(const std::vector<train::ParamGroup>& groups) {
  std::vector<torch::Tensor> out;
  for (const auto& g : groups)
    for (const auto& [n, p] : g.params) out.push_back(p);
  return out;
}

}  // namespace

NEUROLM_PASSIVE_OPENMP_WAIT_BY_DEFAULT();

int main(int argc, char** argv) {
  int steps = 5;
  bool ref = true;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--steps") == 0 && i + 1 < argc)
      steps = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--no-ref") == 0)
      ref = false;
  }
  torch::set_num_threads(kThreads);
  torch::manual_seed(0);
  const auto blas = neurolm::detectBlas();
  std::printf("bench_train: %d threads, BLAS %s (%s)\n", kThreads, blas.name.c_str(),
              blas.libraryPath.c_str());

  // vq: tiny tokenizer (encoder 2×12×768, decoders 2×2×32, codebook 8192×128 already initialised).
  auto vqCfg = runtime::vqConfigForSize("tiny");
  vqCfg.domainClassifierWidth = vqCfg.encoder.nEmbd;
  nn::VQAlign vq(vqCfg);
  {
    auto init = runtime::randomTokenizer(vqCfg, 1);
    torch::NoGradGuard g;
    auto src = init->named_parameters();
    for (auto& p : vq->vq->named_parameters()) p.value().copy_(src[p.key()]);
    auto srcB = init->named_buffers();
    for (auto& b : vq->vq->named_buffers()) b.value().copy_(srcB[b.key()]);
  }
  vq->train();
  auto vqGroups = train::officialParamGroups(*vq, 1e-4);
  const auto vqParams = trainable(vqGroups);
  train::AdamW vqOpt(std::move(vqGroups), {0.9, 0.999, 1e-8});
  const auto e8 = batch(8, 160);
  const auto yFreq = torch::randn({kBatch, 160, 100}), yRaw = torch::randn({kBatch, 160, 200});
  const auto text = torch::randint(0, 50257, {4, 256}, torch::kLong);
  auto gen = at::detail::createCPUGenerator(2);
  const double vqSec = medianStep(
      [&] {
        auto loss = train::tokenizerStepLoss(*vq, e8, yFreq, yRaw, text, 0.5, gen);
        loss.total.backward();
        train::gradNorm(vqParams);
        vqOpt.step(1e-4);
        vqOpt.zeroGrad();
      },
      steps);

  // pretrain and instruct: NeuroLM tiny (tokenizer 2×12×768 frozen, GPT-2 2×2×64).
  auto lm = runtime::randomNeuroLm(runtime::neuroLmConfigForSize("tiny"), 3);
  for (auto& p : lm->tokenizer->parameters()) p.set_requires_grad(false);
  lm->train();
  auto lmGroups = train::officialParamGroups(*lm, 0.1);
  const auto lmParams = trainable(lmGroups);
  train::AdamW lmOpt(std::move(lmGroups), {0.9, 0.95, 1e-8});
  const auto preMask = nn::eegTextMask(e8.inputTime, e8.inputMask, 0);
  auto yEeg = torch::full({kBatch, 160}, -1, torch::kLong);
  yEeg.narrow(1, 0, 133).copy_(torch::randint(0, 8192, {kBatch, 133}, torch::kLong));
  const double preSec = medianStep(
      [&] {
        auto loss = train::pretrainStepLoss(*lm, e8, preMask, yEeg, {}, {});
        loss.total.backward();
        train::clipGradNorm(lmParams, 1.0);
        lmOpt.step(1e-4);
        lmOpt.zeroGrad();
      },
      steps);
  const auto e4 = batch(4, 276);
  auto textIds = torch::full({kBatch, 80}, 50256, torch::kLong);
  const std::vector<int64_t> prompt = {50257, 24361, 25, 1148,  428, 48749, 10618, 286,
                                       1029,  26211, 30, 23998, 25,  3363,  220,   50256};
  textIds.narrow(1, 0, 16).copy_(torch::tensor(prompt).unsqueeze(0).expand({kBatch, 16}));
  auto targets = torch::full({kBatch, 356}, -1, torch::kLong);
  targets.narrow(1, 276 + 12, 3).copy_(torch::tensor({3363L, 220L, 50256L}).unsqueeze(0).expand({kBatch, 3}));
  const auto insMask = nn::eegTextMask(e4.inputTime, e4.inputMask, 80);
  const double insSec = medianStep(
      [&] {
        auto loss = train::instructStepLoss(*lm, e4, textIds, insMask, targets, {}, {});
        loss.total.backward();
        train::clipGradNorm(lmParams, 1.0);
        lmOpt.step(1e-4);
        lmOpt.zeroGrad();
      },
      steps);

  nlohmann::json refOut;
  if (ref) {
    const std::string cmd = std::string("OMP_NUM_THREADS=") + std::to_string(kThreads) + " " +
                            NEUROLM_PYTHON + " " + NEUROLM_TESTS_DIR + "/bench/ref_train.py --steps " +
                            std::to_string(steps);
    FILE* p = popen(cmd.c_str(), "r");
    std::string text;
    char buf[4096];
    while (p != nullptr && fgets(buf, sizeof buf, p) != nullptr) text += buf;
    if (p != nullptr) pclose(p);
    refOut = nlohmann::json::parse(text, nullptr, false);
  }
  std::printf(
      "\n| stage (tiny, batch 8) | C++ s/step | steps/s | PyTorch eager s/step | ratio (ref/ours) |\n");
  std::printf("|---|---|---|---|---|\n");
  for (const auto& [name, sec, key] : std::vector<std::tuple<std::string, double, std::string>>{
           {"vq (152 of 160 tokens, text 4x256)", vqSec, "vq_sec"},
           {"pretrain (152 of 160 tokens)", preSec, "pretrain_sec"},
           {"instruct (76 of 276 + 80 text)", insSec, "instruct_sec"}}) {
    const bool haveRef = refOut.is_object() && refOut.contains(key);
    const double r = haveRef ? refOut[key].get<double>() : 0;
    std::printf("| %s | %.3f | %.2f | %s | %s |\n", name.c_str(), sec, 1.0 / sec,
                haveRef ? std::to_string(r).c_str() : "-",
                haveRef ? (std::to_string(r / sec) + "x").c_str() : "-");
  }
  return 0;
}
