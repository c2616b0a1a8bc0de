#include "models/train/InputInit.h"

#include <stdexcept>
#include <string>

namespace neurolm::train {

InputInitReport whitenEegInput(nn::NeuroLMImpl& model, const torch::Tensor& features,
                               const torch::Tensor& positions) {
  if (!model.hasTransformLayer())
    throw std::invalid_argument(
        "eeg_input_init \"whiten\" needs an LM narrower than 768 (a B-size LM reads the features as they are)");
  if (features.dim() != 2 || positions.dim() != 1 || features.size(0) != positions.size(0))
    throw std::invalid_argument("eeg_input_init: features [T, 768] and positions [T] expected");
  auto params = model.encode_transform_layer->named_parameters();
  auto weight = params["0.weight"], bias = params["0.bias"];  // Linear(768, D)
  const int64_t d = weight.size(0);
  const auto f = features.to(torch::kDouble);  // [T, 768]
  const auto mean = f.mean(0);                 // [768]

  // Per-position means and the content residual.
  const auto [keys, inverse, counts] = at::_unique2(positions.to(torch::kLong), true, true, true);
  const int64_t p = keys.size(0);
  auto sums = torch::zeros({p, f.size(1)}, f.options()).index_add_(0, inverse, f);  // [P, 768]
  const auto posMean = sums / counts.to(torch::kDouble).unsqueeze(1);
  const auto content = f - posMean.index_select(0, inverse);  // [T, 768]

  // Q: the directions in which the position means differ (weighted by how often each position occurs).
  const auto centred = (posMean - mean) * counts.to(torch::kDouble).sqrt().unsqueeze(1);  // [P, 768]
  const auto [u, s, vh] = torch::linalg_svd(centred, false);
  const double tol = 1e-6 * (s.numel() ? s.max().item<double>() : 0.0);
  const int64_t rank = (s > tol).sum().item<int64_t>();
  const auto q = vh.narrow(0, 0, rank).t();                                    // [768, r]
  const auto projector = torch::eye(f.size(1), f.options()) - q.matmul(q.t());  // [768, 768]

  const auto rest = content.matmul(projector);                                // [T, 768]
  const auto cov = rest.t().matmul(rest) / static_cast<double>(f.size(0));   // [768, 768]
  const auto [eigenvalues, eigenvectors] = torch::linalg_eigh(cov);          // ascending
  const auto top = eigenvalues.flip(0).narrow(0, 0, d);                      // [D]
  const double floor = 1e-9 * eigenvalues.max().item<double>();
  if (top.min().item<double>() <= floor)
    throw std::invalid_argument("eeg_input_init: the features have fewer than " + std::to_string(d) +
                                " content directions (measured on " + std::to_string(f.size(0)) +
                                " tokens); use more windows or a narrower LM");
  const auto basis = eigenvectors.flip(1).narrow(1, 0, d);  // [768, D]
  const auto w = (basis.t() / top.sqrt().unsqueeze(1)).matmul(projector);  // [D, 768]
  {
    torch::NoGradGuard g;
    weight.copy_(w.to(weight.dtype()));
    bias.copy_((-w.matmul(mean)).to(bias.dtype()));
  }
  InputInitReport r;
  r.tokens = f.size(0);
  r.positions = p;
  r.positionDirections = rank;
  const double total = (f - mean).pow(2).sum().item<double>();
  const double contentVar = content.pow(2).sum().item<double>();
  r.contentShare = total > 0 ? contentVar / total : 0.0;
  const double restVar = eigenvalues.sum().item<double>();
  r.keptContentShare = restVar > 0 ? top.sum().item<double>() / restVar : 0.0;
  return r;
}

}  // namespace neurolm::train
