// NeuroLM-B inference benchmark on the CPU, against a PyTorch-eager reference measured in the same run
// (tests/bench/ref_model.py, started as a child with the same BLAS and thread count). Random weights with fixed
// seeds on both sides (speed is compared, not values), float32, 2 threads.
//
//   build-mb/bin/bench_model [--reps N] [--slow-reps N] [--decode-tokens N] [--no-ref]
//   build-mb/bin/bench_model --rss [--drop-padding]   (child mode: one Workload answer, prints VmHWM)
//   build-mb/bin/bench_model --decode-only [--slow-reps N] [--decode-tokens N]   (profiling aid: only (3))
//   --no-few-rows-kernel: every linear through torch::linear (to compare with nn/CpuKernels)
//   --profile FILE: LibTorch's op profile (chrome trace) of one 1024-token encoder pass and one answer
//   --no-ref-passive: skip the second reference run with OMP_WAIT_POLICY=PASSIVE (info rows)
//   --threads-policy auto|single-pool|stock: the runtime's CPU thread policy (nn/CpuKernels.h; default auto)
//   --active-wait: keep libgomp's default spinning (OMP_WAIT_POLICY not defaulted to PASSIVE, see
//     core/system/OpenMpWait.h), i.e. what a plain LibTorch program gets
//
// Measured: (1) tokenizer encoder (12 × 768) on a Workload sample (76 real of 276 tokens) and a
// pre-training-like sample (19 × 53 s = 1007 real of 1024), padded and with the §8.33 real-token shortcut;
// (2) one Workload answer (5 tokens after 276 EEG + 13 prompt tokens): KV cache, KV cache + dropEegPadding,
// official-quirk full recomputation, and the reference's official generate; (3) decode tokens/s against
// memory bandwidth / fp32 weight bytes read per token (bandwidth measured here); (4) peak RSS of a process
// that builds NeuroLM-B and answers once, against the fp32 weight size. Never fails on slow numbers.
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/system/BlasInfo.h"
#include "core/system/OpenMpWait.h"
#include "models/nn/CpuKernels.h"
#include "models/nn/EegBatch.h"
#include "models/nn/Generation.h"
#include "models/nn/NeuroLm.h"

namespace nn = neurolm::nn;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

constexpr int kThreads = 2;
// Workload (spec §1.3, §7.5): channel vocabulary indices of the 19 EEGMAT channels and the evaluation input.
const std::vector<int64_t> kWorkloadChans = {0, 2, 17, 21, 15, 23, 88, 90, 39, 43, 89, 91, 61, 65, 80, 82, 19, 41, 63};
const std::vector<int64_t> kWorkloadPrompt = {50257, 24361, 25, 1148, 428, 48749, 10618, 286, 1029, 26211, 30, 23998, 25};

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::vector<double> timeRuns(int reps, const std::function<void()>& fn) {
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    const auto start = Clock::now();
    fn();
    t.push_back(seconds(Clock::now() - start));
  }
  return t;
}

std::string loadAverage() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

int64_t statusKb(const std::string& field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  return -1;
}

// 19 channels × `secondsReal` real patches (time-major), zero padding up to `padded` (channel 136).
nn::EegBatch eegSample(int64_t secondsReal, int64_t padded, uint64_t seed) {
  torch::manual_seed(seed);
  const auto n = static_cast<int64_t>(kWorkloadChans.size());
  const int64_t v = n * secondsReal;
  nn::EegBatch b{torch::zeros({1, padded, 200}), torch::full({1, padded}, 136, torch::kLong),
                 torch::zeros({1, padded}, torch::kLong), torch::zeros({1, padded}, torch::kBool)};
  b.x.narrow(1, 0, v).copy_(torch::randn({1, v, 200}));
  const auto chans = torch::tensor(kWorkloadChans).repeat({secondsReal});              // [V]
  const auto time = torch::arange(secondsReal).repeat_interleave(n);                   // [V]
  b.inputChans.narrow(1, 0, v).copy_(chans.unsqueeze(0));
  b.inputTime.narrow(1, 0, v).copy_(time.unsqueeze(0));
  b.inputMask.narrow(1, 0, v).fill_(true);
  return b;
}

torch::Tensor workloadPrompt() { return torch::tensor(kWorkloadPrompt).unsqueeze(0); }  // [1, 13]

nn::NeuroLM makeModelB() {
  torch::manual_seed(1234);
  nn::NeuroLM model(nn::NeuroLmConfig::B());
  model->eval();
  return model;
}

// Read bandwidth: sum of a `bytes` buffer of uint64 with `threads` threads (each its own half), median.
double readBandwidthGBs(size_t bytes, int threads, int reps) {
  const size_t n = bytes / sizeof(uint64_t);
  std::unique_ptr<uint64_t[]> buf(new uint64_t[n]);  // NOLINT: plain buffer, owned
  for (size_t i = 0; i < n; ++i) buf[i] = i;          // touch every page
  std::vector<double> t;
  volatile uint64_t sink = 0;
  for (int r = 0; r < reps; ++r) {
    std::vector<uint64_t> partial(static_cast<size_t>(threads), 0);
    const auto start = Clock::now();
    std::vector<std::thread> pool;
    for (int k = 0; k < threads; ++k)
      pool.emplace_back([&, k] {
        const size_t lo = n * static_cast<size_t>(k) / static_cast<size_t>(threads);
        const size_t hi = n * static_cast<size_t>(k + 1) / static_cast<size_t>(threads);
        uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        size_t i = lo;
        for (; i + 4 <= hi; i += 4) {
          s0 += buf[i];
          s1 += buf[i + 1];
          s2 += buf[i + 2];
          s3 += buf[i + 3];
        }
        for (; i < hi; ++i) s0 += buf[i];
        partial[static_cast<size_t>(k)] = s0 + s1 + s2 + s3;
      });
    for (auto& th : pool) th.join();
    t.push_back(seconds(Clock::now() - start));
    sink = sink + std::accumulate(partial.begin(), partial.end(), uint64_t{0});
  }
  return static_cast<double>(bytes) / median(t) / 1e9;
}

// memcpy bandwidth (read + write bytes counted), one thread, median.
double memcpyBandwidthGBs(size_t bytes, int reps) {
  std::unique_ptr<char[]> src(new char[bytes]);  // NOLINT: plain buffers, owned
  std::unique_ptr<char[]> dst(new char[bytes]);  // NOLINT
  std::memset(src.get(), 1, bytes);
  std::memset(dst.get(), 0, bytes);
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    const auto start = Clock::now();
    std::memcpy(dst.get(), src.get(), bytes);
    t.push_back(seconds(Clock::now() - start));
  }
  if (dst[bytes / 2] != 1) throw std::runtime_error("memcpy check failed");
  return 2.0 * static_cast<double>(bytes) / median(t) / 1e9;
}

// Child mode: build NeuroLM-B, answer one Workload sample, report the peak RSS.
int rssMode(bool dropPadding) {
  torch::set_num_threads(kThreads);
  torch::NoGradGuard noGrad;
  const int64_t afterLoad = statusKb("VmHWM");
  auto model = makeModelB();
  const int64_t afterBuild = statusKb("VmHWM");
  nn::GenerateOptions o;
  o.dropEegPadding = dropPadding;
  const auto r = nn::generate(*model, eegSample(4, 276, 7), workloadPrompt(), o);
  int64_t params = 0;
  for (const auto& p : model->parameters()) params += p.numel();
  json j{{"vmhwm_kb", statusKb("VmHWM")},
         {"vmhwm_before_model_kb", afterLoad},
         {"vmhwm_after_build_kb", afterBuild},
         {"vmrss_kb", statusKb("VmRSS")},
         {"params", params},
         {"generated", r.ids.size(1)}};
  std::printf("RSS_JSON %s\n", j.dump().c_str());
  return 0;
}

// Profiling aid: LibTorch's op profiler (chrome trace JSON) over one padded 1024-token encoder forward and
// one Workload answer with dropEegPadding.
int profileMode(const std::string& file) {
  torch::NoGradGuard noGrad;
  auto model = makeModelB();
  const auto eeg1024 = eegSample(53, 1024, 7);
  const auto eeg = eegSample(4, 276, 7);
  nn::GenerateOptions o;
  o.dropEegPadding = true;
  model->tokenizer->forward(eeg1024);  // warm-up
  {
    torch::autograd::profiler::RecordProfile guard(file);
    model->tokenizer->forward(eeg1024);
    nn::generate(*model, eeg, workloadPrompt(), o);
  }
  std::printf("profile written to %s\n", file.c_str());
  return 0;
}

// Runs `command`, returns the JSON after the first line starting with `tag`.
json childJson(const std::string& command, const std::string& tag) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) throw std::runtime_error("cannot start: " + command);
  char line[1 << 16];
  json result;
  while (std::fgets(line, sizeof line, pipe.get())) {
    const std::string s(line);
    if (s.rfind(tag + " ", 0) == 0) result = json::parse(s.substr(tag.size() + 1));
  }
  if (result.is_null()) throw std::runtime_error("no '" + tag + "' line from: " + command);
  return result;
}

std::string selfExe() {
  char buf[4096];
  const auto n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw std::runtime_error("cannot read /proc/self/exe");
  return std::string(buf, static_cast<size_t>(n));
}

struct Row {
  std::string name;
  std::string ours;
  std::string reference;
  double ratio = 0.0;  // > 1 = ours better
  std::string target;
  std::string met;
};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

// As neurolm and neurolm-studio do (before libgomp starts), unless --active-wait.
static void benchOpenMpWait(int argc, char** argv, char** envp) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--active-wait") == 0) return;
  neurolm::passiveOpenMpWaitPreinit(argc, argv, envp);
}
NEUROLM_PREINIT(benchOpenMpWait);

int main(int argc, char** argv) {
  int reps = 5, slowReps = 3, decodeTokens = 32;
  bool withRef = true, withRefPassive = true, rss = false, dropPadding = false, decodeOnly = false, activeWait = false;
  std::string threadPolicy = "auto";
  std::string profileFile;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return std::stoi(argv[++i]);
    };
    if (a == "--reps") reps = next();
    else if (a == "--slow-reps") slowReps = next();
    else if (a == "--decode-tokens") decodeTokens = next();
    else if (a == "--no-ref") withRef = false;
    else if (a == "--no-ref-passive") withRefPassive = false;
    else if (a == "--rss") rss = true;
    else if (a == "--drop-padding") dropPadding = true;
    else if (a == "--decode-only") decodeOnly = true;
    else if (a == "--no-few-rows-kernel") neurolm::nn::cpu::setFewRowsKernelEnabled(false);
    else if (a == "--threads-policy") {
      if (i + 1 >= argc) throw std::invalid_argument("--threads-policy needs auto|single-pool|stock");
      threadPolicy = argv[++i];
    } else if (a == "--active-wait") activeWait = true;
    else if (a == "--profile") {
      if (i + 1 >= argc) throw std::invalid_argument("--profile needs a file");
      profileFile = argv[++i];
    }
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines appear while it runs
  torch::set_num_threads(kThreads);
  // What the inference runtime does (nn/CpuKernels.h).
  neurolm::nn::cpu::applyThreadPolicy(threadPolicy);
  if (rss) return rssMode(dropPadding);
  if (!profileFile.empty()) return profileMode(profileFile);

  torch::NoGradGuard noGrad;
  json out;
  out["load_start"] = loadAverage();
  std::printf("load average at start: %s (2 cores)\n", loadAverage().c_str());

  // (3a) memory bandwidth first, before the model occupies memory
  const double readBw = readBandwidthGBs(size_t{1} << 30, kThreads, reps);
  const double copyBw = memcpyBandwidthGBs(size_t{512} << 20, reps);
  std::printf("memory bandwidth: read-sum 1 GiB, %d threads: %.2f GB/s; memcpy 512 MiB (r+w): %.2f GB/s\n",
              kThreads, readBw, copyBw);

  auto model = makeModelB();
  (void)torch::mm(torch::ones({64, 64}), torch::ones({64, 64}));  // BLAS is mapped after the first call
  const auto blas = neurolm::detectBlas();
  std::printf("C++: LibTorch threads %d, BLAS %s (%s)%s; few-rows linear kernel %s; thread policy %s\n",
              torch::get_num_threads(), blas.name.c_str(), blas.libraryPath.c_str(),
              blas.isReference ? " WARNING: reference BLAS" : "",
              neurolm::nn::cpu::fewRowsKernelEnabled() ? neurolm::nn::cpu::fewRowsKernelIsa() : "off",
              neurolm::nn::cpu::threadPolicyDescription().c_str());
  out["thread_policy"] = neurolm::nn::cpu::threadPolicyDescription();
  out["blas"] = blas.libraryPath;
  out["threads"] = torch::get_num_threads();

  std::vector<Row> rows;
  json cpp;

  // (1) tokenizer encoder
  struct EncCase {
    const char* key;
    int64_t secondsReal, padded;
  };
  for (const EncCase c : {EncCase{"enc276", 4, 276}, EncCase{"enc1024", 53, 1024}}) {
    if (decodeOnly) break;
    const auto eeg = eegSample(c.secondsReal, c.padded, 7);
    const int64_t v = 19 * c.secondsReal;
    auto& enc = *model->tokenizer;
    enc.forward(eeg);
    const auto padded = median(timeRuns(reps, [&] { enc.forward(eeg); }));
    const auto xr = eeg.x.narrow(1, 0, v), cr = eeg.inputChans.narrow(1, 0, v), tr = eeg.inputTime.narrow(1, 0, v);
    enc.forwardRealTokens(xr, cr, tr, c.padded);
    const auto fast = median(timeRuns(reps, [&] { enc.forwardRealTokens(xr, cr, tr, c.padded); }));
    cpp[c.key] = {{"padded_s", padded}, {"real_tokens_s", fast}, {"real", v}, {"padded", c.padded}};
    std::printf("encoder %lld tokens (%lld real): padded %.1f ms, real-token path %.1f ms  [load %s]\n",
                static_cast<long long>(c.padded), static_cast<long long>(v), padded * 1e3, fast * 1e3,
                loadAverage().c_str());
  }

  // (2) one Workload answer
  const auto eeg = eegSample(4, 276, 7);
  const auto prompt = workloadPrompt();
  auto answer = [&](nn::GenerateOptions o) {
    o.traceTopK = 0;
    nn::generate(*model, eeg, prompt, o);
  };
  nn::GenerateOptions kv, kvDrop, quirks;
  kvDrop.dropEegPadding = true;
  quirks.officialQuirks = true;
  if (!decodeOnly) answer(kv);
  const double tKv = median(timeRuns(decodeOnly ? 0 : reps, [&] { answer(kv); }));
  if (!decodeOnly) answer(kvDrop);
  const double tKvDrop = median(timeRuns(decodeOnly ? 0 : reps, [&] { answer(kvDrop); }));
  const double tQuirks = median(timeRuns(decodeOnly ? 0 : slowReps, [&] { answer(quirks); }));
  cpp["gen_kv_s"] = tKv;
  cpp["gen_kv_drop_padding_s"] = tKvDrop;
  cpp["gen_official_quirks_s"] = tQuirks;
  std::printf("answer: KV %.0f ms, KV + drop padding %.0f ms, official quirks %.0f ms  [load %s]\n", tKv * 1e3,
              tKvDrop * 1e3, tQuirks * 1e3, loadAverage().c_str());

  // (3b) decode steps: time between consecutive onToken calls (one cached text row + lm_head + argmax each)
  std::vector<double> steps;
  for (int r = 0; r < std::max(1, slowReps); ++r) {
    nn::GenerateOptions o;
    o.traceTopK = 0;
    o.maxNewTokens = decodeTokens;
    Clock::time_point last;
    o.onToken = [&](int64_t step, const torch::Tensor&) {
      const auto now = Clock::now();
      if (step > 0) steps.push_back(seconds(now - last));
      last = now;
      return true;
    };
    nn::generate(*model, eeg, prompt, o);
  }
  const double tStep = median(steps);
  // Bytes read per decode token: every GPT-2 block parameter, ln_f and the 50 257 text rows of lm_head (a
  // decode step projects onto those only: generation picks among GPT-2's text ids); wte/wpe rows (2 × 768)
  // and the KV cache are not counted (the cache is printed separately).
  int64_t blockValues = 0;
  for (const auto& p : model->GPT2->transformer->h->parameters()) blockValues += p.numel();
  int64_t lnfValues = 0;
  for (const auto& p : model->GPT2->transformer->ln_f->parameters()) lnfValues += p.numel();
  const int64_t headValues = (nn::kLastGpt2Id + 1) * model->GPT2->lm_head->weight.size(1);
  const double weightBytes = 4.0 * static_cast<double>(blockValues + lnfValues + headValues);
  const double kvBytes = 4.0 * 12 * 2 * 768 * (276 + 13 + decodeTokens / 2.0);  // mean cache length
  const double limitTps = readBw * 1e9 / weightBytes;
  const double tps = 1.0 / tStep;
  cpp["decode_step_s"] = tStep;
  cpp["decode_steps_measured"] = steps.size();
  std::printf("decode: %zu steps, median %.1f ms/token = %.2f tokens/s; weights read per token %.1f MB "
              "(blocks %lld + ln_f %lld + lm_head %lld values), KV cache ~%.1f MB; limit %.2f tokens/s  [load %s]\n",
              steps.size(), tStep * 1e3, tps, weightBytes / 1e6, static_cast<long long>(blockValues),
              static_cast<long long>(lnfValues), static_cast<long long>(headValues), kvBytes / 1e6, limitTps,
              loadAverage().c_str());

  if (decodeOnly) return 0;  // --decode-only: profiling aid, sections (1), (2), (4) and the reference skipped

  // (4) peak RSS in a child process
  const std::string rssCmd =
      selfExe() + " --threads-policy " + threadPolicy + (activeWait ? " --active-wait" : "") + " --rss";
  const auto rssKv = childJson(rssCmd, "RSS_JSON");
  const auto rssDrop = childJson(rssCmd + " --drop-padding", "RSS_JSON");
  const double weightFp32 = 4.0 * rssKv["params"].get<double>();
  const double peakKv = 1024.0 * rssKv["vmhwm_kb"].get<double>();
  const double peakDrop = 1024.0 * rssDrop["vmhwm_kb"].get<double>();
  std::printf("peak RSS: KV %.2f GB, KV + drop padding %.2f GB (%.2f GB before the model); fp32 weights %.3f GB\n",
              peakKv / 1e9, peakDrop / 1e9, 1024.0 * rssKv["vmhwm_before_model_kb"].get<double>() / 1e9,
              weightFp32 / 1e9);
  cpp["rss_kv"] = rssKv;
  cpp["rss_kv_drop_padding"] = rssDrop;

  // Reference (child process, same BLAS, same threads), after our runs so that both had the machine alone.
  json ref, refPassive;
  if (withRef) {
    std::printf("reference: PyTorch eager (%s tests/bench/ref_model.py) ... [load %s]\n", NEUROLM_PYTHON,
                loadAverage().c_str());
    std::fflush(stdout);
    // As a user of the official code runs it: the default OpenMP policy (our start-up set PASSIVE here).
    auto refCommand = [&](const char* waitPolicy) {
      std::ostringstream cmd;
      cmd << "env " << (waitPolicy ? std::string("OMP_WAIT_POLICY=") + waitPolicy : "-u OMP_WAIT_POLICY")
          << " OPENBLAS_NUM_THREADS=" << kThreads << " " << NEUROLM_PYTHON << " " << NEUROLM_TESTS_DIR
          << "/bench/ref_model.py --reps " << reps << " --slow-reps " << slowReps << " --threads " << kThreads;
      return cmd.str();
    };
    ref = childJson(refCommand(nullptr), "REF_JSON");
    std::printf("reference: torch %s, threads %d, BLAS %s  [load %s]\n", ref["torch"].get<std::string>().c_str(),
                ref["threads"].get<int>(), ref["blas"].dump().c_str(), loadAverage().c_str());
    if (withRefPassive) {
      refPassive = childJson(refCommand("PASSIVE"), "REF_JSON");
      std::printf("reference with OMP_WAIT_POLICY=PASSIVE done  [load %s]\n", loadAverage().c_str());
    }
  }
  out["load_end"] = loadAverage();

  auto refS = [&](const char* key) { return ref.contains(key) ? ref[key]["median_s"].get<double>() : 0.0; };
  auto yes = [](bool b) { return std::string(b ? "yes" : "NO"); };
  for (const char* key : {"enc276", "enc1024"}) {
    const double padded = cpp[key]["padded_s"], fast = cpp[key]["real_tokens_s"];
    const double n = cpp[key]["padded"].get<double>();
    const std::string label = std::string("encoder ") + cpp[key]["padded"].dump() + " (" + cpp[key]["real"].dump() + " real)";
    const double r = refS(key);
    rows.push_back({label + ", patches/s", fmt("%.0f", n / padded), r > 0 ? fmt("%.0f", n / r) : "-",
                    r > 0 ? r / padded : 0.0, ">= 1.5x", r > 0 ? yes(r / padded >= 1.5) : "-"});
    rows.push_back({label + " §8.33 real tokens, patches/s", fmt("%.0f", n / fast),
                    r > 0 ? fmt("%.0f", n / r) : "-", r > 0 ? r / fast : 0.0, ">= 1.5x",
                    r > 0 ? yes(r / fast >= 1.5) : "-"});
  }
  const double rGen = refS("generate_official");
  auto genRow = [&](const std::string& name, double t) {
    rows.push_back({name + ", ms/answer", fmt("%.0f", t * 1e3), rGen > 0 ? fmt("%.0f", rGen * 1e3) : "-",
                    rGen > 0 ? rGen / t : 0.0, ">= 5x", rGen > 0 ? yes(rGen / t >= 5.0) : "-"});
  };
  genRow("answer KV cache (default)", tKv);
  genRow("answer KV cache + dropEegPadding", tKvDrop);
  rows.push_back({"answer official quirks (C++ full recomp.), ms", fmt("%.0f", tQuirks * 1e3),
                  rGen > 0 ? fmt("%.0f", rGen * 1e3) : "-", rGen > 0 ? rGen / tQuirks : 0.0, "(info)", "-"});
  rows.push_back({"answer KV cache vs C++ official quirks, ms", fmt("%.0f", tKv * 1e3), fmt("%.0f", tQuirks * 1e3),
                  tQuirks / tKv, "(info)", "-"});
  if (!refPassive.is_null()) {
    auto passiveRow = [&](const std::string& name, const char* key, double ours) {
      const double r = refPassive[key]["median_s"].get<double>();
      rows.push_back({name, fmt("%.0f", ours * 1e3), fmt("%.0f", r * 1e3), r / ours, "(info)", "-"});
    };
    passiveRow("vs ref. OMP passive: encoder 276 padded, ms", "enc276", cpp["enc276"]["padded_s"].get<double>());
    passiveRow("vs ref. OMP passive: encoder 276 real tokens, ms", "enc276",
               cpp["enc276"]["real_tokens_s"].get<double>());
    passiveRow("vs ref. OMP passive: encoder 1024 padded, ms", "enc1024", cpp["enc1024"]["padded_s"].get<double>());
    passiveRow("vs ref. OMP passive: answer KV (default), ms", "generate_official", tKv);
    passiveRow("vs ref. OMP passive: answer KV + drop padding, ms", "generate_official", tKvDrop);
  }
  rows.push_back({"decode tokens/s vs bandwidth limit", fmt("%.2f", tps), fmt("%.2f", limitTps), tps / limitTps,
                  ">= 0.5x", yes(tps / limitTps >= 0.5)});
  // Here the ratio is peak / weights (smaller is better), the target a ceiling.
  rows.push_back({"peak RSS (KV) / fp32 weights, GB", fmt("%.2f", peakKv / 1e9), fmt("%.2f", weightFp32 / 1e9),
                  peakKv / weightFp32, "<= 1.5x", yes(peakKv / weightFp32 <= 1.5)});
  rows.push_back({"peak RSS (KV + drop padding) / fp32 weights, GB", fmt("%.2f", peakDrop / 1e9),
                  fmt("%.2f", weightFp32 / 1e9), peakDrop / weightFp32, "<= 1.5x", yes(peakDrop / weightFp32 <= 1.5)});

  std::printf("\n%-56s %12s %12s %8s %9s %4s\n", "measure (ratio > 1 = C++ faster; RSS: peak/weights)", "C++",
              "reference", "ratio", "target", "met");
  for (const auto& r : rows)
    std::printf("%-56s %12s %12s %8s %9s %4s\n", r.name.c_str(), r.ours.c_str(), r.reference.c_str(),
                r.ratio > 0 ? fmt("%.2fx", r.ratio).c_str() : "-", r.target.c_str(), r.met.c_str());
  std::printf("(medians: %d runs, %d for full recomputation and decode; memory read bandwidth %.2f GB/s; "
              "load %s -> %s)\n\n",
              reps, slowReps, readBw, out["load_start"].get<std::string>().c_str(),
              out["load_end"].get<std::string>().c_str());

  out["cpp"] = cpp;
  out["ref"] = ref;
  out["ref_omp_passive"] = refPassive;
  out["read_bandwidth_gbs"] = readBw;
  out["memcpy_bandwidth_gbs"] = copyBw;
  out["decode_limit_tps"] = limitTps;
  out["decode_weight_bytes"] = weightBytes;
  out["reps"] = reps;
  out["slow_reps"] = slowReps;
  std::printf("BENCH_JSON %s\n", out.dump().c_str());
  return 0;
}
