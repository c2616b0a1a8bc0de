#include "widgets/traces/TraceRenderer.h"

#include <QCoreApplication>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/navigation/TimeInput.h"

namespace neurolm::widgets {
namespace {

QColor traceColor(signal::SignalType type) {
  switch (type) {
    case signal::SignalType::Ecg:
      return QColor(170, 30, 40);
    case signal::SignalType::Emg:
      return QColor(30, 120, 60);
    case signal::SignalType::Eog:
      return QColor(110, 40, 160);
    case signal::SignalType::Respiration:
      return QColor(0, 120, 130);
    case signal::SignalType::Temperature:
      return QColor(190, 100, 0);
    case signal::SignalType::Trigger:
      return QColor(90, 90, 90);
    case signal::SignalType::Eeg:
    case signal::SignalType::Other:
      break;
  }
  return QColor(20, 60, 160);
}

// Trigger/status channels: codes matter, not volts, and their physical range (often the whole 24-bit range of
// a BDF Status channel) dwarfs them; the page's lowest and highest values span the middle 80 % of the lane.
void fitStepsToPage(TraceChannelData& data) {
  float lo = data.columns.front().min, hi = data.columns.front().max;
  for (const MinMax& m : data.columns) {
    lo = std::min(lo, m.min);
    hi = std::max(hi, m.max);
  }
  const double a = lo * data.scale.fromPhysical, b = hi * data.scale.fromPhysical;
  data.scale.centreValue = (a + b) / 2;
  data.scale.perDivision =
      b > a ? (b - a) / 2 / 0.8 : std::max(1.0, std::abs(a));  // flat: on the centre line
}

}  // namespace

signal::ChannelDisplayTable channelDisplayTable(const Recording& recording) {
  std::vector<signal::ChannelSignalInfo> infos;
  infos.reserve(recording.channels().size());
  for (const ChannelInfo& c : recording.channels())
    infos.push_back({c.label, c.unit, c.physicalMin, c.physicalMax});
  return signal::ChannelDisplayTable(std::move(infos));
}

TracePageData loadTracePage(const Recording& recording, double startSec, double durationSec, int columns) {
  return loadTracePage(recording, startSec, durationSec, columns, channelDisplayTable(recording));
}

TracePageData loadTracePage(const Recording& recording, double startSec, double durationSec, int columns,
                            const signal::ChannelDisplayTable& display) {
  TracePageData page;
  page.startSec = startSec;
  page.durationSec = durationSec;
  const auto& chans = recording.channels();
  if (display.size() != chans.size()) {
    throw std::invalid_argument("trace page: display table has " + std::to_string(display.size()) +
                                " channels, recording " + recording.sourceName() + " has " +
                                std::to_string(chans.size()));
  }
  page.channels.reserve(chans.size());
  for (std::size_t c = 0; c < chans.size(); ++c) {
    const ChannelInfo& info = chans[c];
    TraceChannelData data;
    data.label = QString::fromStdString(info.label);
    data.unit = QString::fromStdString(info.unit);
    data.type = display.type(c);
    data.scale = display.scale(c);
    const auto first = static_cast<std::int64_t>(std::llround(startSec * info.sampleRateHz));
    const auto last = static_cast<std::int64_t>(std::llround((startSec + durationSec) * info.sampleRateHz));
    const std::int64_t clampedLast = std::min(last, info.sampleCount);
    // Columns beyond the end of the recording stay empty.
    const int usedColumns =
        last > first ? static_cast<int>(
                           std::floor(columns * static_cast<double>(clampedLast - first) / (last - first)))
                     : 0;
    if (usedColumns > 0 && clampedLast > first) {
      data.columns = recording.envelope(c, first, clampedLast, usedColumns);
    }
    if (data.scale.shape == signal::TraceShape::Steps && !data.columns.empty()) fitStepsToPage(data);
    page.channels.push_back(std::move(data));
  }
  return page;
}

signal::ChannelDisplayTable montageDisplayTable(const Recording& recording, const montage::Montage& montage) {
  std::vector<signal::ChannelSignalInfo> infos;
  infos.reserve(montage.derivations.size());
  for (const montage::Derivation& d : montage.derivations) {
    const ChannelInfo& first = recording.channels()[d.terms.front().channel];
    infos.push_back({d.label, d.unit, first.physicalMin, first.physicalMax, d.type});
  }
  return signal::ChannelDisplayTable(std::move(infos));
}

TracePageData loadTracePage(const Recording& recording, double startSec, double durationSec, int columns,
                            const signal::ChannelDisplayTable& display, const TracePipeline& pipeline) {
  if (pipeline.passThrough()) return loadTracePage(recording, startSec, durationSec, columns, display);
  const montage::Montage montage =
      pipeline.montage ? *pipeline.montage
                       : montage::buildMontage(montage::BuiltinMontage::Referential, recording);
  if (display.size() != montage.derivations.size()) {
    throw std::invalid_argument("trace page: display table has " + std::to_string(display.size()) +
                                " lanes, montage '" + montage.name + "' has " +
                                std::to_string(montage.derivations.size()));
  }
  TracePageData page;
  page.startSec = startSec;
  page.durationSec = durationSec;
  auto envelopes =
      montage::derivedEnvelopes(recording, montage, pipeline.filters, startSec, durationSec, columns);
  page.channels.reserve(montage.derivations.size());
  for (std::size_t d = 0; d < montage.derivations.size(); ++d) {
    TraceChannelData data;
    data.label = QString::fromStdString(montage.derivations[d].label);
    data.unit = QString::fromStdString(montage.derivations[d].unit);
    data.type = display.type(d);
    data.scale = display.scale(d);
    data.columns = std::move(envelopes[d]);
    if (data.scale.shape == signal::TraceShape::Steps && !data.columns.empty()) fitStepsToPage(data);
    page.channels.push_back(std::move(data));
  }
  return page;
}

namespace {

// Grid lines every `tick` seconds (coarser for long pages).
double gridTick(double durationSec) {
  double tick = 1.0;
  while (durationSec / tick > 20) tick *= (tick == 1.0 || tick == 10.0 || tick == 60.0) ? 5.0 : 2.0;
  return tick;
}

// The white page, the grid, the lane separators and the labels (everything under the traces).
void paintUnderTraces(QPainter& p, const TracePageData& page, const TraceGeometry& g) {
  p.fillRect(QRect(QPoint(0, 0), g.size), QColor(255, 255, 255));
  const int left = g.plotLeft();
  const int plotH = g.plotHeight();
  const int n = static_cast<int>(page.channels.size());

  // Grid: one vertical line per second (or coarser for long pages), lane separators.
  const double tick = gridTick(page.durationSec);
  p.setPen(QColor(225, 228, 235));
  const double pxPerSec = g.plotWidth() / std::max(1e-9, page.durationSec);
  const double firstTick = std::ceil(page.startSec / tick) * tick;
  for (double t = firstTick; t <= page.startSec + page.durationSec + 1e-9; t += tick) {
    const int x = left + static_cast<int>(std::lround((t - page.startSec) * pxPerSec));
    p.drawLine(x, 0, x, plotH);
  }
  p.setPen(QColor(240, 241, 245));
  for (int c = 1; c < n; ++c) {
    const int y = static_cast<int>(std::lround(c * g.laneHeight()));
    p.drawLine(left, y, g.size.width(), y);
  }

  // Labels, and under them the lane's scale when the lane is tall enough.
  QFont font = p.font();
  font.setPixelSize(std::clamp(static_cast<int>(g.laneHeight() * 0.6), 7, 13));
  QFont small = font;
  small.setPixelSize(std::clamp(static_cast<int>(g.laneHeight() * 0.3), 7, 10));
  const bool showScale = g.laneHeight() >= 26;
  p.setFont(font);
  p.setPen(QColor(40, 44, 52));
  for (int c = 0; c < n; ++c) {
    const TraceChannelData& ch = page.channels[static_cast<std::size_t>(c)];
    const QRectF r(4, g.baselineY(c) - g.laneHeight() / 2, left - 8, g.laneHeight());
    if (!showScale) {
      p.drawText(r, Qt::AlignVCenter | Qt::AlignRight, ch.label);
      continue;
    }
    const QRectF upper(r.left(), r.top(), r.width(), r.height() * 0.62);
    const QRectF lower(r.left(), upper.bottom(), r.width(), r.height() - upper.height());
    p.setFont(font);
    p.setPen(QColor(40, 44, 52));
    p.drawText(upper, Qt::AlignBottom | Qt::AlignRight, ch.label);
    p.setFont(small);
    p.setPen(QColor(120, 126, 140));
    //: Per-lane scale under a channel label: amplitude per division (half a lane) and its unit, e.g. "100 µV"
    p.drawText(lower, Qt::AlignTop | Qt::AlignRight,
               QCoreApplication::translate("TraceView", "%1 %2/div")
                   .arg(ch.scale.perDivision / g.style.gain, 0, 'g', 3)
                   .arg(QString::fromStdString(ch.scale.unit.symbol)));
  }
}

// A lane's trace as vertical spans, one per column: rows y0..y1 (inclusive) of column x (from the plot's
// left), the column's min..max joined to the previous column so that steep edges stay connected. Rows are
// clamped far outside the image so that huge values do not overflow int; clipping is the caller's.
template <typename Span>
void forEachTraceSpan(const TraceChannelData& ch, int c, const TraceGeometry& g, Span&& span) {
  const int cols = static_cast<int>(ch.columns.size());
  // TraceGeometry::yOf with the lane's terms in locals, evaluated in the same order (the same rows), and
  // std::lround's rounding (half away from zero) without its library call: y - trunc(y) is exact here.
  const double baseline = g.baselineY(c), halfLane = g.laneHeight() / 2;
  const double fromPhysical = ch.scale.fromPhysical, centre = ch.scale.centreValue;
  const double perDivision = ch.scale.perDivision, gain = g.style.gain;
  const auto row = [&](double physical) {
    const double y =
        std::clamp(baseline - (physical * fromPhysical - centre) / perDivision * gain * halfLane, -1e6, 1e6);
    int r = static_cast<int>(y);  // toward zero
    const double fraction = y - r;
    if (fraction >= 0.5)
      ++r;
    else if (fraction <= -0.5)
      --r;
    return r;
  };
  int prevTop = 0, prevBottom = 0;  // pixel rows of the previous column's max and min
  for (int x = 0; x < cols; ++x) {
    const MinMax mm = ch.columns[static_cast<std::size_t>(x)];
    const int top = row(mm.max);
    const int bottom = row(mm.min);
    int y0 = std::min(top, bottom), y1 = std::max(top, bottom);  // a negative scale flips the trace
    if (x > 0) {
      if (y0 > prevBottom) y0 = prevBottom;
      if (y1 < prevTop) y1 = prevTop;
    }
    span(x, y0, y1);
    prevTop = std::min(top, bottom);
    prevBottom = std::max(top, bottom);
  }
}

// Rows [top, bottom) and columns [left, right) a lane's trace may paint: its own lane when clipping is on,
// the whole plot otherwise.
QRect traceClip(int c, const TraceGeometry& g) {
  const QRect plotRect(g.plotLeft(), 0, g.plotWidth(), g.plotHeight());
  return g.style.clipToLane ? QRect(g.plotLeft(), g.laneTop(c), g.plotWidth(), g.laneBottom(c) - g.laneTop(c))
                                  .intersected(plotRect)
                            : plotRect;
}

// Traces through QPainter (any paint device: PDF and SVG exports get vectors). Each lane is clipped to itself
// (unless clipping is off), so a large ECG never paints over the EEG lanes next to it.
void paintTraces(QPainter& p, const TracePageData& page, const TraceGeometry& g) {
  p.setRenderHint(QPainter::Antialiasing, false);
  const int left = g.plotLeft();
  std::vector<QLine> lines;
  for (int c = 0; c < static_cast<int>(page.channels.size()); ++c) {
    const TraceChannelData& ch = page.channels[static_cast<std::size_t>(c)];
    p.setPen(QPen(traceColor(ch.type), 1));
    p.setClipRect(traceClip(c, g));
    lines.clear();
    forEachTraceSpan(ch, c, g,
                     [&](int x, int y0, int y1) { lines.emplace_back(left + x, y0, left + x, y1); });
    p.drawLines(lines.data(), static_cast<int>(lines.size()));  // one call per lane
  }
  p.setClipping(false);
}

// The same traces written straight into an image's pixels: each span is a run of opaque pixels in one column,
// exactly what QPainter draws for a 1-px vertical line without antialiasing (both end pixels included),
// without its per-line set-up (the 64-lane 10-s page spent most of its paint there).
void rasterTraces(QImage& image, const TracePageData& page, const TraceGeometry& g) {
  const int left = g.plotLeft();
  const qsizetype stride = image.bytesPerLine() / static_cast<qsizetype>(sizeof(QRgb));
  QRgb* const pixels = reinterpret_cast<QRgb*>(image.bits());
  const QRect bounds = image.rect();
  for (int c = 0; c < static_cast<int>(page.channels.size()); ++c) {
    const TraceChannelData& ch = page.channels[static_cast<std::size_t>(c)];
    const QRgb colour = traceColor(ch.type).rgba();  // opaque: the same value premultiplied
    const QRect clip = traceClip(c, g).intersected(bounds);
    if (clip.isEmpty()) continue;
    const int clipTop = clip.top(), clipBottom = clip.bottom();  // inclusive rows
    const int clipLeft = clip.left(), clipRight = clip.right();  // inclusive columns
    forEachTraceSpan(ch, c, g, [&](int x, int y0, int y1) {
      const int column = left + x;
      if (column < clipLeft || column > clipRight) return;
      y0 = std::max(y0, clipTop);
      y1 = std::min(y1, clipBottom);
      QRgb* p = pixels + static_cast<qsizetype>(y0) * stride + column;
      for (int y = y0; y <= y1; ++y, p += stride) *p = colour;
    });
  }
}

// The time axis, EDF+D gap marks and the gain legend (over the traces).
void paintOverTraces(QPainter& p, const TracePageData& page, const TraceGeometry& g) {
  const int left = g.plotLeft();
  const int plotH = g.plotHeight();
  const double tick = gridTick(page.durationSec);
  const double pxPerSec = g.plotWidth() / std::max(1e-9, page.durationSec);
  const double firstTick = std::ceil(page.startSec / tick) * tick;
  p.setPen(QColor(90, 96, 110));
  p.drawLine(left, plotH, g.size.width(), plotH);
  QFont font = p.font();
  font.setPixelSize(11);
  p.setFont(font);
  for (double t = firstTick; t <= page.startSec + page.durationSec + 1e-9; t += tick) {
    const int x = left + static_cast<int>(std::lround((t - page.startSec) * pxPerSec));
    p.drawLine(x, plotH, x, plotH + 4);
    const QString text = QString::fromStdString(
        g.style.axis.clockTime
            ? navigation::formatClockTime(g.style.axis.timeline.wallSec(t), g.style.axis.startOfDaySec)
            : navigation::formatRecordingTime(t));
    p.drawText(QRect(x + 3, plotH + 4, 80, g.style.axisHeightPx - 4), Qt::AlignLeft | Qt::AlignTop, text);
  }
  // EDF+D gaps: the records around them are drawn back to back; a dashed line marks the seam and the axis
  // says how much time is missing there.
  for (const navigation::GapOnAxis& gap : g.style.axis.timeline.gaps()) {
    if (gap.dataSec < page.startSec || gap.dataSec > page.startSec + page.durationSec) continue;
    const int x = left + static_cast<int>(std::lround((gap.dataSec - page.startSec) * pxPerSec));
    p.setPen(QPen(QColor(200, 60, 40), 1, Qt::DashLine));
    p.drawLine(x, 0, x, plotH);
    p.setPen(QColor(200, 60, 40));
    //: Marker on the time axis of an EDF+D recording: %1 is the time without data between two records
    const QString label =
        QCoreApplication::translate("TraceView", "gap %1")
            .arg(QString::fromStdString(navigation::formatRecordingTime(gap.durationSec, 1)));
    const QRect box(x - 60, plotH + 4, 120, g.style.axisHeightPx - 4);
    p.fillRect(QRect(x - 34, plotH + 2, 68, g.style.axisHeightPx - 3), QColor(253, 236, 232));
    p.drawText(box, Qt::AlignHCenter | Qt::AlignTop, label);
  }
  p.setPen(QColor(90, 96, 110));
  //: Global gain legend of the trace view; %1 is the factor applied to every lane's scale
  const QString legend = QCoreApplication::translate("TraceView", "gain ×%1").arg(g.style.gain, 0, 'g', 3);
  p.drawText(QRect(4, plotH + 4, left - 8, g.style.axisHeightPx - 4), Qt::AlignLeft | Qt::AlignTop, legend);
}

}  // namespace

QImage renderTracePage(const TracePageData& page, const TraceGeometry& g) {
  QImage image(g.size, QImage::Format_ARGB32_Premultiplied);  // every pixel painted below
  {
    QPainter p(&image);
    paintUnderTraces(p, page, g);
  }
  rasterTraces(image, page, g);
  {
    QPainter p(&image);
    paintOverTraces(p, page, g);
  }
  return image;
}

void paintTracePage(QPainter& p, const TracePageData& page, const TraceGeometry& g) {
  paintUnderTraces(p, page, g);
  paintTraces(p, page, g);
  paintOverTraces(p, page, g);
}

}  // namespace neurolm::widgets
