#pragma once
// What the chat pane talks to (no torch here): app/ implements it over the inference runtime. Every call
// returns at once; work happens on workers and results come back as signals on the GUI thread, each with the
// request id it answers (the pane drops ids it no longer waits for).
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

namespace neurolm::widgets {

// What a question is about: a time window of one recording, the channels the model reads and the montage the
// user was looking at (the model always reads the referential channels; the montage is context for people).
struct ChatSegment {
  QString filePath;
  QStringList channels;  // the model's channel names, in model order
  double startSec = 0;
  double endSec = 0;
  QString montage;             // shown montage's name ("referential" when none)
  bool fromSelection = false;  // a dragged selection rather than the page
  double lengthSec() const { return endSec - startSec; }
};

// One of the model's tasks: a fixed prompt and, for classification, the answer options it scores.
struct ChatTask {
  QString name;
  QString prompt;
  QStringList options;  // exact continuation texts (e.g. " Yes", " No"); empty: free answer
  QString description;
};

struct ChatDecoding {
  int maxNewTokens = 32;
  bool sample = false;  // greedy when false
  double temperature = 1.0;
  int topK = 0;
  double topP = 1.0;
  quint64 seed = 0;
};

struct ChatRequest {
  ChatSegment segment;
  QString instruction;
  QStringList options;  // scored continuations; empty: none
  ChatDecoding decoding;
};

struct ChatChoice {
  QString text;
  double probability = 0;  // normalised over the request's options
  double logProb = 0;
};

struct ChatAnswer {
  QString text;
  int tokenCount = 0;
  bool cancelled = false;
  QList<ChatChoice> choices;
  double firstTokenMs = -1;  // from the request to its first token (-1: no token)
  double tokensPerSec = 0;   // generation speed after the first token
  double seconds = 0;        // the whole request
  QString error;             // set when the request failed (file and problem)
};

struct ChatModelInfo {
  bool loaded = false;
  QString modelId;  // e.g. the model file's name and parameter count
  QString modelPath;
  QString device;
  QList<ChatTask> tasks;
  QString
      status;  // what to tell the user while none is loaded (loading, how to load one, why loading failed)
};

// The window the model reads for a file: its channels and the longest window it accepts.
struct ChatSourceInfo {
  QString filePath;
  QStringList channels;
  double durationSec = 0;
  int maxWindowSec = 0;
  QString error;  // the file could not be prepared
};

// "Ask about the whole recording": one question with answer options over windows of windowSec every hopSec
// from the recording's start (the last window ends at or before its end), batchSize windows at a time.
struct ChatScanRequest {
  QString filePath;
  QString instruction;
  QStringList options;  // at least one
  double windowSec = 10;
  double hopSec = 10;
  int batchSize = 8;
};

struct ChatScanWindow {
  double startSec = 0, endSec = 0;
  QList<double> probabilities;  // per option of the request, as ChatChoice::probability
  int best = -1;                // the most probable option
};

struct ChatScanResult {
  QStringList options;
  QList<ChatScanWindow> windows;  // every window, or those scored before a cancel
  int totalWindows = 0;
  bool cancelled = false;  // windows then holds only the part scored before the cancel
  double seconds = 0;      // from the request to its end
  QString error;           // set when the scan failed (file and problem)
};

// Evidence of an answer option: which EEG tokens (a channel over one second of the segment) moved it. The
// runtime's method is gradient × input of log p(option | EEG, prompt) with respect to the EEG embeddings.
struct ChatEvidenceRequest {
  ChatSegment segment;
  QString instruction;
  QString option;  // the option explained (e.g. the most probable one)
};

struct ChatEvidenceToken {
  int channelRow = 0;               // index into ChatSegment::channels
  QString channel;                  // the model's name of that channel
  QString sourceLabel;              // the recording's label of that channel (as the traces show it)
  double startSec = 0, endSec = 0;  // in the recording (segment start + second)
  double contribution = 0;          // signed gradient × input
  double score = 0;                 // |contribution|
  double share = 0;                 // score / sum of scores
};

struct ChatEvidence {
  QString option;
  QString method;  // e.g. "gradient × input"
  double logProb = 0;
  QList<ChatEvidenceToken> tokens;  // every real token, highest score first
  bool cancelled = false;
  double seconds = 0;
  QString error;
};

class ChatBackend : public QObject {
  Q_OBJECT

 public:
  using QObject::QObject;
  ~ChatBackend() override = default;

  virtual ChatModelInfo modelInfo() const = 0;
  // Prepares `filePath` for the model on a worker (channels mapped, recording preprocessed) and reports it
  // with sourceReady(); repeated calls for the same file answer from a cache.
  virtual void prepareSource(const QString& filePath) = 0;
  // Starts an answer: tokens stream as tokenArrived(), then answerFinished(). Returns the request id (> 0).
  virtual quint64 ask(const ChatRequest& request) = 0;
  // Stops a request before its next token (its answer keeps the tokens so far, cancelled = true).
  virtual void cancel(quint64 requestId) = 0;
  // Starts option scoring of every window of a recording on the inference thread: scanProgress() after each
  // batch, then scanFinished(). cancel(id) stops it between batches. Returns the request id (> 0).
  virtual quint64 scanRecording(const ChatScanRequest& request) = 0;
  // Computes the evidence of an option on the inference thread, then evidenceFinished(). cancel(id) drops it
  // while it waits (a running one is a single pass and finishes). Returns the request id (> 0).
  virtual quint64 explain(const ChatEvidenceRequest& request) = 0;

 Q_SIGNALS:
  void modelChanged();
  void sourceReady(const neurolm::widgets::ChatSourceInfo& info);
  // `text` is the new text since the previous token (a character split over tokens arrives whole).
  void tokenArrived(quint64 requestId, int step, const QString& text);
  void answerFinished(quint64 requestId, const neurolm::widgets::ChatAnswer& answer);
  void scanProgress(quint64 requestId, int doneWindows, int totalWindows);
  void scanFinished(quint64 requestId, const neurolm::widgets::ChatScanResult& result);
  void evidenceFinished(quint64 requestId, const neurolm::widgets::ChatEvidence& evidence);
};

}  // namespace neurolm::widgets

Q_DECLARE_METATYPE(neurolm::widgets::ChatSourceInfo)
Q_DECLARE_METATYPE(neurolm::widgets::ChatAnswer)
Q_DECLARE_METATYPE(neurolm::widgets::ChatScanResult)
Q_DECLARE_METATYPE(neurolm::widgets::ChatEvidence)
Q_DECLARE_METATYPE(neurolm::widgets::ChatEvidenceToken)
