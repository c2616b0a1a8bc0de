#pragma once
// The EEG input tensors of spec §1.3, as the official loaders produce them.
#include <torch/torch.h>

namespace neurolm::nn {

struct EegBatch {
  torch::Tensor x;           // [B, Le, 200] float32 patches (µV / 100), zero rows for padding
  torch::Tensor inputChans;  // [B, Le] channel vocabulary index (136 = pad); any integer dtype
  torch::Tensor inputTime;   // [B, Le] second index (0 for padding); any integer dtype
  torch::Tensor inputMask;   // [B, Le] bool, true for real tokens (contiguous at the start)

  int64_t batchSize() const { return x.size(0); }
  int64_t paddedLength() const { return x.size(1); }
  // Rows [first, first + count) of the batch.
  EegBatch slice(int64_t first, int64_t count) const {
    return {x.narrow(0, first, count), inputChans.narrow(0, first, count), inputTime.narrow(0, first, count),
            inputMask.narrow(0, first, count)};
  }
};

}  // namespace neurolm::nn
