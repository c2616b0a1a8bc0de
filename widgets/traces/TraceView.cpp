#include "widgets/traces/TraceView.h"

#include <QContextMenuEvent>
#include <QFontMetrics>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "core/montage/Montage.h"

namespace neurolm::widgets {

TraceView::TraceView(QWidget* parent) : QWidget(parent) {
  setFocusPolicy(Qt::StrongFocus);
  setMinimumSize(320, 200);
  setAttribute(Qt::WA_OpaquePaintEvent);
  worker_ = new QObject();  // owned by the worker thread: deleted on finished()
  worker_->moveToThread(&workerThread_);
  connect(&workerThread_, &QThread::finished, worker_, &QObject::deleteLater);
  workerThread_.setObjectName(QStringLiteral("trace-renderer"));
  workerThread_.start();
}

TraceView::~TraceView() {
  latestId_->store(~0ull);  // everything queued is stale now
  workerThread_.quit();
  workerThread_.wait();
}

void TraceView::setRecording(std::shared_ptr<const Recording> recording) {
  recording_ = std::move(recording);
  laneCache_.clear();
  marks_.clear();  // annotations belong to a recording: the new one's arrive with setAnnotations()
  marksMaxEndSec_.clear();
  selectedAnnotation_ = 0;
  display_ = recording_ ? channelDisplayTable(*recording_) : signal::ChannelDisplayTable();
  pipeline_.montage.reset();  // montages and per-channel filters name this recording's channels
  pipeline_.filters.perChannel.clear();
  Q_EMIT montageChanged();
  pageStartSec_ = 0;
  image_ = QImage();
  clearSelection();
  for (auto& layer : highlights_) layer.clear();  // spans name this recording's lanes and seconds
  style_.axis.timeline = {};
  if (recording_) {
    const EdfHeader& h = recording_->header();
    style_.axis.startOfDaySec = h.startHour * 3600.0 + h.startMinute * 60.0 + h.startSecond;
    if (recording_->annotationsComplete()) setGaps(recording_->gaps());
  }
  requestRender();
  Q_EMIT pageChanged(pageStartSec_, pageDurationSec_);
}

void TraceView::setMontage(std::shared_ptr<const montage::Montage> montage) {
  pipeline_.montage = std::move(montage);
  laneCache_.clear();
  update();  // channel-linked annotations move with their lanes
  if (recording_) {
    display_ = pipeline_.montage ? montageDisplayTable(*recording_, *pipeline_.montage)
                                 : channelDisplayTable(*recording_);
  }
  requestRender();
  Q_EMIT montageChanged();
}

void TraceView::setFilters(const montage::FilterSet& filters) {
  if (filters == pipeline_.filters) return;
  pipeline_.filters = filters;
  requestRender();
  Q_EMIT filtersChanged();
}

QString TraceView::laneLabel(int lane) const {
  if (!recording_ || lane < 0 || lane >= laneCount()) return {};
  const auto index = static_cast<std::size_t>(lane);
  return QString::fromStdString(pipeline_.montage ? pipeline_.montage->derivations[index].label
                                                  : recording_->channels()[index].label);
}

TraceGeometry TraceView::geometry() const {
  TraceGeometry g;
  g.size = size();
  g.channels = recording_ ? laneCount() : 0;
  g.style = style_;
  return g;
}

double TraceView::maxStartSec() const {
  if (!recording_) return 0;
  return std::max(0.0, recording_->durationSec() - pageDurationSec_);
}

void TraceView::setPageStart(double startSec) {
  const double clamped = std::clamp(startSec, 0.0, maxStartSec());
  if (clamped == pageStartSec_ && !image_.isNull()) return;
  pageStartSec_ = clamped;
  requestRender();
  Q_EMIT pageChanged(pageStartSec_, pageDurationSec_);
}

void TraceView::setPageDuration(double durationSec) {
  pageDurationSec_ = std::clamp(durationSec, 1.0, 3600.0);
  pageStartSec_ = std::clamp(pageStartSec_, 0.0, maxStartSec());
  requestRender();
  Q_EMIT pageChanged(pageStartSec_, pageDurationSec_);
}

void TraceView::setGain(double gain) {
  const double clamped = std::clamp(gain, 0.01, 1000.0);
  if (clamped == style_.gain) return;
  style_.gain = clamped;
  requestRender();
  Q_EMIT gainChanged(style_.gain);
}

void TraceView::setClipToLane(bool clip) {
  if (clip == style_.clipToLane) return;
  style_.clipToLane = clip;
  requestRender();
}

void TraceView::setClockTimeAxis(bool clock) {
  if (clock == style_.axis.clockTime) return;
  style_.axis.clockTime = clock;
  requestRender();
}

void TraceView::setGaps(const std::vector<RecordingGap>& gaps) {
  std::vector<double> onsets, durations;
  for (const RecordingGap& g : gaps) {
    onsets.push_back(g.onsetSec);
    durations.push_back(g.durationSec);
  }
  style_.axis.timeline = navigation::Timeline(onsets, durations);
  requestRender();
}

void TraceView::setChannelType(int channel, signal::SignalType type) {
  display_.setType(static_cast<std::size_t>(channel), type);
  requestRender();
}

void TraceView::setChannelPerDivision(int channel, double perDivision) {
  display_.setPerDivision(static_cast<std::size_t>(channel), perDivision);
  requestRender();
}

void TraceView::resetChannelDisplay(int channel) {
  display_.reset(static_cast<std::size_t>(channel));
  requestRender();
}

namespace {

QString typeDisplayName(signal::SignalType type) {
  switch (type) {
    case signal::SignalType::Eeg:
      return TraceView::tr("EEG");
    case signal::SignalType::Ecg:
      return TraceView::tr("ECG");
    case signal::SignalType::Emg:
      return TraceView::tr("EMG");
    case signal::SignalType::Eog:
      return TraceView::tr("EOG");
    case signal::SignalType::Respiration:
      return TraceView::tr("Respiration");
    case signal::SignalType::Temperature:
      return TraceView::tr("Temperature");
    case signal::SignalType::Trigger:
      return TraceView::tr("Trigger / status");
    case signal::SignalType::Other:
      break;
  }
  return TraceView::tr("Other");
}

}  // namespace

int TraceView::channelAt(int y) const {
  const TraceGeometry g = geometry();
  if (!recording_ || g.channels == 0 || y < 0 || y >= g.plotHeight()) return -1;
  return std::clamp(static_cast<int>(y / g.laneHeight()), 0, g.channels - 1);
}

std::unique_ptr<QMenu> TraceView::channelMenu(int channel) {
  if (channel < 0 || static_cast<std::size_t>(channel) >= display_.size()) return nullptr;
  auto menu = std::make_unique<QMenu>(this);
  const auto index = static_cast<std::size_t>(channel);
  menu->addSection(laneLabel(channel));
  QMenu* types = menu->addMenu(tr("Signal type"));
  for (signal::SignalType t : signal::kAllSignalTypes) {
    QAction* a =
        types->addAction(typeDisplayName(t), this, [this, channel, t]() { setChannelType(channel, t); });
    a->setCheckable(true);
    a->setChecked(display_.type(index) == t);
  }
  const signal::DisplayScale& scale = display_.scale(index);
  const QString unit = QString::fromStdString(scale.unit.symbol);
  //: Context menu of a trace lane: make this channel's trace twice as large (half the amplitude per division)
  menu->addAction(
      tr("Larger (%1 %2/div)").arg(scale.perDivision / 2, 0, 'g', 3).arg(unit), this,
      [this, channel, index]() { setChannelPerDivision(channel, display_.scale(index).perDivision / 2); });
  menu->addAction(
      tr("Smaller (%1 %2/div)").arg(scale.perDivision * 2, 0, 'g', 3).arg(unit), this,
      [this, channel, index]() { setChannelPerDivision(channel, display_.scale(index).perDivision * 2); });
  menu->addAction(tr("Reset type and scale"), this, [this, channel]() { resetChannelDisplay(channel); });
  return menu;
}

void TraceView::contextMenuEvent(QContextMenuEvent* event) {
  if (auto menu = channelMenu(channelAt(event->pos().y()))) {
    menu->exec(event->globalPos());
    event->accept();
  }
}

void TraceView::nextPage() { setPageStart(pageStartSec_ + pageDurationSec_); }
void TraceView::previousPage() { setPageStart(pageStartSec_ - pageDurationSec_); }

void TraceView::requestRender() {
  if (!recording_ || width() <= 0 || height() <= 0) return;
  const quint64 id = latestId_->fetch_add(1) + 1;
  const TraceGeometry g = geometry();
  auto recording = recording_;
  auto latest = latestId_;
  auto display = std::make_shared<const signal::ChannelDisplayTable>(display_);  // a snapshot for the worker
  auto pipeline = std::make_shared<const TracePipeline>(pipeline_);
  const double start = pageStartSec_, duration = pageDurationSec_;
  QMetaObject::invokeMethod(
      worker_,
      [this, id, g, recording, latest, start, duration, display, pipeline]() {
        if (latest->load() != id) return;  // a newer page was requested meanwhile
        QImage image;
        try {
          image = renderTracePage(
              loadTracePage(*recording, start, duration, g.plotWidth(), *display, *pipeline), g);
        } catch (const std::exception& e) {
          // A filter that does not fit a channel, or a file that became unreadable: said, not drawn.
          const QString message = QString::fromStdString(e.what());
          QMetaObject::invokeMethod(
              this,
              [this, id, message]() {
                if (id == latestId_->load()) Q_EMIT renderFailed(message);
              },
              Qt::QueuedConnection);
          return;
        }
        if (latest->load() != id) return;
        QMetaObject::invokeMethod(
            this,
            [this, id, image]() {
              if (id < deliveredId_) return;
              deliveredId_ = id;
              image_ = image;
              update();
              Q_EMIT pageRendered(id);
            },
            Qt::QueuedConnection);
      },
      Qt::QueuedConnection);
}

void TraceView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), QColor(255, 255, 255));
  if (!image_.isNull()) {
    p.drawImage(0, 0, image_);
  } else {
    p.setPen(QColor(120, 120, 130));
    p.drawText(
        rect(), Qt::AlignCenter,
        recording_ ? tr("Loading page…") : tr("Open an EDF/BDF recording (File → Open, or drop it here)"));
  }
  if (hasSelection() && pageDurationSec_ > 0) {
    const TraceGeometry g = geometry();
    const auto xOf = [&](double t) {
      return g.plotLeft() + (t - pageStartSec_) / pageDurationSec_ * g.plotWidth();
    };
    const double x0 = std::max<double>(g.plotLeft(), xOf(selectionStartSec_));
    const double x1 = std::min<double>(g.plotLeft() + g.plotWidth(), xOf(selectionEndSec_));
    if (x1 > x0) {
      const QRectF band(x0, 0, x1 - x0, g.plotHeight());
      p.fillRect(band, QColor(80, 140, 255, 40));
      p.setPen(QColor(80, 140, 255, 160));
      p.drawLine(band.topLeft(), band.bottomLeft());
      p.drawLine(band.topRight(), band.bottomRight());
    }
  }
  if (!image_.isNull()) {
    const TraceGeometry g = geometry();
    paintGaps(p, g, pageStartSec_, pageDurationSec_);
    if (recording_) {
      paintAnnotations(
          p, g, pageStartSec_, pageDurationSec_, marks_.data() + firstMarkOnPage(),
          marks_.data() + marks_.size(), selectedAnnotation_,
          [this](const std::string& channel) -> const std::vector<int>& { return annotationLanes(channel); });
    }
  }
  if (recording_ && pageDurationSec_ > 0) {
    const TraceGeometry g = geometry();
    const double pxPerSec = g.plotWidth() / pageDurationSec_;
    p.save();
    p.setClipRect(QRect(g.plotLeft(), 0, g.plotWidth(), g.plotHeight()));
    for (const HighlightLayer layer : {HighlightLayer::CodeOccurrences, HighlightLayer::Evidence}) {
      const double penWidth = layer == HighlightLayer::Evidence ? 2 : 1;
      for (const Highlight& h : highlights(layer)) {
        if (h.lane < 0 || h.lane >= g.channels) continue;
        if (h.endSec <= pageStartSec_ || h.startSec >= pageStartSec_ + pageDurationSec_) continue;
        const QRectF span(g.plotLeft() + (h.startSec - pageStartSec_) * pxPerSec, g.laneTop(h.lane),
                          (h.endSec - h.startSec) * pxPerSec, g.laneBottom(h.lane) - g.laneTop(h.lane));
        p.fillRect(span, highlightFill(layer, h.weight));
        p.setPen(QPen(highlightOutline(layer, h.weight), penWidth));
        p.setBrush(Qt::NoBrush);
        const double inset = penWidth / 2;
        p.drawRect(span.adjusted(inset, inset, -inset, -inset));
      }
    }
    p.restore();
  }
  if (hasFocus()) {
    p.setPen(QColor(80, 140, 255));
    p.drawRect(rect().adjusted(0, 0, -1, -1));
  }
}

void TraceView::setAnnotations(const std::vector<AnnotationEntry>& entries) {
  marks_.clear();
  marks_.reserve(entries.size());
  for (const AnnotationEntry& e : entries) {
    AnnotationMark m;
    m.id = e.id;
    m.startSec = e.onsetSec;
    m.endSec = e.onsetSec + std::max(0.0, e.durationSec);
    m.text = e.text;
    m.channel = e.channel;
    marks_.push_back(std::move(m));
  }
  const auto byOnset = [](const AnnotationMark& a, const AnnotationMark& b) {
    return a.startSec < b.startSec;
  };
  if (!std::is_sorted(marks_.begin(), marks_.end(), byOnset))  // a document's entries are sorted already
    std::stable_sort(marks_.begin(), marks_.end(), byOnset);
  marksMaxEndSec_.resize(marks_.size());
  double maxEnd = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < marks_.size(); ++i)
    marksMaxEndSec_[i] = maxEnd = std::max(maxEnd, marks_[i].endSec);
  update();
}

void TraceView::setSelectedAnnotation(std::uint64_t id) {
  if (id == selectedAnnotation_) return;
  selectedAnnotation_ = id;
  update();
}

QColor TraceView::annotationColour(const QString& text) {
  const QByteArray utf8 = text.toUtf8();
  return annotationColourOfUtf8(std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())));
}

QColor TraceView::annotationColourOfUtf8(std::string_view text) {
  // FNV-1a: stable across runs and platforms (qHash is seeded per process).
  std::uint32_t h = 2166136261u;
  for (const char byte : text) {
    h ^= static_cast<std::uint8_t>(byte);
    h *= 16777619u;
  }
  // 24 hues 15 degrees apart; saturation and value keep the text readable on white and the trace visible.
  return QColor::fromHsv(static_cast<int>(h % 24) * 15, 190, 200);
}

const std::vector<int>& TraceView::annotationLanes(const std::string& channel) const {
  if (const auto it = laneCache_.find(channel); it != laneCache_.end()) return it->second;
  std::vector<int> lanes;
  const int n = recording_ ? laneCount() : 0;
  if (channel.empty() || !recording_) {
    for (int i = 0; i < n; ++i) lanes.push_back(i);
    return laneCache_.emplace(channel, std::move(lanes)).first->second;
  }
  // The recording's channels of that label, else of the same 10-20 electrode ("Fp1" for "EEG Fp1").
  const auto& chans = recording_->channels();
  std::vector<std::size_t> sources;
  for (std::size_t c = 0; c < chans.size(); ++c)
    if (chans[c].label == channel) sources.push_back(c);
  if (sources.empty()) {
    if (const auto wanted = montage::electrodeName(channel)) {
      for (std::size_t c = 0; c < chans.size(); ++c)
        if (montage::electrodeName(chans[c].label) == wanted) sources.push_back(c);
    }
  }
  const auto isSource = [&](std::size_t c) {
    return std::find(sources.begin(), sources.end(), c) != sources.end();
  };
  if (const auto& m = pipeline_.montage) {
    for (int d = 0; d < n; ++d) {
      const montage::Derivation& der = m->derivations[static_cast<std::size_t>(d)];
      bool covered = der.label == channel;
      double largest = 0;
      for (const montage::Term& t : der.terms) largest = std::max(largest, std::abs(t.weight));
      for (const montage::Term& t : der.terms)
        covered =
            covered || (largest > 0 && isSource(t.channel) && std::abs(t.weight) >= largest * (1 - 1e-9));
      if (covered) lanes.push_back(d);
    }
  } else {
    for (std::size_t c : sources)
      if (static_cast<int>(c) < n) lanes.push_back(static_cast<int>(c));
  }
  return laneCache_.emplace(channel, std::move(lanes)).first->second;
}

std::size_t TraceView::firstMarkOnPage() const {
  return static_cast<std::size_t>(
      std::lower_bound(marksMaxEndSec_.begin(), marksMaxEndSec_.end(), pageStartSec_) -
      marksMaxEndSec_.begin());
}

TraceView::Overlay TraceView::overlay() const {
  Overlay o;
  o.pageStartSec = pageStartSec_;
  o.pageDurationSec = pageDurationSec_;
  o.selectedId = selectedAnnotation_;
  if (!recording_) return o;
  const double pageEnd = pageStartSec_ + pageDurationSec_;
  for (std::size_t i = firstMarkOnPage(); i < marks_.size() && marks_[i].startSec <= pageEnd; ++i) {
    const AnnotationMark& m = marks_[i];
    o.marks.push_back(m);
    if (!m.channel.empty() && !o.lanes.contains(m.channel))
      o.lanes.emplace(m.channel, annotationLanes(m.channel));
  }
  return o;
}

void TraceView::paintOverlay(QPainter& p, const TraceGeometry& g, const Overlay& overlay) {
  paintGaps(p, g, overlay.pageStartSec, overlay.pageDurationSec);
  static const std::vector<int> kNoLanes;
  paintAnnotations(p, g, overlay.pageStartSec, overlay.pageDurationSec, overlay.marks.data(),
                   overlay.marks.data() + overlay.marks.size(), overlay.selectedId,
                   [&overlay](const std::string& channel) -> const std::vector<int>& {
                     const auto it = overlay.lanes.find(channel);
                     return it != overlay.lanes.end() ? it->second : kNoLanes;
                   });
}

void TraceView::paintGaps(QPainter& p, const TraceGeometry& g, double pageStartSec, double pageDurationSec) {
  // EDF+D gaps: a grey hatched band over the seam the renderer marks, labelled, so a gap never reads as an
  // annotation.
  const auto& gaps = g.style.axis.timeline.gaps();
  if (gaps.empty() || pageDurationSec <= 0) return;
  const double pxPerSec = g.plotWidth() / pageDurationSec;
  p.save();
  p.setClipRect(QRect(g.plotLeft(), 0, g.plotWidth(), g.plotHeight()));
  for (const navigation::GapOnAxis& gap : gaps) {
    if (gap.dataSec < pageStartSec || gap.dataSec > pageStartSec + pageDurationSec) continue;
    const double x = g.plotLeft() + (gap.dataSec - pageStartSec) * pxPerSec;
    const QRectF band(x - 4, 0, 8, g.plotHeight());
    p.fillRect(band, QColor(120, 120, 125, 40));
    p.fillRect(band, QBrush(QColor(110, 110, 115, 150), Qt::BDiagPattern));
    //: Label at the top of the trace view where an EDF+D recording has no data between two records
    const QString label = tr("gap (no data)");
    const QRectF box(x + 5, 1, p.fontMetrics().horizontalAdvance(label) + 6, p.fontMetrics().height() + 2);
    p.fillRect(box, QColor(255, 255, 255, 220));
    p.setPen(QColor(90, 90, 95));
    p.drawText(box, Qt::AlignCenter, label);
  }
  p.restore();
}

void TraceView::paintAnnotations(QPainter& p, const TraceGeometry& g, double pageStartSec,
                                 double pageDurationSec, const AnnotationMark* first,
                                 const AnnotationMark* last, std::uint64_t selectedId,
                                 const LanesOf& lanesOf) {
  if (first == last || pageDurationSec <= 0 || g.channels == 0) return;
  const double pageEnd = pageStartSec + pageDurationSec;
  // From the first annotation that can reach the page on until onsets pass it.
  const auto onPage = [&](const AnnotationMark& m) {
    const bool instant = m.endSec <= m.startSec;
    if (instant ? m.startSec < pageStartSec : (m.endSec <= pageStartSec || m.startSec >= pageEnd))
      return false;
    return m.channel.empty() || !lanesOf(m.channel).empty();  // a channel not shown: not drawn
  };
  const double pxPerSec = g.plotWidth() / pageDurationSec;
  const int left = g.plotLeft(), right = g.plotLeft() + g.plotWidth();
  const auto xOf = [&](double t) { return left + (t - pageStartSec) * pxPerSec; };
  p.save();
  p.setClipRect(QRect(left, 0, g.plotWidth(), g.plotHeight()));

  // Spans: a translucent fill and its edges over the whole plot or the channel's lanes; an instant a line.
  const auto drawSpan = [&](const AnnotationMark& m, double x0, double x1, bool selected) {
    const QColor colour = annotationColourOfUtf8(m.text);
    QColor fill = colour;
    fill.setAlpha(selected ? 90 : 45);
    p.setPen(QPen(colour.darker(selected ? 160 : 115), selected ? 2 : 1));
    const auto band = [&](double top, double bottom) {
      if (x1 <= x0) {
        p.drawLine(QPointF(x0, top), QPointF(x0, bottom));
        return;
      }
      p.fillRect(QRectF(x0, top, x1 - x0, bottom - top), fill);
      p.drawLine(QPointF(x0, top), QPointF(x0, bottom));
      p.drawLine(QPointF(x1, top), QPointF(x1, bottom));
      if (selected) {
        p.drawLine(QPointF(x0, top + 1), QPointF(x1, top + 1));
        p.drawLine(QPointF(x0, bottom - 1), QPointF(x1, bottom - 1));
      }
    };
    if (m.channel.empty()) {
      band(0, g.plotHeight());
    } else {
      for (int lane : lanesOf(m.channel)) band(g.laneTop(lane), g.laneBottom(lane));
    }
  };
  // Overlapping spans of one text and channel are filled as one, so a dense detector output costs the area
  // of its union rather than the sum of its spans; the selected annotation is drawn alone, last.
  struct Open {
    const AnnotationMark* mark;
    double x0, x1;
  };
  std::vector<Open> open;  // one per text and channel waiting to be drawn: a handful
  const AnnotationMark* selectedMark = nullptr;
  for (const AnnotationMark* it = first; it != last && it->startSec <= pageEnd; ++it) {
    const AnnotationMark& m = *it;
    if (!onPage(m)) continue;
    if (m.id == selectedId && m.id != 0) {
      selectedMark = &m;
      continue;
    }
    const double x0 = xOf(m.startSec), x1 = xOf(m.endSec);
    if (x1 <= x0) {
      drawSpan(m, x0, x0, false);
      continue;
    }
    const auto same = std::find_if(open.begin(), open.end(), [&](const Open& o) {
      return o.mark->text == m.text && o.mark->channel == m.channel;
    });
    if (same == open.end()) {
      open.push_back({&m, x0, x1});
    } else if (x0 <= same->x1 + 1) {
      same->x1 = std::max(same->x1, x1);
    } else {
      drawSpan(*same->mark, same->x0, same->x1, false);
      *same = {&m, x0, x1};
    }
  }
  for (const Open& o : open) drawSpan(*o.mark, o.x0, o.x1, false);
  if (selectedMark) drawSpan(*selectedMark, xOf(selectedMark->startSec), xOf(selectedMark->endSec), true);

  // Texts at the top of their spans (the channel's first lane), elided to the span but at least 60 px wide;
  // close ones take the next of three rows, and where all three are taken the span speaks for itself.
  QFont font = p.font();
  font.setPixelSize(11);
  p.setFont(font);
  const QFontMetrics metrics(font);
  const int rowHeight = metrics.height() + 2;
  std::array<double, 3> rowEnd;
  rowEnd.fill(-std::numeric_limits<double>::infinity());
  for (const AnnotationMark* it = first; it != last && it->startSec <= pageEnd; ++it) {
    const AnnotationMark& m = *it;
    if (!onPage(m)) continue;
    const bool selected = &m == selectedMark;
    const bool instant = m.endSec <= m.startSec;
    const double textLeft = std::max<double>(xOf(m.startSec), left) + 3;
    std::size_t row = 0;
    while (row < rowEnd.size() && rowEnd[row] > textLeft) ++row;
    if (row == rowEnd.size()) continue;
    const double room =
        std::max(60.0, (instant ? 160.0 : std::min<double>(xOf(m.endSec), right) - textLeft - 2));
    const QString text =
        metrics.elidedText(QString::fromStdString(m.text), Qt::ElideRight, static_cast<int>(room));
    const int textWidth = metrics.horizontalAdvance(text);
    rowEnd[row] = textLeft + textWidth + 4;
    const int textTop = m.channel.empty() ? 0 : g.laneTop(lanesOf(m.channel).front());
    const QRectF box(textLeft - 2, textTop + 1 + static_cast<double>(row) * rowHeight, textWidth + 4,
                     rowHeight - 1);
    p.fillRect(box, QColor(255, 255, 255, selected ? 235 : 200));
    p.setPen(annotationColourOfUtf8(m.text).darker(selected ? 220 : 170));
    p.drawText(box, Qt::AlignCenter, text);
  }
  p.restore();
}

void TraceView::setHighlights(HighlightLayer layer, std::vector<Highlight> spans) {
  highlights_[static_cast<std::size_t>(layer)] = std::move(spans);
  update();
}

namespace {
QColor weighted(QColor colour, double weight) {
  colour.setAlpha(static_cast<int>(std::lround(
      colour.alpha() * (80 + 175 * std::clamp(std::isfinite(weight) ? weight : 0.0, 0.0, 1.0)) / 255)));
  return colour;
}
}  // namespace

QColor TraceView::highlightFill(HighlightLayer layer, double weight) {
  return weighted(layer == HighlightLayer::Evidence ? QColor(200, 0, 160, 70) : QColor(255, 150, 0, 55),
                  weight);
}

QColor TraceView::highlightOutline(HighlightLayer layer, double weight) {
  return weighted(layer == HighlightLayer::Evidence ? QColor(200, 0, 160, 255) : QColor(220, 110, 0, 200),
                  weight);
}

void TraceView::resizeEvent(QResizeEvent*) { requestRender(); }

void TraceView::keyPressEvent(QKeyEvent* event) {
  switch (event->key()) {
    case Qt::Key_PageDown:
      nextPage();
      break;
    case Qt::Key_PageUp:
      previousPage();
      break;
    case Qt::Key_Right:
      setPageStart(pageStartSec_ + std::max(1.0, pageDurationSec_ / 10));
      break;
    case Qt::Key_Left:
      setPageStart(pageStartSec_ - std::max(1.0, pageDurationSec_ / 10));
      break;
    case Qt::Key_Home:
      setPageStart(0);
      break;
    case Qt::Key_End:
      setPageStart(maxStartSec());
      break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
      setGain(style_.gain * 1.5);
      break;  // larger traces
    case Qt::Key_Minus:
      setGain(style_.gain / 1.5);
      break;
    case Qt::Key_Escape:
      if (!hasSelection()) {
        QWidget::keyPressEvent(event);
        return;
      }
      clearSelection();
      break;
    default:
      QWidget::keyPressEvent(event);
      return;
  }
  event->accept();
}

void TraceView::wheelEvent(QWheelEvent* event) {
  const double steps = event->angleDelta().y() / 120.0;
  if (event->modifiers() & Qt::ControlModifier) {
    setGain(style_.gain * std::pow(1.25, steps));
  } else {
    setPageStart(pageStartSec_ - steps * pageDurationSec_ / 4);
  }
  event->accept();
}

double TraceView::timeAtX(int x) const {
  const TraceGeometry g = geometry();
  const double fraction = std::clamp(static_cast<double>(x - g.plotLeft()) / g.plotWidth(), 0.0, 1.0);
  double t = pageStartSec_ + fraction * pageDurationSec_;
  if (recording_) t = std::min(t, recording_->durationSec());
  return t;
}

void TraceView::setSelection(double startSec, double endSec) {
  if (endSec <= startSec) startSec = endSec = 0;
  if (startSec == selectionStartSec_ && endSec == selectionEndSec_) return;
  selectionStartSec_ = startSec;
  selectionEndSec_ = endSec;
  update();
  Q_EMIT selectionChanged(selectionStartSec_, selectionEndSec_);
}

void TraceView::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton || !recording_ || event->position().x() < geometry().plotLeft()) {
    QWidget::mousePressEvent(event);
    return;
  }
  dragAnchorSec_ = timeAtX(static_cast<int>(event->position().x()));
  event->accept();
}

void TraceView::mouseMoveEvent(QMouseEvent* event) {
  if (dragAnchorSec_ < 0 || !(event->buttons() & Qt::LeftButton)) {
    QWidget::mouseMoveEvent(event);
    return;
  }
  const double t = timeAtX(static_cast<int>(event->position().x()));
  setSelection(std::min(t, dragAnchorSec_), std::max(t, dragAnchorSec_));
  event->accept();
}

void TraceView::mouseReleaseEvent(QMouseEvent* event) {
  if (dragAnchorSec_ < 0 || event->button() != Qt::LeftButton) {
    QWidget::mouseReleaseEvent(event);
    return;
  }
  const double t = timeAtX(static_cast<int>(event->position().x()));
  // A click (no drag of at least a few pixels) clears the selection.
  const double pixelSec = pageDurationSec_ / std::max(1, geometry().plotWidth());
  if (std::abs(t - dragAnchorSec_) < 3 * pixelSec) {
    clearSelection();
  } else {
    setSelection(std::min(t, dragAnchorSec_), std::max(t, dragAnchorSec_));
  }
  dragAnchorSec_ = -1;
  event->accept();
}

}  // namespace neurolm::widgets
