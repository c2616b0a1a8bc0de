#include "core/navigation/TimeInput.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

namespace neurolm::navigation {
namespace {

constexpr double kDaySec = 86400;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

[[noreturn]] void fail(std::string_view text, const std::string& why) {
  throw TimeInputError("time '" + std::string(text) + "': " + why +
                       " (expected seconds such as 90.5, h:mm:ss such as 1:02:03, or a clock time such as "
                       "@14:30:00)");
}

// A field of digits, with a fraction only where `fraction` allows it.
double field(std::string_view all, std::string_view f, bool fraction) {
  if (f.empty()) fail(all, "a field is empty");
  for (char c : f) {
    if (!(c >= '0' && c <= '9') && !(fraction && c == '.'))
      fail(all, "'" + std::string(f) + "' is not a number");
  }
  double v = 0;
  const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (ec != std::errc() || end != f.data() + f.size()) fail(all, "'" + std::string(f) + "' is not a number");
  return v;
}

// "h:mm:ss(.s)" or "m:ss(.s)" (or "hh:mm" for clock times) -> seconds.
double colonFields(std::string_view all, std::string_view body, bool clock) {
  std::vector<std::string_view> parts;
  for (std::size_t from = 0;;) {
    const std::size_t colon = body.find(':', from);
    parts.push_back(body.substr(from, colon == std::string_view::npos ? colon : colon - from));
    if (colon == std::string_view::npos) break;
    from = colon + 1;
  }
  if (parts.size() < 2 || parts.size() > 3) fail(all, "expected 2 or 3 fields separated by ':'");
  std::vector<double> v;
  for (std::size_t i = 0; i < parts.size(); ++i) v.push_back(field(all, parts[i], i + 1 == parts.size()));
  for (std::size_t i = 1; i < v.size(); ++i) {
    if (v[i] >= 60) fail(all, "minutes and seconds must be below 60");
  }
  if (clock) {
    // hh:mm or hh:mm:ss
    if (v[0] >= 24) fail(all, "the hour of a clock time must be below 24");
    if (parts.size() == 2 && parts[1].find('.') != std::string_view::npos) fail(all, "minutes must be whole");
    return v[0] * 3600 + v[1] * 60 + (v.size() == 3 ? v[2] : 0);
  }
  return v.size() == 3 ? v[0] * 3600 + v[1] * 60 + v[2] : v[0] * 60 + v[1];
}

std::string hms(double totalSec, int decimals, bool alwaysHours) {
  const double scale = std::pow(10.0, decimals);
  const double rounded = std::round(totalSec * scale) / scale;  // 59.96 with 1 digit -> 1:00.0
  const auto whole = static_cast<long long>(std::floor(rounded + 1e-9));
  const double frac = rounded - static_cast<double>(whole);
  char buf[64];
  if (alwaysHours || whole >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", whole / 3600, whole / 60 % 60, whole % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", whole / 60, whole % 60);
  }
  std::string s = buf;
  if (decimals > 0) {
    std::snprintf(buf, sizeof buf, "%.*f", decimals, std::max(0.0, frac));
    s += std::string(buf).substr(1);  // ".5"
  }
  return s;
}

}  // namespace

ParsedTime parseTimeInput(std::string_view text, double startOfDaySec) {
  const std::string_view t = trim(text);
  if (t.empty()) fail(text, "nothing was entered");
  ParsedTime result;
  if (t.front() == '@') {
    result.clockTime = true;
    const double clock = colonFields(text, trim(t.substr(1)), true);
    result.offsetSec = std::fmod(clock - startOfDaySec + kDaySec, kDaySec);
    return result;
  }
  if (t.find(':') != std::string_view::npos) {
    result.offsetSec = colonFields(text, t, false);
    return result;
  }
  std::string_view number = t;
  if (number.back() == 's') number = trim(number.substr(0, number.size() - 1));
  result.offsetSec = field(text, number, true);
  return result;
}

std::string formatRecordingTime(double offsetSec, int decimals) {
  if (offsetSec < 0) return "-" + hms(-offsetSec, decimals, false);
  return hms(offsetSec, decimals, false);
}

std::string formatClockTime(double offsetSec, double startOfDaySec, int decimals) {
  const double scale = std::pow(10.0, decimals);
  double t = std::round((startOfDaySec + offsetSec) * scale) / scale;
  t = std::fmod(std::fmod(t, kDaySec) + kDaySec, kDaySec);
  std::string s = hms(t, decimals, true);
  if (s.size() >= 2 && s[1] == ':') s.insert(0, "0");  // hh:mm:ss
  return s;
}

}  // namespace neurolm::navigation
