#pragma once
// The jobs pane's worker: follows every known run folder's log.jsonl (replay on first sight, then the lines
// appended since) and asks the runner whether each job's process lives, off the UI thread. Jobs are started
// here too: starting a process forks this one, which can take tens of milliseconds.
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <functional>
#include <map>
#include <memory>

#include "core/jobs/JobProtocol.h"
#include "widgets/jobs/JobRunner.h"

class QTimer;

namespace neurolm::widgets {

struct JobSnapshot {
  QString runDir;
  jobs::JobState state;
  JobProcessInfo process;
  QStringList newLines;  // log lines appended since the previous snapshot of this job
  QString readError;     // the log could not be read
};

class JobWatcher : public QObject {
  Q_OBJECT

 public:
  // `deliver` runs on the worker thread; it is expected to queue the snapshot to the UI thread.
  // `started` runs on the worker thread with the run folder and the runner's error, if any.
  JobWatcher(std::shared_ptr<JobRunner> runner, std::function<void(JobSnapshot)> deliver,
             std::function<void(QString, std::optional<QString>)> started, int pollIntervalMs);

 public Q_SLOTS:
  void begin();  // starts the poll timer (call once the worker lives in its thread)
  void watch(const QString& runDir);
  void unwatch(const QString& runDir);
  void poll();
  void startJob(const QString& configPath, const QString& runDir, bool resume);

 private:
  struct Entry {
    std::unique_ptr<jobs::JobLogReader> reader;
    jobs::JobState state;
    JobProcessInfo lastProcess;
    bool reported = false;
  };
  void pollOne(const QString& runDir, Entry& entry);

  std::shared_ptr<JobRunner> runner_;
  std::function<void(JobSnapshot)> deliver_;
  std::function<void(QString, std::optional<QString>)> started_;
  int pollIntervalMs_;
  QTimer* timer_ = nullptr;
  std::map<QString, Entry> entries_;
};

}  // namespace neurolm::widgets
