#pragma once
// Paints one page of EEG traces into an image. Pure function of its inputs, safe to call on a worker thread
// (QPainter on a QImage). Traces are drawn from min/max envelopes: one vertical span per pixel column,
// joined to the neighbouring column, so there are never more than two points per column.
#include <QImage>
#include <QSize>
#include <QString>
#include <QStringList>
#include <vector>

#include "core/io/Recording.h"

namespace neurolm::widgets {

struct TraceChannelData {
  QString label;
  QString unit;
  double toMicrovolts = 1;           // 0 when the unit is not a voltage (then scaled by physical range)
  double physicalHalfRange = 1;      // used for non-voltage channels
  std::vector<MinMax> columns;       // one per trace column (physical units)
};

struct TracePageData {
  double startSec = 0;
  double durationSec = 10;
  std::vector<TraceChannelData> channels;
};

struct TraceStyle {
  int labelMarginPx = 90;
  int axisHeightPx = 24;
  double sensitivityUv = 100;  // this amplitude fills half a channel lane
};

// Geometry shared by the renderer, the widget (mouse/hover) and tests.
struct TraceGeometry {
  QSize size;
  int channels = 0;
  TraceStyle style;
  int plotLeft() const { return style.labelMarginPx; }
  int plotWidth() const { return std::max(1, size.width() - style.labelMarginPx); }
  int plotHeight() const { return std::max(1, size.height() - style.axisHeightPx); }
  double laneHeight() const { return channels > 0 ? static_cast<double>(plotHeight()) / channels : 0; }
  double baselineY(int channel) const { return (channel + 0.5) * laneHeight(); }
  // Pixel y of a value (µV) on a channel's lane.
  double yOf(int channel, double microvolts) const {
    return baselineY(channel) - microvolts / style.sensitivityUv * (laneHeight() / 2);
  }
};

QImage renderTracePage(const TracePageData& page, const TraceGeometry& geometry);

// Reads the envelopes of `page` from the recording (µs per column derived from the geometry's plot width).
TracePageData loadTracePage(const Recording& recording, double startSec, double durationSec, int columns);

}  // namespace neurolm::widgets
