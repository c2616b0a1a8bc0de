#include "widgets/tokens/TokenModel.h"

#include <algorithm>
#include <cmath>

namespace neurolm::widgets {

QColor codeColour(std::int32_t code) {
  if (code < 0) return QColor(236, 238, 242);
  constexpr double kGolden = 0.6180339887498949;
  const double hue = std::fmod(static_cast<double>(code) * kGolden, 1.0);
  const int step = code % 3;
  return QColor::fromHsv(static_cast<int>(hue * 359.0), 110 + 45 * step, 235 - 25 * step);
}

TokenModel::TokenModel(QObject* parent) : QObject(parent) {}

void TokenModel::setGrid(std::shared_ptr<const TokenGrid> grid) {
  grid_ = std::move(grid);
  counts_.clear();
  tokenCount_ = 0;
  if (grid_) {
    std::vector<std::int32_t> codes;
    codes.reserve(grid_->codes.size());
    for (std::int32_t c : grid_->codes)
      if (c >= 0) codes.push_back(c);
    std::sort(codes.begin(), codes.end());
    tokenCount_ = codes.size();
    for (std::size_t i = 0; i < codes.size();) {
      std::size_t j = i;
      while (j < codes.size() && codes[j] == codes[i]) ++j;
      counts_.push_back({codes[i], j - i});
      i = j;
    }
  }
  selected_ = -1;
  occurrences_.clear();
  occurrenceMask_.clear();
  current_ = -1;
  Q_EMIT gridChanged();
  Q_EMIT selectionChanged(-1);
}

std::size_t TokenModel::countOf(std::int32_t code) const {
  const auto it = std::lower_bound(counts_.begin(), counts_.end(), code,
                                   [](const CodeCount& c, std::int32_t v) { return c.code < v; });
  return it != counts_.end() && it->code == code ? it->count : 0;
}

double TokenModel::percentOf(std::int32_t code) const {
  return tokenCount_ ? 100.0 * static_cast<double>(countOf(code)) / static_cast<double>(tokenCount_) : 0.0;
}

std::vector<CodeCount> TokenModel::topCodes(std::size_t k) const {
  std::vector<CodeCount> sorted = counts_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const CodeCount& a, const CodeCount& b) { return a.count > b.count; });
  if (k > 0 && sorted.size() > k) sorted.resize(k);
  return sorted;
}

bool TokenModel::isOccurrence(std::size_t channel, std::size_t second) const {
  if (occurrenceMask_.empty() || !grid_ || channel >= grid_->channelCount() || second >= grid_->seconds)
    return false;
  return occurrenceMask_[channel * grid_->seconds + second] != 0;
}

void TokenModel::selectCode(std::int32_t code) {
  if (!grid_ || countOf(code) == 0) code = -1;
  if (code == selected_) return;
  selected_ = code;
  occurrences_.clear();
  occurrenceMask_.clear();
  current_ = -1;
  if (code >= 0) {
    occurrenceMask_.assign(grid_->codes.size(), 0);
    for (std::size_t s = 0; s < grid_->seconds; ++s) {
      for (std::size_t c = 0; c < grid_->channelCount(); ++c) {
        if (grid_->code(c, s) != code) continue;
        occurrences_.push_back({c, s});
        occurrenceMask_[c * grid_->seconds + s] = 1;
      }
    }
  }
  Q_EMIT selectionChanged(selected_);
  Q_EMIT currentOccurrenceChanged(current_);
}

int TokenModel::nextOccurrence(double fromSec) {
  if (occurrences_.empty()) return -1;
  const double after = current_ >= 0 ? static_cast<double>(occurrences_[current_].second) : fromSec;
  for (std::size_t i = 0; i < occurrences_.size(); ++i) {
    if (static_cast<double>(occurrences_[i].second) > after) {
      current_ = static_cast<int>(i);
      Q_EMIT currentOccurrenceChanged(current_);
      return current_;
    }
  }
  return -1;
}

int TokenModel::previousOccurrence(double fromSec) {
  if (occurrences_.empty()) return -1;
  const double before = current_ >= 0 ? static_cast<double>(occurrences_[current_].second) : fromSec;
  for (std::size_t i = occurrences_.size(); i-- > 0;) {
    if (static_cast<double>(occurrences_[i].second) < before) {
      // the first occurrence of that second, so next/previous visit the same cells
      std::size_t first = i;
      while (first > 0 && occurrences_[first - 1].second == occurrences_[i].second) --first;
      current_ = static_cast<int>(first);
      Q_EMIT currentOccurrenceChanged(current_);
      return current_;
    }
  }
  return -1;
}

}  // namespace neurolm::widgets
