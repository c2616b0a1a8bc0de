// Few-row linear kernel (see CpuKernels.h).
#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <initializer_list>
#include <mutex>
#include <stdexcept>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "core/system/BlasInfo.h"
#include "core/system/OpenMpWait.h"

#include "models/nn/CpuKernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define NEUROLM_HAVE_AVX2_KERNEL 1
#endif

namespace neurolm::nn::cpu {

namespace {

std::atomic<bool> kernelEnabled{true};

// Output features [j0, j1) of y[r, j] = Σ_i x[r, i]·w[j, i] (+ bias[j]) for r < rows; y is [rows, out].
struct FewRowsArgs {
  const float* x;
  int64_t rows;
  int64_t in;
  const float* w;
  const float* bias;  // nullptr: none
  float* y;
  int64_t out;
};

void portableRange(const FewRowsArgs& a, int64_t j0, int64_t j1) {
  for (int64_t j = j0; j < j1; ++j) {
    const float* wj = a.w + j * a.in;
    for (int64_t r = 0; r < a.rows; ++r) {
      const float* xr = a.x + r * a.in;
      float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
      int64_t i = 0;
      for (; i + 4 <= a.in; i += 4) {
        s0 += wj[i] * xr[i];
        s1 += wj[i + 1] * xr[i + 1];
        s2 += wj[i + 2] * xr[i + 2];
        s3 += wj[i + 3] * xr[i + 3];
      }
      for (; i < a.in; ++i) s0 += wj[i] * xr[i];
      a.y[r * a.out + j] = (s0 + s1) + (s2 + s3) + (a.bias != nullptr ? a.bias[j] : 0.0f);
    }
  }
}

#ifdef NEUROLM_HAVE_AVX2_KERNEL
__attribute__((target("avx2,fma"))) inline float horizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));  // 8 -> 4
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));                                          // 4 -> 2
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));                                      // 2 -> 1
  return _mm_cvtss_f32(s);
}

// Four weight rows at a time (four independent FMA chains, four sequential memory streams); the four rows
// (4 · in floats, 12 KB for in = 768) stay in L1 while every input row is multiplied with them.
__attribute__((target("avx2,fma"))) void avx2Range(const FewRowsArgs& a, int64_t j0, int64_t j1) {
  const int64_t in8 = a.in - a.in % 8;
  int64_t j = j0;
  for (; j + 4 <= j1; j += 4) {
    const float* w0 = a.w + j * a.in;
    const float* w1 = w0 + a.in;
    const float* w2 = w1 + a.in;
    const float* w3 = w2 + a.in;
    for (int64_t r = 0; r < a.rows; ++r) {
      const float* xr = a.x + r * a.in;
      __m256 c0 = _mm256_setzero_ps(), c1 = _mm256_setzero_ps(), c2 = _mm256_setzero_ps(),
             c3 = _mm256_setzero_ps();
      for (int64_t i = 0; i < in8; i += 8) {
        const __m256 xv = _mm256_loadu_ps(xr + i);
        c0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + i), xv, c0);
        c1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + i), xv, c1);
        c2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2 + i), xv, c2);
        c3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3 + i), xv, c3);
      }
      float s[4] = {horizontalSum(c0), horizontalSum(c1), horizontalSum(c2), horizontalSum(c3)};
      for (int64_t i = in8; i < a.in; ++i) {
        s[0] += w0[i] * xr[i];
        s[1] += w1[i] * xr[i];
        s[2] += w2[i] * xr[i];
        s[3] += w3[i] * xr[i];
      }
      float* yr = a.y + r * a.out + j;
      for (int c = 0; c < 4; ++c) yr[c] = s[c] + (a.bias != nullptr ? a.bias[j + c] : 0.0f);
    }
  }
  if (j < j1) portableRange(a, j, j1);  // the last < 4 features
}

bool cpuHasAvx2Fma() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}
#endif

void runRange(const FewRowsArgs& a, int64_t j0, int64_t j1) {
#ifdef NEUROLM_HAVE_AVX2_KERNEL
  if (cpuHasAvx2Fma()) return avx2Range(a, j0, j1);
#endif
  portableRange(a, j0, j1);
}

}  // namespace

const char* fewRowsKernelIsa() {
#ifdef NEUROLM_HAVE_AVX2_KERNEL
  if (cpuHasAvx2Fma()) return "avx2+fma";
#endif
  return "portable";
}

void setFewRowsKernelEnabled(bool enabled) { kernelEnabled.store(enabled); }
bool fewRowsKernelEnabled() { return kernelEnabled.load(); }

bool fewRowsLinearApplies(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  if (!kernelEnabled.load()) return false;
  if (!x.defined() || !weight.defined() || weight.dim() != 2 || x.dim() < 1) return false;
  if (!x.device().is_cpu() || !weight.device().is_cpu()) return false;
  if (x.scalar_type() != torch::kFloat || weight.scalar_type() != torch::kFloat) return false;
  if (!weight.is_contiguous() || x.size(-1) != weight.size(1) || weight.size(1) == 0) return false;
  if (bias.defined() && (!bias.device().is_cpu() || bias.scalar_type() != torch::kFloat || bias.dim() != 1 ||
                         bias.size(0) != weight.size(0) || !bias.is_contiguous()))
    return false;
  if (torch::GradMode::is_enabled() &&
      (x.requires_grad() || weight.requires_grad() || (bias.defined() && bias.requires_grad())))
    return false;
  const int64_t rows = x.numel() / weight.size(1);
  return rows >= 1 && rows <= kFewRowsMax;
}

torch::Tensor fewRowsLinear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  if (!fewRowsLinearApplies(x, weight, bias))
    throw std::invalid_argument("fewRowsLinear: inputs outside the kernel's domain (see fewRowsLinearApplies)");
  const int64_t in = weight.size(1);
  const int64_t out = weight.size(0);
  const auto xc = x.contiguous();
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
  shape.back() = out;
  auto y = torch::empty(shape, x.options());  // [..., out]
  const FewRowsArgs args{xc.data_ptr<float>(), xc.numel() / in, in, weight.data_ptr<float>(),
                         bias.defined() ? bias.data_ptr<float>() : nullptr, y.data_ptr<float>(), out};
  // Work items of 4 features; a task takes at least ~64 KB of weights so tiny layers stay on one thread.
  const int64_t blocks = (out + 3) / 4;
  const int64_t grain = std::max<int64_t>(1, (64 * 1024 / 4) / (4 * in));
  at::parallel_for(0, blocks, grain, [&](int64_t b0, int64_t b1) {
    runRange(args, 4 * b0, std::min(out, 4 * b1));
  });
  return y;
}

// ---------------------------------------------------------------------------------- one thread pool policy
namespace {

std::mutex policyMutex;
std::atomic<bool> singlePool{false};
int stockBlasThreads = -1;  // OpenBLAS threads before the policy (restored by disable), −1: not changed

using SetThreads = void (*)(int);
using GetThreads = int (*)();

SetThreads openBlasSetThreads() {
  return reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
}
GetThreads openBlasGetThreads() {
  return reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
}

bool noGradient(std::initializer_list<const torch::Tensor*> tensors) {
  if (!torch::GradMode::is_enabled()) return true;
  for (const auto* t : tensors)
    if (t->defined() && t->requires_grad()) return false;
  return true;
}

}  // namespace

bool enableSinglePoolPolicy() {
  std::lock_guard<std::mutex> lock(policyMutex);
  if (singlePool.load()) return true;
  (void)torch::mm(torch::ones({8, 8}), torch::ones({8, 8}));  // the BLAS is mapped after a first call
  const auto set = openBlasSetThreads();
  const auto get = openBlasGetThreads();
  if (set != nullptr && get != nullptr) {
    stockBlasThreads = get();
    set(1);
    singlePool.store(true);
    return true;
  }
  if (detectBlas().isReference) {  // single-threaded by construction
    singlePool.store(true);
    return true;
  }
  return false;
}

void disableSinglePoolPolicy() {
  std::lock_guard<std::mutex> lock(policyMutex);
  if (!singlePool.load()) return;
  if (stockBlasThreads > 0)
    if (const auto set = openBlasSetThreads()) set(stockBlasThreads);
  stockBlasThreads = -1;
  singlePool.store(false);
}

bool singlePoolPolicyActive() { return singlePool.load(); }

int defaultCpuThreads() {
  if (const char* env = std::getenv("OMP_NUM_THREADS")) {
    char* end = nullptr;
    const long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n > 0 && n <= 1024) return static_cast<int>(n);
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

bool applyThreadPolicy(const std::string& name) {
  if (name == "single-pool" || (name == "auto" && !openMpWaitIsPassive())) return enableSinglePoolPolicy();
  if (name == "stock" || name == "auto") {
    disableSinglePoolPolicy();
    return false;
  }
  throw std::invalid_argument("thread policy '" + name + "': expected auto, single-pool or stock");
}

std::string threadPolicyDescription() {
  const auto get = openBlasGetThreads();
  const std::string blas =
      get != nullptr ? "OpenBLAS " + std::to_string(get()) + " thread(s)" : detectBlas().name + " BLAS";
  return std::string(singlePool.load() ? "single pool" : "stock") + " (" + blas + ", LibTorch " +
         std::to_string(at::get_num_threads()) + " thread(s), OpenMP wait " +
         (openMpWaitIsPassive() ? "passive" : "active") + ")";
}

torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  if (fewRowsLinearApplies(x, weight, bias)) return fewRowsLinear(x, weight, bias);
  const int threads = at::get_num_threads();
  if (!singlePool.load() || threads < 2 || !x.device().is_cpu() || x.scalar_type() != torch::kFloat ||
      weight.scalar_type() != torch::kFloat || (bias.defined() && bias.scalar_type() != torch::kFloat) ||
      weight.dim() != 2 || x.dim() < 1 || x.size(-1) != weight.size(1) || !noGradient({&x, &weight, &bias}))
    return torch::linear(x, weight, bias);
  const int64_t in = weight.size(1);
  const int64_t out = weight.size(0);
  const auto x2 = x.reshape({-1, in});  // [..., in] -> [R, in]
  auto y = torch::empty({x2.size(0), out}, x.options());
  const auto wt = weight.t();  // [in, out] view
  // One slice of output features per thread (a multiple of 16 wide, so BLAS tiles stay whole).
  const int64_t chunk = std::max<int64_t>(16, ((out + threads - 1) / threads + 15) / 16 * 16);
  at::parallel_for(0, out, chunk, [&](int64_t j0, int64_t j1) {
    auto ys = y.narrow(1, j0, j1 - j0);  // [R, n] with row stride `out`: BLAS writes it in place
    if (bias.defined())
      at::addmm_out(ys, bias.narrow(0, j0, j1 - j0), x2, wt.narrow(1, j0, j1 - j0));
    else
      at::mm_out(ys, x2, wt.narrow(1, j0, j1 - j0));
  });
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
  shape.back() = out;
  return y.view(shape);  // [R, out] -> [..., out]
}

torch::Tensor batchedMatmul(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& addend) {
  if (a.dim() < 3 || a.dim() != b.dim() || !a.device().is_cpu() || a.scalar_type() != torch::kFloat ||
      b.scalar_type() != torch::kFloat || (addend.defined() && addend.scalar_type() != torch::kFloat) ||
      a.sizes().slice(0, a.dim() - 2) != b.sizes().slice(0, b.dim() - 2) || a.size(-1) != b.size(-2) ||
      !noGradient({&a, &b, &addend}))
    return addend.defined() ? torch::matmul(a, b) + addend : torch::matmul(a, b);
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  std::vector<int64_t> shape(a.sizes().begin(), a.sizes().end());
  shape.back() = n;  // [..., m, n]
  const auto a3 = a.reshape({-1, m, k});  // [..., m, k] -> [N, m, k] (a view for the attention layouts)
  const auto b3 = b.reshape({-1, k, n});
  const int64_t batches = a3.size(0);
  // The addend is broadcast into the (fresh) output once; the products are then accumulated into it.
  auto out = torch::empty({batches, m, n}, a.options());
  if (addend.defined()) out.view(shape).copy_(addend.expand(shape));
  const auto run = [&](int64_t i0, int64_t i1) {
    auto o = out.narrow(0, i0, i1 - i0);
    if (addend.defined())
      o.baddbmm_(a3.narrow(0, i0, i1 - i0), b3.narrow(0, i0, i1 - i0));
    else
      at::bmm_out(o, a3.narrow(0, i0, i1 - i0), b3.narrow(0, i0, i1 - i0));
  };
  if (singlePool.load() && at::get_num_threads() >= 2) {
    // Small products stay on one thread (a decode step's 12 heads × 1 query row are ~1 µs each).
    const int64_t grain = std::max<int64_t>(1, (1 << 18) / std::max<int64_t>(1, m * n * k));
    at::parallel_for(0, batches, grain, run);
  } else {
    run(0, batches);  // BLAS's own threads
  }
  return out.view(shape);
}

}  // namespace neurolm::nn::cpu
