#pragma once
// Atomic file replacement: write to a temporary file in the same directory, fsync, rename over the target.
// A crash leaves either the old file or the new one, never a partial file.
#include <filesystem>
#include <string_view>

namespace neurolm {

void writeFileAtomically(const std::filesystem::path& target, std::string_view contents);

}  // namespace neurolm
