#include "core/signal/ChannelPsd.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/signal/PhysicalUnit.h"

namespace neurolm::signal {

std::vector<ChannelPsd> channelPsds(const Recording& recording, const TimeWindow& window,
                                    const std::vector<std::size_t>& channels,
                                    const dsp::WelchOptions& options, const std::atomic<bool>* cancel) {
  const double duration = recording.durationSec();
  if (!(window.endSec > window.startSec) || window.startSec < 0 || window.endSec > duration + 1e-9) {
    std::ostringstream s;
    s << recording.sourceName() << ": window " << window.startSec << ":" << window.endSec
      << " s is empty or outside the recording (0:" << duration << " s)";
    throw std::invalid_argument(s.str());
  }
  const PhysicalUnit microvolts = parsePhysicalUnit("uV");
  std::vector<ChannelPsd> out;
  out.reserve(channels.size());
  for (std::size_t ch : channels) {
    if (cancel && cancel->load()) return {};
    if (ch >= recording.channels().size()) {
      throw std::invalid_argument(recording.sourceName() + ": channel index " + std::to_string(ch) +
                                  " out of range (" + std::to_string(recording.channels().size()) +
                                  " channels)");
    }
    const ChannelInfo& info = recording.channels()[ch];
    const auto first = static_cast<std::int64_t>(std::llround(window.startSec * info.sampleRateHz));
    const auto last = std::min(info.sampleCount,
                               static_cast<std::int64_t>(std::llround(window.endSec * info.sampleRateHz)));
    if (last <= first) {
      throw std::invalid_argument(recording.sourceName() + ": window holds no samples of channel '" +
                                  info.label + "'");
    }
    std::vector<double> x = recording.readPhysical(ch, first, last - first);
    const PhysicalUnit unit = parsePhysicalUnit(info.unit);
    ChannelPsd result;
    result.channel = ch;
    result.label = info.label;
    if (unit.isVoltage()) {
      const double factor = *conversionFactor(unit, microvolts);
      for (double& v : x) v *= factor;
      result.amplitudeUnit = microvolts.symbol;
    } else {
      result.amplitudeUnit = unit.symbol;
    }
    result.densityUnit = result.amplitudeUnit + "²/Hz";
    result.psd = dsp::welch(x, info.sampleRateHz, options);
    out.push_back(std::move(result));
  }
  return out;
}

std::vector<ChannelPsd> derivationPsds(const Recording& recording, const montage::Montage& montage,
                                       const montage::FilterSet& filters, const TimeWindow& window,
                                       const std::vector<std::size_t>& derivations,
                                       const dsp::WelchOptions& options, double overlapFraction,
                                       const std::atomic<bool>* cancel) {
  // Only the derivations asked for: the pipeline then reads and filters only their channels.
  montage::Montage picked;
  picked.name = montage.name;
  for (std::size_t d : derivations) picked.derivations.push_back(montage.derivations.at(d));
  const auto derived =
      montage::applyMontageAndFilters(recording, picked, filters, window.startSec, window.endSec, cancel);
  if (derived.samples.size() != picked.derivations.size()) return {};  // cancelled
  const PhysicalUnit microvolts = parsePhysicalUnit("uV");
  std::vector<ChannelPsd> out;
  for (std::size_t i = 0; i < picked.derivations.size(); ++i) {
    const montage::Derivation& d = picked.derivations[i];
    std::vector<double> x = derived.samples[i];
    if (x.empty())
      throw std::invalid_argument(recording.sourceName() + ": window holds no samples of '" + d.label + "'");
    const PhysicalUnit unit = parsePhysicalUnit(d.unit);
    ChannelPsd r;
    r.channel = derivations[i];
    r.label = d.label;
    if (unit.isVoltage()) {
      const double factor = *conversionFactor(unit, microvolts);
      for (double& v : x) v *= factor;
      r.amplitudeUnit = microvolts.symbol;
    } else {
      r.amplitudeUnit = unit.symbol;
    }
    r.densityUnit = r.amplitudeUnit + "²/Hz";
    dsp::WelchOptions o = options;
    if (o.nperseg > x.size()) {
      o.nperseg = x.size();
      o.noverlap = static_cast<std::size_t>(std::floor(overlapFraction * static_cast<double>(o.nperseg)));
    }
    r.psd = dsp::welch(x, d.sampleRateHz, o);
    out.push_back(std::move(r));
  }
  return out;
}

dsp::PowerSpectrum averageSpectra(const std::vector<ChannelPsd>& spectra) {
  if (spectra.empty()) throw std::invalid_argument("average of no spectra");
  dsp::PowerSpectrum mean = spectra.front().psd;
  for (std::size_t i = 1; i < spectra.size(); ++i) {
    const dsp::PowerSpectrum& p = spectra[i].psd;
    if (p.frequenciesHz != mean.frequenciesHz) {
      throw std::invalid_argument("cannot average the spectrum of '" + spectra[i].label + "' with that of '" +
                                  spectra.front().label + "': different frequency grids (sample rates)");
    }
    for (std::size_t k = 0; k < mean.density.size(); ++k) mean.density[k] += p.density[k];
  }
  for (double& d : mean.density) d /= static_cast<double>(spectra.size());
  return mean;
}

}  // namespace neurolm::signal
