#pragma once
// The token lane's hover popup worker: when the mouse rests on a cell for a moment (debounce), the cell's
// real and reconstructed spectrum are asked from the TokenBackend on a worker thread of its own (never the
// GUI thread); each request has an id, a newer cell or leaving the lane makes older results stale (dropped),
// and requests not yet started are discarded.
#include <QObject>
#include <QPoint>
#include <QString>
#include <cstddef>
#include <memory>

#include "widgets/tokens/TokenBackend.h"

class QThreadPool;
class QTimer;

namespace neurolm::widgets {

class PatchSpectrumPopup;

class SpectrumHover : public QObject {
  Q_OBJECT

 public:
  static constexpr int kDebounceMs = 150;

  // `lane`: the popup's parent (the popup is its own ToolTip window).
  explicit SpectrumHover(QWidget* lane);
  ~SpectrumHover() override;

  void setBackend(std::shared_ptr<TokenBackend> backend);
  void setRecording(const QString& path);
  // The mouse is on this cell (`header`: its code, channel, second, occurrences; `globalPos`: the mouse).
  // The same cell again only moves nothing; another cell restarts the debounce.
  void hoverCell(std::size_t channel, std::size_t second, const QString& header, QPoint globalPos);
  // Off the cells or out of the lane: hides the popup and drops what is pending.
  void leave();

  PatchSpectrumPopup* popup() const { return popup_; }
  // Installed on the lane's child widgets (its header): the mouse entering one has left the cells.
  bool eventFilter(QObject* watched, QEvent* event) override;
  quint64 requestId() const { return request_; }

 Q_SIGNALS:
  // The popup now shows the result (curves, reason or error) of the cell (channel row, second).
  void spectrumShown(int channel, int second);

 private:
  void request();
  void place();

  QWidget* lane_ = nullptr;
  PatchSpectrumPopup* popup_ = nullptr;
  QTimer* debounce_ = nullptr;
  QThreadPool* pool_ = nullptr;  // one thread
  std::shared_ptr<TokenBackend> backend_;
  QString path_;
  bool hovering_ = false;
  std::size_t channel_ = 0, second_ = 0;
  QString header_;
  QPoint globalPos_;
  quint64 request_ = 0;
};

}  // namespace neurolm::widgets
