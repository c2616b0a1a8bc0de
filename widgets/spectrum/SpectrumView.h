#pragma once
// The spectrum pane: PSD of the visible page on a log scale (Qt Charts; the series holds log10 of the PSD),
// band-power bars and a band table that can be copied to the clipboard; one channel or the average of the EEG
// channels. Computed by SpectrumModel's worker; the pane only paints.
#include <QWidget>
#include <memory>

#include "core/io/Recording.h"
#include "widgets/spectrum/SpectrumModel.h"

class QBarSet;
class QBarCategoryAxis;
class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QLineSeries;
class QTableWidget;
class QValueAxis;

namespace neurolm::widgets {

class SpectrumView : public QWidget {
  Q_OBJECT

 public:
  explicit SpectrumView(QWidget* parent = nullptr);
  ~SpectrumView() override;

  SpectrumModel* model() const { return model_; }
  void setRecording(std::shared_ptr<const Recording> recording);
  // The trace view's montage (null: as recorded) and display filters: what "as displayed" analyses.
  void setPipeline(std::shared_ptr<const montage::Montage> montage, const montage::FilterSet& filters);
  // "As recorded" (false) or "as displayed (montage + filters)" (true); the channel list follows (recorded
  // labels or derivation labels), keeping the chosen channel by label where it exists.
  void setDisplayed(bool displayed);
  QComboBox* sourceBox() const { return source_; }
  QComboBox* channelBox() const { return channel_; }
  // Band table as tab-separated text with a header row (what copyTable() puts on the clipboard).
  QString tableText() const;
  QString statusText() const;
  const QLineSeries* psdSeries() const { return psdSeries_; }

 public Q_SLOTS:
  void setPage(double startSec, double durationSec);
  void copyTable();
  // Bands as NAME:LO-HI,... (Hz), e.g. "delta:0.5-4,theta:4-8"; a malformed text is reported in the status
  // line and changes nothing. Returns whether the bands were taken.
  bool setBandsText(const QString& text);

 protected:
  void showEvent(QShowEvent* event) override;
  void hideEvent(QHideEvent* event) override;

 private:
  void refresh();
  void rebuildChannels(bool displayed);

  SpectrumModel* model_ = nullptr;
  QComboBox* channel_ = nullptr;
  QComboBox* source_ = nullptr;
  std::shared_ptr<const montage::Montage> montage_;  // of the trace view (null: referential)
  montage::FilterSet filters_;
  QLabel* status_ = nullptr;
  QChart* psdChart_ = nullptr;
  QLineSeries* psdSeries_ = nullptr;
  QValueAxis* psdX_ = nullptr;
  QValueAxis* psdY_ = nullptr;  // log10 of the PSD
  QChart* bandChart_ = nullptr;
  QBarSet* bandSet_ = nullptr;
  QBarCategoryAxis* bandX_ = nullptr;
  QValueAxis* bandY_ = nullptr;
  QTableWidget* table_ = nullptr;
  QLineEdit* bands_ = nullptr;
  QString bandsError_;
};

}  // namespace neurolm::widgets
