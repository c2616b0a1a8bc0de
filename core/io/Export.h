#pragma once
// Export of a time range of a recording's channels to EDF+/BDF+, CSV or NumPy .npy (+ JSON sidecar).
//
// The range [startSec, endSec) selects samples round(startSec*fs) .. round(endSec*fs) - 1 of each channel
// (as `neurolm psd --window`). Values are physical, in each channel's own unit.
//
// - EDF+ (.edf) / BDF+ (.bdf), written by EDFlib: each channel keeps its label, unit, prefilter, transducer,
//   physical and digital range, so an EDF source is copied digital value for digital value (a BDF source to
//   .edf is requantised to 16 bits over its physical range). The start date/time is the source's plus
//   startSec; the data-record duration is the longest of 1, 0.5, 0.25, 0.2, 0.1, ... 0.001 s that holds a
//   whole number of samples of every channel and divides the range. The recording's annotations inside the
//   range go with it, shifted to the new start.
// - CSV (.csv): header "time_sec,<label> [<unit>],...", then one row per sample: the time from the start of
//   the source recording and each channel's value ("%.10g"). All channels must share one sample rate.
// - NumPy (.npy): float32 array [channels, samples] in C order, and beside it "<out>.json":
//   {"format":"neurolm-export","source":<file name>,"start_sec","end_sec","sample_rate_hz",
//    "first_sample","channels":[{"label","unit"}]}. All channels must share one sample rate.
//
// Output files are written to a temporary file in the target folder and renamed at the end, so a failed or
// cancelled export leaves nothing behind; the source recording is never the target.
#include <atomic>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace neurolm {

class Recording;

class ExportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class ExportFormat { EdfPlus, BdfPlus, Csv, Npy };

// By the extension of `out` (.edf, .bdf, .csv, .npy; case-insensitive). Throws ExportError otherwise.
ExportFormat exportFormatFor(const std::filesystem::path& out);

struct ExportRequest {
  double startSec = 0;
  double endSec = 0;
  std::vector<std::size_t> channels;  // indices into recording.channels(); empty = all
  std::filesystem::path
      sourcePath;  // the recording's file, never overwritten (may be empty for memory sources)
};

struct ExportResult {
  std::filesystem::path written;      // the data file
  std::filesystem::path sidecar;      // .npy: the JSON sidecar; otherwise empty
  std::vector<std::int64_t> samples;  // samples written per exported channel
  double recordDurationSec = 0;       // EDF+/BDF+ only
  std::size_t annotations = 0;        // EDF+/BDF+ only
};

// Progress 0..1 after each chunk; `cancel` set -> throws ExportError("cancelled") and leaves nothing behind.
using ExportProgress = std::function<void(double)>;

// Throws ExportError naming the file and the problem: a range outside [0, duration] or empty, an unknown
// channel, mixed sample rates for CSV/.npy, the source as target, a folder that does not exist or cannot be
// written.
ExportResult exportRange(const Recording& recording, const ExportRequest& request,
                         const std::filesystem::path& out, const ExportProgress& progress = {},
                         const std::atomic<bool>* cancel = nullptr);

}  // namespace neurolm
