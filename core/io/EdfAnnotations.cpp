#include "core/io/EdfAnnotations.h"

#include <charconv>
#include <cmath>

namespace neurolm {
namespace {

// "+12.5" / "-0.3" -> seconds; EDF+ requires the sign and allows only digits and one '.'.
std::optional<double> parseSignedSeconds(const std::string& s, bool signRequired) {
  if (s.empty()) return std::nullopt;
  std::size_t start = 0;
  if (s[0] == '+' || s[0] == '-') start = 1;
  else if (signRequired) return std::nullopt;
  if (start >= s.size()) return std::nullopt;
  for (std::size_t i = start; i < s.size(); ++i) {
    if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) return std::nullopt;
  }
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data() + start, s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return s[0] == '-' ? -v : v;
}

}  // namespace

TalParseResult parseTalSignal(const std::uint8_t* bytes, std::size_t size, bool timeKeeping) {
  TalParseResult out;
  std::size_t pos = 0;
  bool firstTal = true;
  while (pos < size) {
    if (bytes[pos] == 0) {  // padding between/after TALs
      ++pos;
      continue;
    }
    std::size_t end = pos;
    while (end < size && bytes[end] != 0) ++end;  // a TAL ends with \x14\0
    const std::string tal(reinterpret_cast<const char*>(bytes + pos), end - pos);
    pos = end + 1;
    const std::size_t firstSep = tal.find('\x14');
    if (firstSep == std::string::npos || tal.back() != '\x14') {
      ++out.malformedTals;
      firstTal = false;
      continue;
    }
    const std::string timing = tal.substr(0, firstSep);
    const std::size_t durSep = timing.find('\x15');
    const auto onset = parseSignedSeconds(timing.substr(0, durSep), true);
    std::optional<double> duration;
    bool ok = onset.has_value();
    if (ok && durSep != std::string::npos) {
      duration = parseSignedSeconds(timing.substr(durSep + 1), false);
      ok = duration.has_value() && *duration >= 0;
    }
    if (!ok) {
      ++out.malformedTals;
      firstTal = false;
      continue;
    }
    // Texts between the separators; the first TAL of the time-keeping signal starts with an empty text.
    std::size_t t = firstSep + 1;
    bool firstText = true;
    while (t < tal.size()) {
      const std::size_t next = tal.find('\x14', t);
      const std::string text = tal.substr(t, next - t);
      if (firstTal && timeKeeping && firstText && text.empty()) {
        out.recordOnsetSec = *onset;
      } else if (!text.empty()) {
        Annotation a;
        a.onsetSec = *onset;
        a.durationSec = duration.value_or(-1.0);
        a.text = text;
        out.annotations.push_back(std::move(a));
      }
      firstText = false;
      if (next == std::string::npos) break;
      t = next + 1;
    }
    firstTal = false;
  }
  return out;
}

}  // namespace neurolm
