#pragma once
// What each channel of a recording measures, read from its label and physical unit, and how it is displayed
// by default: EEG in µV per division, ECG/EMG in mV per division, and so on. A "division" is the distance
// from a lane's centre line to its edge (half a lane), so a trace of that amplitude just touches its
// neighbours.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/signal/PhysicalUnit.h"

namespace neurolm::signal {

enum class SignalType { Eeg, Ecg, Emg, Eog, Respiration, Temperature, Trigger, Other };

inline constexpr std::array<SignalType, 8> kAllSignalTypes = {
    SignalType::Eeg,         SignalType::Ecg,         SignalType::Emg,     SignalType::Eog,
    SignalType::Respiration, SignalType::Temperature, SignalType::Trigger, SignalType::Other};

// Stable lower-case identifiers ("eeg", "ecg", "emg", "eog", "respiration", "temperature", "trigger",
// "other"), used in `neurolm info --json` and settings.
std::string_view signalTypeName(SignalType type);
std::optional<SignalType> signalTypeFromName(std::string_view name);

// EDF+/BDF+ annotation signals ("EDF Annotations", "BDF Annotations") carry no samples to display; recordings
// list them apart and they are never typed.
bool isAnnotationSignalLabel(std::string_view label);

// The type of a channel, by these rules, first match wins:
//  1. a word of the label (split at blanks and - _ . : / ( ) , digits at a word's end ignored, any case)
//  names a
//     type, earliest word first: EEG; ECG EKG; EMG CHIN; EOG LOC ROC HEOG VEOG; RESP RESPIRATION THOR THORAX
//     ABD ABDO ABDOMEN AIRFLOW FLOW NASAL; TEMP TEMPERATURE; STATUS TRIG TRIGGER STI STIM EVENT MARKER.
//     ("ECG ECG" -> ECG, "EMG Chin" -> EMG, "LOC-A2" -> EOG, "STI 014" -> Trigger, "TRIG1" -> Trigger)
//  2. the unit is a temperature -> Temperature;
//  3. the label is a 10-20/10-10 electrode name after the usual clean-up (preprocess::normaliseChannelName:
//     "Fc5." -> FC5, "Cz-Ref" -> CZ) -> EEG;
//  4. otherwise Other.
SignalType classifySignal(std::string_view label, std::string_view unit);

enum class TraceShape { Line, Steps };

// How a channel's values are placed in its lane: value v (in `unit`) is drawn at
//   centre - (v - centreValue) / perDivision * (lane height / 2).
struct DisplayScale {
  double perDivision = 100;  // amplitude per half lane, in `unit`
  double centreValue = 0;    // value on the lane's centre line, in `unit`
  PhysicalUnit unit;         // display unit (µV for EEG, mV for ECG, the channel's own unit when unknown)
  double fromPhysical = 1;   // factor from the channel's physical unit to `unit`
  TraceShape shape = TraceShape::Line;
};

// Default display of a channel of this type with this physical unit and range:
//   EEG 100 µV, EOG 200 µV, ECG 1 mV, EMG 0.5 mV per division (centred on zero; needs a voltage unit);
//   Respiration, Temperature and channels whose unit cannot be converted: the physical range fills the lane;
//   Trigger: the physical range fills the lane, drawn as steps;
//   Other with a voltage unit: as EEG (100 µV); otherwise the physical range fills the lane.
DisplayScale defaultDisplayScale(SignalType type, const PhysicalUnit& physicalUnit, double physicalMin,
                                 double physicalMax);

// Per-channel types and display scales of one recording, with overrides: a channel's type can be changed (its
// scale becomes the new type's default) and its amplitude per division set. Not thread-safe; copy it to
// workers.
struct ChannelSignalInfo {
  std::string label;
  std::string unit;
  double physicalMin = 0, physicalMax = 0;
  // Used instead of the label rules when set (a montage derivation has its first channel's type).
  std::optional<SignalType> knownType = std::nullopt;
};

class ChannelDisplayTable {
 public:
  ChannelDisplayTable() = default;
  explicit ChannelDisplayTable(std::vector<ChannelSignalInfo> channels);

  std::size_t size() const { return channels_.size(); }
  SignalType type(std::size_t channel) const;
  bool typeOverridden(std::size_t channel) const;
  const DisplayScale& scale(std::size_t channel) const;

  // Throws std::out_of_range (channel) / std::invalid_argument (non-positive or non-finite amplitude).
  void setType(std::size_t channel, SignalType type);
  void setPerDivision(std::size_t channel, double perDivision);
  // Back to the type read from the label and unit and its default scale.
  void reset(std::size_t channel);

 private:
  struct Entry {
    ChannelSignalInfo info;
    SignalType detected = SignalType::Other;
    SignalType type = SignalType::Other;
    DisplayScale scale;
  };
  const Entry& at(std::size_t channel) const;
  Entry& at(std::size_t channel);
  std::vector<Entry> channels_;
};

}  // namespace neurolm::signal
