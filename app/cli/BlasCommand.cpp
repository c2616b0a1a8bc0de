#include <ostream>

#include "app/cli/Commands.h"
#include "core/system/BlasInfo.h"
#include "models/nn/CpuKernels.h"
#include "models/runtime/Device.h"

namespace neurolm::cli {

int runBlas(const std::vector<std::string>&, std::ostream& out, std::ostream& err) {
  // A small matmul makes LibTorch map its BLAS before we look.
  const auto m = torch::ones({32, 32});
  (void)torch::matmul(m, m);
  const BlasInfo blas = detectBlas();
  out << "BLAS: " << blas.name << " (" << blas.libraryPath << ")\n";
  torch::set_num_threads(nn::cpu::defaultCpuThreads());  // what the inference runtime sets by default
  out << "threads: " << torch::get_num_threads() << "\n";
  // What `tokenize` / `ask` run with (the inference runtime enables it; models/nn/CpuKernels.h).
  nn::cpu::applyThreadPolicy("auto");
  out << "inference thread policy: " << nn::cpu::threadPolicyDescription() << "\n";
  out << "decode kernel: " << nn::cpu::fewRowsKernelIsa() << "\n";
  out << "device: " << chooseDevice("auto").describe() << "\n";
  if (blas.isReference) err << "warning: " << blas.warning() << "\n";
  return 0;
}

}  // namespace neurolm::cli
