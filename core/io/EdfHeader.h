#pragma once
// EDF / EDF+ / BDF / BDF+ header model and a strict-but-tolerant parser.
// The parser is a pure function over bytes (fuzzed by tests/fuzz): every field is validated; problems that do
// not change the meaning of the data are repaired in memory and listed in the RepairReport, all others throw
// a FormatError naming the file, the field and the value found.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace neurolm {

class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class EdfFlavor { Edf, EdfPlusContinuous, EdfPlusDiscontinuous, Bdf, BdfPlusContinuous, BdfPlusDiscontinuous };
std::string flavorName(EdfFlavor f);
inline bool isBdf(EdfFlavor f) {
  return f == EdfFlavor::Bdf || f == EdfFlavor::BdfPlusContinuous || f == EdfFlavor::BdfPlusDiscontinuous;
}
inline bool isPlus(EdfFlavor f) { return f != EdfFlavor::Edf && f != EdfFlavor::Bdf; }
inline bool isDiscontinuous(EdfFlavor f) {
  return f == EdfFlavor::EdfPlusDiscontinuous || f == EdfFlavor::BdfPlusDiscontinuous;
}

// Every assumption the reader made to open a file that a strict reader refuses.
struct RepairReport {
  std::string strictReaderVerdict;  // e.g. "EDFlib 1.23 accepted the file" or "EDFlib refused: ..."
  std::vector<std::string> repairs;  // one sentence per assumption
  bool empty() const { return repairs.empty(); }
};

struct EdfSignal {
  std::string label;  // trimmed, UTF-8
  std::string transducer;
  std::string physicalDimension;  // e.g. "uV"
  double physicalMin = 0;
  double physicalMax = 0;
  std::int32_t digitalMin = 0;
  std::int32_t digitalMax = 0;
  std::string prefilter;
  std::int32_t samplesPerRecord = 0;
  bool isAnnotation = false;
  // Derived: physical = offset + gain * digital (the EDF rule phys_min + (dig - dig_min) * (pmax-pmin)/(dmax-dmin)).
  double gain = 1;
  double offset = 0;
  std::uint64_t byteOffsetInRecord = 0;  // where this signal's samples start inside a data record
};

struct EdfHeader {
  EdfFlavor flavor = EdfFlavor::Edf;
  std::string patient;
  std::string recording;
  int startYear = 1985, startMonth = 1, startDay = 1, startHour = 0, startMinute = 0, startSecond = 0;
  std::uint64_t headerBytes = 0;
  std::int64_t declaredRecordCount = 0;  // as written (-1 = unknown)
  std::int64_t recordCount = 0;          // complete records actually usable
  double recordDurationSec = 0;
  std::vector<EdfSignal> signals;
  std::uint64_t recordBytes = 0;  // bytes of one data record
  int bytesPerSample = 2;          // 2 (EDF) or 3 (BDF)
  // EDF+/BDF+ file whose only signals are annotation signals (e.g. a Sleep-EDF hypnogram): no samples; the
  // record duration may be 0 and the record count 0.
  bool annotationsOnly = false;

  double durationSec() const { return static_cast<double>(recordCount) * recordDurationSec; }
  double sampleRateHz(std::size_t signal) const {
    return recordDurationSec > 0 ? signals[signal].samplesPerRecord / recordDurationSec : 0.0;
  }
};

// Parses the fixed header (first 256 bytes) and the signal headers. `bytes` must hold at least the whole header
// if the file is that long; `fileSize` is the full size, used to validate/repair the record count.
// Throws FormatError("<name>: <field>: <problem>") on anything that cannot be repaired safely.
EdfHeader parseEdfHeader(const std::uint8_t* bytes, std::size_t available, std::uint64_t fileSize,
                         const std::string& name, RepairReport& report);

// Size of the header implied by the signal count at byte 252 (for reading the right number of bytes first).
// Throws FormatError if the first 256 bytes are not a plausible EDF/BDF header.
std::uint64_t edfHeaderSizeFromFixedPart(const std::uint8_t* first256, std::size_t available,
                                         std::uint64_t fileSize, const std::string& name);

}  // namespace neurolm
