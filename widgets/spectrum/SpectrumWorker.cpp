#include "widgets/spectrum/SpectrumWorker.h"

#include <algorithm>
#include <cmath>

#include "core/signal/ChannelPsd.h"
#include "core/signal/SignalType.h"

namespace neurolm::widgets {
namespace {

// The channels averaged for channel -1: voltage EEG channels at the first EEG channel's rate (the mean needs
// one frequency grid and one unit); all voltage channels at the first one's rate when there is no EEG.
std::vector<std::size_t> averagedChannels(const Recording& recording) {
  const auto& chans = recording.channels();
  for (bool eegOnly : {true, false}) {
    std::vector<std::size_t> picked;
    double rate = 0;
    for (std::size_t c = 0; c < chans.size(); ++c) {
      if (!signal::parsePhysicalUnit(chans[c].unit).isVoltage()) continue;
      if (eegOnly && signal::classifySignal(chans[c].label, chans[c].unit) != signal::SignalType::Eeg)
        continue;
      if (picked.empty()) rate = chans[c].sampleRateHz;
      if (chans[c].sampleRateHz == rate) picked.push_back(c);
    }
    if (!picked.empty()) return picked;
  }
  return {};
}

// The same rule over a montage's derivations (each has its first term's type, unit and rate).
std::vector<std::size_t> averagedDerivations(const montage::Montage& m) {
  for (bool eegOnly : {true, false}) {
    std::vector<std::size_t> picked;
    double rate = 0;
    for (std::size_t d = 0; d < m.derivations.size(); ++d) {
      const montage::Derivation& der = m.derivations[d];
      if (!signal::parsePhysicalUnit(der.unit).isVoltage()) continue;
      if (eegOnly && der.type != signal::SignalType::Eeg) continue;
      if (picked.empty()) rate = der.sampleRateHz;
      if (der.sampleRateHz == rate) picked.push_back(d);
    }
    if (!picked.empty()) return picked;
  }
  return {};
}

}  // namespace

montage::Montage displayedMontage(const Recording& recording,
                                  const std::shared_ptr<const montage::Montage>& m) {
  return m ? *m : montage::buildMontage(montage::BuiltinMontage::Referential, recording);
}

SpectrumResult computeSpectrum(const Recording& recording, double startSec, double endSec, int channel,
                               const SpectrumSettings& settings, const std::function<bool()>& isStale) {
  SpectrumResult r;
  r.startSec = startSec;
  r.endSec = std::min(endSec, recording.durationSec());
  r.channel = channel;
  try {
    const montage::Montage lanes =
        settings.displayed ? displayedMontage(recording, settings.montage) : montage::Montage();
    std::vector<std::size_t> channels;
    if (channel >= 0) {
      channels.push_back(static_cast<std::size_t>(channel));
    } else {
      channels = settings.displayed ? averagedDerivations(lanes) : averagedChannels(recording);
      if (channels.empty()) throw std::invalid_argument("no voltage channel to average");
    }
    const double rate = settings.displayed ? lanes.derivations.at(channels.front()).sampleRateHz
                                           : recording.channels().at(channels.front()).sampleRateHz;
    const auto pageSamples =
        static_cast<std::size_t>(std::max(1.0, std::floor((r.endSec - startSec) * rate)));
    dsp::WelchOptions options;
    options.nperseg = std::min(
        pageSamples, static_cast<std::size_t>(std::max(2.0, std::round(settings.segmentSec * rate))));
    options.noverlap =
        static_cast<std::size_t>(std::floor(settings.overlap * static_cast<double>(options.nperseg)));
    std::vector<signal::ChannelPsd> spectra;
    if (settings.displayed) {
      // One pass of read -> filter -> montage for all the derivations (each source channel filtered once).
      if (isStale && isStale()) return {};
      spectra = signal::derivationPsds(recording, lanes, settings.filters, {startSec, r.endSec}, channels,
                                       options, settings.overlap);
    } else {
      for (std::size_t c : channels) {
        if (isStale && isStale()) return {};
        auto one = signal::channelPsds(recording, {startSec, r.endSec}, {c}, options);
        spectra.push_back(std::move(one.front()));
      }
    }
    const dsp::PowerSpectrum mean = signal::averageSpectra(spectra);
    r.label = QString::fromStdString(spectra.front().label);
    r.averagedChannels = channel >= 0 ? 0 : static_cast<int>(spectra.size());
    r.frequenciesHz = mean.frequenciesHz;
    r.density = mean.density;
    r.resolutionHz = mean.resolutionHz();
    r.densityUnit = QString::fromStdString(spectra.front().densityUnit);
    r.powerUnit = QString::fromStdString(spectra.front().amplitudeUnit) + QStringLiteral("²");
    r.bandPowers = dsp::bandPowers(mean, settings.bands);
    double best = -1;
    for (std::size_t k = 0; k < r.density.size(); ++k) {
      if (r.frequenciesHz[k] >= 0.5 && r.density[k] > best) {
        best = r.density[k];
        r.peakHz = r.frequenciesHz[k];
      }
    }
  } catch (const std::exception& e) {
    r.density.clear();
    r.error = QString::fromStdString(e.what());
  }
  return r;
}

void SpectrumWorker::compute(quint64 requestId, const std::shared_ptr<const Recording>& recording,
                             double startSec, double endSec, int channel, const SpectrumSettings& settings,
                             const std::function<void(SpectrumResult)>& deliver) const {
  const auto stale = [this, requestId]() { return latestId_->load() != requestId; };
  if (stale()) return;
  SpectrumResult r = computeSpectrum(*recording, startSec, endSec, channel, settings, stale);
  if (stale()) return;
  r.requestId = requestId;
  deliver(std::move(r));
}

}  // namespace neurolm::widgets
