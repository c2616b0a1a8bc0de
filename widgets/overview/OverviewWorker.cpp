#include "widgets/overview/OverviewWorker.h"

#include <QPainter>
#include <algorithm>
#include <cmath>

namespace neurolm::widgets {
namespace {

float percentile(std::vector<float>& v, double q) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(std::lround(q * static_cast<double>(v.size() - 1)));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

std::vector<OverviewColumn> overviewColumns(const Recording& recording, int columns,
                                            const std::atomic<bool>* cancel) {
  std::vector<OverviewColumn> out(static_cast<std::size_t>(std::max(0, columns)));
  if (columns <= 0) return out;
  // Envelopes of the voltage channels over the whole recording, each in `columns` columns.
  std::vector<std::vector<MinMax>> envelopes;
  std::vector<double> factors;
  for (std::size_t c = 0; c < recording.channels().size(); ++c) {
    const ChannelInfo& info = recording.channels()[c];
    if (info.toMicrovolts == 0 || info.sampleCount <= 0) continue;
    if (cancel && cancel->load()) return {};
    envelopes.push_back(recording.envelope(c, 0, info.sampleCount, columns));
    factors.push_back(info.toMicrovolts);
  }
  std::vector<float> spans(envelopes.size());
  for (int x = 0; x < columns; ++x) {
    for (std::size_t k = 0; k < envelopes.size(); ++k) {
      const MinMax& m = envelopes[k][static_cast<std::size_t>(x)];
      spans[k] = static_cast<float>((m.max - m.min) * factors[k]);
    }
    OverviewColumn& col = out[static_cast<std::size_t>(x)];
    col.medianUv = percentile(spans, 0.5);
    col.upperUv = percentile(spans, 0.9);
  }
  return out;
}

QImage renderOverviewBand(const std::vector<OverviewColumn>& columns, QSize size) {
  QImage image(size, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::transparent);
  if (columns.empty() || size.isEmpty()) return image;
  std::vector<float> uppers;
  for (const OverviewColumn& c : columns) uppers.push_back(c.upperUv);
  const float top = std::max(1e-6f, percentile(uppers, 0.98));
  QPainter p(&image);
  const int h = size.height();
  const double perColumn = static_cast<double>(size.width()) / static_cast<double>(columns.size());
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const int x0 = static_cast<int>(std::floor(static_cast<double>(i) * perColumn));
    const int x1 = std::max(x0 + 1, static_cast<int>(std::floor(static_cast<double>(i + 1) * perColumn)));
    const auto height = [&](float v) {
      return static_cast<int>(std::lround(std::min(1.0f, v / top) * (h - 1)));
    };
    const int upper = height(columns[i].upperUv), median = height(columns[i].medianUv);
    p.fillRect(QRect(x0, h - upper, x1 - x0, upper), QColor(150, 170, 210));
    p.fillRect(QRect(x0, h - median, x1 - x0, median), QColor(40, 70, 140));
  }
  return image;
}

}  // namespace neurolm::widgets
