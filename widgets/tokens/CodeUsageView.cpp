#include "widgets/tokens/CodeUsageView.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace neurolm::widgets {

CodeUsageView::CodeUsageView(TokenModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  auto* row = new QHBoxLayout();
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  topK_ = new QSpinBox(this);
  topK_->setRange(5, 100);
  topK_->setValue(20);
  //: Code usage dock: how many of the most frequent codes the chart shows
  topK_->setPrefix(tr("top "));
  topK_->setToolTip(tr("Number of most frequent codes shown"));
  row->addWidget(summary_, 1);
  row->addWidget(topK_);
  layout->addLayout(row);

  chart_ = new QChart();
  chart_->legend()->hide();
  chart_->setMargins(QMargins(2, 2, 2, 2));
  chart_->setBackgroundRoundness(0);
  series_ = new QHorizontalBarSeries(chart_);
  set_ = new QBarSet(tr("Occurrences"), series_);
  set_->setColor(QColor(90, 120, 190));
  set_->setSelectedColor(QColor(230, 120, 0));
  series_->append(set_);
  series_->setBarWidth(0.8);
  chart_->addSeries(series_);
  codeAxis_ = new QBarCategoryAxis(chart_);
  codeAxis_->setTitleText(tr("Code"));
  countAxis_ = new QValueAxis(chart_);
  countAxis_->setTitleText(tr("Occurrences in the recording"));
  countAxis_->setLabelFormat(QStringLiteral("%d"));
  chart_->addAxis(codeAxis_, Qt::AlignLeft);
  chart_->addAxis(countAxis_, Qt::AlignBottom);
  series_->attachAxis(codeAxis_);
  series_->attachAxis(countAxis_);
  chartView_ = new QChartView(chart_, this);  // the view owns the chart
  chartView_->setRenderHint(QPainter::Antialiasing);
  chartView_->setMinimumHeight(260);
  QFont small = codeAxis_->labelsFont();
  small.setPixelSize(9);
  codeAxis_->setLabelsFont(small);
  codeAxis_->setTruncateLabels(false);  // four-digit ids are short; an elided id says nothing
  countAxis_->setLabelsFont(small);
  layout->addWidget(chartView_, 1);

  connect(series_, &QHorizontalBarSeries::clicked, this, [this](int index, QBarSet*) {
    if (index >= 0 && index < static_cast<int>(bars_.size())) {
      const std::int32_t code = bars_[static_cast<std::size_t>(bars_.size() - 1 - index)].code;
      model_->selectCode(code);
    }
  });
  connect(topK_, &QSpinBox::valueChanged, this, &CodeUsageView::rebuild);
  connect(model_, &TokenModel::gridChanged, this, &CodeUsageView::rebuild);
  connect(model_, &TokenModel::selectionChanged, this, &CodeUsageView::showSelection);
  rebuild();
}

int CodeUsageView::topK() const { return topK_->value(); }
void CodeUsageView::setTopK(int k) { topK_->setValue(k); }
QString CodeUsageView::summaryText() const { return summary_->text(); }

void CodeUsageView::rebuild() {
  bars_ = model_->hasCodes() ? model_->topCodes(static_cast<std::size_t>(topK_->value()))
                             : std::vector<CodeCount>();
  // Horizontal bars are laid out bottom-up: append the least frequent first so the most frequent is on top.
  set_->remove(0, set_->count());
  QStringList categories;
  std::size_t maxCount = 1;
  for (auto it = bars_.rbegin(); it != bars_.rend(); ++it) {
    set_->append(static_cast<qreal>(it->count));
    categories << QString::number(it->code);
    maxCount = std::max(maxCount, it->count);
  }
  codeAxis_->clear();
  codeAxis_->append(categories);
  countAxis_->setRange(0, static_cast<qreal>(maxCount) * 1.05);
  countAxis_->setTickCount(std::min<int>(6, static_cast<int>(maxCount) + 2));
  if (!model_->hasCodes()) {
    summary_->setText(tr("No codes yet: load a tokenizer and open a recording."));
  } else {
    std::size_t covered = 0;
    for (const auto& b : bars_) covered += b.count;
    //: Code usage dock summary, e.g. "1178 tokens, 417 distinct codes of 8192; the top 20 cover 12.3 %"
    summary_->setText(tr("%1 tokens, %2 distinct codes of %3; the top %4 cover %5 %")
                          .arg(model_->tokenCount())
                          .arg(model_->distinctCodes())
                          .arg(model_->grid()->codebookSize)
                          .arg(bars_.size())
                          .arg(100.0 * static_cast<double>(covered) / std::max<std::size_t>(1, model_->tokenCount()),
                               0, 'f', 1));
  }
  showSelection();
}

void CodeUsageView::showSelection() {
  set_->deselectAllBars();
  const std::int32_t code = model_->selectedCode();
  for (std::size_t i = 0; i < bars_.size(); ++i)
    if (bars_[i].code == code) set_->selectBar(static_cast<int>(bars_.size() - 1 - i));
}

QPoint CodeUsageView::barCentre(int index) const {
  if (index < 0 || index >= static_cast<int>(bars_.size())) return {};
  const int slot = static_cast<int>(bars_.size()) - 1 - index;
  const QPointF value(static_cast<qreal>(bars_[static_cast<std::size_t>(index)].count) / 2, slot);
  const QPointF scene = chart_->mapToScene(chart_->mapToPosition(value, series_));
  return chartView_->mapFromScene(scene);
}

}  // namespace neurolm::widgets
