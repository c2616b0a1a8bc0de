#pragma once
// Data time vs. wall time of a recording. The viewer draws the data records of an EDF+D file back to back, so
// its time axis runs in "data time" (seconds of samples); the gaps between records (core/io RecordingGap, in
// wall time from the start) sit at points of that axis. Clock times and the "go to" box need the mapping both
// ways. For a continuous file both times are equal.
#include <vector>

namespace neurolm::navigation {

struct GapOnAxis {
  double dataSec = 0;      // where the gap sits on the data-time axis
  double durationSec = 0;  // wall time without samples
};

class Timeline {
 public:
  Timeline() = default;
  // `gapOnsetsSec` / `gapDurationsSec`: each gap's wall-time onset (end of the record before it) and length,
  // in time order.
  Timeline(const std::vector<double>& gapOnsetsSec, const std::vector<double>& gapDurationsSec);

  const std::vector<GapOnAxis>& gaps() const { return gaps_; }
  // Wall time (seconds from the start) of a point of the data axis; a point at a gap is the end of the record
  // before it.
  double wallSec(double dataSec) const;
  // Data time of a wall time; a wall time inside a gap maps to the gap's point (the next sample).
  double dataSec(double wallSec) const;

 private:
  std::vector<GapOnAxis> gaps_;
};

}  // namespace neurolm::navigation
