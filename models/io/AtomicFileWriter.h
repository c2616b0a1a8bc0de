#pragma once
// Streaming counterpart of core/io/AtomicFile.h: bytes go to a temporary file in the target's directory;
// commit() flushes it to disk (fsync) and renames it over the target. Until commit() the target is untouched;
// a writer destroyed without commit() (an exception, a cancelled save) removes its temporary file.
#include <cstddef>
#include <filesystem>
#include <string>

namespace neurolm {

class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::filesystem::path target);  // throws std::runtime_error naming the target
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(const void* data, std::size_t size);
  void commit();
  std::size_t bytesWritten() const { return written_; }

 private:
  [[noreturn]] void failWithErrno(const std::string& what);
  std::filesystem::path target_;
  std::filesystem::path temp_;
  int fd_ = -1;
  std::size_t written_ = 0;
  bool committed_ = false;
};

}  // namespace neurolm
