#include "models/io/AtomicFileWriter.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>

namespace neurolm {

AtomicFileWriter::AtomicFileWriter(std::filesystem::path target) : target_(std::move(target)) {
  const std::filesystem::path dir = target_.has_parent_path() ? target_.parent_path() : ".";
  std::random_device rd;
  temp_ = dir / ("." + target_.filename().string() + ".tmp" + std::to_string(rd()) + "-" +
                 std::to_string(::getpid()));
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::runtime_error(target_.string() + ": cannot create temporary file " + temp_.string() + ": " +
                             std::strerror(errno));
  }
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
}

void AtomicFileWriter::failWithErrno(const std::string& what) {
  const std::string why = std::strerror(errno);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(temp_.c_str());
  committed_ = true;  // nothing left to clean up
  throw std::runtime_error(target_.string() + ": " + what + ": " + why);
}

void AtomicFileWriter::write(const void* data, std::size_t size) {
  if (fd_ < 0) throw std::logic_error(target_.string() + ": write after commit or failure");
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd_, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      failWithErrno("write failed");
    }
    p += n;
    size -= static_cast<std::size_t>(n);
    written_ += static_cast<std::size_t>(n);
  }
}

void AtomicFileWriter::commit() {
  if (fd_ < 0) throw std::logic_error(target_.string() + ": commit twice or after failure");
  if (::fsync(fd_) != 0) failWithErrno("cannot flush");
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) failWithErrno("cannot close");
  if (::rename(temp_.c_str(), target_.c_str()) != 0) failWithErrno("cannot rename temporary file into place");
  committed_ = true;
  const std::filesystem::path dir = target_.has_parent_path() ? target_.parent_path() : ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // make the rename durable
    ::close(dfd);
  }
}

}  // namespace neurolm
