#pragma once
// Run-time choice of the compute device: CUDA when asked for and usable, otherwise CPU with the reason.
#include <torch/torch.h>

#include <string>

namespace neurolm {

struct DeviceChoice {
  torch::Device device{torch::kCPU};
  std::string reason;  // why this device was chosen (e.g. "CUDA requested but this LibTorch has no CUDA")
  std::string describe() const;
};

// request: "auto", "cpu", "cuda" or "cuda:N".
DeviceChoice chooseDevice(const std::string& request);

}  // namespace neurolm
