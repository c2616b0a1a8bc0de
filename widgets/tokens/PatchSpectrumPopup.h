#pragma once
// What the token lane shows next to the cursor over a cell: the tokenizer's reconstruction of the patch's
// amplitude spectrum against the real one (spec §1.4 Y_freq, 0–99 Hz, standardised over the window), under
// the cell's code, channel, second and how often the code occurs. A ToolTip window: it never takes the focus
// or the mouse.
#include <QFrame>
#include <QString>
#include <cstddef>

#include "widgets/tokens/TokenBackend.h"

class QChart;
class QChartView;
class QLabel;
class QLineSeries;
class QValueAxis;

namespace neurolm::widgets {

class PatchSpectrumPopup : public QFrame {
  Q_OBJECT

 public:
  explicit PatchSpectrumPopup(QWidget* parent = nullptr);

  // A cell whose spectrum is being computed: the header, no curves, a note saying so.
  void showCell(const QString& header, std::size_t channel, std::size_t second);
  // The curves of the cell shown (or, when unavailable, the reason instead of them).
  void setSpectrum(const PatchSpectrum& spectrum);
  void setError(const QString& message);

  std::size_t channel() const { return channel_; }
  std::size_t second() const { return second_; }
  bool hasCurves() const { return hasCurves_; }
  QString headerText() const;
  QString noteText() const;
  QLineSeries* realSeries() const { return real_; }
  QLineSeries* reconstructedSeries() const { return reconstructed_; }
  QChartView* chartView() const { return chartView_; }

 private:
  void clearCurves();

  std::size_t channel_ = 0, second_ = 0;
  bool hasCurves_ = false;
  QLabel* header_ = nullptr;
  QLabel* note_ = nullptr;
  QChart* chart_ = nullptr;
  QChartView* chartView_ = nullptr;
  QLineSeries* real_ = nullptr;
  QLineSeries* reconstructed_ = nullptr;
  QValueAxis* frequencyAxis_ = nullptr;
  QValueAxis* amplitudeAxis_ = nullptr;
};

}  // namespace neurolm::widgets
