// The "go to time" parser and the time-axis formatters against hand-worked values.
#include <gtest/gtest.h>

#include "core/navigation/TimeInput.h"

using namespace neurolm::navigation;

namespace {
constexpr double k22h = 22 * 3600;  // a night recording that starts at 22:00:00
}

TEST(TimeInput, SecondsAndRecordingTime) {
  EXPECT_DOUBLE_EQ(parseTimeInput("90", k22h).offsetSec, 90);
  EXPECT_DOUBLE_EQ(parseTimeInput(" 90.5 s ", k22h).offsetSec, 90.5);
  EXPECT_DOUBLE_EQ(parseTimeInput("0", 0).offsetSec, 0);
  EXPECT_DOUBLE_EQ(parseTimeInput("1:30", k22h).offsetSec, 90);           // m:ss
  EXPECT_DOUBLE_EQ(parseTimeInput("1:02:03.5", k22h).offsetSec, 3723.5);  // 3600 + 120 + 3.5
  EXPECT_DOUBLE_EQ(parseTimeInput("25:00:00", k22h).offsetSec, 90000);    // hours may exceed a day
  EXPECT_FALSE(parseTimeInput("1:02:03", k22h).clockTime);
}

TEST(TimeInput, ClockTimeIsTheFirstOccurrenceAtOrAfterTheStart) {
  const ParsedTime t = parseTimeInput("@23:15:00", k22h);
  EXPECT_TRUE(t.clockTime);
  EXPECT_DOUBLE_EQ(t.offsetSec, 4500);                                   // 1 h 15 min after 22:00
  EXPECT_DOUBLE_EQ(parseTimeInput("@01:30", k22h).offsetSec, 12600);     // after midnight: 3.5 h
  EXPECT_DOUBLE_EQ(parseTimeInput("@22:00:00", k22h).offsetSec, 0);      // the start itself
  EXPECT_DOUBLE_EQ(parseTimeInput("@21:59:59", k22h).offsetSec, 86399);  // a second before: next day
  EXPECT_DOUBLE_EQ(parseTimeInput("@ 10:00:30.25", 9 * 3600).offsetSec, 3630.25);
}

TEST(TimeInput, RefusesMalformedTextNamingIt) {
  for (const char* bad : {"", "  ", "abc", "1:60", "1:2:3:4", "@24:00", "1.5:00", "-5", "@12:30.5", "1::2",
                          "1:30:", "@", "5 m", "1.2.3", "1e3"}) {
    try {
      parseTimeInput(bad, 0);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const TimeInputError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos) << e.what();
    }
  }
}

TEST(TimeInput, FormatsRecordingAndClockTime) {
  EXPECT_EQ(formatRecordingTime(75), "1:15");
  EXPECT_EQ(formatRecordingTime(0), "0:00");
  EXPECT_EQ(formatRecordingTime(3723.4), "1:02:03");
  EXPECT_EQ(formatRecordingTime(59.96, 1), "1:00.0");  // rounded before splitting
  EXPECT_EQ(formatRecordingTime(12.25, 2), "0:12.25");
  EXPECT_EQ(formatRecordingTime(90000), "25:00:00");
  EXPECT_EQ(formatClockTime(12600, k22h), "01:30:00");
  EXPECT_EQ(formatClockTime(4500, k22h), "23:15:00");
  EXPECT_EQ(formatClockTime(0.5, 86399.75, 2), "00:00:00.25");  // across midnight
  // Round trip: what the axis prints, the box reads back.
  EXPECT_DOUBLE_EQ(parseTimeInput("@" + formatClockTime(4500, k22h), k22h).offsetSec, 4500);
  EXPECT_DOUBLE_EQ(parseTimeInput(formatRecordingTime(3723, 0), k22h).offsetSec, 3723);
}
