#include "core/io/EdfHeader.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace neurolm {
namespace {

constexpr int kMaxSignals = 4096;
constexpr std::int64_t kMaxSamplesPerRecord = 10'000'000;
constexpr std::uint64_t kMaxRecordBytes = 256ull << 20;  // 256 MiB per data record

std::string raw(const std::uint8_t* b, std::size_t off, std::size_t len) {
  return std::string(reinterpret_cast<const char*>(b + off), len);
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && s[start] == ' ') ++start;
  return s.substr(start);
}

bool isPrintableAscii(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 32 || c > 126) return false;
  }
  return true;
}

bool isValidUtf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int extra = 0;
    if (c < 0x80) extra = 0;
    else if ((c & 0xE0) == 0xC0 && c >= 0xC2) extra = 1;
    else if ((c & 0xF0) == 0xE0) extra = 2;
    else if ((c & 0xF8) == 0xF0 && c <= 0xF4) extra = 3;
    else return false;
    if (extra > 0 && i + static_cast<std::size_t>(extra) >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

std::string latin1ToUtf8(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// Text field: EDF allows printable ASCII only. Other bytes are decoded (UTF-8 if valid, else Latin-1),
// control characters become spaces, and the repair is reported.
std::string textField(const std::uint8_t* b, std::size_t off, std::size_t len, const std::string& what,
                      RepairReport& report) {
  std::string s = raw(b, off, len);
  if (isPrintableAscii(s)) return trimmed(s);
  for (auto& c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 32 || u == 127) c = ' ';
  }
  std::string decoded;
  std::string how;
  if (isValidUtf8(s)) {
    decoded = s;
    how = "UTF-8";
  } else {
    decoded = latin1ToUtf8(s);
    how = "Latin-1";
  }
  report.repairs.push_back(what + " contains bytes outside printable ASCII (EDF allows ASCII only); decoded as " +
                           how + ": '" + trimmed(decoded) + "'");
  return trimmed(decoded);
}

[[noreturn]] void fail(const std::string& name, const std::string& field, const std::string& problem) {
  throw FormatError(name + ": " + field + ": " + problem);
}

std::string quoted(const std::string& v) { return "'" + v + "'"; }

std::int64_t intField(const std::uint8_t* b, std::size_t off, std::size_t len, const std::string& name,
                      const std::string& field) {
  const std::string v = trimmed(raw(b, off, len));
  if (v.empty()) fail(name, field, "empty (expected an integer)");
  std::int64_t out = 0;
  const char* first = v.data();
  if (*first == '+') ++first;
  const auto [ptr, ec] = std::from_chars(first, v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size()) fail(name, field, quoted(v) + " is not an integer");
  return out;
}

double realField(const std::uint8_t* b, std::size_t off, std::size_t len, const std::string& name,
                 const std::string& field, RepairReport& report) {
  std::string v = trimmed(raw(b, off, len));
  if (v.empty()) fail(name, field, "empty (expected a number)");
  std::string parsed = v;
  bool comma = false;
  if (parsed.find(',') != std::string::npos && parsed.find('.') == std::string::npos) {
    for (auto& c : parsed) {
      if (c == ',') c = '.';
    }
    comma = true;
  }
  double out = 0;
  const char* first = parsed.data();
  if (*first == '+') ++first;
  const auto [ptr, ec] = std::from_chars(first, parsed.data() + parsed.size(), out);
  if (ec != std::errc() || ptr != parsed.data() + parsed.size() || !std::isfinite(out)) {
    fail(name, field, quoted(v) + " is not a number");
  }
  if (comma) report.repairs.push_back(field + " " + quoted(v) + " uses a decimal comma; read as " + parsed);
  return out;
}

bool parseTwoDigits(const std::string& s, std::size_t pos, int& out) {
  if (pos + 2 > s.size() || s[pos] < '0' || s[pos] > '9' || s[pos + 1] < '0' || s[pos + 1] > '9') return false;
  out = (s[pos] - '0') * 10 + (s[pos + 1] - '0');
  return true;
}

}  // namespace

std::string flavorName(EdfFlavor f) {
  switch (f) {
    case EdfFlavor::Edf: return "EDF";
    case EdfFlavor::EdfPlusContinuous: return "EDF+C";
    case EdfFlavor::EdfPlusDiscontinuous: return "EDF+D";
    case EdfFlavor::Bdf: return "BDF";
    case EdfFlavor::BdfPlusContinuous: return "BDF+C";
    case EdfFlavor::BdfPlusDiscontinuous: return "BDF+D";
  }
  return "?";
}

std::uint64_t edfHeaderSizeFromFixedPart(const std::uint8_t* b, std::size_t available, std::uint64_t fileSize,
                                         const std::string& name) {
  if (fileSize == 0) throw FormatError(name + ": the file is empty");
  if (available < 256 || fileSize < 256) {
    throw FormatError(name + ": only " + std::to_string(fileSize) +
                      " bytes; an EDF/BDF header needs at least 256 (truncated or not an EDF file)");
  }
  const bool bdf = b[0] == 0xFF && std::memcmp(b + 1, "BIOSEMI", 7) == 0;
  const bool edf = b[0] == '0' && raw(b, 1, 7).find_first_not_of(' ') == std::string::npos;
  if (!bdf && !edf) {
    const std::string v = raw(b, 0, 8);
    throw FormatError(name + ": version field: " + (isPrintableAscii(v) ? quoted(v) : std::string("binary data")) +
                      " is neither EDF ('0       ') nor BDF (0xFF 'BIOSEMI'); not an EDF/BDF file");
  }
  const std::int64_t ns = intField(b, 252, 4, name, "number of signals");
  if (ns <= 0) fail(name, "number of signals", std::to_string(ns) + " (a recording needs at least one signal)");
  if (ns > kMaxSignals) fail(name, "number of signals", std::to_string(ns) + " exceeds the supported maximum " +
                                                            std::to_string(kMaxSignals));
  return 256ull * static_cast<std::uint64_t>(ns + 1);
}

EdfHeader parseEdfHeader(const std::uint8_t* b, std::size_t available, std::uint64_t fileSize,
                         const std::string& name, RepairReport& report) {
  const std::uint64_t expectedHeader = edfHeaderSizeFromFixedPart(b, available, fileSize, name);
  EdfHeader h;
  const bool bdf = b[0] == 0xFF;
  const std::size_t ns = static_cast<std::size_t>(expectedHeader / 256 - 1);
  if (fileSize < expectedHeader || available < expectedHeader) {
    throw FormatError(name + ": header declares " + std::to_string(ns) + " signals (" +
                      std::to_string(expectedHeader) + " header bytes) but the file has only " +
                      std::to_string(fileSize) + " bytes (truncated header)");
  }
  h.patient = textField(b, 8, 80, "patient field", report);
  h.recording = textField(b, 88, 80, "recording field", report);

  const std::int64_t headerBytes = intField(b, 184, 8, name, "header size");
  if (headerBytes != static_cast<std::int64_t>(expectedHeader)) {
    fail(name, "header size", std::to_string(headerBytes) + " bytes, but " + std::to_string(ns) +
                                  " signals need exactly " + std::to_string(expectedHeader));
  }
  h.headerBytes = expectedHeader;

  const std::string reserved = trimmed(raw(b, 192, 44));
  if (bdf) {
    h.bytesPerSample = 3;
    if (reserved.rfind("BDF+C", 0) == 0) h.flavor = EdfFlavor::BdfPlusContinuous;
    else if (reserved.rfind("BDF+D", 0) == 0) h.flavor = EdfFlavor::BdfPlusDiscontinuous;
    else h.flavor = EdfFlavor::Bdf;
  } else {
    h.bytesPerSample = 2;
    if (reserved.rfind("EDF+C", 0) == 0) h.flavor = EdfFlavor::EdfPlusContinuous;
    else if (reserved.rfind("EDF+D", 0) == 0) h.flavor = EdfFlavor::EdfPlusDiscontinuous;
    else h.flavor = EdfFlavor::Edf;
  }

  // Start date and time: dd.mm.yy and hh.mm.ss; EDF+ may give the 4-digit year in the recording field.
  const std::string date = raw(b, 168, 8);
  const std::string time = raw(b, 176, 8);
  int dd = 0, mm = 0, yy = 0, hh = 0, mi = 0, ss = 0;
  const bool dateOk = parseTwoDigits(date, 0, dd) && date[2] == '.' && parseTwoDigits(date, 3, mm) &&
                      date[5] == '.' && parseTwoDigits(date, 6, yy) && dd >= 1 && dd <= 31 && mm >= 1 && mm <= 12;
  const bool timeOk = parseTwoDigits(time, 0, hh) && time[2] == '.' && parseTwoDigits(time, 3, mi) &&
                      time[5] == '.' && parseTwoDigits(time, 6, ss) && hh <= 23 && mi <= 59 && ss <= 59;
  if (dateOk) {
    h.startDay = dd;
    h.startMonth = mm;
    h.startYear = yy >= 85 ? 1900 + yy : 2000 + yy;
  } else {
    report.repairs.push_back("start date " + quoted(isPrintableAscii(date) ? date : "<binary>") +
                             " is not dd.mm.yy; assumed 01.01.1985");
  }
  if (timeOk) {
    h.startHour = hh;
    h.startMinute = mi;
    h.startSecond = ss;
  } else {
    report.repairs.push_back("start time " + quoted(isPrintableAscii(time) ? time : "<binary>") +
                             " is not hh.mm.ss; assumed 00.00.00");
  }

  h.declaredRecordCount = intField(b, 236, 8, name, "number of data records");
  h.recordDurationSec = realField(b, 244, 8, name, "data record duration", report);
  if (h.recordDurationSec < 0) fail(name, "data record duration", "negative (" + trimmed(raw(b, 244, 8)) + " s)");

  // Signal headers: ns x 16 label, 80 transducer, 8 dim, 8 pmin, 8 pmax, 8 dmin, 8 dmax, 80 prefilter, 8 spr.
  h.signals.resize(ns);
  std::size_t base = 256;
  const auto col = [&](std::size_t width, std::size_t i) { return base + i * width; };
  for (std::size_t i = 0; i < ns; ++i) {
    h.signals[i].label = textField(b, col(16, i), 16, "label of signal " + std::to_string(i + 1), report);
  }
  base += 16 * ns;
  for (std::size_t i = 0; i < ns; ++i) {
    h.signals[i].transducer = textField(b, col(80, i), 80, "transducer of signal " + std::to_string(i + 1), report);
  }
  base += 80 * ns;
  for (std::size_t i = 0; i < ns; ++i) {
    h.signals[i].physicalDimension =
        textField(b, col(8, i), 8, "physical dimension of signal " + std::to_string(i + 1), report);
  }
  base += 8 * ns;
  const auto sig = [&](std::size_t i) {
    return "signal " + std::to_string(i + 1) + " ('" + h.signals[i].label + "')";
  };
  for (std::size_t i = 0; i < ns; ++i) {
    h.signals[i].physicalMin = realField(b, col(8, i), 8, name, "physical minimum of " + sig(i), report);
  }
  base += 8 * ns;
  for (std::size_t i = 0; i < ns; ++i) {
    h.signals[i].physicalMax = realField(b, col(8, i), 8, name, "physical maximum of " + sig(i), report);
  }
  base += 8 * ns;
  const std::int64_t digitalLimit = bdf ? 8388607 : 32767;
  for (std::size_t i = 0; i < ns; ++i) {
    const auto v = intField(b, col(8, i), 8, name, "digital minimum of " + sig(i));
    if (v < -digitalLimit - 1 || v > digitalLimit) {
      fail(name, "digital minimum of " + sig(i), std::to_string(v) + " is outside the " +
                                                     std::string(bdf ? "24" : "16") + "-bit range");
    }
    h.signals[i].digitalMin = static_cast<std::int32_t>(v);
  }
  base += 8 * ns;
  for (std::size_t i = 0; i < ns; ++i) {
    const auto v = intField(b, col(8, i), 8, name, "digital maximum of " + sig(i));
    if (v < -digitalLimit - 1 || v > digitalLimit) {
      fail(name, "digital maximum of " + sig(i), std::to_string(v) + " is outside the " +
                                                     std::string(bdf ? "24" : "16") + "-bit range");
    }
    h.signals[i].digitalMax = static_cast<std::int32_t>(v);
  }
  base += 8 * ns;
  for (std::size_t i = 0; i < ns; ++i) {
    h.signals[i].prefilter = textField(b, col(80, i), 80, "prefilter of signal " + std::to_string(i + 1), report);
  }
  base += 80 * ns;
  for (std::size_t i = 0; i < ns; ++i) {
    const auto v = intField(b, col(8, i), 8, name, "samples per data record of " + sig(i));
    if (v <= 0) fail(name, "samples per data record of " + sig(i), std::to_string(v) + " (must be positive)");
    if (v > kMaxSamplesPerRecord) {
      fail(name, "samples per data record of " + sig(i),
           std::to_string(v) + " exceeds the supported maximum " + std::to_string(kMaxSamplesPerRecord));
    }
    h.signals[i].samplesPerRecord = static_cast<std::int32_t>(v);
  }

  // Annotation signals and derived values.
  const std::string annotationLabel = bdf ? "BDF Annotations" : "EDF Annotations";
  std::size_t annotationSignals = 0;
  std::size_t dataSignals = 0;
  std::uint64_t offset = 0;
  for (std::size_t i = 0; i < ns; ++i) {
    EdfSignal& s = h.signals[i];
    s.isAnnotation = isPlus(h.flavor) && s.label == annotationLabel;
    s.byteOffsetInRecord = offset;
    offset += static_cast<std::uint64_t>(s.samplesPerRecord) * static_cast<std::uint64_t>(h.bytesPerSample);
    if (s.isAnnotation) {
      ++annotationSignals;
      if (!s.prefilter.empty() || !s.transducer.empty() || !s.physicalDimension.empty()) {
        report.repairs.push_back("annotation signal " + std::to_string(i + 1) + " has non-blank transducer/" +
                                 "dimension/prefilter fields ('" + s.prefilter +
                                 "'; EDF+ requires blanks); ignored, they carry no meaning for annotations");
      }
      continue;
    }
    ++dataSignals;
    if (s.digitalMax <= s.digitalMin) {
      fail(name, "digital range of " + sig(i),
           "minimum " + std::to_string(s.digitalMin) + " is not below maximum " + std::to_string(s.digitalMax));
    }
    if (s.physicalMax == s.physicalMin) {
      fail(name, "physical range of " + sig(i),
           "minimum equals maximum (" + std::to_string(s.physicalMin) + "); values cannot be scaled");
    }
    s.gain = (s.physicalMax - s.physicalMin) / (static_cast<double>(s.digitalMax) - s.digitalMin);
    s.offset = s.physicalMin - s.gain * s.digitalMin;
  }
  h.recordBytes = offset;
  if (h.recordBytes > kMaxRecordBytes) {
    fail(name, "data record size", std::to_string(h.recordBytes) + " bytes per record exceeds the supported " +
                                       std::to_string(kMaxRecordBytes));
  }
  if (isPlus(h.flavor) && annotationSignals == 0) {
    report.repairs.push_back("header says " + flavorName(h.flavor) + " but has no '" + annotationLabel +
                             "' signal; read as plain " + (bdf ? "BDF" : "EDF"));
    h.flavor = bdf ? EdfFlavor::Bdf : EdfFlavor::Edf;
  }
  // Only EDF+/BDF+ files can lack data signals (every signal of a plain EDF is a data signal).
  h.annotationsOnly = dataSignals == 0;
  if (h.recordDurationSec == 0 && !h.annotationsOnly) {
    fail(name, "data record duration", "0 s, but the file has data signals (sample rate undefined)");
  }

  // Record count against the file size.
  const std::uint64_t dataBytes = fileSize - h.headerBytes;
  const std::uint64_t completeRecords = dataBytes / h.recordBytes;
  const std::uint64_t partialBytes = dataBytes % h.recordBytes;
  if (h.declaredRecordCount == -1) {
    report.repairs.push_back("number of data records is -1 (unknown, recording not closed properly); counted " +
                             std::to_string(completeRecords) + " complete records from the file size");
    h.recordCount = static_cast<std::int64_t>(completeRecords);
    if (partialBytes) {
      report.repairs.push_back(std::to_string(partialBytes) + " bytes of a partial last data record ignored");
    }
  } else if (h.declaredRecordCount < 0) {
    fail(name, "number of data records", std::to_string(h.declaredRecordCount) + " (negative)");
  } else {
    const auto declared = static_cast<std::uint64_t>(h.declaredRecordCount);
    if (completeRecords < declared) {
      report.repairs.push_back("the file is truncated: it holds " + std::to_string(completeRecords) + " of the " +
                               std::to_string(declared) + " declared data records" +
                               (partialBytes ? " (plus " + std::to_string(partialBytes) + " bytes of a partial one)"
                                             : std::string()) +
                               "; only the complete records are read");
      h.recordCount = static_cast<std::int64_t>(completeRecords);
    } else if (h.annotationsOnly && declared == 0 && completeRecords > 0) {
      // Annotation files written before their record count was filled in: the records are there, read them.
      report.repairs.push_back("the annotation-only file declares 0 data records but holds " +
                               std::to_string(completeRecords) + "; all of them are read");
      h.recordCount = static_cast<std::int64_t>(completeRecords);
    } else {
      h.recordCount = h.declaredRecordCount;
      const std::uint64_t extra = dataBytes - declared * h.recordBytes;
      if (extra > 0) {
        report.repairs.push_back("the file holds " + std::to_string(extra) + " bytes after the " +
                                 std::to_string(declared) + " declared data records (" +
                                 std::to_string(extra / h.recordBytes) + " whole records and " +
                                 std::to_string(extra % h.recordBytes) +
                                 " bytes); ignored, the header's record count is trusted");
      }
    }
  }
  if (h.recordCount == 0 && !h.annotationsOnly) {
    fail(name, "data records", "the file contains no complete data record (" + std::to_string(dataBytes) +
                                   " data bytes, one record needs " + std::to_string(h.recordBytes) + ")");
  }
  return h;
}

}  // namespace neurolm
