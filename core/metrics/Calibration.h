#pragma once
// Temperature scaling (Guo et al., 2017) of option log-probabilities: p = softmax(logits / T). The fitted T
// minimises the negative log-likelihood of the true classes on a calibration set that is not the one
// reported. No torch, no Qt.
#include <cstdint>
#include <vector>

namespace neurolm::metrics {

// Rows of softmax(logits[i] / temperature). Throws std::invalid_argument for T ≤ 0 or ragged rows.
std::vector<std::vector<double>> softmaxWithTemperature(const std::vector<std::vector<double>>& logits,
                                                        double temperature);

// Mean negative log-likelihood of y under softmax(logits / temperature).
double temperatureNll(const std::vector<std::vector<double>>& logits, const std::vector<int64_t>& y,
                      double temperature);

// The T in [minT, maxT] with the smallest temperatureNll: the NLL is convex in 1/T, so a golden-section
// search over 1/T finds it (to ~1e-7 relative in 1/T). Throws std::invalid_argument for empty input or a
// label outside a row.
double fitTemperature(const std::vector<std::vector<double>>& logits, const std::vector<int64_t>& y,
                      double minT = 0.05, double maxT = 20.0);

}  // namespace neurolm::metrics
