#include "core/navigation/Timeline.h"

#include <algorithm>
#include <stdexcept>

namespace neurolm::navigation {

Timeline::Timeline(const std::vector<double>& gapOnsetsSec, const std::vector<double>& gapDurationsSec) {
  if (gapOnsetsSec.size() != gapDurationsSec.size()) {
    throw std::invalid_argument("timeline: gap onsets and durations differ in count");
  }
  double missing = 0;
  for (std::size_t i = 0; i < gapOnsetsSec.size(); ++i) {
    gaps_.push_back({gapOnsetsSec[i] - missing, gapDurationsSec[i]});
    missing += gapDurationsSec[i];
  }
}

double Timeline::wallSec(double dataSec) const {
  double wall = dataSec;
  for (const GapOnAxis& g : gaps_) {
    if (g.dataSec < dataSec) wall += g.durationSec;  // gaps strictly before the point
  }
  return wall;
}

double Timeline::dataSec(double wallSec) const {
  double missing = 0;
  for (const GapOnAxis& g : gaps_) {
    const double gapStartWall = g.dataSec + missing;
    if (wallSec <= gapStartWall) break;
    if (wallSec < gapStartWall + g.durationSec) return g.dataSec;  // inside the gap
    missing += g.durationSec;
  }
  return wallSec - missing;
}

}  // namespace neurolm::navigation
