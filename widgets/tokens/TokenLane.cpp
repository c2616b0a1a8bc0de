#include "widgets/tokens/TokenLane.h"

#include <QHBoxLayout>
#include <QHelpEvent>
#include <QImage>
#include <QKeyEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QThreadPool>
#include <QToolButton>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "widgets/tokens/PatchSpectrumPopup.h"
#include "widgets/tokens/SpectrumHover.h"

namespace neurolm::widgets {
namespace {

constexpr int kHeaderPx = 26;
constexpr int kMinRows = 4;

}  // namespace

TokenLane::TokenLane(QWidget* parent) : QWidget(parent), model_(new TokenModel(this)) {
  setFocusPolicy(Qt::StrongFocus);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
  setMouseTracking(true);
  setAccessibleName(tr("Neural tokens"));
  pool_ = new QThreadPool(this);
  pool_->setMaxThreadCount(1);
  hover_ = new SpectrumHover(this);

  header_ = new QWidget(this);
  auto* bar = new QHBoxLayout(header_);
  bar->setContentsMargins(6, 2, 6, 2);
  bar->setSpacing(6);
  title_ = new QLabel(tr("Neural tokens"), header_);
  QFont bold = title_->font();
  bold.setBold(true);
  title_->setFont(bold);
  status_ = new QLabel(header_);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // gives way to the selection
  title_->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Preferred);
  progressBar_ = new QProgressBar(header_);
  progressBar_->setRange(0, 1000);
  progressBar_->setMaximumWidth(220);
  progressBar_->setMaximumHeight(16);
  progressBar_->setTextVisible(true);
  cancelButton_ = new QPushButton(tr("Cancel"), header_);
  cancelButton_->setToolTip(tr("Stop tokenising this recording"));
  selection_ = new QLabel(header_);
  previousButton_ = new QToolButton(header_);
  previousButton_->setText(tr("◀ Previous"));
  //: Token lane button: move the page to the previous occurrence of the selected code (key P)
  previousButton_->setToolTip(tr("Previous occurrence of the selected code (P, Shift+F3)"));
  nextButton_ = new QToolButton(header_);
  nextButton_->setText(tr("Next ▶"));
  nextButton_->setToolTip(tr("Next occurrence of the selected code (N, F3)"));
  clearButton_ = new QToolButton(header_);
  clearButton_->setText(tr("Clear"));
  clearButton_->setToolTip(tr("Clear the selected code (Esc)"));
  for (QWidget* w : {static_cast<QWidget*>(cancelButton_), static_cast<QWidget*>(previousButton_),
                     static_cast<QWidget*>(nextButton_), static_cast<QWidget*>(clearButton_)})
    w->setFocusPolicy(Qt::NoFocus);  // keys stay with the lane
  bar->addWidget(title_);
  bar->addWidget(status_, 1);
  bar->addWidget(progressBar_);
  bar->addWidget(cancelButton_);
  bar->addWidget(selection_);
  bar->addWidget(previousButton_);
  bar->addWidget(nextButton_);
  bar->addWidget(clearButton_);
  header_->installEventFilter(hover_);  // the mouse in the header has left the cells

  // F3 / Shift+F3 anywhere in the window (e.g. right after clicking a bar of the Code usage chart).
  new QShortcut(QKeySequence(Qt::Key_F3), this, this, &TokenLane::nextOccurrence, Qt::WindowShortcut);
  new QShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F3), this, this, &TokenLane::previousOccurrence,
                Qt::WindowShortcut);
  connect(cancelButton_, &QPushButton::clicked, this, &TokenLane::cancel);
  connect(previousButton_, &QToolButton::clicked, this, &TokenLane::previousOccurrence);
  connect(nextButton_, &QToolButton::clicked, this, &TokenLane::nextOccurrence);
  connect(clearButton_, &QToolButton::clicked, model_, &TokenModel::clearSelection);
  connect(model_, &TokenModel::selectionChanged, this, [this]() {
    updateHeader();
    update();
  });
  connect(model_, &TokenModel::currentOccurrenceChanged, this, [this]() {
    updateHeader();
    update();
  });
  connect(model_, &TokenModel::gridChanged, this, [this]() {
    updateGeometry();
    update();
  });
  updateHeader();
}

TokenLane::~TokenLane() {
  if (cancel_) cancel_->store(true);
  pool_->waitForDone();
}

int TokenLane::rowHeightPx() const { return 10; }

QSize TokenLane::sizeHint() const {
  const std::size_t rows = model_->hasCodes() ? model_->grid()->channelCount() : 0;
  const int n = std::max(kMinRows, static_cast<int>(rows));
  return {800, kHeaderPx + n * rowHeightPx() + 2};
}

QSize TokenLane::minimumSizeHint() const { return {200, kHeaderPx + kMinRows * rowHeightPx() + 2}; }

void TokenLane::setLabelMargin(int px) {
  labelMarginPx_ = std::max(0, px);
  update();
}

void TokenLane::setBackend(std::shared_ptr<TokenBackend> backend) {
  backend_ = std::move(backend);
  hover_->setBackend(backend_);
  start();
}

void TokenLane::setRecording(const QString& path) {
  path_ = path;
  evidence_.clear();
  hover_->setRecording(path);
  start();
}

PatchSpectrumPopup* TokenLane::spectrumPopup() const { return hover_->popup(); }

void TokenLane::setPage(double startSec, double durationSec) {
  if (startSec != pageStartSec_ || std::max(1e-6, durationSec) != pageDurationSec_)
    hover_->leave();  // another cell lies under the mouse now
  pageStartSec_ = startSec;
  pageDurationSec_ = std::max(1e-6, durationSec);
  update();
}

void TokenLane::start() {
  if (cancel_) cancel_->store(true);  // the previous run is stale
  const quint64 id = ++request_;
  hover_->leave();
  model_->setGrid(nullptr);
  progress_ = 0;
  if (!backend_) {
    setState(State::NoBackend);
    return;
  }
  if (path_.isEmpty()) {
    setState(State::NoRecording);
    return;
  }
  auto flag = std::make_shared<std::atomic<bool>>(false);
  cancel_ = flag;
  setState(State::Running);
  auto backend = backend_;
  const std::filesystem::path file = path_.toStdString();
  pool_->start([this, id, flag, backend, file]() {
    std::shared_ptr<const TokenGrid> grid;
    QString error;
    bool cancelled = false;
    int lastPermille = -1;
    try {
      grid = std::make_shared<const TokenGrid>(backend->tokenize(file, [&](double fraction) {
        const int permille = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 1000);
        if (permille != lastPermille) {  // at most 1000 updates per run
          lastPermille = permille;
          QMetaObject::invokeMethod(
              this,
              [this, id, permille]() {
                if (id != request_ || state_ != State::Running) return;
                progress_ = permille / 1000.0;
                progressBar_->setValue(permille);
                update(cellsRect());  // the percentage written in the empty lane
              },
              Qt::QueuedConnection);
        }
        return !flag->load();
      }));
    } catch (const TokenizeCancelled&) {
      cancelled = true;
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
    if (flag->load() && !cancelled && error.isEmpty()) cancelled = true;  // finished after a cancel: dropped
    QMetaObject::invokeMethod(
        this,
        [this, id, grid, error, cancelled]() {
          if (id != request_) return;  // a newer recording or backend
          if (cancelled) {
            setState(State::Cancelled);
            Q_EMIT tokenizeCancelled();
          } else if (!error.isEmpty()) {
            setState(State::Failed, error);
            Q_EMIT tokenizeFailed(error);
          } else {
            progress_ = 1;
            model_->setGrid(grid);
            setState(State::Ready);
            Q_EMIT tokensReady();
          }
        },
        Qt::QueuedConnection);
  });
}

void TokenLane::cancel() {
  if (state_ != State::Running || !cancel_) return;
  cancel_->store(true);
  status_->setText(tr("Cancelling…"));
}

void TokenLane::setState(State state, const QString& message) {
  state_ = state;
  message_ = message;
  updateHeader();
  updateGeometry();
  update();
  Q_EMIT stateChanged();
}

QString TokenLane::statusText() const {
  switch (state_) {
    case State::NoBackend:
      return tr("No tokenizer loaded");
    case State::NoRecording:
      return tr("Open a recording to see its neural tokens");
    case State::Running:
      return tr("Tokenising…");
    case State::Ready: {
      if (!model_->hasCodes()) return {};  // the grid is cleared just before a new run changes the state
      const auto& g = *model_->grid();
      //: Token lane status: e.g. "19 channels × 62 s, 417 distinct codes of 8192"
      return tr("%1 channels × %2 s, %3 distinct codes of %4")
          .arg(g.channelCount())
          .arg(g.seconds)
          .arg(model_->distinctCodes())
          .arg(g.codebookSize);
    }
    case State::Failed:
      return tr("Tokenisation failed: %1").arg(message_);
    case State::Cancelled:
      return tr("Tokenisation cancelled");
  }
  return {};
}

void TokenLane::updateHeader() {
  const bool running = state_ == State::Running;
  status_->setText(statusText());
  status_->setToolTip(backend_ ? QString::fromStdString(backend_->description()) : QString());
  progressBar_->setVisible(running);
  cancelButton_->setVisible(running);
  if (running) progressBar_->setValue(static_cast<int>(progress_ * 1000));
  const std::int32_t code = model_->selectedCode();
  const bool selected = code >= 0;
  previousButton_->setEnabled(selected);
  nextButton_->setEnabled(selected);
  clearButton_->setEnabled(selected);
  if (!selected) {
    selection_->setText(model_->hasCodes() ? tr("Click a cell to select its code") : QString());
  } else {
    const int current = model_->currentOccurrence();
    //: Token lane: the selected code, how often it occurs, and which occurrence is shown (e.g. "3/12")
    selection_->setText(tr("Code %1: %2 occurrences (%3 %), %4/%5")
                            .arg(code)
                            .arg(model_->countOf(code))
                            .arg(model_->percentOf(code), 0, 'f', 1)
                            .arg(current >= 0 ? QString::number(current + 1) : QStringLiteral("–"))
                            .arg(model_->occurrences().size()));
  }
}

QRect TokenLane::cellsRect() const {
  const int top = kHeaderPx;
  const int rows = model_->hasCodes() ? static_cast<int>(model_->grid()->channelCount()) : kMinRows;
  const int h = std::min(height() - top, rows * rowHeightPx());
  return QRect(labelMarginPx_, top, std::max(1, width() - labelMarginPx_), std::max(0, h));
}

QRect TokenLane::cellRect(std::size_t channel, std::size_t second) const {
  if (!model_->hasCodes()) return {};
  const QRect plot = cellsRect();
  const double pxPerSec = plot.width() / pageDurationSec_;
  const int x0 =
      plot.left() + static_cast<int>(std::lround((static_cast<double>(second) - pageStartSec_) * pxPerSec));
  const int x1 = plot.left() +
                 static_cast<int>(std::lround((static_cast<double>(second) + 1 - pageStartSec_) * pxPerSec));
  const int y0 = plot.top() + static_cast<int>(channel) * rowHeightPx();
  return QRect(x0, y0, x1 - x0, rowHeightPx()).intersected(plot);
}

bool TokenLane::cellAt(QPoint pos, std::size_t& channel, std::size_t& second) const {
  if (!model_->hasCodes()) return false;
  const QRect plot = cellsRect();
  if (!plot.contains(pos)) return false;
  const auto& g = *model_->grid();
  const double t = pageStartSec_ + (pos.x() - plot.left()) * pageDurationSec_ / plot.width();
  const int row = (pos.y() - plot.top()) / rowHeightPx();
  if (t < 0 || t >= static_cast<double>(g.seconds) || row < 0 || row >= static_cast<int>(g.channelCount()))
    return false;
  channel = static_cast<std::size_t>(row);
  second = static_cast<std::size_t>(std::floor(t));
  return true;
}

QString TokenLane::toolTipAt(QPoint pos) const {
  std::size_t channel = 0, second = 0;
  if (!cellAt(pos, channel, second)) return {};
  return cellText(channel, second);
}

QString TokenLane::cellText(std::size_t channel, std::size_t second) const {
  const auto& g = *model_->grid();
  const std::int32_t code = g.code(channel, second);
  const QString name = QString::fromStdString(g.channels[channel]);
  if (code < 0) return tr("%1, second %2: no code").arg(name).arg(second);
  //: Token lane tooltip: code id; channel; second; how often the code occurs in the whole recording
  return tr("Code %1\nChannel %2, second %3 (%4–%5 s)\nIn this recording: %6 of %7 tokens (%8 %)")
      .arg(code)
      .arg(name)
      .arg(second)
      .arg(second)
      .arg(second + 1)
      .arg(model_->countOf(code))
      .arg(model_->tokenCount())
      .arg(model_->percentOf(code), 0, 'f', 2);
}

void TokenLane::mouseMoveEvent(QMouseEvent* event) {
  std::size_t channel = 0, second = 0;
  const QPoint pos = event->position().toPoint();
  if (backend_ && cellAt(pos, channel, second))
    hover_->hoverCell(channel, second, cellText(channel, second), mapToGlobal(pos));
  else
    hover_->leave();
  QWidget::mouseMoveEvent(event);
}

void TokenLane::leaveEvent(QEvent* event) {
  hover_->leave();
  QWidget::leaveEvent(event);
}

bool TokenLane::event(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(e);
    std::size_t channel = 0, second = 0;
    if (backend_ && cellAt(help->pos(), channel, second)) {  // the spectrum popup says it all
      QToolTip::hideText();
      return true;
    }
    const QString text = toolTipAt(help->pos());
    if (text.isEmpty()) {
      QToolTip::hideText();
      e->ignore();
    } else {
      QToolTip::showText(help->globalPos(), text, this);
    }
    return true;
  }
  return QWidget::event(e);
}

void TokenLane::resizeEvent(QResizeEvent*) { header_->setGeometry(0, 1, width(), kHeaderPx - 1); }

void TokenLane::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), QColor(250, 250, 252));
  p.setPen(QColor(210, 214, 222));
  p.drawLine(0, 0, width(), 0);
  const QRect plot = cellsRect();
  QFont font = p.font();
  font.setPixelSize(8);
  p.setFont(font);
  if (!model_->hasCodes()) {
    p.setPen(QColor(120, 120, 130));
    const QString text = state_ == State::Running
                             ? tr("Tokenising… %1 %").arg(static_cast<int>(progress_ * 100))
                             : statusText();
    QFont big = font;
    big.setPixelSize(11);
    p.setFont(big);
    p.drawText(plot, Qt::AlignCenter, text);
    return;
  }
  const auto& g = *model_->grid();
  const int rowH = rowHeightPx();
  // Channel names in the label column, as the traces.
  p.setPen(QColor(40, 44, 52));
  for (std::size_t c = 0; c < g.channelCount(); ++c) {
    const QRect r(4, plot.top() + static_cast<int>(c) * rowH, labelMarginPx_ - 8, rowH);
    p.drawText(r, Qt::AlignRight | Qt::AlignVCenter, QString::fromStdString(g.channels[c]));
  }
  p.setClipRect(plot);
  const double pxPerSec = plot.width() / pageDurationSec_;
  const int firstSec = std::max(0, static_cast<int>(std::floor(pageStartSec_)));
  const int lastSec =
      std::min(static_cast<int>(g.seconds), static_cast<int>(std::ceil(pageStartSec_ + pageDurationSec_)));
  const bool anySelected = model_->selectedCode() >= 0;
  const int current = model_->currentOccurrence();
  const int currentSecond = current >= 0 ? static_cast<int>(model_->occurrences()[current].second) : -1;
  const QFontMetrics fm(font);
  const bool showText = pxPerSec >= fm.horizontalAdvance(QStringLiteral("8888")) + 4;
  const auto cellColour = [&](std::size_t c, std::size_t s) {
    const QColor colour = codeColour(g.code(c, s));
    if (!anySelected || model_->isOccurrence(c, s)) return colour;
    // everything but the selected code fades
    return QColor((colour.red() + 3 * 250) / 4, (colour.green() + 3 * 250) / 4,
                  (colour.blue() + 3 * 252) / 4);
  };
  if (pxPerSec < 4) {
    // Long pages (cells a few pixels wide, e.g. an hour): one pixel per column and row, scaled to the rows,
    // instead of thousands of rectangles.
    QImage strip(plot.width(), static_cast<int>(g.channelCount()), QImage::Format_RGB32);
    strip.fill(QColor(250, 250, 252));
    for (int x = 0; x < plot.width(); ++x) {
      const double t = pageStartSec_ + (x + 0.5) / pxPerSec;
      if (t < 0 || t >= static_cast<double>(g.seconds)) continue;
      const auto s = static_cast<std::size_t>(t);
      for (std::size_t c = 0; c < g.channelCount(); ++c)
        strip.setPixel(x, static_cast<int>(c), cellColour(c, s).rgb());
    }
    p.drawImage(QRect(plot.left(), plot.top(), plot.width(), static_cast<int>(g.channelCount()) * rowH),
                strip);
  }
  for (int s = firstSec; s < lastSec && pxPerSec >= 4; ++s) {
    for (std::size_t c = 0; c < g.channelCount(); ++c) {
      const QRect cell = cellRect(c, static_cast<std::size_t>(s));
      if (cell.isEmpty()) continue;
      const std::int32_t code = g.code(c, static_cast<std::size_t>(s));
      const QColor colour = cellColour(c, static_cast<std::size_t>(s));
      const bool hit = anySelected && model_->isOccurrence(c, static_cast<std::size_t>(s));
      p.fillRect(cell, colour);
      if (showText && code >= 0) {
        p.setPen(colour.lightness() > 140 ? QColor(30, 30, 36) : QColor(250, 250, 250));
        if (anySelected && !hit) p.setPen(QColor(160, 162, 170));
        p.drawText(cell, Qt::AlignCenter, QString::number(code));
      }
    }
  }
  // Cell borders: one pixel of the background between seconds and rows.
  p.setPen(QColor(250, 250, 252));
  for (int s = firstSec; s <= lastSec && pxPerSec >= 4; ++s) {
    const int x = plot.left() + static_cast<int>(std::lround((s - pageStartSec_) * pxPerSec));
    p.drawLine(x, plot.top(), x, plot.bottom());
  }
  // Occurrences of the selected code: a dark outline; the current one's second in orange.
  if (anySelected) {
    p.setBrush(Qt::NoBrush);
    for (const TokenOccurrence& o : model_->occurrences()) {
      if (static_cast<int>(o.second) < firstSec || static_cast<int>(o.second) >= lastSec) continue;
      const QRect cell = cellRect(o.channel, o.second);
      const bool isCurrent = static_cast<int>(o.second) == currentSecond;
      p.setPen(QPen(isCurrent ? QColor(230, 120, 0) : QColor(20, 20, 30), pxPerSec >= 4 ? 2 : 1));
      if (pxPerSec >= 4)
        p.drawRect(cell.adjusted(1, 1, -1, -1));
      else  // narrow cells: a tick over the row keeps the colour visible
        p.drawLine(cell.left(), cell.top(), cell.right(), cell.top());
    }
  }
  // Evidence of a chat answer: magenta outlines, opacity by weight.
  for (const EvidenceCell& e : evidence_) {
    if (static_cast<int>(e.second) < firstSec || static_cast<int>(e.second) >= lastSec ||
        e.channel >= g.channelCount())
      continue;
    const QRect cell = cellRect(e.channel, e.second);
    p.setBrush(Qt::NoBrush);
    p.setPen(
        QPen(QColor(200, 0, 160, 80 + static_cast<int>(std::lround(175 * std::clamp(e.weight, 0.0, 1.0)))),
             pxPerSec >= 4 ? 3 : 1));
    if (pxPerSec >= 4)
      p.drawRect(cell.adjusted(1, 1, -1, -1));
    else
      p.drawLine(cell.left(), cell.bottom(), cell.right(), cell.bottom());
  }
  p.setClipping(false);
  if (hasFocus()) {
    p.setPen(QColor(80, 140, 255));
    p.setBrush(Qt::NoBrush);
    p.drawRect(rect().adjusted(0, 0, -1, -1));
  }
}

void TokenLane::setEvidence(std::vector<EvidenceCell> cells) {
  evidence_ = std::move(cells);
  update();
}

void TokenLane::mousePressEvent(QMouseEvent* event) {
  std::size_t channel = 0, second = 0;
  if (event->button() == Qt::LeftButton && cellAt(event->position().toPoint(), channel, second)) {
    setFocus(Qt::MouseFocusReason);
    const std::int32_t code = model_->grid()->code(channel, second);
    model_->selectCode(code == model_->selectedCode() ? -1 : code);  // a second click clears
    event->accept();
    return;
  }
  QWidget::mousePressEvent(event);
}

void TokenLane::keyPressEvent(QKeyEvent* event) {
  switch (event->key()) {
    case Qt::Key_N:
      nextOccurrence();
      break;
    case Qt::Key_P:
      previousOccurrence();
      break;
    case Qt::Key_Escape:
      model_->clearSelection();
      break;
    default:
      QWidget::keyPressEvent(event);
      return;
  }
  event->accept();
}

void TokenLane::nextOccurrence() {
  // Before the first move: the first occurrence after the page start (or at it).
  if (model_->nextOccurrence(std::floor(pageStartSec_) - 1) >= 0) revealCurrent();
}

void TokenLane::previousOccurrence() {
  if (model_->previousOccurrence(std::ceil(pageStartSec_ + pageDurationSec_)) >= 0) revealCurrent();
}

void TokenLane::revealCurrent() {
  const int current = model_->currentOccurrence();
  if (current < 0) return;
  const double second = static_cast<double>(model_->occurrences()[current].second);
  // The occurrence's second in the middle of the page (the traces clamp at the ends of the recording).
  Q_EMIT pageStartRequested(std::max(0.0, second + 0.5 - pageDurationSec_ / 2));
}

}  // namespace neurolm::widgets
