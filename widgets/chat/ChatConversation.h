#pragma once
// The chat pane's view-model: the questions asked about one recording and their answers. A turn keeps every
// answer it was given (regenerated, or asked again after an edit) as alternatives, one of them shown. Plain
// data with JSON and Markdown forms; the per-recording history file is this JSON (ChatHistory below).
//
// Room to grow: an alternative's `extras` object carries what later features attach to an answer (evidence
// spans, token-lane references, whole-recording tracks) and survives the JSON round trip untouched.
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <optional>

#include "widgets/chat/ChatBackend.h"

namespace neurolm::widgets {

struct ChatAlternative {
  QString instruction;
  QString taskName;  // empty: free text
  QStringList options;
  ChatDecoding decoding;
  ChatSegment segment;
  QString modelId;
  QString device;
  QDateTime askedAt;
  ChatAnswer answer;
  bool streaming = false;  // still receiving tokens (never persisted as true)
  QJsonObject extras;
};

struct ChatTurn {
  QList<ChatAlternative> alternatives;
  int current = 0;  // the alternative shown
  const ChatAlternative& shown() const { return alternatives[current]; }
  ChatAlternative& shown() { return alternatives[current]; }
};

class ChatConversation {
 public:
  const QList<ChatTurn>& turns() const { return turns_; }
  bool isEmpty() const { return turns_.isEmpty(); }
  int turnCount() const { return static_cast<int>(turns_.size()); }
  const ChatTurn& turn(int index) const { return turns_[index]; }
  ChatTurn& turn(int index) { return turns_[index]; }
  // Returns the new turn's index.
  int addTurn(const ChatAlternative& first);
  // Adds an alternative to a turn and shows it; returns its index.
  int addAlternative(int turn, const ChatAlternative& alternative);
  // Shows the previous (-1) or next (+1) alternative; false at either end.
  bool step(int turn, int delta);
  void clear() { turns_.clear(); }

  QJsonObject toJson() const;
  // Throws std::runtime_error naming the field when the object is not a conversation.
  static ChatConversation fromJson(const QJsonObject& object);
  // Every turn's shown answer with its references (file, channels, window, montage), model and decoding.
  QString toMarkdown() const;

 private:
  QList<ChatTurn> turns_;
};

// The model's window for a wanted time range: starts on a 200-Hz sample, lasts whole seconds, between 1 s and
// maxWindowSec, inside the recording. Empty when the recording is shorter than 1 s or maxWindowSec < 1.
struct ModelWindow {
  double startSec = 0, endSec = 0;
  bool shortened = false;  // the wanted range was longer than the model accepts
};
std::optional<ModelWindow> modelWindow(double startSec, double endSec, int maxWindowSec, double durationSec);

// Tasks of a model from the JSON array [{"name","prompt","options":[...],"description"}]; entries without a
// prompt are skipped, unnamed ones are named by their prompt. Empty text: no tasks.
QList<ChatTask> parseChatTasks(const QString& json);

namespace chat_history {
// "<sha1 of absolute path | size | mtime>.json": a recording's history file name; a changed file starts
// fresh.
QString fileNameFor(const QString& recordingPath);
// Writes atomically (a temporary file renamed over the old one); throws std::runtime_error naming the file.
void save(const QString& path, const ChatConversation& conversation, const QString& recordingPath);
// Empty conversation when the file does not exist; throws naming the file when it cannot be read.
ChatConversation load(const QString& path);
}  // namespace chat_history

}  // namespace neurolm::widgets
