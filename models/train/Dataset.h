#pragma once
// Training data from folders of EDF/BDF recordings, described by a small JSON dataset definition
// (docs/training.md lists every field): which files, which channels, how windows are cut (the official
// Workload protocol or sliding windows), the label rule (from the file name, a CSV, or EDF+ annotations), the
// split by subject, and — for instruction tuning — the question and its answer options. Prepared windows are
// cached as shards (.npy) with a manifest and checksums, keyed by the definition and the preprocessing, so a
// second run (or a GPU machine that has only the shards) reuses them. No torch here.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace neurolm::train {

struct LabelRule {
  std::string from = "none";  // "none", "filename", "annotations", "csv"
  std::string pattern;        // filename: regex over the file name whose group 1 is looked up in `map`
  std::map<std::string, int64_t> map;  // value (group 1, annotation text, CSV label) -> class index
  std::filesystem::path csv;           // csv: columns file,label (file name relative to the root)
  // Only windows inside an annotation with one of these texts (any rule; e.g. the movement periods of a run
  // labelled by its file name). annotations/within: windows start at each annotation's onset, every hop.
  std::vector<std::string> within;
  // annotations: windows cut from each mapped annotation (from its onset, every hop, while inside it).
};

struct SplitRule {
  std::string subjectPattern;  // regex over the file's path relative to the root; group 1 = subject id
  std::map<std::string, std::vector<std::string>>
      splits;  // split name -> subject ids (ranges "00-25" expanded)
};

struct TaskDefinition {
  std::string prompt;                // e.g. "Question: Is this EEG segment of high workload? Answer:"
  std::vector<std::string> options;  // answer text per class index, e.g. {" No", " Yes"}
};

struct DatasetDefinition {
  std::string name;
  std::filesystem::path root;               // folder the file patterns are relative to
  std::vector<std::string> files;           // regexes over relative paths ('/' separators), any match keeps
  std::vector<std::string> channels;        // EDF labels in model order; empty = every vocabulary channel
  std::string channelNameRule = "generic";  // "generic" or "workload"
  std::optional<double> notchHz = 50.0;
  std::string protocol = "sliding";  // "workload" (official last-60-s windows) or "sliding"
  double windowSec = 4;
  double hopSec = 2;
  LabelRule label;
  SplitRule split;
  std::optional<TaskDefinition> task;
  nlohmann::json source;  // the JSON it was read from (hashed into the cache key)
};

// Reads and validates a definition; relative roots are resolved against `rootOverride` when given, else the
// definition file's folder. Unknown keys and bad values throw std::invalid_argument naming the file and key.
DatasetDefinition readDatasetDefinition(const std::filesystem::path& path,
                                        const std::filesystem::path& rootOverride = {});
DatasetDefinition parseDatasetDefinition(const nlohmann::json& json, const std::string& sourceName,
                                         const std::filesystem::path& baseDir);

// One prepared split: N windows of V real tokens each (V = channels × seconds, the same for all windows).
struct PreparedSplit {
  int64_t count = 0;
  int64_t tokens = 0;                 // V
  std::vector<float> x;               // [N, V, 200] µV / 100
  std::vector<int32_t> inputChans;    // [N, V]
  std::vector<int32_t> inputTime;     // [N, V]
  std::vector<int64_t> labels;        // [N] (−1 without a label rule)
  std::vector<std::string> subjects;  // [N]
  std::vector<std::string> files;     // [N] relative path of the source
  std::vector<double> startSec;       // [N] window start in the source recording
};

struct PreparedDataset {
  std::map<std::string, PreparedSplit> splits;
  std::filesystem::path shardDir;  // where the shards live
  bool fromCache = false;
  std::vector<std::string> skipped;  // "file: reason" for recordings left out
};

struct PrepareOptions {
  std::filesystem::path cacheDir;  // shards go to <cacheDir>/<name>-<key>/
  // Progress (files done, files total); returning false cancels (std::runtime_error "cancelled").
  std::function<bool(std::size_t, std::size_t)> progress;
};

// Prepares (or loads from the cache, after verifying every shard's checksum) every split of a definition.
// Recordings that lack a required channel are skipped and listed; a definition that yields no window at all
// throws std::runtime_error naming the definition.
PreparedDataset prepareDataset(const DatasetDefinition& definition, const PrepareOptions& options);

// The key of a definition's shards: a hash of its JSON and of the preprocessing version.
std::string datasetCacheKey(const DatasetDefinition& definition);

// 64-bit FNV-1a of a file's bytes, as hex (the manifest's checksum).
std::string fileChecksum(const std::filesystem::path& path);

}  // namespace neurolm::train
