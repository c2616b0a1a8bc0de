// `neurolm submit CONFIG --slurm …` and `neurolm jobs status|cancel JOBID`: training runs as Slurm batch
// jobs through core/jobs/SlurmJob.h. The config is read and checked here first, so a bad config is refused
// at once instead of failing in the queue hours later.
#include <cctype>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <regex>
#include <stdexcept>
#include <string>

#include "app/cli/Commands.h"
#include "app/cli/EngineArgs.h"
#include "core/jobs/SlurmJob.h"
#include "models/train/Trainer.h"

namespace fs = std::filesystem;

namespace neurolm::cli {
namespace {

constexpr const char* kSubmitUsage =
    "usage: neurolm submit CONFIG.json --slurm [--partition P] [--time T] [--cpus N] [--mem SIZE]\n"
    "                      [--gpus N] [--job-name NAME] [--stop-warning SEC] [--json]\n";
constexpr const char* kJobsUsage =
    "usage: neurolm jobs status JOBID [--json]\n"
    "       neurolm jobs cancel JOBID [--json]\n";

void printSubmitHelp(std::ostream& out) {
  out << kSubmitUsage
      << "\nSubmits `neurolm train CONFIG.json --resume --json` as a Slurm batch job and prints its job id.\n"
         "The config is checked first. The batch script is written to run_dir/slurm.sbatch (submit it again\n"
         "by hand with sbatch), the job's output to run_dir/slurm-JOBID.out and the job protocol, as for\n"
         "`neurolm train`, to run_dir/log.jsonl. run_dir, the config and this neurolm executable must be on\n"
         "a file system the compute nodes share.\n\n"
         "  --slurm            submit to Slurm with sbatch (the scheduler this command knows)\n"
         "  --partition P      the partition (default: the cluster's default partition)\n"
         "  --time T           time limit, in a form sbatch takes: MIN, MIN:SEC, H:MIN:SEC, D-H, D-H:MIN,\n"
         "                     D-H:MIN:SEC (default: the partition's limit)\n"
         "  --cpus N           CPUs for the trainer (--cpus-per-task, and its OMP_NUM_THREADS; default 1)\n"
         "  --mem SIZE         memory, e.g. 8G, 500M, 8000 (MB) (default: the partition's default)\n"
         "  --gpus N           GPUs (--gres=gpu:N); the config's device should then be cuda or auto\n"
         "  --job-name NAME    default neurolm-STAGE-RUNDIRNAME\n"
         "  --stop-warning SEC Slurm signals the job this long before the time limit (default 60): the\n"
         "                     trainer finishes its step, writes a checkpoint and the job requeues itself,\n"
         "                     continuing from that checkpoint; 0: no warning (the run then ends TIMEOUT).\n"
         "                     Slurm may send it up to 60 s earlier than asked\n"
         "  --json             one JSON object: {job_id, script, output, log, run_dir, scheduler}\n\n"
         "The job is requeue-safe (#SBATCH --requeue, and the trainer runs with --resume): after a node\n"
         "failure, a preemption or the time limit it continues from run_dir/checkpoints/latest.json.\n"
         "Follow it with `neurolm jobs status JOBID`; stop it with `neurolm jobs cancel JOBID`.\n"
         "Slurm's clients are run from PATH; SLURM_CONF, if set, names the cluster's slurm.conf.\n";
}

void printJobsHelp(std::ostream& out) {
  out << kJobsUsage
      << "\nSlurm jobs submitted with `neurolm submit`.\n\n"
         "  status JOBID   the job's state (PENDING, RUNNING, COMPLETED, CANCELLED, FAILED, TIMEOUT, …),\n"
         "                 reason, exit code, time used and limit, nodes and name; from squeue while the\n"
         "                 controller remembers the job (MinJobAge, 300 s by default, after it ends), else\n"
         "                 from sacct when the cluster keeps accounting\n"
         "  cancel JOBID   scancel: Slurm sends SIGTERM, the trainer finishes its step and writes a\n"
         "                 checkpoint (resume with `neurolm train CONFIG --resume` or a new submit), then\n"
         "                 the job ends CANCELLED\n\n"
         "  --json         status: one JSON object {job_id, state, finished, reason, exit_code, elapsed,\n"
         "                 time_limit, nodes, name, source}; cancel: {job_id, cancelled:true}\n"
         "Exit codes: 0 ok, 1 Slurm refused or does not know the job, 2 usage.\n";
}

// sbatch's --time forms: MIN, MIN:SEC, H:MIN:SEC, D-H, D-H:MIN, D-H:MIN:SEC.
std::chrono::seconds parseSlurmTime(const std::string& text) {
  static const std::regex plain(R"(^(\d+)(?::(\d+))?(?::(\d+))?$)");
  static const std::regex days(R"(^(\d+)-(\d+)(?::(\d+))?(?::(\d+))?$)");
  std::smatch m;
  auto num = [&](int i) { return m[i].matched ? std::stoll(m[i].str()) : 0LL; };
  long long sec = -1;
  if (std::regex_match(text, m, days)) {
    sec = num(1) * 86400 + num(2) * 3600 + num(3) * 60 + num(4);
  } else if (std::regex_match(text, m, plain)) {
    if (m[3].matched)
      sec = num(1) * 3600 + num(2) * 60 + num(3);
    else
      sec = num(1) * 60 + num(2);
  }
  if (sec <= 0 || text.size() > 20)
    throw std::invalid_argument("--time '" + text +
                                "' is not a time limit; expected MIN, MIN:SEC, H:MIN:SEC, D-H, D-H:MIN or "
                                "D-H:MIN:SEC, more than zero");
  return std::chrono::seconds(sec);
}

int64_t parseMemoryMb(const std::string& text) {
  static const std::regex pattern(R"(^(\d+)([KkMmGgTt]?)$)");
  std::smatch m;
  if (text.size() > 15 || !std::regex_match(text, m, pattern) || std::stoll(m[1].str()) == 0)
    throw std::invalid_argument("--mem '" + text +
                                "' is not a memory size; expected e.g. 8G, 500M or 8000 (MB)");
  const long long n = std::stoll(m[1].str());
  switch (m[2].matched && m[2].length() ? std::toupper(m[2].str()[0]) : 'M') {
    case 'K':
      return (n + 1023) / 1024;
    case 'G':
      return n * 1024;
    case 'T':
      return n * 1024 * 1024;
    default:
      return n;
  }
}

int parseCount(const std::string& option, const std::string& text, int min) {
  static const std::regex digits(R"(^\d{1,6}$)");
  if (!std::regex_match(text, digits) || std::stoi(text) < min)
    throw std::invalid_argument(option + " '" + text + "' must be a whole number ≥ " + std::to_string(min));
  return std::stoi(text);
}

// The neurolm executable the job runs: this program, or the neurolm beside it when this is another program
// embedding the CLI (the tests).
fs::path neurolmExecutable() {
  std::error_code ec;
  const auto self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find this program's path (/proc/self/exe): " + ec.message());
  if (self.filename() == "neurolm") return self;
  const auto beside = self.parent_path() / "neurolm";
  if (fs::exists(beside)) return beside;
  throw std::runtime_error("no neurolm executable at " + beside.string() + " for the job to run");
}

nlohmann::json statusJson(const jobs::SlurmJobStatus& s) {
  return {{"job_id", s.jobId},         {"state", s.state},        {"finished", s.finished()},
          {"reason", s.reason},        {"exit_code", s.exitCode}, {"elapsed", s.elapsed},
          {"time_limit", s.timeLimit}, {"nodes", s.nodes},        {"name", s.name},
          {"source", s.source}};
}

}  // namespace

int runSubmit(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string configArg;
  bool slurm = false, json = false;
  jobs::SlurmTrainSubmission sub;
  try {
    for (std::size_t i = 0; i < args.size(); ++i) {
      const auto& a = args[i];
      if (a == "--help" || a == "-h") {
        printSubmitHelp(out);
        return 0;
      } else if (a == "--slurm") {
        slurm = true;
      } else if (a == "--json") {
        json = true;
      } else if (a == "--partition") {
        sub.resources.partition = optionValue(args, i);
      } else if (a == "--time") {
        sub.resources.timeLimit = parseSlurmTime(optionValue(args, i));
      } else if (a == "--cpus") {
        sub.resources.cpusPerTask = parseCount("--cpus", optionValue(args, i), 1);
      } else if (a == "--mem") {
        sub.resources.memoryMb = parseMemoryMb(optionValue(args, i));
      } else if (a == "--gpus") {
        sub.resources.gpus = parseCount("--gpus", optionValue(args, i), 0);
      } else if (a == "--job-name") {
        sub.jobName = optionValue(args, i);
      } else if (a == "--stop-warning") {
        sub.resources.stopWarning =
            std::chrono::seconds(parseCount("--stop-warning", optionValue(args, i), 0));
      } else if (!a.empty() && a[0] == '-') {
        err << "neurolm submit: unexpected option '" << a << "'\n" << kSubmitUsage;
        return 2;
      } else if (configArg.empty()) {
        configArg = a;
      } else {
        err << "neurolm submit: more than one config given\n" << kSubmitUsage;
        return 2;
      }
    }
  } catch (const std::invalid_argument& e) {
    err << "neurolm submit: " << e.what() << "\n" << kSubmitUsage;
    return 2;
  }
  if (configArg.empty()) {
    err << "neurolm submit: need CONFIG.json\n" << kSubmitUsage;
    return 2;
  }
  if (!slurm) {
    err << "neurolm submit: say where the job goes: --slurm (the scheduler this command knows)\n"
        << kSubmitUsage;
    return 2;
  }
  const auto config = train::readTrainConfig(configArg);
  sub.configPath = fs::absolute(configArg).lexically_normal();
  sub.runDir = fs::absolute(config.runDir).lexically_normal();
  sub.neurolmExecutable = neurolmExecutable();
  if (sub.jobName.empty()) sub.jobName = "neurolm-" + config.stage + "-" + sub.runDir.filename().string();
  if (sub.resources.gpus > 0 && config.device == "cpu")
    err << "neurolm submit: warning: " << sub.resources.gpus << " GPU(s) asked for, but " << configArg
        << " trains on device \"cpu\"; set \"device\": \"cuda\" or \"auto\" to use them\n";
  if (sub.resources.gpus == 0 && config.device == "cuda")
    err << "neurolm submit: warning: " << configArg
        << " trains on device \"cuda\" but no GPU is asked for; add --gpus N\n";

  const auto jobId = jobs::SlurmClient().submitTraining(sub);
  const auto script = jobs::slurmScriptPath(sub.runDir);
  const auto output = sub.runDir / ("slurm-" + jobId + ".out");
  const auto log = sub.runDir / "log.jsonl";
  if (json) {
    out << nlohmann::json{{"job_id", jobId},           {"scheduler", "slurm"},
                          {"script", script.string()}, {"output", output.string()},
                          {"log", log.string()},       {"run_dir", sub.runDir.string()}}
               .dump()
        << "\n";
  } else {
    out << "Slurm job " << jobId << " submitted (" << sub.jobName << ")\n"
        << "  script  " << script.string() << "\n"
        << "  output  " << output.string() << "\n"
        << "  log     " << log.string() << "\n"
        << "follow it with: neurolm jobs status " << jobId << "\n";
  }
  return 0;
}

int runJobs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string action, jobId;
  bool json = false;
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      printJobsHelp(out);
      return 0;
    } else if (a == "--json") {
      json = true;
    } else if (!a.empty() && a[0] == '-') {
      err << "neurolm jobs: unexpected option '" << a << "'\n" << kJobsUsage;
      return 2;
    } else if (action.empty()) {
      action = a;
    } else if (jobId.empty()) {
      jobId = a;
    } else {
      err << "neurolm jobs: unexpected argument '" << a << "'\n" << kJobsUsage;
      return 2;
    }
  }
  if (action != "status" && action != "cancel") {
    err << "neurolm jobs: " << (action.empty() ? "need an action" : "unknown action '" + action + "'")
        << "; expected status or cancel\n"
        << kJobsUsage;
    return 2;
  }
  if (!jobs::isSlurmJobId(jobId)) {
    err << "neurolm jobs " << action << ": "
        << (jobId.empty() ? std::string("need JOBID") : "'" + jobId + "' is not a Slurm job id") << "\n"
        << kJobsUsage;
    return 2;
  }
  const jobs::SlurmClient slurm;
  if (action == "cancel") {
    slurm.cancel(jobId);
    if (json)
      out << nlohmann::json{{"job_id", jobId}, {"cancelled", true}}.dump() << "\n";
    else
      out << "Slurm job " << jobId << ": cancel sent (the trainer writes a checkpoint and stops)\n";
    return 0;
  }
  const auto s = slurm.status(jobId);
  if (json) {
    out << statusJson(s).dump() << "\n";
  } else {
    out << s.jobId << " " << s.state;
    if (!s.reason.empty() && s.reason != "None") out << " (" << s.reason << ")";
    out << "  exit " << (s.exitCode.empty() ? "-" : s.exitCode) << "  time " << s.elapsed << " of "
        << s.timeLimit << "  nodes " << (s.nodes.empty() ? "-" : s.nodes) << "  " << s.name << "  ["
        << s.source << "]\n";
  }
  return 0;
}

}  // namespace neurolm::cli
