#pragma once
// Text <-> time for navigation: what the "go to time" box accepts and what the time axis prints.
//
// Accepted input (surrounding spaces ignored):
//   "90", "90.5", "90 s"        seconds from the start of the recording
//   "1:30", "1:02:03.5"         m:ss or h:mm:ss(.s) from the start of the recording (minutes and seconds < 60
//                               after the first field)
//   "@14:30", "@14:30:05.5"     clock time of day (hh:mm or hh:mm:ss(.s), hh < 24): the first time the
//                               recording's clock shows it at or after the recording's start (so a night
//                               recording started at 22:00 reaches "@01:30" after 3.5 h)
#include <stdexcept>
#include <string>
#include <string_view>

namespace neurolm::navigation {

class TimeInputError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct ParsedTime {
  double offsetSec = 0;    // seconds from the start of the recording (>= 0)
  bool clockTime = false;  // written as a clock time of day ("@...")
};

// `startOfDaySec`: the recording's start time as seconds after midnight (0 <= value < 86400).
// Throws TimeInputError naming the text and what was expected. The result may lie beyond the recording's end:
// the caller knows the duration and says so.
ParsedTime parseTimeInput(std::string_view text, double startOfDaySec);

// Seconds from the start as "m:ss" (under an hour) or "h:mm:ss"; fractional seconds with `decimals` digits.
std::string formatRecordingTime(double offsetSec, int decimals = 0);
// The clock time of day at `offsetSec` into a recording that started `startOfDaySec` after midnight,
// "hh:mm:ss" (wrapping at midnight), with `decimals` digits of fractional seconds.
std::string formatClockTime(double offsetSec, double startOfDaySec, int decimals = 0);

}  // namespace neurolm::navigation
