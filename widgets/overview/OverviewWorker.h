#pragma once
// Computes and draws the overview strip's activity band on a worker thread, from the recording's min/max
// pyramid (never from raw samples: the request waits until the pyramid is complete).
//
// Per pixel column and per voltage channel, the peak-to-peak amplitude (µV) of that stretch of the recording;
// the band shows, per column, the median over channels (dark) and the 90th percentile (light), scaled so that
// the 98th percentile of the columns fills the band. Artefacts and flat stretches stand out over hours.
#include <QImage>
#include <QSize>
#include <atomic>
#include <memory>
#include <vector>

#include "core/io/Recording.h"

namespace neurolm::widgets {

struct OverviewColumn {
  float medianUv = 0;  // median over channels of the column's peak-to-peak amplitude
  float upperUv = 0;   // 90th percentile over channels
};

// Pure functions (tests call them directly; the worker runs them off the UI thread).
std::vector<OverviewColumn> overviewColumns(const Recording& recording, int columns,
                                            const std::atomic<bool>* cancel = nullptr);
QImage renderOverviewBand(const std::vector<OverviewColumn>& columns, QSize size);

}  // namespace neurolm::widgets
