#include "core/metrics/Classification.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace neurolm::metrics {

namespace {

void check(const std::vector<int64_t>& y, std::size_t n, int64_t classCount, const char* what) {
  if (y.size() != n)
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(y.size()) + " labels but " +
                                std::to_string(n) + " predictions");
  if (y.empty()) throw std::invalid_argument(std::string(what) + ": no samples");
  for (auto v : y)
    if (v < 0 || (classCount > 0 && v >= classCount))
      throw std::invalid_argument(std::string(what) + ": class " + std::to_string(v) + " outside 0…" +
                                  std::to_string(classCount - 1));
}

// confusion[true][pred]
std::vector<std::vector<double>> confusion(const std::vector<int64_t>& y, const std::vector<int64_t>& pred,
                                           int64_t k) {
  std::vector<std::vector<double>> c(static_cast<std::size_t>(k),
                                     std::vector<double>(static_cast<std::size_t>(k)));
  for (std::size_t i = 0; i < y.size(); ++i)
    c[static_cast<std::size_t>(y[i])][static_cast<std::size_t>(pred[i])] += 1;
  return c;
}

}  // namespace

double accuracy(const std::vector<int64_t>& y, const std::vector<int64_t>& pred) {
  check(y, pred.size(), 0, "accuracy");
  std::size_t hit = 0;
  for (std::size_t i = 0; i < y.size(); ++i) hit += y[i] == pred[i];
  return static_cast<double>(hit) / static_cast<double>(y.size());
}

double balancedAccuracy(const std::vector<int64_t>& y, const std::vector<int64_t>& pred, int64_t k) {
  check(y, pred.size(), k, "balanced accuracy");
  check(pred, y.size(), k, "balanced accuracy (predictions)");
  const auto c = confusion(y, pred, k);
  double sum = 0;
  int present = 0;
  for (int64_t t = 0; t < k; ++t) {
    const double n =
        std::accumulate(c[static_cast<std::size_t>(t)].begin(), c[static_cast<std::size_t>(t)].end(), 0.0);
    if (n == 0) continue;
    sum += c[static_cast<std::size_t>(t)][static_cast<std::size_t>(t)] / n;
    ++present;
  }
  return sum / present;
}

double cohenKappa(const std::vector<int64_t>& y, const std::vector<int64_t>& pred, int64_t k) {
  check(y, pred.size(), k, "Cohen's kappa");
  check(pred, y.size(), k, "Cohen's kappa (predictions)");
  const auto c = confusion(y, pred, k);
  const double n = static_cast<double>(y.size());
  double po = 0, pe = 0;
  for (int64_t i = 0; i < k; ++i) {
    po += c[static_cast<std::size_t>(i)][static_cast<std::size_t>(i)];
    double row = 0, col = 0;
    for (int64_t j = 0; j < k; ++j) {
      row += c[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
      col += c[static_cast<std::size_t>(j)][static_cast<std::size_t>(i)];
    }
    pe += row * col;
  }
  po /= n;
  pe /= n * n;
  return pe == 1.0 ? 0.0 : (po - pe) / (1.0 - pe);
}

double weightedF1(const std::vector<int64_t>& y, const std::vector<int64_t>& pred, int64_t k) {
  check(y, pred.size(), k, "weighted F1");
  check(pred, y.size(), k, "weighted F1 (predictions)");
  const auto c = confusion(y, pred, k);
  double sum = 0;
  for (int64_t t = 0; t < k; ++t) {
    double support = 0, predicted = 0;
    for (int64_t j = 0; j < k; ++j) {
      support += c[static_cast<std::size_t>(t)][static_cast<std::size_t>(j)];
      predicted += c[static_cast<std::size_t>(j)][static_cast<std::size_t>(t)];
    }
    const double tp = c[static_cast<std::size_t>(t)][static_cast<std::size_t>(t)];
    const double f1 = (support + predicted) == 0 ? 0.0 : 2 * tp / (support + predicted);  // 0 when undefined
    sum += f1 * support;
  }
  return sum / static_cast<double>(y.size());
}

double rocAucBinary(const std::vector<int64_t>& y, const std::vector<double>& score) {
  if (y.size() != score.size()) throw std::invalid_argument("ROC AUC: labels and scores differ in count");
  // Mann–Whitney U with average ranks for ties (= trapezoidal ROC area).
  std::vector<std::size_t> order(y.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
  std::vector<double> rank(y.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && score[order[j + 1]] == score[order[i]]) ++j;
    const double r = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t k = i; k <= j; ++k) rank[order[k]] = r;
    i = j + 1;
  }
  double pos = 0, neg = 0, rankSum = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] == 1) {
      ++pos;
      rankSum += rank[i];
    } else {
      ++neg;
    }
  }
  if (pos == 0 || neg == 0) throw std::invalid_argument("ROC AUC: only one class is present in the labels");
  return (rankSum - pos * (pos + 1) / 2.0) / (pos * neg);
}

double rocAuc(const std::vector<int64_t>& y, const std::vector<std::vector<double>>& p) {
  if (y.size() != p.size() || p.empty())
    throw std::invalid_argument("ROC AUC: labels and probabilities differ in count");
  const auto k = static_cast<int64_t>(p.front().size());
  if (k == 2) {
    std::vector<double> s;
    for (const auto& row : p) s.push_back(row[1]);
    return rocAucBinary(y, s);
  }
  double sum = 0;
  int used = 0;
  for (int64_t c = 0; c < k; ++c) {
    std::vector<int64_t> yc;
    std::vector<double> s;
    for (std::size_t i = 0; i < y.size(); ++i) {
      yc.push_back(y[i] == c ? 1 : 0);
      s.push_back(p[i][static_cast<std::size_t>(c)]);
    }
    if (std::count(yc.begin(), yc.end(), 1) == 0 || std::count(yc.begin(), yc.end(), 0) == 0) continue;
    sum += rocAucBinary(yc, s);
    ++used;
  }
  if (used == 0) throw std::invalid_argument("ROC AUC: only one class is present in the labels");
  return sum / used;
}

double expectedCalibrationError(const std::vector<int64_t>& y, const std::vector<std::vector<double>>& p,
                                int bins) {
  if (y.size() != p.size() || p.empty())
    throw std::invalid_argument("ECE: labels and probabilities differ in count");
  if (bins < 1) throw std::invalid_argument("ECE: at least one bin");
  std::vector<double> count(static_cast<std::size_t>(bins)), conf(static_cast<std::size_t>(bins)),
      hit(static_cast<std::size_t>(bins));
  for (std::size_t i = 0; i < y.size(); ++i) {
    const auto best = static_cast<int64_t>(std::max_element(p[i].begin(), p[i].end()) - p[i].begin());
    const double c = p[i][static_cast<std::size_t>(best)];
    int b = static_cast<int>(std::ceil(c * bins)) - 1;
    b = std::clamp(b, 0, bins - 1);
    count[static_cast<std::size_t>(b)] += 1;
    conf[static_cast<std::size_t>(b)] += c;
    hit[static_cast<std::size_t>(b)] += best == y[i];
  }
  double ece = 0;
  for (int b = 0; b < bins; ++b)
    if (count[static_cast<std::size_t>(b)] > 0)
      ece += std::abs(hit[static_cast<std::size_t>(b)] - conf[static_cast<std::size_t>(b)]) /
             static_cast<double>(y.size());
  return ece;
}

std::vector<int64_t> argmaxRows(const std::vector<std::vector<double>>& p) {
  std::vector<int64_t> out;
  for (const auto& row : p)
    out.push_back(static_cast<int64_t>(std::max_element(row.begin(), row.end()) - row.begin()));
  return out;
}

}  // namespace neurolm::metrics
