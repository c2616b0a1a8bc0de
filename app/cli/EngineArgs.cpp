#include "app/cli/EngineArgs.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace neurolm::cli {

const std::string& optionValue(const std::vector<std::string>& args, std::size_t& i) {
  if (i + 1 >= args.size()) throw std::invalid_argument("option " + args[i] + " needs a value");
  return args[++i];
}

bool parseInputOption(const std::vector<std::string>& args, std::size_t& i, InputArgs& out) {
  const std::string& a = args[i];
  if (a == "--channels") {
    out.source.channels = runtime::splitList(optionValue(args, i), "--channels");
  } else if (a == "--channel-rule") {
    const auto& v = optionValue(args, i);
    if (v == "generic")
      out.source.nameRule = preprocess::ChannelNameRule::Generic;
    else if (v == "workload")
      out.source.nameRule = preprocess::ChannelNameRule::Workload;
    else if (v == "exact")
      out.source.nameRule = preprocess::ChannelNameRule::Exact;
    else
      throw std::invalid_argument("--channel-rule '" + v + "' (expected generic, workload or exact)");
  } else if (a == "--notch") {
    const auto& v = optionValue(args, i);
    if (v == "none") {
      out.source.notchHz.reset();
    } else {
      try {
        std::size_t used = 0;
        out.source.notchHz = std::stod(v, &used);
        if (used != v.size() || !(*out.source.notchHz > 0)) throw std::invalid_argument(v);
      } catch (const std::exception&) {
        throw std::invalid_argument("--notch '" + v + "' (expected a frequency in Hz or none)");
      }
    }
  } else if (a == "--window") {
    out.window = runtime::parseTimeRange(optionValue(args, i), "--window");
  } else if (a == "--windows") {
    const std::string& v = optionValue(args, i);
    const auto colon = v.find(':');
    try {
      if (colon == std::string::npos) throw std::invalid_argument(v);
      std::size_t usedLen = 0, usedHop = 0;
      const std::string len = v.substr(0, colon), hop = v.substr(colon + 1);
      out.windows = {std::stod(len, &usedLen), std::stod(hop, &usedHop)};
      if (usedLen != len.size() || usedHop != hop.size() || !(out.windows->first > 0) ||
          !(out.windows->second > 0))
        throw std::invalid_argument(v);
    } catch (const std::exception&) {
      throw std::invalid_argument("--windows '" + v + "' is not of the form LEN:HOP with positive seconds");
    }
  } else if (a == "--range") {
    out.range = runtime::parseTimeRange(optionValue(args, i), "--range");
  } else if (a == "--device") {
    out.device = optionValue(args, i);
  } else if (a == "--threads") {
    const auto& v = optionValue(args, i);
    try {
      std::size_t used = 0;
      out.threads = std::stoi(v, &used);
      if (used != v.size() || out.threads < 1 || out.threads > 1024) throw std::out_of_range(v);
    } catch (const std::exception&) {
      throw std::invalid_argument("--threads '" + v + "' is not a thread count (1-1024)");
    }
  } else if (a == "--json") {
    out.json = true;
  } else {
    return false;
  }
  return true;
}

std::vector<runtime::TimeRange> windowsToRun(const InputArgs& args, const runtime::EegSource& source,
                                             std::size_t paddedLength) {
  if (args.window && args.windows) throw std::invalid_argument("give either --window or --windows, not both");
  if (args.range && !args.windows) throw std::invalid_argument("--range goes with --windows LEN:HOP");
  if (args.window) return {*args.window};
  if (args.windows) {
    const runtime::TimeRange range = args.range.value_or(runtime::TimeRange{0, source.durationSec()});
    return runtime::slidingWindows(range, args.windows->first, args.windows->second);
  }
  const double longest =
      std::min(static_cast<double>(source.maxWindowSec(paddedLength)), std::floor(source.durationSec()));
  if (longest < 1) throw std::invalid_argument(source.path().string() + ": shorter than one 1-s patch");
  return {{0, longest}};
}

nlohmann::json describeInput(const runtime::EegSource& source, std::size_t paddedLength,
                             const std::string& device) {
  nlohmann::json dropped = nlohmann::json::array();
  for (const auto& d : source.droppedChannels())
    dropped.push_back({{"label", d.label}, {"reason", d.reason}});
  return {{"type", "input"},
          {"file", source.path().string()},
          {"duration_sec", source.durationSec()},
          {"preprocessed", source.preprocessed()},
          {"channels", source.modelNames()},
          {"source_channels", source.sourceLabels()},
          {"vocab_indices", source.vocabIndices()},
          {"dropped_channels", dropped},
          {"warnings", source.warnings()},
          {"padded_length", paddedLength},
          {"device", device}};
}

std::string describeInputText(const runtime::EegSource& source, std::size_t paddedLength,
                              const std::string& device) {
  std::ostringstream s;
  s << "input:    " << source.path().string() << " (" << source.durationSec() << " s"
    << (source.preprocessed() ? ", preprocessed to 200 Hz" : ", used as given: 200 Hz, uV/100") << ")\n";
  s << "channels: " << source.modelNames().size() << ":";
  for (const auto& n : source.modelNames()) s << ' ' << n;
  s << "\n";
  if (!source.droppedChannels().empty()) {
    s << "dropped:  " << source.droppedChannels().size() << " channel(s) not used:\n";
    for (const auto& d : source.droppedChannels()) s << "  - " << d.label << ": " << d.reason << "\n";
  }
  for (const auto& w : source.warnings()) s << "warning:  " << w << "\n";
  s << "padding:  " << paddedLength << " tokens\n";
  s << "device:   " << device << "\n";
  return s.str();
}

}  // namespace neurolm::cli
