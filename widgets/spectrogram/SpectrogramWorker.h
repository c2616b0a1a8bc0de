#pragma once
// The spectrogram pane's computation, off the UI thread: power of the chosen channels over the page or the
// whole recording (core/signal/RecordingSpectrogram.h), in dB, with neighbouring segments averaged into at
// most `maxColumns` columns so a 24-h recording stays a few MB. Colour maps and colour limits live here too
// (pure functions, tested without a window).
#include <QColor>
#include <QString>
#include <QStringList>
#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "core/io/Recording.h"
#include "core/montage/MontagePipeline.h"

namespace neurolm::widgets {

struct SpectrogramSettings {
  std::shared_ptr<const montage::Montage> montage;  // the trace view's; null: the channels as recorded
  montage::FilterSet filters;                       // the trace view's display filters
  std::vector<std::size_t> channels;                // derivation indices of the montage (one sample rate)
  double startSec = 0, endSec = 0;                  // the range to analyse
  double segmentSec = 2;                            // Hann segments, as scipy.signal.spectrogram
  double overlap = 0.5;                             // fraction of a segment
  std::size_t maxColumns = 2000;                    // more segments than this are averaged in groups
};

struct SpectrogramData {
  quint64 requestId = 0;
  double startSec = 0, endSec = 0;  // the analysed range
  QStringList labels;
  QString unit;                       // of the power before dB, e.g. "µV²/Hz"
  std::vector<double> frequenciesHz;  // rows
  std::vector<double> timesSec;       // column centres, seconds of the recording
  double columnSec = 0;               // time one column covers (hop × segments per column)
  std::vector<float> db;              // [channel][frequency][column], 10·log10(power)
  QString error;                      // non-empty when the range could not be analysed
  bool valid() const { return error.isEmpty() && !db.empty(); }
  std::size_t channelCount() const { return static_cast<std::size_t>(labels.size()); }
  float at(std::size_t c, std::size_t f, std::size_t t) const {
    return db[(c * frequenciesHz.size() + f) * timesSec.size() + t];
  }
};

// Throws nothing: errors land in `error`. Returns an empty result (no error) when `cancel` becomes true.
SpectrogramData computeSpectrogram(const Recording& recording, const SpectrogramSettings& settings,
                                   const std::atomic<bool>* cancel = nullptr,
                                   const std::function<void(double)>& progress = {});

enum class ColourMap { Viridis, Magma, Grey };
QString colourMapName(ColourMap map);  // translated
// Colour of v in [0, 1] (clamped).
QRgb colourAt(ColourMap map, double v);

// The lo and hi percentiles (0..100) of the dB values of rows with f <= maxHz, over all channels.
std::pair<double, double> percentileLimits(const SpectrogramData& data, double maxHz, double lo = 5,
                                           double hi = 99.5);

}  // namespace neurolm::widgets
