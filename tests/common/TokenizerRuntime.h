#pragma once
// An inference runtime holding only a VQ tokenizer, on the CPU: what the token-lane tests give their backends.
#include <filesystem>
#include <memory>

#include "models/runtime/InferenceRuntime.h"

namespace neurolm::test {

inline std::shared_ptr<runtime::InferenceRuntime> tokenizerRuntime(const std::filesystem::path& vq) {
  runtime::RuntimeOptions options;
  options.tokenizerPath = vq;
  options.device = "cpu";
  return std::make_shared<runtime::InferenceRuntime>(options);
}

}  // namespace neurolm::test
