#pragma once
// Runs training jobs on this machine: `neurolm train CONFIG --json [--resume]` from the bin folder of
// neurolm-studio, in its own session (setsid), detached from the window so it survives the app closing.
// Everything the pane needs to find it again lies in the run folder:
//   job.pid    the session (and process group) of the job's shell and trainer
//   job.stdin  a FIFO that is the trainer's stdin ("stop" is written to it)
//   job.out    the trainer's stdout and stderr
//   job.exit   the trainer's exit status, written by the job's shell when it ends
#include <QString>

#include "widgets/jobs/JobRunner.h"

namespace neurolm::app {

class LocalJobRunner : public widgets::JobRunner {
 public:
  explicit LocalJobRunner(QString neurolmExecutable = defaultExecutable());
  static QString defaultExecutable();  // `neurolm` beside this executable

  std::optional<QString> start(const QString& configPath, const QString& runDir, bool resume) override;
  bool requestStop(const QString& runDir) override;
  bool terminate(const QString& runDir) override;
  bool kill(const QString& runDir) override;
  widgets::JobProcessInfo processInfo(const QString& runDir) const override;

 private:
  QString executable_;
};

}  // namespace neurolm::app
