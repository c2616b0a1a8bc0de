#include "models/runtime/EegWindows.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <sstream>
#include <stdexcept>

#include "core/io/Npy.h"
#include "core/io/Recording.h"
#include "core/preprocess/NeuroLmPreprocess.h"

namespace neurolm::runtime {
namespace {

using preprocess::kModelSampleRateHz;

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string fmt(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

bool isReferenceElectrode(const std::string& n) { return n == "A1" || n == "A2" || n == "M1" || n == "M2"; }

// `EEG A2-A1`: one reference electrode against another (the generic rule would map it to A2): not scalp EEG.
bool isReferenceDerivation(const std::string& label) {
  std::string s = upper(trim(label));
  if (s.rfind("EEG ", 0) == 0) s = trim(s.substr(4));
  const auto dash = s.find('-');
  if (dash == std::string::npos) return false;
  return isReferenceElectrode(trim(s.substr(0, dash))) && isReferenceElectrode(trim(s.substr(dash + 1)));
}

bool nearlyInteger(double v) { return std::abs(v - std::round(v)) < 1e-6; }

}  // namespace

TimeRange parseTimeRange(const std::string& text, const std::string& what) {
  const auto colon = text.find(':');
  if (colon == std::string::npos)
    throw std::invalid_argument(what + " '" + text + "' is not of the form a:b (seconds)");
  TimeRange r;
  try {
    std::size_t used = 0;
    const std::string a = text.substr(0, colon), b = text.substr(colon + 1);
    r.startSec = std::stod(a, &used);
    if (used != a.size()) throw std::invalid_argument(a);
    r.endSec = std::stod(b, &used);
    if (used != b.size()) throw std::invalid_argument(b);
  } catch (const std::exception&) {
    throw std::invalid_argument(what + " '" + text + "' is not of the form a:b with numbers in seconds");
  }
  if (!(r.endSec > r.startSec) || r.startSec < 0)
    throw std::invalid_argument(what + " '" + text + "': need 0 <= a < b");
  return r;
}

std::vector<TimeRange> slidingWindows(TimeRange range, double lengthSec, double hopSec) {
  if (!(lengthSec > 0) || !(hopSec > 0))
    throw std::invalid_argument("window length and hop must be positive (got " + fmt(lengthSec) + ":" +
                                fmt(hopSec) + ")");
  std::vector<TimeRange> windows;
  for (int64_t k = 0;; ++k) {
    const double start = range.startSec + static_cast<double>(k) * hopSec;
    if (start + lengthSec > range.endSec + 1e-9) break;
    windows.push_back({start, start + lengthSec});
  }
  if (windows.empty())
    throw std::invalid_argument("no window of " + fmt(lengthSec) + " s fits in the range " +
                                fmt(range.startSec) + ":" + fmt(range.endSec));
  return windows;
}

std::vector<std::string> splitList(const std::string& text, const std::string& what) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, ',')) {
    item = trim(item);
    if (item.empty()) throw std::invalid_argument(what + " '" + text + "' has an empty entry");
    out.push_back(item);
  }
  if (out.empty()) throw std::invalid_argument(what + " is empty");
  return out;
}

EegSource EegSource::open(const std::filesystem::path& path, const EegSourceOptions& options) {
  if (upper(path.extension().string()) == ".NPY") {
    if (options.channels.empty())
      throw std::invalid_argument(
          path.string() + ": a .npy input needs --channels NAME,... (one name per row, in row order)");
    return openNpy(path, options.channels, options.nameRule);
  }
  return openRecording(path, options);
}

EegSource EegSource::openRecording(const std::filesystem::path& path, const EegSourceOptions& options) {
  OpenOptions openOptions;
  openOptions.buildPyramid = false;
  openOptions.backgroundAnnotations = false;
  const auto rec = Recording::open(path, openOptions);
  const auto& channels = rec->channels();

  EegSource src;
  src.path_ = path;
  src.preprocessed_ = true;
  std::vector<std::size_t> kept;
  std::vector<std::string> normalised(channels.size());
  std::vector<std::optional<std::int32_t>> vocab(channels.size());
  for (std::size_t i = 0; i < channels.size(); ++i) {
    normalised[i] = preprocess::normaliseChannelName(channels[i].label, options.nameRule);
    vocab[i] = preprocess::vocabularyIndex(normalised[i]);
  }

  if (!options.channels.empty()) {
    std::vector<std::string> missing, unmappedRaw, unmappedNorm;
    for (const auto& want : options.channels) {
      std::optional<std::size_t> found;
      for (std::size_t i = 0; i < channels.size() && !found; ++i)
        if (channels[i].label == want) found = i;
      const std::string wantNorm = preprocess::normaliseChannelName(want, options.nameRule);
      for (std::size_t i = 0; i < channels.size() && !found; ++i)
        if (upper(normalised[i]) == upper(wantNorm)) found = i;
      if (!found) {
        missing.push_back(want);
      } else if (!vocab[*found]) {
        unmappedRaw.push_back(channels[*found].label);
        unmappedNorm.push_back(normalised[*found]);
      } else if (std::find(kept.begin(), kept.end(), *found) != kept.end()) {
        throw std::invalid_argument(path.string() + ": --channels names '" + want + "' twice");
      } else {
        kept.push_back(*found);
      }
    }
    if (!missing.empty()) {
      std::vector<std::string> available;
      for (const auto& c : channels) available.push_back(c.label);
      throw std::invalid_argument(
          path.string() + ": --channels names channels the recording does not have: " + joined(missing) +
          " (it has: " + joined(available) + ")");
    }
    if (!unmappedRaw.empty()) throw preprocess::UnknownChannelsError(unmappedRaw, unmappedNorm);
    for (std::size_t i = 0; i < channels.size(); ++i)
      if (std::find(kept.begin(), kept.end(), i) == kept.end())
        src.dropped_.push_back({channels[i].label, "not selected by --channels"});
  } else {
    std::map<double, std::size_t> rateVotes;
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < channels.size(); ++i) {
      const auto& c = channels[i];
      if (c.toMicrovolts == 0) {
        src.dropped_.push_back({c.label, "not a voltage (unit '" + c.unit + "')"});
      } else if (isReferenceDerivation(c.label)) {
        src.dropped_.push_back({c.label, "a derivation between reference electrodes, not scalp EEG"});
      } else if (!vocab[i]) {
        src.dropped_.push_back(
            {c.label, "not in the channel vocabulary (normalised '" + normalised[i] + "')"});
      } else {
        bool duplicate = false;
        for (std::size_t k : candidates) duplicate = duplicate || normalised[k] == normalised[i];
        if (duplicate) {
          src.dropped_.push_back({c.label, "a second channel named '" + normalised[i] + "'"});
          continue;
        }
        candidates.push_back(i);
        ++rateVotes[c.sampleRateHz];
      }
    }
    if (candidates.empty())
      throw std::invalid_argument(path.string() + ": no channel maps to the NeuroLM channel vocabulary");
    const double rate = std::max_element(rateVotes.begin(), rateVotes.end(), [](auto& a, auto& b) {
                          return a.second < b.second;
                        })->first;
    for (std::size_t i : candidates) {
      if (channels[i].sampleRateHz == rate)
        kept.push_back(i);
      else
        src.dropped_.push_back({channels[i].label, "sampled at " + fmt(channels[i].sampleRateHz) +
                                                       " Hz, the other EEG channels at " + fmt(rate) +
                                                       " Hz"});
    }
  }

  MultichannelSignal raw;
  raw.sampleRateHz = channels[kept.front()].sampleRateHz;
  for (std::size_t i : kept) {
    const auto& c = channels[i];
    if (c.sampleRateHz != raw.sampleRateHz)
      throw std::invalid_argument(path.string() + ": the chosen channels have different sample rates (" +
                                  c.label + ": " + fmt(c.sampleRateHz) + " Hz, " +
                                  channels[kept.front()].label + ": " + fmt(raw.sampleRateHz) + " Hz)");
    std::vector<double> row(static_cast<std::size_t>(c.sampleCount));
    rec->readPhysical(i, 0, static_cast<std::int64_t>(row.size()), row.data());
    for (double& v : row) v *= c.toMicrovolts;
    raw.names.push_back(c.label);
    raw.samplesUv.push_back(std::move(row));
    src.sourceLabels_.push_back(c.label);
    src.modelNames_.push_back(normalised[i]);
    src.vocab_.push_back(*vocab[i]);
  }
  preprocess::PreprocessOptions pre;
  pre.notchHz = options.notchHz;
  pre.progress = options.progress;
  auto result = preprocess::preprocessNeuroLm(raw, pre);
  src.signal_ = std::move(result.signal);
  src.warnings_ = std::move(result.warnings);
  return src;
}

EegSource EegSource::openNpy(const std::filesystem::path& path, const std::vector<std::string>& channelNames,
                             preprocess::ChannelNameRule nameRule) {
  const auto array = readNpy(path);
  if (array.shape.size() != 2)
    throw std::invalid_argument(path.string() +
                                ": expected a 2-D array [channels, samples at 200 Hz], found " +
                                std::to_string(array.shape.size()) + " dimensions");
  if (array.shape[0] != channelNames.size())
    throw std::invalid_argument(path.string() + " has " + std::to_string(array.shape[0]) +
                                " channel rows but --channels names " + std::to_string(channelNames.size()));
  if (array.type != NpyType::Float32 && array.type != NpyType::Float64)
    throw std::invalid_argument(path.string() + ": expected float32 or float64 samples (µV / 100)");
  EegSource src;
  src.path_ = path;
  src.sourceLabels_ = channelNames;
  src.vocab_ = preprocess::mapChannelsToVocabulary(channelNames, nameRule);
  for (const auto& n : channelNames) src.modelNames_.push_back(preprocess::normaliseChannelName(n, nameRule));
  const auto values = array.toDouble();
  const std::size_t samples = array.shape[1];
  src.signal_.sampleRateHz = kModelSampleRateHz;
  src.signal_.names = channelNames;
  for (std::size_t c = 0; c < channelNames.size(); ++c) {
    std::vector<double> row(values.begin() + static_cast<std::ptrdiff_t>(c * samples),
                            values.begin() + static_cast<std::ptrdiff_t>((c + 1) * samples));
    for (double& v : row) v *= preprocess::kModelInputScaleUv;  // model units -> µV
    src.signal_.samplesUv.push_back(std::move(row));
  }
  validateSignal(src.signal_, path.string());
  return src;
}

std::size_t EegSource::maxWindowSec(std::size_t paddedLength) const {
  const std::size_t n = std::max<std::size_t>(1, vocab_.size());
  return std::min(preprocess::kMaxWindowSec, paddedLength / n);
}

preprocess::PatchGrid EegSource::window(TimeRange range, std::size_t paddedLength) const {
  const std::string name = "window " + fmt(range.startSec) + ":" + fmt(range.endSec);
  const double length = range.lengthSec();
  if (!nearlyInteger(length))
    throw std::invalid_argument(name + " is " + fmt(length) +
                                " s long; windows are whole seconds (1-s patches)");
  const double startSample = range.startSec * kModelSampleRateHz;
  if (!nearlyInteger(startSample)) throw std::invalid_argument(name + " does not start on a 200-Hz sample");
  const auto seconds = static_cast<std::size_t>(std::llround(length));
  if (seconds < 1) throw std::invalid_argument(name + " is shorter than 1 s");
  if (seconds > preprocess::kMaxWindowSec)
    throw std::invalid_argument(name + " is " + std::to_string(seconds) + " s long; the limit is " +
                                std::to_string(preprocess::kMaxWindowSec) +
                                " s (rows of the tokenizer's time embedding)");
  const std::size_t n = vocab_.size();
  if (n * seconds > paddedLength)
    throw std::invalid_argument(name + ": " + std::to_string(n) + " channels × " + std::to_string(seconds) +
                                " s = " + std::to_string(n * seconds) + " tokens exceed the padded length " +
                                std::to_string(paddedLength) + " (the limit for " + std::to_string(n) +
                                " channels is " + std::to_string(maxWindowSec(paddedLength)) + " s)");
  const auto first = static_cast<std::size_t>(std::llround(startSample));
  if (first + seconds * preprocess::kSamplesPerPatch > signal_.sampleCount())
    throw std::invalid_argument(name + " ends beyond the recording (" + fmt(durationSec()) + " s long)");
  return preprocess::makePatchGrid(signal_, vocab_, first, seconds, paddedLength);
}

}  // namespace neurolm::runtime
