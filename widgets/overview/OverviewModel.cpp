#include "widgets/overview/OverviewModel.h"

#include <algorithm>

namespace neurolm::widgets {

OverviewModel::OverviewModel(QObject* parent) : QObject(parent) {}

void OverviewModel::setDuration(double durationSec) {
  durationSec_ = std::max(0.0, durationSec);
  pageStartSec_ = 0;
  onsets_.clear();
  epochs_.clear();
  timeline_ = {};
  band_ = QImage();
  indexing_ = 0;
  Q_EMIT changed();
}

void OverviewModel::setPage(double startSec, double durationSec) {
  pageStartSec_ = startSec;
  pageDurationSec_ = durationSec;
  Q_EMIT changed();
}

void OverviewModel::setAnnotations(const std::vector<AnnotationEntry>& entries) {
  onsets_.clear();
  for (const AnnotationEntry& e : entries) onsets_.push_back(e.onsetSec);
  std::sort(onsets_.begin(), onsets_.end());
  epochs_ = sleepStageEpochs(entries);
  Q_EMIT changed();
}

void OverviewModel::setTimeline(const navigation::Timeline& timeline) {
  timeline_ = timeline;
  Q_EMIT changed();
}

bool OverviewModel::setBand(quint64 requestId, const QImage& band) {
  if (requestId < bandId_) return false;
  bandId_ = requestId;
  band_ = band;
  Q_EMIT changed();
  return true;
}

double OverviewModel::timeAtX(double x, int width) const {
  if (width <= 0 || durationSec_ <= 0) return 0;
  return std::clamp(x / width, 0.0, 1.0) * durationSec_;
}

double OverviewModel::xOfTime(double sec, int width) const {
  return durationSec_ > 0 ? sec / durationSec_ * width : 0;
}

double OverviewModel::pageStartCentredOn(double sec) const {
  return std::clamp(sec - pageDurationSec_ / 2, 0.0, std::max(0.0, durationSec_ - pageDurationSec_));
}

}  // namespace neurolm::widgets
