#pragma once
// The chat pane (content of the "Chat" dock): ask NeuroLM about the shown page or a dragged selection. A
// context chip says what the question is about (file, channels, the model's window, montage); the model's
// tasks are one click away and free text is allowed; answers stream token by token into the transcript; Stop
// takes effect on the next token; Regenerate and edit-and-resend keep earlier answers as alternatives (‹ 1/2
// ›); option probabilities are drawn as bars; time to first token, tokens/s and the device are shown. The
// conversation of each recording is kept as JSON in the app data folder and exported to Markdown or JSON.
#include <QHash>
#include <QPointer>
#include <QWidget>
#include <algorithm>
#include <optional>

#include "widgets/chat/ChatBackend.h"
#include "widgets/chat/ChatConversation.h"

class QCheckBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QMenu;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTextBrowser;
class QThreadPool;
class QTimer;
class QToolButton;
class QUrl;

namespace neurolm::widgets {

// The per-window probability of one option of a whole-recording answer, for the overview.
struct ChatTrack {
  QString label;        // the option, e.g. "Yes"
  QString description;  // question, window length, model
  QList<double> startSec, endSec, value;
};

// A whole-recording answer as stored in its alternative's extras["wholeRecording"].
struct WholeRecordingAnswer {
  double windowSec = 0, hopSec = 0;
  int batchSize = 0;
  int totalWindows = 0;
  bool cancelled = false;
  double seconds = 0;
  int trackOption = 0;  // the option drawn on the overview
  QList<ChatScanWindow> windows;
  QJsonObject toJson() const;
  // withWindows = false reads only the settings (what the transcript needs on every render).
  static std::optional<WholeRecordingAnswer> fromJson(const QJsonObject& extras, bool withWindows = true);
};

// CSV of a whole-recording answer: file, window start/end (s), each option's probability, best option; one
// row per window. Option columns are "p_<option>" with the option's leading space dropped.
QString wholeRecordingCsv(const QString& filePath, const QStringList& options,
                          const QList<ChatScanWindow>& windows);

class ChatPane : public QWidget {
  Q_OBJECT

 public:
  // historyDir: where conversations are kept; empty = <AppDataLocation>/chat.
  explicit ChatPane(ChatBackend* backend, const QString& historyDir = QString(), QWidget* parent = nullptr);
  ~ChatPane() override;

  // The recording questions are about (its history is loaded on a worker; historyLoaded() follows).
  void setRecording(const QString& filePath);
  QString recordingPath() const { return filePath_; }
  const ChatConversation& conversation() const { return conversation_; }
  // The segment the next question is about (the model's window of the page or selection); nullopt when no
  // recording is ready for the model.
  std::optional<ChatSegment> currentSegment() const;
  QString contextText() const;     // the context chip's text
  QString transcriptText() const;  // the transcript as plain text
  QString statsText() const;       // first token, tokens/s, device
  QString historyPath() const;     // the open recording's history file
  bool isAnswering() const { return activeRequest_ != 0; }
  bool isScanning() const { return activeScan_ != 0; }
  bool isExplaining() const { return activeEvidence_ != 0; }
  const QList<ChatTask>& tasks() const { return tasks_; }

  QPlainTextEdit* inputEdit() const { return input_; }
  QLineEdit* optionsEdit() const { return options_; }
  QSpinBox* maxTokensBox() const { return maxTokens_; }
  QCheckBox* sampleBox() const { return sample_; }
  QPushButton* sendButton() const { return send_; }
  QPushButton* stopButton() const { return stop_; }
  QTextBrowser* transcript() const { return transcript_; }
  QToolButton* wholeRecordingButton() const { return whole_; }
  QProgressBar* scanProgressBar() const { return scanProgress_; }
  QPushButton* scanCancelButton() const { return scanCancel_; }
  // Windows scored together in "Ask about the whole recording" (8 by default).
  void setScanBatchSize(int windows) { scanBatchSize_ = std::max(1, windows); }
  // The track of a whole-recording turn (its shown answer), empty when the turn has none or was cancelled.
  std::optional<ChatTrack> trackOf(int turn) const;

  // Waits for pending history and export writes.
  void flushWrites();

 public Q_SLOTS:
  void setPage(double startSec, double durationSec);
  void setSelection(double startSec, double endSec);  // end <= start: none (the page is used)
  void setMontageName(const QString& name);
  // Asks the input box's text (with the options box's options); false, and a note, when it cannot.
  bool send();
  // Asks a task of the model about the current segment.
  bool askTask(int taskIndex);
  // "Ask about the whole recording": the task (taskIndex -1: the typed question with its options) over every
  // window of the recording, windows as long as the context chip's (its model window), one after another
  // (hop = window length). False, and a note, when it cannot start (no options, no model, busy).
  bool askWholeRecording(int taskIndex);
  // Draws option `option` of a whole-recording turn on the overview (trackChanged).
  bool showTrack(int turn, int option);
  void exportCsv(int turn, const QString& path);
  void showCsvDialog(int turn);
  void stop();  // the answer, the evidence while it waits, or the whole-recording run between batches
  // Evidence of a turn's answer with options: which EEG tokens moved its most probable option (gradient ×
  // input, on the inference thread). The top tokens are listed in the answer and sent as evidenceShown().
  bool showEvidence(int turn);
  // A new answer to a turn about the same segment (sampled with a new seed: greedy would repeat itself).
  bool regenerate(int turn);
  // Puts a turn's question into the input box; the next send adds its answer to that turn (same segment).
  void editTurn(int turn);
  void showAlternative(int turn, int delta);
  void exportMarkdown(const QString& path);
  void exportJson(const QString& path);
  void showExportDialog(const QString& format);
  void clearConversation();

 Q_SIGNALS:
  void answerStarted(int turn);
  void answerFinished(int turn);
  void historyLoaded(const QString& recordingPath);
  void historySaved(const QString& historyPath);
  void exported(const QString& path);
  void writeFailed(const QString& message);
  void scanStarted(int turn);
  void scanFinished(int turn);
  // A whole-recording answer to draw on the overview.
  void trackChanged(const neurolm::widgets::ChatTrack& track);
  // The top tokens (at most 20, highest share first) of a turn's evidence, for the token lane and traces.
  void evidenceShown(int turn, const QList<neurolm::widgets::ChatEvidenceToken>& top);

 private:
  void onModelChanged();
  void onSourceReady(const ChatSourceInfo& info);
  void onToken(quint64 requestId, int step, const QString& text);
  void onFinished(quint64 requestId, const ChatAnswer& answer);
  void onAnchor(const QUrl& url);
  void onScanProgress(quint64 requestId, int done, int total);
  void onScanFinished(quint64 requestId, const ChatScanResult& result);
  void onEvidenceFinished(quint64 requestId, const ChatEvidence& evidence);
  QString scanSummary(const ChatAlternative& a, const WholeRecordingAnswer& w) const;
  // intoTurn >= 0: a new answer of that turn, about the turn's own segment.
  bool start(const QString& instruction, const QString& taskName, const QStringList& options,
             ChatDecoding decoding, int intoTurn);
  void rebuildTasks();
  void updateContext();
  void updateControls();
  void scheduleRender();
  void render();
  void saveHistory();
  void writeInBackground(const QString& path, const QByteArray& bytes, bool isHistory);
  enum class NoteKind { Problem, Info };
  void note(const QString& text, NoteKind kind = NoteKind::Problem);  // red for problems, grey for progress
  QStringList typedOptions() const;

  QPointer<ChatBackend> backend_;
  QString historyDir_;
  QString filePath_;
  ChatSourceInfo source_;
  ChatModelInfo model_;
  QList<ChatTask> tasks_;
  double pageStartSec_ = 0, pageDurationSec_ = 10;
  double selectionStartSec_ = 0, selectionEndSec_ = 0;
  QString montage_;
  ChatConversation conversation_;
  quint64 historyRequest_ = 0;
  quint64 activeRequest_ = 0;
  int activeTurn_ = -1, activeAlternative_ = -1;
  int editingTurn_ = -1;
  quint64 activeScan_ = 0;
  int scanTurn_ = -1;
  int scanBatchSize_ = 8;
  quint64 activeEvidence_ = 0;
  int evidenceTurn_ = -1;

  QLabel* modelLabel_ = nullptr;
  QLabel* chip_ = nullptr;
  QWidget* taskBar_ = nullptr;
  QHBoxLayout* taskLayout_ = nullptr;
  QTextBrowser* transcript_ = nullptr;
  QLabel* stats_ = nullptr;
  QLabel* note_ = nullptr;
  QPlainTextEdit* input_ = nullptr;
  QLineEdit* options_ = nullptr;
  QSpinBox* maxTokens_ = nullptr;
  QCheckBox* sample_ = nullptr;
  QToolButton* export_ = nullptr;
  QPushButton* send_ = nullptr;
  QPushButton* stop_ = nullptr;
  QToolButton* whole_ = nullptr;
  QMenu* wholeMenu_ = nullptr;
  QWidget* scanBar_ = nullptr;
  QProgressBar* scanProgress_ = nullptr;
  QPushButton* scanCancel_ = nullptr;
  QTimer* renderTimer_ = nullptr;
  QThreadPool* writeQueue_ = nullptr;  // one thread: history and exports written in order
};

}  // namespace neurolm::widgets

Q_DECLARE_METATYPE(neurolm::widgets::ChatTrack)
