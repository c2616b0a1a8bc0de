// Classification metrics against scikit-learn (tests/tools/classification_metrics.py) on seeded random
// binary and multi-class cases with ties, and a hand-worked example.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/metrics/Calibration.h"
#include "core/metrics/Classification.h"

using namespace neurolm;

TEST(Metrics, HandWorkedBinaryExample) {
  // y = 0 0 1 1, scores 0.1 0.4 0.35 0.8: AUC = 3 of 4 positive/negative pairs ordered = 0.75.
  const std::vector<int64_t> y{0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(metrics::rocAucBinary(y, {0.1, 0.4, 0.35, 0.8}), 0.75);
  // predictions 0 1 0 1: accuracy 0.5, recall 0.5 each, kappa 0.
  const std::vector<int64_t> pred{0, 1, 0, 1};
  EXPECT_DOUBLE_EQ(metrics::balancedAccuracy(y, pred, 2), 0.5);
  EXPECT_DOUBLE_EQ(metrics::cohenKappa(y, pred, 2), 0.0);
  EXPECT_THROW(metrics::rocAucBinary({1, 1}, {0.2, 0.3}), std::invalid_argument);
}

TEST(Metrics, AgreeWithScikitLearn) {
  std::mt19937_64 rng(5);
  nlohmann::json in;
  std::vector<std::pair<std::vector<int64_t>, std::vector<std::vector<double>>>> cases;
  for (int k : {2, 2, 3, 5}) {
    std::vector<int64_t> y;
    std::vector<std::vector<double>> p;
    for (int i = 0; i < 157; ++i) {
      y.push_back(static_cast<int64_t>(rng() % static_cast<uint64_t>(k)));
      std::vector<double> row;
      double sum = 0;
      for (int c = 0; c < k; ++c) {
        // Coarse values (multiples of 1/8 before normalising) so that ties occur; label-correlated.
        const double v = static_cast<double>(rng() % 8 + 1) + (c == y.back() ? 3.0 : 0.0);
        row.push_back(v);
        sum += v;
      }
      for (auto& v : row) v /= sum;
      p.push_back(row);
    }
    in["cases"].push_back({{"y", y}, {"p", p}});
    cases.emplace_back(y, p);
  }
  test::TempDir tmp("metrics");
  std::ofstream(tmp / "in.json") << in.dump();
  const std::string cmd = std::string(test::python()) + " " +
                          (test::testsDir() / "tools" / "classification_metrics.py").string() + " " +
                          (tmp / "in.json").string() + " " + (tmp / "out.json").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream outFile(tmp / "out.json");
  const auto ref = nlohmann::json::parse(outFile);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& [y, p] = cases[i];
    const auto k = static_cast<int64_t>(p.front().size());
    const auto pred = metrics::argmaxRows(p);
    SCOPED_TRACE("case " + std::to_string(i) + " K " + std::to_string(k));
    EXPECT_NEAR(metrics::accuracy(y, pred), ref[i]["accuracy"].get<double>(), 1e-12);
    EXPECT_NEAR(metrics::balancedAccuracy(y, pred, k), ref[i]["balanced_accuracy"].get<double>(), 1e-12);
    EXPECT_NEAR(metrics::cohenKappa(y, pred, k), ref[i]["cohen_kappa"].get<double>(), 1e-12);
    EXPECT_NEAR(metrics::weightedF1(y, pred, k), ref[i]["f1_weighted"].get<double>(), 1e-12);
    EXPECT_NEAR(metrics::rocAuc(y, p), ref[i]["roc_auc"].get<double>(), 1e-12);
    EXPECT_NEAR(metrics::expectedCalibrationError(y, p), ref[i]["ece"].get<double>(), 1e-12);
  }
}

// Temperature scaling: labels drawn from softmax(z) and logits 3·z (an overconfident model) -> the fitted T
// is ≈ 3; and on any data it is the minimum of the NLL that a dense grid finds independently.
TEST(Calibration, TemperatureOfAnOverconfidentModelIsRecovered) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0.0, 1.5);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<std::vector<double>> logits;
  std::vector<int64_t> y;
  for (int i = 0; i < 20000; ++i) {
    std::vector<double> z{normal(rng), normal(rng), normal(rng)};
    const auto p = metrics::softmaxWithTemperature({z}, 1.0)[0];
    const double u = uniform(rng);
    y.push_back(u < p[0] ? 0 : (u < p[0] + p[1] ? 1 : 2));
    logits.push_back({3 * z[0], 3 * z[1], 3 * z[2]});
  }
  const double t = metrics::fitTemperature(logits, y);
  EXPECT_NEAR(t, 3.0, 0.15);
  EXPECT_LT(metrics::temperatureNll(logits, y, t), metrics::temperatureNll(logits, y, 1.0));
  // Calibrated probabilities have a smaller expected calibration error than the raw ones.
  EXPECT_LT(metrics::expectedCalibrationError(y, metrics::softmaxWithTemperature(logits, t)),
            metrics::expectedCalibrationError(y, metrics::softmaxWithTemperature(logits, 1.0)) / 3);

  // Small, unbalanced set: the fit equals the best of a dense log-spaced grid of temperatures.
  std::vector<std::vector<double>> few(logits.begin(), logits.begin() + 40);
  std::vector<int64_t> fewY(y.begin(), y.begin() + 40);
  double bestT = 0, bestNll = 1e300;
  for (int k = 0; k <= 40000; ++k) {
    const double cand = 0.05 * std::pow(400.0, k / 40000.0);  // 0.05 … 20
    const double nll = metrics::temperatureNll(few, fewY, cand);
    if (nll < bestNll) bestNll = nll, bestT = cand;
  }
  const double fitted = metrics::fitTemperature(few, fewY);
  EXPECT_NEAR(fitted, bestT, 2e-3 * bestT);
  EXPECT_LE(metrics::temperatureNll(few, fewY, fitted), bestNll + 1e-12);
  EXPECT_THROW(metrics::fitTemperature(few, std::vector<int64_t>(40, 3)), std::invalid_argument);
}
