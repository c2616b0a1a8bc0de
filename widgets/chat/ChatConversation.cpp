#include "widgets/chat/ChatConversation.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace neurolm::widgets {
namespace {

constexpr double kModelSampleRateHz = 200;  // spec §1.3: the model reads 200-Hz patches of 1 s

QJsonArray toArray(const QStringList& list) { return QJsonArray::fromStringList(list); }
QStringList toStrings(const QJsonValue& v) {
  QStringList out;
  for (const auto& item : v.toArray()) out << item.toString();
  return out;
}

QJsonObject segmentJson(const ChatSegment& s) {
  return {{QStringLiteral("file"), s.filePath},      {QStringLiteral("channels"), toArray(s.channels)},
          {QStringLiteral("start_sec"), s.startSec}, {QStringLiteral("end_sec"), s.endSec},
          {QStringLiteral("montage"), s.montage},    {QStringLiteral("from_selection"), s.fromSelection}};
}
ChatSegment segmentFrom(const QJsonObject& o) {
  ChatSegment s;
  s.filePath = o.value(QStringLiteral("file")).toString();
  s.channels = toStrings(o.value(QStringLiteral("channels")));
  s.startSec = o.value(QStringLiteral("start_sec")).toDouble();
  s.endSec = o.value(QStringLiteral("end_sec")).toDouble();
  s.montage = o.value(QStringLiteral("montage")).toString();
  s.fromSelection = o.value(QStringLiteral("from_selection")).toBool();
  return s;
}

QJsonObject decodingJson(const ChatDecoding& d) {
  return {{QStringLiteral("mode"), d.sample ? QStringLiteral("sample") : QStringLiteral("greedy")},
          {QStringLiteral("max_new_tokens"), d.maxNewTokens},
          {QStringLiteral("temperature"), d.temperature},
          {QStringLiteral("top_k"), d.topK},
          {QStringLiteral("top_p"), d.topP},
          {QStringLiteral("seed"), QString::number(d.seed)}};
}
ChatDecoding decodingFrom(const QJsonObject& o) {
  ChatDecoding d;
  d.sample = o.value(QStringLiteral("mode")).toString() == QLatin1String("sample");
  d.maxNewTokens = o.value(QStringLiteral("max_new_tokens")).toInt(d.maxNewTokens);
  d.temperature = o.value(QStringLiteral("temperature")).toDouble(1.0);
  d.topK = o.value(QStringLiteral("top_k")).toInt(0);
  d.topP = o.value(QStringLiteral("top_p")).toDouble(1.0);
  d.seed = o.value(QStringLiteral("seed")).toString().toULongLong();
  return d;
}

QJsonObject answerJson(const ChatAnswer& a) {
  QJsonArray choices;
  for (const auto& c : a.choices)
    choices.append(QJsonObject{{QStringLiteral("text"), c.text},
                               {QStringLiteral("probability"), c.probability},
                               {QStringLiteral("log_prob"), c.logProb}});
  QJsonObject o{{QStringLiteral("text"), a.text},
                {QStringLiteral("tokens"), a.tokenCount},
                {QStringLiteral("cancelled"), a.cancelled},
                {QStringLiteral("options"), choices},
                {QStringLiteral("first_token_ms"), a.firstTokenMs},
                {QStringLiteral("tokens_per_sec"), a.tokensPerSec},
                {QStringLiteral("seconds"), a.seconds}};
  if (!a.error.isEmpty()) o.insert(QStringLiteral("error"), a.error);
  return o;
}
ChatAnswer answerFrom(const QJsonObject& o) {
  ChatAnswer a;
  a.text = o.value(QStringLiteral("text")).toString();
  a.tokenCount = o.value(QStringLiteral("tokens")).toInt();
  a.cancelled = o.value(QStringLiteral("cancelled")).toBool();
  for (const auto& c : o.value(QStringLiteral("options")).toArray()) {
    const QJsonObject co = c.toObject();
    a.choices.append({co.value(QStringLiteral("text")).toString(),
                      co.value(QStringLiteral("probability")).toDouble(),
                      co.value(QStringLiteral("log_prob")).toDouble()});
  }
  a.firstTokenMs = o.value(QStringLiteral("first_token_ms")).toDouble(-1);
  a.tokensPerSec = o.value(QStringLiteral("tokens_per_sec")).toDouble();
  a.seconds = o.value(QStringLiteral("seconds")).toDouble();
  a.error = o.value(QStringLiteral("error")).toString();
  return a;
}

QString seconds(double s) { return QString::number(s, 'f', s == std::floor(s) ? 0 : 3); }

}  // namespace

int ChatConversation::addTurn(const ChatAlternative& first) {
  ChatTurn t;
  t.alternatives.append(first);
  turns_.append(t);
  return turnCount() - 1;
}

int ChatConversation::addAlternative(int turn, const ChatAlternative& alternative) {
  ChatTurn& t = turns_[turn];
  t.alternatives.append(alternative);
  t.current = static_cast<int>(t.alternatives.size()) - 1;
  return t.current;
}

bool ChatConversation::step(int turn, int delta) {
  if (turn < 0 || turn >= turnCount()) return false;
  ChatTurn& t = turns_[turn];
  const int next = t.current + delta;
  if (next < 0 || next >= t.alternatives.size()) return false;
  t.current = next;
  return true;
}

QJsonObject ChatConversation::toJson() const {
  QJsonArray turns;
  for (const auto& t : turns_) {
    QJsonArray alternatives;
    for (const auto& a : t.alternatives) {
      QJsonObject o{{QStringLiteral("instruction"), a.instruction},
                    {QStringLiteral("task"), a.taskName},
                    {QStringLiteral("options"), toArray(a.options)},
                    {QStringLiteral("decoding"), decodingJson(a.decoding)},
                    {QStringLiteral("segment"), segmentJson(a.segment)},
                    {QStringLiteral("model"), a.modelId},
                    {QStringLiteral("device"), a.device},
                    {QStringLiteral("asked_at"), a.askedAt.toString(Qt::ISODateWithMs)},
                    {QStringLiteral("answer"), answerJson(a.answer)}};
      if (!a.extras.isEmpty()) o.insert(QStringLiteral("extras"), a.extras);
      alternatives.append(o);
    }
    turns.append(
        QJsonObject{{QStringLiteral("shown"), t.current}, {QStringLiteral("answers"), alternatives}});
  }
  return {{QStringLiteral("format"), QStringLiteral("neurolm-chat")},
          {QStringLiteral("version"), 1},
          {QStringLiteral("turns"), turns}};
}

ChatConversation ChatConversation::fromJson(const QJsonObject& object) {
  if (object.value(QStringLiteral("format")).toString() != QLatin1String("neurolm-chat"))
    throw std::runtime_error("field \"format\" is not \"neurolm-chat\"");
  if (object.value(QStringLiteral("version")).toInt() != 1)
    throw std::runtime_error("field \"version\" is " +
                             QString::number(object.value(QStringLiteral("version")).toInt()).toStdString() +
                             ", expected 1");
  ChatConversation c;
  for (const auto& tv : object.value(QStringLiteral("turns")).toArray()) {
    const QJsonObject to = tv.toObject();
    ChatTurn t;
    for (const auto& av : to.value(QStringLiteral("answers")).toArray()) {
      const QJsonObject o = av.toObject();
      ChatAlternative a;
      a.instruction = o.value(QStringLiteral("instruction")).toString();
      a.taskName = o.value(QStringLiteral("task")).toString();
      a.options = toStrings(o.value(QStringLiteral("options")));
      a.decoding = decodingFrom(o.value(QStringLiteral("decoding")).toObject());
      a.segment = segmentFrom(o.value(QStringLiteral("segment")).toObject());
      a.modelId = o.value(QStringLiteral("model")).toString();
      a.device = o.value(QStringLiteral("device")).toString();
      a.askedAt = QDateTime::fromString(o.value(QStringLiteral("asked_at")).toString(), Qt::ISODateWithMs);
      a.answer = answerFrom(o.value(QStringLiteral("answer")).toObject());
      a.extras = o.value(QStringLiteral("extras")).toObject();
      t.alternatives.append(a);
    }
    if (t.alternatives.isEmpty()) throw std::runtime_error("a turn has no field \"answers\"");
    t.current =
        std::clamp(to.value(QStringLiteral("shown")).toInt(), 0, static_cast<int>(t.alternatives.size()) - 1);
    c.turns_.append(t);
  }
  return c;
}

QString ChatConversation::toMarkdown() const {
  QString md = QStringLiteral("# ") +
               QCoreApplication::translate("ChatConversation", "NeuroLM conversation") + QStringLiteral("\n");
  int n = 0;
  for (const auto& t : turns_) {
    const ChatAlternative& a = t.shown();
    const ChatSegment& s = a.segment;
    md += QStringLiteral("\n## %1 %2\n\n")
              .arg(QCoreApplication::translate("ChatConversation", "Question"))
              .arg(++n);
    md += QStringLiteral("- %1: `%2`\n")
              .arg(QCoreApplication::translate("ChatConversation", "File"), s.filePath);
    md += QStringLiteral("- %1: %2 s – %3 s (%4 s)\n")
              .arg(QCoreApplication::translate("ChatConversation", "Window"), seconds(s.startSec),
                   seconds(s.endSec), seconds(s.lengthSec()));
    md += QStringLiteral("- %1 (%2): %3\n")
              .arg(QCoreApplication::translate("ChatConversation", "Channels"))
              .arg(s.channels.size())
              .arg(s.channels.join(", "));
    md += QStringLiteral("- %1: %2\n")
              .arg(QCoreApplication::translate("ChatConversation", "Montage"), s.montage);
    md += QStringLiteral("- %1: %2 (%3)\n")
              .arg(QCoreApplication::translate("ChatConversation", "Model"), a.modelId, a.device);
    const ChatDecoding& d = a.decoding;
    md += QStringLiteral("- %1: %2, %3 %4")
              .arg(QCoreApplication::translate("ChatConversation", "Decoding"),
                   d.sample ? QCoreApplication::translate("ChatConversation", "sampled")
                            : QCoreApplication::translate("ChatConversation", "greedy"),
                   QCoreApplication::translate("ChatConversation", "max new tokens"))
              .arg(d.maxNewTokens);
    if (d.sample)
      md += QStringLiteral(", T = %1, top-k %2, top-p %3, seed %4")
                .arg(d.temperature)
                .arg(d.topK)
                .arg(d.topP)
                .arg(d.seed);
    md += QStringLiteral("\n");
    if (!a.taskName.isEmpty())
      md += QStringLiteral("- %1: %2\n")
                .arg(QCoreApplication::translate("ChatConversation", "Task"), a.taskName);
    if (t.alternatives.size() > 1)
      md += QStringLiteral("- %1: %2/%3\n")
                .arg(QCoreApplication::translate("ChatConversation", "Answer shown"))
                .arg(t.current + 1)
                .arg(t.alternatives.size());
    md += QStringLiteral("\n**%1:** %2\n\n")
              .arg(QCoreApplication::translate("ChatConversation", "Instruction"), a.instruction);
    if (!a.answer.error.isEmpty()) {
      md += QStringLiteral("**%1:** %2\n")
                .arg(QCoreApplication::translate("ChatConversation", "Error"), a.answer.error);
      continue;
    }
    md += QStringLiteral("**%1:** %2%3\n")
              .arg(QCoreApplication::translate("ChatConversation", "Answer"), a.answer.text,
                   a.answer.cancelled ? QStringLiteral(" _(%1)_").arg(
                                            QCoreApplication::translate("ChatConversation", "stopped"))
                                      : QString());
    if (!a.answer.choices.isEmpty()) {
      md += QStringLiteral("\n| %1 | %2 |\n| --- | ---: |\n")
                .arg(QCoreApplication::translate("ChatConversation", "Option"),
                     QCoreApplication::translate("ChatConversation", "Probability"));
      for (const auto& c : a.answer.choices)
        md += QStringLiteral("| `%1` | %2 |\n").arg(c.text).arg(c.probability, 0, 'f', 4);
    }
  }
  return md;
}

std::optional<ModelWindow> modelWindow(double startSec, double endSec, int maxWindowSec, double durationSec) {
  if (maxWindowSec < 1 || durationSec < 1) return std::nullopt;
  ModelWindow w;
  double start = std::max(0.0, std::round(startSec * kModelSampleRateHz) / kModelSampleRateHz);
  double length = std::floor(endSec - start + 1e-6);
  if (length > maxWindowSec) {
    length = maxWindowSec;
    w.shortened = true;
  }
  length = std::max(1.0, std::min(length, std::floor(durationSec + 1e-6)));
  if (start + length > durationSec + 1e-9)
    start = std::max(0.0, std::floor((durationSec - length) * kModelSampleRateHz) / kModelSampleRateHz);
  w.startSec = start;
  w.endSec = start + length;
  return w;
}

QList<ChatTask> parseChatTasks(const QString& json) {
  QList<ChatTask> tasks;
  if (json.trimmed().isEmpty()) return tasks;
  const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8());
  for (const auto& v : doc.array()) {
    const QJsonObject o = v.toObject();
    ChatTask t;
    t.name = o.value(QStringLiteral("name")).toString();
    t.prompt = o.value(QStringLiteral("prompt")).toString();
    t.options = toStrings(o.value(QStringLiteral("options")));
    t.description = o.value(QStringLiteral("description")).toString();
    if (t.prompt.isEmpty()) continue;
    if (t.name.isEmpty()) t.name = t.prompt;  // unnamed tasks are shown by their prompt
    tasks.append(t);
  }
  return tasks;
}

namespace chat_history {

QString fileNameFor(const QString& recordingPath) {
  const QFileInfo info(recordingPath);
  const QString identity = info.absoluteFilePath() + QLatin1Char('|') + QString::number(info.size()) +
                           QLatin1Char('|') + QString::number(info.lastModified().toMSecsSinceEpoch());
  return QString::fromLatin1(QCryptographicHash::hash(identity.toUtf8(), QCryptographicHash::Sha1).toHex()) +
         QStringLiteral(".json");
}

void save(const QString& path, const ChatConversation& conversation, const QString& recordingPath) {
  QJsonObject o = conversation.toJson();
  o.insert(QStringLiteral("recording"), QFileInfo(recordingPath).absoluteFilePath());
  QSaveFile file(path);  // a temporary file, renamed over the old one on commit
  if (!file.open(QIODevice::WriteOnly))
    throw std::runtime_error(path.toStdString() + ": " + file.errorString().toStdString());
  file.write(QJsonDocument(o).toJson(QJsonDocument::Indented));
  if (!file.commit()) throw std::runtime_error(path.toStdString() + ": " + file.errorString().toStdString());
}

ChatConversation load(const QString& path) {
  QFile file(path);
  if (!file.exists()) return {};
  if (!file.open(QIODevice::ReadOnly))
    throw std::runtime_error(path.toStdString() + ": " + file.errorString().toStdString());
  QJsonParseError error{};
  const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
  if (doc.isNull())
    throw std::runtime_error(path.toStdString() + ": not JSON (" + error.errorString().toStdString() +
                             " at byte " + std::to_string(error.offset) + ")");
  try {
    return ChatConversation::fromJson(doc.object());
  } catch (const std::exception& e) {
    throw std::runtime_error(path.toStdString() + ": " + e.what());
  }
}

}  // namespace chat_history

}  // namespace neurolm::widgets
