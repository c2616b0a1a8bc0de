#include "core/dsp/BandPower.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace neurolm::dsp {

std::vector<FrequencyBand> defaultBands() {
  return {{"delta", 0.5, 4}, {"theta", 4, 8}, {"alpha", 8, 13}, {"beta", 13, 30}, {"gamma", 30, 45}};
}

void validateBands(const std::vector<FrequencyBand>& bands) {
  for (const auto& b : bands) {
    if (b.name.empty()) throw std::invalid_argument("band without a name");
    if (!std::isfinite(b.lowHz) || !std::isfinite(b.highHz) || b.lowHz < 0 || b.lowHz >= b.highHz) {
      std::ostringstream s;
      s << "band '" << b.name << "': expected 0 <= low < high, got " << b.lowHz << " .. " << b.highHz
        << " Hz";
      throw std::invalid_argument(s.str());
    }
  }
}

double integratePower(const PowerSpectrum& psd, double lowHz, double highHz, std::size_t* binsUsed) {
  double sum = 0;
  std::size_t bins = 0;
  for (std::size_t k = 0; k < psd.frequenciesHz.size(); ++k) {
    const double f = psd.frequenciesHz[k];
    if (f >= lowHz && f < highHz) {
      sum += psd.density[k];
      ++bins;
    }
  }
  if (binsUsed) *binsUsed = bins;
  return sum * psd.resolutionHz();
}

std::vector<BandPower> bandPowers(const PowerSpectrum& psd, const std::vector<FrequencyBand>& bands) {
  validateBands(bands);
  std::vector<BandPower> out;
  if (bands.empty()) return out;
  double lo = bands.front().lowHz, hi = bands.front().highHz;
  for (const auto& b : bands) {
    lo = std::min(lo, b.lowHz);
    hi = std::max(hi, b.highHz);
  }
  const double total = integratePower(psd, lo, hi);
  for (const auto& b : bands) {
    BandPower p;
    p.band = b;
    p.power = integratePower(psd, b.lowHz, b.highHz, &p.bins);
    p.relative = total > 0 ? p.power / total : 0;
    out.push_back(p);
  }
  return out;
}

std::vector<FrequencyBand> parseBands(const std::string& text) {
  std::vector<FrequencyBand> bands;
  std::stringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    const auto colon = item.find(':');
    const auto dash = item.find('-', colon == std::string::npos ? 0 : colon + 1);
    if (colon == std::string::npos || colon == 0 || dash == std::string::npos) {
      throw std::invalid_argument("band '" + item + "': expected NAME:LOW-HIGH (Hz), e.g. alpha:8-13");
    }
    FrequencyBand b;
    b.name = item.substr(0, colon);
    try {
      std::size_t used = 0;
      const std::string low = item.substr(colon + 1, dash - colon - 1), high = item.substr(dash + 1);
      b.lowHz = std::stod(low, &used);
      if (used != low.size()) throw std::invalid_argument(low);
      b.highHz = std::stod(high, &used);
      if (used != high.size()) throw std::invalid_argument(high);
    } catch (const std::exception&) {
      throw std::invalid_argument("band '" + item + "': expected NAME:LOW-HIGH (Hz), e.g. alpha:8-13");
    }
    bands.push_back(b);
  }
  if (bands.empty()) throw std::invalid_argument("no bands given (expected NAME:LOW-HIGH,...)");
  validateBands(bands);
  return bands;
}

}  // namespace neurolm::dsp
