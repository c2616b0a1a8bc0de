#include "widgets/spectrogram/SpectrogramView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace neurolm::widgets {
namespace {

constexpr double kLeft = 46, kRight = 58, kTop = 6, kBottom = 22, kGap = 6;

// Tick step of about `target` ticks over `span`: 1, 2 or 5 times a power of ten.
double niceStep(double span, int target) {
  const double raw = span / std::max(1, target);
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= raw) return m * p;
  return 10 * p;
}

QString timeLabel(double sec, double step) {
  if (step >= 60) {
    const auto s = static_cast<long long>(std::llround(sec));
    return QStringLiteral("%1:%2:%3")
        .arg(s / 3600)
        .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
        .arg(s % 60, 2, 10, QLatin1Char('0'));
  }
  return QString::number(sec, 'f', step < 1 ? 1 : 0);
}

}  // namespace

SpectrogramPlot::SpectrogramPlot(QWidget* parent) : QWidget(parent) {
  setMinimumSize(240, 160);
  setAttribute(Qt::WA_OpaquePaintEvent);
}

void SpectrogramPlot::setData(const SpectrogramData* data, ColourMap map, double loDb, double hiDb,
                              double maxHz) {
  data_ = data;
  map_ = map;
  loDb_ = loDb;
  hiDb_ = hiDb > loDb ? hiDb : loDb + 1;
  maxHz_ = maxHz;
  rebuildImages();
  update();
}

void SpectrogramPlot::setTimeSpan(double startSec, double endSec) {
  spanStart_ = startSec;
  spanEnd_ = endSec > startSec ? endSec : startSec + 1;
  update();
}

void SpectrogramPlot::setPageMarker(double startSec, double endSec) {
  markStart_ = startSec;
  markEnd_ = endSec;
  update();
}

void SpectrogramPlot::rebuildImages() {
  images_.clear();
  rows_ = 0;
  if (data_ == nullptr || !data_->valid()) return;
  const auto& f = data_->frequenciesHz;
  while (rows_ < f.size() && f[rows_] <= maxHz_ + 1e-9) ++rows_;
  if (rows_ == 0) return;
  const std::size_t columns = data_->timesSec.size();
  const double scale = 1.0 / (hiDb_ - loDb_);
  // One pixel per (column, frequency bin); the lowest frequency at the bottom.
  for (std::size_t c = 0; c < data_->channelCount(); ++c) {
    QImage image(static_cast<int>(columns), static_cast<int>(rows_), QImage::Format_RGB32);
    for (std::size_t k = 0; k < rows_; ++k) {
      auto* line = reinterpret_cast<QRgb*>(image.scanLine(static_cast<int>(rows_ - 1 - k)));
      for (std::size_t t = 0; t < columns; ++t)
        line[t] = colourAt(map_, (data_->at(c, k, t) - loDb_) * scale);
    }
    images_.push_back(std::move(image));
  }
}

QRectF SpectrogramPlot::plotArea() const {
  return QRectF(kLeft, kTop, std::max(10.0, width() - kLeft - kRight),
                std::max(10.0, height() - kTop - kBottom));
}

QRectF SpectrogramPlot::stripRect(int channel) const {
  const QRectF area = plotArea();
  const int n = std::max<int>(1, static_cast<int>(images_.size()));
  const double h = (area.height() - kGap * (n - 1)) / n;
  return QRectF(area.left(), area.top() + channel * (h + kGap), area.width(), h);
}

double SpectrogramPlot::xForTime(double sec) const {
  const QRectF area = plotArea();
  return area.left() + (sec - spanStart_) / (spanEnd_ - spanStart_) * area.width();
}

double SpectrogramPlot::yForFrequency(int channel, double hz) const {
  // Row k is painted over [k - 1/2, k + 1/2] bins: the image spans -df/2 .. (rows - 1/2)·df.
  const QRectF strip = stripRect(channel);
  if (data_ == nullptr || data_->frequenciesHz.size() < 2 || rows_ == 0) return strip.bottom();
  const double df = data_->frequenciesHz[1] - data_->frequenciesHz[0];
  const double lo = -df / 2, hi = (static_cast<double>(rows_) - 0.5) * df;
  return strip.bottom() - (hz - lo) / (hi - lo) * strip.height();
}

void SpectrogramPlot::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().window());
  const QRectF area = plotArea();
  p.fillRect(area, palette().base());
  if (data_ == nullptr || images_.empty()) return;
  const double half = data_->columnSec / 2;
  for (int c = 0; c < static_cast<int>(images_.size()); ++c) {
    const QRectF strip = stripRect(c);
    p.save();
    p.setClipRect(strip);
    const QRectF target(QPointF(xForTime(data_->timesSec.front() - half), strip.top()),
                        QPointF(xForTime(data_->timesSec.back() + half), strip.bottom()));
    p.drawImage(target, images_[static_cast<std::size_t>(c)]);
    p.restore();
    p.setPen(palette().color(QPalette::Mid));
    p.drawRect(strip);
    // Frequency ticks.
    p.setPen(palette().color(QPalette::WindowText));
    const double fstep = niceStep(maxHz_, strip.height() > 120 ? 5 : 2);
    for (double f = 0; f <= maxHz_ + 1e-9; f += fstep) {
      const double y = yForFrequency(c, f);
      if (y < strip.top() - 0.5) break;
      p.drawLine(QPointF(strip.left() - 4, y), QPointF(strip.left(), y));
      if (c > 0 && y < strip.top() + 8) continue;  // would collide with the strip above's lowest label
      p.drawText(QRectF(0, y - 8, strip.left() - 6, 16), Qt::AlignRight | Qt::AlignVCenter,
                 QString::number(f));
    }
    const QString label = data_->labels[c];
    const QRectF box(strip.left() + 3, strip.top() + 3, fontMetrics().horizontalAdvance(label) + 8,
                     fontMetrics().height() + 2);
    p.fillRect(box, QColor(0, 0, 0, 150));
    p.setPen(Qt::white);
    p.drawText(box, Qt::AlignCenter, label);
  }
  // Page marker (whole-recording view).
  if (markEnd_ > markStart_ && (markStart_ > spanStart_ || markEnd_ < spanEnd_)) {
    QPen pen(Qt::white, 1, Qt::DashLine);
    p.setPen(pen);
    for (double t : {markStart_, markEnd_}) {
      const double x = xForTime(t);
      if (x >= area.left() && x <= area.right())
        p.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()));
    }
  }
  // Time axis: seconds of the recording.
  p.setPen(palette().color(QPalette::WindowText));
  const double tstep = niceStep(spanEnd_ - spanStart_, std::max(2, static_cast<int>(area.width() / 90)));
  for (double t = std::ceil(spanStart_ / tstep) * tstep; t <= spanEnd_ + 1e-9; t += tstep) {
    const double x = xForTime(t);
    p.drawLine(QPointF(x, area.bottom()), QPointF(x, area.bottom() + 4));
    p.drawText(QRectF(x - 40, area.bottom() + 4, 80, kBottom - 4), Qt::AlignHCenter | Qt::AlignTop,
               timeLabel(t, tstep));
  }
  p.save();
  p.translate(10, area.center().y());
  p.rotate(-90);
  p.drawText(QRectF(-60, -10, 120, 14), Qt::AlignCenter, tr("Hz"));
  p.restore();
  // Colour bar with its limits in dB.
  const QRectF bar(width() - kRight + 8, area.top() + 14, 12, area.height() - 28);
  for (int y = 0; y < static_cast<int>(bar.height()); ++y) {
    p.setPen(QColor(colourAt(map_, 1.0 - y / std::max(1.0, bar.height() - 1))));
    p.drawLine(QPointF(bar.left(), bar.top() + y), QPointF(bar.right(), bar.top() + y));
  }
  p.setPen(palette().color(QPalette::WindowText));
  p.drawRect(bar);
  p.drawText(QRectF(bar.left() - 8, area.top() - 2, kRight, 14), Qt::AlignLeft,
             QString::number(hiDb_, 'f', 0));
  p.drawText(QRectF(bar.left() - 8, bar.bottom() + 1, kRight, 14), Qt::AlignLeft,
             QString::number(loDb_, 'f', 0));
  p.drawText(QRectF(bar.right() + 2, bar.center().y() - 7, kRight, 14), Qt::AlignLeft, tr("dB"));
}

SpectrogramView::SpectrogramView(QWidget* parent) : QWidget(parent), model_(new SpectrogramModel(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  auto* controls = new QHBoxLayout;
  channels_ = new QListWidget(this);
  channels_->setAccessibleName(tr("Channels"));
  channels_->setToolTip(tr("Channels to show (check one or more; Space toggles the current one)"));
  channels_->setMaximumHeight(96);
  channels_->setMaximumWidth(150);
  controls->addWidget(channels_);
  auto* form = new QFormLayout;
  form->setContentsMargins(0, 0, 0, 0);
  form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
  range_ = new QComboBox(this);
  range_->addItem(tr("Page"));
  range_->addItem(tr("Whole recording"));
  form->addRow(tr("&Range"), range_);
  colourMap_ = new QComboBox(this);
  for (ColourMap m : {ColourMap::Viridis, ColourMap::Magma, ColourMap::Grey})
    colourMap_->addItem(colourMapName(m), static_cast<int>(m));
  form->addRow(tr("Colour &map"), colourMap_);
  auto* limits = new QHBoxLayout;
  autoLimits_ = new QCheckBox(tr("&Auto"), this);
  autoLimits_->setToolTip(
      tr("Colour limits from the 5th and 99.5th percentiles of the shown power (at most 80 dB apart)"));
  autoLimits_->setChecked(true);
  loDb_ = new QDoubleSpinBox(this);
  hiDb_ = new QDoubleSpinBox(this);
  for (QDoubleSpinBox* box : {loDb_, hiDb_}) {
    box->setRange(-400, 400);
    box->setDecimals(0);
    box->setSuffix(tr(" dB"));
    box->setEnabled(false);
  }
  loDb_->setAccessibleName(tr("Lowest colour (dB)"));
  hiDb_->setAccessibleName(tr("Highest colour (dB)"));
  limits->addWidget(autoLimits_);
  limits->addWidget(loDb_);
  limits->addWidget(hiDb_);
  form->addRow(tr("Limits"), limits);
  maxHz_ = new QDoubleSpinBox(this);
  maxHz_->setRange(1, 10000);
  maxHz_->setDecimals(0);
  maxHz_->setValue(40);
  maxHz_->setSuffix(tr(" Hz"));
  form->addRow(tr("Up &to"), maxHz_);
  controls->addLayout(form, 1);
  layout->addLayout(controls);
  auto* progressRow = new QHBoxLayout;
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1000);
  progress_->setTextVisible(false);
  progress_->setMaximumHeight(12);
  cancel_ = new QPushButton(tr("&Cancel"), this);
  cancel_->setToolTip(tr("Stop computing (Esc)"));
  progressRow->addWidget(progress_, 1);
  progressRow->addWidget(cancel_);
  layout->addLayout(progressRow);
  progress_->hide();
  cancel_->hide();
  plot_ = new SpectrogramPlot(this);
  layout->addWidget(plot_, 1);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  layout->addWidget(status_);

  connect(channels_, &QListWidget::itemChanged, this, [this]() { pushChannels(); });
  connect(range_, &QComboBox::currentIndexChanged, this, [this](int i) {
    model_->setRange(i == 1 ? SpectrogramModel::Range::WholeRecording : SpectrogramModel::Range::Page);
  });
  connect(colourMap_, &QComboBox::currentIndexChanged, this, [this]() { refresh(); });
  connect(autoLimits_, &QCheckBox::toggled, this, [this](bool on) {
    loDb_->setEnabled(!on);
    hiDb_->setEnabled(!on);
    refresh();
  });
  connect(loDb_, &QDoubleSpinBox::valueChanged, this, [this]() { refresh(); });
  connect(hiDb_, &QDoubleSpinBox::valueChanged, this, [this]() { refresh(); });
  connect(maxHz_, &QDoubleSpinBox::valueChanged, this, [this]() { refresh(); });
  connect(cancel_, &QPushButton::clicked, model_, &SpectrogramModel::cancel);
  connect(model_, &SpectrogramModel::resultChanged, this, &SpectrogramView::refresh);
  connect(model_, &SpectrogramModel::busyChanged, this, [this](bool busy) {
    progress_->setVisible(busy);
    cancel_->setVisible(busy);
    progress_->setValue(0);
    status_->setText(statusText());
  });
  connect(model_, &SpectrogramModel::progressChanged, this,
          [this](double f) { progress_->setValue(static_cast<int>(std::lround(1000 * f))); });
  connect(model_, &SpectrogramModel::pageChanged, this, [this](double start, double duration) {
    plot_->setPageMarker(start, start + duration);
    if (model_->range() == SpectrogramModel::Range::Page) plot_->setTimeSpan(start, start + duration);
  });
  refresh();
}

SpectrogramView::~SpectrogramView() = default;

void SpectrogramView::setRecording(std::shared_ptr<const Recording> recording) {
  {
    const QSignalBlocker block(channels_);
    channels_->clear();
    if (recording) {
      for (std::size_t c = 0; c < recording->channels().size(); ++c) {
        auto* item = new QListWidgetItem(QString::fromStdString(recording->channels()[c].label), channels_);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(c == 0 ? Qt::Checked : Qt::Unchecked);
      }
    }
  }
  model_->setRecording(std::move(recording));
}

void SpectrogramView::setPipeline(std::shared_ptr<const montage::Montage> montage,
                                  const montage::FilterSet& filters) {
  const auto& recording = model_->recording();
  if (!recording) return;
  QStringList labels;
  if (montage) {
    for (const auto& d : montage->derivations) labels << QString::fromStdString(d.label);
  } else {
    for (const auto& c : recording->channels()) labels << QString::fromStdString(c.label);
  }
  QStringList checked;
  for (int i = 0; i < channels_->count(); ++i)
    if (channels_->item(i)->checkState() == Qt::Checked) checked << channels_->item(i)->text();
  std::vector<std::size_t> chosen;
  {
    const QSignalBlocker block(channels_);
    channels_->clear();
    for (int i = 0; i < labels.size(); ++i) {
      auto* item = new QListWidgetItem(labels[i], channels_);
      item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
      const bool on = checked.contains(labels[i]);
      item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
      if (on) chosen.push_back(static_cast<std::size_t>(i));
    }
    if (chosen.empty() && channels_->count() > 0) {  // none of the checked ones is here: the first
      channels_->item(0)->setCheckState(Qt::Checked);
      chosen.push_back(0);
    }
  }
  // No channels while the pipeline changes (indices of the old list mean nothing now), then one request.
  model_->setChannels({});
  model_->setPipeline(std::move(montage), filters);
  model_->setChannels(chosen);
}

void SpectrogramView::setChannels(const std::vector<std::size_t>& channels) {
  {
    const QSignalBlocker block(channels_);
    for (int i = 0; i < channels_->count(); ++i)
      channels_->item(i)->setCheckState(
          std::find(channels.begin(), channels.end(), static_cast<std::size_t>(i)) != channels.end()
              ? Qt::Checked
              : Qt::Unchecked);
  }
  pushChannels();
}

void SpectrogramView::pushChannels() {
  std::vector<std::size_t> chosen;
  for (int i = 0; i < channels_->count(); ++i)
    if (channels_->item(i)->checkState() == Qt::Checked) chosen.push_back(static_cast<std::size_t>(i));
  model_->setChannels(chosen);
}

void SpectrogramView::setColourMap(ColourMap map) {
  colourMap_->setCurrentIndex(colourMap_->findData(static_cast<int>(map)));
}

ColourMap SpectrogramView::colourMap() const {
  return static_cast<ColourMap>(colourMap_->currentData().toInt());
}

void SpectrogramView::setManualLimits(double loDb, double hiDb) {
  autoLimits_->setChecked(false);
  loDb_->setValue(loDb);
  hiDb_->setValue(hiDb);
}

void SpectrogramView::setAutoLimits(bool automatic) { autoLimits_->setChecked(automatic); }

std::pair<double, double> SpectrogramView::colourLimits() const {
  if (!autoLimits_->isChecked()) return {loDb_->value(), hiDb_->value()};
  auto [lo, hi] = percentileLimits(model_->result(), maxHz_->value());
  return {std::max(lo, hi - 80),
          hi};  // a pure tone's empty bins would otherwise stretch the scale to -300 dB
}

void SpectrogramView::setMaxFrequency(double hz) { maxHz_->setValue(hz); }

void SpectrogramView::setRange(SpectrogramModel::Range range) {
  range_->setCurrentIndex(range == SpectrogramModel::Range::WholeRecording ? 1 : 0);
}

void SpectrogramView::setPage(double startSec, double durationSec) { model_->setPage(startSec, durationSec); }

QString SpectrogramView::statusText() const {
  const auto& r = model_->result();
  if (model_->busy()) return tr("Computing…");
  if (!model_->recording()) return tr("No recording");
  if (!r.error.isEmpty()) return tr("No spectrogram: %1").arg(r.error);
  if (!r.valid()) return QString();
  const double df = r.frequenciesHz.size() > 1 ? r.frequenciesHz[1] : 0;
  return tr("%1 – %2 s, %3 columns of %4 s, %5 Hz resolution, power in dB re 1 %6")
      .arg(r.startSec, 0, 'f', 1)
      .arg(r.endSec, 0, 'f', 1)
      .arg(r.timesSec.size())
      .arg(r.columnSec, 0, 'g', 3)
      .arg(df, 0, 'g', 3)
      .arg(r.unit);
}

void SpectrogramView::refresh() {
  const auto& r = model_->result();
  const auto [lo, hi] = colourLimits();
  if (autoLimits_->isChecked() && r.valid()) {
    const QSignalBlocker a(loDb_), b(hiDb_);
    loDb_->setValue(std::floor(lo));
    hiDb_->setValue(std::ceil(hi));
  }
  if (r.valid()) plot_->setTimeSpan(r.startSec, r.endSec);
  plot_->setPageMarker(model_->pageStartSec(), model_->pageStartSec() + model_->pageDurationSec());
  plot_->setData(&r, colourMap(), lo, hi, maxHz_->value());
  status_->setText(statusText());
}

void SpectrogramView::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  model_->setActive(true);
}

void SpectrogramView::hideEvent(QHideEvent* event) {
  QWidget::hideEvent(event);
  model_->setActive(false);
}

void SpectrogramView::keyPressEvent(QKeyEvent* event) {
  if (event->key() == Qt::Key_Escape && model_->busy()) {
    model_->cancel();
    return;
  }
  QWidget::keyPressEvent(event);
}

}  // namespace neurolm::widgets
