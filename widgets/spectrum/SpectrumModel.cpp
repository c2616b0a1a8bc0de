#include "widgets/spectrum/SpectrumModel.h"

#include <algorithm>

namespace neurolm::widgets {

SpectrumModel::SpectrumModel(QObject* parent) : QObject(parent) {
  worker_ = new SpectrumWorker(latestId_);  // owned by the worker thread: deleted on finished()
  worker_->moveToThread(&workerThread_);
  connect(&workerThread_, &QThread::finished, worker_, &QObject::deleteLater);
  workerThread_.setObjectName(QStringLiteral("spectrum-worker"));
  workerThread_.start();
}

SpectrumModel::~SpectrumModel() {
  latestId_->store(~0ull);  // everything queued is stale now
  workerThread_.quit();
  workerThread_.wait();
}

void SpectrumModel::setRecording(std::shared_ptr<const Recording> recording) {
  recording_ = std::move(recording);
  latestId_->fetch_add(1);  // results of the previous recording are stale
  channel_ = -1;
  settings_.montage.reset();
  settings_.filters = {};
  result_ = SpectrumResult();
  startSec_ = 0;
  durationSec_ = 0;
  Q_EMIT resultChanged();
}

void SpectrumModel::setActive(bool active) {
  active_ = active;
  if (active_ && dirty_) request();
}

void SpectrumModel::setPage(double startSec, double durationSec) {
  startSec_ = startSec;
  durationSec_ = durationSec;
  request();
}

void SpectrumModel::setChannel(int channel) {
  if (channel == channel_) return;
  channel_ = channel;
  request();
}

void SpectrumModel::setSource(bool displayed, std::shared_ptr<const montage::Montage> montage,
                              const montage::FilterSet& filters, int channel) {
  if (displayed == settings_.displayed && montage == settings_.montage && filters == settings_.filters &&
      channel == channel_)
    return;
  settings_.displayed = displayed;
  settings_.montage = std::move(montage);
  settings_.filters = filters;
  channel_ = channel;
  request();
}

void SpectrumModel::setBands(const std::vector<dsp::FrequencyBand>& bands) {
  dsp::validateBands(bands);
  settings_.bands = bands;
  request();
}

void SpectrumModel::request() {
  if (!recording_ || durationSec_ <= 0) return;
  if (!active_) {
    dirty_ = true;
    return;
  }
  dirty_ = false;
  const quint64 id = latestId_->fetch_add(1) + 1;
  Q_EMIT computing(true);
  auto recording = recording_;
  const double start = startSec_, end = startSec_ + durationSec_;
  const int channel = channel_;
  const SpectrumSettings settings = settings_;
  SpectrumWorker* worker = worker_;
  QMetaObject::invokeMethod(
      worker_,
      [this, worker, id, recording, start, end, channel, settings]() {
        worker->compute(id, recording, start, end, channel, settings, [this](SpectrumResult r) {
          QMetaObject::invokeMethod(
              this,
              [this, r = std::move(r)]() {
                if (r.requestId != latestId_->load()) return;  // a newer page was asked for meanwhile
                result_ = r;
                Q_EMIT computing(false);
                Q_EMIT resultChanged();
              },
              Qt::QueuedConnection);
        });
      },
      Qt::QueuedConnection);
}

}  // namespace neurolm::widgets
