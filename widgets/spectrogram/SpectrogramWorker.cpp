#include "widgets/spectrogram/SpectrogramWorker.h"

#include <QCoreApplication>
#include <algorithm>
#include <array>
#include <cmath>

#include "core/montage/Montage.h"
#include "core/signal/RecordingSpectrogram.h"

namespace neurolm::widgets {

SpectrogramData computeSpectrogram(const Recording& recording, const SpectrogramSettings& settings,
                                   const std::atomic<bool>* cancel,
                                   const std::function<void(double)>& progress) {
  SpectrogramData out;
  out.startSec = settings.startSec;
  out.endSec = std::min(settings.endSec, recording.durationSec());
  try {
    if (settings.channels.empty()) throw std::invalid_argument("no channel chosen");
    // The chosen derivations of the trace view's montage (as recorded when there is none), voltages in µV.
    const montage::Montage all = settings.montage
                                     ? *settings.montage
                                     : montage::buildMontage(montage::BuiltinMontage::Referential, recording);
    montage::Montage chosen{all.name, {}};
    for (std::size_t c : settings.channels) chosen.derivations.push_back(all.derivations.at(c));
    const double fs = chosen.derivations.front().sampleRateHz;
    const auto nperseg = static_cast<std::size_t>(std::llround(settings.segmentSec * fs));
    const auto noverlap =
        static_cast<std::size_t>(std::floor(settings.overlap * static_cast<double>(nperseg)));
    if (nperseg < 2 || noverlap >= nperseg)
      throw std::invalid_argument("segment too short for the sample rate");
    const std::size_t step = nperseg - noverlap;
    const auto n = static_cast<std::size_t>(
        std::max<long long>(0, std::llround(out.endSec * fs) - std::llround(settings.startSec * fs)));
    if (n < nperseg)
      throw std::invalid_argument(QCoreApplication::translate("neurolm::widgets::SpectrogramView",
                                                              "the range is shorter than one segment (%1 s)")
                                      .arg(settings.segmentSec)
                                      .toStdString());
    const std::size_t segments = (n - noverlap) / step;
    const std::size_t group =
        (segments + settings.maxColumns - 1) / std::max<std::size_t>(1, settings.maxColumns);
    const std::size_t columns = segments / group;  // trailing segments that do not fill a group are left out
    const std::size_t perChunk = std::max<std::size_t>(1, 200000 / (group * step) + 1) * group;  // segments
    const std::int64_t first = std::llround(settings.startSec * fs);

    std::vector<std::vector<double>> sums;  // [channel][frequency * columns]
    std::size_t bins = 0;
    for (std::size_t s0 = 0; s0 < columns * group; s0 += perChunk) {
      if (cancel != nullptr && cancel->load()) return {};
      const std::size_t s1 = std::min(columns * group, s0 + perChunk);
      signal::SpectrogramRequest request;
      const std::int64_t a = first + static_cast<std::int64_t>(s0 * step);
      const std::int64_t b = a + static_cast<std::int64_t>((s1 - s0 - 1) * step + nperseg);
      request.window = {static_cast<double>(a) / fs, static_cast<double>(b) / fs};
      request.segmentSec = settings.segmentSec;
      request.overlapFraction = settings.overlap;
      const double done = static_cast<double>(s0) / static_cast<double>(columns * group);
      const double share = static_cast<double>(s1 - s0) / static_cast<double>(columns * group);
      const auto part =
          signal::recordingSpectrogram(recording, chosen, settings.filters, request, cancel, [&](double f) {
            if (progress) progress(done + share * f);
          });
      if (part.power.channelCount == 0) return {};
      const auto& p = part.power;
      if (sums.empty()) {
        bins = p.frequencyCount();
        out.frequenciesHz = p.frequenciesHz;
        out.unit = QString::fromStdString(part.densityUnit);
        for (const auto& label : part.labels) out.labels << QString::fromStdString(label);
        sums.assign(p.channelCount, std::vector<double>(bins * columns, 0.0));
        out.columnSec = static_cast<double>(group * step) / fs;
      }
      const std::size_t t = std::min(p.timeCount(), s1 - s0);
      for (std::size_t c = 0; c < p.channelCount; ++c)
        for (std::size_t f = 0; f < bins; ++f)
          for (std::size_t i = 0; i < t; ++i) sums[c][f * columns + (s0 + i) / group] += p.at(c, f, i);
    }
    out.timesSec.resize(columns);
    for (std::size_t col = 0; col < columns; ++col) {
      // Centre of the group: mean of its segments' centres.
      const double firstCentre =
          (static_cast<double>(nperseg) / 2 + static_cast<double>(col * group * step)) / fs;
      out.timesSec[col] =
          static_cast<double>(first) / fs + firstCentre + static_cast<double>((group - 1) * step) / (2 * fs);
    }
    out.db.resize(sums.size() * bins * columns);
    for (std::size_t c = 0; c < sums.size(); ++c)
      for (std::size_t i = 0; i < bins * columns; ++i)
        out.db[c * bins * columns + i] =
            static_cast<float>(10 * std::log10(std::max(sums[c][i] / static_cast<double>(group), 1e-30)));
  } catch (const std::exception& e) {
    out.db.clear();
    out.error = QString::fromStdString(e.what());
  }
  return out;
}

QString colourMapName(ColourMap map) {
  switch (map) {
    case ColourMap::Viridis:
      return QCoreApplication::translate("neurolm::widgets::SpectrogramView", "Viridis");
    case ColourMap::Magma:
      return QCoreApplication::translate("neurolm::widgets::SpectrogramView", "Magma");
    case ColourMap::Grey:
      break;
  }
  return QCoreApplication::translate("neurolm::widgets::SpectrogramView", "Grey");
}

QRgb colourAt(ColourMap map, double v) {
  v = std::clamp(std::isfinite(v) ? v : 0.0, 0.0, 1.0);
  if (map == ColourMap::Grey) {
    const int g = static_cast<int>(std::lround(255 * v));
    return qRgb(g, g, g);
  }
  // Anchors of matplotlib's viridis and magma at 0, 1/8, ..., 1 (perceptually uniform; interpolated).
  static constexpr std::array<QRgb, 9> kViridis = {0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c,
                                                   0x28ae80, 0x5ec962, 0xaddc30, 0xfde725};
  static constexpr std::array<QRgb, 9> kMagma = {0x000004, 0x1c1044, 0x4f127b, 0x812581, 0xb5367a,
                                                 0xe55064, 0xfb8761, 0xfec287, 0xfcfdbf};
  const auto& anchors = map == ColourMap::Viridis ? kViridis : kMagma;
  const double x = v * 8;
  const int i = std::min(7, static_cast<int>(x));
  const double f = x - i;
  auto mix = [&](int shift) {
    const int a = static_cast<int>((anchors[i] >> shift) & 0xff),
              b = static_cast<int>((anchors[i + 1] >> shift) & 0xff);
    return static_cast<int>(std::lround(a + (b - a) * f));
  };
  return qRgb(mix(16), mix(8), mix(0));
}

std::pair<double, double> percentileLimits(const SpectrogramData& data, double maxHz, double lo, double hi) {
  std::vector<float> values;
  const std::size_t bins = data.frequenciesHz.size(), columns = data.timesSec.size();
  for (std::size_t c = 0; c < data.channelCount(); ++c)
    for (std::size_t f = 0; f < bins && data.frequenciesHz[f] <= maxHz; ++f)
      for (std::size_t t = 0; t < columns; ++t) values.push_back(data.at(c, f, t));
  if (values.empty()) return {0, 1};
  auto pick = [&](double p) {
    const auto k =
        static_cast<std::size_t>(std::clamp(p / 100, 0.0, 1.0) * static_cast<double>(values.size() - 1));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
    return static_cast<double>(values[k]);
  };
  double a = pick(lo), b = pick(hi);
  if (!(b > a)) b = a + 1;
  return {a, b};
}

}  // namespace neurolm::widgets
