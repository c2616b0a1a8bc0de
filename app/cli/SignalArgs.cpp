#include "app/cli/SignalArgs.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/preprocess/ChannelVocabulary.h"

namespace neurolm::cli {

double parseNumber(const std::string& text, const std::string& what) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(v)) {
    throw std::invalid_argument(what + " '" + text + "' is not a number");
  }
  return v;
}

std::vector<std::string> splitComma(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream s(text);
  for (std::string item; std::getline(s, item, ',');) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

signal::TimeWindow parseTimeWindow(const std::string& text, const std::string& option) {
  const auto colon = text.find(':');
  if (colon == std::string::npos)
    throw std::invalid_argument(option + " '" + text + "' (expected a:b in seconds)");
  const signal::TimeWindow w{parseNumber(text.substr(0, colon), option + " start"),
                             parseNumber(text.substr(colon + 1), option + " end")};
  if (!(w.endSec > w.startSec) || w.startSec < 0)
    throw std::invalid_argument(option + " '" + text + "' (expected 0 <= a < b)");
  return w;
}

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

dsp::FilterSettings parseFilter(const std::string& text) {
  dsp::FilterSettings s;
  for (const std::string& item : splitComma(text)) {
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument("--filter '" + item + "' (expected KEY=VALUE, e.g. hp=0.5)");
    const std::string key = item.substr(0, eq);
    const double v = parseNumber(item.substr(eq + 1), "--filter " + key);
    if (key == "hp") {
      s.highPassHz = v;
    } else if (key == "lp") {
      s.lowPassHz = v;
    } else if (key == "notch") {
      s.notchHz = v;
    } else if (key == "order") {
      if (v != std::floor(v))
        throw std::invalid_argument("--filter order '" + item + "' is not a whole number");
      s.order = static_cast<int>(v);
    } else if (key == "harmonics") {
      s.notchHarmonics = v != 0;
    } else if (key == "q") {
      s.notchQ = v;
    } else {
      throw std::invalid_argument("--filter: unknown key '" + key +
                                  "' (expected hp, lp, order, notch, harmonics, q)");
    }
  }
  return s;
}

montage::Montage montageFor(const std::string& nameOrFile, const Recording& rec) {
  if (const auto builtin = montage::builtinMontageFromName(nameOrFile)) {
    montage::Montage m = montage::buildMontage(*builtin, rec);
    if (m.derivations.empty())
      throw std::invalid_argument("--montage " + nameOrFile + ": " + rec.sourceName() +
                                  " has no channels for it");
    return m;
  }
  if (nameOrFile.ends_with(".json"))
    return montage::resolveMontage(montage::loadMontageFile(nameOrFile), rec, nameOrFile);
  throw std::invalid_argument(
      "--montage '" + nameOrFile +
      "' (expected referential, average, double-banana, transverse, laplacian or a .json file)");
}

std::vector<std::size_t> findDerivations(const montage::Montage& m, const std::vector<std::string>& labels) {
  std::vector<std::size_t> out;
  for (const auto& name : labels) {
    std::size_t d = 0;
    while (d < m.derivations.size() && m.derivations[d].label != name) ++d;
    if (d == m.derivations.size()) {
      std::string all;
      for (const auto& x : m.derivations) all += (all.empty() ? "'" : ", '") + x.label + "'";
      throw std::invalid_argument("--channels: '" + name + "' is not a derivation of montage '" + m.name +
                                  "' (" + all + ")");
    }
    out.push_back(d);
  }
  return out;
}

}  // namespace neurolm::cli
