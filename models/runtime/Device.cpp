#include "models/runtime/Device.h"

#include <stdexcept>

namespace neurolm {

std::string DeviceChoice::describe() const { return device.str() + " (" + reason + ")"; }

DeviceChoice chooseDevice(const std::string& request) {
  DeviceChoice choice;
  if (request == "cpu") {
    choice.reason = "CPU requested";
    return choice;
  }
  const bool wantsCuda = request.rfind("cuda", 0) == 0;
  if (request != "auto" && !wantsCuda) {
    throw std::invalid_argument("unknown device '" + request + "' (expected auto, cpu, cuda or cuda:N)");
  }
  int index = 0;
  if (request.size() > 5 && request[4] == ':') {
    try {
      index = std::stoi(request.substr(5));
    } catch (const std::exception&) {
      throw std::invalid_argument("bad CUDA device index in '" + request + "'");
    }
  }
  if (!torch::cuda::is_available()) {
    choice.reason = wantsCuda ? "CUDA requested but not available (this LibTorch build or machine has no usable "
                                "CUDA device); using CPU"
                              : "no CUDA device available";
    return choice;
  }
  const int count = static_cast<int>(torch::cuda::device_count());
  if (index >= count) {
    choice.reason = "CUDA device " + std::to_string(index) + " requested but only " + std::to_string(count) +
                    " present; using CPU";
    return choice;
  }
  choice.device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  choice.reason = wantsCuda ? "CUDA requested" : "CUDA available";
  return choice;
}

}  // namespace neurolm
