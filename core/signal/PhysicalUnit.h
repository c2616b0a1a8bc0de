#pragma once
// Physical dimensions of EDF signals ("uV", "mV", "degC", ...), parsed into a quantity and a factor to the
// quantity's base unit, so that values convert between any two units of one quantity. Units we do not know
// are kept as written (quantity Unknown) and never converted.
#include <optional>
#include <string>
#include <string_view>

namespace neurolm::signal {

enum class Quantity { Voltage, Temperature, Unknown };

struct PhysicalUnit {
  std::string
      symbol;  // canonical ("µV", "mV", "V", "nV", "°C", "°F") or, for unknown units, as written (trimmed)
  Quantity quantity = Quantity::Unknown;
  double toBase = 1;  // value in the base unit (V for voltages, the unit itself for temperatures) per unit

  bool isVoltage() const { return quantity == Quantity::Voltage; }
};

// Accepts uV / µV (U+00B5, U+03BC, Latin-1 0xB5) / microV, mV, V, nV, in any letter case (EDF headers are
// sometimes upper case; "MV" is read as millivolts, megavolts do not occur in biosignals), and degC / °C /
// deg C / Celsius, degF / °F. Anything else is Unknown with its text kept (e.g. "%", "bpm", "Boolean", "").
PhysicalUnit parsePhysicalUnit(std::string_view written);

// Factor f with value_in_`to` = f * value_in_`from`; nullopt when the quantities differ, a unit is unknown
// (unless both are the same text), or the conversion is not a pure factor (°C <-> °F).
std::optional<double> conversionFactor(const PhysicalUnit& from, const PhysicalUnit& to);

}  // namespace neurolm::signal
