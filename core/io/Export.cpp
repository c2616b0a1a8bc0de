#include "core/io/Export.h"

#include <edflib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>

#include "core/io/AtomicFile.h"
#include "core/io/Npy.h"
#include "core/io/Recording.h"

namespace neurolm {
namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One exported channel: its samples [first, first + count) of the source.
struct Span {
  std::size_t channel = 0;
  std::int64_t first = 0;
  std::int64_t count = 0;
  double rateHz = 0;
};

// A temporary file beside the target, removed unless committed (renamed onto the target).
class TempTarget {
 public:
  explicit TempTarget(const fs::path& target) : target_(target) {
    std::random_device rd;
    path_ = target.parent_path() /
            ("." + target.filename().string() + ".part" + std::to_string(rd()) + std::to_string(::getpid()));
  }
  ~TempTarget() {
    if (!committed_) {
      std::error_code ec;
      fs::remove(path_, ec);
    }
  }
  TempTarget(const TempTarget&) = delete;
  TempTarget& operator=(const TempTarget&) = delete;
  const fs::path& path() const { return path_; }
  void commit() {
    std::error_code ec;
    fs::rename(path_, target_, ec);
    if (ec)
      throw ExportError(target_.string() + ": cannot move the written file into place: " + ec.message());
    committed_ = true;
  }

 private:
  fs::path target_, path_;
  bool committed_ = false;
};

void checkCancel(const std::atomic<bool>* cancel, const fs::path& out) {
  if (cancel && cancel->load()) throw ExportError(out.string() + ": export cancelled");
}

void checkTarget(const ExportRequest& request, const fs::path& out) {
  if (out.filename().empty()) throw ExportError("'" + out.string() + "': the output path names no file");
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  std::error_code ec;
  if (!request.sourcePath.empty()) {
    const bool same = fs::exists(out, ec)
                          ? fs::equivalent(out, request.sourcePath, ec)
                          : fs::weakly_canonical(out, ec) == fs::weakly_canonical(request.sourcePath, ec);
    if (same) {
      throw ExportError(out.string() + ": is the source recording; an export never overwrites its source");
    }
  }
  if (!fs::is_directory(dir, ec)) {
    throw ExportError(out.string() + ": the folder " + dir.string() + " does not exist");
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    throw ExportError(out.string() + ": the folder " + dir.string() + " cannot be written (" +
                      std::strerror(errno) + ")");
  }
  if (fs::is_directory(out, ec)) throw ExportError(out.string() + ": is a folder, not a file");
}

std::vector<Span> spansOf(const Recording& rec, const ExportRequest& request) {
  const double duration = rec.durationSec();
  const std::string name = rec.sourceName();
  if (!std::isfinite(request.startSec) || !std::isfinite(request.endSec) || request.startSec < 0 ||
      !(request.endSec > request.startSec) || request.endSec > duration + 1e-9) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "range %g:%g s is not inside the recording (expected 0 <= a < b <= %g)",
                  request.startSec, request.endSec, duration);
    throw ExportError(name + ": " + buf);
  }
  std::vector<std::size_t> channels = request.channels;
  if (channels.empty()) {
    for (std::size_t c = 0; c < rec.channels().size(); ++c) channels.push_back(c);
  }
  if (channels.empty()) throw ExportError(name + ": the recording holds no channels to export");
  std::vector<Span> spans;
  for (std::size_t c : channels) {
    if (c >= rec.channels().size()) {
      throw ExportError(name + ": channel index " + std::to_string(c) +
                        " does not exist (the recording has " + std::to_string(rec.channels().size()) +
                        " channels)");
    }
    const ChannelInfo& info = rec.channels()[c];
    Span s;
    s.channel = c;
    s.rateHz = info.sampleRateHz;
    s.first = std::llround(request.startSec * info.sampleRateHz);
    const std::int64_t last =
        std::min<std::int64_t>(info.sampleCount, std::llround(request.endSec * info.sampleRateHz));
    s.count = last - s.first;
    if (s.count <= 0) {
      throw ExportError(name + ": range " + std::to_string(request.startSec) + ":" +
                        std::to_string(request.endSec) + " s holds no sample of channel '" + info.label +
                        "'");
    }
    spans.push_back(s);
  }
  return spans;
}

void requireOneRate(const Recording& rec, const std::vector<Span>& spans, const fs::path& out) {
  for (const Span& s : spans) {
    if (s.rateHz != spans.front().rateHz || s.count != spans.front().count) {
      throw ExportError(out.string() + ": CSV and .npy need channels of one sample rate, but '" +
                        rec.channels()[spans.front().channel].label + "' has " +
                        std::to_string(spans.front().rateHz) + " Hz and '" + rec.channels()[s.channel].label +
                        "' " + std::to_string(s.rateHz) + " Hz (choose channels with --channels)");
    }
  }
}

// Samples per chunk so that one chunk of all channels is about 4 M values.
std::int64_t chunkSamples(std::size_t channels) {
  return std::max<std::int64_t>(1024,
                                static_cast<std::int64_t>((4u << 20) / std::max<std::size_t>(1, channels)));
}

void appendNumber(std::string& line, double v, int precision) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, precision);
  line.append(buf, r.ptr);
}

ExportResult writeCsv(const Recording& rec, const std::vector<Span>& spans, const fs::path& out,
                      const ExportProgress& progress, const std::atomic<bool>* cancel) {
  requireOneRate(rec, spans, out);
  TempTarget tmp(out);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(tmp.path().c_str(), "wb"), &std::fclose);
  if (!file) throw ExportError(out.string() + ": cannot create: " + std::strerror(errno));
  std::string text = "time_sec";
  for (const Span& s : spans) {
    const ChannelInfo& info = rec.channels()[s.channel];
    std::string label = info.label + " [" + info.unit + "]";
    if (label.find_first_of(",\"\n\r") != std::string::npos) {  // RFC 4180 quoting
      std::string q = "\"";
      for (char c : label) q += c == '"' ? std::string("\"\"") : std::string(1, c);
      label = q + "\"";
    }
    text += "," + label;
  }
  text += "\n";
  const std::int64_t total = spans.front().count;
  const std::int64_t chunk = chunkSamples(spans.size());
  std::vector<std::vector<double>> values(spans.size());
  for (std::int64_t done = 0; done < total; done += chunk) {
    checkCancel(cancel, out);
    const std::int64_t n = std::min(chunk, total - done);
    for (std::size_t k = 0; k < spans.size(); ++k) {
      values[k] = rec.readPhysical(spans[k].channel, spans[k].first + done, n);
    }
    for (std::int64_t i = 0; i < n; ++i) {
      appendNumber(text, static_cast<double>(spans.front().first + done + i) / spans.front().rateHz, 12);
      for (std::size_t k = 0; k < spans.size(); ++k) {
        text += ',';
        appendNumber(text, values[k][static_cast<std::size_t>(i)], 10);
      }
      text += '\n';
    }
    if (std::fwrite(text.data(), 1, text.size(), file.get()) != text.size()) {
      throw ExportError(out.string() + ": write failed: " + std::strerror(errno));
    }
    text.clear();
    if (progress) progress(static_cast<double>(done + n) / static_cast<double>(total));
  }
  if (std::fflush(file.get()) != 0 || ::fsync(::fileno(file.get())) != 0) {
    throw ExportError(out.string() + ": cannot flush: " + std::strerror(errno));
  }
  if (std::fclose(file.release()) != 0)
    throw ExportError(out.string() + ": cannot close: " + std::strerror(errno));
  tmp.commit();
  ExportResult result;
  result.written = out;
  for (const Span& s : spans) result.samples.push_back(s.count);
  return result;
}

ExportResult writeNpyExport(const Recording& rec, const ExportRequest& request,
                            const std::vector<Span>& spans, const fs::path& out,
                            const ExportProgress& progress, const std::atomic<bool>* cancel) {
  requireOneRate(rec, spans, out);
  const auto count = static_cast<std::size_t>(spans.front().count);
  std::vector<float> data(spans.size() * count);
  for (std::size_t k = 0; k < spans.size(); ++k) {  // [channels, samples]
    checkCancel(cancel, out);
    rec.readPhysical(spans[k].channel, spans[k].first, spans[k].count, data.data() + k * count);
    if (progress) progress(0.9 * static_cast<double>(k + 1) / static_cast<double>(spans.size()));
  }
  nlohmann::json meta;
  meta["format"] = "neurolm-export";
  meta["source"] = fs::path(rec.sourceName()).filename().string();
  meta["start_sec"] = request.startSec;
  meta["end_sec"] = request.endSec;
  meta["sample_rate_hz"] = spans.front().rateHz;
  meta["first_sample"] = spans.front().first;
  meta["dtype"] = "float32";
  meta["shape"] = {spans.size(), count};
  meta["channels"] = nlohmann::json::array();
  for (const Span& s : spans) {
    const ChannelInfo& info = rec.channels()[s.channel];
    meta["channels"].push_back({{"label", info.label}, {"unit", info.unit}});
  }
  const fs::path sidecar = fs::path(out.string() + ".json");
  checkCancel(cancel, out);
  try {
    writeNpy(out, makeNpy(data, {spans.size(), count}));
  } catch (const std::exception& e) {
    throw ExportError(e.what());
  }
  try {
    writeFileAtomically(sidecar, meta.dump(2) + "\n");
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove(out, ec);  // no data file without its description
    throw ExportError(e.what());
  }
  if (progress) progress(1.0);
  ExportResult result;
  result.written = out;
  result.sidecar = sidecar;
  for (const Span& s : spans) result.samples.push_back(s.count);
  return result;
}

// The longest data-record duration that holds whole samples of every channel and divides every span.
double recordDurationFor(const Recording& rec, const std::vector<Span>& spans, std::int64_t& records) {
  std::vector<double> candidates;
  const double source = rec.header().recordDurationSec;
  if (source > 0 && source <= 60) candidates.push_back(source);
  for (double d :
       {1.0, 0.5, 0.25, 0.2, 0.125, 0.1, 0.05, 0.04, 0.025, 0.02, 0.01, 0.008, 0.005, 0.004, 0.002, 0.001}) {
    candidates.push_back(d);
  }
  for (double d : candidates) {
    std::int64_t n = -1;
    bool fits = true;
    for (const Span& s : spans) {
      const double perRecord = s.rateHz * d;
      const auto whole = std::llround(perRecord);
      if (whole < 1 || std::abs(perRecord - static_cast<double>(whole)) > 1e-6 || s.count % whole != 0 ||
          (n >= 0 && s.count / whole != n)) {
        fits = false;
        break;
      }
      n = s.count / whole;
    }
    if (fits) {
      records = n;
      return d;
    }
  }
  throw ExportError(
      rec.sourceName() +
      ": the range cannot be cut into EDF data records that hold whole samples of every channel "
      "(choose a range of whole seconds)");
}

ExportResult writeEdf(const Recording& rec, const ExportRequest& request, const std::vector<Span>& spans,
                      const fs::path& out, bool bdf, const ExportProgress& progress,
                      const std::atomic<bool>* cancel) {
  std::int64_t records = 0;
  const double recordSec = recordDurationFor(rec, spans, records);
  const EdfHeader& h = rec.header();
  // Start: the source's date/time plus the range start.
  using namespace std::chrono;
  const sys_days day = year_month_day(year(h.startYear), month(static_cast<unsigned>(h.startMonth)),
                                      std::chrono::day(static_cast<unsigned>(h.startDay)));
  const double startTotal = h.startHour * 3600.0 + h.startMinute * 60.0 + h.startSecond + request.startSec;
  const auto wholeSec = static_cast<long long>(std::floor(startTotal));
  const auto subsecond100ns =
      static_cast<int>(std::llround((startTotal - static_cast<double>(wholeSec)) * 1e4)) * 1000;
  const sys_seconds start = sys_seconds(day) + seconds(wholeSec);
  const year_month_day ymd(floor<days>(start));
  const hh_mm_ss<seconds> hms(start - floor<days>(start));
  if (static_cast<int>(ymd.year()) < 1985 || static_cast<int>(ymd.year()) > 2084) {
    throw ExportError(out.string() + ": EDF+ cannot store the start year " +
                      std::to_string(static_cast<int>(ymd.year())) + " (1985..2084)");
  }

  // Annotations inside the range, shifted to the new start.
  std::vector<Annotation> annotations;
  rec.waitForAnnotations();
  for (const Annotation& a : rec.annotations()) {
    if (a.onsetSec >= request.startSec && a.onsetSec < request.endSec) annotations.push_back(a);
  }

  TempTarget tmp(out);
  const int handle =
      edfopen_file_writeonly(tmp.path().c_str(), bdf ? EDFLIB_FILETYPE_BDFPLUS : EDFLIB_FILETYPE_EDFPLUS,
                             static_cast<int>(spans.size()));
  if (handle < 0) {
    throw ExportError(out.string() + ": EDFlib cannot create the file (error " + std::to_string(handle) +
                      ")");
  }
  struct Closer {
    int handle;
    bool open = true;
    ~Closer() {
      if (open) edfclose_file(handle);
    }
  } closer{handle};
  const auto check = [&out](int rc, const std::string& what) {
    if (rc != 0) throw ExportError(out.string() + ": EDFlib refused " + what);
  };
  check(edf_set_datarecord_duration(handle, static_cast<int>(std::llround(recordSec * 1e5))),
        "the data-record duration");
  check(edf_set_startdatetime(
            handle, static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
            static_cast<int>(static_cast<unsigned>(ymd.day())), static_cast<int>(hms.hours().count()),
            static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count())),
        "the start date/time");
  check(edf_set_subsecond_starttime(handle, subsecond100ns), "the subsecond start time");
  const int annotationSignals = static_cast<int>(std::clamp<std::int64_t>(
      static_cast<std::int64_t>(annotations.size()) / std::max<std::int64_t>(1, records) + 1, 1, 64));
  check(edf_set_number_of_annotation_signals(handle, annotationSignals), "the annotation signal count");
  const int outDigMin = bdf ? -8388608 : -32768, outDigMax = bdf ? 8388607 : 32767;
  // Physical -> output digital per channel. Written as digital values (not through EDFlib's physical
  // conversion) so that a source whose digital range fits is copied exactly: the value read was
  // offset + gain * digital, and inverting that rounds back to the same integer.
  struct Quantiser {
    double offset = 0, gain = 1;
    int digMin = 0, digMax = 0;
  };
  std::vector<Quantiser> quantisers;
  for (std::size_t k = 0; k < spans.size(); ++k) {
    const ChannelInfo& info = rec.channels()[spans[k].channel];
    const EdfSignal& sig = h.signals[info.signalIndex];
    const int c = static_cast<int>(k);
    // Keep the source's digital range where it fits the output (exact copy); otherwise the full output range.
    const bool fits = sig.digitalMin >= outDigMin && sig.digitalMax <= outDigMax;
    Quantiser q;
    q.digMin = fits ? sig.digitalMin : outDigMin;
    q.digMax = fits ? sig.digitalMax : outDigMax;
    q.gain = (sig.physicalMax - sig.physicalMin) / (static_cast<double>(q.digMax) - q.digMin);
    q.offset = sig.physicalMin - q.gain * q.digMin;
    quantisers.push_back(q);
    check(edf_set_samplefrequency(handle, c, static_cast<int>(std::llround(spans[k].rateHz * recordSec))),
          "the samples per record of '" + info.label + "'");
    check(edf_set_physical_maximum(handle, c, sig.physicalMax),
          "the physical maximum of '" + info.label + "'");
    check(edf_set_physical_minimum(handle, c, sig.physicalMin),
          "the physical minimum of '" + info.label + "'");
    check(edf_set_digital_maximum(handle, c, fits ? sig.digitalMax : outDigMax),
          "the digital maximum of '" + info.label + "'");
    check(edf_set_digital_minimum(handle, c, fits ? sig.digitalMin : outDigMin),
          "the digital minimum of '" + info.label + "'");
    check(edf_set_label(handle, c, info.label.c_str()), "the label '" + info.label + "'");
    check(edf_set_physical_dimension(handle, c, info.unit.c_str()), "the unit of '" + info.label + "'");
    check(edf_set_prefilter(handle, c, info.prefilter.c_str()), "the prefilter of '" + info.label + "'");
    check(edf_set_transducer(handle, c, info.transducer.c_str()), "the transducer of '" + info.label + "'");
  }
  char additional[64];
  std::snprintf(additional, sizeof additional, "neurolm export %.3f-%.3f s", request.startSec,
                request.endSec);
  check(edf_set_recording_additional(handle, additional), "the recording field");

  std::vector<std::int64_t> perRecord;
  for (const Span& s : spans) perRecord.push_back(std::llround(s.rateHz * recordSec));
  const std::int64_t chunkRecords =
      std::max<std::int64_t>(1, chunkSamples(spans.size()) / std::max<std::int64_t>(1, perRecord.front()));
  std::vector<std::vector<double>> values(spans.size());
  std::vector<int> digital;
  for (std::int64_t r0 = 0; r0 < records; r0 += chunkRecords) {
    checkCancel(cancel, out);
    const std::int64_t n = std::min(chunkRecords, records - r0);
    for (std::size_t k = 0; k < spans.size(); ++k) {
      values[k] = rec.readPhysical(spans[k].channel, spans[k].first + r0 * perRecord[k], n * perRecord[k]);
    }
    for (std::int64_t r = 0; r < n; ++r) {
      for (std::size_t k = 0; k < spans.size(); ++k) {
        const Quantiser& q = quantisers[k];
        digital.resize(static_cast<std::size_t>(perRecord[k]));
        const double* v = values[k].data() + r * perRecord[k];
        for (std::size_t i = 0; i < digital.size(); ++i) {
          digital[i] = static_cast<int>(
              std::clamp<double>(std::round((v[i] - q.offset) / q.gain), q.digMin, q.digMax));
        }
        if (edfwrite_digital_samples(handle, digital.data()) != 0) {
          throw ExportError(out.string() + ": write failed (disk full?)");
        }
      }
    }
    if (progress) progress(static_cast<double>(r0 + n) / static_cast<double>(records));
  }
  for (const Annotation& a : annotations) {
    const long long onset = std::llround((a.onsetSec - request.startSec) * 1e4);
    const long long duration = a.durationSec > 0 ? std::llround(a.durationSec * 1e4) : -1;
    check(edfwrite_annotation_utf8(handle, onset, duration, a.text.c_str()), "an annotation");
  }
  closer.open = false;
  if (edfclose_file(handle) != 0) throw ExportError(out.string() + ": EDFlib could not finish the file");
  tmp.commit();
  ExportResult result;
  result.written = out;
  result.recordDurationSec = recordSec;
  result.annotations = annotations.size();
  for (const Span& s : spans) result.samples.push_back(s.count);
  return result;
}

}  // namespace

ExportFormat exportFormatFor(const fs::path& out) {
  const std::string ext = lower(out.extension().string());
  if (ext == ".edf") return ExportFormat::EdfPlus;
  if (ext == ".bdf") return ExportFormat::BdfPlus;
  if (ext == ".csv") return ExportFormat::Csv;
  if (ext == ".npy") return ExportFormat::Npy;
  throw ExportError(out.string() + ": unknown export format '" + out.extension().string() +
                    "' (expected .edf, .bdf, .csv or .npy)");
}

ExportResult exportRange(const Recording& recording, const ExportRequest& request, const fs::path& out,
                         const ExportProgress& progress, const std::atomic<bool>* cancel) {
  const ExportFormat format = exportFormatFor(out);
  const std::vector<Span> spans = spansOf(recording, request);
  checkTarget(request, out);
  switch (format) {
    case ExportFormat::Csv:
      return writeCsv(recording, spans, out, progress, cancel);
    case ExportFormat::Npy:
      return writeNpyExport(recording, request, spans, out, progress, cancel);
    case ExportFormat::EdfPlus:
    case ExportFormat::BdfPlus:
      break;
  }
  return writeEdf(recording, request, spans, out, format == ExportFormat::BdfPlus, progress, cancel);
}

}  // namespace neurolm
