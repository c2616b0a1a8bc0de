#pragma once
// Training jobs on a Slurm cluster: the batch script of a `neurolm train CONFIG --resume --json` run, and
// sbatch / squeue / sacct / scancel through their command-line clients (the way a user would, so any
// cluster the user can reach by hand works, with no Slurm library linked). Shared by the CLI
// (`neurolm submit`, `neurolm jobs`) and the GUI's job panel.
//
// The script makes a job requeue-safe: `--requeue` lets Slurm restart it after a node failure or a
// preemption, and the trainer always runs with `--resume`, so a restarted job continues from
// <run_dir>/checkpoints/latest.json. Before the time limit Slurm sends the batch shell SIGUSR1
// (`--signal=B:USR1@stopWarning`); the shell passes SIGTERM on to the trainer (finish the step, checkpoint,
// exit 75) and then requeues the job itself, so a long run goes on in the next slot. A plain SIGTERM
// (scancel, preemption) is passed on too, without the requeue.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace neurolm::jobs {

struct SlurmResources {
  std::string partition;                 // empty: the cluster's default partition
  std::chrono::seconds timeLimit{0};     // 0: the partition's default limit
  int cpusPerTask = 1;                   // --cpus-per-task; the trainer's OMP_NUM_THREADS
  int64_t memoryMb = 0;                  // --mem; 0: the partition's default
  int gpus = 0;                          // > 0: --gres=gpu:N
  std::chrono::seconds stopWarning{60};  // SIGUSR1 this long before the time limit; 0: none
};

struct SlurmTrainSubmission {
  std::filesystem::path neurolmExecutable;  // must be reachable on the compute nodes (shared file system)
  std::filesystem::path configPath;         // the training config (CONFIG.json)
  std::filesystem::path runDir;             // the config's run_dir: receives the script and the job's output
  std::string jobName;
  SlurmResources resources;
};

// Where the script and the job's stdout/stderr go (%j: the job id, expanded by Slurm).
std::filesystem::path slurmScriptPath(const std::filesystem::path& runDir);     // <run_dir>/slurm.sbatch
std::filesystem::path slurmOutputPattern(const std::filesystem::path& runDir);  // <run_dir>/slurm-%j.out

// The batch script. Throws std::invalid_argument naming the field when a value cannot be expressed
// (relative paths, a newline or '"' in a path or name, cpus < 1, a warning not shorter than the limit).
std::string slurmTrainScript(const SlurmTrainSubmission& submission);

// D-HH:MM:SS as sbatch --time takes it.
std::string formatSlurmTime(std::chrono::seconds duration);

struct SlurmJobStatus {
  std::string jobId;
  std::string state;  // Slurm's word: PENDING, RUNNING, COMPLETING, COMPLETED, CANCELLED, FAILED, TIMEOUT, …
  std::string reason;    // why pending or how it ended (squeue), empty from sacct
  std::string exitCode;  // "status:signal" as sacct writes it ("0:0" done, "75:0" stopped, "0:15" SIGTERM)
  std::string elapsed, timeLimit, nodes, name;
  std::string source;     // "squeue" or "sacct"
  bool finished() const;  // a final state: the job will not run again by itself
};

class SlurmClient {
 public:
  // The client programs (searched in PATH unless they hold a '/').
  struct Programs {
    std::string sbatch = "sbatch", squeue = "squeue", sacct = "sacct", scancel = "scancel";
  };
  SlurmClient() = default;
  explicit SlurmClient(Programs programs) : programs_(std::move(programs)) {}

  // Writes the script to slurmScriptPath(runDir) (creating run_dir) and submits it with
  // `sbatch --parsable`. Returns the job id. Throws std::runtime_error naming the command and quoting its
  // stderr when sbatch is missing or refuses the job.
  std::string submitTraining(const SlurmTrainSubmission& submission) const;
  // `sbatch --parsable SCRIPT`: the job id of an existing script.
  std::string submitScript(const std::filesystem::path& script) const;

  // The job's state from squeue (while the controller remembers the job, MinJobAge after it ends), else
  // from sacct (when accounting storage is on). Throws std::runtime_error quoting both when neither knows it.
  SlurmJobStatus status(const std::string& jobId) const;

  // `scancel JOBID`: Slurm sends SIGTERM (the trainer checkpoints and stops) and SIGKILL after KillWait.
  // Throws std::runtime_error when the job has already ended or is unknown (status()), or quoting scancel's
  // stderr when it refuses.
  void cancel(const std::string& jobId) const;

 private:
  Programs programs_;
};

// A job id as sbatch --parsable prints it: digits, optionally _N for an array task.
bool isSlurmJobId(const std::string& text);

}  // namespace neurolm::jobs
