#include "core/io/Recording.h"

#include <edflib.h>

#include "core/io/CrlfRepair.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>

namespace neurolm {
namespace {

// EDFlib keeps global state in its open/close functions: serialise every call into it.
std::mutex& edflibMutex() {
  static std::mutex m;
  return m;
}

std::string edflibErrorText(int code) {
  switch (code) {
    case EDFLIB_MALLOC_ERROR: return "out of memory";
    case EDFLIB_NO_SUCH_FILE_OR_DIRECTORY: return "no such file or directory";
    case EDFLIB_FILE_CONTAINS_FORMAT_ERRORS: return "the file contains format errors";
    case EDFLIB_MAXFILES_REACHED: return "too many files open";
    case EDFLIB_FILE_READ_ERROR: return "read error";
    case EDFLIB_FILE_ALREADY_OPENED: return "file already opened";
    case EDFLIB_FILETYPE_ERROR: return "not an EDF/BDF file";
    case EDFLIB_NUMBER_OF_SIGNALS_INVALID: return "invalid number of signals";
    case EDFLIB_FILE_IS_DISCONTINUOUS: return "EDF+D/BDF+D (discontinuous) files are not supported by EDFlib";
    default: return "error code " + std::to_string(code);
  }
}

// Asks EDFlib (strict EDF/EDF+/BDF/BDF+ reader) for its verdict on the file.
std::string edflibVerdict(const std::filesystem::path& path, bool& accepted) {
  std::lock_guard lock(edflibMutex());
  edf_hdr_struct hdr{};
  const int rc = edfopen_file_readonly(path.c_str(), &hdr, EDFLIB_DO_NOT_READ_ANNOTATIONS);
  const std::string version = "EDFlib " + std::to_string(edflib_version() / 100) + "." +
                              std::to_string(edflib_version() % 100);
  if (rc == 0) {
    edfclose_file(hdr.handle);
    accepted = true;
    return version + " accepted the file";
  }
  accepted = false;
  return version + " refused the file: " + edflibErrorText(hdr.filetype);
}

// The record's time-keeping TAL (first TAL of the first annotation signal), if it parses.
std::optional<double> timeKeepingOnset(const ByteSource& source, const EdfHeader& h, std::int64_t record) {
  for (const EdfSignal& s : h.signals) {
    if (!s.isAnnotation) continue;
    std::vector<std::uint8_t> buf(static_cast<std::size_t>(s.samplesPerRecord) * h.bytesPerSample);
    const std::uint64_t at = h.headerBytes + static_cast<std::uint64_t>(record) * h.recordBytes + s.byteOffsetInRecord;
    if (at + buf.size() > source.size()) return std::nullopt;
    source.readAt(at, buf.size(), buf.data());
    return parseTalSignal(buf.data(), buf.size(), true).recordOnsetSec;
  }
  return std::nullopt;
}

// True when the EDF+ time-keeping annotations sit where the header's record layout says they must.
bool timeKeepingConsistent(const ByteSource& source, const EdfHeader& h) {
  if (!isPlus(h.flavor) || h.recordCount == 0) return true;
  const auto first = timeKeepingOnset(source, h, 0);
  const auto last = timeKeepingOnset(source, h, h.recordCount - 1);
  if (!first || !last) return false;
  // Annotation-only files may declare records of 0 s: their time-keeping TALs need only be in order.
  if (isDiscontinuous(h.flavor) || h.recordDurationSec == 0) return *last >= *first;
  const double expected = *first + static_cast<double>(h.recordCount - 1) * h.recordDurationSec;
  return std::abs(*last - expected) < 1e-3;
}

// Min/max of `n` little-endian 16-bit samples, folded into mn/mx (a 16-bit loop the compiler vectorises).
void foldMinMax16(const std::uint8_t* p, std::int64_t n, std::int32_t& mn, std::int32_t& mx) {
  std::int16_t lo = std::numeric_limits<std::int16_t>::max();
  std::int16_t hi = std::numeric_limits<std::int16_t>::min();
  for (std::int64_t k = 0; k < n; ++k) {
    std::int16_t d;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&d, p + 2 * k, 2);
    } else {
      d = static_cast<std::int16_t>(static_cast<std::uint16_t>(p[2 * k] | (p[2 * k + 1] << 8)));
    }
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  if (n > 0) {
    mn = std::min<std::int32_t>(mn, lo);
    mx = std::max<std::int32_t>(mx, hi);
  }
}

}  // namespace

double microvoltFactor(const std::string& unit) {
  if (unit == "uV" || unit == "\xC2\xB5V" || unit == "\xCE\xBCV" || unit == "microV" || unit == "UV") return 1.0;
  if (unit == "mV") return 1e3;
  if (unit == "V") return 1e6;
  if (unit == "nV") return 1e-3;
  return 0.0;
}

std::shared_ptr<Recording> Recording::open(const std::filesystem::path& path, const OpenOptions& options) {
  auto source = std::make_unique<FileByteSource>(path);
  std::shared_ptr<Recording> rec(new Recording());
  if (options.consultEdflib) {
    bool accepted = false;
    rec->report_.strictReaderVerdict = edflibVerdict(path, accepted);
  }
  rec->init(std::move(source), options);
  return rec;
}

std::shared_ptr<Recording> Recording::open(std::unique_ptr<ByteSource> source, const OpenOptions& options) {
  std::shared_ptr<Recording> rec(new Recording());
  rec->report_.strictReaderVerdict = "not consulted (in-memory source)";
  rec->init(std::move(source), options);
  return rec;
}

void Recording::init(std::unique_ptr<ByteSource> source, const OpenOptions& options) {
  options_ = options;
  source_ = std::move(source);
  name_ = source_->name();
  const std::uint64_t fileSize = source_->size();
  std::vector<std::uint8_t> fixed(static_cast<std::size_t>(std::min<std::uint64_t>(fileSize, 256)));
  if (!fixed.empty()) source_->readAt(0, fixed.size(), fixed.data());
  const std::uint64_t headerSize = edfHeaderSizeFromFixedPart(fixed.data(), fixed.size(), fileSize, name_);
  std::vector<std::uint8_t> headerBytes(static_cast<std::size_t>(std::min(headerSize, fileSize)));
  source_->readAt(0, headerBytes.size(), headerBytes.data());
  RepairReport firstLook = report_;
  header_ = parseEdfHeader(headerBytes.data(), headerBytes.size(), fileSize, name_, firstLook);

  // A binary file copied in text mode has CR inserted before every LF: the data no longer fits the header.
  const std::uint64_t declaredBytes =
      header_.declaredRecordCount > 0 ? static_cast<std::uint64_t>(header_.declaredRecordCount) * header_.recordBytes : 0;
  const bool sizeMismatch = header_.declaredRecordCount > 0 && fileSize - header_.headerBytes != declaredBytes;
  bool repairedCrlf = false;
  if (sizeMismatch || !timeKeepingConsistent(*source_, header_)) {
    CrlfScan scan = scanCrlf(*source_, header_.headerBytes);
    if (scan.crlfPairs > 0 && scan.loneLineFeeds == 0) {
      const std::uint64_t pairs = scan.crlfPairs;
      auto collapsed = std::make_unique<CrlfCollapsedSource>(std::move(source_), std::move(scan.pairPhysicalOffsets));
      RepairReport trial;
      trial.strictReaderVerdict = report_.strictReaderVerdict;
      EdfHeader repaired = parseEdfHeader(headerBytes.data(), headerBytes.size(), collapsed->size(), name_, trial);
      const bool sizeNowExact = collapsed->size() - repaired.headerBytes == declaredBytes;
      const bool talsNowConsistent = isPlus(repaired.flavor) && timeKeepingConsistent(*collapsed, repaired);
      if (sizeNowExact || talsNowConsistent) {
        trial.repairs.insert(
            trial.repairs.begin(),
            "the file was damaged by a text-mode copy: a carriage return (0x0D) was inserted before each of the " +
                std::to_string(pairs) + " line feeds (0x0A) in the data; the inserted bytes are skipped in memory (" +
                (talsNowConsistent ? std::string("verified: every data record's time-keeping annotation is then at "
                                                 "its place")
                                   : std::string("verified: the data then has exactly the declared size")) +
                ")");
        report_ = std::move(trial);
        header_ = std::move(repaired);
        source_ = std::move(collapsed);
        repairedCrlf = true;
      } else {
        source_ = collapsed->release();
      }
    }
  }
  if (!repairedCrlf) {
    report_ = std::move(firstLook);
    if (isPlus(header_.flavor) && !timeKeepingConsistent(*source_, header_)) {
      report_.repairs.push_back("the time-keeping annotations do not match the data-record layout; record onsets "
                                "are assumed to follow the header's record duration");
    }
  }
  if (report_.strictReaderVerdict.find("refused") != std::string::npos && report_.repairs.empty() &&
      !isDiscontinuous(header_.flavor)) {
    report_.repairs.push_back("EDFlib refused the file, but NeuroLM's parser found no deviation from the "
                              "EDF/BDF specification that changes the data; opened as written");
  }
  if (isDiscontinuous(header_.flavor) && !header_.annotationsOnly) {
    report_.repairs.push_back(
        flavorName(header_.flavor) +
        ": samples are shown back to back; record onsets are taken from the time-keeping "
        "annotations; the gaps between records are listed apart from the annotations");
  }

  for (std::size_t i = 0; i < header_.signals.size(); ++i) {
    const EdfSignal& s = header_.signals[i];
    if (s.isAnnotation) continue;
    ChannelInfo c;
    c.label = s.label;
    c.unit = s.physicalDimension;
    c.sampleRateHz = header_.sampleRateHz(i);
    c.physicalMin = s.physicalMin;
    c.physicalMax = s.physicalMax;
    c.prefilter = s.prefilter;
    c.transducer = s.transducer;
    c.sampleCount = header_.recordCount * s.samplesPerRecord;
    c.toMicrovolts = microvoltFactor(s.physicalDimension);
    c.signalIndex = i;
    channels_.push_back(std::move(c));
  }

  // Cache: at least four records, otherwise the byte budget.
  const std::size_t slots =
      std::max<std::size_t>(4, options_.cacheBytes / std::max<std::uint64_t>(1, header_.recordBytes));
  cacheSlots_.resize(std::min<std::size_t>(slots, static_cast<std::size_t>(header_.recordCount)));
  slotUse_.assign(cacheSlots_.size(), 0);
  slotRecord_.assign(cacheSlots_.size(), -1);
  cacheIndex_.assign(static_cast<std::size_t>(header_.recordCount), -1);

  const bool hasAnnotations = isPlus(header_.flavor);
  if (!hasAnnotations) {
    annotationsDone_ = true;
  } else if (options_.backgroundAnnotations && !isDiscontinuous(header_.flavor)) {
    annotationThread_ = std::jthread([this](std::stop_token st) { indexAnnotations(st); });
  } else {
    indexAnnotations(std::stop_token{});  // EDF+D needs the record onsets before anything is shown
  }

  if (options_.buildPyramid && !channels_.empty()) {
    // The pyramid's memory (~50 MB for 24 h x 64 ch) is allocated on the worker too: zero-filling it here
    // cost ~10 ms of every open.
    pyramidThread_ = std::jthread([this](std::stop_token st) {
      buildPyramid(st);
      // Done either way (complete, cancelled or the file became unreadable): waiters never hang.
      std::lock_guard lock(pyramidMutex_);
      pyramidDone_.store(true, std::memory_order_release);
      pyramidCv_.notify_all();
    });
  } else {
    pyramidDone_ = true;
  }
}

Recording::~Recording() {
  if (annotationThread_.joinable()) {
    annotationThread_.request_stop();
    annotationThread_.join();
  }
  if (pyramidThread_.joinable()) {
    pyramidThread_.request_stop();
    pyramidThread_.join();
  }
}

int Recording::channelIndex(const std::string& label) const {
  for (std::size_t i = 0; i < channels_.size(); ++i) {
    if (channels_[i].label == label) return static_cast<int>(i);
  }
  return -1;
}

std::shared_ptr<const std::vector<std::uint8_t>> Recording::record(std::int64_t index) const {
  {
    std::lock_guard lock(cacheMutex_);
    const std::int64_t slot = cacheIndex_[static_cast<std::size_t>(index)];
    if (slot >= 0) {
      slotUse_[static_cast<std::size_t>(slot)] = ++useClock_;
      return cacheSlots_[static_cast<std::size_t>(slot)];
    }
  }
  auto data = std::make_shared<std::vector<std::uint8_t>>(static_cast<std::size_t>(header_.recordBytes));
  source_->readAt(header_.headerBytes + static_cast<std::uint64_t>(index) * header_.recordBytes, data->size(),
                  data->data());
  std::lock_guard lock(cacheMutex_);
  const std::int64_t existing = cacheIndex_[static_cast<std::size_t>(index)];
  if (existing >= 0) return cacheSlots_[static_cast<std::size_t>(existing)];
  const auto victim =
      static_cast<std::size_t>(std::min_element(slotUse_.begin(), slotUse_.end()) - slotUse_.begin());
  if (slotRecord_[victim] >= 0) cacheIndex_[static_cast<std::size_t>(slotRecord_[victim])] = -1;
  cacheSlots_[victim] = data;
  slotRecord_[victim] = index;
  slotUse_[victim] = ++useClock_;
  cacheIndex_[static_cast<std::size_t>(index)] = static_cast<std::int64_t>(victim);
  return data;
}

std::int32_t Recording::digitalAt(const std::uint8_t* p) const {
  if (header_.bytesPerSample == 2) {
    return static_cast<std::int16_t>(static_cast<std::uint16_t>(p[0] | (p[1] << 8)));
  }
  std::int32_t v = p[0] | (p[1] << 8) | (p[2] << 16);
  if (v & 0x800000) v |= ~0xFFFFFF;
  return v;
}

template <typename T>
void Recording::readImpl(std::size_t ch, std::int64_t first, std::int64_t count, T* out) const {
  if (ch >= channels_.size()) {
    throw std::out_of_range(name_ + ": channel index " + std::to_string(ch) + " out of range (" +
                            std::to_string(channels_.size()) + " channels)");
  }
  const ChannelInfo& info = channels_[ch];
  if (first < 0 || count < 0 || first > info.sampleCount || count > info.sampleCount - first) {
    throw std::out_of_range(name_ + ": samples [" + std::to_string(first) + ", " + std::to_string(first + count) +
                            ") of channel '" + info.label + "' are outside [0, " +
                            std::to_string(info.sampleCount) + ")");
  }
  const EdfSignal& sig = header_.signals[info.signalIndex];
  const std::int64_t spr = sig.samplesPerRecord;
  const int bps = header_.bytesPerSample;
  std::int64_t done = 0;
  while (done < count) {
    const std::int64_t sample = first + done;
    const std::int64_t rec = sample / spr;
    const std::int64_t inRec = sample % spr;
    const std::int64_t n = std::min(spr - inRec, count - done);
    const auto bytes = record(rec);
    const std::uint8_t* p = bytes->data() + sig.byteOffsetInRecord + static_cast<std::uint64_t>(inRec * bps);
    if (bps == 2) {
      for (std::int64_t i = 0; i < n; ++i, p += 2) {
        const auto d = static_cast<std::int16_t>(static_cast<std::uint16_t>(p[0] | (p[1] << 8)));
        out[done + i] = static_cast<T>(sig.offset + sig.gain * d);
      }
    } else {
      for (std::int64_t i = 0; i < n; ++i, p += 3) {
        out[done + i] = static_cast<T>(sig.offset + sig.gain * digitalAt(p));
      }
    }
    done += n;
  }
}

void Recording::readPhysical(std::size_t ch, std::int64_t first, std::int64_t count, double* out) const {
  readImpl(ch, first, count, out);
}
void Recording::readPhysical(std::size_t ch, std::int64_t first, std::int64_t count, float* out) const {
  readImpl(ch, first, count, out);
}
std::vector<double> Recording::readPhysical(std::size_t ch, std::int64_t first, std::int64_t count) const {
  std::vector<double> v(static_cast<std::size_t>(std::max<std::int64_t>(0, count)));
  readImpl(ch, first, count, v.data());
  return v;
}

void Recording::indexAnnotations(std::stop_token stop) {
  std::vector<std::size_t> annSignals;
  for (std::size_t i = 0; i < header_.signals.size(); ++i) {
    if (header_.signals[i].isAnnotation) annSignals.push_back(i);
  }
  std::vector<Annotation> found;
  std::vector<double> onsets;
  const bool discontinuous = isDiscontinuous(header_.flavor);
  int malformed = 0;
  int missingOnsets = 0;
  std::vector<std::uint8_t> buf;
  for (std::int64_t r = 0; r < header_.recordCount; ++r) {
    if (stop.stop_requested()) return;
    for (std::size_t k = 0; k < annSignals.size(); ++k) {
      const EdfSignal& s = header_.signals[annSignals[k]];
      buf.resize(static_cast<std::size_t>(s.samplesPerRecord) * header_.bytesPerSample);
      source_->readAt(header_.headerBytes + static_cast<std::uint64_t>(r) * header_.recordBytes +
                          s.byteOffsetInRecord,
                      buf.size(), buf.data());
      TalParseResult tal = parseTalSignal(buf.data(), buf.size(), k == 0);
      malformed += tal.malformedTals;
      if (k == 0) {
        if (tal.recordOnsetSec) {
          onsets.push_back(*tal.recordOnsetSec);
        } else {
          ++missingOnsets;
          onsets.push_back(onsets.empty() ? 0.0 : onsets.back() + header_.recordDurationSec);
        }
      }
      for (auto& a : tal.annotations) found.push_back(std::move(a));
    }
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const Annotation& a, const Annotation& b) { return a.onsetSec < b.onsetSec; });
  std::lock_guard lock(annotationMutex_);
  annotations_ = std::move(found);
  if (discontinuous && !header_.annotationsOnly) {
    recordOnsets_ = std::move(onsets);
    for (std::size_t r = 1; r < recordOnsets_.size(); ++r) {
      const double gap = recordOnsets_[r] - (recordOnsets_[r - 1] + header_.recordDurationSec);
      if (gap > 1e-6) gaps_.push_back({recordOnsets_[r - 1] + header_.recordDurationSec, gap});
    }
  }
  if (malformed > 0) {
    report_.repairs.push_back(std::to_string(malformed) + " malformed annotation lists (TALs) skipped");
  }
  if (missingOnsets > 0 && discontinuous) {
    report_.repairs.push_back(std::to_string(missingOnsets) +
                              " data records lack the time-keeping annotation; assumed contiguous");
  }
  annotationsDone_ = true;
  annotationCv_.notify_all();
}

std::vector<Annotation> Recording::annotations() const {
  std::lock_guard lock(annotationMutex_);
  return annotations_;
}

std::vector<RecordingGap> Recording::gaps() const {
  std::lock_guard lock(annotationMutex_);
  return gaps_;
}

void Recording::waitForAnnotations() const {
  std::unique_lock lock(annotationMutex_);
  annotationCv_.wait(lock, [this] { return annotationsDone_.load(); });
}

double Recording::recordOnsetSec(std::int64_t record) const {
  {
    std::lock_guard lock(annotationMutex_);
    if (!recordOnsets_.empty() && record >= 0 && record < static_cast<std::int64_t>(recordOnsets_.size())) {
      return recordOnsets_[static_cast<std::size_t>(record)];
    }
  }
  return static_cast<double>(record) * header_.recordDurationSec;
}

void Recording::buildPyramid(std::stop_token stop) {
  // Streams the file in large sequential chunks (bypassing the page cache of records) and folds every data
  // signal into level-0 bins of kPyramidBaseBin samples; upper levels are merged at the end.
  const std::size_t nch = channels_.size();
  std::size_t bytes = 0;
  pyramid_.resize(nch);
  for (std::size_t c = 0; c < nch; ++c) {
    std::int64_t bins = (channels_[c].sampleCount + kPyramidBaseBin - 1) / kPyramidBaseBin;
    while (true) {
      pyramid_[c].emplace_back(static_cast<std::size_t>(bins) * 2);
      bytes += static_cast<std::size_t>(bins) * 2 * sizeof(std::int32_t);
      if (bins <= 1) break;
      bins = (bins + kPyramidFanout - 1) / kPyramidFanout;
    }
  }
  pyramidBytes_.store(bytes, std::memory_order_relaxed);
  std::vector<std::int32_t> curMin(nch, std::numeric_limits<std::int32_t>::max());
  std::vector<std::int32_t> curMax(nch, std::numeric_limits<std::int32_t>::min());
  std::vector<std::int64_t> inBin(nch, 0), binIndex(nch, 0);
  const std::int64_t recordsPerChunk =
      std::max<std::int64_t>(1, static_cast<std::int64_t>((4u << 20) / header_.recordBytes));
  std::vector<std::uint8_t> chunk;
  const int bps = header_.bytesPerSample;
  for (std::int64_t r0 = 0; r0 < header_.recordCount; r0 += recordsPerChunk) {
    if (stop.stop_requested()) return;
    const std::int64_t nrec = std::min(recordsPerChunk, header_.recordCount - r0);
    chunk.resize(static_cast<std::size_t>(nrec * static_cast<std::int64_t>(header_.recordBytes)));
    try {
      source_->readAt(header_.headerBytes + static_cast<std::uint64_t>(r0) * header_.recordBytes, chunk.size(),
                      chunk.data());
    } catch (const std::exception&) {
      return;  // the file became unreadable; queries keep falling back to direct reads
    }
    for (std::int64_t r = 0; r < nrec; ++r) {
      const std::uint8_t* recBytes = chunk.data() + r * static_cast<std::int64_t>(header_.recordBytes);
      for (std::size_t c = 0; c < nch; ++c) {
        const EdfSignal& sig = header_.signals[channels_[c].signalIndex];
        const std::uint8_t* p = recBytes + sig.byteOffsetInRecord;
        std::vector<std::int32_t>& level0 = pyramid_[c][0];
        std::int32_t mn = curMin[c], mx = curMax[c];
        std::int64_t filled = inBin[c];
        // Runs up to the next bin boundary, so the min/max loops have no branch inside (they vectorise).
        for (std::int64_t i = 0; i < sig.samplesPerRecord;) {
          const std::int64_t take = std::min<std::int64_t>(sig.samplesPerRecord - i, kPyramidBaseBin - filled);
          if (bps == 2) {
            foldMinMax16(p, take, mn, mx);
          } else {
            for (std::int64_t k = 0; k < take; ++k) {
              const std::int32_t d = digitalAt(p + 3 * k);
              mn = std::min(mn, d);
              mx = std::max(mx, d);
            }
          }
          p += take * bps;
          i += take;
          filled += take;
          if (filled == kPyramidBaseBin) {
            const auto b = static_cast<std::size_t>(binIndex[c]++);
            level0[2 * b] = mn;
            level0[2 * b + 1] = mx;
            mn = std::numeric_limits<std::int32_t>::max();
            mx = std::numeric_limits<std::int32_t>::min();
            filled = 0;
          }
        }
        curMin[c] = mn;
        curMax[c] = mx;
        inBin[c] = filled;
      }
    }
    pyramidRecordsDone_.store(r0 + nrec, std::memory_order_release);
  }
  for (std::size_t c = 0; c < nch; ++c) {
    if (inBin[c] > 0) {
      const auto b = static_cast<std::size_t>(binIndex[c]);
      pyramid_[c][0][2 * b] = curMin[c];
      pyramid_[c][0][2 * b + 1] = curMax[c];
    }
    for (std::size_t lv = 1; lv < pyramid_[c].size(); ++lv) {
      const auto& below = pyramid_[c][lv - 1];
      auto& cur = pyramid_[c][lv];
      const std::size_t belowBins = below.size() / 2;
      for (std::size_t b = 0; b < cur.size() / 2; ++b) {
        std::int32_t mn = std::numeric_limits<std::int32_t>::max(), mx = std::numeric_limits<std::int32_t>::min();
        for (std::size_t k = b * kPyramidFanout; k < std::min(belowBins, (b + 1) * kPyramidFanout); ++k) {
          mn = std::min(mn, below[2 * k]);
          mx = std::max(mx, below[2 * k + 1]);
        }
        cur[2 * b] = mn;
        cur[2 * b + 1] = mx;
      }
    }
  }
  pyramidReady_.store(true, std::memory_order_release);
}

double Recording::pyramidProgress() const {
  if (pyramidDone_.load()) return 1.0;
  return header_.recordCount > 0
             ? static_cast<double>(pyramidRecordsDone_.load()) / static_cast<double>(header_.recordCount)
             : 1.0;
}

void Recording::waitForPyramid() const {
  std::unique_lock lock(pyramidMutex_);
  pyramidCv_.wait(lock, [this] { return pyramidDone_.load(); });
}

std::vector<MinMax> Recording::envelope(std::size_t ch, std::int64_t first, std::int64_t last, int pixels) const {
  if (ch >= channels_.size()) throw std::out_of_range(name_ + ": channel index out of range");
  std::vector<MinMax> out(static_cast<std::size_t>(std::max(0, pixels)));
  const ChannelInfo& info = channels_[ch];
  first = std::clamp<std::int64_t>(first, 0, info.sampleCount);
  last = std::clamp<std::int64_t>(last, first, info.sampleCount);
  if (pixels <= 0 || last <= first) return out;
  const double samplesPerPixel = static_cast<double>(last - first) / pixels;
  const EdfSignal& sig = header_.signals[info.signalIndex];

  // Only a complete pyramid answers (never one that was not asked for, cancelled or cut short by a read error).
  const bool pyramidReady = pyramidReady_.load(std::memory_order_acquire);
  if (samplesPerPixel < 2.0 * kPyramidBaseBin || !pyramidReady) {
    // Direct: read the samples and fold them into columns (exact).
    std::vector<float> v(static_cast<std::size_t>(last - first));
    readPhysical(ch, first, last - first, v.data());
    for (int px = 0; px < pixels; ++px) {
      const auto a = static_cast<std::size_t>(std::floor(px * samplesPerPixel));
      auto b = static_cast<std::size_t>(std::floor((px + 1) * samplesPerPixel));
      b = std::max(b, a + 1);
      b = std::min(b, v.size());
      float mn = v[std::min(a, v.size() - 1)], mx = mn;
      for (std::size_t i = a; i < b; ++i) {
        mn = std::min(mn, v[i]);
        mx = std::max(mx, v[i]);
      }
      out[static_cast<std::size_t>(px)] = {mn, mx};
    }
    return out;
  }
  // Pyramid: the coarsest level whose bins are at most half a column wide.
  std::size_t level = 0;
  std::int64_t bin = kPyramidBaseBin;
  while (level + 1 < pyramid_[ch].size() && bin * kPyramidFanout * 2 <= samplesPerPixel) {
    bin *= kPyramidFanout;
    ++level;
  }
  const auto& lv = pyramid_[ch][level];
  const std::int64_t bins = static_cast<std::int64_t>(lv.size() / 2);
  for (int px = 0; px < pixels; ++px) {
    const std::int64_t a = first + static_cast<std::int64_t>(std::floor(px * samplesPerPixel));
    const std::int64_t b = first + static_cast<std::int64_t>(std::floor((px + 1) * samplesPerPixel));
    const std::int64_t b0 = std::min(a / bin, bins - 1);
    const std::int64_t b1 = std::clamp<std::int64_t>((b - 1) / bin, b0, bins - 1);
    std::int32_t mn = std::numeric_limits<std::int32_t>::max(), mx = std::numeric_limits<std::int32_t>::min();
    for (std::int64_t k = b0; k <= b1; ++k) {
      mn = std::min(mn, lv[static_cast<std::size_t>(2 * k)]);
      mx = std::max(mx, lv[static_cast<std::size_t>(2 * k + 1)]);
    }
    const auto p0 = static_cast<float>(sig.offset + sig.gain * mn);
    const auto p1 = static_cast<float>(sig.offset + sig.gain * mx);
    out[static_cast<std::size_t>(px)] = {std::min(p0, p1), std::max(p0, p1)};
  }
  return out;
}

std::size_t Recording::memoryBytes() const {
  std::size_t total = 0;
  {
    std::lock_guard lock(cacheMutex_);
    for (const auto& s : cacheSlots_) {
      if (s) total += s->size();
    }
    total += cacheIndex_.size() * sizeof(std::int64_t);
  }
  return total + pyramidBytes_.load(std::memory_order_relaxed);
}

}  // namespace neurolm
