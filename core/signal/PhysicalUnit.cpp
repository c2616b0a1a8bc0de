#include "core/signal/PhysicalUnit.h"

#include <cctype>

namespace neurolm::signal {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The micro prefix in its spellings: ASCII u, "micro", UTF-8 micro sign and Greek mu, Latin-1 micro sign.
bool stripMicro(std::string_view& s) {
  for (std::string_view prefix : {"u", "micro", "\xC2\xB5", "\xCE\xBC", "\xB5"}) {
    if (s.size() > prefix.size() && s.substr(0, prefix.size()) == prefix) {
      s.remove_prefix(prefix.size());
      return true;
    }
  }
  return false;
}

}  // namespace

PhysicalUnit parsePhysicalUnit(std::string_view written) {
  const std::string_view text = trim(written);
  const std::string low = lower(text);  // tolower leaves the non-ASCII bytes of µ/μ alone
  std::string_view s = low;

  // Voltages: an optional prefix and "v".
  if (!s.empty() && s.back() == 'v') {
    std::string_view prefix = s.substr(0, s.size() - 1);
    if (prefix.empty()) return {"V", Quantity::Voltage, 1.0};
    if (prefix == "m") return {"mV", Quantity::Voltage, 1e-3};
    if (prefix == "n") return {"nV", Quantity::Voltage, 1e-9};
    if (stripMicro(s) && s == "v") return {"µV", Quantity::Voltage, 1e-6};
  }
  if (low == "degc" || low == "deg c" ||
      low ==
          "\xC2\xB0"
          "c" ||
      low ==
          "\xB0"
          "c" ||
      low == "celsius") {
    return {"°C", Quantity::Temperature, 1.0};
  }
  if (low == "degf" || low == "deg f" ||
      low ==
          "\xC2\xB0"
          "f" ||
      low ==
          "\xB0"
          "f" ||
      low == "fahrenheit") {
    return {"°F", Quantity::Temperature, 1.0};
  }
  return {std::string(text), Quantity::Unknown, 1.0};
}

std::optional<double> conversionFactor(const PhysicalUnit& from, const PhysicalUnit& to) {
  if (from.quantity == Quantity::Unknown || to.quantity == Quantity::Unknown) {
    if (from.quantity == to.quantity && from.symbol == to.symbol) return 1.0;
    return std::nullopt;
  }
  if (from.quantity != to.quantity) return std::nullopt;
  if (from.quantity == Quantity::Temperature) {
    if (from.symbol == to.symbol) return 1.0;
    return std::nullopt;  // affine, not a factor
  }
  return from.toBase / to.toBase;
}

}  // namespace neurolm::signal
