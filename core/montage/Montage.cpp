#include "core/montage/Montage.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/io/AtomicFile.h"
#include "core/preprocess/ChannelVocabulary.h"
#include "core/signal/PhysicalUnit.h"

namespace neurolm::montage {
namespace {

using signal::SignalType;

// 10-20/10-10 electrode names (upper case), the 10-20 system's old temporal names and the ear/mastoid sites.
bool isElectrode(const std::string& upper) {
  static const std::set<std::string> names = [] {
    std::set<std::string> s = {"FP1", "FPZ", "FP2", "T3",  "T4",  "T5",   "T6",  "A1",  "A2",
                               "M1",  "M2",  "NZ",  "IZ",  "OZ",  "O1",   "O2",  "POZ", "PZ",
                               "CPZ", "CZ",  "FCZ", "FZ",  "AFZ", "O9",   "O10", "T9",  "T10",
                               "P9",  "P10", "F9",  "F10", "FT9", "FT10", "TP9", "TP10"};
    const std::vector<std::pair<std::string, int>> rows = {{"AF", 8}, {"F", 8}, {"FC", 6}, {"FT", 8},
                                                           {"C", 6},  {"T", 8}, {"CP", 6}, {"TP", 8},
                                                           {"P", 8},  {"PO", 8}};
    for (const auto& [row, last] : rows) {
      for (int i = 1; i <= last; ++i) s.insert(row + std::to_string(i));
    }
    return s;
  }();
  return names.count(upper) > 0;
}

bool isReferenceSite(const std::string& electrode) {
  return electrode == "A1" || electrode == "A2" || electrode == "M1" || electrode == "M2";
}

struct Source {
  std::size_t index = 0;
  std::string electrode;  // canonical name, empty if none
  SignalType type = SignalType::Other;
};

std::vector<Source> sources(const Recording& recording) {
  std::vector<Source> out;
  for (std::size_t c = 0; c < recording.channels().size(); ++c) {
    const ChannelInfo& info = recording.channels()[c];
    Source s;
    s.index = c;
    s.electrode = electrodeName(info.label).value_or("");
    s.type = signal::classifySignal(info.label, info.unit);
    out.push_back(std::move(s));
  }
  return out;
}

Derivation makeDerivation(std::string label, std::vector<Term> terms, const Recording& recording) {
  Derivation d;
  d.label = std::move(label);
  d.terms = std::move(terms);
  const ChannelInfo& first = recording.channels()[d.terms.front().channel];
  d.type = signal::classifySignal(first.label, first.unit);
  d.unit = first.unit;
  d.sampleRateHz = first.sampleRateHz;
  return d;
}

// The EEG channel of an electrode (or its temporal synonym), if the recording has it.
const Source* findElectrode(const std::vector<Source>& all, const std::string& electrode) {
  const auto synonym = temporalSynonym(electrode);
  for (const Source& s : all) {
    if (s.type == SignalType::Eeg && !s.electrode.empty() &&
        (s.electrode == electrode || (synonym && s.electrode == *synonym))) {
      return &s;
    }
  }
  return nullptr;
}

bool sameRate(const Recording& recording, std::size_t a, std::size_t b) {
  return recording.channels()[a].sampleRateHz == recording.channels()[b].sampleRateHz;
}

Montage bipolar(const std::string& name, const std::vector<std::pair<std::string, std::string>>& pairs,
                const Recording& recording) {
  const auto all = sources(recording);
  Montage m;
  m.name = name;
  for (const auto& [a, b] : pairs) {
    const Source* pa = findElectrode(all, a);
    const Source* pb = findElectrode(all, b);
    if (!pa || !pb || !sameRate(recording, pa->index, pb->index)) continue;
    m.derivations.push_back(makeDerivation(pa->electrode + "-" + pb->electrode,
                                           {{pa->index, 1.0}, {pb->index, -1.0}}, recording));
  }
  return m;
}

[[noreturn]] void fileError(const std::string& source, const std::string& where, const std::string& what) {
  throw MontageFileError(source + ": " + (where.empty() ? "" : where + ": ") + what);
}

std::string derivationWhere(std::size_t i, const std::string& label) {
  return "derivation " + std::to_string(i + 1) + (label.empty() ? "" : " ('" + label + "')");
}

}  // namespace

std::optional<std::string> electrodeName(std::string_view label) {
  // The generic clean-up of preprocess::normaliseChannelName (leading "EEG ", trailing dots, one reference
  // suffix), then the canonical spelling: "Fp" and a trailing "z" in lower case.
  std::string name = preprocess::normaliseChannelName(label);
  if (!isElectrode(name)) return std::nullopt;
  if (name.starts_with("FP")) name[1] = 'p';
  if (name.size() > 1 && name.back() == 'Z') name.back() = 'z';
  return name;
}

std::optional<std::string> temporalSynonym(std::string_view electrode) {
  static const std::map<std::string, std::string, std::less<>> pairs = {
      {"T3", "T7"}, {"T7", "T3"}, {"T4", "T8"}, {"T8", "T4"},
      {"T5", "P7"}, {"P7", "T5"}, {"T6", "P8"}, {"P8", "T6"}};
  const auto it = pairs.find(electrode);
  if (it == pairs.end()) return std::nullopt;
  return it->second;
}

std::string_view builtinMontageName(BuiltinMontage montage) {
  switch (montage) {
    case BuiltinMontage::Referential:
      return "referential";
    case BuiltinMontage::CommonAverage:
      return "average";
    case BuiltinMontage::LongitudinalBipolar:
      return "double-banana";
    case BuiltinMontage::TransverseBipolar:
      return "transverse";
    case BuiltinMontage::Laplacian:
      break;
  }
  return "laplacian";
}

std::optional<BuiltinMontage> builtinMontageFromName(std::string_view name) {
  for (BuiltinMontage m : kAllBuiltinMontages) {
    if (builtinMontageName(m) == name) return m;
  }
  return std::nullopt;
}

const std::vector<std::pair<std::string, std::vector<std::string>>>& laplacianNeighbours() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> table = {
      {"Fp1", {"Fp2", "F7", "F3"}},      {"Fp2", {"Fp1", "F4", "F8"}},     {"F7", {"Fp1", "F3", "T3"}},
      {"F3", {"Fp1", "F7", "Fz", "C3"}}, {"Fz", {"F3", "F4", "Cz"}},       {"F4", {"Fp2", "Fz", "F8", "C4"}},
      {"F8", {"Fp2", "F4", "T4"}},       {"T3", {"F7", "C3", "T5"}},       {"C3", {"F3", "T3", "Cz", "P3"}},
      {"Cz", {"Fz", "C3", "C4", "Pz"}},  {"C4", {"F4", "Cz", "T4", "P4"}}, {"T4", {"F8", "C4", "T6"}},
      {"T5", {"T3", "P3", "O1"}},        {"P3", {"C3", "T5", "Pz", "O1"}}, {"Pz", {"Cz", "P3", "P4"}},
      {"P4", {"C4", "Pz", "T6", "O2"}},  {"T6", {"T4", "P4", "O2"}},       {"O1", {"T5", "P3", "O2"}},
      {"O2", {"T6", "P4", "O1"}}};
  return table;
}

Montage buildMontage(BuiltinMontage which, const Recording& recording, const BuildOptions& options) {
  const auto& chans = recording.channels();
  switch (which) {
    case BuiltinMontage::Referential: {
      Montage m;
      m.name = "Referential";
      for (std::size_t c = 0; c < chans.size(); ++c)
        m.derivations.push_back(makeDerivation(chans[c].label, {{c, 1.0}}, recording));
      return m;
    }
    case BuiltinMontage::CommonAverage: {
      Montage m;
      m.name = "Common average";
      const auto all = sources(recording);
      for (const Source& s : all) {
        if (s.type != SignalType::Eeg) {
          m.derivations.push_back(makeDerivation(chans[s.index].label, {{s.index, 1.0}}, recording));
          continue;
        }
        std::vector<std::size_t> pool;  // the good scalp EEG channels of this channel's rate
        for (const Source& o : all) {
          if (o.type == SignalType::Eeg && !isReferenceSite(o.electrode) &&
              !options.badChannels.count(o.index) && sameRate(recording, s.index, o.index)) {
            pool.push_back(o.index);
          }
        }
        if (pool.empty()) continue;
        std::vector<Term> terms = {{s.index, 1.0}};
        const double w = -1.0 / static_cast<double>(pool.size());
        for (std::size_t o : pool) {
          if (o == s.index) {
            terms.front().weight += w;
          } else {
            terms.push_back({o, w});
          }
        }
        const std::string name = s.electrode.empty() ? chans[s.index].label : s.electrode;
        m.derivations.push_back(makeDerivation(name + "-Avg", std::move(terms), recording));
      }
      return m;
    }
    case BuiltinMontage::LongitudinalBipolar:
      return bipolar("Longitudinal bipolar",
                     {{"Fp1", "F7"},
                      {"F7", "T3"},
                      {"T3", "T5"},
                      {"T5", "O1"},
                      {"Fp2", "F8"},
                      {"F8", "T4"},
                      {"T4", "T6"},
                      {"T6", "O2"},
                      {"Fp1", "F3"},
                      {"F3", "C3"},
                      {"C3", "P3"},
                      {"P3", "O1"},
                      {"Fp2", "F4"},
                      {"F4", "C4"},
                      {"C4", "P4"},
                      {"P4", "O2"},
                      {"Fz", "Cz"},
                      {"Cz", "Pz"}},
                     recording);
    case BuiltinMontage::TransverseBipolar:
      return bipolar("Transverse bipolar",
                     {{"Fp1", "Fp2"},
                      {"F7", "F3"},
                      {"F3", "Fz"},
                      {"Fz", "F4"},
                      {"F4", "F8"},
                      {"T3", "C3"},
                      {"C3", "Cz"},
                      {"Cz", "C4"},
                      {"C4", "T4"},
                      {"T5", "P3"},
                      {"P3", "Pz"},
                      {"Pz", "P4"},
                      {"P4", "T6"},
                      {"O1", "O2"}},
                     recording);
    case BuiltinMontage::Laplacian:
      break;
  }
  Montage m;
  m.name = "Laplacian";
  const auto all = sources(recording);
  for (const auto& [centre, neighbours] : laplacianNeighbours()) {
    const Source* c = findElectrode(all, centre);
    if (!c) continue;
    std::vector<std::size_t> present;
    for (const std::string& n : neighbours) {
      const Source* s = findElectrode(all, n);
      if (s && !options.badChannels.count(s->index) && sameRate(recording, c->index, s->index))
        present.push_back(s->index);
    }
    if (present.size() < 2) continue;
    std::vector<Term> terms = {{c->index, 1.0}};
    for (std::size_t n : present) terms.push_back({n, -1.0 / static_cast<double>(present.size())});
    m.derivations.push_back(makeDerivation(c->electrode + "-Lap", std::move(terms), recording));
  }
  return m;
}

MontageSpec parseMontageJson(std::string_view json, const std::string& sourceName) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
  } catch (const nlohmann::json::parse_error& e) {
    fileError(sourceName, "", std::string("not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object()) fileError(sourceName, "", "expected a JSON object with \"name\" and \"derivations\"");
  MontageSpec spec;
  if (j.contains("name")) {
    if (!j["name"].is_string()) fileError(sourceName, "\"name\"", "expected a string");
    spec.name = j["name"].get<std::string>();
  }
  if (!j.contains("derivations") || !j["derivations"].is_array())
    fileError(sourceName, "\"derivations\"", "missing or not an array");
  const auto& list = j["derivations"];
  if (list.empty()) fileError(sourceName, "\"derivations\"", "is empty");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& d = list[i];
    DerivationSpec ds;
    if (d.is_object() && d.contains("label") && d["label"].is_string())
      ds.label = d["label"].get<std::string>();
    const std::string where = derivationWhere(i, ds.label);
    if (!d.is_object()) fileError(sourceName, where, "expected an object with \"label\" and \"terms\"");
    if (ds.label.empty()) fileError(sourceName, where, "\"label\" missing, empty or not a string");
    if (!d.contains("terms") || !d["terms"].is_array() || d["terms"].empty())
      fileError(sourceName, where, "\"terms\" missing, empty or not an array");
    for (std::size_t t = 0; t < d["terms"].size(); ++t) {
      const auto& term = d["terms"][t];
      const std::string termWhere = where + ", term " + std::to_string(t + 1);
      if (!term.is_object() || !term.contains("channel") || !term["channel"].is_string() ||
          term["channel"].get<std::string>().empty())
        fileError(sourceName, termWhere, "\"channel\" missing, empty or not a string");
      TermSpec ts;
      ts.channel = term["channel"].get<std::string>();
      if (term.contains("weight")) {
        if (!term["weight"].is_number() || !std::isfinite(term["weight"].get<double>()))
          fileError(sourceName, termWhere, "\"weight\" is not a finite number");
        ts.weight = term["weight"].get<double>();
      }
      ds.terms.push_back(std::move(ts));
    }
    spec.derivations.push_back(std::move(ds));
  }
  return spec;
}

MontageSpec loadMontageFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fileError(path.string(), "", "cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return parseMontageJson(text.str(), path.string());
}

std::string montageJson(const MontageSpec& spec) {
  nlohmann::json j;
  j["name"] = spec.name;
  j["derivations"] = nlohmann::json::array();
  for (const auto& d : spec.derivations) {
    nlohmann::json terms = nlohmann::json::array();
    for (const auto& t : d.terms) terms.push_back({{"channel", t.channel}, {"weight", t.weight}});
    j["derivations"].push_back({{"label", d.label}, {"terms", std::move(terms)}});
  }
  return j.dump(2) + "\n";
}

void saveMontageFile(const std::filesystem::path& path, const MontageSpec& spec) {
  writeFileAtomically(path, montageJson(spec));
}

MontageSpec specOf(const Montage& montage, const Recording& recording) {
  MontageSpec spec;
  spec.name = montage.name;
  for (const auto& d : montage.derivations) {
    DerivationSpec ds;
    ds.label = d.label;
    for (const auto& t : d.terms) ds.terms.push_back({recording.channels()[t.channel].label, t.weight});
    spec.derivations.push_back(std::move(ds));
  }
  return spec;
}

Montage resolveMontage(const MontageSpec& spec, const Recording& recording, const std::string& sourceName) {
  const auto& chans = recording.channels();
  const auto find = [&](const std::string& name) -> std::optional<std::size_t> {
    const int exact = recording.channelIndex(name);
    if (exact >= 0) return static_cast<std::size_t>(exact);
    const auto wanted = electrodeName(name);
    if (!wanted) return std::nullopt;
    const auto synonym = temporalSynonym(*wanted);
    std::optional<std::size_t> hit;
    for (std::size_t c = 0; c < chans.size(); ++c) {
      const auto e = electrodeName(chans[c].label);
      if (e && (*e == *wanted || (synonym && *e == *synonym))) {
        if (hit) return std::nullopt;  // ambiguous
        hit = c;
      }
    }
    return hit;
  };
  Montage m;
  m.name = spec.name;
  std::string unknown;
  for (std::size_t i = 0; i < spec.derivations.size(); ++i) {
    const DerivationSpec& ds = spec.derivations[i];
    std::vector<Term> terms;
    std::string missing;
    for (const TermSpec& t : ds.terms) {
      if (const auto c = find(t.channel)) {
        terms.push_back({*c, t.weight});
      } else {
        missing += (missing.empty() ? "'" : ", '") + t.channel + "'";
      }
    }
    if (!missing.empty()) {
      unknown += (unknown.empty() ? "" : "; ") + derivationWhere(i, ds.label) + ": " + missing;
      continue;
    }
    for (const Term& t : terms) {
      if (!sameRate(recording, t.channel, terms.front().channel)) {
        fileError(sourceName, derivationWhere(i, ds.label),
                  "channels '" + chans[terms.front().channel].label + "' and '" + chans[t.channel].label +
                      "' have different sample rates");
      }
    }
    m.derivations.push_back(makeDerivation(ds.label, std::move(terms), recording));
  }
  if (!unknown.empty()) {
    fileError(sourceName, "", "channels not in " + recording.sourceName() + ": " + unknown);
  }
  // Units: every term must convert into its derivation's unit.
  for (std::size_t i = 0; i < m.derivations.size(); ++i) {
    for (const Term& t : m.derivations[i].terms) {
      try {
        (void)termUnitFactor(m.derivations[i], t, recording);
      } catch (const std::invalid_argument& e) {
        fileError(sourceName, derivationWhere(i, m.derivations[i].label), e.what());
      }
    }
  }
  return m;
}

double termUnitFactor(const Derivation& derivation, const Term& term, const Recording& recording) {
  const ChannelInfo& info = recording.channels()[term.channel];
  if (info.unit == derivation.unit) return 1;
  const auto factor = signal::conversionFactor(signal::parsePhysicalUnit(info.unit),
                                               signal::parsePhysicalUnit(derivation.unit));
  if (!factor) {
    throw std::invalid_argument("channel '" + info.label + "' in " + info.unit + " cannot be combined with " +
                                derivation.unit);
  }
  return *factor;
}

std::vector<std::vector<double>> applyMontage(const Montage& montage, const Recording& recording,
                                              const std::vector<std::vector<double>>& in) {
  std::vector<std::vector<double>> out(montage.derivations.size());
  for (std::size_t d = 0; d < montage.derivations.size(); ++d) {
    const Derivation& der = montage.derivations[d];
    const std::size_t n = in.at(der.terms.front().channel).size();
    std::vector<double>& row = out[d];
    row.assign(n, 0.0);
    for (const Term& t : der.terms) {
      const std::vector<double>& x = in.at(t.channel);
      if (x.size() != n) {
        throw std::invalid_argument("montage '" + montage.name + "', derivation '" + der.label +
                                    "': channel rows of different lengths");
      }
      const double w = t.weight * termUnitFactor(der, t, recording);
      for (std::size_t i = 0; i < n; ++i) row[i] += w * x[i];
    }
  }
  return out;
}

}  // namespace neurolm::montage
