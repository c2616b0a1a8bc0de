// neurolm export: a time range of a recording's channels to EDF+/BDF+, CSV or .npy (core/io/Export.h).
#include <cmath>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "app/cli/Commands.h"
#include "app/cli/EngineArgs.h"
#include "core/io/Export.h"
#include "core/io/Recording.h"
#include "core/preprocess/ChannelVocabulary.h"

namespace neurolm::cli {
namespace {

constexpr const char* kUsage =
    "usage: neurolm export FILE --range a:b --out OUT.edf|.bdf|.csv|.npy [--channels C1,C2,...]\n";

void printHelp(std::ostream& out) {
  out << kUsage
      << "\nWrites seconds [a, b) of a recording (samples round(a*fs) .. round(b*fs) - 1 of each channel) to "
         "a "
         "new\nfile; the format follows the extension of OUT. The source recording is never written.\n\n"
         "  --range a:b             seconds from the start of the recording, 0 <= a < b <= duration\n"
         "  --channels C1,C2,...    channels by label ('EEG Fp1') or cleaned name ('Fp1'); default: all\n"
         "  --out OUT               .edf  EDF+ (16 bit); each channel keeps its label, unit, prefilter,\n"
         "                                physical and digital range, so values of an EDF source are copied\n"
         "                                exactly; start time = source start + a; annotations inside the "
         "range\n"
         "                                go with it, shifted\n"
         "                          .bdf  BDF+ (24 bit), the same\n"
         "                          .csv  header 'time_sec,<label> [<unit>],...', one row per sample (time\n"
         "                                from the start of the source), values in each channel's unit\n"
         "                          .npy  float32 [channels, samples] in each channel's unit, and OUT.json:\n"
         "                                {format, source, start_sec, end_sec, sample_rate_hz, "
         "first_sample,\n"
         "                                dtype, shape, channels:[{label, unit}]}\n"
         "                          CSV and .npy need channels of one sample rate.\n\n"
         "The file is written under a temporary name in the target folder and renamed when complete.\n";
}

double parseSeconds(const std::string& text, const std::string& what) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(v)) {
    throw std::invalid_argument(what + " '" + text + "' is not a number of seconds");
  }
  return v;
}

// Exact label first; otherwise the one channel whose cleaned name matches.
std::size_t findChannel(const Recording& rec, const std::string& name) {
  const int exact = rec.channelIndex(name);
  if (exact >= 0) return static_cast<std::size_t>(exact);
  const std::string wanted = preprocess::normaliseChannelName(name);
  std::vector<std::size_t> hits;
  for (std::size_t c = 0; c < rec.channels().size(); ++c) {
    if (preprocess::normaliseChannelName(rec.channels()[c].label) == wanted) hits.push_back(c);
  }
  if (hits.size() == 1) return hits.front();
  std::string labels;
  for (const auto& c : rec.channels()) labels += (labels.empty() ? "'" : ", '") + c.label + "'";
  throw std::invalid_argument("--channels: '" + name + "' " +
                              (hits.empty() ? "is not a channel" : "matches more than one channel") + " of " +
                              rec.sourceName() + " (channels: " + labels + ")");
}

}  // namespace

int runExport(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string file, outPath, channelList;
  std::optional<std::pair<double, double>> range;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      printHelp(out);
      return 0;
    } else if (a == "--range") {
      const std::string& v = optionValue(args, i);
      const auto colon = v.find(':');
      if (colon == std::string::npos)
        throw std::invalid_argument("--range '" + v + "' (expected a:b in seconds)");
      range = std::make_pair(parseSeconds(v.substr(0, colon), "--range start"),
                             parseSeconds(v.substr(colon + 1), "--range end"));
    } else if (a == "--channels") {
      channelList = optionValue(args, i);
      if (channelList.empty()) throw std::invalid_argument("--channels needs at least one channel");
    } else if (a == "--out") {
      outPath = optionValue(args, i);
    } else if (!a.empty() && a[0] == '-') {
      err << "neurolm export: unknown option '" << a << "'\n" << kUsage;
      return 2;
    } else if (file.empty()) {
      file = a;
    } else {
      err << "neurolm export: more than one FILE given\n" << kUsage;
      return 2;
    }
  }
  if (file.empty() || outPath.empty() || !range) {
    err << "neurolm export: FILE, --range and --out are required\n" << kUsage;
    return 2;
  }
  exportFormatFor(outPath);  // an unknown extension is reported before the file is opened

  OpenOptions options;
  options.buildPyramid = false;
  options.backgroundAnnotations = false;
  const auto rec = Recording::open(file, options);
  ExportRequest request;
  request.startSec = range->first;
  request.endSec = range->second;
  request.sourcePath = file;
  std::stringstream names(channelList);
  for (std::string name; std::getline(names, name, ',');) {
    if (!name.empty()) request.channels.push_back(findChannel(*rec, name));
  }
  const ExportResult result = exportRange(*rec, request, outPath);
  out << "wrote " << result.written.string() << ": " << result.samples.size() << " channel(s), "
      << result.samples.front() << " samples of the first, seconds " << request.startSec << " to "
      << request.endSec;
  if (!result.sidecar.empty()) out << "; description in " << result.sidecar.string();
  if (result.recordDurationSec > 0) {
    out << "; data records of " << result.recordDurationSec << " s, " << result.annotations
        << " annotation(s)";
  }
  out << "\n";
  return 0;
}

}  // namespace neurolm::cli
