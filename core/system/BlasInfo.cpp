#include "core/system/BlasInfo.h"

#include <filesystem>
#include <fstream>

namespace neurolm {

std::string BlasInfo::warning() const {
  if (!isReference) return {};
  return "the reference BLAS (" + libraryPath +
         ") is in use: model inference and training will be ~40x slower. Install OpenBLAS: "
         "apt-get install libopenblas0-pthread";
}

BlasInfo detectBlas() {
  BlasInfo info;
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    const std::string file = std::filesystem::path(path).filename().string();
    const bool blasLike = file.rfind("libblas.so", 0) == 0 || file.rfind("libopenblas", 0) == 0 ||
                          file.rfind("libblis", 0) == 0 || file.rfind("libmkl_rt", 0) == 0;
    if (!blasLike) continue;
    std::error_code ec;
    const auto resolved = std::filesystem::canonical(path, ec);
    info.libraryPath = ec ? path : resolved.string();
    const std::string& p = info.libraryPath;
    if (p.find("openblas") != std::string::npos) {
      info.name = "OpenBLAS";
    } else if (p.find("blis") != std::string::npos) {
      info.name = "BLIS";
    } else if (p.find("mkl") != std::string::npos) {
      info.name = "MKL";
    } else if (p.find("/blas/") != std::string::npos) {
      info.name = "reference BLAS";
      info.isReference = true;
    } else {
      info.name = "unknown";
    }
    if (info.name == "OpenBLAS") break;  // libopenblas beats a libblas.so.3 wrapper seen earlier
  }
  if (info.name.empty()) info.name = "none loaded";
  return info;
}

}  // namespace neurolm
