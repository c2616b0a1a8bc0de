#include "widgets/tokens/PatchSpectrumPopup.h"

#include <QChart>
#include <QChartView>
#include <QGraphicsLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPen>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace neurolm::widgets {

PatchSpectrumPopup::PatchSpectrumPopup(QWidget* parent)
    : QFrame(parent, Qt::ToolTip | Qt::FramelessWindowHint | Qt::WindowDoesNotAcceptFocus) {
  setAttribute(Qt::WA_ShowWithoutActivating);
  setAttribute(Qt::WA_TransparentForMouseEvents);
  setFocusPolicy(Qt::NoFocus);
  setFrameShape(QFrame::Box);
  setLineWidth(1);
  setAutoFillBackground(true);
  QPalette pal = palette();
  pal.setColor(QPalette::Window, QColor(255, 255, 252));
  pal.setColor(QPalette::WindowText, QColor(30, 30, 36));
  setPalette(pal);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 4, 6, 4);
  layout->setSpacing(2);
  header_ = new QLabel(this);
  note_ = new QLabel(this);
  note_->setWordWrap(true);
  QFont small = note_->font();
  small.setPixelSize(10);
  note_->setFont(small);
  note_->setStyleSheet(QStringLiteral("color: #555a66"));

  chart_ = new QChart();
  chart_->setMargins(QMargins(0, 0, 0, 0));
  chart_->layout()->setContentsMargins(0, 0, 0, 0);
  chart_->setBackgroundRoundness(0);
  chart_->legend()->setAlignment(Qt::AlignTop);
  chart_->legend()->setFont(small);
  real_ = new QLineSeries(chart_);
  real_->setName(tr("Real"));
  real_->setPen(QPen(QColor(40, 70, 150), 1.6));
  reconstructed_ = new QLineSeries(chart_);
  //: Patch spectrum popup: the curve the tokenizer's decoder computes from the patch's code
  reconstructed_->setName(tr("Reconstructed from the code"));
  reconstructed_->setPen(QPen(QColor(225, 110, 0), 1.6, Qt::DashLine));
  chart_->addSeries(real_);
  chart_->addSeries(reconstructed_);
  frequencyAxis_ = new QValueAxis(chart_);
  frequencyAxis_->setTitleText(tr("Frequency (Hz)"));
  frequencyAxis_->setRange(0, 100);
  frequencyAxis_->setTickCount(6);
  frequencyAxis_->setLabelFormat(QStringLiteral("%d"));
  amplitudeAxis_ = new QValueAxis(chart_);
  //: Patch spectrum popup, y axis: |DFT| standardised (z-score) with the window's mean and standard deviation
  amplitudeAxis_->setTitleText(tr("Amplitude (z)"));
  amplitudeAxis_->setLabelFormat(QStringLiteral("%.1f"));
  for (QValueAxis* axis : {frequencyAxis_, amplitudeAxis_}) {
    axis->setLabelsFont(small);
    axis->setTitleFont(small);
  }
  chart_->addAxis(frequencyAxis_, Qt::AlignBottom);
  chart_->addAxis(amplitudeAxis_, Qt::AlignLeft);
  for (QLineSeries* s : {real_, reconstructed_}) {
    s->attachAxis(frequencyAxis_);
    s->attachAxis(amplitudeAxis_);
  }
  chartView_ = new QChartView(chart_, this);  // the view owns the chart
  chartView_->setRenderHint(QPainter::Antialiasing);
  chartView_->setFixedSize(360, 210);
  chartView_->setAttribute(Qt::WA_TransparentForMouseEvents);
  layout->addWidget(header_);
  layout->addWidget(chartView_);
  layout->addWidget(note_);
  note_->setFixedWidth(360);
  clearCurves();
}

QString PatchSpectrumPopup::headerText() const { return header_->text(); }
QString PatchSpectrumPopup::noteText() const { return note_->text(); }

void PatchSpectrumPopup::clearCurves() {
  real_->clear();
  reconstructed_->clear();
  amplitudeAxis_->setRange(-1, 1);
  hasCurves_ = false;
}

void PatchSpectrumPopup::showCell(const QString& header, std::size_t channel, std::size_t second) {
  channel_ = channel;
  second_ = second;
  header_->setText(header);
  clearCurves();
  note_->setText(tr("Reconstructing the spectrum…"));
  adjustSize();
}

void PatchSpectrumPopup::setSpectrum(const PatchSpectrum& s) {
  clearCurves();
  if (!s.available()) {
    //: Patch spectrum popup: why there is no spectrum (e.g. "this tokenizer has no spectrum decoder")
    note_->setText(tr("No spectrum: %1").arg(QString::fromStdString(s.unavailable)));
    adjustSize();
    return;
  }
  QList<QPointF> real, rec;
  double low = 0, high = 0;
  for (std::size_t k = 0; k < s.frequenciesHz.size() && k < s.real.size() && k < s.reconstructed.size();
       ++k) {
    real.append({s.frequenciesHz[k], s.real[k]});
    rec.append({s.frequenciesHz[k], s.reconstructed[k]});
    low = std::min({low, static_cast<double>(s.real[k]), static_cast<double>(s.reconstructed[k])});
    high = std::max({high, static_cast<double>(s.real[k]), static_cast<double>(s.reconstructed[k])});
  }
  real_->replace(real);
  reconstructed_->replace(rec);
  const double pad = 0.05 * std::max(1e-6, high - low);
  amplitudeAxis_->setRange(low - pad, high + pad);
  amplitudeAxis_->applyNiceNumbers();
  hasCurves_ = true;
  //: Patch spectrum popup: z = (|DFT| - mean) / s.d. over all patches of the window %1–%2 s
  note_->setText(tr("z over the window %1–%2 s: |DFT| mean %3 µV, s.d. %4 µV")
                     .arg(s.windowStartSec)
                     .arg(s.windowEndSec)
                     .arg(s.amplitudeMeanUv, 0, 'f', 1)
                     .arg(s.amplitudeStdUv, 0, 'f', 1));
  adjustSize();
}

void PatchSpectrumPopup::setError(const QString& message) {
  clearCurves();
  note_->setText(tr("Spectrum failed: %1").arg(message));
  adjustSize();
}

}  // namespace neurolm::widgets
