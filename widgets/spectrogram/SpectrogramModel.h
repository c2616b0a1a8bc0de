#pragma once
// View-model of the spectrogram pane: which channels, the page or the whole recording, and the latest result.
// Each request gets an id and its own cancel flag; a newer request cancels the older one and results that are
// not the newest are dropped. Progress (0..1) is read from an atomic the worker writes, polled by a timer.
#include <QObject>
#include <QTimer>
#include <atomic>
#include <memory>
#include <vector>

#include "core/io/Recording.h"
#include "widgets/spectrogram/SpectrogramWorker.h"

class QThreadPool;

namespace neurolm::widgets {

class SpectrogramModel : public QObject {
  Q_OBJECT

 public:
  enum class Range { Page, WholeRecording };

  explicit SpectrogramModel(QObject* parent = nullptr);
  ~SpectrogramModel() override;

  void setRecording(std::shared_ptr<const Recording> recording);
  const std::shared_ptr<const Recording>& recording() const { return recording_; }
  const SpectrogramData& result() const { return result_; }
  const std::vector<std::size_t>& channels() const { return channels_; }
  Range range() const { return range_; }
  double pageStartSec() const { return pageStart_; }
  double pageDurationSec() const { return pageDuration_; }
  bool busy() const { return busy_; }
  double progress() const { return progress_->load(); }
  quint64 latestRequestId() const { return latestId_; }
  void setActive(bool active);  // hidden: pages remembered, nothing computed
  // The trace view's montage (null: as recorded) and display filters; channels are then derivation indices.
  void setPipeline(std::shared_ptr<const montage::Montage> montage, const montage::FilterSet& filters);
  const std::shared_ptr<const montage::Montage>& montage() const { return montage_; }

 public Q_SLOTS:
  void setPage(double startSec, double durationSec);
  void setChannels(const std::vector<std::size_t>& channels);
  void setRange(neurolm::widgets::SpectrogramModel::Range range);
  void cancel();

 Q_SIGNALS:
  void resultChanged();
  void busyChanged(bool busy);
  void progressChanged(double fraction);
  void pageChanged(double startSec, double durationSec);

 private:
  void request();
  void setBusy(bool busy);

  std::shared_ptr<const Recording> recording_;
  std::vector<std::size_t> channels_;
  std::shared_ptr<const montage::Montage> montage_;
  montage::FilterSet filters_;
  Range range_ = Range::Page;
  double pageStart_ = 0, pageDuration_ = 0;
  bool active_ = true, dirty_ = false, busy_ = false;
  SpectrogramData result_;
  quint64 latestId_ = 0;
  std::shared_ptr<std::atomic<bool>> cancel_;
  std::shared_ptr<std::atomic<double>> progress_ = std::make_shared<std::atomic<double>>(0);
  QTimer progressTimer_;
  QThreadPool* pool_ = nullptr;
};

}  // namespace neurolm::widgets
