#include "models/train/Distributed.h"

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>

#include <cstdlib>
#include <stdexcept>

namespace neurolm::train {

struct Distributed::Impl {
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

namespace {
std::optional<int> envInt(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  try {
    std::size_t used = 0;
    const int n = std::stoi(v, &used);
    if (used != std::string(v).size()) throw std::invalid_argument(v);
    return n;
  } catch (const std::exception&) {
    throw std::invalid_argument(std::string("environment variable ") + name + "='" + v +
                                "' is not an integer");
  }
}
}  // namespace

std::optional<Distributed> Distributed::fromEnvironment() {
  auto world = envInt("NEUROLM_DIST_WORLD");
  auto rank = envInt("NEUROLM_DIST_RANK");
  if (!world) world = envInt("SLURM_NTASKS");
  if (!rank) rank = envInt("SLURM_PROCID");
  if (!world || *world <= 1) return std::nullopt;
  if (!rank || *rank < 0 || *rank >= *world)
    throw std::invalid_argument("distributed training: rank " +
                                (rank ? std::to_string(*rank) : std::string("unset")) + " outside 0…" +
                                std::to_string(*world - 1));
  const char* store = std::getenv("NEUROLM_DIST_STORE");
  if (store == nullptr || *store == '\0')
    throw std::invalid_argument("distributed training: NEUROLM_DIST_STORE (the rendezvous file) is not set");
  const char* host = std::getenv("NEUROLM_DIST_HOST");
  return Distributed(*rank, *world, store, host != nullptr && *host != '\0' ? host : "127.0.0.1");
}

Distributed::Distributed(int rank, int worldSize, const std::string& storePath, const std::string& host)
    : impl_(std::make_unique<Impl>()), rank_(rank), world_(worldSize) {
  auto store = c10::make_intrusive<c10d::FileStore>(storePath, worldSize);
  auto options = c10d::ProcessGroupGloo::Options::create();
  options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(host));
  impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, worldSize, options);
}

Distributed::~Distributed() = default;
Distributed::Distributed(Distributed&&) noexcept = default;
Distributed& Distributed::operator=(Distributed&&) noexcept = default;

void Distributed::allReduceSum(torch::Tensor& t) {
  std::vector<at::Tensor> v{t};
  impl_->group->allreduce(v)->wait();
}

void Distributed::broadcastFromRoot(torch::Tensor& t) {
  std::vector<at::Tensor> v{t};
  c10d::BroadcastOptions o;
  o.rootRank = 0;
  impl_->group->broadcast(v, o)->wait();
}

torch::Tensor Distributed::allGather(const torch::Tensor& t) {
  std::vector<at::Tensor> in{t.contiguous()};
  std::vector<std::vector<at::Tensor>> out(1);
  for (int r = 0; r < world_; ++r) out[0].push_back(torch::empty_like(in[0]));
  impl_->group->allgather(out, in)->wait();
  return torch::cat(out[0], 0);
}

void Distributed::barrier() { impl_->group->barrier()->wait(); }

void Distributed::averageGradients(const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> grads;
  for (const auto& p : params)
    grads.push_back(p.grad().defined() ? p.grad().reshape({-1}) : torch::zeros({p.numel()}, p.options()));
  auto flat = torch::cat(grads);
  allReduceSum(flat);
  flat.div_(world_);
  int64_t offset = 0;
  for (const auto& p : params) {
    const auto n = p.numel();
    auto slice = flat.narrow(0, offset, n).view_as(p);
    if (p.grad().defined())
      p.mutable_grad().copy_(slice);
    else
      p.mutable_grad() = slice.clone();
    offset += n;
  }
}

}  // namespace neurolm::train
