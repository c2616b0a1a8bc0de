#include <ostream>

#include "app/cli/Commands.h"
#include "core/system/BlasInfo.h"
#include "models/runtime/Device.h"

namespace neurolm::cli {

int runBlas(const std::vector<std::string>&, std::ostream& out, std::ostream& err) {
  // A small matmul makes LibTorch map its BLAS before we look.
  const auto m = torch::ones({32, 32});
  (void)torch::matmul(m, m);
  const BlasInfo blas = detectBlas();
  out << "BLAS: " << blas.name << " (" << blas.libraryPath << ")\n";
  out << "threads: " << torch::get_num_threads() << "\n";
  out << "device: " << chooseDevice("auto").describe() << "\n";
  if (blas.isReference) err << "warning: " << blas.warning() << "\n";
  return 0;
}

}  // namespace neurolm::cli
