#pragma once
// The spectrogram pane: channels picker, range (page / whole recording), colour map and colour limits (auto
// percentiles or manual dB), progress with Cancel for the whole recording, and the plot: one strip per
// channel, frequency up, time along the recording (the page marked when the whole recording is shown).
// Computed by SpectrogramModel's worker; the pane only paints.
#include <QImage>
#include <QWidget>
#include <memory>
#include <vector>

#include "core/io/Recording.h"
#include "widgets/spectrogram/SpectrogramModel.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;

namespace neurolm::widgets {

// The plot area: strips of colour per channel, axes and a colour bar.
class SpectrogramPlot : public QWidget {
  Q_OBJECT

 public:
  explicit SpectrogramPlot(QWidget* parent = nullptr);
  void setData(const SpectrogramData* data, ColourMap map, double loDb, double hiDb, double maxHz);
  void setTimeSpan(double startSec, double endSec);    // the time axis
  void setPageMarker(double startSec, double endSec);  // drawn when inside the span; end <= start: none
  QRectF stripRect(int channel) const;                 // where a channel's image is painted
  double xForTime(double sec) const;
  double yForFrequency(int channel, double hz) const;
  QSize sizeHint() const override { return {420, 300}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  void rebuildImages();
  QRectF plotArea() const;

  const SpectrogramData* data_ = nullptr;
  ColourMap map_ = ColourMap::Viridis;
  double loDb_ = 0, hiDb_ = 1, maxHz_ = 40;
  double spanStart_ = 0, spanEnd_ = 1;
  double markStart_ = 0, markEnd_ = 0;
  std::size_t rows_ = 0;  // frequency rows shown (f <= maxHz)
  std::vector<QImage> images_;
};

class SpectrogramView : public QWidget {
  Q_OBJECT

 public:
  explicit SpectrogramView(QWidget* parent = nullptr);
  ~SpectrogramView() override;

  SpectrogramModel* model() const { return model_; }
  SpectrogramPlot* plot() const { return plot_; }
  void setRecording(std::shared_ptr<const Recording> recording);
  QString statusText() const;
  // Programmatic control (tests and settings), as the controls do.
  void setChannels(const std::vector<std::size_t>& channels);
  void setColourMap(ColourMap map);
  ColourMap colourMap() const;
  void setManualLimits(double loDb, double hiDb);  // switches auto off
  void setAutoLimits(bool automatic);
  std::pair<double, double> colourLimits() const;  // the limits in use (dB)
  void setMaxFrequency(double hz);
  void setRange(SpectrogramModel::Range range);
  // Follow the trace view: the picker lists the montage's derivations (checks kept by label).
  void setPipeline(std::shared_ptr<const montage::Montage> montage, const montage::FilterSet& filters);

 public Q_SLOTS:
  void setPage(double startSec, double durationSec);

 protected:
  void showEvent(QShowEvent* event) override;
  void hideEvent(QHideEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;

 private:
  void refresh();
  void pushChannels();

  SpectrogramModel* model_ = nullptr;
  QListWidget* channels_ = nullptr;
  QComboBox* range_ = nullptr;
  QComboBox* colourMap_ = nullptr;
  QCheckBox* autoLimits_ = nullptr;
  QDoubleSpinBox* loDb_ = nullptr;
  QDoubleSpinBox* hiDb_ = nullptr;
  QDoubleSpinBox* maxHz_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QLabel* status_ = nullptr;
  SpectrogramPlot* plot_ = nullptr;
};

}  // namespace neurolm::widgets
