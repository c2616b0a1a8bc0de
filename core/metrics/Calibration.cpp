#include "core/metrics/Calibration.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace neurolm::metrics {
namespace {

void checkRows(const std::vector<std::vector<double>>& logits) {
  for (const auto& row : logits)
    if (row.empty() || row.size() != logits.front().size())
      throw std::invalid_argument("temperature scaling: logit rows must be non-empty and of one length");
}

// log Σ_k exp(row_k · beta), stably.
double logSumExp(const std::vector<double>& row, double beta) {
  double top = row.front() * beta;
  for (double v : row) top = std::max(top, v * beta);
  double sum = 0;
  for (double v : row) sum += std::exp(v * beta - top);
  return top + std::log(sum);
}

}  // namespace

std::vector<std::vector<double>> softmaxWithTemperature(const std::vector<std::vector<double>>& logits,
                                                        double temperature) {
  if (!(temperature > 0)) throw std::invalid_argument("temperature must be positive");
  checkRows(logits);
  std::vector<std::vector<double>> out;
  out.reserve(logits.size());
  for (const auto& row : logits) {
    const double lse = logSumExp(row, 1.0 / temperature);
    std::vector<double> p;
    p.reserve(row.size());
    for (double v : row) p.push_back(std::exp(v / temperature - lse));
    out.push_back(std::move(p));
  }
  return out;
}

double temperatureNll(const std::vector<std::vector<double>>& logits, const std::vector<int64_t>& y,
                      double temperature) {
  if (!(temperature > 0)) throw std::invalid_argument("temperature must be positive");
  if (logits.empty() || logits.size() != y.size())
    throw std::invalid_argument("temperature scaling: " + std::to_string(logits.size()) + " rows but " +
                                std::to_string(y.size()) + " labels");
  checkRows(logits);
  const double beta = 1.0 / temperature;
  double nll = 0;
  for (std::size_t i = 0; i < logits.size(); ++i) {
    if (y[i] < 0 || y[i] >= static_cast<int64_t>(logits[i].size()))
      throw std::invalid_argument("temperature scaling: label " + std::to_string(y[i]) + " outside the " +
                                  std::to_string(logits[i].size()) + " options");
    nll += logSumExp(logits[i], beta) - logits[i][static_cast<std::size_t>(y[i])] * beta;
  }
  return nll / static_cast<double>(logits.size());
}

double fitTemperature(const std::vector<std::vector<double>>& logits, const std::vector<int64_t>& y,
                      double minT, double maxT) {
  if (!(minT > 0) || !(maxT > minT)) throw std::invalid_argument("temperature range must be 0 < min < max");
  auto nllOfBeta = [&](double beta) { return temperatureNll(logits, y, 1.0 / beta); };
  double lo = 1.0 / maxT, hi = 1.0 / minT;
  const double invPhi = (std::sqrt(5.0) - 1.0) / 2.0;
  double a = hi - invPhi * (hi - lo), b = lo + invPhi * (hi - lo);
  double fa = nllOfBeta(a), fb = nllOfBeta(b);
  while (hi - lo > 1e-7 * std::max(1.0, hi)) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - invPhi * (hi - lo);
      fa = nllOfBeta(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + invPhi * (hi - lo);
      fb = nllOfBeta(b);
    }
  }
  return 1.0 / (0.5 * (lo + hi));
}

}  // namespace neurolm::metrics
