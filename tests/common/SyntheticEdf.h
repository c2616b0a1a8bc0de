#pragma once
// Writes synthetic EDF/EDF+/BDF files with EDFlib (an independent writer) for tests and benchmarks.
#include <edflib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace neurolm::test {

struct SyntheticSpec {
  int channels = 4;
  int sampleRateHz = 256;
  int seconds = 10;
  bool edfPlus = false;
  bool bdf = false;
  double physicalMaxUv = 3276.7;  // digital +-32767 -> +-3276.7 uV: 0.1 uV per step
  std::vector<std::pair<double, std::string>> annotations;  // onset s, text (EDF+ only)
  std::vector<std::string> labels;                           // default "Ch1".. if empty
  // Value in uV of channel c at sample i (default: sine of 10 Hz, amplitude 100 uV * (c+1)).
  std::function<double(int c, std::int64_t i)> value;
};

// Plain EDF/BDF (EDFlib writes only EDF+/BDF+): header and records written here, following the EDF spec.
inline void writePlainEdf(const std::filesystem::path& path, const SyntheticSpec& spec) {
  const int ns = spec.channels;
  const int bps = spec.bdf ? 3 : 2;
  const int digMax = spec.bdf ? 8388607 : 32767;
  auto field = [](std::string v, std::size_t w) {
    v.resize(w, ' ');
    return v;
  };
  auto num = [&](double v, std::size_t w) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return field(buf, w);
  };
  std::string h;
  h += spec.bdf ? std::string("\xff") + "BIOSEMI" : field("0", 8);
  h += field("X X X X", 80) + field("Startdate X X X X", 80) + "01.02.03" + "04.05.06";
  h += num(256.0 * (ns + 1), 8) + field(spec.bdf ? "24BIT" : "", 44) + num(spec.seconds, 8) + field("1", 8) +
       num(ns, 4);
  for (int c = 0; c < ns; ++c) {
    h += field(c < static_cast<int>(spec.labels.size()) ? spec.labels[c] : "Ch" + std::to_string(c + 1), 16);
  }
  for (int c = 0; c < ns; ++c) h += field("AgAgCl electrode", 80);
  for (int c = 0; c < ns; ++c) h += field("uV", 8);
  for (int c = 0; c < ns; ++c) h += num(-spec.physicalMaxUv, 8);
  for (int c = 0; c < ns; ++c) h += num(spec.physicalMaxUv, 8);
  for (int c = 0; c < ns; ++c) h += num(-digMax, 8);
  for (int c = 0; c < ns; ++c) h += num(digMax, 8);
  for (int c = 0; c < ns; ++c) h += field("HP:0.1Hz LP:75Hz", 80);
  for (int c = 0; c < ns; ++c) h += num(spec.sampleRateHz, 8);
  for (int c = 0; c < ns; ++c) h += field("", 32);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(h.data(), static_cast<std::streamsize>(h.size()));
  const double step = spec.physicalMaxUv / digMax;
  auto value = spec.value ? spec.value : [](int c, std::int64_t i) {
    return 100.0 * (c + 1) * std::sin(2 * M_PI * 10.0 * static_cast<double>(i) / 256.0);
  };
  std::vector<char> rec(static_cast<std::size_t>(ns * spec.sampleRateHz * bps));
  for (int s = 0; s < spec.seconds; ++s) {
    std::size_t w = 0;
    for (int c = 0; c < ns; ++c) {
      for (int k = 0; k < spec.sampleRateHz; ++k) {
        const double v = value(c, static_cast<std::int64_t>(s) * spec.sampleRateHz + k);
        const auto d = static_cast<std::int32_t>(std::lround(std::clamp(v / step, -1.0 * digMax, 1.0 * digMax)));
        for (int b = 0; b < bps; ++b) rec[w++] = static_cast<char>((d >> (8 * b)) & 0xFF);
      }
    }
    out.write(rec.data(), static_cast<std::streamsize>(rec.size()));
  }
}

inline void writeSyntheticEdf(const std::filesystem::path& path, const SyntheticSpec& spec) {
  if (!spec.edfPlus) {
    writePlainEdf(path, spec);
    return;
  }
  const int type = spec.bdf ? (spec.edfPlus ? EDFLIB_FILETYPE_BDFPLUS : EDFLIB_FILETYPE_BDF)
                            : (spec.edfPlus ? EDFLIB_FILETYPE_EDFPLUS : EDFLIB_FILETYPE_EDF);
  const int h = edfopen_file_writeonly(path.c_str(), type, spec.channels);
  if (h < 0) throw std::runtime_error("EDFlib cannot create " + path.string());
  const int digMax = spec.bdf ? 8388607 : 32767;
  for (int c = 0; c < spec.channels; ++c) {
    edf_set_samplefrequency(h, c, spec.sampleRateHz);
    edf_set_physical_maximum(h, c, spec.physicalMaxUv);
    edf_set_physical_minimum(h, c, -spec.physicalMaxUv);
    edf_set_digital_maximum(h, c, digMax);
    edf_set_digital_minimum(h, c, -digMax);
    const std::string label = c < static_cast<int>(spec.labels.size()) ? spec.labels[c] : "Ch" + std::to_string(c + 1);
    edf_set_label(h, c, label.c_str());
    edf_set_physical_dimension(h, c, "uV");
  }
  const double step = spec.physicalMaxUv / digMax;
  auto value = spec.value ? spec.value : [](int c, std::int64_t i) {
    return 100.0 * (c + 1) * std::sin(2 * M_PI * 10.0 * static_cast<double>(i) / 256.0);
  };
  std::vector<int> digital(static_cast<std::size_t>(spec.sampleRateHz));
  for (int s = 0; s < spec.seconds; ++s) {
    for (int c = 0; c < spec.channels; ++c) {
      for (int k = 0; k < spec.sampleRateHz; ++k) {
        const double v = value(c, static_cast<std::int64_t>(s) * spec.sampleRateHz + k);
        digital[static_cast<std::size_t>(k)] = static_cast<int>(std::lround(std::clamp(v / step, -1.0 * digMax, 1.0 * digMax)));
      }
      if (edfwrite_digital_samples(h, digital.data()) != 0) throw std::runtime_error("EDFlib write failed");
    }
  }
  for (const auto& [onset, text] : spec.annotations) {
    edfwrite_annotation_utf8(h, static_cast<long long>(std::llround(onset * 1e4)), -1, text.c_str());
  }
  edfclose_file(h);
}

// An EDF+/BDF+ file that holds only an annotation signal (as PhysioNet's Sleep-EDF "*-Hypnogram.edf": EDF+C,
// one 'EDF Annotations' signal, record duration 0, one data record). Written here by hand following the EDF+
// spec (EDFlib cannot write a file without ordinary signals).
struct TalEntry {
  double onsetSec = 0;
  double durationSec = -1;  // < 0: no duration field
  std::string text;         // UTF-8
};

struct AnnotationOnlySpec {
  std::vector<TalEntry> annotations;
  int records = 1;  // TALs are spread over this many data records (each starts with a time-keeping TAL)
  double recordDurationSec = 0;  // 0 as in Sleep-EDF hypnograms
  std::string declaredRecords;   // header field as written; empty = `records`
  bool bdf = false;
  std::string flavor = "EDF+C";  // or "EDF+D"
  std::string startDate = "24.03.89", startTime = "16.13.00";
};

// "+12.5", "-0.25": as EDF+ TALs write seconds (sign, no exponent).
inline std::string talSeconds(double v, bool sign = true) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", std::abs(v));
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return (sign ? std::string(v < 0 ? "-" : "+") : std::string()) + s;
}

inline void writeAnnotationOnlyEdf(const std::filesystem::path& path, const AnnotationOnlySpec& spec) {
  const int records = std::max(1, spec.records);
  std::vector<std::string> tals(static_cast<std::size_t>(records));
  for (int r = 0; r < records; ++r)
    tals[r] = talSeconds(r * spec.recordDurationSec) + "\x14\x14" + std::string(1, '\0');
  for (std::size_t i = 0; i < spec.annotations.size(); ++i) {
    const TalEntry& a = spec.annotations[i];
    std::string tal = talSeconds(a.onsetSec);
    if (a.durationSec >= 0) tal += "\x15" + talSeconds(a.durationSec, false);
    tal += "\x14" + a.text + "\x14" + std::string(1, '\0');
    tals[i % static_cast<std::size_t>(records)] += tal;
  }
  const int bps = spec.bdf ? 3 : 2;
  std::size_t longest = 0;
  for (const auto& t : tals) longest = std::max(longest, t.size());
  const std::size_t samples = (longest + bps - 1) / bps + 1;  // at least one trailing NUL byte
  auto field = [](std::string v, std::size_t w) {
    v.resize(w, ' ');
    return v;
  };
  std::string h;
  h += spec.bdf ? std::string("\xff") + "BIOSEMI" : field("0", 8);
  h += field("X F X Female_33yr", 80) + field("Startdate 24-MAR-1989 X X X", 80) + spec.startDate +
       spec.startTime;
  h += field("512", 8) + field(spec.bdf ? "BDF+" + spec.flavor.substr(4) : spec.flavor, 44);
  h += field(spec.declaredRecords.empty() ? std::to_string(records) : spec.declaredRecords, 8);
  h += field(talSeconds(spec.recordDurationSec, false), 8) + field("1", 4);
  h += field(spec.bdf ? "BDF Annotations" : "EDF Annotations", 16) + field("", 80) + field("", 8);
  h += field("-1", 8) + field("1", 8) + field(spec.bdf ? "-8388608" : "-32768", 8) +
       field(spec.bdf ? "8388607" : "32767", 8) + field("", 80) + field(std::to_string(samples), 8) +
       field("", 32);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(h.data(), static_cast<std::streamsize>(h.size()));
  for (auto t : tals) {
    t.resize(samples * bps, '\0');
    out.write(t.data(), static_cast<std::streamsize>(t.size()));
  }
}

inline std::vector<std::uint8_t> readAllBytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<std::uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void writeAllBytes(const std::filesystem::path& p, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Overwrites a header field (padded with spaces to its width).
inline void patchField(std::vector<std::uint8_t>& bytes, std::size_t offset, std::size_t width, const std::string& v) {
  for (std::size_t i = 0; i < width; ++i) bytes[offset + i] = i < v.size() ? static_cast<std::uint8_t>(v[i]) : ' ';
}

}  // namespace neurolm::test
