#pragma once
// Classification metrics of the evaluation stage (spec §5.6 and the list), with scikit-learn's
// definitions so that numbers compare with published ones: balanced accuracy (mean per-class recall over the
// classes present in y), Cohen's kappa (unweighted), weighted F1, ROC AUC (binary: of the positive-class
// score; multi-class: one-vs-rest macro average), and the expected calibration error of the top-class
// probability. No torch, no Qt.
#include <cstdint>
#include <string>
#include <vector>

namespace neurolm::metrics {

// y and pred hold class indices 0…K−1 (K = classCount); sizes must match. Throws std::invalid_argument.
double accuracy(const std::vector<int64_t>& y, const std::vector<int64_t>& pred);
double balancedAccuracy(const std::vector<int64_t>& y, const std::vector<int64_t>& pred, int64_t classCount);
double cohenKappa(const std::vector<int64_t>& y, const std::vector<int64_t>& pred, int64_t classCount);
double weightedF1(const std::vector<int64_t>& y, const std::vector<int64_t>& pred, int64_t classCount);

// Binary ROC AUC of scores for class 1 (ties count half, as the trapezoid rule of roc_auc_score). Throws when
// y holds a single class.
double rocAucBinary(const std::vector<int64_t>& y, const std::vector<double>& score);
// probabilities [N][K]: binary -> AUC of column 1; K > 2 -> macro mean of one-vs-rest AUCs over the classes
// present in y (sklearn multi_class="ovr", average="macro" needs every class; absent ones are skipped here
// and the count is reported by the caller).
double rocAuc(const std::vector<int64_t>& y, const std::vector<std::vector<double>>& probabilities);

// Expected calibration error with `bins` equal-width bins over the top-class probability (confidence):
// Σ_b (n_b / N) · |accuracy_b − mean confidence_b|; bin b holds confidences in (b/B, (b+1)/B], bin 0 also 0.
double expectedCalibrationError(const std::vector<int64_t>& y,
                                const std::vector<std::vector<double>>& probabilities, int bins = 15);

// argmax per row (first on ties).
std::vector<int64_t> argmaxRows(const std::vector<std::vector<double>>& probabilities);

}  // namespace neurolm::metrics
