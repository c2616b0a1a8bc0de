#include "app/studio/LocalJobRunner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <cerrno>
#include <cstring>

namespace neurolm::app {

namespace {

QString inRun(const QString& runDir, const char* name) { return QDir(runDir).filePath(QLatin1String(name)); }

// The job's process group, from its pid file; 0 when there is none.
pid_t jobGroup(const QString& runDir) {
  QFile f(inRun(runDir, "job.pid"));
  if (!f.open(QIODevice::ReadOnly)) return 0;
  bool ok = false;
  const auto pid = QString::fromLatin1(f.readAll()).trimmed().toLongLong(&ok);
  return ok && pid > 1 ? static_cast<pid_t>(pid) : 0;
}

// Whether the job's shell still runs. It outlives the trainer (it waits for it and ignores SIGTERM) and leads
// its process group; an exited one may linger as a zombie until its parent reaps it, which counts as ended.
bool groupLeaderRuns(pid_t group) {
  QFile stat(QStringLiteral("/proc/%1/stat").arg(group));
  if (!stat.open(QIODevice::ReadOnly))
    return ::kill(group, 0) == 0 && !QFileInfo::exists(QStringLiteral("/proc/self"));
  const QByteArray text = stat.readAll();
  const auto afterName = text.lastIndexOf(')');  // "pid (comm) state ppid pgrp ..."
  if (afterName < 0) return false;
  const auto fields = text.mid(afterName + 2).split(' ');
  if (fields.size() < 3) return false;
  const char state = fields[0].isEmpty() ? 'X' : fields[0][0];
  return state != 'Z' && state != 'X' && fields[2].toLongLong() == group;  // a reused pid leads no such group
}

bool signalGroup(const QString& runDir, int signal) {
  const pid_t group = jobGroup(runDir);
  return group > 0 && ::kill(-group, signal) == 0;
}

// The shell that runs the trainer: it ignores SIGTERM (the trainer handles it: checkpoint, exit 75) so it can
// record the exit status; stdin is the FIFO opened read-write, so opening it never blocks and the trainer
// never sees an end of file while the pane is away.
const char* kJobScript =
    "echo $$ > \"$DIR/job.pid\"\n"
    "trap '' TERM\n"
    "\"$EXE\" train \"$CONFIG\" --json $RESUME 0<>\"$DIR/job.stdin\" >\"$DIR/job.out\" 2>&1 &\n"
    "wait $!\n"
    "echo $? > \"$DIR/job.exit\"\n";

}  // namespace

LocalJobRunner::LocalJobRunner(QString neurolmExecutable) : executable_(std::move(neurolmExecutable)) {}

QString LocalJobRunner::defaultExecutable() {
  return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("neurolm"));
}

std::optional<QString> LocalJobRunner::start(const QString& configPath, const QString& runDir, bool resume) {
  if (!QFileInfo(executable_).isExecutable())
    return QCoreApplication::translate("neurolm::app::LocalJobRunner", "%1 is not an executable.")
        .arg(executable_);
  if (processInfo(runDir).alive)
    return QCoreApplication::translate("neurolm::app::LocalJobRunner", "A job is already running in %1.")
        .arg(runDir);
  const QByteArray fifo = QFile::encodeName(inRun(runDir, "job.stdin"));
  struct stat st {};
  if (::stat(fifo.constData(), &st) == 0 && !S_ISFIFO(st.st_mode)) QFile::remove(inRun(runDir, "job.stdin"));
  if (::stat(fifo.constData(), &st) != 0 && ::mkfifo(fifo.constData(), 0600) != 0)
    return QCoreApplication::translate("neurolm::app::LocalJobRunner", "%1 cannot be created: %2")
        .arg(QString::fromLocal8Bit(fifo), QString::fromLocal8Bit(std::strerror(errno)));
  QFile::remove(inRun(runDir, "job.exit"));
  QFile::remove(inRun(runDir, "job.pid"));

  QProcess process;
  process.setProgram(QStringLiteral("setsid"));
  process.setArguments({QStringLiteral("/bin/sh"), QStringLiteral("-c"), QLatin1String(kJobScript)});
  auto env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("EXE"), executable_);
  env.insert(QStringLiteral("CONFIG"), QFileInfo(configPath).absoluteFilePath());
  env.insert(QStringLiteral("DIR"), QFileInfo(runDir).absoluteFilePath());
  env.insert(QStringLiteral("RESUME"), resume ? QStringLiteral("--resume") : QString());
  process.setProcessEnvironment(env);
  process.setStandardInputFile(QProcess::nullDevice());
  process.setStandardOutputFile(QProcess::nullDevice());
  process.setStandardErrorFile(QProcess::nullDevice());
  qint64 pid = 0;
  if (!process.startDetached(&pid))
    return QCoreApplication::translate("neurolm::app::LocalJobRunner",
                                       "setsid /bin/sh could not be started: %1")
        .arg(process.errorString());
  // The shell writes its own pid too; writing it here means the job is findable from the first moment.
  QFile pidFile(inRun(runDir, "job.pid"));
  if (pidFile.open(QIODevice::WriteOnly | QIODevice::Truncate)) pidFile.write(QByteArray::number(pid) + "\n");
  return std::nullopt;
}

bool LocalJobRunner::requestStop(const QString& runDir) {
  // Non-blocking: with no reader (the job has ended) the open fails with ENXIO instead of waiting.
  const int fd = ::open(QFile::encodeName(inRun(runDir, "job.stdin")).constData(), O_WRONLY | O_NONBLOCK);
  if (fd < 0) return false;
  const char line[] = "stop\n";
  const bool ok = ::write(fd, line, sizeof line - 1) == static_cast<ssize_t>(sizeof line - 1);
  ::close(fd);
  return ok;
}

bool LocalJobRunner::terminate(const QString& runDir) { return signalGroup(runDir, SIGTERM); }

bool LocalJobRunner::kill(const QString& runDir) { return signalGroup(runDir, SIGKILL); }

widgets::JobProcessInfo LocalJobRunner::processInfo(const QString& runDir) const {
  widgets::JobProcessInfo info;
  const pid_t group = jobGroup(runDir);
  info.alive = group > 0 && groupLeaderRuns(group);
  QFile exit(inRun(runDir, "job.exit"));
  if (exit.open(QIODevice::ReadOnly)) {
    bool ok = false;
    const int code = QString::fromLatin1(exit.readAll()).trimmed().toInt(&ok);
    if (ok) info.exitCode = code;
  }
  QFile out(inRun(runDir, "job.out"));
  if (out.open(QIODevice::ReadOnly)) {
    if (out.size() > 2048) out.seek(out.size() - 2048);
    info.outputTail = QString::fromUtf8(out.readAll());
  }
  return info;
}

}  // namespace neurolm::app
