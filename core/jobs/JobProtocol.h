#pragma once
// The training job protocol of `neurolm train` (docs/training.md, "The job protocol"): one JSON object per
// line on stdout and in <run_dir>/log.jsonl. Lines are parsed into typed events and folded into a JobState,
// so a GUI can follow a running job and rebuild it after a restart from the log alone.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace neurolm::jobs {

struct PrepareEvent {
  int64_t filesDone = 0;
  int64_t filesTotal = 0;
};
struct StartEvent {
  std::string stage;
  std::string runDir;
  int64_t totalSteps = 0;
  int64_t stepsPerEpoch = 0;
  std::string device;
  int64_t threads = 0;
  int64_t worldSize = 1;
  int64_t trainWindows = 0;
  std::optional<int64_t> resumedFrom;  // the checkpoint's step when the run was resumed
};
struct ProgressEvent {
  int64_t step = 0;  // optimizer steps done
  int64_t totalSteps = 0;
  int64_t epoch = 0;
  double loss = 0;
  std::map<std::string, double> parts;  // named loss components
  double lr = 0;
  double gradNorm = 0;
  double samplesPerSec = 0;
  double etaSec = 0;
  std::string device;
  double memoryMb = 0;
};
struct MetricsEvent {
  std::string split;
  int64_t step = 0;
  int64_t epoch = 0;
  std::map<std::string, double> values;  // nested objects flattened as "outer.inner"
};
struct CheckpointEvent {
  int64_t step = 0;
  std::string path;
};
struct DoneEvent {
  int64_t step = 0;
  std::string modelPath;    // training stages
  std::string metricsPath;  // eval
};
struct StoppedEvent {
  int64_t step = 0;
  int exitCode = 75;
};
struct ErrorEvent {
  std::string message;
};

using JobEventData = std::variant<PrepareEvent, StartEvent, ProgressEvent, MetricsEvent, CheckpointEvent,
                                  DoneEvent, StoppedEvent, ErrorEvent>;
struct JobEvent {
  std::string timeUtc;  // "2026-12-02T23:36:04Z" as written by the trainer
  JobEventData data;
};

// One protocol line. Returns nullopt for a blank line or an event this version does not know (newer trainers
// may add some); throws std::invalid_argument naming the field when the line is not a protocol object.
std::optional<JobEvent> parseJobEvent(std::string_view line);

enum class JobStatus { Preparing, Running, Stopping, Stopped, Done, Failed };
std::string_view jobStatusName(JobStatus status);  // "preparing", "running", ...
bool isFinished(JobStatus status);                 // stopped, done or failed

struct LossPoint {
  int64_t step = 0;
  double value = 0;
};

struct JobState {
  JobStatus status = JobStatus::Preparing;
  std::string stage;
  std::string device;
  int64_t filesDone = 0;
  int64_t filesTotal = 0;
  int64_t step = 0;
  int64_t totalSteps = 0;
  int64_t epoch = 0;
  std::optional<double> etaSec;
  std::optional<double> lastLoss;
  double samplesPerSec = 0;
  std::vector<LossPoint> lossHistory;  // by step; a resume drops the steps after its checkpoint
  std::vector<LossPoint> lrHistory;
  std::vector<MetricsEvent> metrics;
  std::optional<CheckpointEvent> lastCheckpoint;
  std::string modelPath;
  std::string metricsPath;
  std::string errorMessage;
  std::optional<int64_t> resumedFrom;
  std::optional<int> exitCode;  // 0 done, 75 stopped, 1 error (from the final event)
  int runs = 0;                 // start events seen (1 + resumes)
  int skippedLines = 0;         // lines that were not protocol objects (e.g. torn by a SIGKILL)
  std::string updatedUtc;

  void apply(const JobEvent& event);
  // The user asked the job to stop; the trainer finishes its step first, so progress may still arrive.
  void markStopRequested();
};

// Reads a growing log.jsonl incrementally: only complete lines are consumed, so a line being written (or
// torn by a killed process) stays pending until its newline arrives. A line that is not a protocol object
// is counted in JobState::skippedLines rather than stopping the replay.
class JobLogReader {
 public:
  explicit JobLogReader(std::filesystem::path logPath);
  // Folds the complete lines appended since the last call into `state`; returns those lines.
  // A missing file is not an error (the job may not have written it yet); an unreadable one throws.
  std::vector<std::string> readNew(JobState& state);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::uintmax_t offset_ = 0;
  std::string pending_;
};

// The state of the job whose log this is (a missing or empty log gives a Preparing state with no steps).
JobState replayLog(const std::filesystem::path& logPath);

}  // namespace neurolm::jobs
