#include "app/studio/MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLineEdit>
#include <QMenuBar>
#include <QMimeData>
#include <QPainter>
#include <QPdfWriter>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProgressBar>
#include <QSaveFile>
#include <QScrollBar>
#include <QStatusBar>
#include <QSvgGenerator>
#include <QTextBrowser>
#include <QTextDocument>
#include <QThreadPool>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "app/studio/ComputeDevices.h"
#include "app/studio/ExportSelectionDialog.h"
#include "app/studio/ModelHost.h"
#include "app/studio/MontageControls.h"
#include "app/studio/RuntimeChatBackend.h"
#include "app/studio/RuntimeTokenBackend.h"
#include "models/runtime/InferenceRuntime.h"
#include "core/annotations/AnnotationFiles.h"
#include "core/io/AtomicFile.h"
#include "core/jobs/RunFiles.h"
#include "core/navigation/TimeInput.h"
#include "app/studio/LocalJobRunner.h"
#include "app/studio/SlurmJobRunner.h"
#include "app/studio/StudioOptions.h"
#include "widgets/annotations/AnnotationsDock.h"
#include "widgets/chat/ChatPane.h"
#include "widgets/jobs/JobsPanel.h"
#include "widgets/overview/OverviewView.h"
#include "widgets/spectrogram/SpectrogramView.h"
#include "widgets/spectrum/SpectrumView.h"
#include "widgets/tokens/CodeUsageView.h"
#include "widgets/tokens/TokenLane.h"
#include "widgets/tokens/TokenLink.h"
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
  errorBanner_->setStyleSheet(
      QStringLiteral("background:#fde8e8; color:#8a1c1c; padding:6px; border-bottom:1px solid #e0b4b4;"));
  errorBanner_->hide();
  traces_ = new widgets::TraceView(central);
  timeBar_ = new QScrollBar(Qt::Horizontal, central);
  timeBar_->setEnabled(false);
  timeBar_->setFocusPolicy(Qt::StrongFocus);  // the time slider is reachable with Tab, moved with the arrows
  timeBar_->setAccessibleName(tr("Time"));
  overview_ = new widgets::OverviewView(central);
  tokenLane_ = new widgets::TokenLane(central);
  layout->addWidget(errorBanner_);
  layout->addWidget(traces_, 1);
  layout->addWidget(tokenLane_);
  layout->addWidget(overview_);
  layout->addWidget(timeBar_);
  setCentralWidget(central);

  report_ = new QTextBrowser(this);
  reportDock_ = new QDockWidget(tr("File report"), this);
  reportDock_->setObjectName(QStringLiteral("fileReportDock"));
  reportDock_->setWidget(report_);
  addDockWidget(Qt::RightDockWidgetArea, reportDock_);
  resizeDocks({reportDock_}, {320}, Qt::Horizontal);
  connect(reportDock_, &QDockWidget::visibilityChanged, this, [this](bool visible) {
    if (!visible || !reportPending_) return;
    report_->setHtml(reportHtml_);
    reportPending_ = false;
  });

  // Spectrum of the visible page, tabbed with the file report (View menu toggles it).
  spectrum_ = new widgets::SpectrumView(this);
  spectrumDock_ = new QDockWidget(tr("Spectrum"), this);
  spectrumDock_->setObjectName(QStringLiteral("spectrumDock"));
  spectrumDock_->setWidget(spectrum_);
  tabifyDockWidget(reportDock_, spectrumDock_);
  spectrumDock_->raise();
  resizeDocks({spectrumDock_}, {320}, Qt::Horizontal);
  // Spectrogram under the traces; hidden until asked for (View menu), then it follows the page.
  spectrogram_ = new widgets::SpectrogramView(this);
  spectrogramDock_ = new QDockWidget(tr("Spectrogram"), this);
  spectrogramDock_->setObjectName(QStringLiteral("spectrogramDock"));
  spectrogramDock_->setWidget(spectrogram_);
  addDockWidget(Qt::BottomDockWidgetArea, spectrogramDock_);
  spectrogramDock_->hide();

  annotationsPane_ = new widgets::AnnotationsDock(this);
  annotationsDock_ = new QDockWidget(tr("Annotations"), this);
  annotationsDock_->setObjectName(QStringLiteral("annotationsDock"));
  annotationsDock_->setWidget(annotationsPane_);
  addDockWidget(Qt::RightDockWidgetArea, annotationsDock_, Qt::Vertical);  // below the report/spectrum tabs
  resizeDocks({reportDock_, annotationsDock_}, {420, 380}, Qt::Vertical);

  // Training jobs, tabbed behind the annotations; they run detached, so closing the window leaves them going.
  jobsPanel_ = new widgets::JobsPanel(std::make_shared<SlurmJobRunner>(std::make_shared<LocalJobRunner>(),
                                                                       LocalJobRunner::defaultExecutable()),
                                      QDir(resourcesDir()).filePath(QStringLiteral("datasets")), this);
  jobsPanel_->setDeviceProbe(&probeComputeDevices);
  jobsDock_ = new QDockWidget(tr("Training jobs"), this);
  jobsDock_->setObjectName(QStringLiteral("jobsDock"));
  jobsDock_->setWidget(jobsPanel_);
  tabifyDockWidget(annotationsDock_, jobsDock_);
  annotationsDock_->raise();
  if (jobsPanel_->runDirs().isEmpty()) jobsDock_->hide();  // shown from the View menu; known jobs show it

  // Chat with NeuroLM about the page or a selection, tabbed with the file report and spectrum.
  modelHost_ = new ModelHost(this);
  chatBackend_ = new RuntimeChatBackend(modelHost_, this);
  chatPane_ = new widgets::ChatPane(chatBackend_, QString(), this);
  chatDock_ = new QDockWidget(tr("Chat"), this);
  chatDock_->setObjectName(QStringLiteral("chatDock"));
  chatDock_->setWidget(chatPane_);
  tabifyDockWidget(spectrumDock_, chatDock_);
  spectrumDock_->raise();
  modelProgress_ = new QProgressBar(this);
  modelProgress_->setRange(0, 0);  // loading has no steps to count: a busy bar
  modelProgress_->setMaximumWidth(120);
  modelProgress_->hide();
  statusBar()->addPermanentWidget(modelProgress_);
  connect(modelHost_, &ModelHost::loading, this, [this](const QString& path) {
    modelProgress_->show();
    statusBar()->showMessage(tr("Loading the model %1…").arg(path));
  });
  connect(modelHost_, &ModelHost::loaded, this, [this]() {
    modelProgress_->hide();
    //: Status bar after a model loaded: %1 its file name and size, %2 its folder
    statusBar()->showMessage(
        tr("The chat now uses %1 from %2")
            .arg(modelHost_->modelId(),
                 QDir::toNativeSeparators(QFileInfo(modelHost_->modelPath()).absolutePath())),
        10000);
  });
  connect(modelHost_, &ModelHost::failed, this, [this](const QString& message) {
    modelProgress_->hide();
    statusBar()->showMessage(tr("The model could not be loaded"), 8000);
    errorBanner_->setText(tr("Could not load the model: %1").arg(message));
    errorBanner_->show();
  });
  connect(jobsPanel_, &widgets::JobsPanel::openModelRequested, this, &MainWindow::loadModel);
  connect(jobsPanel_, &widgets::JobsPanel::useTokenizerRequested, this, &MainWindow::useTokenizer);
  // Code usage: the most frequent neural-token codes of the recording, tabbed with the annotations.
  codeUsage_ = new widgets::CodeUsageView(tokenLane_->model(), this);
  codeUsageDock_ = new QDockWidget(tr("Code usage"), this);
  codeUsageDock_->setObjectName(QStringLiteral("codeUsageDock"));
  codeUsageDock_->setWidget(codeUsage_);
  tabifyDockWidget(annotationsDock_, codeUsageDock_);
  annotationsDock_->raise();
  connect(modelHost_, &ModelHost::runtimeChanged, this, &MainWindow::setTokenizerRuntime);
  if (modelHost_->runtime()) setTokenizerRuntime(modelHost_->runtime());
  saveTimer_ = new QTimer(this);
  saveTimer_->setSingleShot(true);
  saveTimer_->setInterval(300);  // a burst of edits is one write
  connect(saveTimer_, &QTimer::timeout, this, &MainWindow::saveAnnotations);
  saveQueue_ = new QThreadPool(this);
  saveQueue_->setMaxThreadCount(1);

  statusPosition_ = new QLabel(this);
  // A fixed size, widened only when a longer text needs it (updateStatus): a label whose size may change makes
  // QMainWindow lay out all its docks again whenever its text changes, i.e. on every page.
  statusPosition_->setText(QStringLiteral("0:00:00"));
  statusPosition_->setFixedSize(0, statusPosition_->sizeHint().height());
  statusPosition_->clear();
  statusBar()->addPermanentWidget(statusPosition_);

  buildMenus();
  buildToolbar();
  new MontageControls(this, traces_);  // Montage menu and tool bar, display filters (owned by the window)

  connect(traces_, &widgets::TraceView::pageChanged, this, [this](double start, double duration) {
    updateTimeBar();
    const int index = pageLength_->findData(duration);
    if (index >= 0 && index != pageLength_->currentIndex()) {
      const QSignalBlocker block(pageLength_);
      pageLength_->setCurrentIndex(index);
    }
    overview_->setPage(start, duration);
    updateStatus();
  });
  connect(overview_, &widgets::OverviewView::pageStartRequested, traces_, &widgets::TraceView::setPageStart);
  new widgets::TokenLink(tokenLane_, traces_, overview_, this);  // page, highlights, next/previous
  connect(this, &MainWindow::annotationsLoaded, this, &MainWindow::refreshOverviewAnnotations);
  connect(annotationsPane_, &widgets::AnnotationsDock::documentChanged, this,
          &MainWindow::refreshOverviewAnnotations);
  connect(timeBar_, &QScrollBar::valueChanged, traces_, [this](int v) { traces_->setPageStart(v); });
  connect(traces_, &widgets::TraceView::pageChanged, spectrum_, &widgets::SpectrumView::setPage);
  connect(traces_, &widgets::TraceView::pageChanged, spectrogram_, &widgets::SpectrogramView::setPage);
  const auto spectrogramFollows = [this]() { spectrogram_->setPipeline(traces_->montage(), traces_->filters()); };
  connect(traces_, &widgets::TraceView::montageChanged, spectrogram_, spectrogramFollows);
  connect(traces_, &widgets::TraceView::filtersChanged, spectrogram_, spectrogramFollows);
  const auto spectrumFollows = [this]() { spectrum_->setPipeline(traces_->montage(), traces_->filters()); };
  connect(traces_, &widgets::TraceView::montageChanged, spectrum_, spectrumFollows);
  connect(traces_, &widgets::TraceView::filtersChanged, spectrum_, spectrumFollows);
  connect(traces_, &widgets::TraceView::pageChanged, chatPane_, &widgets::ChatPane::setPage);
  connect(traces_, &widgets::TraceView::selectionChanged, chatPane_, &widgets::ChatPane::setSelection);
  connect(traces_, &widgets::TraceView::montageChanged, chatPane_, [this]() {
    chatPane_->setMontageName(traces_->montage() ? QString::fromStdString(traces_->montage()->name)
                                                  : QString());
  });
  // A whole-recording answer's probability per window, drawn under the overview (cleared with the recording).
  connect(chatPane_, &widgets::ChatPane::trackChanged, overview_, [this](const widgets::ChatTrack& t) {
    overview_->setTrack({t.label, t.description, std::vector<double>(t.startSec.begin(), t.startSec.end()),
                         std::vector<double>(t.endSec.begin(), t.endSec.end()),
                         std::vector<double>(t.value.begin(), t.value.end())});
  });
  // The evidence of an answer: its top tokens outlined on the token lane and highlighted on the traces (the
  // lane of the same recording channel, a layer beside a selected code's occurrences), opacity by share.
  connect(chatPane_, &widgets::ChatPane::evidenceShown, this,
          [this](int, const QList<widgets::ChatEvidenceToken>& top) {
            const double largest = top.isEmpty() ? 0.0 : top.front().share;
            std::vector<widgets::TokenLane::EvidenceCell> cells;
            std::vector<widgets::TraceView::Highlight> spans;
            for (const auto& t : top) {
              const double weight = largest > 0 ? t.share / largest : 0.0;
              cells.push_back({static_cast<std::size_t>(t.channelRow),
                               static_cast<std::size_t>(std::max(0.0, std::floor(t.startSec))), weight});
              for (int lane = 0; lane < traces_->laneCount(); ++lane)
                if (traces_->laneLabel(lane) == t.sourceLabel)
                  spans.push_back({lane, t.startSec, t.endSec, weight});
            }
            tokenLane_->setEvidence(std::move(cells));
            traces_->setHighlights(widgets::TraceView::HighlightLayer::Evidence, std::move(spans));
          });
  annotationsPane_->setCurrentPage(traces_->pageStartSec(), traces_->pageDurationSec());
  connect(traces_, &widgets::TraceView::pageChanged, annotationsPane_,
          &widgets::AnnotationsDock::setCurrentPage);
  connect(annotationsPane_, &widgets::AnnotationsDock::jumpRequested, traces_,
          [this](double onsetSec) { traces_->setPageStart(onsetSec); });
  connect(annotationsPane_, &widgets::AnnotationsDock::documentChanged, this,
          &MainWindow::scheduleAnnotationSave);
  connect(annotationsPane_, &widgets::AnnotationsDock::currentAnnotationChanged, traces_,
          &widgets::TraceView::setSelectedAnnotation);
  connect(annotationsPane_, &widgets::AnnotationsDock::message, this,
          [this](const QString& text) { statusBar()->showMessage(text, 5000); });
  traces_->setFocus();
}

MainWindow::~MainWindow() {
  flushAnnotations();
  annotationsPane_->setDocument(nullptr);  // the pane outlives the document (children go last)
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open…"), this, &MainWindow::showOpenDialog);
  open->setShortcut(QKeySequence::Open);
  file->addSeparator();
  QAction* exportSel =
      file->addAction(tr("&Export selection…"), this, &MainWindow::showExportSelectionDialog);
  exportSel->setShortcut(Qt::CTRL | Qt::Key_E);
  cancelExport_ = file->addAction(tr("&Cancel export"), this, &MainWindow::cancelExport);
  cancelExport_->setEnabled(false);
  file->addSeparator();
  file->addAction(tr("Load &model…"), this, &MainWindow::showLoadModelDialog)
      ->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_M);
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(tr("&Next page"), traces_, &widgets::TraceView::nextPage)->setShortcut(Qt::Key_PageDown);
  view->addAction(tr("&Previous page"), traces_, &widgets::TraceView::previousPage)
      ->setShortcut(Qt::Key_PageUp);
  QAction* clip = view->addAction(tr("&Clip traces to their lanes"));
  clipToLane_ = clip;
  clip->setCheckable(true);
  clip->setChecked(traces_->clipToLane());
  connect(clip, &QAction::toggled, traces_, &widgets::TraceView::setClipToLane);
  view->addAction(tr("&Go to time…"), this,
                  [this]() {
                    goTo_->setFocus(Qt::ShortcutFocusReason);
                    goTo_->selectAll();
                  })
      ->setShortcut(Qt::CTRL | Qt::Key_G);
  //: View menu: next longer page length of the page-length list (1 s ... 60 min)
  view->addAction(
          tr("&Longer page"), this,
          [this]() {
            pageLength_->setCurrentIndex(std::min(pageLength_->count() - 1, pageLength_->currentIndex() + 1));
          })
      ->setShortcut(Qt::Key_BracketRight);
  view->addAction(tr("&Shorter page"), this,
                  [this]() { pageLength_->setCurrentIndex(std::max(0, pageLength_->currentIndex() - 1)); })
      ->setShortcut(Qt::Key_BracketLeft);
  clockTime_ = view->addAction(tr("Clock &time on the axis"));
  clockTime_->setCheckable(true);
  //: Short toolbar text of the "Clock time on the axis" toggle
  clockTime_->setIconText(tr("Clock time"));
  clockTime_->setShortcut(Qt::CTRL | Qt::Key_T);
  clockTime_->setToolTip(
      tr("Label the time axis with the time of day (from the recording's start time) "
         "instead of the time from the start"));
  connect(clockTime_, &QAction::toggled, traces_, &widgets::TraceView::setClockTimeAxis);
  QMenu* exportView = view->addMenu(tr("&Export view as"));
  exportView->addAction(tr("&PNG image…"), this, [this]() { showExportViewDialog(QStringLiteral("png")); });
  exportView->addAction(tr("P&DF document…"), this,
                        [this]() { showExportViewDialog(QStringLiteral("pdf")); });
  exportView->addAction(tr("&SVG drawing…"), this, [this]() { showExportViewDialog(QStringLiteral("svg")); });
  view->addSeparator();
  view->addAction(reportDock_->toggleViewAction());
  view->addAction(spectrumDock_->toggleViewAction());
  view->addAction(spectrogramDock_->toggleViewAction());
  spectrogramDock_->toggleViewAction()->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_S);
  view->addAction(annotationsDock_->toggleViewAction());
  view->addAction(jobsDock_->toggleViewAction());
  QAction* chat = chatDock_->toggleViewAction();
  chat->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_C);
  connect(chat, &QAction::triggered, this, [this](bool shown) {
    if (!shown) return;
    chatDock_->raise();
    chatPane_->inputEdit()->setFocus(Qt::ShortcutFocusReason);
  });
  view->addAction(chat);
  view->addAction(codeUsageDock_->toggleViewAction());
  buildAnnotationsMenu();
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
  bar->addSeparator();
  //: Toolbar: label of the box that moves the page to a typed time
  bar->addWidget(new QLabel(tr(" Go to "), bar));
  goTo_ = new QLineEdit(bar);
  goTo_->setObjectName(QStringLiteral("goToTime"));
  goTo_->setMaximumWidth(150);
  //: Placeholder of the go-to box: seconds, h:mm:ss from the start, or @ and a clock time of day
  goTo_->setPlaceholderText(tr("90, 1:02:03, @23:15"));
  goTo_->setToolTip(
      tr("Go to a time (Ctrl+G): seconds (90.5), h:mm:ss(.s) from the start (1:02:03.5), or a "
         "clock time of day with @ (@23:15:00). Enter moves the page there."));
  connect(goTo_, &QLineEdit::returnPressed, this, [this]() {
    if (goToTime(goTo_->text())) traces_->setFocus();
  });
  bar->addWidget(goTo_);
  bar->addSeparator();
  bar->addAction(clockTime_);
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
  if (rec->annotationsOnly()) {
    // A hypnogram or other annotation file: its annotations go onto the open recording.
    if (recording_ && annotationDoc_) {
      importAnnotationFile(path, QStringLiteral("edf"));
    } else {
      onFailed(path,
               tr("the file holds annotations only, no signals. Open its recording first, then open this "
                  "file to add its annotations."));
    }
    return;
  }
  flushAnnotations();
  recording_ = std::move(rec);
  path_ = path;
  errorBanner_->hide();
  errorBanner_->clear();
  setWindowTitle(tr("%1 — NeuroLM Studio").arg(QFileInfo(path).fileName()));
  timeBar_->setEnabled(true);
  overview_->setRecording(recording_);
  spectrum_->setRecording(recording_);  // before the traces: their pageChanged feeds the spectrum
  spectrogram_->setRecording(recording_);
  traces_->setRecording(recording_);
  chatPane_->setRecording(path);
  tokenLane_->setRecording(path);
  loadAnnotations();
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
    if (rec->annotationsComplete() && traces_->timeline().gaps().empty() && !rec->gaps().empty()) {
      traces_->setGaps(rec->gaps());  // EDF+D: gaps are known once the annotations are indexed
      overview_->setGaps(rec->gaps());
    }
    if (rec->annotationsComplete() && rec->pyramidComplete()) {
      updateReport();
      poll->deleteLater();
    }
  });
  poll->start();
  Q_EMIT recordingOpened(path);
}

void MainWindow::setTokenizerRuntime(std::shared_ptr<runtime::InferenceRuntime> runtime) {
  std::shared_ptr<RuntimeTokenBackend> backend;
  if (runtime && runtime->hasTokenizer()) backend = std::make_shared<RuntimeTokenBackend>(std::move(runtime));
  tokenLane_->setBackend(std::move(backend));
}

void MainWindow::onFailed(const QString& path, const QString& message) {
  errorBanner_->setText(tr("Could not open %1: %2").arg(QFileInfo(path).fileName(), message));
  errorBanner_->show();
  statusBar()->showMessage(tr("Open failed"), 5000);
  Q_EMIT openFailed(path, message);
}

void MainWindow::updateTimeBar() {
  const QSignalBlocker block(timeBar_);
  const double duration = traces_->pageDurationSec();
  timeBar_->setRange(
      0, recording_ ? std::max(0, static_cast<int>(std::ceil(recording_->durationSec() - duration))) : 0);
  timeBar_->setPageStep(std::max(1, static_cast<int>(duration)));
  timeBar_->setSingleStep(std::max(1, static_cast<int>(duration / 10)));
  timeBar_->setValue(static_cast<int>(std::lround(traces_->pageStartSec())));
}

void MainWindow::refreshOverviewAnnotations() {
  overview_->setAnnotations(annotationDoc_ ? annotationDoc_->entries() : std::vector<AnnotationEntry>());
  traces_->setAnnotations(annotationDoc_ ? annotationDoc_->entries() : std::vector<AnnotationEntry>());
}

bool MainWindow::goToTime(const QString& text) {
  if (!recording_) {
    statusBar()->showMessage(tr("Open a recording first"), 5000);
    return false;
  }
  try {
    const navigation::ParsedTime t = navigation::parseTimeInput(text.toStdString(), traces_->startOfDaySec());
    // The axis runs in data time; a clock time is wall time, which differs after an EDF+D gap.
    const double target = t.clockTime ? traces_->timeline().dataSec(t.offsetSec) : t.offsetSec;
    if (target > recording_->durationSec()) {
      statusBar()->showMessage(
          tr("%1 is after the end of the recording (%2)")
              .arg(text.trimmed(),
                   QString::fromStdString(navigation::formatRecordingTime(recording_->durationSec()))),
          8000);
      return false;
    }
    traces_->setPageStart(target);
    return true;
  } catch (const navigation::TimeInputError& e) {
    statusBar()->showMessage(tr("Cannot go there: %1").arg(QString::fromStdString(e.what())), 8000);
    return false;
  }
}

void MainWindow::showExportViewDialog(const QString& format) {
  if (!recording_) {
    statusBar()->showMessage(tr("Open a recording first"), 5000);
    return;
  }
  const QString base = QFileInfo(path_).completeBaseName() +
                       QStringLiteral("-%1s.").arg(static_cast<qint64>(traces_->pageStartSec())) + format;
  auto* dialog = new QFileDialog(this, tr("Export view"), QFileInfo(path_).absoluteDir().filePath(base),
                                 format.toUpper() + QStringLiteral(" (*.") + format + QLatin1Char(')'));
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setAcceptMode(QFileDialog::AcceptSave);
  dialog->setDefaultSuffix(format);
  connect(dialog, &QFileDialog::fileSelected, this, &MainWindow::exportView);
  dialog->open();
}

void MainWindow::exportView(const QString& path) {
  const QString format = QFileInfo(path).suffix().toLower();
  if (!recording_ ||
      (format != QLatin1String("png") && format != QLatin1String("pdf") && format != QLatin1String("svg"))) {
    const QString message = recording_
                                ? tr("Unknown image format of %1 (expected .png, .pdf or .svg)").arg(path)
                                : tr("Open a recording first");
    statusBar()->showMessage(message, 8000);
    Q_EMIT exportFailed(message);
    return;
  }
  // A snapshot of what is shown: the lanes' montage and filters, the annotations and gap bands over them. The
  // worker reads the page again through the same pipeline (PDF and SVG get vectors; a PNG too when the shown
  // image is not yet the current page) and paints the overlay as the view does.
  const auto rec = recording_;
  const widgets::TraceGeometry g = traces_->geometry();
  const auto display = std::make_shared<const signal::ChannelDisplayTable>(traces_->displayTable());
  const widgets::TracePipeline pipeline{traces_->montage(), traces_->filters()};
  const widgets::TraceView::Overlay overlay = traces_->overlay();
  const double start = traces_->pageStartSec(), duration = traces_->pageDurationSec();
  const QImage shown =
      traces_->deliveredRequestId() == traces_->latestRequestId() ? traces_->currentImage() : QImage();
  const QString title =
      tr("%1, %2 from %3")
          .arg(QFileInfo(path_).fileName(), QString::fromStdString(navigation::formatRecordingTime(duration)),
               QString::fromStdString(navigation::formatRecordingTime(start)));
  QPointer<MainWindow> self(this);
  QThreadPool::globalInstance()->start([self, path, format, rec, g, display, pipeline, overlay, start,
                                        duration, shown, title]() {
    QString error;
    try {
      QSaveFile file(path);  // written under a temporary name, renamed when complete
      if (!file.open(QIODevice::WriteOnly)) throw std::runtime_error(file.errorString().toStdString());
      if (format == QLatin1String("png")) {
        QImage image = shown;
        if (image.isNull()) {
          image = widgets::renderTracePage(
              widgets::loadTracePage(*rec, start, duration, g.plotWidth(), *display, pipeline), g);
        }
        {
          QPainter painter(&image);
          widgets::TraceView::paintOverlay(painter, g, overlay);
        }
        if (!image.save(&file, "PNG")) throw std::runtime_error("the PNG encoder failed");
      } else {
        const widgets::TracePageData page =
            widgets::loadTracePage(*rec, start, duration, g.plotWidth(), *display, pipeline);
        if (format == QLatin1String("pdf")) {
          QPdfWriter writer(&file);
          writer.setTitle(title);
          writer.setCreator(QStringLiteral("NeuroLM Studio"));
          writer.setResolution(72);  // one pixel of the view = one point
          writer.setPageMargins(QMarginsF(0, 0, 0, 0));
          writer.setPageSize(QPageSize(QSizeF(g.size), QPageSize::Point));
          QPainter painter(&writer);
          widgets::paintTracePage(painter, page, g);
          widgets::TraceView::paintOverlay(painter, g, overlay);
        } else {
          QSvgGenerator svg;
          svg.setOutputDevice(&file);
          svg.setSize(g.size);
          svg.setViewBox(QRect(QPoint(0, 0), g.size));
          svg.setTitle(title);
          QPainter painter(&svg);
          widgets::paintTracePage(painter, page, g);
          widgets::TraceView::paintOverlay(painter, g, overlay);
        }
      }
      if (!file.commit()) throw std::runtime_error(file.errorString().toStdString());
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
    QMetaObject::invokeMethod(
        qApp,
        [self, path, error]() {
          if (!self) return;
          if (error.isEmpty()) {
            self->statusBar()->showMessage(tr("Saved the view to %1").arg(path), 8000);
            Q_EMIT self->viewExported(path);
          } else {
            const QString message = tr("Could not export the view to %1: %2").arg(path, error);
            self->errorBanner_->setText(message);
            self->errorBanner_->show();
            Q_EMIT self->exportFailed(message);
          }
        },
        Qt::QueuedConnection);
  });
}

void MainWindow::showExportSelectionDialog() {
  if (!recording_) {
    statusBar()->showMessage(tr("Open a recording first"), 5000);
    return;
  }
  const double start = traces_->pageStartSec();
  const double end = std::min(recording_->durationSec(), start + traces_->pageDurationSec());
  const QString suggested = QFileInfo(path_).absoluteDir().filePath(
      QFileInfo(path_).completeBaseName() +
      QStringLiteral("-%1-%2s.edf").arg(static_cast<qint64>(start)).arg(static_cast<qint64>(std::ceil(end))));
  auto* dialog = new ExportSelectionDialog(*recording_, start, end, suggested, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QDialog::accepted, this,
          [this, dialog]() { exportSelection(dialog->request(), dialog->outputPath()); });
  dialog->open();  // window-modal, does not block the event loop
}

void MainWindow::exportSelection(const ExportRequest& request, const QString& path) {
  if (!recording_) return;
  ExportRequest req = request;
  req.sourcePath = path_.toStdString();
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  exportCancel_ = cancel;
  cancelExport_->setEnabled(true);
  const auto rec = recording_;
  QPointer<MainWindow> self(this);
  statusBar()->showMessage(tr("Exporting to %1…").arg(path));
  QThreadPool::globalInstance()->start([self, rec, req, path, cancel]() {
    QString error;
    auto lastReport = std::chrono::steady_clock::now();
    const auto progress = [&](double fraction) {
      const auto now = std::chrono::steady_clock::now();
      if (now - lastReport < std::chrono::milliseconds(200)) return;  // a few updates a second are enough
      lastReport = now;
      QMetaObject::invokeMethod(
          qApp,
          [self, path, fraction]() {
            if (self) {
              self->statusBar()->showMessage(
                  tr("Exporting to %1… %2%").arg(path).arg(static_cast<int>(fraction * 100)));
            }
          },
          Qt::QueuedConnection);
    };
    try {
      exportRange(*rec, req, path.toStdString(), progress, cancel.get());
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
    QMetaObject::invokeMethod(
        qApp,
        [self, path, error, cancel]() {
          if (!self) return;
          if (self->exportCancel_ == cancel) self->cancelExport_->setEnabled(false);
          if (error.isEmpty()) {
            self->statusBar()->showMessage(tr("Exported the selection to %1").arg(path), 8000);
            Q_EMIT self->selectionExported(path);
          } else {
            const QString message = tr("Could not export the selection: %1").arg(error);
            self->errorBanner_->setText(message);
            self->errorBanner_->show();
            self->statusBar()->clearMessage();
            Q_EMIT self->exportFailed(message);
          }
        },
        Qt::QueuedConnection);
  });
}

void MainWindow::cancelExport() {
  if (exportCancel_) exportCancel_->store(true);
}

QString MainWindow::errorText() const { return errorBanner_->isVisible() ? errorBanner_->text() : QString(); }
QString MainWindow::reportText() const {
  if (!reportPending_) return report_->toPlainText();
  QTextDocument pending;
  pending.setHtml(reportHtml_);
  return pending.toPlainText();
}

void MainWindow::showPendingReport() {
  // A dock behind another tab stays "visible" but is moved off its parent: it has no visible region.
  if (!reportPending_ || report_->visibleRegion().isEmpty()) return;
  report_->setHtml(reportHtml_);
  reportPending_ = false;
}

void MainWindow::updateStatus() {
  if (!recording_) return;
  const double start = traces_->pageStartSec();
  QString text =
      tr("%1 – %2 of %3")
          .arg(clock(start), clock(std::min(recording_->durationSec(), start + traces_->pageDurationSec())),
               clock(recording_->durationSec()));
  if (!recording_->pyramidComplete()) {
    text +=
        QStringLiteral("   ") + tr("indexing %1%").arg(static_cast<int>(recording_->pyramidProgress() * 100));
  }
  const QMargins margins = statusPosition_->contentsMargins();
  const int width = statusPosition_->fontMetrics().horizontalAdvance(text) + margins.left() + margins.right() +
                    2 * statusPosition_->margin() + 2;
  if (width > statusPosition_->minimumWidth()) statusPosition_->setFixedWidth(width);
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
  row(tr("Annotations"), recording_->annotationsComplete() ? QString::number(recording_->annotations().size())
                                                           : tr("indexing…"));
  if (isDiscontinuous(h.flavor) && recording_->annotationsComplete()) {
    // EDF+D: time between records without samples (not annotations; records are drawn back to back).
    const auto gaps = recording_->gaps();
    double missingSec = 0;
    for (const auto& g : gaps) missingSec += g.durationSec;
    row(tr("Gaps"),
        tr("%n gap(s), %1 s without data", nullptr, static_cast<int>(gaps.size())).arg(missingSec));
  }
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
  reportHtml_ = html;
  reportPending_ = true;
  showPendingReport();  // now if the dock is on screen, else when it is shown
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

void MainWindow::buildAnnotationsMenu() {
  QMenu* menu = menuBar()->addMenu(tr("&Annotations"));
  menu->addAction(annotationsPane_->addAnnotationAction());
  menu->addAction(annotationsPane_->deleteAction());
  menu->addSeparator();
  menu->addAction(annotationsPane_->undoAction());
  menu->addAction(annotationsPane_->redoAction());
  QMenu* quick = menu->addMenu(tr("&Quick labels"));
  for (QAction* a : annotationsPane_->quickLabelActions()) quick->addAction(a);
  menu->addSeparator();
  menu->addAction(tr("Import &CSV…"), this,
                  [this] { showAnnotationFileDialog(true, QStringLiteral("csv")); });
  menu->addAction(tr("Import &EDF+…"), this,
                  [this] { showAnnotationFileDialog(true, QStringLiteral("edf")); });
  menu->addAction(tr("Export C&SV…"), this,
                  [this] { showAnnotationFileDialog(false, QStringLiteral("csv")); });
  menu->addAction(tr("Export ED&F+…"), this,
                  [this] { showAnnotationFileDialog(false, QStringLiteral("edf")); });
}

void MainWindow::showAnnotationFileDialog(bool import, const QString& format) {
  if (!annotationDoc_) {
    statusBar()->showMessage(tr("Open a recording first"), 5000);
    return;
  }
  const bool csv = format == QLatin1String("csv");
  const QString filter = csv ? tr("CSV files (*.csv);;All files (*)")
                             : tr("EDF+ files (*.edf *.EDF *.bdf *.BDF);;All files (*)");
  auto* dialog = new QFileDialog(this, import ? tr("Import annotations") : tr("Export annotations"),
                                 QFileInfo(path_).absolutePath(), filter);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  if (import) {
    dialog->setFileMode(QFileDialog::ExistingFile);
  } else {
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(csv ? QStringLiteral("csv") : QStringLiteral("edf"));
    dialog->selectFile(QFileInfo(path_).completeBaseName() +
                       (csv ? QStringLiteral("-annotations.csv") : QStringLiteral("-annotations.edf")));
  }
  connect(dialog, &QFileDialog::fileSelected, this, [this, import, format](const QString& file) {
    if (import) {
      importAnnotationFile(file, format);
    } else {
      exportAnnotationFile(file, format);
    }
  });
  dialog->open();
}

void MainWindow::loadAnnotations() {
  annotationsPane_->setDocument(nullptr);
  annotationDoc_.reset();
  sidecarWritable_ = false;
  const quint64 request = ++annotationRequest_;
  QPointer<MainWindow> self(this);
  std::shared_ptr<const Recording> rec = recording_;
  const std::filesystem::path sidecar = annotationSidecarPath(path_.toStdString());
  QThreadPool::globalInstance()->start([self, request, rec, sidecar]() {
    std::vector<AnnotationEntry> entries;
    QString error;
    bool fromSidecar = false;
    std::error_code ec;
    if (std::filesystem::exists(sidecar, ec)) {
      try {
        entries = loadSidecar(sidecar);
        fromSidecar = true;
      } catch (const std::exception& e) {
        error = QString::fromStdString(e.what());
      }
    }
    if (!fromSidecar) {
      rec->waitForAnnotations();
      entries = annotationsFromRecording(*rec);
    }
    QMetaObject::invokeMethod(
        qApp,
        [self, request, entries = std::move(entries), error]() mutable {
          if (!self || request != self->annotationRequest_) return;  // closed, or another file was opened
          auto doc = std::make_shared<AnnotationDocument>();
          try {
            doc->reset(std::move(entries));
          } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
          }
          self->annotationDoc_ = doc;
          self->savedRevision_ = doc->revision();
          self->sidecarWritable_ = error.isEmpty();
          self->annotationsPane_->setDocument(doc.get());
          if (!error.isEmpty()) {
            self->errorBanner_->setText(
                tr("The annotation file could not be read, so annotation changes will not be saved: %1")
                    .arg(error));
            self->errorBanner_->show();
          }
          Q_EMIT self->annotationsLoaded();
        },
        Qt::QueuedConnection);
  });
}

void MainWindow::scheduleAnnotationSave() {
  if (annotationDoc_ && sidecarWritable_ && annotationDoc_->revision() != savedRevision_) saveTimer_->start();
}

void MainWindow::saveAnnotations() {
  saveTimer_->stop();
  if (!annotationDoc_ || !sidecarWritable_ || annotationDoc_->revision() == savedRevision_) return;
  // The JSON is made here (a snapshot of this revision); the worker only writes it, atomically.
  const std::string json = sidecarJson(annotationDoc_->entries(), QFileInfo(path_).fileName().toStdString());
  const std::filesystem::path sidecar = annotationSidecarPath(path_.toStdString());
  savedRevision_ = annotationDoc_->revision();
  QPointer<MainWindow> self(this);
  saveQueue_->start([self, json, sidecar]() {
    QString error;
    try {
      writeFileAtomically(sidecar, json);
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
    const QString written = QString::fromStdString(sidecar.string());
    QMetaObject::invokeMethod(
        qApp,
        [self, error, written]() {
          if (!self) return;
          if (error.isEmpty()) {
            Q_EMIT self->annotationsSaved(written);
          } else {
            self->errorBanner_->setText(tr("Annotations could not be saved: %1").arg(error));
            self->errorBanner_->show();
          }
        },
        Qt::QueuedConnection);
  });
}

void MainWindow::flushAnnotations() {
  saveAnnotations();
  saveQueue_->waitForDone();
}

void MainWindow::importAnnotationFile(const QString& path, const QString& format) {
  if (!recording_ || !annotationDoc_) {
    statusBar()->showMessage(tr("Open a recording first"), 5000);
    return;
  }
  QPointer<MainWindow> self(this);
  const EdfStartTime start = startTimeOf(recording_->header());
  std::weak_ptr<AnnotationDocument> target = annotationDoc_;
  QThreadPool::globalInstance()->start([self, path, format, start, target]() {
    std::vector<AnnotationEntry> entries;
    QString error;
    try {
      entries = format == QLatin1String("csv") ? importCsv(path.toStdString())
                                               : importEdfPlusAnnotations(path.toStdString(), start);
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
    QMetaObject::invokeMethod(
        qApp,
        [self, path, target, entries = std::move(entries), error]() mutable {
          const auto doc = target.lock();
          if (!self || !doc || doc != self->annotationDoc_) return;  // the recording changed meanwhile
          const QString name = QFileInfo(path).fileName();
          if (!error.isEmpty()) {
            self->errorBanner_->setText(tr("Could not import %1: %2").arg(name, error));
            self->errorBanner_->show();
            return;
          }
          const int count = static_cast<int>(entries.size());
          doc->addAll(std::move(entries), "import " + name.toStdString());
          self->statusBar()->showMessage(tr("Imported %n annotation(s) from %1", nullptr, count).arg(name),
                                         8000);
        },
        Qt::QueuedConnection);
  });
}

void MainWindow::exportAnnotationFile(const QString& path, const QString& format) {
  if (!recording_ || !annotationDoc_) return;
  const std::vector<AnnotationEntry> entries = annotationDoc_->entries();
  EdfPlusExportInfo info;
  info.start = startTimeOf(recording_->header());
  info.patient = recording_->header().patient;
  info.recording = recording_->header().recording;
  QPointer<MainWindow> self(this);
  saveQueue_->start([self, path, format, entries, info]() {
    QString error;
    try {
      if (format == QLatin1String("csv")) {
        exportCsv(path.toStdString(), entries);
      } else {
        exportEdfPlus(path.toStdString(), entries, info);
      }
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
    QMetaObject::invokeMethod(
        qApp,
        [self, path, error, count = static_cast<int>(entries.size())]() {
          if (!self) return;
          if (error.isEmpty()) {
            self->statusBar()->showMessage(
                tr("Exported %n annotation(s) to %1", nullptr, count).arg(QFileInfo(path).fileName()), 8000);
          } else {
            self->errorBanner_->setText(tr("Could not export the annotations: %1").arg(error));
            self->errorBanner_->show();
          }
        },
        Qt::QueuedConnection);
  });
}

void MainWindow::showLoadModelDialog() {
  const QString start = modelHost_->modelPath().isEmpty() ? QFileInfo(ModelHost::defaultModelPath()).absolutePath()
                                                          : QFileInfo(modelHost_->modelPath()).absolutePath();
  auto* dialog = new QFileDialog(this, tr("Load NeuroLM model"), start,
                                 tr("NeuroLM models (*.safetensors *.pt);;All files (*)"));
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setFileMode(QFileDialog::ExistingFile);
  connect(dialog, &QFileDialog::fileSelected, this, &MainWindow::loadModel);
  dialog->open();  // window-modal, does not block the event loop
}

void MainWindow::loadModel(const QString& neuroLmPath) {
  if (jobs::runStage(neuroLmPath.toStdString()) == "vq") return useTokenizer(neuroLmPath);
  const auto tokenizer = jobs::findRunTokenizer(neuroLmPath.toStdString()).path;
  modelHost_->load(neuroLmPath, tokenizer ? QString::fromStdString(tokenizer->string()) : QString());
}

void MainWindow::useTokenizer(const QString& tokenizerPath) {
  if (modelHost_->modelPath().isEmpty()) {
    errorBanner_->setText(
        tr("%1 is a tokenizer: load a NeuroLM model first, then use it as that model's tokenizer.")
            .arg(tokenizerPath));
    errorBanner_->show();
    return;
  }
  modelHost_->load(modelHost_->modelPath(), tokenizerPath);
}

}  // namespace neurolm::app
