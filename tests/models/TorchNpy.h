#pragma once
// .npy fixtures as tensors (dtype kept: bool, int32, int64, uint8, else float32).
#include <torch/torch.h>

#include <filesystem>

#include "core/io/Npy.h"

namespace neurolm::test {

inline torch::Tensor loadNpyTensor(const std::filesystem::path& path) {
  const auto a = readNpy(path);
  const std::vector<int64_t> shape(a.shape.begin(), a.shape.end());
  switch (a.type) {
    case NpyType::Bool:
      return torch::tensor(a.toInt64()).view(shape).to(torch::kBool);
    case NpyType::Int32:
      return torch::tensor(a.toInt64()).view(shape).to(torch::kInt);
    case NpyType::Int64:
      return torch::tensor(a.toInt64()).view(shape);
    case NpyType::UInt8:
      return torch::tensor(a.toInt64()).view(shape).to(torch::kByte);
    default:
      return torch::tensor(a.toFloat()).view(shape);
  }
}

// numpy.unpackbits(packed, axis=-1) (big-endian bit order) as bool: [..., n/8] uint8 -> [..., n].
inline torch::Tensor unpackBits(const torch::Tensor& packed) {
  const auto shifts = torch::arange(7, -1, -1, torch::kByte);                         // 7 … 0
  const auto bits = packed.unsqueeze(-1).bitwise_right_shift(shifts).bitwise_and(1);  // [..., n/8, 8]
  auto sizes = packed.sizes().vec();
  sizes.back() *= 8;
  return bits.reshape(sizes).to(torch::kBool);
}

}  // namespace neurolm::test
