#include "models/train/Optimizer.h"

#include <cmath>
#include <map>
#include <stdexcept>

namespace neurolm::train {

std::vector<ParamGroup> officialParamGroups(const torch::nn::Module& module, double weightDecay) {
  ParamGroup decay{"decay", weightDecay, {}};
  ParamGroup noDecay{"no_decay", 0.0, {}};
  for (const auto& item : module.named_parameters(/*recurse=*/true)) {
    const auto& p = item.value();
    if (!p.requires_grad()) continue;
    (p.dim() >= 2 ? decay : noDecay).params.emplace_back(item.key(), p);
  }
  return {std::move(decay), std::move(noDecay)};
}

AdamW::AdamW(std::vector<ParamGroup> groups, AdamWOptions options)
    : groups_(std::move(groups)), options_(options) {
  for (const auto& g : groups_)
    for (const auto& [name, p] : g.params) {
      expAvg_.push_back(torch::zeros_like(p, torch::MemoryFormat::Preserve));
      expAvgSq_.push_back(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    }
}

void AdamW::step(double lr) {
  torch::NoGradGuard noGrad;
  ++step_;
  const double biasCorrection1 = 1.0 - std::pow(options_.beta1, static_cast<double>(step_));
  const double biasCorrection2Sqrt = std::sqrt(1.0 - std::pow(options_.beta2, static_cast<double>(step_)));
  const double stepSize = lr / biasCorrection1;
  std::size_t i = 0;
  for (const auto& g : groups_) {
    for (const auto& [name, p] : g.params) {
      auto& m = expAvg_[i];
      auto& v = expAvgSq_[i];
      ++i;
      const auto& grad = p.grad();
      if (!grad.defined()) continue;
      p.mul_(1.0 - lr * g.weightDecay);  // decoupled weight decay first, as torch 1.13
      m.mul_(options_.beta1).add_(grad, 1.0 - options_.beta1);
      v.mul_(options_.beta2).addcmul_(grad, grad, 1.0 - options_.beta2);
      const auto denom = (v.sqrt() / biasCorrection2Sqrt).add_(options_.eps);
      p.addcdiv_(m, denom, -stepSize);
    }
  }
}

void AdamW::zeroGrad() {
  for (const auto& g : groups_)
    for (const auto& [name, p] : g.params) {
      auto& grad = p.mutable_grad();
      if (grad.defined()) grad = torch::Tensor();  // set_to_none, as PyTorch ≥ 2 zero_grad
    }
}

NamedTensors AdamW::stateTensors() const {
  NamedTensors out;
  std::size_t i = 0;
  for (const auto& g : groups_)
    for (const auto& [name, p] : g.params) {
      out.emplace_back("exp_avg." + name, expAvg_[i]);
      out.emplace_back("exp_avg_sq." + name, expAvgSq_[i]);
      ++i;
    }
  out.emplace_back("step", torch::tensor({step_}, torch::kLong));
  return out;
}

void AdamW::loadState(const NamedTensors& state, const std::string& sourceName) {
  std::map<std::string, torch::Tensor> byName(state.begin(), state.end());
  auto fetch = [&](const std::string& key, const torch::Tensor& like) {
    const auto it = byName.find(key);
    if (it == byName.end())
      throw std::runtime_error(sourceName + ": optimizer state '" + key + "' is missing");
    if (it->second.sizes() != like.sizes())
      throw std::runtime_error(sourceName + ": optimizer state '" + key + "' has shape " +
                               shapeToString(it->second.sizes()) + ", expected " +
                               shapeToString(like.sizes()));
    return it->second;
  };
  std::vector<torch::Tensor> m, v;
  std::size_t i = 0;
  for (const auto& g : groups_)
    for (const auto& [name, p] : g.params) {
      m.push_back(fetch("exp_avg." + name, expAvg_[i]));
      v.push_back(fetch("exp_avg_sq." + name, expAvgSq_[i]));
      ++i;
    }
  const auto stepIt = byName.find("step");
  if (stepIt == byName.end() || stepIt->second.numel() != 1)
    throw std::runtime_error(sourceName + ": optimizer state 'step' is missing or not a single value");
  torch::NoGradGuard noGrad;
  for (std::size_t k = 0; k < m.size(); ++k) {
    expAvg_[k].copy_(m[k]);
    expAvgSq_[k].copy_(v[k]);
  }
  step_ = stepIt->second.to(torch::kLong).item<int64_t>();
}

double gradNorm(const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> norms;
  for (const auto& p : params)
    if (p.grad().defined()) norms.push_back(p.grad().detach().norm(2));
  if (norms.empty()) return 0.0;
  return torch::stack(norms).norm(2).item<double>();
}

ClipResult clipGradNorm(const std::vector<torch::Tensor>& params, double maxNorm) {
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> norms;
  for (const auto& p : params)
    if (p.grad().defined()) norms.push_back(p.grad().detach().norm(2));
  ClipResult r;
  if (norms.empty()) return r;
  const auto total = torch::stack(norms).norm(2);  // float32 on the parameters' device, as torch
  const auto coef = torch::clamp(maxNorm / (total + 1e-6), c10::nullopt, 1.0);
  for (const auto& p : params)
    if (p.grad().defined()) p.grad().detach().mul_(coef.to(p.grad().device()));
  r.totalNorm = total.item<double>();
  r.coefficient = coef.item<double>();
  return r;
}

std::vector<double> cosineSchedule(double base, double final, int64_t epochs, int64_t stepsPerEpoch,
                                   int64_t warmupEpochs, double startWarmup, int64_t warmupSteps) {
  if (epochs <= 0 || stepsPerEpoch <= 0)
    throw std::invalid_argument("cosine schedule: epochs and steps per epoch must be positive");
  const int64_t total = epochs * stepsPerEpoch;
  int64_t warmup = warmupEpochs * stepsPerEpoch;
  if (warmupSteps > 0) warmup = warmupSteps;
  if (warmupEpochs <= 0 && warmupSteps <= 0) warmup = 0;
  if (warmup > total)
    throw std::invalid_argument("cosine schedule: " + std::to_string(warmup) + " warm-up steps exceed the " +
                                std::to_string(total) + " steps of the run");
  std::vector<double> lr;
  lr.reserve(static_cast<std::size_t>(total));
  // numpy.linspace(start, base, W): endpoint included.
  if (warmup > 0) {
    const double delta = warmup == 1 ? 0.0 : (base - startWarmup) / static_cast<double>(warmup - 1);
    for (int64_t i = 0; i < warmup; ++i) lr.push_back(static_cast<double>(i) * delta + startWarmup);
    if (warmup > 1) lr.back() = base;  // numpy sets the endpoint exactly
  }
  const int64_t rest = total - warmup;
  for (int64_t j = 0; j < rest; ++j)
    lr.push_back(final + 0.5 * (base - final) *
                             (1.0 + std::cos(M_PI * static_cast<double>(j) / static_cast<double>(rest))));
  return lr;
}

double domainAlpha(int64_t step, int64_t epochs, int64_t stepsPerEpoch) {
  // The official expression, in its order of operations: −10 · s / epochs / steps_per_epoch.
  const double x =
      -10.0 * static_cast<double>(step) / static_cast<double>(epochs) / static_cast<double>(stepsPerEpoch);
  return 2.0 / (1.0 + std::exp(x)) - 1.0;
}

}  // namespace neurolm::train
