// libFuzzer target for the recording reader: the header parser, the TAL parser and a full Recording over the
// bytes (in memory, no EDFlib), then bounded reads and envelopes of whatever opens. Exceptions are the
// expected answer to bad input; crashes, sanitizer reports (ASan/UBSan) and leaks are bugs.
//
//   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DNEUROLM_FUZZ=ON -DNEUROLM_BUILD_GUI=OFF
//   cmake --build build-fuzz --target fuzz_edf
//   python3 tests/fuzz/make_corpus.py tests/fuzz/corpus     # (already committed; regenerates the seeds)
//   mkdir -p /tmp/fuzz-work && build-fuzz/bin/fuzz_edf /tmp/fuzz-work tests/fuzz/corpus \
//       -max_total_time=600 -max_len=65536 -jobs=1 -workers=1
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <vector>

#include "core/io/EdfAnnotations.h"
#include "core/io/EdfHeader.h"
#include "core/io/Recording.h"

namespace {

// Reads and envelopes on every channel, bounded so that one input costs at most a few hundred kB of work.
void exercise(const neurolm::Recording& rec, std::uint64_t salt) {
  constexpr std::int64_t kMaxRead = 4096;
  std::vector<double> d(kMaxRead);
  std::vector<float> f(kMaxRead);
  const std::size_t nch = std::min<std::size_t>(rec.channels().size(), 16);
  for (std::size_t c = 0; c < nch; ++c) {
    const std::int64_t n = rec.channels()[c].sampleCount;
    const std::int64_t count = std::min(n, kMaxRead);
    rec.readPhysical(c, 0, count, d.data());
    rec.readPhysical(c, n - count, count, f.data());
    const std::int64_t mid = n > 0 ? static_cast<std::int64_t>(salt % static_cast<std::uint64_t>(n)) : 0;
    rec.readPhysical(c, mid, std::min<std::int64_t>(n - mid, 7), d.data());
    (void)rec.envelope(c, 0, std::min(n, kMaxRead * 4), 37);
    (void)rec.envelope(c, mid, n, 5);
    (void)rec.envelope(c, -5, n + 5, 1);
    (void)rec.envelope(c, 0, n, 0);
  }
  (void)rec.annotations();
  for (std::int64_t r : {std::int64_t{0}, rec.header().recordCount - 1, rec.header().recordCount}) {
    (void)rec.recordOnsetSec(r);
  }
  (void)rec.memoryBytes();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::uint64_t salt = 1469598103934665603ull;
  for (std::size_t i = 0; i < std::min<std::size_t>(size, 64); ++i) salt = (salt ^ data[i]) * 1099511628211ull;

  // 1. The header parser alone, as a pure function over the bytes.
  try {
    neurolm::RepairReport report;
    (void)neurolm::edfHeaderSizeFromFixedPart(data, size, size, "fuzz");
    (void)neurolm::parseEdfHeader(data, size, size, "fuzz", report);
  } catch (const std::exception&) {
  }

  // 2. The TAL parser on the raw bytes, as a time-keeping and as a further annotation signal.
  (void)neurolm::parseTalSignal(data, size, true);
  (void)neurolm::parseTalSignal(data, size, false);

  // 3. The full reader, annotations indexed before open returns, no pyramid (direct envelope path).
  std::vector<std::uint8_t> bytes(data, data + size);
  try {
    neurolm::OpenOptions options;
    options.backgroundAnnotations = false;
    options.buildPyramid = false;
    options.consultEdflib = false;
    options.cacheBytes = 64u << 10;
    auto rec = neurolm::Recording::open(std::make_unique<neurolm::MemoryByteSource>(bytes, "fuzz"), options);
    exercise(*rec, salt);

    // 4. What opens is opened again with the pyramid, to exercise the pyramid envelope path as well.
    options.buildPyramid = true;
    auto withPyramid =
        neurolm::Recording::open(std::make_unique<neurolm::MemoryByteSource>(std::move(bytes), "fuzz"), options);
    withPyramid->waitForPyramid();
    exercise(*withPyramid, salt);
  } catch (const std::exception&) {
  }
  return 0;
}
