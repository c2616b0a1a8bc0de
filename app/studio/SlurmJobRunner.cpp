#include "app/studio/SlurmJobRunner.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "widgets/jobs/JobForm.h"

namespace neurolm::app {

namespace {

QString jobIdOf(const QString& runDir) {
  QFile f(SlurmJobRunner::jobIdPath(runDir));
  if (!f.open(QIODevice::ReadOnly)) return {};
  const QString id = QString::fromLatin1(f.readAll()).trimmed();
  return jobs::isSlurmJobId(id.toStdString()) ? id : QString();
}

}  // namespace

SlurmJobRunner::SlurmJobRunner(std::shared_ptr<widgets::JobRunner> local, QString neurolmExecutable,
                               jobs::SlurmClient client)
    : local_(std::move(local)), executable_(std::move(neurolmExecutable)), client_(std::move(client)) {}

QString SlurmJobRunner::jobIdPath(const QString& runDir) {
  return QDir(runDir).filePath(QStringLiteral("slurm.jobid"));
}

std::optional<QString> SlurmJobRunner::start(const QString& configPath, const QString& runDir, bool resume) {
  std::optional<jobs::SlurmResources> resources;
  try {
    resources = widgets::JobForms::readSlurmResources(runDir);
  } catch (const std::invalid_argument& e) {
    return QString::fromStdString(e.what());
  }
  if (!resources) return local_->start(configPath, runDir, resume);
  if (!jobIdOf(runDir).isEmpty() && processInfo(runDir).alive)
    return QCoreApplication::translate("neurolm::app::SlurmJobRunner",
                                       "Slurm job %1 of %2 has not ended yet.")
        .arg(jobIdOf(runDir), runDir);
  // The batch script always runs the trainer with --resume: a fresh run starts, a stopped one continues.
  jobs::SlurmTrainSubmission sub;
  sub.neurolmExecutable = QFileInfo(executable_).absoluteFilePath().toStdString();
  sub.configPath = QFileInfo(configPath).absoluteFilePath().toStdString();
  sub.runDir = QFileInfo(runDir).absoluteFilePath().toStdString();
  sub.resources = *resources;
  std::string stage = "job";
  QFile config(configPath);
  if (config.open(QIODevice::ReadOnly)) {
    const auto j = nlohmann::json::parse(config.readAll().toStdString(), nullptr, false);
    if (j.is_object() && j.contains("stage") && j["stage"].is_string()) stage = j["stage"].get<std::string>();
  }
  sub.jobName = "neurolm-" + stage + "-" + sub.runDir.filename().string();  // as neurolm submit names it
  std::string jobId;
  try {
    jobId = client_.submitTraining(sub);
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
  QFile idFile(jobIdPath(runDir));
  if (!idFile.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
      idFile.write(QByteArray::fromStdString(jobId + "\n")) <= 0)
    return QCoreApplication::translate("neurolm::app::SlurmJobRunner",
                                       "Slurm job %1 was submitted, but %2 cannot be written: %3")
        .arg(QString::fromStdString(jobId), jobIdPath(runDir), idFile.errorString());
  const std::lock_guard lock(mutex_);
  cache_.erase(runDir);
  return std::nullopt;
}

bool SlurmJobRunner::requestStop(const QString& runDir) {
  const QString id = jobIdOf(runDir);
  if (id.isEmpty()) return local_->requestStop(runDir);
  try {
    client_.cancel(id.toStdString());
  } catch (const std::exception&) {
    return false;
  }
  const std::lock_guard lock(mutex_);
  cache_.erase(runDir);
  return true;
}

bool SlurmJobRunner::terminate(const QString& runDir) {
  return jobIdOf(runDir).isEmpty() ? local_->terminate(runDir) : requestStop(runDir);
}

bool SlurmJobRunner::kill(const QString& runDir) {
  return jobIdOf(runDir).isEmpty() ? local_->kill(runDir) : requestStop(runDir);
}

widgets::JobProcessInfo SlurmJobRunner::processInfo(const QString& runDir) const {
  const QString id = jobIdOf(runDir);
  if (id.isEmpty()) return local_->processInfo(runDir);
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  {
    const std::lock_guard lock(mutex_);
    if (const auto it = cache_.find(runDir); it != cache_.end() && now - it->second.atMs < 2000)
      return it->second.info;
  }
  widgets::JobProcessInfo info;
  info.schedulerJob = QCoreApplication::translate("neurolm::app::SlurmJobRunner", "Slurm job %1").arg(id);
  try {
    const auto s = client_.status(id.toStdString());
    info.alive = !s.finished();
    // Waiting for a node (first submitted, or queued again after a requeue).
    info.queued = s.state == "PENDING" || s.state == "CONFIGURING" || s.state == "REQUEUED" ||
                  s.state == "REQUEUE_HOLD";
    info.schedulerState = QString::fromStdString(s.state);
    if (!s.reason.empty() && s.reason != "None")
      info.schedulerState += QStringLiteral(" (%1)").arg(QString::fromStdString(s.reason));
    if (s.finished()) {
      bool ok = false;
      const int code = QString::fromStdString(s.exitCode).section(QLatin1Char(':'), 0, 0).toInt(&ok);
      if (ok) info.exitCode = code;
    }
    QFile out(QDir(runDir).filePath(QStringLiteral("slurm-%1.out").arg(id)));
    if (out.open(QIODevice::ReadOnly)) {
      if (out.size() > 2048) out.seek(out.size() - 2048);
      info.outputTail = QString::fromUtf8(out.readAll());
    }
    info.outputTail = QCoreApplication::translate("neurolm::app::SlurmJobRunner", "Slurm job %1: %2")
                          .arg(id, QString::fromStdString(s.state)) +
                      (s.reason.empty() || s.reason == "None"
                           ? QString()
                           : QStringLiteral(" (%1)").arg(QString::fromStdString(s.reason))) +
                      QStringLiteral("\n") + info.outputTail;
  } catch (const std::exception& e) {
    info.schedulerState = QCoreApplication::translate("neurolm::app::SlurmJobRunner", "unknown");
    info.outputTail = QString::fromStdString(e.what());
  }
  const std::lock_guard lock(mutex_);
  cache_[runDir] = {now, info};
  return info;
}

}  // namespace neurolm::app
