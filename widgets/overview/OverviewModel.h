#pragma once
// View-model of the overview strip: the whole recording on one line. Holds what the strip shows (duration,
// current page, annotation onsets, sleep-stage epochs, EDF+D gaps, the rendered activity band) and the
// mapping between strip x and recording time. No painting and no I/O here.
#include <QImage>
#include <QObject>
#include <vector>

#include "core/annotations/AnnotationDocument.h"
#include "core/annotations/SleepStage.h"
#include "core/navigation/Timeline.h"

namespace neurolm::widgets {

class OverviewModel : public QObject {
  Q_OBJECT

 public:
  explicit OverviewModel(QObject* parent = nullptr);

  void setDuration(double durationSec);  // resets the page, annotations, gaps and band
  double durationSec() const { return durationSec_; }
  void setPage(double startSec, double durationSec);
  double pageStartSec() const { return pageStartSec_; }
  double pageDurationSec() const { return pageDurationSec_; }
  // Annotation onsets (ticks) and, when some are sleep stages, the hypnogram's epochs.
  void setAnnotations(const std::vector<AnnotationEntry>& entries);
  const std::vector<double>& annotationOnsets() const { return onsets_; }
  const std::vector<StageEpoch>& stageEpochs() const { return epochs_; }
  bool hasHypnogram() const { return epochs_.size() >= 2; }
  void setTimeline(const navigation::Timeline& timeline);
  const navigation::Timeline& timeline() const { return timeline_; }
  // The activity band drawn by the worker for `requestId`; older ones than the newest shown are dropped.
  bool setBand(quint64 requestId, const QImage& band);
  const QImage& band() const { return band_; }
  void setIndexingProgress(double fraction) { indexing_ = fraction; }
  double indexingProgress() const { return indexing_; }

  // x in [0, width) of the band area <-> seconds.
  double timeAtX(double x, int width) const;
  double xOfTime(double sec, int width) const;
  // Page start that centres the page on `sec`, kept inside the recording.
  double pageStartCentredOn(double sec) const;

 Q_SIGNALS:
  void changed();

 private:
  double durationSec_ = 0;
  double pageStartSec_ = 0, pageDurationSec_ = 10;
  std::vector<double> onsets_;
  std::vector<StageEpoch> epochs_;
  navigation::Timeline timeline_;
  QImage band_;
  quint64 bandId_ = 0;
  double indexing_ = 0;
};

}  // namespace neurolm::widgets
