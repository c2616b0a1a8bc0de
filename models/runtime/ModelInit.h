#pragma once
// `neurolm init` without torch in the caller: writes a randomly initialised model in our format.
#include <cstdint>
#include <filesystem>
#include <string>

namespace neurolm::runtime {

struct InitOptions {
  std::string kind = "neurolm";  // "vq" or "neurolm"
  std::string size = "tiny";     // "tiny" or "B" (see ModelStore.h)
  uint64_t seed = 0;
  std::filesystem::path out;  // .safetensors
};

struct InitReport {
  std::string kind, size;
  int64_t parameters = 0;
  std::string configJson;  // what was stored in __metadata__["neurolm_config"]
};

// Throws std::invalid_argument for an unknown kind/size, std::runtime_error naming the file on write errors.
InitReport initRandomModel(const InitOptions& options);

}  // namespace neurolm::runtime
