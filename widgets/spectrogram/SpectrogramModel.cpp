#include "widgets/spectrogram/SpectrogramModel.h"

#include <QThreadPool>

namespace neurolm::widgets {

SpectrogramModel::SpectrogramModel(QObject* parent) : QObject(parent), pool_(new QThreadPool(this)) {
  pool_->setMaxThreadCount(1);  // requests in order; the spectrogram itself fans out over channels/segments
  progressTimer_.setInterval(100);
  connect(&progressTimer_, &QTimer::timeout, this, [this]() { Q_EMIT progressChanged(progress_->load()); });
}

SpectrogramModel::~SpectrogramModel() {
  if (cancel_) cancel_->store(true);
  pool_->clear();
  pool_->waitForDone();  // the running job sees the cancel flag between chunks and segment blocks
}

void SpectrogramModel::setRecording(std::shared_ptr<const Recording> recording) {
  if (cancel_) cancel_->store(true);
  ++latestId_;
  recording_ = std::move(recording);
  channels_.clear();
  montage_.reset();
  filters_ = {};
  result_ = SpectrogramData();
  pageStart_ = pageDuration_ = 0;
  setBusy(false);
  if (recording_ && !recording_->channels().empty()) channels_ = {0};
  Q_EMIT resultChanged();
}

void SpectrogramModel::setPipeline(std::shared_ptr<const montage::Montage> montage,
                                   const montage::FilterSet& filters) {
  if (montage == montage_ && filters == filters_) return;
  montage_ = std::move(montage);
  filters_ = filters;
  request();
}

void SpectrogramModel::setActive(bool active) {
  active_ = active;
  if (active_ && dirty_) request();
}

void SpectrogramModel::setPage(double startSec, double durationSec) {
  const bool same = startSec == pageStart_ && durationSec == pageDuration_;
  pageStart_ = startSec;
  pageDuration_ = durationSec;
  Q_EMIT pageChanged(startSec, durationSec);
  // The whole-recording view only moves its page marker; a page view follows the page.
  if (range_ == Range::Page && !same) request();
  if (range_ == Range::WholeRecording && result_.requestId == 0 && !busy_) request();
}

void SpectrogramModel::setChannels(const std::vector<std::size_t>& channels) {
  if (channels == channels_) return;
  channels_ = channels;
  request();
}

void SpectrogramModel::setRange(Range range) {
  if (range == range_) return;
  range_ = range;
  request();
}

void SpectrogramModel::cancel() {
  if (!busy_) return;
  if (cancel_) cancel_->store(true);
  ++latestId_;  // whatever it delivers now is stale
  setBusy(false);
  result_ = SpectrogramData();
  result_.error = tr("Cancelled");
  Q_EMIT resultChanged();
}

void SpectrogramModel::setBusy(bool busy) {
  if (busy == busy_) return;
  busy_ = busy;
  if (busy) {
    progress_->store(0);
    progressTimer_.start();
  } else {
    progressTimer_.stop();
  }
  Q_EMIT busyChanged(busy);
}

void SpectrogramModel::request() {
  if (!recording_ || channels_.empty() || (range_ == Range::Page && pageDuration_ <= 0)) return;
  if (!active_) {
    dirty_ = true;
    return;
  }
  dirty_ = false;
  if (cancel_) cancel_->store(true);  // the previous request is stale: stop it
  cancel_ = std::make_shared<std::atomic<bool>>(false);
  const quint64 id = ++latestId_;
  SpectrogramSettings settings;
  settings.channels = channels_;
  settings.montage = montage_;
  settings.filters = filters_;
  if (range_ == Range::Page) {
    settings.startSec = pageStart_;
    settings.endSec = pageStart_ + pageDuration_;
  } else {
    settings.startSec = 0;
    settings.endSec = recording_->durationSec();
  }
  setBusy(true);
  auto recording = recording_;
  auto cancel = cancel_;
  auto progress = progress_;
  pool_->start([this, id, recording, settings, cancel, progress]() {
    if (cancel->load()) return;
    SpectrogramData r =
        computeSpectrogram(*recording, settings, cancel.get(), [&progress](double f) { progress->store(f); });
    if (cancel->load()) return;
    r.requestId = id;
    QMetaObject::invokeMethod(
        this,
        [this, r = std::move(r)]() {
          if (r.requestId != latestId_) return;  // a newer request was made meanwhile
          result_ = r;
          setBusy(false);
          Q_EMIT resultChanged();
        },
        Qt::QueuedConnection);
  });
}

}  // namespace neurolm::widgets
