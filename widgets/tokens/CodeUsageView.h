#pragma once
// The "Code usage" dock: a bar chart of how often the most frequent codes occur in the open recording (top K,
// most frequent on top). Clicking a bar selects that code in the token lane (same TokenModel).
#include <QWidget>
#include <cstdint>
#include <vector>

#include "widgets/tokens/TokenModel.h"

class QBarSet;
class QChart;
class QChartView;
class QHorizontalBarSeries;
class QBarCategoryAxis;
class QValueAxis;
class QLabel;
class QSpinBox;

namespace neurolm::widgets {

class CodeUsageView : public QWidget {
  Q_OBJECT

 public:
  explicit CodeUsageView(TokenModel* model, QWidget* parent = nullptr);

  // The bars as shown, top bar first: code and count.
  const std::vector<CodeCount>& bars() const { return bars_; }
  QChartView* chartView() const { return chartView_; }
  QBarSet* barSet() const { return set_; }
  QHorizontalBarSeries* series() const { return series_; }
  int topK() const;
  void setTopK(int k);
  QString summaryText() const;
  // Centre of the bar of bars()[index] in chartView() viewport coordinates (for clicks in tests).
  QPoint barCentre(int index) const;

 private:
  void rebuild();
  void showSelection();

  TokenModel* model_ = nullptr;
  std::vector<CodeCount> bars_;
  QLabel* summary_ = nullptr;
  QSpinBox* topK_ = nullptr;
  QChart* chart_ = nullptr;
  QChartView* chartView_ = nullptr;
  QHorizontalBarSeries* series_ = nullptr;
  QBarSet* set_ = nullptr;
  QBarCategoryAxis* codeAxis_ = nullptr;
  QValueAxis* countAxis_ = nullptr;
};

}  // namespace neurolm::widgets
