#pragma once
// Band powers from a one-sided PSD. The rule (documented for users in `neurolm psd --help`): the power of
// band [low, high) is the rectangle-rule integral of the PSD over the bins whose frequency f satisfies low <=
// f < high, i.e. Δf · Σ P(f_k) with Δf = fs / nperseg. Half-open bands make adjacent bands share no bin, so
// the powers of the default bands add up to the power of 0.5–45 Hz. Relative power is a band's power divided
// by the power over [lowest low, highest high) of all bands given.
#include <string>
#include <vector>

#include "core/dsp/Welch.h"

namespace neurolm::dsp {

struct FrequencyBand {
  std::string name;
  double lowHz = 0, highHz = 0;
};

// delta 0.5–4, theta 4–8, alpha 8–13, beta 13–30, gamma 30–45 Hz.
std::vector<FrequencyBand> defaultBands();

struct BandPower {
  FrequencyBand band;
  double power = 0;      // (unit of x)², e.g. µV²
  double relative = 0;   // share of the power over all bands' span (0 when that power is 0)
  std::size_t bins = 0;  // PSD bins summed (0: the band is narrower than the resolution or above Nyquist)
};

// Throws std::invalid_argument naming the band: empty name, low < 0, low >= high, non-finite edges.
void validateBands(const std::vector<FrequencyBand>& bands);
std::vector<BandPower> bandPowers(const PowerSpectrum& psd, const std::vector<FrequencyBand>& bands);
// Power over [lowHz, highHz) by the same rule.
double integratePower(const PowerSpectrum& psd, double lowHz, double highHz, std::size_t* binsUsed = nullptr);

// "delta:0.5-4,theta:4-8" -> bands; throws std::invalid_argument naming the malformed item.
std::vector<FrequencyBand> parseBands(const std::string& text);

}  // namespace neurolm::dsp
