#pragma once
// The display filter dialog: high-pass, low-pass (Butterworth order), notch 50/60 Hz with optional harmonics,
// for all channels or one channel, and the frequency response (magnitude in dB vs Hz, forward-backward) of
// the filter being edited, drawn with Qt Charts. Apply/OK emit filtersApplied(); invalid settings are said
// inline and never applied.
#include <QDialog>
#include <QStringList>
#include <vector>

#include "core/montage/MontagePipeline.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;
class QLineSeries;
class QValueAxis;
class QChart;

namespace neurolm::widgets {

class FilterDialog : public QDialog {
  Q_OBJECT

 public:
  // One entry per recording channel: its label and sample rate.
  FilterDialog(QStringList channelLabels, std::vector<double> sampleRatesHz,
               const montage::FilterSet& current, QWidget* parent = nullptr);

  const montage::FilterSet& filterSet() const { return filters_; }
  // The scope being edited: -1 all channels, else a channel index.
  void setScope(int channel);
  // Edits of the controls, as a user makes them (for tests and keyboard users alike).
  void setHighPass(double hz);               // 0: off
  void setLowPass(double hz);                // 0: off
  void setNotch(double hz, bool harmonics);  // 0: off
  QString errorText() const;
  // |H| in dB at the points of the plotted response (frequency, dB).
  std::vector<QPointF> responsePoints() const;
  bool apply();  // false (and the error said) when the settings are invalid

 Q_SIGNALS:
  void filtersApplied(const montage::FilterSet& filters);

 private:
  dsp::FilterSettings fromControls() const;
  void showSettings(const dsp::FilterSettings& s);
  void onEdited();
  double scopeRate() const;

  QStringList labels_;
  std::vector<double> rates_;
  montage::FilterSet filters_;
  int scope_ = -1;
  bool loading_ = false;
  QComboBox* scopeBox_ = nullptr;
  QCheckBox* highPassOn_ = nullptr;
  QDoubleSpinBox* highPassHz_ = nullptr;
  QCheckBox* lowPassOn_ = nullptr;
  QDoubleSpinBox* lowPassHz_ = nullptr;
  QSpinBox* order_ = nullptr;
  QComboBox* notch_ = nullptr;
  QCheckBox* harmonics_ = nullptr;
  QCheckBox* sameAsAll_ = nullptr;
  QLabel* error_ = nullptr;
  QLineSeries* response_ = nullptr;
  QValueAxis* axisX_ = nullptr;
};

}  // namespace neurolm::widgets
