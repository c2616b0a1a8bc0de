#pragma once
// EDF+ Time-stamped Annotation Lists (TALs): "+onset[\x15duration]\x14text\x14...\x14\0".
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace neurolm {

struct Annotation {
  double onsetSec = 0;       // relative to the recording start
  double durationSec = -1;   // -1 = no duration given
  std::string text;          // UTF-8
  std::string channel;       // empty = whole recording (channel-linked annotations come from the sidecar)
};

struct TalParseResult {
  std::optional<double> recordOnsetSec;  // the time-keeping TAL of the record, if this signal carries it
  std::vector<Annotation> annotations;
  int malformedTals = 0;
};

// Parses the bytes of one annotation signal of one data record. `timeKeeping` = this is the first annotation
// signal, whose first TAL carries the record's onset. Never throws; malformed TALs are counted and skipped.
TalParseResult parseTalSignal(const std::uint8_t* bytes, std::size_t size, bool timeKeeping);

}  // namespace neurolm
