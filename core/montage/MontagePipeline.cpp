#include "core/montage/MontagePipeline.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>

namespace neurolm::montage {
namespace {

// Samples [first, last) of a channel, filtered with `warmup` samples read on both sides where the recording
// has them (at its edges the odd extension of filtfilt stands in, as for the whole recording).
std::vector<double> filteredSamples(const Recording& recording, std::size_t ch,
                                    const dsp::DisplayFilter& filter, std::int64_t first, std::int64_t last) {
  const ChannelInfo& info = recording.channels()[ch];
  if (!filter.active()) return recording.readPhysical(ch, first, last - first);
  const auto warmup = static_cast<std::int64_t>(filter.warmupSamples());
  const std::int64_t lo = std::max<std::int64_t>(0, first - warmup);
  const std::int64_t hi = std::min(info.sampleCount, last + warmup);
  std::vector<double> x = recording.readPhysical(ch, lo, hi - lo);
  filter.filtfilt(x);
  return std::vector<double>(x.begin() + (first - lo), x.begin() + (last - lo));
}

dsp::DisplayFilter filterFor(const Recording& recording, const FilterSet& filters, std::size_t ch) {
  const ChannelInfo& info = recording.channels()[ch];
  try {
    return dsp::DisplayFilter(filters.settingsFor(ch), info.sampleRateHz);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("filter of channel '" + info.label + "': " + e.what());
  }
}

std::set<std::size_t> sourceChannels(const Montage& montage) {
  std::set<std::size_t> used;
  for (const auto& d : montage.derivations)
    for (const auto& t : d.terms) used.insert(t.channel);
  return used;
}

struct ColumnSpan {
  std::int64_t first = 0, last = 0;  // clamped samples of the page
  int used = 0;                      // columns that hold samples
  double samplesPerColumn = 0;
  // First sample of column k (relative to `first`), as Recording::envelope folds samples into columns.
  std::int64_t begin(int k) const { return static_cast<std::int64_t>(std::floor(k * samplesPerColumn)); }
};

ColumnSpan columnSpan(const ChannelInfo& info, double startSec, double durationSec, int columns) {
  ColumnSpan s;
  s.first = static_cast<std::int64_t>(std::llround(startSec * info.sampleRateHz));
  const auto last = static_cast<std::int64_t>(std::llround((startSec + durationSec) * info.sampleRateHz));
  s.last = std::min(last, info.sampleCount);
  if (last <= s.first || s.last <= s.first) return s;
  s.used = static_cast<int>(std::floor(columns * static_cast<double>(s.last - s.first) / (last - s.first)));
  if (s.used > 0) s.samplesPerColumn = static_cast<double>(s.last - s.first) / s.used;
  return s;
}

}  // namespace

DerivedWindow applyMontageAndFilters(const Recording& recording, const Montage& montage,
                                     const FilterSet& filters, double startSec, double endSec,
                                     const std::atomic<bool>* cancel) {
  if (!(endSec > startSec) || startSec < 0 || startSec >= recording.durationSec()) {
    std::ostringstream s;
    s << recording.sourceName() << ": window " << startSec << ":" << endSec
      << " s is empty or outside the recording (0:" << recording.durationSec() << " s)";
    throw std::invalid_argument(s.str());
  }
  std::vector<std::vector<double>> in(recording.channels().size());
  for (std::size_t ch : sourceChannels(montage)) {
    if (cancel && cancel->load()) return {};
    const ChannelInfo& info = recording.channels()[ch];
    const auto first = static_cast<std::int64_t>(std::llround(startSec * info.sampleRateHz));
    const auto last =
        std::min(info.sampleCount, static_cast<std::int64_t>(std::llround(endSec * info.sampleRateHz)));
    if (last > first) in[ch] = filteredSamples(recording, ch, filterFor(recording, filters, ch), first, last);
  }
  DerivedWindow out;
  out.samples = applyMontage(montage, recording, in);
  for (const auto& d : montage.derivations) {
    out.labels.push_back(d.label);
    out.sampleRateHz.push_back(d.sampleRateHz);
    out.firstSample.push_back(static_cast<std::int64_t>(std::llround(startSec * d.sampleRateHz)));
  }
  return out;
}

std::vector<std::vector<MinMax>> derivedEnvelopes(const Recording& recording, const Montage& montage,
                                                  const FilterSet& filters, double startSec,
                                                  double durationSec, int columns) {
  const auto& chans = recording.channels();
  const std::set<std::size_t> used = sourceChannels(montage);
  std::vector<ColumnSpan> spans(chans.size());
  std::vector<dsp::DisplayFilter> designs(chans.size());
  for (std::size_t ch : used) {
    spans[ch] = columnSpan(chans[ch], startSec, durationSec, columns);
    designs[ch] = filterFor(recording, filters, ch);
  }
  std::vector<std::vector<MinMax>> out(montage.derivations.size());
  for (std::size_t d = 0; d < out.size(); ++d)
    out[d].resize(static_cast<std::size_t>(spans[montage.derivations[d].terms.front().channel].used));
  // Chunks of about a minute of columns, each filtered with its own warm-up.
  const int chunk = std::max(1, static_cast<int>(std::floor(columns * 60.0 / std::max(durationSec, 1e-9))));
  for (int c0 = 0; c0 < columns; c0 += chunk) {
    const int c1 = std::min(columns, c0 + chunk);
    std::vector<std::vector<double>> in(chans.size());
    std::vector<std::int64_t> offset(chans.size(), 0);  // first sample of the chunk, relative to the page
    for (std::size_t ch : used) {
      const ColumnSpan& s = spans[ch];
      if (c0 >= s.used) continue;
      const std::int64_t lo = s.begin(c0);
      const std::int64_t hi = c1 >= s.used ? s.last - s.first : s.begin(c1);
      offset[ch] = lo;
      in[ch] = filteredSamples(recording, ch, designs[ch], s.first + lo, s.first + std::max(hi, lo + 1));
    }
    const auto derived = applyMontage(montage, recording, in);
    for (std::size_t d = 0; d < out.size(); ++d) {
      const std::size_t ref = montage.derivations[d].terms.front().channel;
      const ColumnSpan& s = spans[ref];
      const std::vector<double>& v = derived[d];
      if (v.empty()) continue;
      for (int k = c0; k < std::min(c1, s.used); ++k) {
        const std::int64_t a = s.begin(k) - offset[ref];
        std::int64_t b = (k + 1 >= s.used ? s.last - s.first : s.begin(k + 1)) - offset[ref];
        b = std::min<std::int64_t>(std::max(b, a + 1), static_cast<std::int64_t>(v.size()));
        const auto ai =
            static_cast<std::size_t>(std::min<std::int64_t>(a, static_cast<std::int64_t>(v.size()) - 1));
        double mn = v[ai], mx = v[ai];
        for (auto i = static_cast<std::size_t>(a); i < static_cast<std::size_t>(b); ++i) {
          mn = std::min(mn, v[i]);
          mx = std::max(mx, v[i]);
        }
        out[d][static_cast<std::size_t>(k)] = {static_cast<float>(mn), static_cast<float>(mx)};
      }
    }
  }
  return out;
}

}  // namespace neurolm::montage
