#pragma once
// Data-parallel training over LibTorch's c10d process groups: Gloo on CPUs (NCCL would be the GPU choice;
// this Debian LibTorch has no CUDA). One process per rank; a rendezvous file store (local launch, or a shared
// folder on a cluster). Environment: NEUROLM_DIST_WORLD (number of processes), NEUROLM_DIST_RANK (0-based),
// NEUROLM_DIST_STORE (path of the rendezvous file, the same for all ranks, absent before the launch),
// NEUROLM_DIST_HOST (optional: the address Gloo binds, default 127.0.0.1; set the node's address for several
// machines). Slurm's SLURM_PROCID / SLURM_NTASKS are used when the NEUROLM_ ones are absent.
#include <torch/torch.h>

#include <memory>
#include <optional>
#include <string>

namespace neurolm::train {

class Distributed {
 public:
  // From the environment; nullopt for a single process (world size absent or 1).
  static std::optional<Distributed> fromEnvironment();
  Distributed(int rank, int worldSize, const std::string& storePath, const std::string& host);
  ~Distributed();
  Distributed(Distributed&&) noexcept;
  Distributed& operator=(Distributed&&) noexcept;

  int rank() const { return rank_; }
  int worldSize() const { return world_; }
  bool isRoot() const { return rank_ == 0; }

  void allReduceSum(torch::Tensor& t);              // in place (CPU tensor)
  void broadcastFromRoot(torch::Tensor& t);         // in place
  torch::Tensor allGather(const torch::Tensor& t);  // [N, ...] -> [world·N, ...], rank order
  void barrier();
  // Sums the gradients of `params` over the processes and divides by the world size (one flat buffer).
  void averageGradients(const std::vector<torch::Tensor>& params);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int rank_ = 0;
  int world_ = 1;
};

}  // namespace neurolm::train
