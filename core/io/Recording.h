#pragma once
// An opened EEG recording (EDF, EDF+C/D, BDF, BDF+): header, channels, annotations and lazy sample access.
//
// - Samples are read on demand with pread through a bounded LRU cache of data records, so memory does not grow
//   with the recording's length; all read functions are thread-safe.
// - EDF+ annotations are indexed on a background thread (the first page never waits for them).
// - A min/max pyramid per channel is built on a background thread and answers any zoom level in O(pixels).
// - The source file is never written. EDFlib (the strict reference reader) is asked first; files it refuses for
//   harmless reasons are opened by our own parser, and every assumption is listed in repairReport().
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/io/ByteSource.h"
#include "core/io/EdfAnnotations.h"
#include "core/io/EdfHeader.h"

namespace neurolm {

struct ChannelInfo {
  std::string label;
  std::string unit;  // physical dimension as written, e.g. "uV"
  double sampleRateHz = 0;
  double physicalMin = 0, physicalMax = 0;
  std::string prefilter;
  std::string transducer;
  std::int64_t sampleCount = 0;
  double toMicrovolts = 1;   // factor from `unit` to µV (1 for uV, 1000 for mV, 1e6 for V); 0 if not a voltage
  std::size_t signalIndex = 0;  // index among all EDF signals (annotation signals included)
};

struct OpenOptions {
  bool backgroundAnnotations = true;  // index annotations on a worker thread (false: before open returns)
  bool buildPyramid = true;           // build the min/max pyramid on a worker thread
  bool consultEdflib = true;          // ask EDFlib for its verdict (files only)
  std::size_t cacheBytes = 32u << 20;  // data-record cache budget
};

// A stretch of time between two data records of an EDF+D/BDF+D file that holds no samples. Not an annotation:
// it comes from the records' time-keeping TALs and is never exported with the annotations.
struct RecordingGap {
  double onsetSec = 0;     // end of the record before the gap, relative to the recording start
  double durationSec = 0;  // > 0
};

struct MinMax {
  float min = 0;
  float max = 0;
};

class Recording {
 public:
  // Throws FormatError / std::runtime_error naming the file and the problem. Never writes the file.
  static std::shared_ptr<Recording> open(const std::filesystem::path& path, const OpenOptions& options = {});
  static std::shared_ptr<Recording> open(std::unique_ptr<ByteSource> source, const OpenOptions& options = {});
  ~Recording();
  Recording(const Recording&) = delete;
  Recording& operator=(const Recording&) = delete;

  const std::string& sourceName() const { return name_; }
  const EdfHeader& header() const { return header_; }
  const std::vector<ChannelInfo>& channels() const { return channels_; }
  const RepairReport& repairReport() const { return report_; }
  double durationSec() const { return header_.durationSec(); }
  // True for an EDF+/BDF+ file that holds only annotations (no channels, no samples), e.g. a hypnogram.
  bool annotationsOnly() const { return header_.annotationsOnly; }
  // Index of the channel with this exact label, or -1.
  int channelIndex(const std::string& label) const;

  // Physical values (in the channel's unit) of samples [first, first + count) of channel `ch`.
  // Throws std::out_of_range naming the channel and the bounds.
  void readPhysical(std::size_t ch, std::int64_t first, std::int64_t count, double* out) const;
  std::vector<double> readPhysical(std::size_t ch, std::int64_t first, std::int64_t count) const;
  void readPhysical(std::size_t ch, std::int64_t first, std::int64_t count, float* out) const;

  // Annotations from the EDF+ annotation signal(s), sorted by onset. Gaps of EDF+D files are not included.
  std::vector<Annotation> annotations() const;
  // Gaps between the data records of an EDF+D/BDF+D file, in time order (empty for continuous files).
  std::vector<RecordingGap> gaps() const;
  bool annotationsComplete() const { return annotationsDone_.load(); }
  void waitForAnnotations() const;
  // Onset (s) of each data record: i * duration for continuous files, from the TALs for EDF+D.
  double recordOnsetSec(std::int64_t record) const;

  // Min/max envelope of samples [first, last) of channel ch in `pixels` equal columns, in physical units.
  // Uses the pyramid where it is built; otherwise reads samples. Exact at the resolution of pyramid bins.
  std::vector<MinMax> envelope(std::size_t ch, std::int64_t first, std::int64_t last, int pixels) const;
  double pyramidProgress() const;  // 0..1
  bool pyramidComplete() const { return pyramidDone_.load(); }
  void waitForPyramid() const;

  // Resident bytes held by the cache and the pyramid (for the benchmark and the status bar).
  std::size_t memoryBytes() const;

  static constexpr std::int64_t kPyramidBaseBin = 256;   // samples per level-0 bin
  static constexpr std::int64_t kPyramidFanout = 8;      // bins merged per level

 private:
  Recording() = default;
  void init(std::unique_ptr<ByteSource> source, const OpenOptions& options);
  std::shared_ptr<const std::vector<std::uint8_t>> record(std::int64_t index) const;
  template <typename T>
  void readImpl(std::size_t ch, std::int64_t first, std::int64_t count, T* out) const;
  void indexAnnotations(std::stop_token stop);
  void buildPyramid(std::stop_token stop);
  std::int32_t digitalAt(const std::uint8_t* p) const;

  std::string name_;
  std::unique_ptr<ByteSource> source_;
  EdfHeader header_;
  RepairReport report_;
  std::vector<ChannelInfo> channels_;
  OpenOptions options_;

  // LRU record cache.
  mutable std::mutex cacheMutex_;
  mutable std::vector<std::shared_ptr<const std::vector<std::uint8_t>>> cacheSlots_;
  mutable std::vector<std::int64_t> cacheIndex_;  // record -> slot, -1 if not cached (sized recordCount)
  mutable std::vector<std::uint64_t> slotUse_;
  mutable std::vector<std::int64_t> slotRecord_;
  mutable std::uint64_t useClock_ = 0;

  // Annotations.
  mutable std::mutex annotationMutex_;
  mutable std::condition_variable annotationCv_;
  std::vector<Annotation> annotations_;
  std::vector<double> recordOnsets_;  // only for EDF+D
  std::vector<RecordingGap> gaps_;    // only for EDF+D
  std::atomic<bool> annotationsDone_{false};

  // Pyramid: per channel, per level, interleaved min/max digital values.
  std::vector<std::vector<std::vector<std::int32_t>>> pyramid_;
  std::atomic<std::int64_t> pyramidRecordsDone_{0};
  std::atomic<std::size_t> pyramidBytes_{0};  // allocated by the pyramid worker
  std::atomic<bool> pyramidDone_{false};   // the worker has finished (or none was started)
  std::atomic<bool> pyramidReady_{false};  // pyramid_ is complete and answers envelope()
  mutable std::mutex pyramidMutex_;
  mutable std::condition_variable pyramidCv_;

  std::jthread annotationThread_;
  std::jthread pyramidThread_;
};

// Unit string -> factor to µV (1 for "uV"/"µV", 1e3 for "mV", 1e6 for "V", 1e-3 for "nV"); 0 if not a voltage.
double microvoltFactor(const std::string& unit);

}  // namespace neurolm
