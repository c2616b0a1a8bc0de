#include "core/annotations/AnnotationFiles.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/io/AtomicFile.h"
#include "core/io/Recording.h"

namespace neurolm {
namespace {

constexpr const char* kSidecarFormat = "neurolm-annotations";
constexpr int kSidecarVersion = 1;

// Shortest decimal that reads back to the same double, never in exponent notation (EDF+ TALs forbid it).
std::string fixedNumber(double v) {
  char buf[512];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  if (ec != std::errc()) return std::to_string(v);
  return std::string(buf, end);
}

std::optional<double> parseNumber(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  std::size_t start = s.find_first_not_of(" \t");
  if (start == std::string::npos) return std::nullopt;
  if (s[start] == '+') ++start;
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data() + start, s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string readWholeFile(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) throw AnnotationFileError(file.string() + ": file not found");
  if (!std::filesystem::is_regular_file(file, ec))
    throw AnnotationFileError(file.string() + ": not a regular file");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw AnnotationFileError(file.string() + ": cannot be read");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Days since 1970-01-01 of a civil date (proleptic Gregorian; H. Hinnant's algorithm).
long long daysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const long long yoe = y - era * 400;
  const long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

long long epochSeconds(const EdfStartTime& t) {
  return daysFromCivil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}

// An EDF header text field: printable ASCII, padded with spaces to `width`.
std::string asciiField(const std::string& v, std::size_t width) {
  std::string out;
  for (unsigned char c : v) {
    if (out.size() == width) break;
    out += (c >= 32 && c <= 126) ? static_cast<char>(c) : '_';
  }
  out.resize(width, ' ');
  return out;
}

std::string twoDigits(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

// TAL text: UTF-8 as written; bytes below 0x20 (NUL, 0x14, 0x15 end a TAL or a field) become spaces.
std::string talText(const std::string& text) {
  std::string out = text;
  for (auto& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return out;
}

std::string csvField(const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

struct CsvRow {
  std::vector<std::string> fields;
  int line = 0;  // line number where the row starts (1-based)
};

// RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF line ends; a UTF-8 BOM
// is skipped.
std::vector<CsvRow> parseCsvRows(const std::string& s, const std::string& name) {
  std::vector<CsvRow> rows;
  std::size_t i = s.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  int line = 1;
  CsvRow row{{}, line};
  std::string field;
  bool quoted = false, fieldStarted = false, rowHasContent = false;
  auto endField = [&]() {
    row.fields.push_back(std::move(field));
    field.clear();
    fieldStarted = false;
  };
  auto endRow = [&]() {
    endField();
    if (rowHasContent || row.fields.size() > 1 || !row.fields[0].empty()) rows.push_back(std::move(row));
    row = CsvRow{{}, line};
    rowHasContent = false;
  };
  while (i < s.size()) {
    const char c = s[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < s.size() && s[i + 1] == '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        ++i;
        if (i < s.size() && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
          throw AnnotationFileError(name + ": line " + std::to_string(line) +
                                    ": unexpected character after a closing quote");
        }
        continue;
      }
      if (c == '\n') ++line;
      field += c;
      ++i;
      continue;
    }
    if (c == '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
      rowHasContent = true;
      ++i;
    } else if (c == ',') {
      endField();
      rowHasContent = true;
      ++i;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      ++i;
      ++line;
      endRow();
    } else {
      field += c;
      fieldStarted = true;
      rowHasContent = true;
      ++i;
    }
  }
  if (quoted)
    throw AnnotationFileError(name + ": line " + std::to_string(row.line) + ": unterminated quoted field");
  if (rowHasContent || !field.empty()) endRow();
  return rows;
}

}  // namespace

std::filesystem::path annotationSidecarPath(const std::filesystem::path& recording) {
  std::filesystem::path p = recording;
  p += ".annotations.json";
  return p;
}

std::vector<AnnotationEntry> annotationsFromRecording(const Recording& recording) {
  std::vector<AnnotationEntry> out;
  for (const Annotation& a : recording.annotations()) {
    AnnotationEntry e;
    e.onsetSec = a.onsetSec;
    e.durationSec = std::max(0.0, a.durationSec);
    e.text = a.text;
    e.channel = a.channel;
    e.source = AnnotationSource::File;
    if (e.text.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(std::move(e));
  }
  return out;
}

std::string sidecarJson(const std::vector<AnnotationEntry>& entries, const std::string& recordingName) {
  nlohmann::ordered_json j;
  j["format"] = kSidecarFormat;
  j["version"] = kSidecarVersion;
  j["recording"] = recordingName;
  j["annotations"] = nlohmann::ordered_json::array();
  for (const auto& e : entries) {
    nlohmann::ordered_json a;
    a["onset_sec"] = e.onsetSec;
    a["duration_sec"] = e.durationSec;
    a["text"] = e.text;
    if (!e.channel.empty()) a["channel"] = e.channel;
    a["source"] = std::string(annotationSourceName(e.source));
    j["annotations"].push_back(std::move(a));
  }
  // Texts read from old files may not be valid UTF-8: replaced by U+FFFD rather than failing the save.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void saveSidecar(const std::filesystem::path& sidecar, const std::vector<AnnotationEntry>& entries,
                 const std::string& recordingName) {
  writeFileAtomically(sidecar, sidecarJson(entries, recordingName));
}

std::vector<AnnotationEntry> loadSidecar(const std::filesystem::path& sidecar) {
  const std::string name = sidecar.string();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(readWholeFile(sidecar));
  } catch (const nlohmann::json::parse_error& e) {
    throw AnnotationFileError(name + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object() || j.value("format", std::string()) != kSidecarFormat) {
    throw AnnotationFileError(name + ": not a NeuroLM annotation file (\"format\" is not \"" +
                              kSidecarFormat + "\")");
  }
  if (!j.contains("version") || !j["version"].is_number_integer() ||
      j["version"].get<int>() != kSidecarVersion) {
    throw AnnotationFileError(name + ": version " +
                              (j.contains("version") ? j["version"].dump() : "missing") +
                              " is not supported (expected " + std::to_string(kSidecarVersion) + ")");
  }
  if (!j.contains("annotations") || !j["annotations"].is_array()) {
    throw AnnotationFileError(name + ": \"annotations\" is missing or not a list");
  }
  std::vector<AnnotationEntry> out;
  std::size_t index = 0;
  for (const auto& a : j["annotations"]) {
    const std::string where = name + ": annotation " + std::to_string(index++) + ": ";
    if (!a.is_object()) throw AnnotationFileError(where + "not an object");
    AnnotationEntry e;
    if (!a.contains("onset_sec") || !a["onset_sec"].is_number()) {
      throw AnnotationFileError(where + "\"onset_sec\" is missing or not a number");
    }
    e.onsetSec = a["onset_sec"].get<double>();
    if (a.contains("duration_sec")) {
      if (!a["duration_sec"].is_number() || a["duration_sec"].get<double>() < 0) {
        throw AnnotationFileError(where + "\"duration_sec\" " + a["duration_sec"].dump() +
                                  " is not a number >= 0");
      }
      e.durationSec = a["duration_sec"].get<double>();
    }
    if (!a.contains("text") || !a["text"].is_string() ||
        a["text"].get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos) {
      throw AnnotationFileError(where + "\"text\" is missing, empty or not a string");
    }
    e.text = a["text"].get<std::string>();
    if (a.contains("channel")) {
      if (!a["channel"].is_string()) throw AnnotationFileError(where + "\"channel\" is not a string");
      e.channel = a["channel"].get<std::string>();
    }
    if (a.contains("source")) {
      const auto source =
          a["source"].is_string() ? parseAnnotationSource(a["source"].get<std::string>()) : std::nullopt;
      if (!source) {
        throw AnnotationFileError(where + "\"source\" " + a["source"].dump() +
                                  " is not one of \"file\", \"user\", \"imported\"");
      }
      e.source = *source;
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::string annotationsToCsv(const std::vector<AnnotationEntry>& entries) {
  std::string out = "onset_sec,duration_sec,text,channel,source\r\n";
  for (const auto& e : entries) {
    out += fixedNumber(e.onsetSec) + "," + fixedNumber(e.durationSec) + "," + csvField(e.text) + "," +
           csvField(e.channel) + "," + std::string(annotationSourceName(e.source)) + "\r\n";
  }
  return out;
}

void exportCsv(const std::filesystem::path& file, const std::vector<AnnotationEntry>& entries) {
  writeFileAtomically(file, annotationsToCsv(entries));
}

std::vector<AnnotationEntry> parseAnnotationCsv(const std::string& contents, const std::string& name) {
  const auto rows = parseCsvRows(contents, name);
  if (rows.empty())
    throw AnnotationFileError(name + ": empty (expected a header row: onset_sec,duration_sec,text,...)");
  int onsetCol = -1, durationCol = -1, textCol = -1, channelCol = -1;
  for (std::size_t c = 0; c < rows[0].fields.size(); ++c) {
    std::string h = rows[0].fields[c];
    h.erase(0, h.find_first_not_of(" \t"));
    h.erase(h.find_last_not_of(" \t") + 1);
    const int col = static_cast<int>(c);
    if (h == "onset_sec")
      onsetCol = col;
    else if (h == "duration_sec")
      durationCol = col;
    else if (h == "text")
      textCol = col;
    else if (h == "channel")
      channelCol = col;
  }
  if (onsetCol < 0 || textCol < 0) {
    throw AnnotationFileError(name + ": line 1: the header needs the columns onset_sec and text (found '" +
                              [&] {
                                std::string all;
                                for (const auto& f : rows[0].fields) all += (all.empty() ? "" : ",") + f;
                                return all;
                              }() +
                              "')");
  }
  std::vector<AnnotationEntry> out;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    const std::string where = name + ": line " + std::to_string(row.line) + ": ";
    const auto cell = [&](int col) {
      return col >= 0 && col < static_cast<int>(row.fields.size()) ? row.fields[col] : std::string();
    };
    AnnotationEntry e;
    const auto onset = parseNumber(cell(onsetCol));
    if (!onset) throw AnnotationFileError(where + "onset_sec '" + cell(onsetCol) + "' is not a number");
    e.onsetSec = *onset;
    const std::string duration = cell(durationCol);
    if (duration.find_first_not_of(" \t") != std::string::npos) {
      const auto d = parseNumber(duration);
      if (!d || *d < 0)
        throw AnnotationFileError(where + "duration_sec '" + duration + "' is not a number >= 0");
      e.durationSec = *d;
    }
    e.text = cell(textCol);
    if (e.text.find_first_not_of(" \t\r\n") == std::string::npos)
      throw AnnotationFileError(where + "text is empty");
    e.channel = cell(channelCol);
    e.source = AnnotationSource::Imported;
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<AnnotationEntry> importCsv(const std::filesystem::path& file) {
  return parseAnnotationCsv(readWholeFile(file), file.string());
}

EdfStartTime startTimeOf(const EdfHeader& h) {
  return {h.startYear, h.startMonth, h.startDay, h.startHour, h.startMinute, h.startSecond};
}

std::vector<std::uint8_t> annotationsToEdfPlus(const std::vector<AnnotationEntry>& entries,
                                               const EdfPlusExportInfo& info) {
  // One data record: the time-keeping TAL "+0" (the record starts at the header's start time), then one TAL
  // per annotation: +onset[\x15duration]\x14text\x14\0.
  std::string tals = std::string("+0\x14\x14", 4) + '\0';
  for (const auto& e : entries) {
    tals += (e.onsetSec < 0 ? "-" : "+") + fixedNumber(std::abs(e.onsetSec));
    if (e.durationSec > 0) tals += "\x15" + fixedNumber(e.durationSec);
    tals += "\x14" + talText(e.text) + "\x14";
    tals += '\0';
  }
  const std::size_t samples = (tals.size() + 1) / 2;  // 2 bytes per EDF sample
  if (samples > 99'999'999) throw std::length_error("too many annotations for one EDF+ data record");
  tals.resize(samples * 2, '\0');

  const EdfStartTime& t = info.start;
  const int year = std::clamp(t.year, 1985, 2084);  // EDF's two-digit year covers 1985..2084
  std::string h;
  h += asciiField("0", 8) + asciiField(info.patient, 80) + asciiField(info.recording, 80);
  h += twoDigits(t.day) + "." + twoDigits(t.month) + "." + twoDigits(year % 100);
  h += twoDigits(t.hour) + "." + twoDigits(t.minute) + "." + twoDigits(t.second);
  h += asciiField("512", 8) + asciiField("EDF+C", 44) + asciiField("1", 8) + asciiField("0", 8) +
       asciiField("1", 4);
  h += asciiField("EDF Annotations", 16) + asciiField("", 80) + asciiField("", 8);
  h += asciiField("-1", 8) + asciiField("1", 8) + asciiField("-32768", 8) + asciiField("32767", 8);
  h += asciiField("", 80) + asciiField(std::to_string(samples), 8) + asciiField("", 32);
  std::vector<std::uint8_t> out(h.begin(), h.end());
  out.insert(out.end(), tals.begin(), tals.end());
  return out;
}

void exportEdfPlus(const std::filesystem::path& file, const std::vector<AnnotationEntry>& entries,
                   const EdfPlusExportInfo& info) {
  const auto bytes = annotationsToEdfPlus(entries, info);
  writeFileAtomically(file, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::vector<AnnotationEntry> importEdfPlusAnnotations(const std::filesystem::path& file,
                                                      const EdfStartTime& target, std::string* note) {
  OpenOptions options;
  options.backgroundAnnotations = false;
  options.buildPyramid = false;
  options.consultEdflib = false;
  const auto rec = Recording::open(file, options);
  if (!isPlus(rec->header().flavor)) {
    throw AnnotationFileError(file.string() + ": a plain " + flavorName(rec->header().flavor) +
                              " file has no annotation signal (EDF+/BDF+ needed)");
  }
  const long long shift = epochSeconds(startTimeOf(rec->header())) - epochSeconds(target);
  std::vector<AnnotationEntry> out = annotationsFromRecording(*rec);
  for (auto& e : out) {
    e.onsetSec += static_cast<double>(shift);
    e.source = AnnotationSource::Imported;
  }
  if (note) {
    *note = std::to_string(out.size()) + " annotations from " + file.filename().string();
    if (shift != 0) {
      *note += "; onsets shifted by " + std::string(shift > 0 ? "+" : "") + std::to_string(shift) +
               " s (difference of the two files' start times)";
    }
  }
  return out;
}

}  // namespace neurolm
