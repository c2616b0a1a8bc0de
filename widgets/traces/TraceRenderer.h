#pragma once
// Paints one page of EEG traces into an image. Pure function of its inputs, safe to call on a worker thread
// (QPainter on a QImage). Traces are drawn from min/max envelopes: one vertical span per pixel column,
// joined to the neighbouring column, so there are never more than two points per column. Each lane has its
// channel's display scale (by signal type, e.g. EEG µV, ECG mV per division) times a global gain, and is
// clipped to its lane unless clipping is turned off.
#include <QImage>
#include <QPainter>
#include <QSize>
#include <QString>
#include <QStringList>
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "core/io/Recording.h"
#include "core/montage/MontagePipeline.h"
#include "core/navigation/Timeline.h"
#include "core/signal/SignalType.h"

namespace neurolm::widgets {

struct TraceChannelData {
  QString label;
  QString unit;  // physical unit as written in the file
  signal::SignalType type = signal::SignalType::Other;
  signal::DisplayScale scale;   // the channel's type default or its override
  std::vector<MinMax> columns;  // one per trace column (physical units)
};

struct TracePageData {
  double startSec = 0;
  double durationSec = 10;
  std::vector<TraceChannelData> channels;
};

// How the time axis under the traces is labelled.
struct TimeAxisStyle {
  bool clockTime = false;         // clock time of day instead of time from the start of the recording
  double startOfDaySec = 0;       // the recording's start, seconds after midnight
  navigation::Timeline timeline;  // EDF+D gaps: marked on the axis; clock labels count the time they miss
};

struct TraceStyle {
  int labelMarginPx = 90;
  int axisHeightPx = 24;
  double gain = 1;         // global factor on every lane's scale: 2 draws all traces twice as large
  bool clipToLane = true;  // a trace never paints outside its own lane (off: large traces overlap neighbours)
  TimeAxisStyle axis;
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
  // Pixel rows [laneTop, laneBottom) of a channel's lane (the clip rectangle when clipping is on).
  int laneTop(int channel) const { return static_cast<int>(std::lround(channel * laneHeight())); }
  int laneBottom(int channel) const { return static_cast<int>(std::lround((channel + 1) * laneHeight())); }
  // Pixel y of a physical value (in the channel's own unit) on a channel's lane under its display scale.
  double yOf(int channel, double physical, const signal::DisplayScale& scale) const {
    const double display = physical * scale.fromPhysical;
    return baselineY(channel) -
           (display - scale.centreValue) / scale.perDivision * style.gain * (laneHeight() / 2);
  }
};

QImage renderTracePage(const TracePageData& page, const TraceGeometry& geometry);
// The same drawing on any painter (a PDF or SVG export paints vectors), over a white page of geometry.size.
void paintTracePage(QPainter& painter, const TracePageData& page, const TraceGeometry& geometry);

// Types and default display scales of a recording's channels (label + unit rules of
// core/signal/SignalType.h).
signal::ChannelDisplayTable channelDisplayTable(const Recording& recording);

// Reads the envelopes of a page from the recording, `columns` columns per channel; each channel is displayed
// with its entry of `display` (same channel count as the recording). Channels drawn as steps (triggers) are
// fitted to the page: its lowest and highest values span the middle 80 % of the lane.
TracePageData loadTracePage(const Recording& recording, double startSec, double durationSec, int columns,
                            const signal::ChannelDisplayTable& display);
TracePageData loadTracePage(const Recording& recording, double startSec, double durationSec, int columns);

// What the lanes show: a montage's derivations (null: every channel as recorded) of the display-filtered
// channels. The worker reads -> filters -> applies the montage -> folds into columns (min/max).
struct TracePipeline {
  std::shared_ptr<const montage::Montage> montage;
  montage::FilterSet filters;
  bool passThrough() const { return !montage && !filters.active(); }
};

// Types and default scales of a montage's lanes: each derivation has its first channel's type and unit.
signal::ChannelDisplayTable montageDisplayTable(const Recording& recording, const montage::Montage& montage);

// As above with a pipeline; `display` has one entry per lane (per derivation when a montage is set). Without
// montage and filters it is the envelope path above (the pyramid answers long pages).
TracePageData loadTracePage(const Recording& recording, double startSec, double durationSec, int columns,
                            const signal::ChannelDisplayTable& display, const TracePipeline& pipeline);

}  // namespace neurolm::widgets
