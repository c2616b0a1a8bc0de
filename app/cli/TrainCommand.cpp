#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>
#include <string>
#include <thread>

#include "app/cli/Commands.h"
#include "app/cli/EngineArgs.h"
#include "models/train/Trainer.h"

namespace neurolm::cli {
namespace {

constexpr const char* kUsage = "usage: neurolm train CONFIG.json [--resume] [--json] [--nproc N]\n";

std::atomic<bool> gStop{false};
extern "C" void onStopSignal(int) { gStop.store(true); }

void printHelp(std::ostream& out) {
  out << kUsage
      << "\nRuns one NeuroLM training stage (vq, pretrain or instruct) as described by CONFIG.json; every "
         "key\n"
         "and its default is listed in docs/training.md. The run folder (run_dir) receives config.json "
         "(every\n"
         "value, defaults included), splits.json, log.jsonl (the job protocol), checkpoints/ and, when "
         "done,\n"
         "model.safetensors (usable by `neurolm ask` / `tokenize` and by the next stage).\n\n"
         "  --resume   continue the run in run_dir from its last complete checkpoint (model, optimizer,\n"
         "             schedule position, RNG and data position); starts afresh when it has none yet\n"
         "  --json     protocol lines on stdout even when stdout is a terminal (default: a progress bar)\n"
         "  --nproc N  data-parallel training in N local processes (Gloo): batch_size is per process, so "
         "the\n"
         "             global batch is N x batch_size; process 0 reports and writes the checkpoints. On a\n"
         "             cluster, start one process per rank with NEUROLM_DIST_WORLD / NEUROLM_DIST_RANK (or\n"
         "             Slurm's SLURM_NTASKS / SLURM_PROCID), NEUROLM_DIST_STORE (a rendezvous file on a "
         "shared\n"
         "             folder) and NEUROLM_DIST_HOST (this node's address)\n\n"
         "Job protocol: one JSON object per line on stdout (not a terminal, or --json) and in\n"
         "run_dir/log.jsonl. Every object has \"event\" and \"time\" (UTC ISO 8601):\n"
         "  prepare    files_done, files_total                       (dataset preparation)\n"
         "  start      stage, run_dir, total, steps_per_epoch, device, threads, train_windows, shards,\n"
         "             shards_from_cache, resumed_from (step or null)\n"
         "  progress   step (done), total, epoch, loss, parts {named loss components}, lr, grad_norm,\n"
         "             samples_per_sec, eta_sec, device, memory_mb (resident)\n"
         "  metrics    split, step, epoch, values {mean loss components on that split}\n"
         "  checkpoint step, path                                   (complete and atomically written)\n"
         "  done       step, model (path of model.safetensors)\n"
         "  stopped    step, exit_code                              (after a requested stop)\n"
         "  error      message\n\n"
         "Stop: a line \"stop\" on stdin, or SIGTERM/SIGINT, finishes the current step, writes a checkpoint\n"
         "and exits with code 75; resume with --resume. Exit codes: 0 done, 75 stopped, 1 error, 2 usage.\n";
}

std::string bar(const nlohmann::json& e) {
  const double step = e.value("step", 0.0), total = std::max(1.0, e.value("total", 1.0));
  const int width = 30, filled = static_cast<int>(width * step / total);
  char buf[256];
  std::snprintf(buf, sizeof buf, "\r[%-*s] %6.0f/%-6.0f loss %.4f lr %.2e %.1f samples/s ETA %.0fs ", width,
                std::string(static_cast<std::size_t>(filled), '#').c_str(), step, total, e.value("loss", 0.0),
                e.value("lr", 0.0), e.value("samples_per_sec", 0.0), e.value("eta_sec", 0.0));
  return buf;
}

// Runs `neurolm train` in `nproc` child processes (ranks), relays rank 0's protocol lines, forwards a stop
// to every rank, and stops the others when one fails.
int launchLocal(const std::string& configPath, const train::TrainConfig& config, int nproc, bool resume,
                const std::function<void(const nlohmann::json&)>& onEvent, std::ostream& err) {
  std::filesystem::create_directories(config.runDir);
  const auto store = config.runDir / (".rendezvous-" + std::to_string(getpid()));
  std::filesystem::remove(store);
  std::vector<pid_t> pids;
  int rank0Out = -1;
  for (int rank = 0; rank < nproc; ++rank) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("neurolm train --nproc: pipe failed");
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("neurolm train --nproc: fork failed");
    if (pid == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      const int devNull = open("/dev/null", O_RDONLY);
      dup2(devNull, STDIN_FILENO);  // stops come from the parent as SIGTERM
      setenv("NEUROLM_DIST_WORLD", std::to_string(nproc).c_str(), 1);
      setenv("NEUROLM_DIST_RANK", std::to_string(rank).c_str(), 1);
      setenv("NEUROLM_DIST_STORE", store.c_str(), 1);
      std::vector<std::string> args{"/proc/self/exe", "train", configPath, "--json"};
      if (resume) args.push_back("--resume");
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv("/proc/self/exe", argv.data());
      _exit(127);
    }
    close(fds[1]);
    if (rank == 0)
      rank0Out = fds[0];
    else
      close(fds[0]);  // the other ranks report nothing
    pids.push_back(pid);
  }
  std::vector<int> codes(pids.size(), -1);
  std::string pending;
  bool stopForwarded = false, failed = false;
  auto alive = [&] {
    for (int c : codes)
      if (c == -1) return true;
    return false;
  };
  while (alive()) {
    pollfd pfd{rank0Out, POLLIN, 0};
    if (rank0Out >= 0 && poll(&pfd, 1, 100) > 0) {
      char buf[4096];
      const auto n = read(rank0Out, buf, sizeof buf);
      if (n > 0) {
        pending.append(buf, static_cast<std::size_t>(n));
        for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
          const auto line = pending.substr(0, nl);
          pending.erase(0, nl + 1);
          const auto j = nlohmann::json::parse(line, nullptr, false);
          if (!j.is_discarded()) onEvent(j);
        }
      } else {
        close(rank0Out);
        rank0Out = -1;
      }
    } else if (rank0Out < 0) {
      usleep(100000);
    }
    if (gStop.load() && !stopForwarded) {
      for (auto pid : pids) kill(pid, SIGTERM);
      stopForwarded = true;
    }
    for (std::size_t r = 0; r < pids.size(); ++r) {
      if (codes[r] != -1) continue;
      int status = 0;
      if (waitpid(pids[r], &status, WNOHANG) == pids[r]) {
        codes[r] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (codes[r] != 0 && codes[r] != train::kStoppedExitCode && !failed) {
          failed = true;
          err << "neurolm train: rank " << r << " failed (exit " << codes[r] << "); stopping the others\n";
          for (auto pid : pids) kill(pid, SIGKILL);
        }
      }
    }
  }
  if (rank0Out >= 0) close(rank0Out);
  std::filesystem::remove(store);
  for (int c : codes)
    if (c != 0 && c != train::kStoppedExitCode) return 1;
  return codes[0];
}
}  // namespace

int runTrain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string configPath;
  bool resume = false, forceJson = false;
  int nproc = 1;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--help" || a == "-h") {
      printHelp(out);
      return 0;
    } else if (a == "--resume") {
      resume = true;
    } else if (a == "--json") {
      forceJson = true;
    } else if (a == "--nproc") {
      const auto& v = optionValue(args, i);
      try {
        std::size_t used = 0;
        nproc = std::stoi(v, &used);
        if (used != v.size() || nproc < 1 || nproc > 256) throw std::invalid_argument(v);
      } catch (const std::exception&) {
        throw std::invalid_argument("--nproc '" + v + "' is not a process count (1…256)");
      }
    } else if (!a.empty() && a[0] == '-') {
      err << "neurolm train: unexpected option '" << a << "'\n" << kUsage;
      return 2;
    } else if (configPath.empty()) {
      configPath = a;
    } else {
      err << "neurolm train: more than one config given\n" << kUsage;
      return 2;
    }
  }
  if (configPath.empty()) {
    err << "neurolm train: need CONFIG.json\n" << kUsage;
    return 2;
  }
  const auto config = train::readTrainConfig(configPath);

  gStop.store(false);
  struct sigaction sa {};
  sa.sa_handler = onStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  // "stop" on stdin (the GUI's graceful cancel). Detached: a blocked read must not keep the process alive.
  std::thread([] {
    std::string line;
    while (std::getline(std::cin, line))
      if (line == "stop" || line == "stop\r") {
        gStop.store(true);
        return;
      }
  }).detach();

  const bool tty = &out == &std::cout && isatty(STDOUT_FILENO) && !forceJson;
  train::TrainOptions o;
  o.resume = resume;
  o.stopRequested = &gStop;
  o.bpeDir = std::filesystem::path(NEUROLM_RESOURCES_DIR) / "tokenizer" / "gpt2";
  o.onEvent = [&](const nlohmann::json& e) {
    if (!tty) {
      out << e.dump() << std::endl;
      return;
    }
    const auto kind = e.value("event", "");
    if (kind == "progress")
      out << bar(e) << std::flush;
    else if (kind == "start")
      out << "training " << e.value("stage", "") << " in " << e.value("run_dir", "") << "\n";
    else if (kind == "done")
      out << "\ndone: " << e.value("model", "") << "\n";
    else if (kind == "stopped")
      out << "\nstopped at step " << e.value("step", 0) << " (resume with --resume)\n";
    else if (kind == "metrics")
      out << "\n" << e.value("split", "") << ": " << e["values"].dump() << "\n";
  };
  if (nproc > 1) {
    if (config.stage == "eval") throw std::invalid_argument("--nproc: the eval stage runs in one process");
    return launchLocal(configPath, config, nproc, resume, o.onEvent, err);
  }
  return train::runTraining(config, o);
}

}  // namespace neurolm::cli
