// The chat engine's latency and the whole-recording path, with InferenceRuntime as the app and CLI use it.
//
//   build/bin/bench_chat [--reps N] [--skip-b]
//
// (a) Time to first token of ask() on the sample recording's first page (resources/sample/Subject00_2.edf,
//     window 0:4 s, the Workload prompt): from the call to the first streamed token, median of --reps runs
//     after one warm-up; a tiny `neurolm init` model, and resources/model/neurolm.safetensors when it exists.
//     Target ≤ 300 ms for the embedded model.
// (b) Option scoring (" Yes" / " No") over every 4-s window of the sample with NeuroLM-B-size random weights
//     (written once to /tmp/neurolm-bench-chat-B.safetensors): one window at a time through ask() (one answer
//     token, the least the ask path does) vs scoreWindows() with batch 8 and 16, in the same run; medians of
//     --reps passes after a warm-up, and the ratio. Target ≥ 1.5× for batch 8.
// Never fails on slow numbers; the last line is BENCH_JSON {...}.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/TestPaths.h"
#include "core/system/OpenMpWait.h"
#include "models/runtime/EegWindows.h"
#include "models/runtime/InferenceRuntime.h"
#include "models/runtime/ModelInit.h"

using namespace neurolm;
using namespace neurolm::runtime;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kWorkloadPrompt = "Question: Is this EEG segment of high workload? Answer:";

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n == 0 ? 0.0 : (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]));
}

std::string loadAverage() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

RuntimeOptions optionsFor(const std::filesystem::path& model) {
  RuntimeOptions o;
  o.neuroLmPath = model;
  o.bpeDir = test::resourcesDir() / "tokenizer" / "gpt2";
  o.device = "cpu";
  return o;
}

// Seconds from ask() to the first streamed token; one warm-up, then reps runs.
std::vector<double> timeToFirstToken(InferenceRuntime& rt, const preprocess::PatchGrid& page, int reps) {
  std::vector<double> out;
  for (int i = 0; i <= reps; ++i) {
    AskOptions o;
    o.maxNewTokens = 5;
    const auto start = Clock::now();
    double first = -1;
    rt.ask(page, kWorkloadPrompt, o, [&](const AskToken&) {
        if (first < 0) first = std::chrono::duration<double>(Clock::now() - start).count();
        return true;
      }).get();
    if (i > 0) out.push_back(first);
  }
  return out;
}

std::vector<double> timePasses(int reps, const std::function<void()>& pass) {
  pass();  // warm-up
  std::vector<double> out;
  for (int i = 0; i < reps; ++i) {
    const auto start = Clock::now();
    pass();
    out.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  return out;
}

}  // namespace

// As neurolm and neurolm-studio start (passive OpenMP waiting unless OMP_WAIT_POLICY is set).
NEUROLM_PASSIVE_OPENMP_WAIT_BY_DEFAULT();

int main(int argc, char** argv) {
  int reps = 5;
  bool skipB = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--reps" && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--skip-b") {
      skipB = true;
    } else {
      std::fprintf(stderr, "usage: bench_chat [--reps N] [--skip-b]\n");
      return 2;
    }
  }
  nlohmann::json report;
  report["load_before"] = loadAverage();
  const auto sample = EegSource::openRecording(test::resourcesDir() / "sample" / "Subject00_2.edf");
  const auto page = sample.window({0, 4}, preprocess::kInstructionPaddedLength);

  // (a) time to first token
  const auto tinyPath = std::filesystem::temp_directory_path() / "neurolm-bench-chat-tiny.safetensors";
  initRandomModel({"neurolm", "tiny", 1, tinyPath});
  std::vector<std::pair<std::string, std::filesystem::path>> ttftModels = {{"tiny", tinyPath}};
  const auto embedded = test::resourcesDir() / "model" / "neurolm.safetensors";
  if (std::filesystem::exists(embedded)) ttftModels.emplace_back("embedded", embedded);
  std::printf("(a) time to first token, sample page 0:4 s, Workload prompt (median of %d after a warm-up)\n",
              reps);
  for (const auto& [name, path] : ttftModels) {
    InferenceRuntime rt(optionsFor(path));
    const auto t = timeToFirstToken(rt, page, reps);
    const double ms = 1000 * median(t);
    std::printf("  %-9s %8.1f ms%s\n", name.c_str(), ms,
                name == "embedded"
                    ? (ms <= 300 ? "   (target <= 300 ms: met)" : "   (target <= 300 ms: MISSED)")
                    : "");
    report["ttft_ms"][name] = ms;
    if (name == "tiny") report["device"] = rt.deviceDescription();
  }
  if (ttftModels.size() == 1) std::printf("  embedded  (no %s)\n", embedded.string().c_str());

  // (b) whole recording, B-size weights
  if (!skipB) {
    const auto bPath = std::filesystem::temp_directory_path() / "neurolm-bench-chat-B.safetensors";
    if (!std::filesystem::exists(bPath)) {
      std::printf("writing NeuroLM-B-size random weights to %s ...\n", bPath.string().c_str());
      std::fflush(stdout);
      initRandomModel({"neurolm", "B", 3, bPath});
    }
    std::vector<preprocess::PatchGrid> windows;
    for (const auto& r : slidingWindows({0, sample.durationSec()}, 4, 4))
      windows.push_back(sample.window(r, preprocess::kInstructionPaddedLength));
    const std::vector<std::string> choices = {" Yes", " No"};
    InferenceRuntime rt(optionsFor(bPath));
    std::printf(
        "(b) option scoring of %zu 4-s windows, NeuroLM-B-size weights (median of %d passes after a "
        "warm-up)\n",
        windows.size(), reps);
    std::fflush(stdout);
    const auto oneAtATime = timePasses(reps, [&] {
      AskOptions o;
      o.maxNewTokens = 1;
      o.choices = choices;
      for (const auto& w : windows) rt.ask(w, kWorkloadPrompt, o).get();
    });
    const double single = median(oneAtATime);
    std::printf("  one window at a time (ask)  %8.3f s  %6.2f windows/s\n", single, windows.size() / single);
    report["b_windows"] = windows.size();
    report["b_one_at_a_time_s"] = single;
    for (int batch : {8, 16}) {
      const auto t =
          timePasses(reps, [&] { rt.scoreWindows(windows, kWorkloadPrompt, choices, batch).get(); });
      const double m = median(t);
      std::printf(
          "  scoreWindows batch %-2d       %8.3f s  %6.2f windows/s  %.2fx%s\n", batch, m, windows.size() / m,
          single / m,
          batch == 8 ? (single / m >= 1.5 ? "  (target >= 1.5x: met)" : "  (target >= 1.5x: MISSED)") : "");
      report["b_batch_s"][std::to_string(batch)] = m;
      report["b_ratio"][std::to_string(batch)] = single / m;
    }
  }
  report["load_after"] = loadAverage();
  std::printf("load average before: %s, after: %s\n", report["load_before"].get<std::string>().c_str(),
              report["load_after"].get<std::string>().c_str());
  std::printf("BENCH_JSON %s\n", report.dump().c_str());
  return 0;
}
