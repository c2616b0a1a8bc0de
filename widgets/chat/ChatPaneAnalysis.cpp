#include "widgets/chat/ChatPane.h"

// The chat pane's analyses of a recording beyond one answer: "Ask about the whole recording" (windows scored in
// batches, the overview track, CSV) and the evidence of an answer (gradient × input on the inference thread).
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <cmath>

#include "widgets/chat/ChatText.h"

namespace neurolm::widgets {

bool ChatPane::askWholeRecording(int taskIndex) {
  if (isAnswering() || isScanning()) return false;
  if (!backend_ || !model_.loaded) {
    note(model_.status.isEmpty() ? tr("No model loaded. Load one with File → Load model…") : model_.status);
    return false;
  }
  QString instruction, taskName;
  QStringList options;
  if (taskIndex >= 0) {
    if (taskIndex >= tasks_.size()) return false;
    instruction = tasks_[taskIndex].prompt;
    taskName = tasks_[taskIndex].name;
    options = tasks_[taskIndex].options;
  } else {
    instruction = input_->toPlainText().trimmed();
    options = typedOptions();
    if (instruction.isEmpty()) {
      note(tr("Type a question first."));
      return false;
    }
  }
  if (options.isEmpty()) {
    note(tr("The whole recording is asked a multiple-choice question: give answer options (e.g. Yes, No)."));
    return false;
  }
  const auto segment = currentSegment();
  if (!segment) {
    note(filePath_.isEmpty() ? tr("Open a recording first.")
                             : tr("The recording is not ready for the model yet."));
    return false;
  }
  note(QString());
  WholeRecordingAnswer w;
  w.windowSec = segment->lengthSec();  // the context chip's window length
  w.hopSec = w.windowSec;              // windows one after another
  w.batchSize = scanBatchSize_;
  w.totalWindows = static_cast<int>(std::floor((source_.durationSec - w.windowSec) / w.hopSec + 1e-9)) + 1;
  for (int k = 0; k < options.size(); ++k)
    if (options[k].trimmed().compare(QStringLiteral("Yes"), Qt::CaseInsensitive) == 0) w.trackOption = k;
  ChatAlternative a;
  a.instruction = instruction;
  a.taskName = taskName;
  a.options = options;
  a.segment = *segment;
  a.segment.startSec = 0;
  a.segment.endSec = (w.totalWindows - 1) * w.hopSec + w.windowSec;
  a.segment.fromSelection = false;
  a.modelId = model_.modelId;
  a.device = model_.device;
  a.askedAt = QDateTime::currentDateTimeUtc();
  a.streaming = true;
  a.extras.insert(QStringLiteral("wholeRecording"), w.toJson());
  scanTurn_ = conversation_.addTurn(a);
  ChatScanRequest request;
  request.filePath = filePath_;
  request.instruction = instruction;
  request.options = options;
  request.windowSec = w.windowSec;
  request.hopSec = w.hopSec;
  request.batchSize = w.batchSize;
  activeScan_ = backend_->scanRecording(request);
  scanProgress_->setRange(0, std::max(1, w.totalWindows));
  scanProgress_->setValue(0);
  scanProgress_->setFormat(tr("%v of %m windows"));
  scanProgress_->setToolTip(tr("Windows of %1 s every %2 s (the context chip's window length), %3 at a time")
                                .arg(secondsText(w.windowSec), secondsText(w.hopSec))
                                .arg(w.batchSize));
  scanCancel_->setEnabled(true);
  scanBar_->show();
  stats_->setText(tr("Scoring the whole recording: windows of %1 s every %2 s (the context chip's length)")
                      .arg(secondsText(w.windowSec), secondsText(w.hopSec)));
  updateControls();
  render();
  Q_EMIT scanStarted(scanTurn_);
  return true;
}

void ChatPane::onScanProgress(quint64 requestId, int done, int total) {
  if (requestId != activeScan_) return;
  scanProgress_->setRange(0, std::max(1, total));
  scanProgress_->setValue(done);
}

QString ChatPane::scanSummary(const ChatAlternative& a, const WholeRecordingAnswer& w) const {
  if (w.cancelled)
    return tr("Cancelled after %1 of %2 windows: no track is drawn.")
        .arg(w.windows.size())
        .arg(w.totalWindows);
  double sum = 0;
  int above = 0;
  for (const auto& win : w.windows) {
    const double p = win.probabilities.value(w.trackOption);
    sum += p;
    above += p > 0.5 ? 1 : 0;
  }
  const double n = std::max<double>(1, static_cast<double>(w.windows.size()));
  const QString option = a.options.value(w.trackOption).trimmed();
  //: Chat pane, summary of a whole-recording answer. %1 windows, %2/%3 window length and hop (s), %4 option,
  //: %5 mean probability, %6 share of windows above 0.5, %7 seconds taken, %8 windows per second
  return tr("Whole recording: %1 windows of %2 s (every %3 s) · mean P(%4) %5 · %6% of windows above 0.5 · "
            "%7 s · %8 windows/s")
      .arg(w.windows.size())
      .arg(secondsText(w.windowSec), secondsText(w.hopSec), option)
      .arg(sum / n, 0, 'f', 3)
      .arg(100.0 * above / n, 0, 'f', 1)
      .arg(w.seconds, 0, 'f', 2)
      .arg(w.seconds > 0 ? static_cast<double>(w.windows.size()) / w.seconds : 0.0, 0, 'f', 1);
}

void ChatPane::onScanFinished(quint64 requestId, const ChatScanResult& result) {
  if (requestId != activeScan_) return;
  activeScan_ = 0;
  const int turn = scanTurn_;
  scanTurn_ = -1;
  scanBar_->hide();
  if (turn >= 0 && turn < conversation_.turnCount()) {
    ChatAlternative& a = conversation_.turn(turn).shown();
    auto w = WholeRecordingAnswer::fromJson(a.extras).value_or(WholeRecordingAnswer{});
    w.windows = result.windows;
    w.totalWindows = result.totalWindows > 0 ? result.totalWindows : w.totalWindows;
    w.cancelled = result.cancelled;
    w.seconds = result.seconds;
    if (w.cancelled) w.windows.clear();  // nothing partial is kept as if it were the answer
    a.extras.insert(QStringLiteral("wholeRecording"), w.toJson());
    a.streaming = false;
    a.answer = ChatAnswer{};
    a.answer.seconds = result.seconds;
    a.answer.cancelled = result.cancelled;
    a.answer.error = result.error;
    if (result.error.isEmpty()) {
      a.answer.text = result.cancelled ? tr("Cancelled after %1 of %2 windows: no track is drawn.")
                                             .arg(result.windows.size())
                                             .arg(w.totalWindows)
                                       : scanSummary(a, w);
    } else {
      note(result.error);
    }
    stats_->setText(a.answer.text.isEmpty() ? result.error : a.answer.text);
    if (!result.cancelled && result.error.isEmpty()) showTrack(turn, w.trackOption);
  }
  updateControls();
  render();
  saveHistory();
  Q_EMIT scanFinished(turn);
}

std::optional<ChatTrack> ChatPane::trackOf(int turn) const {
  if (turn < 0 || turn >= conversation_.turnCount()) return std::nullopt;
  const ChatAlternative& a = conversation_.turn(turn).shown();
  const auto w = WholeRecordingAnswer::fromJson(a.extras);
  if (!w || w->cancelled || w->windows.isEmpty() || a.streaming || !a.answer.error.isEmpty())
    return std::nullopt;
  ChatTrack t;
  const QString option = a.options.value(w->trackOption).trimmed();
  //: Label of the overview track: probability of an answer option, e.g. P(Yes)
  t.label = tr("P(%1)").arg(option);
  t.description = tr("P(%1) per %2-s window: %3%4 · %5")
                      .arg(option, secondsText(w->windowSec),
                           a.taskName.isEmpty() ? QString() : a.taskName + QStringLiteral(": "),
                           a.instruction, a.modelId);
  for (const auto& win : w->windows) {
    t.startSec.append(win.startSec);
    t.endSec.append(win.endSec);
    t.value.append(win.probabilities.value(w->trackOption));
  }
  return t;
}

bool ChatPane::showTrack(int turn, int option) {
  if (turn < 0 || turn >= conversation_.turnCount()) return false;
  ChatAlternative& a = conversation_.turn(turn).shown();
  auto w = WholeRecordingAnswer::fromJson(a.extras);
  if (!w || option < 0 || option >= a.options.size()) return false;
  if (w->trackOption != option) {
    w->trackOption = option;
    a.extras.insert(QStringLiteral("wholeRecording"), w->toJson());
    if (!w->cancelled && a.answer.error.isEmpty()) a.answer.text = scanSummary(a, *w);
    render();
    saveHistory();
  }
  const auto track = trackOf(turn);
  if (!track) return false;
  Q_EMIT trackChanged(*track);
  return true;
}

void ChatPane::exportCsv(int turn, const QString& path) {
  if (turn < 0 || turn >= conversation_.turnCount()) return;
  const ChatAlternative& a = conversation_.turn(turn).shown();
  const auto w = WholeRecordingAnswer::fromJson(a.extras);
  if (!w || w->cancelled) return;
  writeInBackground(path, wholeRecordingCsv(a.segment.filePath, a.options, w->windows).toUtf8(), false);
}

void ChatPane::showCsvDialog(int turn) {
  const QString base = QFileInfo(filePath_).completeBaseName() + QStringLiteral("-whole-recording.csv");
  auto* dialog = new QFileDialog(this, tr("Export whole-recording answer"),
                                 QFileInfo(filePath_).absoluteDir().filePath(base), tr("CSV (*.csv)"));
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setAcceptMode(QFileDialog::AcceptSave);
  dialog->setDefaultSuffix(QStringLiteral("csv"));
  connect(dialog, &QFileDialog::fileSelected, this,
          [this, turn](const QString& path) { exportCsv(turn, path); });
  dialog->open();
}

bool ChatPane::showEvidence(int turn) {
  if (!backend_ || turn < 0 || turn >= conversation_.turnCount() || activeEvidence_) return false;
  const ChatAlternative& a = conversation_.turn(turn).shown();
  if (a.streaming || a.answer.choices.isEmpty() || WholeRecordingAnswer::fromJson(a.extras, false))
    return false;
  int best = 0;
  for (int k = 1; k < a.answer.choices.size(); ++k)
    if (a.answer.choices[k].probability > a.answer.choices[best].probability) best = k;
  ChatEvidenceRequest request;
  request.segment = a.segment;
  request.instruction = a.instruction;
  request.option = a.answer.choices[best].text;
  evidenceTurn_ = turn;
  activeEvidence_ = backend_->explain(request);
  //: Chat pane note while the evidence of an answer is computed on the inference thread
  note(tr("Computing the evidence for \"%1\" (gradient × input)… Stop cancels.").arg(request.option.trimmed()),
       NoteKind::Info);
  updateControls();
  return true;
}

void ChatPane::onEvidenceFinished(quint64 requestId, const ChatEvidence& evidence) {
  if (requestId != activeEvidence_) return;
  activeEvidence_ = 0;
  const int turn = evidenceTurn_;
  evidenceTurn_ = -1;
  updateControls();
  if (!evidence.error.isEmpty()) {
    note(evidence.error);
    return;
  }
  if (evidence.cancelled) {
    //: Chat pane note after Stop during the evidence computation
    note(tr("Evidence cancelled."), NoteKind::Info);
    return;
  }
  if (turn < 0 || turn >= conversation_.turnCount()) return;
  const QList<ChatEvidenceToken> top = evidence.tokens.mid(0, 20);
  QJsonArray rows;
  for (const auto& t : top)
    rows.append(QJsonObject{{QStringLiteral("row"), t.channelRow},
                            {QStringLiteral("channel"), t.channel},
                            {QStringLiteral("startSec"), t.startSec},
                            {QStringLiteral("endSec"), t.endSec},
                            {QStringLiteral("contribution"), t.contribution},
                            {QStringLiteral("share"), t.share}});
  conversation_.turn(turn).shown().extras.insert(QStringLiteral("evidence"),
                                                 QJsonObject{{QStringLiteral("option"), evidence.option},
                                                             {QStringLiteral("method"), evidence.method},
                                                             {QStringLiteral("logProb"), evidence.logProb},
                                                             {QStringLiteral("top"), rows}});
  //: Chat pane note when the evidence is shown; %1 seconds
  note(tr("Evidence computed in %1 s.").arg(evidence.seconds, 0, 'f', 2), NoteKind::Info);
  render();
  saveHistory();
  Q_EMIT evidenceShown(turn, top);
}

}  // namespace neurolm::widgets
