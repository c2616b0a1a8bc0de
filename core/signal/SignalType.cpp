#include "core/signal/SignalType.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "core/preprocess/ChannelVocabulary.h"

namespace neurolm::signal {
namespace {

struct Keyword {
  std::string_view word;
  SignalType type;
};

constexpr Keyword kKeywords[] = {
    {"EEG", SignalType::Eeg},
    {"ECG", SignalType::Ecg},
    {"EKG", SignalType::Ecg},
    {"EMG", SignalType::Emg},
    {"CHIN", SignalType::Emg},
    {"EOG", SignalType::Eog},
    {"LOC", SignalType::Eog},
    {"ROC", SignalType::Eog},
    {"HEOG", SignalType::Eog},
    {"VEOG", SignalType::Eog},
    {"RESP", SignalType::Respiration},
    {"RESPIRATION", SignalType::Respiration},
    {"THOR", SignalType::Respiration},
    {"THORAX", SignalType::Respiration},
    {"ABD", SignalType::Respiration},
    {"ABDO", SignalType::Respiration},
    {"ABDOMEN", SignalType::Respiration},
    {"AIRFLOW", SignalType::Respiration},
    {"FLOW", SignalType::Respiration},
    {"NASAL", SignalType::Respiration},
    {"TEMP", SignalType::Temperature},
    {"TEMPERATURE", SignalType::Temperature},
    {"STATUS", SignalType::Trigger},
    {"TRIG", SignalType::Trigger},
    {"TRIGGER", SignalType::Trigger},
    {"STI", SignalType::Trigger},
    {"STIM", SignalType::Trigger},
    {"EVENT", SignalType::Trigger},
    {"EVENTS", SignalType::Trigger},
    {"MARKER", SignalType::Trigger},
    {"MARKERS", SignalType::Trigger},
};

// Upper-case words of a label, trailing digits removed ("TRIG1" -> "TRIG", "STI 014" -> "STI", "").
std::vector<std::string> labelWords(std::string_view label) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&]() {
    while (!word.empty() && std::isdigit(static_cast<unsigned char>(word.back()))) word.pop_back();
    if (!word.empty()) words.push_back(word);
    word.clear();
  };
  for (char ch : label) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isspace(c) || std::string_view("-_.:/(),").find(ch) != std::string_view::npos) {
      flush();
    } else {
      word.push_back(static_cast<char>(std::toupper(c)));
    }
  }
  flush();
  return words;
}

DisplayScale amplitudeScale(double perDivision, std::string_view displayUnit, const PhysicalUnit& physical) {
  DisplayScale s;
  s.unit = parsePhysicalUnit(displayUnit);
  s.perDivision = perDivision;
  s.centreValue = 0;
  s.fromPhysical = *conversionFactor(physical, s.unit);
  return s;
}

DisplayScale rangeScale(const PhysicalUnit& physical, double physicalMin, double physicalMax) {
  DisplayScale s;
  s.unit = physical;
  s.fromPhysical = 1;
  const double lo = std::min(physicalMin, physicalMax), hi = std::max(physicalMin, physicalMax);
  s.centreValue = std::isfinite(lo + hi) ? (lo + hi) / 2 : 0;
  const double half = (hi - lo) / 2;
  s.perDivision = std::isfinite(half) && half > 0 ? half : 1;
  return s;
}

}  // namespace

std::string_view signalTypeName(SignalType type) {
  switch (type) {
    case SignalType::Eeg:
      return "eeg";
    case SignalType::Ecg:
      return "ecg";
    case SignalType::Emg:
      return "emg";
    case SignalType::Eog:
      return "eog";
    case SignalType::Respiration:
      return "respiration";
    case SignalType::Temperature:
      return "temperature";
    case SignalType::Trigger:
      return "trigger";
    case SignalType::Other:
      return "other";
  }
  return "other";
}

std::optional<SignalType> signalTypeFromName(std::string_view name) {
  for (SignalType t : kAllSignalTypes) {
    if (signalTypeName(t) == name) return t;
  }
  return std::nullopt;
}

bool isAnnotationSignalLabel(std::string_view label) {
  while (!label.empty() && label.back() == ' ') label.remove_suffix(1);
  return label == "EDF Annotations" || label == "BDF Annotations";
}

SignalType classifySignal(std::string_view label, std::string_view unit) {
  for (const std::string& word : labelWords(label)) {
    for (const Keyword& k : kKeywords) {
      if (word == k.word) return k.type;
    }
  }
  if (parsePhysicalUnit(unit).quantity == Quantity::Temperature) return SignalType::Temperature;
  if (preprocess::vocabularyIndex(preprocess::normaliseChannelName(label))) return SignalType::Eeg;
  return SignalType::Other;
}

DisplayScale defaultDisplayScale(SignalType type, const PhysicalUnit& physicalUnit, double physicalMin,
                                 double physicalMax) {
  const bool volts = physicalUnit.isVoltage();
  switch (type) {
    case SignalType::Eeg:
    case SignalType::Other:
      if (volts) return amplitudeScale(100, "uV", physicalUnit);
      break;
    case SignalType::Eog:
      if (volts) return amplitudeScale(200, "uV", physicalUnit);
      break;
    case SignalType::Ecg:
      if (volts) return amplitudeScale(1, "mV", physicalUnit);
      break;
    case SignalType::Emg:
      if (volts) return amplitudeScale(0.5, "mV", physicalUnit);
      break;
    case SignalType::Trigger: {
      DisplayScale s = rangeScale(physicalUnit, physicalMin, physicalMax);
      s.shape = TraceShape::Steps;
      return s;
    }
    case SignalType::Respiration:
    case SignalType::Temperature:
      break;
  }
  return rangeScale(physicalUnit, physicalMin, physicalMax);
}

ChannelDisplayTable::ChannelDisplayTable(std::vector<ChannelSignalInfo> channels) {
  channels_.reserve(channels.size());
  for (auto& info : channels) {
    Entry e;
    e.detected = info.knownType.value_or(classifySignal(info.label, info.unit));
    e.type = e.detected;
    e.scale = defaultDisplayScale(e.type, parsePhysicalUnit(info.unit), info.physicalMin, info.physicalMax);
    e.info = std::move(info);
    channels_.push_back(std::move(e));
  }
}

const ChannelDisplayTable::Entry& ChannelDisplayTable::at(std::size_t channel) const {
  if (channel >= channels_.size()) {
    throw std::out_of_range("channel display: channel index " + std::to_string(channel) + " out of range (" +
                            std::to_string(channels_.size()) + " channels)");
  }
  return channels_[channel];
}

ChannelDisplayTable::Entry& ChannelDisplayTable::at(std::size_t channel) {
  return const_cast<Entry&>(std::as_const(*this).at(channel));
}

SignalType ChannelDisplayTable::type(std::size_t channel) const { return at(channel).type; }
bool ChannelDisplayTable::typeOverridden(std::size_t channel) const {
  return at(channel).type != at(channel).detected;
}
const DisplayScale& ChannelDisplayTable::scale(std::size_t channel) const { return at(channel).scale; }

void ChannelDisplayTable::setType(std::size_t channel, SignalType type) {
  Entry& e = at(channel);
  e.type = type;
  e.scale = defaultDisplayScale(type, parsePhysicalUnit(e.info.unit), e.info.physicalMin, e.info.physicalMax);
}

void ChannelDisplayTable::setPerDivision(std::size_t channel, double perDivision) {
  Entry& e = at(channel);
  if (!std::isfinite(perDivision) || perDivision <= 0) {
    throw std::invalid_argument("channel display: amplitude per division of '" + e.info.label +
                                "' must be > 0, got " + std::to_string(perDivision));
  }
  e.scale.perDivision = perDivision;
}

void ChannelDisplayTable::reset(std::size_t channel) { setType(channel, at(channel).detected); }

}  // namespace neurolm::signal
