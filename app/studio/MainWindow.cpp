#include "app/studio/MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMimeData>
#include <QPointer>
#include <QScrollBar>
#include <QStatusBar>
#include <QTextBrowser>
#include <QThreadPool>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>
#include <cmath>

#include "widgets/traces/TraceView.h"

namespace neurolm::app {
namespace {

QString clock(double seconds) {
  const int total = static_cast<int>(std::floor(seconds + 1e-9));
  return QString::asprintf("%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60);
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("NeuroLM Studio"));
  setAcceptDrops(true);
  resize(1280, 800);

  auto* central = new QWidget(this);
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  errorBanner_ = new QLabel(central);
  errorBanner_->setObjectName(QStringLiteral("errorBanner"));
  errorBanner_->setWordWrap(true);
  errorBanner_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  errorBanner_->setStyleSheet(QStringLiteral("background:#fde8e8; color:#8a1c1c; padding:6px; border-bottom:1px solid #e0b4b4;"));
  errorBanner_->hide();
  traces_ = new widgets::TraceView(central);
  timeBar_ = new QScrollBar(Qt::Horizontal, central);
  timeBar_->setEnabled(false);
  layout->addWidget(errorBanner_);
  layout->addWidget(traces_, 1);
  layout->addWidget(timeBar_);
  setCentralWidget(central);

  report_ = new QTextBrowser(this);
  reportDock_ = new QDockWidget(tr("File report"), this);
  reportDock_->setObjectName(QStringLiteral("fileReportDock"));
  reportDock_->setWidget(report_);
  addDockWidget(Qt::RightDockWidgetArea, reportDock_);
  resizeDocks({reportDock_}, {320}, Qt::Horizontal);

  statusPosition_ = new QLabel(this);
  statusBar()->addPermanentWidget(statusPosition_);

  buildMenus();
  buildToolbar();

  connect(traces_, &widgets::TraceView::pageChanged, this, [this](double start, double duration) {
    const QSignalBlocker block(timeBar_);
    timeBar_->setValue(static_cast<int>(std::lround(start)));
    timeBar_->setPageStep(std::max(1, static_cast<int>(duration)));
    updateStatus();
  });
  connect(timeBar_, &QScrollBar::valueChanged, traces_, [this](int v) { traces_->setPageStart(v); });
  traces_->setFocus();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open…"), this, &MainWindow::showOpenDialog);
  open->setShortcut(QKeySequence::Open);
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(tr("&Next page"), traces_, &widgets::TraceView::nextPage)->setShortcut(Qt::Key_PageDown);
  view->addAction(tr("&Previous page"), traces_, &widgets::TraceView::previousPage)->setShortcut(Qt::Key_PageUp);
  QAction* clip = view->addAction(tr("&Clip traces to their lanes"));
  clip->setCheckable(true);
  clip->setChecked(traces_->clipToLane());
  connect(clip, &QAction::toggled, traces_, &widgets::TraceView::setClipToLane);
  view->addAction(reportDock_->toggleViewAction());
}

void MainWindow::buildToolbar() {
  QToolBar* bar = addToolBar(tr("Page"));
  bar->setObjectName(QStringLiteral("pageToolbar"));
  bar->addWidget(new QLabel(tr("Page length "), bar));
  pageLength_ = new QComboBox(bar);
  for (int sec : {1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600}) {
    pageLength_->addItem(sec < 60 ? tr("%n s", nullptr, sec) : tr("%n min", nullptr, sec / 60), sec);
  }
  pageLength_->setCurrentIndex(pageLength_->findData(10));
  connect(pageLength_, &QComboBox::currentIndexChanged, this,
          [this](int i) { traces_->setPageDuration(pageLength_->itemData(i).toDouble()); });
  bar->addWidget(pageLength_);
  bar->addSeparator();
  // Each lane has its channel type's scale (EEG µV, ECG mV per division); the gain multiplies all of them.
  bar->addWidget(new QLabel(tr(" Gain "), bar));
  sensitivity_ = new QDoubleSpinBox(bar);
  sensitivity_->setRange(0.01, 1000);
  sensitivity_->setDecimals(2);
  sensitivity_->setSingleStep(0.25);
  sensitivity_->setValue(traces_->gain());
  sensitivity_->setPrefix(tr("×"));
  sensitivity_->setToolTip(tr("Factor on every lane's scale (keys + and −, Ctrl+wheel)"));
  connect(sensitivity_, &QDoubleSpinBox::valueChanged, traces_, &widgets::TraceView::setGain);
  connect(traces_, &widgets::TraceView::gainChanged, sensitivity_, [this](double gain) {
    const QSignalBlocker block(sensitivity_);
    sensitivity_->setValue(gain);
  });
  bar->addWidget(sensitivity_);
}

void MainWindow::showOpenDialog() {
  auto* dialog = new QFileDialog(this, tr("Open recording"), QFileInfo(path_).absolutePath(),
                                 tr("EEG recordings (*.edf *.EDF *.bdf *.BDF);;All files (*)"));
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setFileMode(QFileDialog::ExistingFile);
  connect(dialog, &QFileDialog::fileSelected, this, &MainWindow::openFile);
  dialog->open();  // window-modal, does not block the event loop
}

void MainWindow::openFile(const QString& path) {
  const quint64 request = ++openRequest_;
  statusBar()->showMessage(tr("Opening %1…").arg(path));
  QPointer<MainWindow> self(this);
  QThreadPool::globalInstance()->start([self, path, request]() {
    std::shared_ptr<const Recording> rec;
    QString error;
    try {
      rec = Recording::open(path.toStdString());
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
    // Delivered through the application object: the window may be gone by then.
    QMetaObject::invokeMethod(
        qApp,
        [self, path, request, rec, error]() {
          if (!self || request != self->openRequest_) return;  // closed, or superseded by a newer open
          if (rec) {
            self->onOpened(path, rec);
          } else {
            self->onFailed(path, error);
          }
        },
        Qt::QueuedConnection);
  });
}

void MainWindow::onOpened(const QString& path, std::shared_ptr<const Recording> rec) {
  recording_ = std::move(rec);
  path_ = path;
  errorBanner_->hide();
  errorBanner_->clear();
  setWindowTitle(tr("%1 — NeuroLM Studio").arg(QFileInfo(path).fileName()));
  timeBar_->setEnabled(true);
  timeBar_->setRange(0, std::max(0, static_cast<int>(std::ceil(recording_->durationSec() -
                                                               traces_->pageDurationSec()))));
  traces_->setRecording(recording_);
  updateReport();
  statusBar()->showMessage(tr("Opened %1").arg(path), 5000);
  // Annotations and the envelope pyramid arrive in the background: refresh the report when they are done.
  auto* poll = new QTimer(this);
  poll->setInterval(200);
  std::weak_ptr<const Recording> weak = recording_;
  connect(poll, &QTimer::timeout, this, [this, poll, weak]() {
    auto rec = weak.lock();
    if (!rec || rec != recording_) {
      poll->deleteLater();
      return;
    }
    updateStatus();
    if (rec->annotationsComplete() && rec->pyramidComplete()) {
      updateReport();
      poll->deleteLater();
    }
  });
  poll->start();
  Q_EMIT recordingOpened(path);
}

void MainWindow::onFailed(const QString& path, const QString& message) {
  errorBanner_->setText(tr("Could not open %1: %2").arg(QFileInfo(path).fileName(), message));
  errorBanner_->show();
  statusBar()->showMessage(tr("Open failed"), 5000);
  Q_EMIT openFailed(path, message);
}

QString MainWindow::errorText() const { return errorBanner_->isVisible() ? errorBanner_->text() : QString(); }
QString MainWindow::reportText() const { return report_->toPlainText(); }

void MainWindow::updateStatus() {
  if (!recording_) return;
  const double start = traces_->pageStartSec();
  QString text = tr("%1 – %2 of %3")
                     .arg(clock(start), clock(std::min(recording_->durationSec(), start + traces_->pageDurationSec())),
                          clock(recording_->durationSec()));
  if (!recording_->pyramidComplete()) {
    text += QStringLiteral("   ") + tr("indexing %1%").arg(static_cast<int>(recording_->pyramidProgress() * 100));
  }
  statusPosition_->setText(text);
}

void MainWindow::updateReport() {
  if (!recording_) return;
  const EdfHeader& h = recording_->header();
  QString html;
  html += QStringLiteral("<h3>%1</h3>").arg(QFileInfo(path_).fileName().toHtmlEscaped());
  html += QStringLiteral("<table>");
  const auto row = [&html](const QString& k, const QString& v) {
    html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(k, v.toHtmlEscaped());
  };
  row(tr("Format"), QString::fromStdString(flavorName(h.flavor)));
  row(tr("Start"), QString::asprintf("%04d-%02d-%02d %02d:%02d:%02d", h.startYear, h.startMonth, h.startDay,
                                     h.startHour, h.startMinute, h.startSecond));
  row(tr("Duration"), clock(recording_->durationSec()));
  row(tr("Channels"), QString::number(recording_->channels().size()));
  row(tr("Annotations"), recording_->annotationsComplete()
                             ? QString::number(recording_->annotations().size())
                             : tr("indexing…"));
  html += QStringLiteral("</table>");
  html += QStringLiteral("<h4>%1</h4>").arg(tr("Repair report"));
  const RepairReport& report = recording_->repairReport();
  html += QStringLiteral("<p>%1</p>").arg(QString::fromStdString(report.strictReaderVerdict).toHtmlEscaped());
  if (report.repairs.empty()) {
    html += QStringLiteral("<p>%1</p>").arg(tr("No repairs were needed."));
  } else {
    html += QStringLiteral("<ul>");
    for (const auto& r : report.repairs) {
      html += QStringLiteral("<li>%1</li>").arg(QString::fromStdString(r).toHtmlEscaped());
    }
    html += QStringLiteral("</ul>");
  }
  html += QStringLiteral("<h4>%1</h4><table>").arg(tr("Channels"));
  for (const auto& c : recording_->channels()) {
    html += QStringLiteral("<tr><td>%1</td><td>%2 Hz</td><td>%3</td></tr>")
                .arg(QString::fromStdString(c.label).toHtmlEscaped())
                .arg(c.sampleRateHz)
                .arg(QString::fromStdString(c.unit).toHtmlEscaped());
  }
  html += QStringLiteral("</table>");
  report_->setHtml(html);
}

bool MainWindow::event(QEvent* event) {
  // QMainWindow consumes drag events for its tool bars and docks; recordings dropped anywhere open here.
  if (event->type() == QEvent::DragEnter || event->type() == QEvent::DragMove) {
    auto* drag = static_cast<QDragMoveEvent*>(event);
    if (drag->mimeData()->hasUrls()) {
      drag->acceptProposedAction();
      return true;
    }
  } else if (event->type() == QEvent::Drop) {
    auto* drop = static_cast<QDropEvent*>(event);
    if (drop->mimeData()->hasUrls()) {
      dropEvent(drop);
      return true;
    }
  }
  return QMainWindow::event(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const auto urls = event->mimeData()->urls();
  if (!urls.isEmpty() && urls.first().isLocalFile()) {
    openFile(urls.first().toLocalFile());
    event->acceptProposedAction();
  }
}

}  // namespace neurolm::app
