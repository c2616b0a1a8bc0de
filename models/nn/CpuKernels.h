#pragma once
// Inference-only CPU kernels for the shapes where LibTorch 1.13's generic path is slow on a small CPU.
//
// Few-row linear (a decode step: one text row per sample): LibTorch hands `x·Wᵀ` to BLAS sgemm, which packs
// (copies) the whole weight matrix on every call and runs on OpenBLAS's own thread pool, next to LibTorch's
// OpenMP pool on the same cores (the two pools wait for each other; measured 243 ms per NeuroLM-B decode
// step on 2 cores where the weights alone need ~30 ms). This kernel streams each weight row once, computes
// the dot products with every input row while the row is in L1, and splits the output features over
// LibTorch's own intra-op pool (at::parallel_for), so a decode step uses one pool only.
//
// Results equal torch::linear up to float32 summation order (≈ 1e-6 relative; tests compare both).
#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace neurolm::nn::cpu {

// Largest number of input rows (x.numel() / in_features) the few-row kernel takes; more rows go to BLAS,
// whose packed GEMM is faster once a packed weight panel is reused by many rows.
constexpr int64_t kFewRowsMax = 8;

// On by default. Off: every linear goes to torch::linear (benchmarks and tests compare both).
void setFewRowsKernelEnabled(bool enabled);
bool fewRowsKernelEnabled();

// True when the kernel is enabled and fewRowsLinear(x, weight, bias) applies: CPU float32, weight [out, in] contiguous, bias undefined
// or [out] contiguous, x [..., in] with at most kFewRowsMax rows, and no gradient is being recorded.
bool fewRowsLinearApplies(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

// y = x·weightᵀ + bias: x [..., in] -> [..., out]. Preconditions: fewRowsLinearApplies (throws otherwise).
torch::Tensor fewRowsLinear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

// The instruction set the kernel runs with on this CPU ("avx2+fma" or "portable").
const char* fewRowsKernelIsa();

// ---------------------------------------------------------------------------------- one thread pool policy
// Stock LibTorch 1.13 on Debian runs two thread pools on the same cores: its OpenMP intra-op pool (element-
// wise ops, softmax, norms) and OpenBLAS's pthreads (every GEMM). An OpenMP worker spins for milliseconds
// after each parallel region while OpenBLAS's threads need its core, so on 2 cores most GEMMs run on one
// core (measured: NeuroLM-B encoder 2.2×, an answer 3× slower than with the spinning turned off).
// The single-pool policy makes BLAS single-threaded and splits each inference GEMM (linear layers, attention
// matmuls) over LibTorch's intra-op pool instead, so one pool does all the work.
//
// Enables the policy for this process: OpenBLAS is set to one thread (openblas_set_num_threads, looked up
// at run time), the reference BLAS is single-threaded already. Returns false and changes nothing for a BLAS
// whose threads cannot be controlled (the stock behaviour stays). Idempotent, thread-safe; it affects BLAS
// calls of the whole process, so a training process (autograd GEMMs go to torch) should not enable it.
bool enableSinglePoolPolicy();
// Back to the stock behaviour (BLAS threads restored). For benchmarks and tests.
void disableSinglePoolPolicy();
bool singlePoolPolicyActive();
// "auto" (single pool unless OMP_WAIT_POLICY=passive: then the two pools do not spin against each other and
// OpenBLAS's own threads run the big GEMMs ~1.3× faster than two single-threaded halves), "single-pool" or
// "stock". Throws std::invalid_argument for another name. Returns whether the single pool is active.
bool applyThreadPolicy(const std::string& name);
// Threads for LibTorch's intra-op pool: OMP_NUM_THREADS when it is a positive number, else the CPUs in this
// process's affinity mask (at least 1).
int defaultCpuThreads();

// "single pool (OpenBLAS 1 thread, LibTorch N threads)" or "stock (...)": for logs, the CLI and the bench.
std::string threadPolicyDescription();

// y = x·weightᵀ + bias for any number of rows, inference only: the few-row kernel for ≤ kFewRowsMax rows,
// the pooled GEMM (output features split over the intra-op pool) under the single-pool policy, else
// torch::linear. Same contract as torch::linear.
torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

// a [..., m, k] · b [..., k, n] (+ addend, broadcast to [..., m, n]) with equal leading dims (no
// broadcasting of a, b) -> [..., m, n]. Inference on CPU float32: one output pass (the addend is copied into
// the output and the products accumulated onto it by BLAS; under the single-pool policy the batch is split
// over the intra-op pool). Anything else: torch::matmul (+ addend).
torch::Tensor batchedMatmul(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& addend = {});

}  // namespace neurolm::nn::cpu
