#include "widgets/traces/FilterDialog.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace neurolm::widgets {

FilterDialog::FilterDialog(QStringList channelLabels, std::vector<double> sampleRatesHz,
                           const montage::FilterSet& current, QWidget* parent)
    : QDialog(parent),
      labels_(std::move(channelLabels)),
      rates_(std::move(sampleRatesHz)),
      filters_(current) {
  setWindowTitle(tr("Display filters"));
  auto* layout = new QVBoxLayout(this);
  auto* form = new QFormLayout();
  scopeBox_ = new QComboBox(this);
  scopeBox_->addItem(tr("All channels"), -1);
  for (int c = 0; c < labels_.size(); ++c) scopeBox_->addItem(labels_[c], c);
  form->addRow(tr("&Channels:"), scopeBox_);
  //: Per-channel scope of the filter dialog: this channel uses the filter set for all channels
  sameAsAll_ = new QCheckBox(tr("&Same as all channels"), this);
  form->addRow(QString(), sameAsAll_);

  const auto spinRow = [this](QCheckBox*& on, QDoubleSpinBox*& spin, const QString& label, double value) {
    auto* row = new QHBoxLayout();
    on = new QCheckBox(label, this);
    spin = new QDoubleSpinBox(this);
    spin->setRange(0.01, 10000);
    spin->setDecimals(2);
    spin->setSuffix(tr(" Hz"));
    spin->setValue(value);
    row->addWidget(on);
    row->addWidget(spin, 1);
    return row;
  };
  form->addRow(spinRow(highPassOn_, highPassHz_, tr("&High-pass"), 0.5));
  form->addRow(spinRow(lowPassOn_, lowPassHz_, tr("&Low-pass"), 40));
  order_ = new QSpinBox(this);
  order_->setRange(1, 8);
  order_->setToolTip(
      tr("Butterworth order of each of the high-pass and low-pass; run forward and backward "
         "(zero phase), so the cut-offs are at −6 dB"));
  form->addRow(tr("Butterworth &order:"), order_);
  notch_ = new QComboBox(this);
  notch_->addItem(tr("Off"), 0.0);
  notch_->addItem(tr("50 Hz"), 50.0);
  notch_->addItem(tr("60 Hz"), 60.0);
  form->addRow(tr("&Notch:"), notch_);
  harmonics_ = new QCheckBox(tr("Also at the ha&rmonics"), this);
  form->addRow(QString(), harmonics_);
  layout->addLayout(form);

  auto* chart = new QChart();
  chart->legend()->hide();
  chart->setTitle(tr("Frequency response"));
  response_ = new QLineSeries(chart);
  chart->addSeries(response_);
  axisX_ = new QValueAxis(chart);
  axisX_->setTitleText(tr("Frequency (Hz)"));
  axisX_->setLabelFormat(QStringLiteral("%.0f"));
  auto* axisY = new QValueAxis(chart);
  axisY->setTitleText(tr("Magnitude (dB)"));
  axisY->setRange(-80, 20);  // 20 dB per grid line
  axisY->setTickCount(6);
  axisY->setLabelFormat(QStringLiteral("%.0f"));
  chart->addAxis(axisX_, Qt::AlignBottom);
  chart->addAxis(axisY, Qt::AlignLeft);
  response_->attachAxis(axisX_);
  response_->attachAxis(axisY);
  auto* view = new QChartView(chart, this);
  view->setMinimumSize(420, 280);
  view->setRenderHint(QPainter::Antialiasing);
  layout->addWidget(view, 1);

  error_ = new QLabel(this);
  error_->setWordWrap(true);
  error_->setStyleSheet(QStringLiteral("color:#8a1c1c;"));
  layout->addWidget(error_);
  auto* buttons =
      new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Apply | QDialogButtonBox::Cancel, this);
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, [this]() {
    if (apply()) accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, [this]() { apply(); });

  connect(scopeBox_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setScope(scopeBox_->itemData(i).toInt()); });
  for (QCheckBox* box : {highPassOn_, lowPassOn_, harmonics_})
    connect(box, &QCheckBox::toggled, this, &FilterDialog::onEdited);
  connect(sameAsAll_, &QCheckBox::toggled, this, [this](bool same) {
    if (loading_ || scope_ < 0) return;
    if (same) {
      filters_.perChannel.erase(static_cast<std::size_t>(scope_));
      showSettings(filters_.all);
    } else {
      filters_.perChannel[static_cast<std::size_t>(scope_)] = fromControls();
    }
    onEdited();
  });
  for (QDoubleSpinBox* spin : {highPassHz_, lowPassHz_})
    connect(spin, &QDoubleSpinBox::valueChanged, this, &FilterDialog::onEdited);
  connect(order_, &QSpinBox::valueChanged, this, &FilterDialog::onEdited);
  connect(notch_, &QComboBox::currentIndexChanged, this, &FilterDialog::onEdited);
  setScope(-1);
}

double FilterDialog::scopeRate() const {
  if (scope_ >= 0) return rates_[static_cast<std::size_t>(scope_)];
  return rates_.empty() ? 256 : *std::max_element(rates_.begin(), rates_.end());
}

void FilterDialog::setScope(int channel) {
  scope_ = channel >= 0 && channel < labels_.size() ? channel : -1;
  {
    const QSignalBlocker block(scopeBox_);
    scopeBox_->setCurrentIndex(scopeBox_->findData(scope_));
  }
  loading_ = true;
  sameAsAll_->setEnabled(scope_ >= 0);
  sameAsAll_->setChecked(scope_ < 0 || !filters_.perChannel.count(static_cast<std::size_t>(scope_)));
  loading_ = false;
  showSettings(scope_ < 0 ? filters_.all : filters_.settingsFor(static_cast<std::size_t>(scope_)));
  onEdited();
}

void FilterDialog::showSettings(const dsp::FilterSettings& s) {
  loading_ = true;
  highPassOn_->setChecked(s.highPassHz > 0);
  if (s.highPassHz > 0) highPassHz_->setValue(s.highPassHz);
  lowPassOn_->setChecked(s.lowPassHz > 0);
  if (s.lowPassHz > 0) lowPassHz_->setValue(s.lowPassHz);
  order_->setValue(s.order);
  const int notch = notch_->findData(s.notchHz);
  notch_->setCurrentIndex(notch >= 0 ? notch : 0);
  harmonics_->setChecked(s.notchHarmonics);
  loading_ = false;
}

dsp::FilterSettings FilterDialog::fromControls() const {
  dsp::FilterSettings s;
  s.highPassHz = highPassOn_->isChecked() ? highPassHz_->value() : 0;
  s.lowPassHz = lowPassOn_->isChecked() ? lowPassHz_->value() : 0;
  s.order = order_->value();
  s.notchHz = notch_->currentData().toDouble();
  s.notchHarmonics = harmonics_->isChecked();
  return s;
}

void FilterDialog::onEdited() {
  if (loading_) return;
  highPassHz_->setEnabled(highPassOn_->isChecked());
  lowPassHz_->setEnabled(lowPassOn_->isChecked());
  harmonics_->setEnabled(notch_->currentData().toDouble() > 0);
  const dsp::FilterSettings s = fromControls();
  if (scope_ < 0) {
    filters_.all = s;
  } else {
    if (sameAsAll_->isChecked() && !(s == filters_.all)) {  // editing a channel gives it its own setting
      loading_ = true;
      sameAsAll_->setChecked(false);
      loading_ = false;
    }
    if (!sameAsAll_->isChecked()) filters_.perChannel[static_cast<std::size_t>(scope_)] = s;
  }
  // The response of the setting being edited, at the scope's rate (all channels: the highest rate).
  const double fs = scopeRate();
  QList<QPointF> points;
  try {
    const dsp::DisplayFilter filter(s, fs);
    error_->clear();
    const int n = 512;
    for (int k = 0; k <= n; ++k) {
      const double f = fs / 2 * k / n;
      points.append(QPointF(f, std::max(-120.0, filter.magnitudeDbAt(f))));
    }
  } catch (const std::exception& e) {
    error_->setText(tr("Not applicable at %1 Hz: %2").arg(fs).arg(QString::fromStdString(e.what())));
  }
  axisX_->setRange(0, fs / 2);
  response_->replace(points);
}

void FilterDialog::setHighPass(double hz) {
  highPassOn_->setChecked(hz > 0);
  if (hz > 0) highPassHz_->setValue(hz);
}

void FilterDialog::setLowPass(double hz) {
  lowPassOn_->setChecked(hz > 0);
  if (hz > 0) lowPassHz_->setValue(hz);
}

void FilterDialog::setNotch(double hz, bool harmonics) {
  const int i = notch_->findData(hz);
  notch_->setCurrentIndex(i >= 0 ? i : 0);
  harmonics_->setChecked(harmonics);
}

QString FilterDialog::errorText() const { return error_->text(); }

std::vector<QPointF> FilterDialog::responsePoints() const {
  const auto points = response_->points();
  return std::vector<QPointF>(points.begin(), points.end());
}

bool FilterDialog::apply() {
  // Every channel must be able to take its setting (a 70 Hz low-pass does not fit a 128 Hz channel).
  for (std::size_t c = 0; c < rates_.size(); ++c) {
    try {
      (void)dsp::DisplayFilter(filters_.settingsFor(c), rates_[c]);
    } catch (const std::exception& e) {
      error_->setText(
          tr("Channel %1: %2").arg(labels_[static_cast<int>(c)], QString::fromStdString(e.what())));
      return false;
    }
  }
  error_->clear();
  Q_EMIT filtersApplied(filters_);
  return true;
}

}  // namespace neurolm::widgets
