#pragma once
// How the jobs pane starts and signals `neurolm train` processes. Declared here, implemented in app/ (the
// pane never links the trainer): a job runs in its own process, detached from the window, so it survives the
// app closing; its run folder (log.jsonl and the runner's pid file) is the source of truth.
#include <QString>
#include <optional>

namespace neurolm::widgets {

struct JobProcessInfo {
  bool alive = false;           // the job's process is running
  std::optional<int> exitCode;  // when it has ended and its exit status was recorded
  QString outputTail;           // the end of its stdout/stderr (errors before log.jsonl exists land there)
  // A job run by a batch scheduler: its id there ("Slurm job 4242") and the scheduler's word for its state
  // ("PENDING (Resources)", "RUNNING", "CANCELLED"); empty for a local process.
  QString schedulerJob;
  QString schedulerState;
  bool queued = false;  // alive but waiting in the scheduler's queue: nothing runs yet
};

class JobRunner {
 public:
  virtual ~JobRunner() = default;
  // Starts `neurolm train CONFIG --json` (`--resume` when resume) for the run folder; returns an error
  // message naming what failed, or nothing when the process was started.
  virtual std::optional<QString> start(const QString& configPath, const QString& runDir, bool resume) = 0;
  // A line "stop" on the job's stdin (finish the step, checkpoint, exit 75); false when it cannot be sent.
  virtual bool requestStop(const QString& runDir) = 0;
  virtual bool terminate(const QString& runDir) = 0;  // SIGTERM (the same graceful stop)
  virtual bool kill(const QString& runDir) = 0;       // SIGKILL (the last resort; --resume still continues)
  // Thread-safe: the pane's worker asks it while following the logs, and sends the stop signals.
  virtual JobProcessInfo processInfo(const QString& runDir) const = 0;
};

}  // namespace neurolm::widgets
