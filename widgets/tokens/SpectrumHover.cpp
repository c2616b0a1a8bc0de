#include "widgets/tokens/SpectrumHover.h"

#include <QEvent>
#include <QGuiApplication>
#include <QScreen>
#include <QThreadPool>
#include <QTimer>
#include <QWidget>
#include <algorithm>

#include "widgets/tokens/PatchSpectrumPopup.h"

namespace neurolm::widgets {

SpectrumHover::SpectrumHover(QWidget* lane) : QObject(lane), lane_(lane) {
  popup_ = new PatchSpectrumPopup(lane);
  popup_->hide();
  debounce_ = new QTimer(this);
  debounce_->setSingleShot(true);
  debounce_->setInterval(kDebounceMs);
  connect(debounce_, &QTimer::timeout, this, &SpectrumHover::request);
  pool_ = new QThreadPool(this);
  pool_->setMaxThreadCount(1);
}

SpectrumHover::~SpectrumHover() {
  ++request_;  // a running request's result is stale
  pool_->clear();
  pool_->waitForDone();
}

void SpectrumHover::setBackend(std::shared_ptr<TokenBackend> backend) {
  backend_ = std::move(backend);
  leave();
}

void SpectrumHover::setRecording(const QString& path) {
  path_ = path;
  leave();
}

void SpectrumHover::hoverCell(std::size_t channel, std::size_t second, const QString& header,
                              QPoint globalPos) {
  globalPos_ = globalPos;
  if (hovering_ && channel == channel_ && second == second_) return;  // resting on the same cell
  hovering_ = true;
  channel_ = channel;
  second_ = second;
  header_ = header;
  debounce_->start();
}

void SpectrumHover::leave() {
  hovering_ = false;
  debounce_->stop();
  ++request_;
  pool_->clear();  // not started yet: never runs
  popup_->hide();
}

bool SpectrumHover::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::Enter) leave();
  return QObject::eventFilter(watched, event);
}

void SpectrumHover::place() {
  // Below right of the cursor, kept on the screen; never under the cursor (the lane keeps the mouse).
  const QSize size = popup_->sizeHint();
  QPoint at = globalPos_ + QPoint(16, 18);
  if (const QScreen* screen = QGuiApplication::screenAt(globalPos_)) {
    const QRect area = screen->availableGeometry();
    if (at.x() + size.width() > area.right()) at.setX(globalPos_.x() - 16 - size.width());
    if (at.y() + size.height() > area.bottom()) at.setY(globalPos_.y() - 18 - size.height());
    at.setX(std::max(area.left(), at.x()));
    at.setY(std::max(area.top(), at.y()));
  }
  popup_->move(at);
}

void SpectrumHover::request() {
  if (!hovering_ || !backend_ || path_.isEmpty()) return;
  const quint64 id = ++request_;
  pool_->clear();
  popup_->showCell(header_, channel_, second_);
  place();
  popup_->show();
  auto backend = backend_;
  const std::filesystem::path file = path_.toStdString();
  const std::size_t channel = channel_, second = second_;
  pool_->start([this, id, backend, file, channel, second]() {
    PatchSpectrum spectrum;
    QString error;
    try {
      spectrum = backend->patchSpectrum(file, channel, second);
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
    QMetaObject::invokeMethod(
        this,
        [this, id, spectrum = std::move(spectrum), error, channel, second]() {
          if (id != request_) return;  // another cell, or the mouse left
          if (error.isEmpty())
            popup_->setSpectrum(spectrum);
          else
            popup_->setError(error);
          place();
          Q_EMIT spectrumShown(static_cast<int>(channel), static_cast<int>(second));
        },
        Qt::QueuedConnection);
  });
}

}  // namespace neurolm::widgets
