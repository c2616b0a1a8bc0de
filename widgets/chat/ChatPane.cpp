#include "widgets/chat/ChatPane.h"

#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollBar>
#include <QShortcut>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTextBrowser>
#include <QThreadPool>
#include <QTimer>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>
#include <cmath>

#include "widgets/chat/ChatText.h"

namespace neurolm::widgets {
namespace {

// The device description up to its first ';' (the thread details go into the tool tip).
QString shortDevice(const QString& device) { return device.section(QLatin1Char(';'), 0, 0).trimmed(); }

QString escaped(const QString& text) {
  QString html = text.toHtmlEscaped();
  html.replace(QLatin1Char('\n'), QStringLiteral("<br>"));
  return html;
}

// A CSV field, quoted when it holds a separator, a quote or a line break (RFC 4180).
QString csvField(const QString& text) {
  if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
      !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r')))
    return text;
  QString quoted = text;
  quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
  return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString exactNumber(double v) { return QString::number(v, 'g', 17); }

}  // namespace

QJsonObject WholeRecordingAnswer::toJson() const {
  QJsonArray rows;
  for (const auto& w : windows) {
    QJsonArray p;
    for (double v : w.probabilities) p.append(v);
    rows.append(QJsonObject{{QStringLiteral("start_s"), w.startSec},
                            {QStringLiteral("end_s"), w.endSec},
                            {QStringLiteral("p"), p},
                            {QStringLiteral("best"), w.best}});
  }
  return QJsonObject{
      {QStringLiteral("window_s"), windowSec},       {QStringLiteral("hop_s"), hopSec},
      {QStringLiteral("batch"), batchSize},          {QStringLiteral("total_windows"), totalWindows},
      {QStringLiteral("cancelled"), cancelled},      {QStringLiteral("seconds"), seconds},
      {QStringLiteral("track_option"), trackOption}, {QStringLiteral("windows"), rows}};
}

std::optional<WholeRecordingAnswer> WholeRecordingAnswer::fromJson(const QJsonObject& extras,
                                                                   bool withWindows) {
  const QJsonValue v = extras.value(QStringLiteral("wholeRecording"));
  if (!v.isObject()) return std::nullopt;
  const QJsonObject o = v.toObject();
  WholeRecordingAnswer w;
  w.windowSec = o.value(QStringLiteral("window_s")).toDouble();
  w.hopSec = o.value(QStringLiteral("hop_s")).toDouble();
  w.batchSize = o.value(QStringLiteral("batch")).toInt();
  w.totalWindows = o.value(QStringLiteral("total_windows")).toInt();
  w.cancelled = o.value(QStringLiteral("cancelled")).toBool();
  w.seconds = o.value(QStringLiteral("seconds")).toDouble();
  w.trackOption = o.value(QStringLiteral("track_option")).toInt();
  if (!withWindows) return w;
  for (const QJsonValue& r : o.value(QStringLiteral("windows")).toArray()) {
    const QJsonObject row = r.toObject();
    ChatScanWindow win;
    win.startSec = row.value(QStringLiteral("start_s")).toDouble();
    win.endSec = row.value(QStringLiteral("end_s")).toDouble();
    for (const QJsonValue& p : row.value(QStringLiteral("p")).toArray())
      win.probabilities.append(p.toDouble());
    win.best = row.value(QStringLiteral("best")).toInt(-1);
    w.windows.append(win);
  }
  return w;
}

QString wholeRecordingCsv(const QString& filePath, const QStringList& options,
                          const QList<ChatScanWindow>& windows) {
  QString csv = QStringLiteral("file,window_start_s,window_end_s");
  for (const QString& o : options) csv += QLatin1Char(',') + csvField(QStringLiteral("p_") + o.trimmed());
  csv += QStringLiteral(",best_option\n");
  const QString file = csvField(filePath);
  for (const auto& w : windows) {
    csv += file + QLatin1Char(',') + exactNumber(w.startSec) + QLatin1Char(',') + exactNumber(w.endSec);
    for (int k = 0; k < options.size(); ++k) csv += QLatin1Char(',') + exactNumber(w.probabilities.value(k));
    csv += QLatin1Char(',') + csvField(w.best >= 0 ? options.value(w.best).trimmed() : QString()) +
           QLatin1Char('\n');
  }
  return csv;
}

ChatPane::ChatPane(ChatBackend* backend, const QString& historyDir, QWidget* parent)
    : QWidget(parent), backend_(backend), historyDir_(historyDir) {
  if (historyDir_.isEmpty())
    historyDir_ = QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                      .filePath(QStringLiteral("chat"));
  qRegisterMetaType<ChatTrack>();
  writeQueue_ = new QThreadPool(this);
  writeQueue_->setMaxThreadCount(1);
  renderTimer_ = new QTimer(this);
  renderTimer_->setSingleShot(true);
  renderTimer_->setInterval(30);  // tokens arriving faster than this are drawn together
  connect(renderTimer_, &QTimer::timeout, this, &ChatPane::render);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);
  layout->setSpacing(6);

  modelLabel_ = new QLabel(this);
  modelLabel_->setObjectName(QStringLiteral("chatModel"));
  modelLabel_->setWordWrap(true);
  modelLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(modelLabel_);

  chip_ = new QLabel(this);
  chip_->setObjectName(QStringLiteral("chatContext"));
  chip_->setWordWrap(true);
  chip_->setStyleSheet(
      QStringLiteral("QLabel#chatContext { background:#eef3fb; color:#1d3557; border:1px solid #c5d5ee;"
                     " border-radius:10px; padding:4px 8px; }"));
  chip_->setToolTip(
      tr("What the next question is about: the page shown, or a range dragged on the traces "
         "(the model reads whole seconds, up to the length it accepts for these channels)"));
  layout->addWidget(chip_);

  taskBar_ = new QWidget(this);
  taskLayout_ = new QHBoxLayout(taskBar_);
  taskLayout_->setContentsMargins(0, 0, 0, 0);
  taskLayout_->setSpacing(4);
  layout->addWidget(taskBar_);

  transcript_ = new QTextBrowser(this);
  transcript_->setObjectName(QStringLiteral("chatTranscript"));
  transcript_->setOpenLinks(false);
  transcript_->setAccessibleName(tr("Conversation"));
  connect(transcript_, &QTextBrowser::anchorClicked, this, &ChatPane::onAnchor);
  layout->addWidget(transcript_, 1);

  stats_ = new QLabel(this);
  stats_->setObjectName(QStringLiteral("chatStats"));
  stats_->setStyleSheet(QStringLiteral("color:#555;"));
  layout->addWidget(stats_);
  note_ = new QLabel(this);
  note_->setWordWrap(true);
  note_->setStyleSheet(QStringLiteral("color:#8a1c1c;"));
  note_->hide();
  layout->addWidget(note_);

  input_ = new QPlainTextEdit(this);
  input_->setObjectName(QStringLiteral("chatInput"));
  input_->setPlaceholderText(
      tr("Ask about this EEG segment, e.g. \"Question: Is this EEG segment of high "
         "workload? Answer:\" (Ctrl+Enter sends)"));
  input_->setAccessibleName(tr("Question"));
  input_->setTabChangesFocus(true);
  input_->setMaximumHeight(72);
  layout->addWidget(input_);

  auto* row = new QHBoxLayout();
  row->setSpacing(4);
  //: Chat pane: label of the answer options box
  auto* optionsLabel = new QLabel(tr("&Options"), this);
  options_ = new QLineEdit(this);
  options_->setObjectName(QStringLiteral("chatOptions"));
  options_->setPlaceholderText(tr("Yes, No"));
  options_->setToolTip(
      tr("Answer options to score, separated by commas; each is scored as the answer's "
         "continuation after a space (\"Yes\" is scored as \" Yes\")"));
  optionsLabel->setBuddy(options_);
  row->addWidget(optionsLabel);
  row->addWidget(options_, 1);
  //: Chat pane: label of the answer length limit (new tokens)
  auto* maxLabel = new QLabel(tr("&Max tokens"), this);
  maxTokens_ = new QSpinBox(this);
  maxTokens_->setRange(1, 1000);
  maxTokens_->setValue(32);
  maxLabel->setBuddy(maxTokens_);
  row->addWidget(maxLabel);
  row->addWidget(maxTokens_);
  sample_ = new QCheckBox(tr("S&ample"), this);
  sample_->setToolTip(tr("Sample the answer (temperature 1) instead of the greedy choice"));
  row->addWidget(sample_);
  layout->addLayout(row);

  scanBar_ = new QWidget(this);
  auto* scanRow = new QHBoxLayout(scanBar_);
  scanRow->setContentsMargins(0, 0, 0, 0);
  scanProgress_ = new QProgressBar(scanBar_);
  scanProgress_->setObjectName(QStringLiteral("chatScanProgress"));
  //: Progress bar of "Ask about the whole recording": %v windows scored of %m
  scanProgress_->setFormat(tr("%v of %m windows"));
  scanCancel_ = new QPushButton(tr("&Cancel"), scanBar_);
  scanCancel_->setToolTip(tr("Stop after the batch of windows being scored (nothing partial is drawn)"));
  connect(scanCancel_, &QPushButton::clicked, this, &ChatPane::stop);
  scanRow->addWidget(scanProgress_, 1);
  scanRow->addWidget(scanCancel_);
  scanBar_->hide();
  layout->addWidget(scanBar_);

  auto* buttons = new QHBoxLayout();
  export_ = new QToolButton(this);
  export_->setText(tr("&Export"));
  export_->setPopupMode(QToolButton::InstantPopup);
  auto* exportMenu = new QMenu(export_);
  exportMenu->addAction(tr("Conversation as &Markdown…"), this,
                        [this]() { showExportDialog(QStringLiteral("md")); });
  exportMenu->addAction(tr("Conversation as &JSON…"), this,
                        [this]() { showExportDialog(QStringLiteral("json")); });
  exportMenu->addSeparator();
  exportMenu->addAction(tr("&Clear conversation"), this, &ChatPane::clearConversation);
  export_->setMenu(exportMenu);
  buttons->addWidget(export_);
  whole_ = new QToolButton(this);
  whole_->setObjectName(QStringLiteral("chatWholeRecording"));
  whole_->setText(tr("&Whole recording"));
  whole_->setToolTip(
      tr("Ask about the whole recording: a question with answer options over every window of the recording "
         "(windows as long as the context chip's, one after another); the probability of an option is drawn "
         "under the overview"));
  whole_->setPopupMode(QToolButton::InstantPopup);
  wholeMenu_ = new QMenu(whole_);
  whole_->setMenu(wholeMenu_);
  buttons->addWidget(whole_);
  buttons->addStretch(1);
  stop_ = new QPushButton(tr("S&top"), this);
  stop_->setToolTip(tr("Stop the answer at its next token (Esc)"));
  connect(stop_, &QPushButton::clicked, this, &ChatPane::stop);
  send_ = new QPushButton(tr("&Send"), this);
  send_->setDefault(true);
  send_->setToolTip(tr("Ask the model (Ctrl+Enter)"));
  connect(send_, &QPushButton::clicked, this, &ChatPane::send);
  buttons->addWidget(stop_);
  buttons->addWidget(send_);
  layout->addLayout(buttons);

  auto* sendKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
  sendKey->setContext(Qt::WidgetWithChildrenShortcut);
  connect(sendKey, &QShortcut::activated, this, &ChatPane::send);
  auto* sendKey2 = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Enter), this);
  sendKey2->setContext(Qt::WidgetWithChildrenShortcut);
  connect(sendKey2, &QShortcut::activated, this, &ChatPane::send);
  auto* escape = new QShortcut(QKeySequence(Qt::Key_Escape), this);
  escape->setContext(Qt::WidgetWithChildrenShortcut);
  connect(escape, &QShortcut::activated, this, [this]() {
    if (isAnswering() || isScanning()) {
      stop();
    } else if (editingTurn_ >= 0) {
      editingTurn_ = -1;
      input_->clear();
      updateControls();
    }
  });

  if (backend_) {
    connect(backend_, &ChatBackend::modelChanged, this, &ChatPane::onModelChanged);
    connect(backend_, &ChatBackend::sourceReady, this, &ChatPane::onSourceReady);
    connect(backend_, &ChatBackend::tokenArrived, this, &ChatPane::onToken);
    connect(backend_, &ChatBackend::answerFinished, this, &ChatPane::onFinished);
    connect(backend_, &ChatBackend::scanProgress, this, &ChatPane::onScanProgress);
    connect(backend_, &ChatBackend::scanFinished, this, &ChatPane::onScanFinished);
    connect(backend_, &ChatBackend::evidenceFinished, this, &ChatPane::onEvidenceFinished);
  }
  onModelChanged();
  updateContext();
  render();
}

ChatPane::~ChatPane() {
  if (activeRequest_ && backend_) backend_->cancel(activeRequest_);
  if (activeScan_ && backend_) backend_->cancel(activeScan_);
  writeQueue_->waitForDone();
}

void ChatPane::flushWrites() { writeQueue_->waitForDone(); }

QString ChatPane::historyPath() const {
  return filePath_.isEmpty() ? QString() : QDir(historyDir_).filePath(chat_history::fileNameFor(filePath_));
}

void ChatPane::setRecording(const QString& filePath) {
  if (activeRequest_ && backend_) backend_->cancel(activeRequest_);  // its late answer is dropped
  if (activeScan_ && backend_) backend_->cancel(activeScan_);
  activeRequest_ = activeScan_ = 0;
  scanTurn_ = -1;
  scanBar_->hide();
  Q_EMIT trackChanged(ChatTrack{});  // a track of the previous recording
  activeTurn_ = activeAlternative_ = -1;
  filePath_ = filePath;
  source_ = {};
  selectionStartSec_ = selectionEndSec_ = 0;
  conversation_.clear();
  editingTurn_ = -1;
  if (backend_ && !filePath.isEmpty()) backend_->prepareSource(filePath);
  updateContext();
  render();
  const quint64 request = ++historyRequest_;
  const QString path = historyPath();
  QPointer<ChatPane> self(this);
  QThreadPool::globalInstance()->start([self, request, path, filePath]() {
    ChatConversation loaded;
    QString error;
    try {
      loaded = chat_history::load(path);
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
    QMetaObject::invokeMethod(
        qApp,
        [self, request, loaded, error, filePath]() {
          if (!self || request != self->historyRequest_) return;  // closed, or another recording meanwhile
          if (!error.isEmpty()) {
            self->note(tr("The chat history could not be read (a new one starts): %1").arg(error));
          } else if (self->conversation_.isEmpty()) {
            self->conversation_ = loaded;
          } else {
            // Questions asked while the history loaded come after the saved ones.
            ChatConversation merged = loaded;
            for (const auto& t : self->conversation_.turns()) {
              const int index = merged.addTurn(t.alternatives.first());
              for (int a = 1; a < t.alternatives.size(); ++a) merged.addAlternative(index, t.alternatives[a]);
            }
            if (self->activeRequest_) self->activeTurn_ += loaded.turnCount();
            if (self->activeScan_) self->scanTurn_ += loaded.turnCount();
            self->conversation_ = merged;
          }
          self->render();
          Q_EMIT self->historyLoaded(filePath);
        },
        Qt::QueuedConnection);
  });
}

void ChatPane::setPage(double startSec, double durationSec) {
  pageStartSec_ = startSec;
  pageDurationSec_ = durationSec;
  updateContext();
}

void ChatPane::setSelection(double startSec, double endSec) {
  selectionStartSec_ = startSec;
  selectionEndSec_ = endSec;
  updateContext();
}

void ChatPane::setMontageName(const QString& name) {
  montage_ = name;
  updateContext();
}

void ChatPane::onModelChanged() {
  model_ = backend_ ? backend_->modelInfo() : ChatModelInfo{};
  tasks_ = model_.tasks;
  if (model_.loaded) {
    modelLabel_->setText(
        tr("<b>Model</b> %1 · %2")
            .arg(model_.modelId.toHtmlEscaped(), shortDevice(model_.device).toHtmlEscaped()));
    modelLabel_->setToolTip(model_.modelPath + QLatin1Char('\n') + model_.device);
  } else {
    modelLabel_->setText(model_.status.isEmpty()
                             ? tr("No model loaded. Load a NeuroLM model with File → Load model…")
                             : model_.status.toHtmlEscaped());
    modelLabel_->setToolTip(QString());
  }
  rebuildTasks();
  updateControls();
}

void ChatPane::rebuildTasks() {
  while (QLayoutItem* item = taskLayout_->takeAt(0)) {
    delete item->widget();
    delete item;
  }
  for (int i = 0; i < tasks_.size(); ++i) {
    auto* b = new QPushButton(tasks_[i].name, taskBar_);
    b->setToolTip(tasks_[i].description.isEmpty()
                      ? tasks_[i].prompt
                      : tasks_[i].description + QStringLiteral("\n\n") + tasks_[i].prompt);
    connect(b, &QPushButton::clicked, this, [this, i]() { askTask(i); });
    taskLayout_->addWidget(b);
  }
  taskLayout_->addStretch(1);
  taskBar_->setVisible(!tasks_.isEmpty());
  wholeMenu_->clear();
  for (int i = 0; i < tasks_.size(); ++i) {
    if (tasks_[i].options.isEmpty()) continue;  // a free answer has no probability to draw
    //: Chat pane, "Whole recording" menu: %1 is a task of the model (e.g. Workload)
    wholeMenu_->addAction(tr("Ask “%1” about the whole recording").arg(tasks_[i].name), this,
                          [this, i]() { askWholeRecording(i); });
  }
  wholeMenu_->addAction(tr("Ask the typed question (with its options) about the whole recording"), this,
                        [this]() { askWholeRecording(-1); });
}

void ChatPane::onSourceReady(const ChatSourceInfo& info) {
  if (info.filePath != filePath_) return;  // an earlier recording's
  source_ = info;
  if (!info.error.isEmpty()) note(info.error);
  updateContext();
  updateControls();
}

std::optional<ChatSegment> ChatPane::currentSegment() const {
  if (filePath_.isEmpty() || source_.filePath != filePath_ || !source_.error.isEmpty()) return std::nullopt;
  const bool selection = selectionEndSec_ > selectionStartSec_;
  const double start = selection ? selectionStartSec_ : pageStartSec_;
  const double end = selection ? selectionEndSec_ : pageStartSec_ + pageDurationSec_;
  const auto w = modelWindow(start, end, source_.maxWindowSec, source_.durationSec);
  if (!w) return std::nullopt;
  ChatSegment s;
  s.filePath = filePath_;
  s.channels = source_.channels;
  s.startSec = w->startSec;
  s.endSec = w->endSec;
  s.montage = montage_.isEmpty() ? tr("referential") : montage_;
  s.fromSelection = selection;
  return s;
}

void ChatPane::updateContext() {
  if (filePath_.isEmpty()) {
    chip_->setText(tr("No recording open"));
    return;
  }
  const QString name = QFileInfo(filePath_).fileName();
  if (source_.filePath != filePath_) {
    chip_->setText(tr("%1 · preparing the channels for the model…").arg(name));
    return;
  }
  if (!source_.error.isEmpty()) {
    chip_->setText(tr("%1 · the model cannot read this recording").arg(name));
    return;
  }
  const auto s = currentSegment();
  if (!s) {
    chip_->setText(tr("%1 · too short for the model (1 s at least)").arg(name));
    return;
  }
  const bool selection = selectionEndSec_ > selectionStartSec_;
  const double wanted = selection ? selectionEndSec_ - selectionStartSec_ : pageDurationSec_;
  QString where = selection ? tr("selection") : tr("page");
  if (wanted > s->lengthSec() + 1e-6)
    where = tr("%1, first %2 s: the model reads at most %3 s of %4 channels")
                .arg(where, secondsText(s->lengthSec()))
                .arg(source_.maxWindowSec)
                .arg(source_.channels.size());
  chip_->setText(tr("%1 · %2 channels · %3–%4 s (%5) · %6")
                     .arg(name, QString::number(s->channels.size()), secondsText(s->startSec),
                          secondsText(s->endSec), where, s->montage));
  chip_->setToolTip(s->channels.join(QStringLiteral(" ")));
}

void ChatPane::updateControls() {
  const bool busy = isAnswering() || isScanning();
  send_->setEnabled(!busy);
  stop_->setEnabled(busy);
  whole_->setEnabled(!busy && model_.loaded);
  for (auto* b : taskBar_->findChildren<QPushButton*>()) b->setEnabled(!busy && model_.loaded);
  send_->setText(editingTurn_ >= 0 ? tr("Re&send") : tr("&Send"));
}

void ChatPane::note(const QString& text, NoteKind kind) {
  note_->setStyleSheet(kind == NoteKind::Problem ? QStringLiteral("color:#8a1c1c;") : QStringLiteral("color:#555;"));
  note_->setText(text);
  note_->setVisible(!text.isEmpty());
}

QStringList ChatPane::typedOptions() const {
  QStringList out;
  for (const QString& part : options_->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
    const QString t = part.trimmed();
    if (!t.isEmpty()) out << QLatin1Char(' ') + t;  // GPT-2 words carry their leading space
  }
  return out;
}

bool ChatPane::send() {
  const QString text = input_->toPlainText().trimmed();
  if (text.isEmpty()) {
    note(tr("Type a question first."));
    return false;
  }
  ChatDecoding d;
  d.maxNewTokens = maxTokens_->value();
  d.sample = sample_->isChecked();
  const int into = editingTurn_;
  if (!start(text, QString(), typedOptions(), d, into)) return false;
  input_->clear();
  editingTurn_ = -1;
  updateControls();
  return true;
}

bool ChatPane::askTask(int taskIndex) {
  if (taskIndex < 0 || taskIndex >= tasks_.size()) return false;
  const ChatTask& t = tasks_[taskIndex];
  ChatDecoding d;
  d.maxNewTokens = maxTokens_->value();
  return start(t.prompt, t.name, t.options, d, -1);
}

bool ChatPane::regenerate(int turn) {
  if (turn < 0 || turn >= conversation_.turnCount()) return false;
  const ChatAlternative& a = conversation_.turn(turn).shown();
  ChatDecoding d = a.decoding;
  if (!d.sample) d.sample = true;
  d.seed = static_cast<quint64>(conversation_.turn(turn).alternatives.size());
  return start(a.instruction, a.taskName, a.options, d, turn);
}

void ChatPane::editTurn(int turn) {
  if (turn < 0 || turn >= conversation_.turnCount() || isAnswering()) return;
  const ChatAlternative& a = conversation_.turn(turn).shown();
  editingTurn_ = turn;
  input_->setPlainText(a.instruction);
  QStringList plain;
  for (const QString& o : a.options) plain << o.trimmed();
  options_->setText(plain.join(QStringLiteral(", ")));
  input_->setFocus();
  note(tr("Editing question %1: Send adds the new answer beside the old one (Esc cancels).").arg(turn + 1),
       NoteKind::Info);
  updateControls();
}

bool ChatPane::start(const QString& instruction, const QString& taskName, const QStringList& options,
                     ChatDecoding decoding, int intoTurn) {
  if (isAnswering() || isScanning()) return false;
  if (!backend_ || !model_.loaded) {
    note(model_.status.isEmpty() ? tr("No model loaded. Load one with File → Load model…") : model_.status);
    return false;
  }
  const bool intoExisting = intoTurn >= 0 && intoTurn < conversation_.turnCount();
  // A turn's alternatives answer the same window; a new turn asks about the page or selection now.
  const auto segment = intoExisting ? std::optional<ChatSegment>(conversation_.turn(intoTurn).shown().segment)
                                    : currentSegment();
  if (intoExisting && segment->filePath != filePath_) return false;
  if (!segment) {
    note(filePath_.isEmpty() ? tr("Open a recording first.")
                             : tr("The recording is not ready for the model yet."));
    return false;
  }
  note(QString());
  ChatAlternative a;
  a.instruction = instruction;
  a.taskName = taskName;
  a.options = options;
  a.decoding = decoding;
  a.segment = *segment;
  a.modelId = model_.modelId;
  a.device = model_.device;
  a.askedAt = QDateTime::currentDateTimeUtc();
  a.streaming = true;
  if (intoExisting) {
    activeTurn_ = intoTurn;
    activeAlternative_ = conversation_.addAlternative(intoTurn, a);
  } else {
    activeTurn_ = conversation_.addTurn(a);
    activeAlternative_ = 0;
  }
  ChatRequest request;
  request.segment = *segment;
  request.instruction = instruction;
  request.options = options;
  request.decoding = decoding;
  activeRequest_ = backend_->ask(request);
  stats_->setText(tr("Waiting for the first token…"));
  updateControls();
  render();
  Q_EMIT answerStarted(activeTurn_);
  return true;
}

void ChatPane::stop() {
  if (activeRequest_ && backend_) backend_->cancel(activeRequest_);
  if (activeEvidence_ && backend_) backend_->cancel(activeEvidence_);
  if (activeScan_ && backend_) {
    backend_->cancel(activeScan_);
    scanCancel_->setEnabled(false);
    //: Chat pane: shown on the whole-recording progress bar after Cancel
    scanProgress_->setFormat(tr("Cancelling after this batch… %v of %m windows"));
  }
}

void ChatPane::onToken(quint64 requestId, int, const QString& text) {
  if (requestId != activeRequest_ || activeTurn_ < 0) return;  // a stopped or superseded request
  ChatAnswer& answer = conversation_.turn(activeTurn_).alternatives[activeAlternative_].answer;
  answer.text += text;
  ++answer.tokenCount;
  scheduleRender();
}

void ChatPane::onFinished(quint64 requestId, const ChatAnswer& answer) {
  if (requestId != activeRequest_) return;
  activeRequest_ = 0;
  const int turn = activeTurn_;
  if (turn >= 0 && turn < conversation_.turnCount()) {
    ChatAlternative& a = conversation_.turn(turn).alternatives[activeAlternative_];
    a.answer = answer;  // the runtime's own decoding of the whole answer
    a.streaming = false;
    if (!answer.error.isEmpty()) note(answer.error);
    QString stats;
    if (answer.firstTokenMs >= 0)
      stats = tr("first token %1 ms · %2 tokens/s · %3 tokens")
                  .arg(answer.firstTokenMs, 0, 'f', 0)
                  .arg(answer.tokensPerSec, 0, 'f', 1)
                  .arg(answer.tokenCount);
    else
      stats = tr("no tokens");
    stats += QStringLiteral(" · ") + shortDevice(a.device);
    stats_->setText(stats);
    stats_->setToolTip(a.device);
  }
  activeTurn_ = activeAlternative_ = -1;
  updateControls();
  render();
  saveHistory();
  Q_EMIT answerFinished(turn);
}

void ChatPane::showAlternative(int turn, int delta) {
  if (isAnswering() && turn == activeTurn_) return;
  if (conversation_.step(turn, delta)) {
    render();
    saveHistory();
  }
}

void ChatPane::onAnchor(const QUrl& url) {
  // chat:<action>/<turn>
  const QStringList parts = url.path().split(QLatin1Char('/'));
  if (url.scheme() != QLatin1String("chat") || parts.size() < 2) return;
  const QString action = parts[0];
  const int turn = parts[1].toInt();
  if (action == QLatin1String("prev")) showAlternative(turn, -1);
  if (action == QLatin1String("next")) showAlternative(turn, +1);
  if (action == QLatin1String("regenerate")) regenerate(turn);
  if (action == QLatin1String("edit")) editTurn(turn);
  if (action == QLatin1String("csv")) showCsvDialog(turn);
  if (action == QLatin1String("evidence")) showEvidence(turn);
  if (action == QLatin1String("track") && parts.size() == 3) showTrack(turn, parts[2].toInt());
}

void ChatPane::scheduleRender() {
  if (!renderTimer_->isActive()) renderTimer_->start();
}

void ChatPane::render() {
  renderTimer_->stop();
  if (conversation_.isEmpty()) {
    transcript_->setHtml(QStringLiteral("<p style='color:#777'>%1</p>")
                             .arg(tr("Ask about the page or a range dragged on the traces. Answers appear "
                                     "here token by token.")));
    return;
  }
  QString html;
  for (int i = 0; i < conversation_.turnCount(); ++i) {
    const ChatTurn& t = conversation_.turn(i);
    const ChatAlternative& a = t.shown();
    const ChatSegment& s = a.segment;
    html += QStringLiteral(
        "<table width='100%' cellspacing='0' cellpadding='6' style='margin-top:6px'>"
        "<tr><td style='background:#f1f4f8'>");
    html += QStringLiteral("<span style='color:#5a6b82; font-size:small'>%1 · %2–%3 s%4</span><br>")
                .arg(QFileInfo(s.filePath).fileName().toHtmlEscaped(), secondsText(s.startSec),
                     secondsText(s.endSec),
                     a.taskName.isEmpty() ? QString() : QStringLiteral(" · ") + a.taskName.toHtmlEscaped());
    html += escaped(a.instruction);
    html += QStringLiteral("</td></tr><tr><td>");
    if (!a.answer.error.isEmpty()) {
      html += QStringLiteral("<span style='color:#8a1c1c'>%1</span>").arg(escaped(a.answer.error));
    } else {
      html += QStringLiteral("<b>%1</b>").arg(escaped(a.answer.text));
      if (a.streaming) html += QStringLiteral(" <span style='color:#4f7cc9'>▍</span>");
      if (a.answer.cancelled) html += QStringLiteral(" <i style='color:#777'>(%1)</i>").arg(tr("stopped"));
    }
    if (!a.answer.choices.isEmpty()) {
      html += QStringLiteral("<table cellspacing='2' cellpadding='1' style='margin-top:4px'>");
      for (const auto& c : a.answer.choices) {
        const int percent = static_cast<int>(std::lround(c.probability * 100));
        const int barPx = std::max(1, static_cast<int>(std::lround(c.probability * 160)));
        html += QStringLiteral(
                    "<tr><td><code>%1</code></td><td width='164'><table cellspacing='0' cellpadding='0'>"
                    "<tr><td width='%2' height='10' style='background:#4f7cc9'></td></tr></table></td>"
                    "<td align='right'>%3</td></tr>")
                    .arg(c.text.toHtmlEscaped())
                    .arg(barPx)
                    .arg(QString::number(c.probability, 'f', 3) + QStringLiteral(" (%1%)").arg(percent));
      }
      html += QStringLiteral("</table>");
    }
    const QJsonObject evidence = a.extras.value(QStringLiteral("evidence")).toObject();
    if (!evidence.isEmpty()) {
      QStringList items;
      const QJsonArray top = evidence.value(QStringLiteral("top")).toArray();
      for (int k = 0; k < std::min<int>(10, static_cast<int>(top.size())); ++k) {
        const QJsonObject r = top[k].toObject();
        items << QStringLiteral("%1 %2–%3 s (%4 %)")
                     .arg(r.value(QStringLiteral("channel")).toString().toHtmlEscaped(),
                          secondsText(r.value(QStringLiteral("startSec")).toDouble()),
                          secondsText(r.value(QStringLiteral("endSec")).toDouble()))
                     .arg(r.value(QStringLiteral("share")).toDouble() * 100, 0, 'f', 1);
      }
      //: Chat pane, under an answer: %1 the option, then the top EEG tokens (channel, seconds, share)
      html +=
          QStringLiteral("<div style='font-size:small; color:#5a3d00'>%1 %2</div>")
              .arg(tr("Evidence for \"%1\" (gradient × input):")
                       .arg(evidence.value(QStringLiteral("option")).toString().trimmed().toHtmlEscaped()),
                   items.join(QStringLiteral(", ")));
    }
    html += QStringLiteral("<br><span style='font-size:small'>");
    if (t.alternatives.size() > 1) {
      html += QStringLiteral("<a href='chat:prev/%1'>‹</a> %2/%3 <a href='chat:next/%1'>›</a> &nbsp; ")
                  .arg(i)
                  .arg(t.current + 1)
                  .arg(t.alternatives.size());
    }
    const auto whole = WholeRecordingAnswer::fromJson(a.extras, /*withWindows=*/false);
    if (whole && !a.streaming) {
      if (!whole->cancelled && a.answer.error.isEmpty()) {
        //: Chat pane, under a whole-recording answer: the option drawn on the overview follows
        html += tr("Overview track:");
        for (int k = 0; k < a.options.size(); ++k) {
          const QString option = a.options[k].trimmed().toHtmlEscaped();
          html += k == whole->trackOption
                      ? QStringLiteral(" <b>%1</b>").arg(option)
                      : QStringLiteral(" <a href='chat:track/%1/%2'>%3</a>").arg(i).arg(k).arg(option);
        }
        html +=
            QStringLiteral(" &nbsp; <a href='chat:track/%1/%2'>%3</a> &nbsp; <a href='chat:csv/%1'>%4</a>")
                .arg(i)
                .arg(whole->trackOption)
                .arg(tr("Show on overview"), tr("Export CSV…"));
      }
    } else if (!a.streaming) {
      html += QStringLiteral("<a href='chat:regenerate/%1'>%2</a> &nbsp; <a href='chat:edit/%1'>%3</a>")
                  .arg(i)
                  .arg(tr("Regenerate"), tr("Edit"));
      if (!a.answer.choices.isEmpty() && a.answer.error.isEmpty())
        //: Chat pane link under an answer with options: highlight the EEG tokens that mattered most
        html += QStringLiteral(" &nbsp; <a href='chat:evidence/%1'>%2</a>").arg(i).arg(tr("Evidence"));
      if (a.answer.firstTokenMs >= 0)
        html += QStringLiteral(" &nbsp; <span style='color:#777'>%1</span>")
                    .arg(tr("%1 ms to first token · %2 tokens/s")
                             .arg(a.answer.firstTokenMs, 0, 'f', 0)
                             .arg(a.answer.tokensPerSec, 0, 'f', 1));
    }
    html += QStringLiteral("</span></td></tr></table>");
  }
  const bool atEnd = transcript_->verticalScrollBar() && transcript_->verticalScrollBar()->value() >=
                                                             transcript_->verticalScrollBar()->maximum() - 4;
  transcript_->setHtml(html);
  if (atEnd) transcript_->verticalScrollBar()->setValue(transcript_->verticalScrollBar()->maximum());
}

QString ChatPane::contextText() const { return chip_->text(); }
QString ChatPane::transcriptText() const { return transcript_->toPlainText(); }
QString ChatPane::statsText() const { return stats_->text(); }

void ChatPane::saveHistory() {
  if (filePath_.isEmpty()) return;
  QJsonObject o = conversation_.toJson();
  o.insert(QStringLiteral("recording"), QFileInfo(filePath_).absoluteFilePath());
  QDir().mkpath(historyDir_);
  writeInBackground(historyPath(), QJsonDocument(o).toJson(QJsonDocument::Indented), true);
}

void ChatPane::writeInBackground(const QString& path, const QByteArray& bytes, bool isHistory) {
  QPointer<ChatPane> self(this);
  const QString dir = QFileInfo(path).absolutePath();
  writeQueue_->start([self, path, bytes, isHistory, dir]() {
    QString error;
    QDir().mkpath(dir);
    QSaveFile file(path);  // written under a temporary name, renamed over the old file when complete
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
      error = tr("Could not write %1: %2").arg(path, file.errorString());
    QMetaObject::invokeMethod(
        qApp,
        [self, path, error, isHistory]() {
          if (!self) return;
          if (!error.isEmpty()) {
            self->note(error);
            Q_EMIT self->writeFailed(error);
          } else if (isHistory) {
            Q_EMIT self->historySaved(path);
          } else {
            Q_EMIT self->exported(path);
          }
        },
        Qt::QueuedConnection);
  });
}

void ChatPane::exportMarkdown(const QString& path) {
  writeInBackground(path, conversation_.toMarkdown().toUtf8(), false);
}

void ChatPane::exportJson(const QString& path) {
  writeInBackground(path, QJsonDocument(conversation_.toJson()).toJson(QJsonDocument::Indented), false);
}

void ChatPane::showExportDialog(const QString& format) {
  const bool md = format == QLatin1String("md");
  const QString base = QFileInfo(filePath_).completeBaseName() + QStringLiteral("-chat.") + format;
  auto* dialog =
      new QFileDialog(this, tr("Export conversation"), QFileInfo(filePath_).absoluteDir().filePath(base),
                      md ? tr("Markdown (*.md)") : tr("JSON (*.json)"));
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setAcceptMode(QFileDialog::AcceptSave);
  dialog->setDefaultSuffix(format);
  connect(dialog, &QFileDialog::fileSelected, this, [this, md](const QString& path) {
    if (md) {
      exportMarkdown(path);
    } else {
      exportJson(path);
    }
  });
  dialog->open();
}

void ChatPane::clearConversation() {
  if (isAnswering() || isScanning()) stop();
  activeRequest_ = activeScan_ = 0;  // a late answer of the stopped request is dropped
  scanTurn_ = -1;
  scanBar_->hide();
  conversation_.clear();
  activeTurn_ = activeAlternative_ = -1;
  updateControls();
  render();
  saveHistory();
}

}  // namespace neurolm::widgets
