#pragma once
// What the trace view shows and a CLI can export: a time window of a recording, each channel display-filtered
// (core/dsp/DisplayFilter.h, with warm-up before and after the window), then combined by a montage.
// read -> filter -> montage: filters are linear, so filtering the sources equals filtering the derivations
// when all channels share one setting, and a per-channel setting belongs to a recorded channel.
#include <atomic>
#include <cstdint>
#include <map>
#include <vector>

#include "core/dsp/DisplayFilter.h"
#include "core/io/Recording.h"
#include "core/montage/Montage.h"

namespace neurolm::montage {

// Filter settings for all channels, with per-channel exceptions (by recording channel index).
struct FilterSet {
  dsp::FilterSettings all;
  std::map<std::size_t, dsp::FilterSettings> perChannel;
  const dsp::FilterSettings& settingsFor(std::size_t channel) const {
    const auto it = perChannel.find(channel);
    return it == perChannel.end() ? all : it->second;
  }
  bool active() const {
    if (all.active()) return true;
    for (const auto& [c, s] : perChannel)
      if (s.active()) return true;
    return false;
  }
  bool operator==(const FilterSet&) const = default;
};

struct DerivedWindow {
  std::vector<std::string> labels;
  std::vector<double> sampleRateHz;          // per derivation
  std::vector<std::int64_t> firstSample;     // index of samples[d][0] at that rate
  std::vector<std::vector<double>> samples;  // [derivation][sample], in the derivation's unit
};

// Samples [round(start·fs), round(end·fs)) (clamped to the recording) of every derivation of `montage`, its
// source channels filtered as `filters` says. Throws std::invalid_argument for an empty window or a filter
// that does not fit a channel's rate (naming the channel). Returns an empty result when `cancel` becomes
// true.
DerivedWindow applyMontageAndFilters(const Recording& recording, const Montage& montage,
                                     const FilterSet& filters, double startSec, double endSec,
                                     const std::atomic<bool>* cancel = nullptr);

// Min/max of each derivation in `columns` equal columns of [startSec, startSec + durationSec); columns after
// the end of the recording are left out (as Recording::envelope). Long pages are processed in chunks, each
// with its own warm-up, so memory stays bounded.
std::vector<std::vector<MinMax>> derivedEnvelopes(const Recording& recording, const Montage& montage,
                                                  const FilterSet& filters, double startSec,
                                                  double durationSec, int columns);

}  // namespace neurolm::montage
