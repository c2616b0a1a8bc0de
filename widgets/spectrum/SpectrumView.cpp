#include "widgets/spectrum/SpectrumView.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QClipboard>
#include <QComboBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <vector>

namespace neurolm::widgets {
namespace {

const QString kDecadeFormat = QStringLiteral("1e%.0f");  // the axis holds log10 values

QChart* plainChart() {
  auto* chart = new QChart();
  chart->legend()->hide();
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->setMargins(QMargins(4, 4, 4, 4));
  chart->setBackgroundRoundness(0);
  return chart;
}

}  // namespace

SpectrumView::SpectrumView(QWidget* parent) : QWidget(parent) {
  model_ = new SpectrumModel(this);

  channel_ = new QComboBox(this);
  channel_->setObjectName(QStringLiteral("spectrumChannel"));
  channel_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  channel_->setMinimumContentsLength(14);  // long labels must not widen the dock
  source_ = new QComboBox(this);
  source_->setObjectName(QStringLiteral("spectrumSource"));
  source_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  source_->setMinimumContentsLength(14);
  source_->addItem(tr("As recorded"));
  //: Spectrum dock: analyse the trace view's lanes (its montage derivations, display filters applied)
  source_->addItem(tr("As displayed (montage + filters)"));
  source_->setToolTip(
      tr("The recorded channels, or the lanes of the trace view: its montage's derivations "
         "with the display filters applied"));
  status_ = new QLabel(this);
  status_->setObjectName(QStringLiteral("spectrumStatus"));
  status_->setWordWrap(true);
  auto* copy = new QPushButton(tr("Copy table"), this);
  copy->setToolTip(tr("Copy the band powers as tab-separated text"));

  psdChart_ = plainChart();
  psdChart_->setTitle(tr("Power spectral density (Welch)"));
  QFont titleFont = psdChart_->titleFont();
  titleFont.setPixelSize(11);
  psdChart_->setTitleFont(titleFont);
  psdSeries_ = new QLineSeries(psdChart_);
  psdSeries_->setPen(QPen(QColor(20, 60, 160), 1.5));
  psdChart_->addSeries(psdSeries_);
  psdX_ = new QValueAxis(psdChart_);
  psdX_->setTitleText(tr("Frequency (Hz)"));
  psdX_->setLabelFormat(QStringLiteral("%g"));
  // Log scale as log10 values on a linear axis labelled in powers of ten (Qt Charts' QLogValueAxis elides its
  // labels in narrow docks).
  psdY_ = new QValueAxis(psdChart_);
  psdY_->setLabelFormat(kDecadeFormat);
  QFont axisFont = psdY_->labelsFont();
  axisFont.setPixelSize(10);
  psdY_->setLabelsFont(axisFont);
  psdX_->setLabelsFont(axisFont);
  psdX_->setTitleFont(axisFont);
  psdChart_->addAxis(psdX_, Qt::AlignBottom);
  psdChart_->addAxis(psdY_, Qt::AlignLeft);
  psdSeries_->attachAxis(psdX_);
  psdSeries_->attachAxis(psdY_);
  auto* psdView = new QChartView(psdChart_, this);
  psdView->setRenderHint(QPainter::Antialiasing);
  psdView->setMinimumSize(200, 220);  // room for one label per decade (Qt Charts elides crowded labels)

  bandChart_ = plainChart();
  bandChart_->setTitle(tr("Relative band power"));
  bandChart_->setTitleFont(titleFont);
  bandChart_->setMargins(QMargins(4, 4, 14, 4));  // the last category's label needs room at the edge
  auto* bars = new QBarSeries(bandChart_);
  bandSet_ = new QBarSet(tr("Relative power"), bars);
  bandSet_->setColor(QColor(60, 110, 190));
  bars->append(bandSet_);
  bandChart_->addSeries(bars);
  bandX_ = new QBarCategoryAxis(bandChart_);
  QFont categoryFont = axisFont;
  categoryFont.setPixelSize(9);
  bandX_->setLabelsFont(categoryFont);
  bandY_ = new QValueAxis(bandChart_);
  bandY_->setRange(0, 100);
  bandY_->setTickCount(3);  // 0, 50, 100 %: few labels fit a short chart
  bandY_->setLabelsFont(axisFont);
  bandY_->setLabelFormat(QStringLiteral("%d %"));
  bandChart_->addAxis(bandX_, Qt::AlignBottom);
  bandChart_->addAxis(bandY_, Qt::AlignLeft);
  bars->attachAxis(bandX_);
  bars->attachAxis(bandY_);
  auto* bandView = new QChartView(bandChart_, this);
  bandView->setMinimumSize(200, 110);

  table_ = new QTableWidget(0, 4, this);
  table_->setObjectName(QStringLiteral("bandTable"));
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->hide();
  // Columns fitted to their contents by refresh() once per result (ResizeToContents would re-measure every
  // cell after each cell it sets).
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  table_->setSelectionMode(QAbstractItemView::ContiguousSelection);
  table_->setMinimumSize(200, 70);

  bands_ = new QLineEdit(this);
  bands_->setObjectName(QStringLiteral("spectrumBands"));
  bands_->setToolTip(tr("Frequency bands as name:low-high in Hz, separated by commas; Enter applies"));
  auto* bandsRow = new QHBoxLayout();
  bandsRow->addWidget(new QLabel(tr("Bands"), this));
  bandsRow->addWidget(bands_, 1);

  auto* top = new QHBoxLayout();
  top->addWidget(new QLabel(tr("Channel"), this));
  top->addWidget(channel_, 1);
  top->addWidget(copy);
  auto* sourceRow = new QHBoxLayout();
  //: Spectrum dock, before the choice "As recorded" / "As displayed (montage + filters)"
  sourceRow->addWidget(new QLabel(tr("Spectrum of"), this));
  sourceRow->addWidget(source_, 1);
  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(psdView);
  split->addWidget(bandView);
  split->addWidget(table_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->setStretchFactor(2, 2);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(top);
  layout->addLayout(sourceRow);
  layout->addWidget(status_);
  layout->addWidget(split, 1);
  layout->addLayout(bandsRow);

  connect(channel_, &QComboBox::currentIndexChanged, this,
          [this](int i) { model_->setChannel(i < 0 ? -1 : channel_->itemData(i).toInt()); });
  connect(source_, &QComboBox::currentIndexChanged, this, [this](int i) { rebuildChannels(i == 1); });
  connect(copy, &QPushButton::clicked, this, &SpectrumView::copyTable);
  connect(bands_, &QLineEdit::returnPressed, this, [this]() { setBandsText(bands_->text()); });
  connect(model_, &SpectrumModel::resultChanged, this, &SpectrumView::refresh);
  connect(model_, &SpectrumModel::computing, this, [this](bool busy) {
    if (busy && !model_->result().valid()) status_->setText(tr("Computing…"));
  });
  QStringList bandTexts;
  for (const auto& b : model_->settings().bands) {
    bandTexts << QStringLiteral("%1:%2-%3").arg(QString::fromStdString(b.name)).arg(b.lowHz).arg(b.highHz);
  }
  bands_->setText(bandTexts.join(QLatin1Char(',')));
  refresh();
}

SpectrumView::~SpectrumView() = default;

void SpectrumView::setRecording(std::shared_ptr<const Recording> recording) {
  montage_.reset();  // the trace view's pipeline for the new recording follows (setPipeline)
  filters_ = {};
  {
    const QSignalBlocker block(channel_);
    channel_->clear();
  }
  model_->setRecording(std::move(recording));
  rebuildChannels(model_->displayed());
}

void SpectrumView::setPipeline(std::shared_ptr<const montage::Montage> montage,
                               const montage::FilterSet& filters) {
  montage_ = std::move(montage);
  filters_ = filters;
  if (model_->displayed()) rebuildChannels(true);  // as recorded, the pipeline changes nothing
}

void SpectrumView::setDisplayed(bool displayed) {
  if (source_->currentIndex() != (displayed ? 1 : 0)) {
    source_->setCurrentIndex(displayed ? 1 : 0);  // rebuilds through currentIndexChanged
  } else {
    rebuildChannels(displayed);
  }
}

void SpectrumView::rebuildChannels(bool displayed) {
  const auto& recording = model_->recording();
  const QString keep = channel_->currentIndex() > 0 ? channel_->currentText() : QString();
  QStringList labels;
  if (recording) {
    if (displayed) {
      for (const auto& d : displayedMontage(*recording, montage_).derivations)
        labels << QString::fromStdString(d.label);
    } else {
      for (const auto& c : recording->channels()) labels << QString::fromStdString(c.label);
    }
  }
  const int row = keep.isEmpty() ? -1 : static_cast<int>(labels.indexOf(keep));  // -1: the average
  {
    const QSignalBlocker block(channel_);
    channel_->clear();
    if (recording) {
      channel_->addItem(tr("Average of EEG channels"), -1);
      for (int i = 0; i < labels.size(); ++i) channel_->addItem(labels[i], i);
      channel_->setCurrentIndex(row + 1);
    }
  }
  model_->setSource(displayed, displayed ? montage_ : nullptr, displayed ? filters_ : montage::FilterSet(),
                    row);
}

void SpectrumView::setPage(double startSec, double durationSec) { model_->setPage(startSec, durationSec); }

void SpectrumView::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  model_->setActive(true);
}

void SpectrumView::hideEvent(QHideEvent* event) {
  QWidget::hideEvent(event);
  model_->setActive(false);
}

QString SpectrumView::statusText() const { return status_->text(); }

void SpectrumView::refresh() {
  const SpectrumResult& r = model_->result();
  // A rejected band text is reported under whatever the status says.
  const QString bandsNote =
      bandsError_.isEmpty() ? QString() : QLatin1Char('\n') + tr("Bands not changed: %1").arg(bandsError_);
  // Only what changed is touched: scrolling delivers a result per page, and each setter relayouts a chart
  // axis or the table (whose columns fit their contents: every new item used to re-measure every cell).
  const QStringList header = {tr("Band"), tr("Range (Hz)"), tr("Power (%1)").arg(r.powerUnit),
                              tr("Relative (%)")};
  bool headerChanged = false;
  for (int c = 0; c < header.size() && !headerChanged; ++c) {
    headerChanged =
        table_->horizontalHeaderItem(c) == nullptr || table_->horizontalHeaderItem(c)->text() != header[c];
  }
  if (headerChanged) table_->setHorizontalHeaderLabels(header);
  if (!r.valid()) {
    psdSeries_->clear();
    bandSet_->remove(0, bandSet_->count());
    table_->setRowCount(0);
    status_->setText((r.error.isEmpty() ? (model_->recording() ? tr("Computing…") : tr("No recording"))
                                        : tr("Cannot analyse this page: %1").arg(r.error)) +
                     bandsNote);
    return;
  }
  // PSD on a log axis: bins at or below zero (a removed DC) are drawn at the axis floor.
  const double nyquist = r.frequenciesHz.back();
  double bandTop = 0;
  for (const auto& b : r.bandPowers) bandTop = std::max(bandTop, b.band.highHz);
  const double fmax = std::min(nyquist, std::max(60.0, bandTop + 5));
  double peak = 0;
  for (std::size_t k = 0; k < r.density.size(); ++k) {
    if (r.frequenciesHz[k] <= fmax) peak = std::max(peak, r.density[k]);
  }
  const double floor = peak > 0 ? peak * 1e-4 : 1e-12;  // four decades below the peak
  QList<QPointF> points;
  double low = peak;
  for (std::size_t k = 0; k < r.density.size() && r.frequenciesHz[k] <= fmax; ++k) {
    const double d = std::max(r.density[k], floor);
    low = std::min(low, d);
    points.append(QPointF(r.frequenciesHz[k], std::log10(d)));
  }
  psdSeries_->replace(points);
  psdX_->setRange(0, fmax);
  const double lowDecade = std::floor(std::log10(low));
  const double highDecade = std::max(lowDecade + 1, std::ceil(std::log10(std::max(peak, floor * 10))));
  if (psdY_->min() != lowDecade || psdY_->max() != highDecade) {
    psdY_->setRange(lowDecade, highDecade);
    psdY_->setTickCount(static_cast<int>(highDecade - lowDecade) + 1);
    // Qt Charts sizes an axis for its labels only when its format or tick count changes, not its range: touch
    // the format so the new labels get their width instead of being elided.
    psdY_->setLabelFormat(QString());
    psdY_->setLabelFormat(kDecadeFormat);
  }
  const QString title = tr("Power spectral density (Welch), %1").arg(r.densityUnit);
  if (psdChart_->title() != title) psdChart_->setTitle(title);

  QStringList names;
  for (const auto& b : r.bandPowers) names << QString::fromStdString(b.band.name);
  const bool sameBands = names == bandX_->categories() && bandSet_->count() == names.size();
  if (!sameBands) bandSet_->remove(0, bandSet_->count());
  const int rows = static_cast<int>(r.bandPowers.size());
  if (table_->rowCount() != rows) table_->setRowCount(rows);
  std::vector<bool> columnChanged(static_cast<std::size_t>(table_->columnCount()), headerChanged);
  const auto setCell = [&](int row, int column, const QString& text) {
    QTableWidgetItem* item = table_->item(row, column);
    if (item != nullptr && item->text() == text) return;
    if (item == nullptr) {
      table_->setItem(row, column, new QTableWidgetItem(text));
    } else {
      item->setText(text);
    }
    columnChanged[static_cast<std::size_t>(column)] = true;
  };
  for (int row = 0; row < rows; ++row) {
    const auto& b = r.bandPowers[static_cast<std::size_t>(row)];
    if (sameBands) {
      bandSet_->replace(row, 100 * b.relative);
    } else {
      bandSet_->append(100 * b.relative);
    }
    setCell(row, 0, names[row]);
    setCell(row, 1, QStringLiteral("%1–%2").arg(b.band.lowHz).arg(b.band.highHz));
    setCell(row, 2, QString::number(b.power, 'g', 5));
    setCell(row, 3, QString::number(100 * b.relative, 'f', 1));
  }
  for (int c = 0; c < table_->columnCount(); ++c)
    if (columnChanged[static_cast<std::size_t>(c)]) table_->resizeColumnToContents(c);
  if (!sameBands) bandX_->setCategories(names);

  const QString what = r.channel < 0 ? tr("mean of %n EEG channel(s)", nullptr, r.averagedChannels) : r.label;
  status_->setText(tr("%1, %2–%3 s: peak %4 Hz, resolution %5 Hz")
                       .arg(what)
                       .arg(r.startSec, 0, 'f', 1)
                       .arg(r.endSec, 0, 'f', 1)
                       .arg(r.peakHz, 0, 'f', 2)
                       .arg(r.resolutionHz, 0, 'g', 3) +
                   bandsNote);
}

QString SpectrumView::tableText() const {
  QStringList lines;
  QStringList header;
  for (int c = 0; c < table_->columnCount(); ++c) header << table_->horizontalHeaderItem(c)->text();
  lines << header.join(QLatin1Char('\t'));
  for (int r = 0; r < table_->rowCount(); ++r) {
    QStringList cells;
    for (int c = 0; c < table_->columnCount(); ++c)
      cells << (table_->item(r, c) ? table_->item(r, c)->text() : QString());
    lines << cells.join(QLatin1Char('\t'));
  }
  return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

void SpectrumView::copyTable() { QGuiApplication::clipboard()->setText(tableText()); }

bool SpectrumView::setBandsText(const QString& text) {
  try {
    const auto bands = dsp::parseBands(text.toStdString());
    bandsError_.clear();
    bands_->setText(text);
    model_->setBands(bands);
  } catch (const std::exception& e) {
    bandsError_ = QString::fromStdString(e.what());
    refresh();
    return false;
  }
  refresh();
  return true;
}

}  // namespace neurolm::widgets
