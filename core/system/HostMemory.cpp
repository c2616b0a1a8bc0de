#include "core/system/HostMemory.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace neurolm {

int64_t parseMemAvailableBytes(const std::string& text, const std::string& source) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream fields(line.substr(13));
    int64_t value = -1;
    std::string unit;
    fields >> value >> unit;
    if (fields.fail() || value < 0 || unit != "kB")
      throw std::invalid_argument(source + ": malformed MemAvailable line \"" + line +
                                  "\" (expected \"N kB\")");
    return value * 1024;  // the kernel's "kB" is KiB
  }
  throw std::invalid_argument(source + ": no MemAvailable line (Linux 3.14 or later has one)");
}

int64_t readMemAvailableBytes(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return parseMemAvailableBytes(text.str(), path);
}

}  // namespace neurolm
