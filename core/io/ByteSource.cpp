#include "core/io/ByteSource.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace neurolm {

FileByteSource::FileByteSource(const std::filesystem::path& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    const int e = errno;
    if (e == ENOENT) throw std::runtime_error(path.string() + ": file not found");
    throw std::runtime_error(path.string() + ": cannot open: " + std::strerror(e));
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const int e = errno;
    ::close(fd_);
    throw std::runtime_error(path.string() + ": cannot stat: " + std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd_);
    throw std::runtime_error(path.string() + ": not a regular file");
  }
  size_ = static_cast<std::uint64_t>(st.st_size);
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_RANDOM);
}

FileByteSource::~FileByteSource() {
  if (fd_ >= 0) ::close(fd_);
}

void FileByteSource::readAt(std::uint64_t offset, std::size_t count, std::uint8_t* out) const {
  std::size_t done = 0;
  while (done < count) {
    const ssize_t n = ::pread(fd_, out + done, count - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(path_.string() + ": read error at byte " + std::to_string(offset + done) + ": " +
                               std::strerror(errno));
    }
    if (n == 0) {
      throw std::runtime_error(path_.string() + ": unexpected end of file at byte " +
                               std::to_string(offset + done) + " (file shrank while open?)");
    }
    done += static_cast<std::size_t>(n);
  }
}

void MemoryByteSource::readAt(std::uint64_t offset, std::size_t count, std::uint8_t* out) const {
  if (offset > bytes_.size() || count > bytes_.size() - offset) {
    throw std::runtime_error(name_ + ": read past the end of the data");
  }
  std::memcpy(out, bytes_.data() + offset, count);
}

}  // namespace neurolm
