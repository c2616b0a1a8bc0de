#pragma once
// Undoing a text-mode transfer in memory. A binary EDF copied as text (e.g. by a git checkout with LF->CRLF
// conversion) has a carriage return (0x0D) inserted before every line feed (0x0A). The EEGMMIDB copies in
// ../shared/data show exactly this: their TALs drift away from the record boundaries by one byte per LF.
// CrlfCollapsedSource presents the original bytes without touching the file.
#include <cstdint>
#include <memory>
#include <vector>

#include "core/io/ByteSource.h"

namespace neurolm {

struct CrlfScan {
  std::uint64_t crlfPairs = 0;  // CR LF pairs from `fromOffset` on
  std::uint64_t loneLineFeeds = 0;
  std::vector<std::uint64_t> pairPhysicalOffsets;  // physical offset of each CR that precedes an LF
};

// Scans the source from `fromOffset` to the end (or to the first lone LF when asked: then it is no CRLF damage).
CrlfScan scanCrlf(const ByteSource& source, std::uint64_t fromOffset, bool stopAtLoneLineFeed = true);

class CrlfCollapsedSource final : public ByteSource {
 public:
  // `crOffsets`: physical offsets of the CR bytes to drop (sorted), as found by scanCrlf.
  CrlfCollapsedSource(std::unique_ptr<ByteSource> inner, std::vector<std::uint64_t> crOffsets);
  std::uint64_t size() const override { return inner_->size() - crPhysical_.size(); }
  void readAt(std::uint64_t offset, std::size_t count, std::uint8_t* out) const override;
  std::string name() const override { return inner_->name(); }
  std::unique_ptr<ByteSource> release() { return std::move(inner_); }

 private:
  std::uint64_t physicalOf(std::uint64_t logical) const;
  std::unique_ptr<ByteSource> inner_;
  std::vector<std::uint64_t> crPhysical_;  // physical offsets of dropped CRs
  std::vector<std::uint64_t> crLogical_;   // logical offset where each dropped CR would have been
};

}  // namespace neurolm
