#include "core/io/CrlfRepair.h"

#include <algorithm>
#include <stdexcept>

namespace neurolm {

CrlfScan scanCrlf(const ByteSource& source, std::uint64_t fromOffset, bool stopAtLoneLineFeed) {
  CrlfScan scan;
  constexpr std::size_t kChunk = 1u << 20;
  std::vector<std::uint8_t> buf(kChunk + 1);
  bool prevCr = false;
  if (fromOffset > 0 && fromOffset <= source.size()) {
    std::uint8_t b = 0;
    source.readAt(fromOffset - 1, 1, &b);
    prevCr = b == 0x0D;
  }
  for (std::uint64_t off = fromOffset; off < source.size(); off += kChunk) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, source.size() - off));
    source.readAt(off, n, buf.data());
    for (std::size_t i = 0; i < n; ++i) {
      if (buf[i] == 0x0A) {
        if (prevCr) {
          ++scan.crlfPairs;
          scan.pairPhysicalOffsets.push_back(off + i - 1);
        } else {
          ++scan.loneLineFeeds;
          if (stopAtLoneLineFeed) return scan;  // not text-mode damage: stop early on huge files
        }
      }
      prevCr = buf[i] == 0x0D;
    }
  }
  return scan;
}

CrlfCollapsedSource::CrlfCollapsedSource(std::unique_ptr<ByteSource> inner, std::vector<std::uint64_t> crOffsets)
    : inner_(std::move(inner)), crPhysical_(std::move(crOffsets)) {
  crLogical_.resize(crPhysical_.size());
  for (std::size_t i = 0; i < crPhysical_.size(); ++i) crLogical_[i] = crPhysical_[i] - i;
}

// Logical byte x sits after every dropped CR whose logical slot is <= x.
std::uint64_t CrlfCollapsedSource::physicalOf(std::uint64_t logical) const {
  const auto k = static_cast<std::uint64_t>(std::upper_bound(crLogical_.begin(), crLogical_.end(), logical) -
                                            crLogical_.begin());
  return logical + k;
}

void CrlfCollapsedSource::readAt(std::uint64_t offset, std::size_t count, std::uint8_t* out) const {
  if (count == 0) return;
  if (offset > size() || count > size() - offset) {
    throw std::runtime_error(name() + ": read past the end of the (repaired) data");
  }
  const std::uint64_t p0 = physicalOf(offset);
  const std::uint64_t p1 = physicalOf(offset + count - 1) + 1;
  std::vector<std::uint8_t> phys(static_cast<std::size_t>(p1 - p0));
  inner_->readAt(p0, phys.size(), phys.data());
  auto cr = std::lower_bound(crPhysical_.begin(), crPhysical_.end(), p0);
  std::size_t w = 0;
  for (std::uint64_t p = p0; p < p1; ++p) {
    if (cr != crPhysical_.end() && *cr == p) {
      ++cr;
      continue;
    }
    out[w++] = phys[static_cast<std::size_t>(p - p0)];
  }
  if (w != count) throw std::logic_error("CrlfCollapsedSource: internal size mismatch");
}

}  // namespace neurolm
