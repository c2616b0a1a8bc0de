#pragma once
// Runs an external program (sbatch, squeue, …) without a shell and collects what it prints. Used by the job
// launchers; no Qt here, so the CLI and the GUI's job panel share it.
#include <chrono>
#include <string>
#include <vector>

namespace neurolm::jobs {

struct ProcessResult {
  int exitCode = -1;  // the exit status, or -N when the program ended by signal N
  std::string out, err;
};

// Runs argv[0] (searched in PATH when it has no '/') with the given arguments, stdin from /dev/null, and
// waits for it. When it runs longer than `timeout` it is killed and a std::runtime_error names the command.
// Throws std::runtime_error naming the program when it cannot be started (e.g. not installed).
ProcessResult runProcess(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

// The command line as a user would type it in a shell (for messages and scripts): each argument quoted
// when it holds anything but [A-Za-z0-9_./:=@%+,-].
std::string shellQuote(const std::string& arg);
std::string commandLine(const std::vector<std::string>& argv);

}  // namespace neurolm::jobs
