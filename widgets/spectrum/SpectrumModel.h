#pragma once
// View-model of the spectrum pane: the Welch PSD of the page shown in the trace view, for one channel or the
// average of the EEG channels, and its band powers. Computation runs on a SpectrumWorker in its own thread;
// every request carries an id, the worker skips requests that are stale before, during and after computing,
// and only the newest result is delivered, so scrolling never waits for an old page.
#include <QObject>
#include <QString>
#include <QThread>
#include <atomic>
#include <memory>
#include <vector>

#include "core/io/Recording.h"
#include "widgets/spectrum/SpectrumWorker.h"

namespace neurolm::widgets {

class SpectrumModel : public QObject {
  Q_OBJECT

 public:
  explicit SpectrumModel(QObject* parent = nullptr);
  ~SpectrumModel() override;

  void setRecording(std::shared_ptr<const Recording> recording);
  const std::shared_ptr<const Recording>& recording() const { return recording_; }
  const SpectrumResult& result() const { return result_; }
  int channel() const { return channel_; }
  const SpectrumSettings& settings() const { return settings_; }
  quint64 latestRequestId() const { return latestId_->load(); }
  // While inactive (pane hidden) pages are remembered but not analysed.
  void setActive(bool active);
  // Of what the spectrum is (SpectrumSettings::displayed, montage, filters) and the channel in that list
  // (-1: average), set together: one request when anything changed. A new recording keeps `displayed` and
  // drops the montage and per-channel filters (they name the old recording's channels).
  void setSource(bool displayed, std::shared_ptr<const montage::Montage> montage,
                 const montage::FilterSet& filters, int channel);
  bool displayed() const { return settings_.displayed; }

 public Q_SLOTS:
  void setPage(double startSec, double durationSec);
  void setChannel(int channel);  // -1: average
  void setBands(const std::vector<dsp::FrequencyBand>& bands);

 Q_SIGNALS:
  void resultChanged();
  void computing(bool busy);

 private:
  void request();

  std::shared_ptr<const Recording> recording_;
  double startSec_ = 0, durationSec_ = 0;
  int channel_ = -1;
  bool active_ = true;
  bool dirty_ = false;
  SpectrumSettings settings_;
  SpectrumResult result_;
  std::shared_ptr<std::atomic<quint64>> latestId_ = std::make_shared<std::atomic<quint64>>(0);
  QThread workerThread_;
  SpectrumWorker* worker_ = nullptr;  // lives in workerThread_, deleted when it finishes
};

}  // namespace neurolm::widgets
