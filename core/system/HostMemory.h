#pragma once
// The memory a new process can still use on this computer: MemAvailable of /proc/meminfo (the kernel's
// estimate of free plus reclaimable page cache, the number `free` shows as "available").
#include <cstdint>
#include <string>

namespace neurolm {

// MemAvailable in bytes from the text of a meminfo file ("MemAvailable:   12345 kB"); throws
// std::invalid_argument naming `source` when the line is missing or malformed.
int64_t parseMemAvailableBytes(const std::string& meminfoText, const std::string& source);

// Reads the file (normally /proc/meminfo); throws std::runtime_error naming it when it cannot be read.
int64_t readMemAvailableBytes(const std::string& meminfoPath = "/proc/meminfo");

}  // namespace neurolm
