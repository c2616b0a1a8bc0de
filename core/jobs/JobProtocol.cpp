#include "core/jobs/JobProtocol.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace neurolm::jobs {

namespace {

using nlohmann::json;

const json& field(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end()) throw std::invalid_argument(std::string("job protocol: missing field \"") + key + "\"");
  return *it;
}

int64_t integer(const json& j, const char* key) {
  const auto& v = field(j, key);
  if (!v.is_number())
    throw std::invalid_argument(std::string("job protocol: \"") + key + "\" is not a number");
  return v.get<int64_t>();
}

int64_t integerOr(const json& j, const char* key, int64_t fallback) {
  return j.contains(key) && !j[key].is_null() ? integer(j, key) : fallback;
}

double number(const json& j, const char* key) {
  const auto& v = field(j, key);
  if (v.is_null()) return 0;  // the trainer writes null for a non-finite value
  if (!v.is_number())
    throw std::invalid_argument(std::string("job protocol: \"") + key + "\" is not a number");
  return v.get<double>();
}

double numberOr(const json& j, const char* key, double fallback) {
  return j.contains(key) ? number(j, key) : fallback;
}

std::string text(const json& j, const char* key) {
  const auto& v = field(j, key);
  if (!v.is_string())
    throw std::invalid_argument(std::string("job protocol: \"") + key + "\" is not a string");
  return v.get<std::string>();
}

std::string textOr(const json& j, const char* key) { return j.contains(key) ? text(j, key) : std::string(); }

void flatten(const json& j, const std::string& prefix, std::map<std::string, double>& out) {
  for (const auto& [key, value] : j.items()) {
    const auto name = prefix.empty() ? key : prefix + "." + key;
    if (value.is_number())
      out[name] = value.get<double>();
    else if (value.is_object())
      flatten(value, name, out);
  }
}

std::map<std::string, double> numbers(const json& j, const char* key) {
  std::map<std::string, double> out;
  if (j.contains(key) && j[key].is_object()) flatten(j[key], "", out);
  return out;
}

// Keeps a history ordered by step after a resume: the steps after the checkpoint are trained again.
void dropAfter(std::vector<LossPoint>& history, int64_t step) {
  history.erase(
      std::remove_if(history.begin(), history.end(), [&](const LossPoint& p) { return p.step > step; }),
      history.end());
}

}  // namespace

std::optional<JobEvent> parseJobEvent(std::string_view line) {
  if (line.find_first_not_of(" \t\r\n") == std::string_view::npos) return std::nullopt;
  const json j = json::parse(line, nullptr, false);
  if (j.is_discarded()) throw std::invalid_argument("job protocol: the line is not JSON");
  if (!j.is_object()) throw std::invalid_argument("job protocol: the line is not a JSON object");
  const auto event = text(j, "event");
  JobEvent e;
  e.timeUtc = textOr(j, "time");
  if (event == "prepare") {
    e.data = PrepareEvent{integer(j, "files_done"), integer(j, "files_total")};
  } else if (event == "start") {
    StartEvent s;
    s.stage = text(j, "stage");
    s.runDir = textOr(j, "run_dir");
    s.totalSteps = integer(j, "total");
    s.stepsPerEpoch = integerOr(j, "steps_per_epoch", 0);
    s.device = textOr(j, "device");
    s.threads = integerOr(j, "threads", 0);
    s.worldSize = integerOr(j, "world_size", 1);
    s.trainWindows = integerOr(j, "train_windows", 0);
    if (j.contains("resumed_from") && !j["resumed_from"].is_null())
      s.resumedFrom = integer(j, "resumed_from");
    e.data = s;
  } else if (event == "progress") {
    ProgressEvent p;
    p.step = integer(j, "step");
    p.totalSteps = integerOr(j, "total", 0);
    p.epoch = integerOr(j, "epoch", 0);
    p.loss = number(j, "loss");
    p.parts = numbers(j, "parts");
    p.lr = numberOr(j, "lr", 0);
    p.gradNorm = numberOr(j, "grad_norm", 0);
    p.samplesPerSec = numberOr(j, "samples_per_sec", 0);
    p.etaSec = numberOr(j, "eta_sec", 0);
    p.device = textOr(j, "device");
    p.memoryMb = numberOr(j, "memory_mb", 0);
    e.data = p;
  } else if (event == "metrics") {
    e.data = MetricsEvent{textOr(j, "split"), integerOr(j, "step", 0), integerOr(j, "epoch", 0),
                          numbers(j, "values")};
  } else if (event == "checkpoint") {
    e.data = CheckpointEvent{integer(j, "step"), text(j, "path")};
  } else if (event == "done") {
    e.data = DoneEvent{integerOr(j, "step", 0), textOr(j, "model"), textOr(j, "metrics")};
  } else if (event == "stopped") {
    e.data = StoppedEvent{integerOr(j, "step", 0), static_cast<int>(integerOr(j, "exit_code", 75))};
  } else if (event == "error") {
    e.data = ErrorEvent{text(j, "message")};
  } else {
    return std::nullopt;
  }
  return e;
}

std::string_view jobStatusName(JobStatus status) {
  switch (status) {
    case JobStatus::Preparing:
      return "preparing";
    case JobStatus::Running:
      return "running";
    case JobStatus::Stopping:
      return "stopping";
    case JobStatus::Stopped:
      return "stopped";
    case JobStatus::Done:
      return "done";
    case JobStatus::Failed:
      return "failed";
  }
  return "unknown";
}

bool isFinished(JobStatus status) {
  return status == JobStatus::Stopped || status == JobStatus::Done || status == JobStatus::Failed;
}

void JobState::markStopRequested() {
  if (status == JobStatus::Preparing || status == JobStatus::Running) status = JobStatus::Stopping;
}

void JobState::apply(const JobEvent& event) {
  if (!event.timeUtc.empty()) updatedUtc = event.timeUtc;
  const bool stopping = status == JobStatus::Stopping;
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, PrepareEvent>) {
          if (isFinished(status)) {  // a new process on this run folder (resume)
            errorMessage.clear();
            exitCode.reset();
          }
          status = stopping ? JobStatus::Stopping : JobStatus::Preparing;
          filesDone = e.filesDone;
          filesTotal = e.filesTotal;
        } else if constexpr (std::is_same_v<T, StartEvent>) {
          if (isFinished(status)) {
            errorMessage.clear();
            exitCode.reset();
          }
          status = stopping ? JobStatus::Stopping : JobStatus::Running;
          ++runs;
          stage = e.stage;
          device = e.device;
          totalSteps = e.totalSteps;
          resumedFrom = e.resumedFrom;
          step = e.resumedFrom.value_or(0);
          etaSec.reset();
          dropAfter(lossHistory, step);
          dropAfter(lrHistory, step);
          metrics.erase(std::remove_if(metrics.begin(), metrics.end(),
                                       [&](const MetricsEvent& m) { return m.step > step; }),
                        metrics.end());
        } else if constexpr (std::is_same_v<T, ProgressEvent>) {
          if (!stopping) status = JobStatus::Running;
          step = e.step;
          if (e.totalSteps > 0) totalSteps = e.totalSteps;
          epoch = e.epoch;
          etaSec = e.etaSec;
          lastLoss = e.loss;
          samplesPerSec = e.samplesPerSec;
          if (!e.device.empty()) device = e.device;
          dropAfter(lossHistory, e.step - 1);
          dropAfter(lrHistory, e.step - 1);
          lossHistory.push_back({e.step, e.loss});
          lrHistory.push_back({e.step, e.lr});
        } else if constexpr (std::is_same_v<T, MetricsEvent>) {
          metrics.push_back(e);
        } else if constexpr (std::is_same_v<T, CheckpointEvent>) {
          lastCheckpoint = e;
        } else if constexpr (std::is_same_v<T, DoneEvent>) {
          status = JobStatus::Done;
          step = e.step;
          etaSec = 0;
          modelPath = e.modelPath;
          metricsPath = e.metricsPath;
          exitCode = 0;
        } else if constexpr (std::is_same_v<T, StoppedEvent>) {
          status = JobStatus::Stopped;
          step = e.step;
          etaSec.reset();
          exitCode = e.exitCode;
        } else if constexpr (std::is_same_v<T, ErrorEvent>) {
          status = JobStatus::Failed;
          errorMessage = e.message;
          etaSec.reset();
          exitCode = 1;
        }
      },
      event.data);
}

JobLogReader::JobLogReader(std::filesystem::path logPath) : path_(std::move(logPath)) {}

std::vector<std::string> JobLogReader::readNew(JobState& state) {
  std::vector<std::string> lines;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path_, ec);
  if (ec) {
    if (std::filesystem::exists(path_))
      throw std::runtime_error(path_.string() + ": cannot be read: " + ec.message());
    return lines;
  }
  if (size < offset_) {  // the log was replaced: start over
    offset_ = 0;
    pending_.clear();
    state = JobState{};
  }
  if (size == offset_) return lines;
  std::ifstream in(path_, std::ios::binary);
  if (!in) throw std::runtime_error(path_.string() + ": cannot be opened");
  in.seekg(static_cast<std::streamoff>(offset_));
  std::string chunk(static_cast<std::size_t>(size - offset_), '\0');
  in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  chunk.resize(static_cast<std::size_t>(in.gcount()));
  offset_ += chunk.size();
  pending_ += chunk;
  std::size_t begin = 0;
  for (std::size_t nl; (nl = pending_.find('\n', begin)) != std::string::npos; begin = nl + 1) {
    std::string line = pending_.substr(begin, nl - begin);
    try {
      if (const auto event = parseJobEvent(line)) state.apply(*event);
    } catch (const std::invalid_argument&) {
      ++state.skippedLines;
    }
    lines.push_back(std::move(line));
  }
  pending_.erase(0, begin);
  return lines;
}

JobState replayLog(const std::filesystem::path& logPath) {
  JobState state;
  JobLogReader reader(logPath);
  reader.readNew(state);
  return state;
}

}  // namespace neurolm::jobs
