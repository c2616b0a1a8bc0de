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

}  // namespace neurolm::nn::cpu
