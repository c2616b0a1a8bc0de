#pragma once
// The overview strip: the whole recording at a glance under the traces. Shows the activity band (drawn on a
// worker from the min/max pyramid), EDF+D gaps, annotation ticks, a hypnogram when the annotations are sleep
// stages, and the current page as a highlighted rectangle. Click or drag to move the page there; with the
// keyboard: Left/Right move by a page, Home/End jump to the ends.
#include <QThread>
#include <QTimer>
#include <QWidget>

class QPainter;
#include <atomic>
#include <memory>
#include <vector>

#include "core/io/Recording.h"
#include "widgets/overview/OverviewModel.h"

namespace neurolm::widgets {

// A value per time window drawn as a small area plot under the strip (e.g. the probability of " Yes" to a
// question asked about every window of the recording). Values are 0…1.
struct OverviewTrack {
  QString label;    // shown left of the plot (e.g. the option)
  QString toolTip;  // what the track is (question, model)
  std::vector<double> startSec, endSec, value;
  bool isEmpty() const { return value.empty(); }
};

class OverviewView : public QWidget {
  Q_OBJECT

 public:
  explicit OverviewView(QWidget* parent = nullptr);
  ~OverviewView() override;

  void setRecording(std::shared_ptr<const Recording> recording);
  OverviewModel* model() const { return model_; }
  // Geometry of the band area (right of the label margin), for hit tests and tests.
  QRect bandRect() const;
  QRect hypnogramRect() const;  // empty without a hypnogram
  quint64 latestRequestId() const { return latestId_->load(); }
  // Marker ticks along the bottom of the band (e.g. where a selected neural-token code occurs), seconds.
  void setMarkers(std::vector<double> timesSec);
  const std::vector<double>& markers() const { return markers_; }
  // A track under the strip (the widget grows by its height); an empty track removes it.
  void setTrack(OverviewTrack track);
  const OverviewTrack& track() const { return track_; }
  QRect trackRect() const;  // empty without a track

  QSize sizeHint() const override { return {800, height()}; }
  QSize minimumSizeHint() const override { return {200, 48}; }

 public Q_SLOTS:
  void setPage(double startSec, double durationSec);
  void setAnnotations(const std::vector<AnnotationEntry>& entries);
  void setGaps(const std::vector<RecordingGap>& gaps);

 Q_SIGNALS:
  void pageStartRequested(double startSec);
  void bandRendered(quint64 requestId);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;

 private:
  void requestBand();
  void jumpToX(int x);

  static constexpr int kLabelMarginPx = 90;  // as the trace view, so both time lines start at the same x
  static constexpr int kStripHeightPx = 72;
  static constexpr int kTrackHeightPx = 34;
  void paintTrack(QPainter& p);
  std::shared_ptr<const Recording> recording_;
  OverviewModel* model_ = nullptr;
  QTimer* pyramidPoll_ = nullptr;  // waits for the pyramid without blocking anyone
  QTimer* resizeDebounce_ = nullptr;
  std::vector<double> markers_;
  OverviewTrack track_;
  QString baseToolTip_;
  std::shared_ptr<std::atomic<quint64>> latestId_ = std::make_shared<std::atomic<quint64>>(0);
  QThread workerThread_;
  QObject* worker_ = nullptr;  // lives in workerThread_, deleted when it finishes
};

}  // namespace neurolm::widgets
