#pragma once
// Paths the tests read: ../shared (real EEG, parity fixtures), resources/, tests/ and the built binaries.
#include <filesystem>

namespace neurolm::test {

inline std::filesystem::path sharedDir() { return NEUROLM_SHARED_DIR; }
inline std::filesystem::path dataDir() { return sharedDir() / "data"; }
inline std::filesystem::path parityDir() { return sharedDir() / "parity"; }
inline std::filesystem::path resourcesDir() { return NEUROLM_RESOURCES_DIR; }
inline std::filesystem::path testsDir() { return NEUROLM_TESTS_DIR; }
inline std::filesystem::path binDir() { return NEUROLM_BIN_DIR; }
inline const char* python() { return NEUROLM_PYTHON; }

}  // namespace neurolm::test
