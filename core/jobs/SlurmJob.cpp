#include "core/jobs/SlurmJob.h"

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "core/io/AtomicFile.h"
#include "core/jobs/Process.h"

namespace fs = std::filesystem;

namespace neurolm::jobs {

namespace {

// sbatch reads #SBATCH values up to the line's end and takes "..." as one value.
std::string sbatchValue(const std::string& field, const std::string& value) {
  if (value.find_first_of("\n\r\"") != std::string::npos)
    throw std::invalid_argument("Slurm job: " + field + " '" + value +
                                "' holds a newline or '\"', which a batch script cannot carry");
  return value.find_first_of(" \t'#") == std::string::npos ? value : "\"" + value + "\"";
}

void requireAbsolute(const fs::path& path, const std::string& field) {
  if (!path.is_absolute())
    throw std::invalid_argument("Slurm job: " + field +
                                " must be an absolute path (the job runs elsewhere), got '" + path.string() +
                                "'");
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  return parts;
}

// "the command: its stderr" for error messages.
std::string failure(const std::vector<std::string>& argv, const ProcessResult& r) {
  std::string text = "'" + commandLine(argv) + "' ";
  text += r.exitCode >= 0 ? "exited with status " + std::to_string(r.exitCode)
                          : "was killed by signal " + std::to_string(-r.exitCode);
  const auto err = trim(r.err);
  const auto out = trim(r.out);
  if (!err.empty())
    text += ": " + err;
  else if (!out.empty())
    text += ": " + out;
  return text;
}

// squeue's exit_code is the raw wait status (75 << 8 for exit 75); as sacct: "status:signal".
std::string waitStatusText(const std::string& raw) {
  if (raw.empty() || raw.find_first_not_of("0123456789") != std::string::npos || raw.size() > 9) return raw;
  const int status = std::stoi(raw);
  return std::to_string((status >> 8) & 0xff) + ":" + std::to_string(status & 0x7f);
}

}  // namespace

fs::path slurmScriptPath(const fs::path& runDir) { return runDir / "slurm.sbatch"; }
fs::path slurmOutputPattern(const fs::path& runDir) { return runDir / "slurm-%j.out"; }

std::string formatSlurmTime(std::chrono::seconds duration) {
  const auto s = duration.count();
  if (s < 0) throw std::invalid_argument("Slurm time: negative duration " + std::to_string(s) + " s");
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld-%02lld:%02lld:%02lld", static_cast<long long>(s / 86400),
                static_cast<long long>(s / 3600 % 24), static_cast<long long>(s / 60 % 60),
                static_cast<long long>(s % 60));
  return buf;
}

std::string slurmTrainScript(const SlurmTrainSubmission& sub) {
  requireAbsolute(sub.neurolmExecutable, "the neurolm executable");
  requireAbsolute(sub.configPath, "the config");
  requireAbsolute(sub.runDir, "run_dir");
  if (sub.runDir.string().find('%') != std::string::npos)
    throw std::invalid_argument("Slurm job: run_dir '" + sub.runDir.string() +
                                "' holds '%', which Slurm reads as a file-name pattern (%j, %x, …)");
  const auto& r = sub.resources;
  if (sub.jobName.empty()) throw std::invalid_argument("Slurm job: the job name is empty");
  if (r.cpusPerTask < 1)
    throw std::invalid_argument("Slurm job: cpus must be ≥ 1, got " + std::to_string(r.cpusPerTask));
  if (r.memoryMb < 0 || r.gpus < 0 || r.timeLimit.count() < 0 || r.stopWarning.count() < 0)
    throw std::invalid_argument("Slurm job: memory, GPUs, time limit and stop warning must not be negative");
  if (r.stopWarning.count() > 65535)
    throw std::invalid_argument("Slurm job: the stop warning may be at most 65535 s (Slurm's limit), got " +
                                std::to_string(r.stopWarning.count()) + " s");
  if (r.timeLimit.count() > 0 && r.stopWarning >= r.timeLimit)
    throw std::invalid_argument("Slurm job: the stop warning (" + std::to_string(r.stopWarning.count()) +
                                " s) must be shorter than the time limit (" +
                                std::to_string(r.timeLimit.count()) + " s)");

  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# Written by `neurolm submit` for " << sbatchValue("the config", sub.configPath.string()) << ".\n"
    << "# Requeue-safe: the trainer always runs with --resume and continues from run_dir/checkpoints.\n"
    << "# Submit again by hand with: sbatch " << shellQuote(slurmScriptPath(sub.runDir).string()) << "\n"
    << "#SBATCH --job-name=" << sbatchValue("the job name", sub.jobName) << "\n"
    << "#SBATCH --output=" << sbatchValue("run_dir", slurmOutputPattern(sub.runDir).string()) << "\n"
    << "#SBATCH --open-mode=append\n"
    << "#SBATCH --chdir=" << sbatchValue("run_dir", sub.runDir.string()) << "\n"
    << "#SBATCH --nodes=1\n"
    << "#SBATCH --ntasks=1\n"
    << "#SBATCH --cpus-per-task=" << r.cpusPerTask << "\n"
    << "#SBATCH --requeue\n";
  if (r.stopWarning.count() > 0) s << "#SBATCH --signal=B:USR1@" << r.stopWarning.count() << "\n";
  if (!r.partition.empty()) s << "#SBATCH --partition=" << sbatchValue("the partition", r.partition) << "\n";
  if (r.timeLimit.count() > 0) s << "#SBATCH --time=" << formatSlurmTime(r.timeLimit) << "\n";
  if (r.memoryMb > 0) s << "#SBATCH --mem=" << r.memoryMb << "M\n";
  if (r.gpus > 0) s << "#SBATCH --gres=gpu:" << r.gpus << "\n";
  // The trainer runs as a child so that this shell can catch the signals, pass them on and requeue.
  // `wait` returns early when a trapped signal arrives, so it is repeated until the trainer has ended
  // (bash keeps an ended child's status for a later `wait`).
  s << "\nset -u\n"
    << "export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-" << r.cpusPerTask << "}\"\n"
    << "echo \"neurolm-slurm: job ${SLURM_JOB_ID:-?} start ${SLURM_RESTART_COUNT:-0} on $(hostname) at "
       "$(date -u +%Y-%m-%dT%H:%M:%SZ)\" >&2\n"
    << "requeue=0\n"
    << "signalled=0\n"
    << "trainer=\"\"\n"
    << "trap 'signalled=1; requeue=1; kill -TERM \"$trainer\" 2>/dev/null' USR1\n"
    << "trap 'signalled=1; kill -TERM \"$trainer\" 2>/dev/null' TERM INT\n"
    << shellQuote(sub.neurolmExecutable.string()) << " train " << shellQuote(sub.configPath.string())
    << " --resume --json </dev/null &\n"
    << "trainer=$!\n"
    << "if [ \"$signalled\" -eq 1 ]; then kill -TERM \"$trainer\" 2>/dev/null; fi\n"
    << "wait \"$trainer\"\n"
    << "status=$?\n"
    << "while [ \"$signalled\" -eq 1 ]; do\n"
    << "  signalled=0\n"
    << "  wait \"$trainer\"\n"
    << "  status=$?\n"
    << "done\n"
    << "echo \"neurolm-slurm: trainer exited with status $status\" >&2\n"
    // 143: the warning came while the trainer was still starting, before it handles SIGTERM; it had not
    // trained yet, so nothing is lost and the job requeues just the same.
    << "if [ \"$requeue\" -eq 1 ] && { [ \"$status\" -eq 75 ] || [ \"$status\" -eq 143 ]; }; then\n"
    << "  echo \"neurolm-slurm: stopped before the time limit; requeueing job ${SLURM_JOB_ID}\" >&2\n"
    << "  scontrol requeue \"$SLURM_JOB_ID\"\n"
    << "fi\n"
    << "exit \"$status\"\n";
  return s.str();
}

bool isSlurmJobId(const std::string& text) {
  static const std::regex pattern("^[0-9]+(_[0-9]+)?$");
  return std::regex_match(text, pattern);
}

bool SlurmJobStatus::finished() const {
  for (const char* s : {"COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL", "PREEMPTED",
                        "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "SPECIAL_EXIT", "REVOKED"})
    if (state == s) return true;
  return false;
}

std::string SlurmClient::submitTraining(const SlurmTrainSubmission& submission) const {
  const auto script = slurmTrainScript(submission);
  std::error_code ec;
  fs::create_directories(submission.runDir, ec);
  if (ec) throw std::runtime_error(submission.runDir.string() + ": cannot be created: " + ec.message());
  const auto path = slurmScriptPath(submission.runDir);
  writeFileAtomically(path, script);
  fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add, ec);
  return submitScript(path);
}

std::string SlurmClient::submitScript(const fs::path& script) const {
  const std::vector<std::string> argv{programs_.sbatch, "--parsable", script.string()};
  const auto r = runProcess(argv);
  if (r.exitCode != 0) throw std::runtime_error("submitting the job failed: " + failure(argv, r));
  // --parsable prints "JOBID" or "JOBID;CLUSTER".
  const auto id = trim(split(trim(r.out), ';').front());
  if (!isSlurmJobId(id))
    throw std::runtime_error("'" + commandLine(argv) + "' printed no job id; it printed '" + trim(r.out) +
                             "'" + (trim(r.err).empty() ? "" : " and on stderr: " + trim(r.err)));
  return id;
}

SlurmJobStatus SlurmClient::status(const std::string& jobId) const {
  if (!isSlurmJobId(jobId)) throw std::invalid_argument("'" + jobId + "' is not a Slurm job id");
  // The name comes last: it is the only field that may hold the separator.
  const std::vector<std::string> squeue{
      programs_.squeue, "--noheader", "--states=all", "--jobs=" + jobId,
      "--Format=JobID:|,State:|,Reason:|,exit_code:|,TimeUsed:|,TimeLimit:|,NodeList:|,Name:512"};
  const auto q = runProcess(squeue);
  if (q.exitCode == 0) {
    std::istringstream lines(q.out);
    for (std::string line; std::getline(lines, line);) {
      auto f = split(line, '|');
      if (f.size() < 8 || trim(f[0]) != jobId) continue;
      std::string name = f[7];
      for (std::size_t i = 8; i < f.size(); ++i) name += "|" + f[i];
      return {jobId,      trim(f[1]), trim(f[2]), waitStatusText(trim(f[3])), trim(f[4]), trim(f[5]),
              trim(f[6]), trim(name), "squeue"};
    }
  }
  const std::vector<std::string> sacct{
      programs_.sacct, "--noheader",      "--parsable2",
      "--allocations", "--jobs=" + jobId, "--format=JobID,State,ExitCode,Elapsed,Timelimit,NodeList,JobName"};
  ProcessResult a;
  std::string sacctProblem;
  try {
    a = runProcess(sacct);
    if (a.exitCode != 0) sacctProblem = failure(sacct, a);
  } catch (const std::runtime_error& e) {
    sacctProblem = e.what();
  }
  if (sacctProblem.empty()) {
    SlurmJobStatus found;
    std::istringstream lines(a.out);
    for (std::string line; std::getline(lines, line);) {
      auto f = split(line, '|');
      if (f.size() < 7 || trim(f[0]) != jobId) continue;
      std::string name = f[6];
      for (std::size_t i = 7; i < f.size(); ++i) name += "|" + f[i];
      // "CANCELLED by 0" -> CANCELLED; the last line is the latest start of a requeued job.
      found = {jobId,      trim(split(trim(f[1]), ' ').front()),
               "",         trim(f[2]),
               trim(f[3]), trim(f[4]),
               trim(f[5]), trim(name),
               "sacct"};
    }
    if (!found.state.empty()) return found;
    sacctProblem = "'" + commandLine(sacct) + "' has no record of it";
  }
  const std::string squeueProblem =
      q.exitCode == 0 ? "'" + commandLine(squeue) + "' does not list it" : failure(squeue, q);
  throw std::runtime_error("Slurm job " + jobId + " is unknown: " + squeueProblem + "; " + sacctProblem);
}

void SlurmClient::cancel(const std::string& jobId) const {
  if (!isSlurmJobId(jobId)) throw std::invalid_argument("'" + jobId + "' is not a Slurm job id");
  // scancel exits 0 and says nothing for a job that has already ended, so that is checked first.
  const auto before = status(jobId);
  if (before.finished())
    throw std::runtime_error("Slurm job " + jobId + " has already ended (" + before.state +
                             "); nothing to cancel");
  const std::vector<std::string> argv{programs_.scancel, jobId};
  const auto r = runProcess(argv);
  if (r.exitCode != 0 || r.err.find("error") != std::string::npos)
    throw std::runtime_error("cancelling the job failed: " + failure(argv, r));
}

}  // namespace neurolm::jobs
