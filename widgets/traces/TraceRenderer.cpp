#include "widgets/traces/TraceRenderer.h"

#include <QCoreApplication>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

namespace neurolm::widgets {

TracePageData loadTracePage(const Recording& recording, double startSec, double durationSec, int columns) {
  TracePageData page;
  page.startSec = startSec;
  page.durationSec = durationSec;
  const auto& chans = recording.channels();
  page.channels.reserve(chans.size());
  for (std::size_t c = 0; c < chans.size(); ++c) {
    const ChannelInfo& info = chans[c];
    TraceChannelData data;
    data.label = QString::fromStdString(info.label);
    data.unit = QString::fromStdString(info.unit);
    data.toMicrovolts = info.toMicrovolts;
    data.physicalHalfRange = std::max(1e-12, std::abs(info.physicalMax - info.physicalMin) / 2);
    const auto first = static_cast<std::int64_t>(std::llround(startSec * info.sampleRateHz));
    const auto last = static_cast<std::int64_t>(std::llround((startSec + durationSec) * info.sampleRateHz));
    const std::int64_t clampedLast = std::min(last, info.sampleCount);
    // Columns beyond the end of the recording stay empty.
    const int usedColumns =
        last > first ? static_cast<int>(std::floor(columns * static_cast<double>(clampedLast - first) / (last - first)))
                     : 0;
    if (usedColumns > 0 && clampedLast > first) {
      data.columns = recording.envelope(c, first, clampedLast, usedColumns);
    }
    page.channels.push_back(std::move(data));
  }
  return page;
}

QImage renderTracePage(const TracePageData& page, const TraceGeometry& g) {
  QImage image(g.size, QImage::Format_ARGB32_Premultiplied);
  image.fill(QColor(255, 255, 255));
  QPainter p(&image);
  const int left = g.plotLeft();
  const int plotH = g.plotHeight();
  const int n = static_cast<int>(page.channels.size());

  // Grid: one vertical line per second (or coarser for long pages), lane separators.
  double tick = 1.0;
  while (page.durationSec / tick > 20) tick *= (tick == 1.0 || tick == 10.0 || tick == 60.0) ? 5.0 : 2.0;
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

  // Labels.
  QFont font = p.font();
  font.setPixelSize(std::clamp(static_cast<int>(g.laneHeight() * 0.6), 7, 13));
  p.setFont(font);
  p.setPen(QColor(40, 44, 52));
  for (int c = 0; c < n; ++c) {
    const QRectF r(4, g.baselineY(c) - g.laneHeight() / 2, left - 8, g.laneHeight());
    p.drawText(r, Qt::AlignVCenter | Qt::AlignRight, page.channels[static_cast<std::size_t>(c)].label);
  }

  // Traces: per column a vertical min..max span, connected to the previous column.
  p.setRenderHint(QPainter::Antialiasing, false);
  const QColor traceColor(20, 60, 160);
  p.setPen(QPen(traceColor, 1));
  p.setClipRect(left, 0, g.plotWidth(), plotH);
  for (int c = 0; c < n; ++c) {
    const TraceChannelData& ch = page.channels[static_cast<std::size_t>(c)];
    const double scale = ch.toMicrovolts > 0 ? ch.toMicrovolts : g.style.sensitivityUv / ch.physicalHalfRange;
    const int cols = static_cast<int>(ch.columns.size());
    int prevTop = 0, prevBottom = 0;  // pixel rows of the previous column's max and min
    for (int x = 0; x < cols; ++x) {
      const MinMax mm = ch.columns[static_cast<std::size_t>(x)];
      const int top = static_cast<int>(std::lround(g.yOf(c, mm.max * scale)));
      const int bottom = static_cast<int>(std::lround(g.yOf(c, mm.min * scale)));
      int y0 = top, y1 = bottom;
      if (x > 0) {  // join with the previous column so that steep edges stay connected
        if (y0 > prevBottom) y0 = prevBottom;
        if (y1 < prevTop) y1 = prevTop;
      }
      p.drawLine(left + x, y0, left + x, y1);
      prevTop = top;
      prevBottom = bottom;
    }
  }
  p.setClipping(false);

  // Time axis.
  p.setPen(QColor(90, 96, 110));
  p.drawLine(left, plotH, g.size.width(), plotH);
  font.setPixelSize(11);
  p.setFont(font);
  for (double t = firstTick; t <= page.startSec + page.durationSec + 1e-9; t += tick) {
    const int x = left + static_cast<int>(std::lround((t - page.startSec) * pxPerSec));
    p.drawLine(x, plotH, x, plotH + 4);
    const int total = static_cast<int>(std::lround(t));
    const QString text = total >= 3600 ? QString::asprintf("%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
                                       : QString::asprintf("%d:%02d", total / 60, total % 60);
    p.drawText(QRect(x + 3, plotH + 4, 80, g.style.axisHeightPx - 4), Qt::AlignLeft | Qt::AlignTop, text);
  }
  //: Scale legend of the trace view; %1 is the sensitivity in microvolts
  const QString legend = QCoreApplication::translate("TraceView", "%1 µV/½ lane").arg(g.style.sensitivityUv);
  p.drawText(QRect(4, plotH + 4, left - 8, g.style.axisHeightPx - 4), Qt::AlignLeft | Qt::AlignTop, legend);
  return image;
}

}  // namespace neurolm::widgets
