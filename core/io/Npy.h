#pragma once
// Reading and writing NumPy .npy arrays (format versions 1.0-3.0, C order, little-endian).
// Used for parity fixtures, for preprocessed-array input to the CLI, and for exporting features.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace neurolm {

enum class NpyType { Float32, Float64, Int32, Int64, UInt8, UInt16, Bool };

struct NpyArray {
  NpyType type = NpyType::Float32;
  std::vector<std::size_t> shape;
  std::vector<std::uint8_t> bytes;  // raw little-endian element data, C order

  std::size_t elementCount() const;
  std::size_t itemSize() const;
  // Element conversions (copying). Throw if the dtype cannot be converted losslessly in kind.
  std::vector<double> toDouble() const;
  std::vector<float> toFloat() const;
  std::vector<std::int64_t> toInt64() const;
};

// Throws std::runtime_error naming the file and the problem (bad magic, unsupported dtype, Fortran order,
// truncated data).
NpyArray readNpy(const std::filesystem::path& path);
NpyArray parseNpy(const std::uint8_t* data, std::size_t size, const std::string& nameForErrors);

// Writes atomically (temp file + rename).
void writeNpy(const std::filesystem::path& path, const NpyArray& array);
NpyArray makeNpy(const std::vector<float>& values, std::vector<std::size_t> shape);
NpyArray makeNpy(const std::vector<double>& values, std::vector<std::size_t> shape);
NpyArray makeNpy(const std::vector<std::int64_t>& values, std::vector<std::size_t> shape);

}  // namespace neurolm
