#include "models/train/Dataset.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "core/io/AtomicFile.h"
#include "core/io/Npy.h"
#include "core/io/Recording.h"
#include "core/preprocess/PatchGrid.h"
#include "core/preprocess/WorkloadProtocol.h"
#include "models/runtime/EegWindows.h"

namespace neurolm::train {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Bumped whenever preparation changes what ends up in a shard (invalidates every cache).
constexpr int kPreparationVersion = 1;

[[noreturn]] void bad(const std::string& source, const std::string& key, const std::string& why) {
  throw std::invalid_argument(source + ": '" + key + "' " + why);
}

void refuseUnknownKeys(const json& object, const std::set<std::string>& allowed, const std::string& source,
                       const std::string& where) {
  for (const auto& [key, value] : object.items())
    if (!allowed.count(key)) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      bad(source, where + key, "is not a known key (known: " + list + ")");
    }
}

std::string stringField(const json& o, const char* key, const std::string& source, const std::string& where) {
  if (!o.contains(key) || !o[key].is_string()) bad(source, where + key, "must be a string");
  return o[key].get<std::string>();
}

std::vector<std::string> stringList(const json& v, const std::string& source, const std::string& key) {
  if (!v.is_array()) bad(source, key, "must be a list of strings");
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) bad(source, key, "must be a list of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

// "00-25" -> 00, 01, …, 25 (zero-padded like the bounds); anything else is taken literally.
std::vector<std::string> expandSubjects(const std::string& item) {
  static const std::regex range(R"(^(\d+)-(\d+)$)");
  std::smatch m;
  if (!std::regex_match(item, m, range)) return {item};
  const int a = std::stoi(m[1].str()), b = std::stoi(m[2].str());
  const std::size_t width = m[1].str().size();
  std::vector<std::string> out;
  for (int i = a; i <= b; ++i) {
    std::string s = std::to_string(i);
    if (s.size() < width) s.insert(0, width - s.size(), '0');
    out.push_back(s);
  }
  return out;
}

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

uint64_t fnv1a(const void* data, std::size_t size, uint64_t h = 1469598103934665603ull) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

}  // namespace

std::string fileChecksum(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot be read");
  uint64_t h = 1469598103934665603ull;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h = fnv1a(buf.data(), static_cast<std::size_t>(in.gcount()), h);
  }
  return hex64(h);
}

DatasetDefinition parseDatasetDefinition(const json& j, const std::string& source, const fs::path& baseDir) {
  if (!j.is_object()) throw std::invalid_argument(source + ": a dataset definition must be a JSON object");
  refuseUnknownKeys(j,
                    {"name", "root", "files", "channels", "channel_name_rule", "notch_hz", "protocol",
                     "window_sec", "hop_sec", "label", "split", "task", "description", "licence"},
                    source, "");
  DatasetDefinition d;
  d.source = j;
  d.name = stringField(j, "name", source, "");
  if (d.name.empty() || d.name.find_first_of("/\\ ") != std::string::npos)
    bad(source, "name", "must be a non-empty word without '/' or spaces");
  d.root = j.contains("root") ? fs::path(stringField(j, "root", source, "")) : fs::path(".");
  if (d.root.is_relative()) d.root = baseDir / d.root;
  if (!j.contains("files")) bad(source, "files", "is required (regexes over paths relative to the root)");
  d.files = stringList(j["files"], source, "files");
  for (const auto& f : d.files) try {
      std::regex r(f);
    } catch (const std::regex_error& e) {
      bad(source, "files", "holds an invalid regex '" + f + "' (" + e.what() + ")");
    }
  if (j.contains("channels")) d.channels = stringList(j["channels"], source, "channels");
  if (j.contains("channel_name_rule")) {
    d.channelNameRule = stringField(j, "channel_name_rule", source, "");
    if (d.channelNameRule != "generic" && d.channelNameRule != "workload")
      bad(source, "channel_name_rule",
          "must be \"generic\" or \"workload\", got \"" + d.channelNameRule + "\"");
  }
  if (j.contains("notch_hz")) {
    if (j["notch_hz"].is_null())
      d.notchHz.reset();
    else if (!j["notch_hz"].is_number() || j["notch_hz"].get<double>() <= 0)
      bad(source, "notch_hz", "must be a positive frequency or null");
    else
      d.notchHz = j["notch_hz"].get<double>();
  }
  if (j.contains("protocol")) {
    d.protocol = stringField(j, "protocol", source, "");
    if (d.protocol != "workload" && d.protocol != "sliding")
      bad(source, "protocol", "must be \"workload\" or \"sliding\", got \"" + d.protocol + "\"");
  }
  for (const char* key : {"window_sec", "hop_sec"})
    if (j.contains(key)) {
      if (!j[key].is_number() || j[key].get<double>() <= 0 ||
          j[key].get<double>() != std::floor(j[key].get<double>()))
        bad(source, key, "must be a positive whole number of seconds");
      (std::string(key) == "window_sec" ? d.windowSec : d.hopSec) = j[key].get<double>();
    }
  if (d.windowSec > 64) bad(source, "window_sec", "exceeds the tokenizer's 64 s");
  if (j.contains("label")) {
    const auto& l = j["label"];
    if (!l.is_object()) bad(source, "label", "must be an object");
    refuseUnknownKeys(l, {"from", "pattern", "map", "csv", "within"}, source, "label.");
    if (l.contains("within")) d.label.within = stringList(l["within"], source, "label.within");
    d.label.from = stringField(l, "from", source, "label.");
    if (d.label.from != "none" && d.label.from != "filename" && d.label.from != "annotations" &&
        d.label.from != "csv")
      bad(source, "label.from", "must be \"none\", \"filename\", \"annotations\" or \"csv\"");
    if (d.label.from == "filename") {
      d.label.pattern = stringField(l, "pattern", source, "label.");
      try {
        std::regex r(d.label.pattern);
        if (r.mark_count() < 1) bad(source, "label.pattern", "needs a capture group (the label value)");
      } catch (const std::regex_error& e) {
        bad(source, "label.pattern", std::string("is not a valid regex (") + e.what() + ")");
      }
    }
    if (d.label.from == "csv") {
      d.label.csv = stringField(l, "csv", source, "label.");
      if (d.label.csv.is_relative()) d.label.csv = baseDir / d.label.csv;
    }
    if (d.label.from != "none") {
      if (!l.contains("map") || !l["map"].is_object() || l["map"].empty())
        bad(source, "label.map", "must map each label value to a class index");
      for (const auto& [k, v] : l["map"].items()) {
        if (!v.is_number_integer() || v.get<int64_t>() < 0)
          bad(source, "label.map." + k, "must be a class index ≥ 0");
        d.label.map[k] = v.get<int64_t>();
      }
    }
  }
  if (!j.contains("split")) bad(source, "split", "is required (subject pattern and subjects per split)");
  {
    const auto& s = j["split"];
    if (!s.is_object()) bad(source, "split", "must be an object");
    refuseUnknownKeys(s, {"subject_pattern", "train", "val", "test", "calib"}, source, "split.");
    d.split.subjectPattern = stringField(s, "subject_pattern", source, "split.");
    try {
      if (std::regex(d.split.subjectPattern).mark_count() < 1)
        bad(source, "split.subject_pattern", "needs a capture group (the subject id)");
    } catch (const std::regex_error& e) {
      bad(source, "split.subject_pattern", std::string("is not a valid regex (") + e.what() + ")");
    }
    std::set<std::string> seen;
    for (const char* name : {"train", "val", "test", "calib"}) {
      if (!s.contains(name)) continue;
      std::vector<std::string> ids;
      for (const auto& item : stringList(s[name], source, std::string("split.") + name))
        for (const auto& id : expandSubjects(item)) {
          if (!seen.insert(id).second)
            bad(source, std::string("split.") + name, "repeats subject " + id + " (splits are by subject)");
          ids.push_back(id);
        }
      d.split.splits[name] = ids;
    }
    if (!d.split.splits.count("train")) bad(source, "split.train", "is required");
  }
  if (j.contains("task")) {
    const auto& t = j["task"];
    if (!t.is_object()) bad(source, "task", "must be an object");
    refuseUnknownKeys(t, {"prompt", "options"}, source, "task.");
    TaskDefinition task;
    task.prompt = stringField(t, "prompt", source, "task.");
    if (!t.contains("options")) bad(source, "task.options", "is required");
    task.options = stringList(t["options"], source, "task.options");
    if (task.options.size() < 2) bad(source, "task.options", "needs at least two answers");
    for (const auto& [k, v] : d.label.map)
      if (v >= static_cast<int64_t>(task.options.size()))
        bad(source, "label.map." + k,
            "is class " + std::to_string(v) + " but task.options has only " +
                std::to_string(task.options.size()) + " answers");
    d.task = task;
  }
  return d;
}

DatasetDefinition readDatasetDefinition(const fs::path& path, const fs::path& rootOverride) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(path.string() + ": dataset definition not found or unreadable");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    throw std::invalid_argument(path.string() + ": not valid JSON (" + e.what() + ")");
  }
  auto d = parseDatasetDefinition(j, path.string(), path.parent_path());
  if (!rootOverride.empty()) d.root = rootOverride;
  return d;
}

std::string datasetCacheKey(const DatasetDefinition& d) {
  const std::string text = d.source.dump() + "|v" + std::to_string(kPreparationVersion);
  return hex64(fnv1a(text.data(), text.size()));
}

namespace {

struct SourceFile {
  fs::path path;
  std::string relative;
  std::string subject;
  std::string split;
};

std::vector<SourceFile> listFiles(const DatasetDefinition& d) {
  if (!fs::is_directory(d.root))
    throw std::runtime_error("dataset '" + d.name + "': root folder " + d.root.string() + " does not exist");
  std::vector<std::regex> patterns;
  for (const auto& f : d.files) patterns.emplace_back(f);
  const std::regex subject(d.split.subjectPattern);
  std::map<std::string, std::string> splitOf;
  for (const auto& [name, ids] : d.split.splits)
    for (const auto& id : ids) splitOf[id] = name;
  std::vector<SourceFile> out;
  for (const auto& e : fs::recursive_directory_iterator(d.root)) {
    if (!e.is_regular_file()) continue;
    const auto rel = fs::relative(e.path(), d.root).generic_string();
    if (std::none_of(patterns.begin(), patterns.end(),
                     [&](const std::regex& r) { return std::regex_search(rel, r); }))
      continue;
    std::smatch m;
    if (!std::regex_search(rel, m, subject)) continue;
    const auto it = splitOf.find(m[1].str());
    if (it == splitOf.end()) continue;  // a subject in no split is not used
    out.push_back({e.path(), rel, m[1].str(), it->second});
  }
  // Sorted paths, as the official makers.
  std::sort(out.begin(), out.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.relative < b.relative; });
  return out;
}

std::map<std::string, int64_t> readCsvLabels(const DatasetDefinition& d) {
  std::ifstream in(d.label.csv);
  if (!in) throw std::runtime_error(d.label.csv.string() + ": label CSV not found or unreadable");
  std::map<std::string, int64_t> out;
  std::string line;
  std::size_t lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (lineNo == 1 && line.rfind("file,", 0) == 0)) continue;
    const auto comma = line.find(',');
    if (comma == std::string::npos)
      throw std::runtime_error(d.label.csv.string() + ": line " + std::to_string(lineNo) +
                               " is not 'file,label'");
    const auto value = line.substr(comma + 1);
    const auto it = d.label.map.find(value);
    if (it == d.label.map.end())
      throw std::runtime_error(d.label.csv.string() + ": line " + std::to_string(lineNo) + " has label '" +
                               value + "' which label.map does not list");
    out[line.substr(0, comma)] = it->second;
  }
  return out;
}

void appendWindow(PreparedSplit& s, const preprocess::PatchGrid& g, int64_t label, const SourceFile& f,
                  double startSec) {
  const int64_t v = static_cast<int64_t>(g.realTokenCount());
  if (s.count == 0) s.tokens = v;
  if (v != s.tokens)
    throw std::runtime_error(f.path.string() + ": windows of " + std::to_string(v) + " tokens, others have " +
                             std::to_string(s.tokens) + " (every recording needs the same channels)");
  s.x.insert(s.x.end(), g.patches.begin(), g.patches.begin() + v * 200);
  s.inputChans.insert(s.inputChans.end(), g.inputChans.begin(), g.inputChans.begin() + v);
  s.inputTime.insert(s.inputTime.end(), g.inputTime.begin(), g.inputTime.begin() + v);
  s.labels.push_back(label);
  s.subjects.push_back(f.subject);
  s.files.push_back(f.relative);
  s.startSec.push_back(startSec);
  ++s.count;
}

void writeShards(const PreparedDataset& data, const DatasetDefinition& d, const fs::path& dir) {
  // Per process: two jobs that prepare the same dataset at once (the recipe's two folds, two jobs of the
  // jobs panel) must not write into one folder.
  const auto tmp = dir.parent_path() / (dir.filename().string() + ".partial-" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  json manifest;
  manifest["dataset"] = d.name;
  manifest["key"] = datasetCacheKey(d);
  manifest["preparation_version"] = kPreparationVersion;
  manifest["definition"] = d.source;
  manifest["skipped"] = data.skipped;
  for (const auto& [name, s] : data.splits) {
    const auto n = static_cast<std::size_t>(s.count), v = static_cast<std::size_t>(s.tokens);
    writeNpy(tmp / (name + ".x.npy"), makeNpy(s.x, {n, v, 200}));
    writeNpy(tmp / (name + ".chans.npy"),
             makeNpy(std::vector<int64_t>(s.inputChans.begin(), s.inputChans.end()), {n, v}));
    writeNpy(tmp / (name + ".time.npy"),
             makeNpy(std::vector<int64_t>(s.inputTime.begin(), s.inputTime.end()), {n, v}));
    writeNpy(tmp / (name + ".labels.npy"), makeNpy(s.labels, {n}));
    json split;
    split["count"] = s.count;
    split["tokens"] = s.tokens;
    split["subjects"] = s.subjects;
    split["files"] = s.files;
    split["start_sec"] = s.startSec;
    for (const char* part : {"x", "chans", "time", "labels"})
      split["checksums"][part] = fileChecksum(tmp / (name + "." + part + ".npy"));
    manifest["splits"][name] = split;
  }
  writeFileAtomically(tmp / "manifest.json", manifest.dump(1));
  std::error_code busy;
  fs::rename(tmp, dir, busy);  // the shard folder appears complete or not at all
  if (!busy) return;
  // The folder exists: another process finished the same shards first (same key, same bytes), so ours goes;
  // anything else under that name is replaced.
  try {
    std::ifstream in(dir / "manifest.json");
    if (in && json::parse(in).value("key", "") == datasetCacheKey(d)) {
      fs::remove_all(tmp);
      return;
    }
  } catch (const json::exception&) {
  }
  fs::remove_all(dir);
  fs::rename(tmp, dir);
}

std::optional<PreparedDataset> readShards(const DatasetDefinition& d, const fs::path& dir) {
  const auto manifestPath = dir / "manifest.json";
  if (!fs::exists(manifestPath)) return std::nullopt;
  std::ifstream in(manifestPath);
  const auto manifest = json::parse(in);
  if (manifest.value("key", "") != datasetCacheKey(d)) return std::nullopt;
  PreparedDataset out;
  out.shardDir = dir;
  out.fromCache = true;
  out.skipped = manifest.value("skipped", std::vector<std::string>{});
  for (const auto& [name, split] : manifest["splits"].items()) {
    for (const auto& [part, sum] : split["checksums"].items()) {
      const auto file = dir / (name + "." + part + ".npy");
      if (!fs::exists(file) || fileChecksum(file) != sum.get<std::string>())
        throw std::runtime_error(file.string() +
                                 ": shard checksum does not match the manifest (corrupt cache; "
                                 "delete " +
                                 dir.string() + " to prepare it again)");
    }
    PreparedSplit s;
    s.count = split["count"];
    s.tokens = split["tokens"];
    s.x = readNpy(dir / (name + ".x.npy")).toFloat();
    const auto chans = readNpy(dir / (name + ".chans.npy")).toInt64();
    const auto time = readNpy(dir / (name + ".time.npy")).toInt64();
    s.inputChans.assign(chans.begin(), chans.end());
    s.inputTime.assign(time.begin(), time.end());
    s.labels = readNpy(dir / (name + ".labels.npy")).toInt64();
    s.subjects = split["subjects"].get<std::vector<std::string>>();
    s.files = split["files"].get<std::vector<std::string>>();
    s.startSec = split["start_sec"].get<std::vector<double>>();
    out.splits[name] = std::move(s);
  }
  return out;
}

}  // namespace

PreparedDataset prepareDataset(const DatasetDefinition& d, const PrepareOptions& options) {
  const auto dir = options.cacheDir / (d.name + "-" + datasetCacheKey(d));
  if (!options.cacheDir.empty())
    if (auto cached = readShards(d, dir)) return *cached;

  const auto files = listFiles(d);
  if (files.empty())
    throw std::runtime_error("dataset '" + d.name + "': no file under " + d.root.string() +
                             " matches the file patterns and a subject of the split");
  std::map<std::string, int64_t> csvLabels;
  if (d.label.from == "csv") csvLabels = readCsvLabels(d);
  const std::regex labelPattern(d.label.from == "filename" ? d.label.pattern : std::string("(.)"));

  PreparedDataset out;
  out.shardDir = dir;
  std::size_t done = 0;
  for (const auto& f : files) {
    if (options.progress && !options.progress(done, files.size()))
      throw std::runtime_error("dataset '" + d.name + "': preparation cancelled");
    ++done;
    int64_t fileLabel = -1;
    if (d.label.from == "filename") {
      std::smatch m;
      const auto name = f.path.filename().string();
      if (!std::regex_search(name, m, labelPattern) || !d.label.map.count(m[1].str())) {
        out.skipped.push_back(f.relative + ": no label (file name does not match label.pattern/map)");
        continue;
      }
      fileLabel = d.label.map.at(m[1].str());
    } else if (d.label.from == "csv") {
      const auto it = csvLabels.find(f.relative);
      if (it == csvLabels.end()) {
        out.skipped.push_back(f.relative + ": not listed in " + d.label.csv.string());
        continue;
      }
      fileLabel = it->second;
    }
    runtime::EegSourceOptions so;
    so.channels = d.channels;
    so.nameRule = d.channelNameRule == "workload" ? preprocess::ChannelNameRule::Workload
                                                  : preprocess::ChannelNameRule::Generic;
    so.notchHz = d.notchHz;
    std::optional<runtime::EegSource> src;
    try {
      src = runtime::EegSource::openRecording(f.path, so);
    } catch (const std::exception& e) {
      out.skipped.push_back(f.relative + ": " + e.what());
      continue;
    }
    auto& split = out.splits[f.split];
    const auto& vocab = src->vocabIndices();
    if (d.protocol == "workload") {
      const auto windows = preprocess::workloadWindows(src->signal200Hz());
      const double blockStart = src->durationSec() - static_cast<double>(preprocess::kWorkloadBlockSec);
      for (std::size_t i = 0; i < windows.size(); ++i) {
        const auto grid = preprocess::makePatchGrid(windows[i], vocab, 0, preprocess::kWorkloadWindowSec,
                                                    preprocess::kWorkloadWindowSec * vocab.size());
        appendWindow(split, grid, fileLabel, f,
                     blockStart + static_cast<double>(i * preprocess::kWorkloadHopSec));
      }
      continue;
    }
    std::vector<Annotation> annotations;
    if (d.label.from == "annotations" || !d.label.within.empty()) {
      OpenOptions oo;
      oo.backgroundAnnotations = false;
      oo.buildPyramid = false;
      annotations = Recording::open(f.path, oo)->annotations();
    }
    const auto tokens = static_cast<std::size_t>(d.windowSec) * vocab.size();
    const bool byAnnotation = d.label.from == "annotations" || !d.label.within.empty();
    if (!byAnnotation) {
      for (const auto& w :
           runtime::slidingWindows({0.0, std::floor(src->durationSec())}, d.windowSec, d.hopSec))
        appendWindow(split, src->window(w, tokens), fileLabel, f, w.startSec);
      continue;
    }
    // Windows anchored at each selected annotation's onset (snapped to the 200-Hz grid), every hop_sec
    // while the window stays inside the annotation, as epochs are cut around events.
    for (const auto& a : annotations) {
      int64_t label = fileLabel;
      if (d.label.from == "annotations") {
        const auto it = d.label.map.find(a.text);
        if (it == d.label.map.end()) continue;
        label = it->second;
      }
      if (!d.label.within.empty() &&
          std::find(d.label.within.begin(), d.label.within.end(), a.text) == d.label.within.end())
        continue;
      if (a.durationSec <= 0) continue;
      const double end = std::min(a.onsetSec + a.durationSec, src->durationSec());
      for (double t = std::round(a.onsetSec * 200.0) / 200.0; t + d.windowSec <= end + 1e-6; t += d.hopSec) {
        const double start = std::max(t, 0.0);
        appendWindow(split, src->window({start, start + d.windowSec}, tokens), label, f, start);
      }
    }
  }
  int64_t total = 0;
  for (const auto& [name, s] : out.splits) total += s.count;
  if (total == 0) {
    std::string why;
    for (const auto& s : out.skipped) why += "\n  " + s;
    throw std::runtime_error("dataset '" + d.name + "': no window could be prepared" + why);
  }
  if (!options.cacheDir.empty()) writeShards(out, d, dir);
  return out;
}

}  // namespace neurolm::train
