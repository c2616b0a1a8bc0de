#pragma once
// Runs the jobs whose run folder holds studio-slurm.json (widgets::JobForms::slurmPath, written by the jobs
// pane's form) as Slurm batch jobs, through jobs::SlurmClient::submitTraining: the submission
// `neurolm submit --slurm` makes, with the same script. Every other job goes to the local runner it wraps.
// The Slurm job id is kept in <run_dir>/slurm.jobid; the trainer writes log.jsonl into the run folder on the
// shared file system, which the pane follows as for a local job.
#include <QString>
#include <map>
#include <memory>
#include <mutex>

#include "core/jobs/SlurmJob.h"
#include "widgets/jobs/JobRunner.h"

namespace neurolm::app {

class SlurmJobRunner : public widgets::JobRunner {
 public:
  SlurmJobRunner(std::shared_ptr<widgets::JobRunner> local, QString neurolmExecutable,
                 jobs::SlurmClient client = jobs::SlurmClient());

  std::optional<QString> start(const QString& configPath, const QString& runDir, bool resume) override;
  // scancel: Slurm sends SIGTERM, the batch shell passes it on (checkpoint, exit 75), SIGKILL after KillWait.
  bool requestStop(const QString& runDir) override;
  bool terminate(const QString& runDir) override;
  bool kill(const QString& runDir) override;
  // squeue/sacct, at most every 2 s per job (the pane polls every 250 ms).
  widgets::JobProcessInfo processInfo(const QString& runDir) const override;

  static QString jobIdPath(const QString& runDir);  // <run_dir>/slurm.jobid

 private:
  std::shared_ptr<widgets::JobRunner> local_;
  QString executable_;
  jobs::SlurmClient client_;
  struct Cached {
    qint64 atMs = 0;
    widgets::JobProcessInfo info;
  };
  mutable std::mutex mutex_;
  mutable std::map<QString, Cached> cache_;
};

}  // namespace neurolm::app
