#include "widgets/jobs/JobWatcher.h"

#include <QDir>
#include <QTimer>

namespace neurolm::widgets {

JobWatcher::JobWatcher(std::shared_ptr<JobRunner> runner, std::function<void(JobSnapshot)> deliver,
                       std::function<void(QString, std::optional<QString>)> started, int pollIntervalMs)
    : runner_(std::move(runner)),
      deliver_(std::move(deliver)),
      started_(std::move(started)),
      pollIntervalMs_(pollIntervalMs) {}

void JobWatcher::startJob(const QString& configPath, const QString& runDir, bool resume) {
  started_(runDir, runner_->start(configPath, runDir, resume));
  if (const auto it = entries_.find(runDir); it != entries_.end()) pollOne(runDir, it->second);
}

void JobWatcher::begin() {
  timer_ = new QTimer(this);
  timer_->setInterval(pollIntervalMs_);
  connect(timer_, &QTimer::timeout, this, &JobWatcher::poll);
  timer_->start();
}

void JobWatcher::watch(const QString& runDir) {
  auto& e = entries_[runDir];
  e.reader =
      std::make_unique<jobs::JobLogReader>(QDir(runDir).filePath(QStringLiteral("log.jsonl")).toStdString());
  e.state = {};
  e.reported = false;
  pollOne(runDir, e);
}

void JobWatcher::unwatch(const QString& runDir) { entries_.erase(runDir); }

void JobWatcher::poll() {
  for (auto& [runDir, entry] : entries_) pollOne(runDir, entry);
}

void JobWatcher::pollOne(const QString& runDir, Entry& entry) {
  JobSnapshot s;
  s.runDir = runDir;
  try {
    for (auto& line : entry.reader->readNew(entry.state)) s.newLines << QString::fromStdString(line);
  } catch (const std::exception& e) {
    s.readError = QString::fromStdString(e.what());
  }
  s.process = runner_->processInfo(runDir);
  const bool processChanged = s.process.alive != entry.lastProcess.alive ||
                              s.process.exitCode != entry.lastProcess.exitCode ||
                              s.process.outputTail != entry.lastProcess.outputTail ||
                              s.process.schedulerState != entry.lastProcess.schedulerState ||
                              s.process.queued != entry.lastProcess.queued;
  if (entry.reported && s.newLines.isEmpty() && !processChanged && s.readError.isEmpty()) return;
  entry.lastProcess = s.process;
  entry.reported = true;
  s.state = entry.state;
  deliver_(std::move(s));
}

}  // namespace neurolm::widgets
