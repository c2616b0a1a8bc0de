#pragma once
// Which BLAS library the process actually uses. Debian's LibTorch calls whatever libblas.so.3 the
// alternatives system selects; the single-threaded reference BLAS is ~40x slower than OpenBLAS.
#include <string>

namespace neurolm {

struct BlasInfo {
  std::string libraryPath;  // resolved path of the loaded libblas/libopenblas, empty if none is loaded yet
  std::string name;         // "OpenBLAS", "reference BLAS", "BLIS", "MKL", or "unknown"
  bool isReference = false;
  std::string warning() const;  // non-empty when the reference BLAS is in use
};

// Inspects /proc/self/maps (call after the engine has been loaded so that libblas is mapped).
BlasInfo detectBlas();

}  // namespace neurolm
