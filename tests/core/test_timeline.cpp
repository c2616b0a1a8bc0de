// Data time <-> wall time across the gaps of an EDF+D file, against a hand-worked example.
#include <gtest/gtest.h>

#include "core/navigation/Timeline.h"

using neurolm::navigation::Timeline;

// Records of 10 s: data [0, 20) at wall 0..20, a 30-s gap, data [20, 30) at wall 50..60, a 5-s gap, data
// [30, 40) at wall 65..75.
TEST(Timeline, GapsSitOnTheDataAxisAndShiftWallTime) {
  const Timeline t({20, 60}, {30, 5});
  ASSERT_EQ(t.gaps().size(), 2u);
  EXPECT_DOUBLE_EQ(t.gaps()[0].dataSec, 20);
  EXPECT_DOUBLE_EQ(t.gaps()[1].dataSec, 30);  // wall 60 minus the 30 s missing before it
  EXPECT_DOUBLE_EQ(t.wallSec(0), 0);
  EXPECT_DOUBLE_EQ(t.wallSec(19.5), 19.5);
  EXPECT_DOUBLE_EQ(t.wallSec(20), 20);  // the point of the gap: end of the record before
  EXPECT_DOUBLE_EQ(t.wallSec(25), 55);
  EXPECT_DOUBLE_EQ(t.wallSec(35), 70);
  EXPECT_DOUBLE_EQ(t.dataSec(55), 25);
  EXPECT_DOUBLE_EQ(t.dataSec(70), 35);
  EXPECT_DOUBLE_EQ(t.dataSec(35), 20);  // inside the first gap: the next sample
  EXPECT_DOUBLE_EQ(t.dataSec(62), 30);  // inside the second gap
  EXPECT_DOUBLE_EQ(t.dataSec(10), 10);
  for (double d : {0.0, 7.0, 21.0, 29.9, 31.0, 39.0}) EXPECT_DOUBLE_EQ(t.dataSec(t.wallSec(d)), d) << d;
}

TEST(Timeline, ContinuousRecordingIsTheIdentity) {
  const Timeline t;
  EXPECT_DOUBLE_EQ(t.wallSec(1234.5), 1234.5);
  EXPECT_DOUBLE_EQ(t.dataSec(1234.5), 1234.5);
  EXPECT_THROW(Timeline({1}, {}), std::invalid_argument);
}
