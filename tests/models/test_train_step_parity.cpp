// One optimizer step of each official training stage (../shared/parity/train, made by the official scripts'
// loop bodies): our stage losses, gradients before and after clipping, AdamW with the official parameter
// groups and the scheduled learning rate, and the EMA codebook, against the recorded values. Tolerances are
// those of the fixture README.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/TestPaths.h"
#include "models/TorchNpy.h"
#include "models/io/StateDict.h"
#include "models/io/TorchCheckpoint.h"
#include "models/nn/Configs.h"
#include "models/nn/TemporalConv.h"
#include "models/train/Optimizer.h"
#include "models/train/StageLoss.h"

using namespace neurolm;
using namespace neurolm::nn;
using neurolm::test::loadNpyTensor;

namespace {

std::filesystem::path trainDir() { return test::parityDir() / "train"; }

nlohmann::json readJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

void expectRel(const std::string& what, double ours, double official, double rel) {
  const double d = std::abs(ours - official) / std::max(std::abs(official), 1e-30);
  std::cout << "[train parity] " << what << " ours " << ours << " official " << official << " rel " << d
            << "\n";
  EXPECT_LE(d, rel) << what;
}

struct TensorStats {
  double l2 = 0, sum = 0;
};
TensorStats stats(const torch::Tensor& t) {
  const auto d = t.detach().to(torch::kDouble);
  return {d.norm().item<double>(), d.sum().item<double>()};
}

// Gradient L2 rel ≤ 1e-4; sums of mixed-sign values abs ≤ 1e-4·L2·√n (README).
void expectGrad(const std::string& what, const torch::Tensor& grad, double l2, double sum) {
  ASSERT_TRUE(grad.defined()) << what << " has no gradient";
  const auto s = stats(grad);
  const double n = static_cast<double>(grad.numel());
  EXPECT_LE(std::abs(s.l2 - l2), 1e-4 * std::abs(l2) + 1e-12) << what << " grad L2 " << s.l2 << " vs " << l2;
  EXPECT_LE(std::abs(s.sum - sum), 1e-4 * l2 * std::sqrt(n) + 1e-12)
      << what << " grad sum " << s.sum << " vs " << sum;
}

// Post-step values: one Adam step moves each element by ≈ lr; compare the change from the start against the
// official change within 1e-2·lr per element (first 8 values), and the L2 within the same scale.
void expectValues(const std::string& what, const torch::Tensor& before, const torch::Tensor& after,
                  const nlohmann::json& entry, double lr) {
  const auto b = before.detach().reshape({-1}).to(torch::kDouble);
  const auto a = after.detach().reshape({-1}).to(torch::kDouble);
  const auto first8 = entry["value_first8"].get<std::vector<double>>();
  for (std::size_t i = 0; i < first8.size(); ++i) {
    const double ours = a[static_cast<int64_t>(i)].item<double>();
    const double start = b[static_cast<int64_t>(i)].item<double>();
    EXPECT_LE(std::abs((ours - start) - (first8[i] - start)), 1e-2 * lr + 1e-6 * std::abs(start))
        << what << "[" << i << "] " << ours << " vs " << first8[i];
  }
  const double n = static_cast<double>(a.numel());
  EXPECT_LE(std::abs(a.norm().item<double>() - entry["value_l2"].get<double>()),
            1e-2 * lr * std::sqrt(n) + 1e-6 * entry["value_l2"].get<double>())
      << what << " value L2";
  EXPECT_LE(std::abs(a.sum().item<double>() - entry["value_sum"].get<double>()),
            1e-2 * lr * n + 1e-6 * std::abs(entry["value_sum"].get<double>()) + 1e-6 * std::sqrt(n))
      << what << " value sum";
}

// Full post-step tensors stored by the fixture (1-D parameters and buffers, the smallest 2-D parameter).
void expectPostNpy(const std::filesystem::path& postDir, const std::string& name, const torch::Tensor& after,
                   double lr) {
  const auto file = postDir / (name + ".npy");
  if (!std::filesystem::exists(file)) return;
  const auto ref = loadNpyTensor(file).to(torch::kDouble);
  const auto ours = after.detach().to(torch::kDouble).reshape(ref.sizes());
  const double d = (ours - ref).abs().max().item<double>();
  EXPECT_LE(d, 1e-2 * lr + 1e-6) << name << " post-step max|d| " << d;
}

std::map<std::string, torch::Tensor> clonedParameters(const torch::nn::Module& m) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : m.named_parameters()) out[p.key()] = p.value().detach().clone();
  for (const auto& b : m.named_buffers()) out[b.key()] = b.value().detach().clone();
  return out;
}

void expectParamGroups(const std::vector<train::ParamGroup>& groups, const nlohmann::json& step) {
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].params.size(), step["optimizer_param_groups"][0]["params"].get<std::size_t>());
  EXPECT_EQ(groups[1].params.size(), step["optimizer_param_groups"][1]["params"].get<std::size_t>());
  EXPECT_EQ(groups[0].weightDecay, step["optimizer_param_groups"][0]["weight_decay"].get<double>());
  EXPECT_EQ(groups[1].weightDecay, 0.0);
}

double scheduledLr(const nlohmann::json& step) {
  const auto& hp = step["hyper_parameters"];
  const int64_t perEpoch = step["schedule"]["num_training_steps_per_epoch"];
  const int64_t epochs = hp["epochs"];
  int64_t warmupSteps = -1;
  if (hp.contains("warmup_ratio"))
    warmupSteps = static_cast<int64_t>(hp["warmup_ratio"].get<double>() * perEpoch * epochs);
  const auto table = train::cosineSchedule(hp["learning_rate"], hp["min_lr"], epochs, perEpoch,
                                           hp["warmup_epochs"], 0.0, warmupSteps);
  return table.at(step["schedule"]["iter_num"].get<std::size_t>());
}

// The official NeuroLM stage set-up: the NeuroLM fixture checkpoint, tokenizer frozen, training mode.
NeuroLM loadNeuroLm() {
  const auto path = test::parityDir() / "neurolm" / "ckpt.pt";
  const auto ckpt = readTorchCheckpoint(path);
  NeuroLM model(neuroLmConfigFromCheckpoint(ckpt.modelArgs, ckpt.modelTensors));
  loadStateDict(*model, ckpt.modelTensors, path.string());
  model->train();
  return model;
}

// Backward, clipping (if grad_clip), AdamW step; then every parameter against the fixture.
void stepAndCompare(torch::nn::Module& model, const train::StageLoss& loss, const nlohmann::json& step,
                    const std::filesystem::path& postDir) {
  const auto& hp = step["hyper_parameters"];
  const double lr = scheduledLr(step);
  expectRel("scheduled lr", lr, step["lr"].get<double>(), 1e-12);
  const auto before = clonedParameters(model);
  auto groups = train::officialParamGroups(model, hp["weight_decay"].get<double>());
  expectParamGroups(groups, step);
  loss.total.backward();

  std::map<std::string, torch::Tensor> named;
  for (const auto& p : model.named_parameters()) named[p.key()] = p.value();
  for (const auto& b : model.named_buffers()) named[b.key()] = b.value();
  for (const auto& entry : step["parameters"]) {
    const auto name = entry["name"].get<std::string>();
    ASSERT_TRUE(named.count(name)) << name;
    if (!entry.contains("grad_l2") || entry["grad_l2"].is_null()) {
      EXPECT_FALSE(named[name].requires_grad()) << name << " must be frozen";
      continue;
    }
    expectGrad(name, named[name].grad(), entry["grad_l2"], entry["grad_sum"]);
  }
  std::vector<torch::Tensor> params;
  for (const auto& g : groups)
    for (const auto& [n, p] : g.params) params.push_back(p);
  if (step["grad_clip"].is_object()) {
    const auto clip = train::clipGradNorm(params, step["grad_clip"]["max_norm"].get<double>());
    expectRel("grad norm before clip", clip.totalNorm, step["grad_clip"]["total_norm_before_clip"], 1e-4);
    expectRel("clip coefficient", clip.coefficient, step["grad_clip"]["clip_coef_clamped"], 1e-4);
    for (const auto& entry : step["parameters"]) {
      if (!entry.contains("grad_clipped_l2") || entry["grad_clipped_l2"].is_null()) continue;
      const auto name = entry["name"].get<std::string>();
      expectGrad(name + " (clipped)", named[name].grad(), entry["grad_clipped_l2"],
                 entry["grad_clipped_sum"]);
    }
  }
  train::AdamW opt(std::move(groups), {hp["beta1"].get<double>(), hp["beta2"].get<double>(), 1e-8});
  opt.step(lr);
  EXPECT_EQ(opt.stepCount(), 1);

  for (const auto& entry : step["parameters"]) {
    const auto name = entry["name"].get<std::string>();
    expectValues(name, before.at(name), named[name], entry, lr);
    expectPostNpy(postDir, name, named[name], lr);
  }
}

}  // namespace

TEST(TrainStepParity, CosineScheduleIsTheOfficialTable) {
  // utils.cosine_scheduler(5e-5, 1e-5, 50, 100, warmup_epochs=5): linspace(0, 5e-5, 500) then cosine.
  const auto t = train::cosineSchedule(5e-5, 1e-5, 50, 100, 5);
  ASSERT_EQ(t.size(), 5000u);
  EXPECT_EQ(t[0], 0.0);
  EXPECT_EQ(t[499], 5e-5);  // the base appears twice (end of the warm-up, start of the cosine)
  EXPECT_EQ(t[500], 5e-5);
  EXPECT_NEAR(t[4999], 1e-5 + 0.5 * 4e-5 * (1 + std::cos(M_PI * 4499.0 / 4500.0)), 1e-18);
  // warmup_steps overrides warm-up epochs (train_instruction.py: int(0.1 · N · epochs)).
  const auto w = train::cosineSchedule(5e-4, 5e-5, 5, 100, 1, 0.0, 50);
  EXPECT_EQ(w[49], 5e-4);
  EXPECT_NEAR(w[1], 5e-4 / 49.0, 1e-18);
  EXPECT_THROW(train::cosineSchedule(1e-3, 1e-4, 1, 10, 2), std::invalid_argument);
}

TEST(TrainStepParity, TokenizerStageStep) {
  torch::manual_seed(0);
  const auto step = readJson(trainDir() / "vq" / "step.json");
  const auto base = test::parityDir() / "vq";
  const auto ckpt = readTorchCheckpoint(base / "ckpt.pt");
  const auto over = readTorchCheckpoint(trainDir() / "vq" / "init_override.pt");
  VQAlign model(vqConfigFromArgs(ckpt.encoderArgs, over.decoderArgs));
  // Every decoder, decoder task layer and domain classifier tensor comes from the override (768 wide).
  const std::vector<std::string> replaced = {"VQ.decoder_freq.", "VQ.decoder_raw.",
                                             "VQ.decode_task_layer_freq.", "VQ.decode_task_layer_raw.",
                                             "domain_classifier."};
  NamedTensors merged;
  for (const auto& kv : ckpt.modelTensors) {
    bool drop = false;
    for (const auto& prefix : replaced) drop = drop || kv.first.rfind(prefix, 0) == 0;
    if (!drop) merged.push_back(kv);
  }
  for (const auto& kv : over.modelTensors) merged.push_back(kv);
  loadStateDict(*model, merged, "vq/ckpt.pt + train/vq/init_override.pt");
  model->train();

  // The PickleLoader sample: 76 real tokens padded to 1024 (x rows 0–75 of vq/input_x.npy).
  const auto pl = base / "pickleloader_1024";
  auto x = torch::zeros({1, 1024, 200});
  x.narrow(1, 0, 76).copy_(loadNpyTensor(base / "input_x.npy").narrow(1, 0, 76));
  auto yFreq = torch::zeros({1, 1024, 100});
  yFreq.narrow(1, 0, 76).copy_(loadNpyTensor(pl / "Y_freq_rows0_75.npy"));
  auto yRaw = torch::zeros({1, 1024, 200});
  yRaw.narrow(1, 0, 76).copy_(loadNpyTensor(pl / "Y_raw_rows0_75.npy"));
  const EegBatch eeg{x, loadNpyTensor(pl / "input_chans.npy"), loadNpyTensor(pl / "input_time.npy"),
                     loadNpyTensor(pl / "input_mask.npy")};
  const auto textIds = loadNpyTensor(trainDir() / "vq" / "text_x.npy");

  const auto& hp = step["hyper_parameters"];
  const double alpha = train::domainAlpha(step["schedule"]["iter_num"], hp["epochs"],
                                          step["schedule"]["num_training_steps_per_epoch"]);
  expectRel("alpha", alpha, step["alpha"], 1e-14);
  torch::Generator gen = at::detail::createCPUGenerator(1);
  const auto loss = train::tokenizerStepLoss(*model, eeg, yFreq, yRaw, textIds, alpha, gen);
  const auto& L = step["losses"];
  expectRel("quant_loss", loss.part("quant_loss"), L["quant_loss"], 1e-5);
  expectRel("rec_freq_loss", loss.part("rec_freq_loss"), L["rec_freq_loss"], 1e-5);
  expectRel("rec_raw_loss", loss.part("rec_raw_loss"), L["rec_raw_loss"], 1e-5);
  expectRel("domain_loss", loss.part("domain_loss"), L["domain_loss"], 1e-5);
  expectRel("domain_loss2", loss.part("domain_loss2"), L["domain_loss2(text)"], 1e-5);
  expectRel("total_loss", loss.part("total_loss"), L["total_loss"], 1e-5);

  stepAndCompare(*model, loss, step, trainDir() / "vq" / "post");

  // EMA codebook: cluster_size exact (0.01 · bins over all 1024 tokens), the used rows as recorded.
  const auto post = trainDir() / "vq" / "post";
  const auto clusterRef = loadNpyTensor(post / "VQ.quantize.cluster_size.npy");
  EXPECT_TRUE(torch::equal(model->vq->quantize->cluster_size, clusterRef)) << "cluster_size";
  const auto rowsUsed =
      step["codebook_ema"]["rows_used_by_batch(cluster_size>0)"].get<std::vector<int64_t>>();
  const auto ourRows = torch::nonzero(model->vq->quantize->cluster_size > 0).reshape({-1});
  EXPECT_EQ(std::vector<int64_t>(ourRows.data_ptr<int64_t>(), ourRows.data_ptr<int64_t>() + ourRows.numel()),
            rowsUsed);
  const auto rowsRef = loadNpyTensor(post / "VQ.quantize.embedding.weight[rows_used].npy");
  const auto ours = model->vq->quantize->embedding->weight.index_select(0, torch::tensor(rowsUsed));
  const double d = (ours - rowsRef).abs().max().item<double>();
  std::cout << "[train parity] EMA codebook used rows max|d| " << d << "\n";
  EXPECT_LE(d, 1e-6);
}

TEST(TrainStepParity, PretrainStageStep) {
  const auto step = readJson(trainDir() / "pretrain" / "step.json");
  auto model = loadNeuroLm();
  const auto pl = test::parityDir() / "vq" / "pickleloader_1024";
  auto x = torch::zeros({1, 1024, 200});
  x.narrow(1, 0, 76).copy_(loadNpyTensor(test::parityDir() / "vq" / "input_x.npy").narrow(1, 0, 76));
  const EegBatch eeg{x, loadNpyTensor(pl / "input_chans.npy"), loadNpyTensor(pl / "input_time.npy"),
                     loadNpyTensor(pl / "input_mask.npy")};
  const auto dir = trainDir() / "pretrain";
  const auto mask = test::unpackBits(loadNpyTensor(dir / "gpt_mask_packbits.npy"));  // [1, 1, 1024, 1024]
  // The official Y_eeg holds codes and −1 − 50304 for "ignore" (the model adds 50304); ours holds code or −1.
  auto yEeg = loadNpyTensor(dir / "Y_eeg.npy");
  EXPECT_EQ((yEeg >= 0).sum().item<int64_t>(), step["n_eeg_targets"].get<int64_t>());
  yEeg = torch::where(yEeg >= 0, yEeg, torch::full_like(yEeg, -1));
  const auto loss = train::pretrainStepLoss(*model, eeg, mask, yEeg, loadNpyTensor(dir / "text_x.npy"),
                                            loadNpyTensor(dir / "text_y.npy"));
  const auto& L = step["losses"];
  expectRel("eeg loss", loss.part("eeg_loss"), L["loss1(eeg)"], 1e-5);
  expectRel("text loss", loss.part("text_loss"), L["loss2(text)"], 1e-5);
  expectRel("total loss", loss.part("total_loss"), L["total_loss"], 1e-5);
  stepAndCompare(*model, loss, step, dir / "post");
}

TEST(TrainStepParity, InstructStageStep) {
  const auto step = readJson(trainDir() / "instruct" / "step.json");
  auto model = loadNeuroLm();
  const auto lm = test::parityDir() / "neurolm";
  const EegBatch eeg{loadNpyTensor(lm / "input_x_eeg.npy"), loadNpyTensor(lm / "input_chans.npy"),
                     loadNpyTensor(lm / "input_time.npy"), loadNpyTensor(lm / "input_eeg_mask.npy")};
  const auto textIds = loadNpyTensor(lm / "train_x_text.npy");
  const auto yText = loadNpyTensor(lm / "train_y_text.npy");
  const auto targets = torch::cat({torch::full({1, eeg.paddedLength()}, -1, torch::kLong), yText}, 1);
  const auto dir = trainDir() / "instruct";
  const auto loss =
      train::instructStepLoss(*model, eeg, textIds, loadNpyTensor(lm / "train_gpt_mask.npy"), targets,
                              loadNpyTensor(dir / "text_x.npy"), loadNpyTensor(dir / "text_y.npy"));
  const auto& L = step["losses"];
  expectRel("instruction loss", loss.part("instruction_loss"), L["loss1(eeg+instruction text)"], 1e-5);
  expectRel("text loss", loss.part("text_loss"), L["loss2(text)"], 1e-5);
  expectRel("total loss", loss.part("total_loss"), L["total_loss"], 1e-5);
  stepAndCompare(*model, loss, step, dir / "post");
}

// Debian's LibTorch 1.13 float32 GELU backward is wrong when its incoming gradient is non-contiguous, which
// TemporalConv's permute makes it (fixture README). The patch embedding's gradients must agree with a
// float64 run of the same module, every time.
TEST(TrainStepParity, TemporalConvGradientsAgreeWithFloat64) {
  torch::manual_seed(7);
  TemporalConv f32(768);
  TemporalConv f64(768);
  f64->to(torch::kDouble);
  {
    torch::NoGradGuard g;
    const auto src = f32->named_parameters();
    for (auto& p : f64->named_parameters()) p.value().copy_(src[p.key()]);
  }
  const auto x = torch::randn({2, 40, 200});
  const auto w = torch::randn({2, 40, 768});
  (f64->forward(x.to(torch::kDouble)) * w.to(torch::kDouble)).sum().backward();
  const auto ref = f64->conv1->weight.grad().clone();
  for (int run = 0; run < 3; ++run) {
    f32->zero_grad();
    (f32->forward(x) * w).sum().backward();
    const auto g = f32->conv1->weight.grad().to(torch::kDouble);
    const double rel = ((g - ref).abs().max() / ref.abs().max()).item<double>();
    EXPECT_LE(rel, 1e-4) << "run " << run;
    EXPECT_TRUE(torch::isfinite(g).all().item<bool>());
  }
}
