#pragma once
// The neural-token lane under the traces: for every channel the tokenizer knows (rows) and every 1-s patch of
// the page (columns) a cell coloured by its code, on the traces' time axis (same page, same label margin).
// Hover: code, channel, second and how often the code occurs in the recording, with the tokenizer's
// reconstruction of the patch's amplitude spectrum against the real one (SpectrumHover's popup). Click:
// select the code; its occurrences are outlined, N / P (or the buttons, or F3 / Shift+F3 anywhere in the
// window) move the page to the next / previous one, Esc clears. The codes come from a TokenBackend, run on
// the lane's own worker thread with progress and Cancel; each run has a request id and results of an older
// run are dropped.
#include <QPointer>
#include <QString>
#include <QWidget>
#include <atomic>
#include <memory>
#include <vector>

#include "widgets/tokens/TokenBackend.h"
#include "widgets/tokens/TokenModel.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QThreadPool;
class QToolButton;

namespace neurolm::widgets {

class PatchSpectrumPopup;
class SpectrumHover;

class TokenLane : public QWidget {
  Q_OBJECT

 public:
  enum class State { NoBackend, NoRecording, Running, Ready, Failed, Cancelled };

  explicit TokenLane(QWidget* parent = nullptr);
  ~TokenLane() override;

  TokenModel* model() const { return model_; }
  // The engine (null: none loaded; the lane says so). A new backend tokenises the open recording again.
  void setBackend(std::shared_ptr<TokenBackend> backend);
  const std::shared_ptr<TokenBackend>& backend() const { return backend_; }
  // The recording shown by the traces (empty path: none); starts tokenising it when a backend is set.
  void setRecording(const QString& path);
  void setLabelMargin(int px);  // the traces' label column, so both time axes start at the same x
  int labelMargin() const { return labelMarginPx_; }

  State state() const { return state_; }
  QString statusText() const;
  double progress() const { return progress_; }
  quint64 requestId() const { return request_; }
  double pageStartSec() const { return pageStartSec_; }
  double pageDurationSec() const { return pageDurationSec_; }

  // Geometry of the cells (lane coordinates), for hit tests and tests. cellRect is empty off the page.
  QRect cellsRect() const;
  QRect cellRect(std::size_t channel, std::size_t second) const;
  // The (channel, second) under a point, false off the cells.
  bool cellAt(QPoint pos, std::size_t& channel, std::size_t& second) const;
  QString toolTipAt(QPoint pos) const;  // empty off the cells
  // The hover popup with the cell's real and reconstructed spectrum (hidden unless the mouse rests on a
  // cell).
  SpectrumHover* spectrumHover() const { return hover_; }
  PatchSpectrumPopup* spectrumPopup() const;

  // Cells that mattered most to a chat answer (its evidence): outlined in magenta, the stronger the larger
  // the weight (0…1, e.g. share / the largest share). Empty: none. Kept until replaced or a new recording.
  struct EvidenceCell {
    std::size_t channel = 0, second = 0;  // model channel row, second of the recording
    double weight = 0;
  };
  void setEvidence(std::vector<EvidenceCell> cells);
  const std::vector<EvidenceCell>& evidence() const { return evidence_; }

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 public Q_SLOTS:
  void setPage(double startSec, double durationSec);
  void cancel();
  void nextOccurrence();
  void previousOccurrence();

 Q_SIGNALS:
  void pageStartRequested(double startSec);
  void tokensReady();  // the model holds the codes of the current recording
  void tokenizeFailed(const QString& message);
  void tokenizeCancelled();
  void stateChanged();

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void leaveEvent(QEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  bool event(QEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void start();
  void setState(State state, const QString& message = {});
  void updateHeader();
  void revealCurrent();
  int rowHeightPx() const;
  QString cellText(std::size_t channel, std::size_t second) const;

  TokenModel* model_ = nullptr;
  std::shared_ptr<TokenBackend> backend_;
  QString path_;
  State state_ = State::NoBackend;
  QString message_;
  double progress_ = 0;
  quint64 request_ = 0;
  std::shared_ptr<std::atomic<bool>> cancel_;
  QThreadPool* pool_ = nullptr;  // one thread: one tokenisation at a time
  double pageStartSec_ = 0, pageDurationSec_ = 10;
  int labelMarginPx_ = 90;
  std::vector<EvidenceCell> evidence_;
  SpectrumHover* hover_ = nullptr;

  QWidget* header_ = nullptr;
  QLabel* title_ = nullptr;
  QLabel* status_ = nullptr;
  QProgressBar* progressBar_ = nullptr;
  QPushButton* cancelButton_ = nullptr;
  QLabel* selection_ = nullptr;
  QToolButton* previousButton_ = nullptr;
  QToolButton* nextButton_ = nullptr;
  QToolButton* clearButton_ = nullptr;
};

}  // namespace neurolm::widgets
