#pragma once
// Random-access, thread-safe byte sources for recordings: a file read with pread (never written, never
// mapped, so resident memory does not grow with file size) or an in-memory buffer (fuzzing, tests).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace neurolm {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::uint64_t size() const = 0;
  // Reads exactly `count` bytes at `offset` into `out`; throws std::runtime_error on I/O error or short read.
  virtual void readAt(std::uint64_t offset, std::size_t count, std::uint8_t* out) const = 0;
  virtual std::string name() const = 0;  // for error messages: the path or a label
};

class FileByteSource final : public ByteSource {
 public:
  // Opens read-only; throws with the path and the OS reason (missing file, directory, permission).
  explicit FileByteSource(const std::filesystem::path& path);
  ~FileByteSource() override;
  FileByteSource(const FileByteSource&) = delete;
  FileByteSource& operator=(const FileByteSource&) = delete;
  std::uint64_t size() const override { return size_; }
  void readAt(std::uint64_t offset, std::size_t count, std::uint8_t* out) const override;
  std::string name() const override { return path_.string(); }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

class MemoryByteSource final : public ByteSource {
 public:
  MemoryByteSource(std::vector<std::uint8_t> bytes, std::string name)
      : bytes_(std::move(bytes)), name_(std::move(name)) {}
  std::uint64_t size() const override { return bytes_.size(); }
  void readAt(std::uint64_t offset, std::size_t count, std::uint8_t* out) const override;
  std::string name() const override { return name_; }

 private:
  std::vector<std::uint8_t> bytes_;
  std::string name_;
};

}  // namespace neurolm
