#include "widgets/overview/OverviewView.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

#include "widgets/overview/OverviewWorker.h"

namespace neurolm::widgets {

OverviewView::OverviewView(QWidget* parent) : QWidget(parent), model_(new OverviewModel(this)) {
  setFocusPolicy(Qt::StrongFocus);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
  setFixedHeight(kStripHeightPx);
  //: Accessible name / tooltip of the overview strip under the traces
  baseToolTip_ = tr("Overview of the whole recording: click or drag to move the page (keys ← → Home End)");
  setToolTip(baseToolTip_);
  setAccessibleName(tr("Recording overview"));
  connect(model_, &OverviewModel::changed, this, qOverload<>(&QWidget::update));
  worker_ = new QObject();  // owned by the worker thread: deleted on finished()
  worker_->moveToThread(&workerThread_);
  connect(&workerThread_, &QThread::finished, worker_, &QObject::deleteLater);
  workerThread_.setObjectName(QStringLiteral("overview-worker"));
  workerThread_.start();
  pyramidPoll_ = new QTimer(this);
  pyramidPoll_->setInterval(250);
  connect(pyramidPoll_, &QTimer::timeout, this, [this]() {
    if (!recording_) {
      pyramidPoll_->stop();
      return;
    }
    model_->setIndexingProgress(recording_->pyramidProgress());
    update();
    if (recording_->pyramidComplete()) {
      pyramidPoll_->stop();
      requestBand();
    }
  });
  resizeDebounce_ = new QTimer(this);
  resizeDebounce_->setSingleShot(true);
  resizeDebounce_->setInterval(120);
  connect(resizeDebounce_, &QTimer::timeout, this, &OverviewView::requestBand);
}

OverviewView::~OverviewView() {
  latestId_->store(~0ull);  // everything queued is stale now
  workerThread_.quit();
  workerThread_.wait();
}

void OverviewView::setRecording(std::shared_ptr<const Recording> recording) {
  recording_ = std::move(recording);
  latestId_->fetch_add(1);  // a band of the previous recording is stale
  model_->setDuration(recording_ ? recording_->durationSec() : 0);
  if (!recording_) return;
  if (recording_->annotationsComplete()) setGaps(recording_->gaps());
  if (recording_->pyramidComplete()) {
    requestBand();
  } else {
    pyramidPoll_->start();
  }
}

QRect OverviewView::bandRect() const {
  const QRect all = QRect(0, 0, width(), kStripHeightPx).adjusted(kLabelMarginPx, 2, -2, -2);
  if (!model_->hasHypnogram()) return all;
  return QRect(all.left(), all.top() + all.height() * 3 / 5, all.width(),
               all.height() - all.height() * 3 / 5);
}

QRect OverviewView::hypnogramRect() const {
  if (!model_->hasHypnogram()) return {};
  const QRect all = QRect(0, 0, width(), kStripHeightPx).adjusted(kLabelMarginPx, 2, -2, -2);
  return QRect(all.left(), all.top(), all.width(), all.height() * 3 / 5 - 2);
}

void OverviewView::setMarkers(std::vector<double> timesSec) {
  markers_ = std::move(timesSec);
  std::sort(markers_.begin(), markers_.end());
  update();
}

QRect OverviewView::trackRect() const {
  if (track_.isEmpty()) return {};
  return QRect(kLabelMarginPx, kStripHeightPx + 1, width() - kLabelMarginPx - 2, kTrackHeightPx - 4);
}

void OverviewView::setTrack(OverviewTrack track) {
  track_ = std::move(track);
  setFixedHeight(kStripHeightPx + (track_.isEmpty() ? 0 : kTrackHeightPx));
  setToolTip(track_.toolTip.isEmpty() ? baseToolTip_ : baseToolTip_ + QStringLiteral("\n") + track_.toolTip);
  update();
}

void OverviewView::paintTrack(QPainter& p) {
  const QRect r = trackRect();
  if (r.isEmpty()) return;
  const int w = r.width();
  QFont font = p.font();
  font.setPixelSize(10);
  p.setFont(font);
  p.fillRect(r, Qt::white);
  p.setPen(QColor(90, 96, 110));
  p.drawText(QRect(4, r.top(), kLabelMarginPx - 20, r.height()), Qt::AlignRight | Qt::AlignVCenter,
             p.fontMetrics().elidedText(track_.label, Qt::ElideRight, kLabelMarginPx - 20));
  const auto yOf = [&](double v) { return r.bottom() - std::clamp(v, 0.0, 1.0) * (r.height() - 1); };
  font.setPixelSize(8);
  p.setFont(font);
  p.setPen(QColor(140, 146, 160));
  p.drawText(QRect(kLabelMarginPx - 14, r.top() - 1, 11, 10), Qt::AlignRight | Qt::AlignTop,
             QStringLiteral("1"));
  p.drawText(QRect(kLabelMarginPx - 14, r.bottom() - 9, 11, 10), Qt::AlignRight | Qt::AlignBottom,
             QStringLiteral("0"));
  p.setPen(QPen(QColor(200, 205, 215), 1, Qt::DashLine));
  p.drawLine(QPointF(r.left(), yOf(0.5)), QPointF(r.right(), yOf(0.5)));
  // One step per window: an area under the value and its top edge as a line.
  QPainterPath area, line;
  area.moveTo(r.left(), r.bottom() + 1);
  bool open = false;
  double lastX = r.left();
  for (std::size_t i = 0; i < track_.value.size(); ++i) {
    const double x0 = r.left() + model_->xOfTime(track_.startSec[i], w);
    const double x1 = r.left() + model_->xOfTime(track_.endSec[i], w);
    const double y = yOf(track_.value[i]);
    if (open && x0 > lastX + 0.5) {  // a hole between windows: back to the axis
      area.lineTo(lastX, r.bottom() + 1);
      area.lineTo(x0, r.bottom() + 1);
      open = false;
    }
    area.lineTo(std::max(x0, lastX), y);
    area.lineTo(x1, y);
    if (open) {
      line.lineTo(std::max(x0, lastX), y);
    } else {
      line.moveTo(x0, y);
      open = true;
    }
    line.lineTo(x1, y);
    lastX = x1;
  }
  area.lineTo(lastX, r.bottom() + 1);
  area.closeSubpath();
  p.setPen(Qt::NoPen);
  p.setBrush(QColor(79, 124, 201, 90));
  p.drawPath(area);
  p.setPen(QPen(QColor(40, 80, 160), 1.2));
  p.setBrush(Qt::NoBrush);
  p.drawPath(line);
  p.setPen(QColor(210, 214, 222));
  p.drawRect(r.adjusted(0, 0, -1, -1));
}

void OverviewView::setPage(double startSec, double durationSec) { model_->setPage(startSec, durationSec); }

void OverviewView::setAnnotations(const std::vector<AnnotationEntry>& entries) {
  const bool had = model_->hasHypnogram();
  model_->setAnnotations(entries);
  if (had != model_->hasHypnogram()) requestBand();  // the band's height changed
}

void OverviewView::setGaps(const std::vector<RecordingGap>& gaps) {
  std::vector<double> onsets, durations;
  for (const RecordingGap& g : gaps) {
    onsets.push_back(g.onsetSec);
    durations.push_back(g.durationSec);
  }
  model_->setTimeline(navigation::Timeline(onsets, durations));
}

void OverviewView::requestBand() {
  if (!recording_ || !recording_->pyramidComplete()) return;
  const QSize size = bandRect().size();
  if (size.isEmpty()) return;
  const quint64 id = latestId_->fetch_add(1) + 1;
  auto recording = recording_;
  auto latest = latestId_;
  QMetaObject::invokeMethod(
      worker_,
      [this, id, size, recording, latest]() {
        if (latest->load() != id) return;  // a newer request (resize, another file) came meanwhile
        QImage band;
        try {
          band = renderOverviewBand(overviewColumns(*recording, size.width()), size);
        } catch (const std::exception&) {
          return;  // the file became unreadable; the window reports errors from its own checks
        }
        if (latest->load() != id) return;
        QMetaObject::invokeMethod(
            this,
            [this, id, band]() {
              if (model_->setBand(id, band)) Q_EMIT bandRendered(id);
            },
            Qt::QueuedConnection);
      },
      Qt::QueuedConnection);
}

void OverviewView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), QColor(246, 247, 250));
  p.setPen(QColor(210, 214, 222));
  p.drawLine(0, 0, width(), 0);
  const QRect band = bandRect();
  const QRect hyp = hypnogramRect();
  const int w = band.width();
  QFont font = p.font();
  font.setPixelSize(10);
  p.setFont(font);
  p.setPen(QColor(90, 96, 110));
  p.drawText(QRect(4, band.top(), kLabelMarginPx - 8, band.height()), Qt::AlignRight | Qt::AlignVCenter,
             tr("Overview"));
  if (!recording_) return;
  if (!model_->band().isNull()) {
    p.drawImage(band.topLeft(), model_->band());
  } else {
    p.drawText(band, Qt::AlignCenter,
               tr("Indexing the recording… %1%").arg(static_cast<int>(model_->indexingProgress() * 100)));
  }
  // Gaps (EDF+D): a red seam where records around a gap meet.
  p.setPen(QPen(QColor(200, 60, 40), 1));
  for (const auto& gap : model_->timeline().gaps()) {
    const int x = band.left() + static_cast<int>(std::lround(model_->xOfTime(gap.dataSec, w)));
    p.drawLine(x, hyp.isEmpty() ? band.top() : hyp.top(), x, band.bottom());
  }
  // Annotation ticks along the top of the band.
  p.setPen(QColor(220, 130, 20));
  int lastX = -1;
  for (double onset : model_->annotationOnsets()) {
    const int x = band.left() + static_cast<int>(std::lround(model_->xOfTime(onset, w)));
    if (x == lastX) continue;  // one tick per pixel column
    p.drawLine(x, band.top(), x, band.top() + 5);
    lastX = x;
  }
  // Hypnogram: one step line through the stage levels (W at the top), labelled on the left.
  if (!hyp.isEmpty()) {
    const double rowH = hyp.height() / static_cast<double>(kHypnogramLevels);
    const auto rowY = [&](int level) { return hyp.top() + (level + 0.5) * rowH; };
    p.setPen(QColor(120, 126, 140));
    font.setPixelSize(std::clamp(static_cast<int>(rowH), 6, 9));
    p.setFont(font);
    for (SleepStage s : {SleepStage::Wake, SleepStage::Rem, SleepStage::N1, SleepStage::N2, SleepStage::N3,
                         SleepStage::N4}) {
      const int level = hypnogramLevel(s);
      p.drawText(QRectF(kLabelMarginPx - 30, rowY(level) - rowH / 2 - 1, 26, rowH + 2),
                 Qt::AlignRight | Qt::AlignVCenter, QString::fromLatin1(sleepStageName(s)));
    }
    QPainterPath path;
    bool open = false;
    for (const StageEpoch& e : model_->stageEpochs()) {
      const int level = hypnogramLevel(e.stage);
      if (level < 0) {  // unscored: a break in the line
        open = false;
        continue;
      }
      const double x0 = band.left() + model_->xOfTime(e.onsetSec, w);
      const double x1 = band.left() + model_->xOfTime(e.onsetSec + e.durationSec, w);
      if (open) {
        path.lineTo(x0, rowY(level));
      } else {
        path.moveTo(x0, rowY(level));
        open = true;
      }
      path.lineTo(x1, rowY(level));
    }
    p.setPen(QPen(QColor(20, 60, 160), 1.2));
    p.setBrush(Qt::NoBrush);
    p.drawPath(path);
    // REM epochs drawn thicker, as clinical hypnograms do.
    p.setPen(QPen(QColor(190, 40, 60), 3));
    for (const StageEpoch& e : model_->stageEpochs()) {
      if (e.stage != SleepStage::Rem) continue;
      const double x0 = band.left() + model_->xOfTime(e.onsetSec, w);
      const double x1 = band.left() + model_->xOfTime(e.onsetSec + e.durationSec, w);
      p.drawLine(QPointF(x0, rowY(1)), QPointF(x1, rowY(1)));
    }
  }
  // Markers (e.g. occurrences of the selected token code): purple ticks along the bottom of the band.
  p.setPen(QPen(QColor(215, 0, 190), 2));
  lastX = -1;
  for (double t : markers_) {
    const int x = band.left() + static_cast<int>(std::lround(model_->xOfTime(t, w)));
    if (x == lastX) continue;
    p.drawLine(x, band.bottom() - 10, x, band.bottom());
    lastX = x;
  }
  paintTrack(p);
  // The current page: a highlighted rectangle over the whole strip height (at least 3 px wide).
  const double x0 = band.left() + model_->xOfTime(model_->pageStartSec(), w);
  const double x1 = band.left() + model_->xOfTime(model_->pageStartSec() + model_->pageDurationSec(), w);
  const QRectF page(x0, 1, std::max(3.0, x1 - x0), height() - 2);
  p.fillRect(page, QColor(255, 200, 0, 70));
  p.setPen(QPen(QColor(210, 140, 0), 1));
  p.setBrush(Qt::NoBrush);
  p.drawRect(page);
  if (hasFocus()) {
    p.setPen(QColor(80, 140, 255));
    p.drawRect(rect().adjusted(0, 0, -1, -1));
  }
}

void OverviewView::resizeEvent(QResizeEvent*) { resizeDebounce_->start(); }

void OverviewView::jumpToX(int x) {
  if (!recording_) return;
  const QRect band = bandRect();
  const double t = model_->timeAtX(x - band.left(), band.width());
  Q_EMIT pageStartRequested(model_->pageStartCentredOn(t));
}

void OverviewView::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton) {
    jumpToX(static_cast<int>(event->position().x()));
    event->accept();
  }
}

void OverviewView::mouseMoveEvent(QMouseEvent* event) {
  if (event->buttons() & Qt::LeftButton) {
    jumpToX(static_cast<int>(event->position().x()));
    event->accept();
  }
}

void OverviewView::keyPressEvent(QKeyEvent* event) {
  const double start = model_->pageStartSec(), page = model_->pageDurationSec();
  const double last = std::max(0.0, model_->durationSec() - page);
  switch (event->key()) {
    case Qt::Key_Right:
      Q_EMIT pageStartRequested(std::min(last, start + page));
      break;
    case Qt::Key_Left:
      Q_EMIT pageStartRequested(std::max(0.0, start - page));
      break;
    case Qt::Key_Home:
      Q_EMIT pageStartRequested(0);
      break;
    case Qt::Key_End:
      Q_EMIT pageStartRequested(last);
      break;
    default:
      QWidget::keyPressEvent(event);
      return;
  }
  event->accept();
}

}  // namespace neurolm::widgets
