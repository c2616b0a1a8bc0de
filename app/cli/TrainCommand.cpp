#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
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

constexpr const char* kUsage = "usage: neurolm train CONFIG.json [--resume] [--json]\n";

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
         "  --json     protocol lines on stdout even when stdout is a terminal (default: a progress bar)\n\n"
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

}  // namespace

int runTrain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string configPath;
  bool resume = false, forceJson = false;
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      printHelp(out);
      return 0;
    } else if (a == "--resume") {
      resume = true;
    } else if (a == "--json") {
      forceJson = true;
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
  return train::runTraining(config, o);
}

}  // namespace neurolm::cli
