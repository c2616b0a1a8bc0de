#pragma once
// Reading and writing annotations: the sidecar next to a recording, CSV, and EDF+ annotation-only files.
//
// Sidecar `<recording file name>.annotations.json` (UTF-8 JSON, written atomically, never the recording
// itself):
//   {"format": "neurolm-annotations", "version": 1, "recording": "<file name>",
//    "annotations": [{"onset_sec": 12.5, "duration_sec": 30, "text": "...", "channel": "Fp1", "source":
//    "user"}]}
//   "channel" is omitted for whole-recording annotations; "source" is file, user or imported.
//
// CSV (RFC 4180, UTF-8, comma separated, header row, fields with commas/quotes/line breaks quoted):
//   onset_sec,duration_sec,text,channel,source
//   onset_sec and text are required on import; duration_sec (empty = 0), channel and source are optional;
//   columns are found by name in any order. Imported rows get source "imported".
//
// EDF+ export: an annotation-only EDF+C file (one 'EDF Annotations' signal, one data record of duration 0, as
// PhysioNet's hypnograms) with the start date/time of the recording, so onsets keep their meaning. Texts are
// written as UTF-8 with control characters (which would end a TAL) replaced by spaces; the channel link is
// not representable in EDF+ and is dropped.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/annotations/AnnotationDocument.h"

namespace neurolm {

class Recording;
struct EdfHeader;

class AnnotationFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "<dir>/<name>.edf" -> "<dir>/<name>.edf.annotations.json".
std::filesystem::path annotationSidecarPath(const std::filesystem::path& recording);

// The recording's own EDF+ annotations as document entries (source "file"); gaps of EDF+D files are not
// included.
std::vector<AnnotationEntry> annotationsFromRecording(const Recording& recording);

// Sidecar. load throws AnnotationFileError naming the file and the problem.
std::string sidecarJson(const std::vector<AnnotationEntry>& entries, const std::string& recordingName);
void saveSidecar(const std::filesystem::path& sidecar, const std::vector<AnnotationEntry>& entries,
                 const std::string& recordingName);
std::vector<AnnotationEntry> loadSidecar(const std::filesystem::path& sidecar);

// CSV. importCsv throws AnnotationFileError("<file>: line N: ...").
std::string annotationsToCsv(const std::vector<AnnotationEntry>& entries);
void exportCsv(const std::filesystem::path& file, const std::vector<AnnotationEntry>& entries);
std::vector<AnnotationEntry> parseAnnotationCsv(const std::string& contents, const std::string& name);
std::vector<AnnotationEntry> importCsv(const std::filesystem::path& file);

// Start of an EDF recording, as in its header (the clock of every onset).
struct EdfStartTime {
  int year = 1985, month = 1, day = 1, hour = 0, minute = 0, second = 0;
};
EdfStartTime startTimeOf(const EdfHeader& header);

struct EdfPlusExportInfo {
  EdfStartTime start;
  std::string patient = "X X X X";              // EDF+ patient field (code sex birthdate name)
  std::string recording = "Startdate X X X X";  // EDF+ recording field
};
std::vector<std::uint8_t> annotationsToEdfPlus(const std::vector<AnnotationEntry>& entries,
                                               const EdfPlusExportInfo& info);
void exportEdfPlus(const std::filesystem::path& file, const std::vector<AnnotationEntry>& entries,
                   const EdfPlusExportInfo& info);

// The annotations of an EDF+/BDF+ file (typically annotation-only, e.g. a hypnogram) placed onto a recording
// that starts at `target`: onsets are shifted by the difference of the two header start times. Entries get
// source "imported". `note` (if given) says what was done, e.g. the shift. Throws naming the file if it has
// no annotation signal.
std::vector<AnnotationEntry> importEdfPlusAnnotations(const std::filesystem::path& file,
                                                      const EdfStartTime& target,
                                                      std::string* note = nullptr);

}  // namespace neurolm
