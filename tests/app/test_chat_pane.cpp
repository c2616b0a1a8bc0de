// The chat pane over a real engine: a random NeuroLM written by `neurolm init`, the sample recording
// (resources/sample/Subject00_2.edf), real Qt widgets offscreen. Each answer is checked against the runtime
// asked directly about the same window (its own EegSource and InferenceRuntime: an independent path through
// the engine), and the streamed tokens against the final text. Set NEUROLM_SCREENSHOT_DIR to keep the window
// with the chat dock as a PNG.
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "app/studio/MainWindow.h"
#include "app/studio/ModelHost.h"
#include "app/studio/RuntimeChatBackend.h"
#include "app/studio/StudioOptions.h"
#include "common/TempDir.h"
#include "common/QtApp.h"
#include "common/TestPaths.h"
#include "core/preprocess/PatchGrid.h"
#include "models/runtime/EegWindows.h"
#include "models/runtime/InferenceRuntime.h"
#include "widgets/chat/ChatPane.h"
#include "widgets/overview/OverviewView.h"
#include "widgets/tokens/TokenLane.h"
#include "widgets/traces/TraceView.h"

using namespace neurolm;

namespace {

using test::qtApp;

constexpr const char* kWorkload = "Question: Is this EEG segment of high workload? Answer:";

QString samplePath() {
  return QString::fromStdString((test::resourcesDir() / "sample" / "Subject00_2.edf").string());
}

// One random tiny NeuroLM for the whole suite (written by the CLI, as a user would).
const test::TempDir& modelDir() {
  static test::TempDir dir("chat-model");
  static const bool written = [] {
    const std::string cmd = (test::binDir() / "neurolm").string() +
                            " init --kind neurolm --size tiny --seed 7 --out " +
                            (dir.path() / "neurolm.safetensors").string() + " > /dev/null";
    const int rc = std::system(cmd.c_str());
    EXPECT_EQ(rc, 0) << cmd;
    return rc == 0;
  }();
  (void)written;
  return dir;
}
QString modelPath() { return QString::fromStdString((modelDir().path() / "neurolm.safetensors").string()); }

// A copy of a NeuroLM file with tasks in its safetensors metadata (__metadata__["neurolm_tasks"], as the
// instruct stage records them): the header is rewritten, the tensor bytes after it are copied unchanged.
void writeWithTasks(const std::filesystem::path& from, const std::filesystem::path& to,
                    const nlohmann::json& tasks) {
  std::ifstream in(from, std::ios::binary);
  std::uint64_t headerBytes = 0;
  in.read(reinterpret_cast<char*>(&headerBytes), 8);  // little-endian on the machines we build for
  std::string header(headerBytes, '\0');
  in.read(header.data(), static_cast<std::streamsize>(headerBytes));
  nlohmann::json h = nlohmann::json::parse(header);
  h["__metadata__"]["neurolm_tasks"] = tasks.dump();
  std::string out = h.dump();
  out.resize((out.size() + 7) / 8 * 8, ' ');  // tensor data stays 8-byte aligned
  const std::uint64_t outBytes = out.size();
  std::ofstream os(to, std::ios::binary);
  os.write(reinterpret_cast<const char*>(&outBytes), 8);
  os << out << in.rdbuf();
}

// What the chat shows of an answer: the engine's text without the <|endoftext|> that ended it (hand-made
// reference; the pane streams that token as no text).
std::string shownText(const runtime::AskResult& r) {
  const std::string eos = "<|endoftext|>";
  std::string t = r.answer;
  if (!r.answerIds.empty() && r.answerIds.back() == 50256) {
    EXPECT_TRUE(t.size() >= eos.size() && t.substr(t.size() - eos.size()) == eos) << t;
    t.resize(t.size() - eos.size());
  }
  return t;
}

// The engine asked directly (no Qt, no pane): the reference for every answer.
runtime::AskResult askDirectly(double startSec, double endSec, int maxNewTokens,
                               std::vector<std::string> choices = {}) {
  static std::unique_ptr<runtime::EegSource> source;
  static std::unique_ptr<runtime::InferenceRuntime> engine;
  if (!source) {
    source =
        std::make_unique<runtime::EegSource>(runtime::EegSource::openRecording(samplePath().toStdString()));
    runtime::RuntimeOptions o;
    o.neuroLmPath = modelPath().toStdString();
    o.bpeDir = test::resourcesDir() / "tokenizer" / "gpt2";
    engine = std::make_unique<runtime::InferenceRuntime>(o);
  }
  runtime::AskOptions ask;
  ask.maxNewTokens = maxNewTokens;
  ask.choices = std::move(choices);
  return engine->ask(source->window({startSec, endSec}, preprocess::kInstructionPaddedLength), kWorkload, ask)
      .get();
}

// A loaded engine, its chat backend and a pane on the sample recording with a trace view beside it.
struct ChatRig {
  app::ModelHost host;
  std::unique_ptr<app::RuntimeChatBackend> backend;
  std::unique_ptr<widgets::TraceView> traces;
  std::unique_ptr<widgets::ChatPane> pane;
  QString historyDir;

  explicit ChatRig(const QString& history, const QString& model = modelPath()) : historyDir(history) {
    QSignalSpy loaded(&host, &app::ModelHost::runtimeChanged);
    host.load(model);
    EXPECT_TRUE(loaded.wait(60000)) << host.lastError().toStdString();
    backend = std::make_unique<app::RuntimeChatBackend>(&host);
    traces = std::make_unique<widgets::TraceView>();
    traces->resize(900, 500);
    traces->setRecording(Recording::open(samplePath().toStdString()));
    traces->show();
    openPane();
  }
  void openPane() {
    pane = std::make_unique<widgets::ChatPane>(backend.get(), historyDir);
    pane->resize(420, 640);
    QObject::connect(traces.get(), &widgets::TraceView::selectionChanged, pane.get(),
                     &widgets::ChatPane::setSelection);
    QObject::connect(traces.get(), &widgets::TraceView::pageChanged, pane.get(), &widgets::ChatPane::setPage);
    QSignalSpy history(pane.get(), &widgets::ChatPane::historyLoaded);
    pane->setPage(traces->pageStartSec(), traces->pageDurationSec());
    pane->setRecording(samplePath());
    pane->show();
    EXPECT_TRUE(history.count() > 0 || history.wait(10000));
    EXPECT_TRUE(QTest::qWaitFor([this] { return pane->currentSegment().has_value(); }, 30000))
        << pane->contextText().toStdString();
  }
  // Drags on the trace view from time a to time b (seconds on the shown 10-s page).
  void dragSelection(double a, double b) {
    const widgets::TraceGeometry g = traces->geometry();
    const auto x = [&](double t) {
      return static_cast<int>(std::lround(g.plotLeft() + t / traces->pageDurationSec() * g.plotWidth()));
    };
    const int y = g.plotHeight() / 2;
    QTest::mousePress(traces.get(), Qt::LeftButton, {}, QPoint(x(a), y));
    QTest::mouseMove(traces.get(), QPoint((x(a) + x(b)) / 2, y));
    QTest::mouseMove(traces.get(), QPoint(x(b), y));
    QTest::mouseRelease(traces.get(), Qt::LeftButton, {}, QPoint(x(b), y));
  }
  // Types the instruction, clicks Send and waits for the answer; returns the finished turn's shown answer.
  const widgets::ChatAlternative& ask(const QString& instruction, int maxTokens,
                                      const QString& options = {}) {
    QSignalSpy finished(pane.get(), &widgets::ChatPane::answerFinished);
    pane->inputEdit()->setPlainText(instruction);
    pane->optionsEdit()->setText(options);
    pane->maxTokensBox()->setValue(maxTokens);
    QTest::mouseClick(pane->sendButton(), Qt::LeftButton);
    EXPECT_TRUE(finished.wait(120000));
    return pane->conversation().turn(pane->conversation().turnCount() - 1).shown();
  }
};

// Largest interval between ticks of a 5-ms timer on the UI thread, minus the time the kernel says the thread
// was runnable but waiting for a CPU (the house probe of tests/app/test_responsiveness.cpp).
class EventLoopProbe {
 public:
  EventLoopProbe() {
    timer_.setInterval(5);
    timer_.setTimerType(Qt::PreciseTimer);
    QObject::connect(&timer_, &QTimer::timeout, [this]() { tick(); });
    clock_.start();
    timer_.start();
  }
  void stop() { timer_.stop(); }
  double maxGapMs() const { return maxGapNs_ / 1e6; }
  double maxBlockedMs() const { return maxBlockedNs_ / 1e6; }
  double maxBlockedAtMs() const { return maxBlockedAtNs_ / 1e6; }  // when that interval ended
  double nowMs() const { return static_cast<double>(clock_.nsecsElapsed()) / 1e6; }
  int ticks() const { return ticks_; }

 private:
  static double runqueueNs() {
    double cpu = 0, wait = 0;
    if (std::FILE* f = std::fopen("/proc/thread-self/schedstat", "r")) {
      if (std::fscanf(f, "%lf %lf", &cpu, &wait) != 2) wait = 0;
      std::fclose(f);
    }
    return wait;
  }
  void tick() {
    const double now = static_cast<double>(clock_.nsecsElapsed());
    const double wait = runqueueNs();
    if (last_ >= 0) {
      const double gap = now - last_;
      maxGapNs_ = std::max(maxGapNs_, gap);
      if (gap - (wait - lastWait_) > maxBlockedNs_) {
        maxBlockedNs_ = gap - (wait - lastWait_);
        maxBlockedAtNs_ = now;
      }
    }
    last_ = now;
    lastWait_ = wait;
    ++ticks_;
  }
  QTimer timer_;
  QElapsedTimer clock_;
  double last_ = -1, lastWait_ = 0, maxGapNs_ = 0, maxBlockedNs_ = 0, maxBlockedAtNs_ = 0;
  int ticks_ = 0;
};

}  // namespace

TEST(ChatPane, SelectionAnswerStreamsTokenByTokenAndEqualsTheRuntimeAskedDirectly) {
  qtApp();
  test::TempDir tmp("chat-stream");
  ChatRig rig(QString::fromStdString((tmp / "history").string()));
  ASSERT_TRUE(rig.pane->currentSegment());
  // The page is 10 s; the sample has 19 model channels, so the model accepts up to floor(276 / 19) = 14 s.
  EXPECT_TRUE(rig.pane->contextText().contains(QStringLiteral("19 channels")))
      << rig.pane->contextText().toStdString();
  EXPECT_TRUE(rig.pane->contextText().contains(QStringLiteral("(page)")));

  QSignalSpy selection(rig.traces.get(), &widgets::TraceView::selectionChanged);
  rig.dragSelection(2.0, 8.6);
  ASSERT_GE(selection.count(), 1);
  ASSERT_TRUE(rig.traces->hasSelection());
  const auto segment = rig.pane->currentSegment();
  ASSERT_TRUE(segment);
  EXPECT_TRUE(segment->fromSelection);
  // The model's window: starts on a 200-Hz sample at the selection's start, whole seconds within it.
  EXPECT_NEAR(segment->startSec, std::round(rig.traces->selectionStartSec() * 200) / 200, 1e-9);
  EXPECT_DOUBLE_EQ(segment->lengthSec(),
                   std::floor(rig.traces->selectionEndSec() - segment->startSec + 1e-6));
  EXPECT_EQ(segment->lengthSec(), 6);
  EXPECT_EQ(segment->channels.size(), 19);
  EXPECT_TRUE(rig.pane->contextText().contains(QStringLiteral("selection")));

  QSignalSpy tokens(rig.backend.get(), &widgets::ChatBackend::tokenArrived);
  std::vector<int> transcriptGrowth;  // transcript length whenever a token arrives: it fills token by token
  QObject::connect(rig.backend.get(), &widgets::ChatBackend::tokenArrived, rig.pane.get(), [&]() {
    transcriptGrowth.push_back(static_cast<int>(rig.pane->transcriptText().size()));
  });
  const widgets::ChatAlternative& a = rig.ask(QString::fromLatin1(kWorkload), 12);
  ASSERT_TRUE(a.answer.error.isEmpty()) << a.answer.error.toStdString();

  const runtime::AskResult direct = askDirectly(segment->startSec, segment->endSec, 12);
  EXPECT_EQ(a.answer.text.toStdString(), shownText(direct));
  EXPECT_EQ(a.answer.tokenCount, static_cast<int>(direct.answerIds.size()));
  ASSERT_EQ(tokens.count(), a.answer.tokenCount);
  QString streamed;
  for (int i = 0; i < tokens.count(); ++i) {
    EXPECT_EQ(tokens[i][1].toInt(), i);  // one signal per token, in order
    streamed += tokens[i][2].toString();
  }
  EXPECT_EQ(streamed, a.answer.text);
  EXPECT_FALSE(a.answer.cancelled);
  EXPECT_GE(a.answer.firstTokenMs, 0);
  EXPECT_GT(a.answer.tokensPerSec, 0);
  EXPECT_TRUE(rig.pane->transcriptText().contains(a.answer.text.trimmed()));
  EXPECT_TRUE(rig.pane->statsText().contains(QStringLiteral("tokens/s")));
  EXPECT_TRUE(rig.pane->statsText().contains(QStringLiteral("cpu")) ||
              rig.pane->statsText().contains(QStringLiteral("cuda")));
  std::printf("  %d tokens, first token %.1f ms, %.1f tokens/s\n", a.answer.tokenCount, a.answer.firstTokenMs,
              a.answer.tokensPerSec);
}

TEST(ChatPane, StopEndsALongAnswerEarlyAndKeepsWhatStreamed) {
  qtApp();
  test::TempDir tmp("chat-stop");
  ChatRig rig(QString::fromStdString((tmp / "history").string()));
  int seen = 0;
  QObject::connect(rig.backend.get(), &widgets::ChatBackend::tokenArrived, rig.pane.get(), [&]() {
    if (++seen == 3) QTest::mouseClick(rig.pane->stopButton(), Qt::LeftButton);
  });
  const widgets::ChatAlternative& a = rig.ask(QString::fromLatin1(kWorkload), 600);
  EXPECT_TRUE(a.answer.cancelled);
  EXPECT_GE(a.answer.tokenCount, 3);
  EXPECT_LT(a.answer.tokenCount, 600);
  EXPECT_EQ(seen, a.answer.tokenCount);  // every delivered token is in the answer, none after it
  // The tokens so far are the beginning of the uninterrupted answer.
  const auto s = *rig.pane->currentSegment();
  const runtime::AskResult full = askDirectly(s.startSec, s.endSec, a.answer.tokenCount);
  EXPECT_EQ(a.answer.text.toStdString(), shownText(full));
  EXPECT_TRUE(rig.pane->transcriptText().contains(QStringLiteral("stopped")));
  EXPECT_TRUE(rig.pane->sendButton()->isEnabled());
  EXPECT_FALSE(rig.pane->stopButton()->isEnabled());
  std::printf("  stopped after %d of at most 600 tokens\n", a.answer.tokenCount);
}

TEST(ChatPane, OptionProbabilitiesSumToOneAndEqualTheRuntimeChoiceScores) {
  qtApp();
  test::TempDir tmp("chat-options");
  ChatRig rig(QString::fromStdString((tmp / "history").string()));
  const widgets::ChatAlternative& a = rig.ask(QString::fromLatin1(kWorkload), 3, QStringLiteral("Yes, No"));
  ASSERT_EQ(a.answer.choices.size(), 2);
  EXPECT_EQ(a.options, (QStringList{QStringLiteral(" Yes"), QStringLiteral(" No")}));
  EXPECT_NEAR(a.answer.choices[0].probability + a.answer.choices[1].probability, 1.0, 1e-9);
  const auto s = *rig.pane->currentSegment();
  const runtime::AskResult direct = askDirectly(s.startSec, s.endSec, 3, {" Yes", " No"});
  ASSERT_EQ(direct.choices.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(a.answer.choices[i].text.toStdString(), direct.choices[static_cast<std::size_t>(i)].text);
    EXPECT_NEAR(a.answer.choices[i].probability, direct.choices[static_cast<std::size_t>(i)].probability,
                1e-9);
    EXPECT_NEAR(a.answer.choices[i].logProb, direct.choices[static_cast<std::size_t>(i)].logProb, 1e-9);
    // Shown under the answer with its probability.
    EXPECT_TRUE(
        rig.pane->transcriptText().contains(QString::number(a.answer.choices[i].probability, 'f', 3)));
  }
}

TEST(ChatPane, RegenerateKeepsAlternativesAndHistorySurvivesReopeningThePane) {
  qtApp();
  test::TempDir tmp("chat-history");
  ChatRig rig(QString::fromStdString((tmp / "history").string()));
  rig.ask(QString::fromLatin1(kWorkload), 6);
  const QString first = rig.pane->conversation().turn(0).shown().answer.text;
  const widgets::ChatSegment asked = rig.pane->conversation().turn(0).shown().segment;
  rig.dragSelection(3, 7);  // a new selection is for new questions: the turn's answers keep its window
  QSignalSpy finished(rig.pane.get(), &widgets::ChatPane::answerFinished);
  ASSERT_TRUE(rig.pane->regenerate(0));
  ASSERT_TRUE(finished.wait(120000));
  ASSERT_EQ(rig.pane->conversation().turn(0).alternatives.size(), 2);
  EXPECT_EQ(rig.pane->conversation().turn(0).current, 1);
  EXPECT_TRUE(rig.pane->conversation().turn(0).shown().decoding.sample);  // greedy would repeat itself
  EXPECT_EQ(rig.pane->conversation().turn(0).shown().segment.startSec, asked.startSec);
  EXPECT_EQ(rig.pane->conversation().turn(0).shown().segment.endSec, asked.endSec);
  EXPECT_NE(rig.pane->currentSegment()->startSec, asked.startSec);
  EXPECT_TRUE(rig.pane->transcriptText().contains(QStringLiteral("2/2")));
  rig.pane->showAlternative(0, -1);
  EXPECT_TRUE(rig.pane->transcriptText().contains(QStringLiteral("1/2")));
  EXPECT_EQ(rig.pane->conversation().turn(0).shown().answer.text, first);

  // Edit and resend: the edited question's answer joins the same turn.
  rig.pane->editTurn(0);
  EXPECT_EQ(rig.pane->inputEdit()->toPlainText(), QString::fromLatin1(kWorkload));
  rig.pane->inputEdit()->setPlainText(
      QStringLiteral("Question: Is the subject doing mental arithmetic? Answer:"));
  QTest::mouseClick(rig.pane->sendButton(), Qt::LeftButton);
  ASSERT_TRUE(finished.wait(120000));
  ASSERT_EQ(rig.pane->conversation().turnCount(), 1);
  ASSERT_EQ(rig.pane->conversation().turn(0).alternatives.size(), 3);
  EXPECT_TRUE(rig.pane->conversation().turn(0).shown().instruction.contains(QStringLiteral("arithmetic")));

  rig.pane->flushWrites();
  const QString historyFile = rig.pane->historyPath();
  EXPECT_TRUE(QFileInfo::exists(historyFile)) << historyFile.toStdString();
  const QJsonObject saved = rig.pane->conversation().toJson();
  rig.pane.reset();  // close the pane
  rig.openPane();    // and open it again on the same recording
  ASSERT_EQ(rig.pane->conversation().turnCount(), 1);
  EXPECT_EQ(rig.pane->conversation().toJson(), saved);
  EXPECT_TRUE(rig.pane->transcriptText().contains(QStringLiteral("3/3")));
  EXPECT_TRUE(rig.pane->transcriptText().contains(QStringLiteral("arithmetic")));
}

TEST(ChatPane, MarkdownAndJsonExportsCarryTheReferences) {
  qtApp();
  test::TempDir tmp("chat-export");
  ChatRig rig(QString::fromStdString((tmp / "history").string()));
  rig.dragSelection(1.0, 5.0);
  const widgets::ChatAlternative& a = rig.ask(QString::fromLatin1(kWorkload), 4, QStringLiteral("Yes, No"));
  const auto s = a.segment;
  QSignalSpy exported(rig.pane.get(), &widgets::ChatPane::exported);
  const QString md = QString::fromStdString((tmp / "chat.md").string());
  const QString json = QString::fromStdString((tmp / "chat.json").string());
  rig.pane->exportMarkdown(md);
  rig.pane->exportJson(json);
  rig.pane->flushWrites();
  ASSERT_TRUE(exported.count() == 2 || exported.wait(5000));
  QFile mdFile(md);
  ASSERT_TRUE(mdFile.open(QIODevice::ReadOnly));
  const QString text = QString::fromUtf8(mdFile.readAll());
  EXPECT_TRUE(text.contains(samplePath())) << text.toStdString();
  EXPECT_TRUE(text.contains(QStringLiteral("%1 s – %2 s").arg(s.startSec).arg(s.endSec)))
      << text.toStdString();
  EXPECT_TRUE(text.contains(s.channels.join(QStringLiteral(", "))));
  EXPECT_TRUE(text.contains(QStringLiteral("neurolm.safetensors")));
  EXPECT_TRUE(text.contains(QStringLiteral("greedy")));
  EXPECT_TRUE(text.contains(QStringLiteral("max new tokens 4")));
  EXPECT_TRUE(text.contains(QString::fromLatin1(kWorkload)));
  EXPECT_TRUE(text.contains(QString::number(a.answer.choices[0].probability, 'f', 4)));
  QFile jsonFile(json);
  ASSERT_TRUE(jsonFile.open(QIODevice::ReadOnly));
  const auto reread =
      widgets::ChatConversation::fromJson(QJsonDocument::fromJson(jsonFile.readAll()).object());
  ASSERT_EQ(reread.turnCount(), 1);
  EXPECT_EQ(reread.turn(0).shown().segment.filePath, samplePath());
  EXPECT_DOUBLE_EQ(reread.turn(0).shown().segment.startSec, s.startSec);
  EXPECT_EQ(reread.turn(0).shown().segment.channels, s.channels);
  EXPECT_EQ(reread.turn(0).shown().answer.text, a.answer.text);
}

TEST(ChatPane, ModelWindowFollowsTheEngineLimits) {
  // Hand-worked: 19 channels -> at most 14 s; start on a 200-Hz sample; whole seconds; inside the recording.
  auto w = widgets::modelWindow(2.0013, 8.6, 14, 62);
  ASSERT_TRUE(w);
  EXPECT_NEAR(w->startSec, 2.0, 1e-12);
  EXPECT_NEAR(w->endSec, 8.0, 1e-12);
  EXPECT_FALSE(w->shortened);
  w = widgets::modelWindow(0, 30, 14, 62);
  EXPECT_NEAR(w->endSec, 14, 1e-12);
  EXPECT_TRUE(w->shortened);
  w = widgets::modelWindow(55, 65, 14, 62);  // past the end: moved back inside
  EXPECT_NEAR(w->endSec - w->startSec, 10, 1e-12);
  EXPECT_LE(w->endSec, 62 + 1e-9);
  w = widgets::modelWindow(3, 3.4, 14, 62);  // shorter than a patch: one second
  EXPECT_NEAR(w->endSec - w->startSec, 1, 1e-12);
  EXPECT_FALSE(widgets::modelWindow(0, 1, 14, 0.5));
}

TEST(ChatPane, TheUiThreadIsNotBlockedWhileAnAnswerStreams) {
  qtApp();
  test::TempDir tmp("chat-responsive");
  ChatRig rig(QString::fromStdString((tmp / "history").string()));
  int tokens = 0;
  QObject::connect(rig.backend.get(), &widgets::ChatBackend::tokenArrived, rig.pane.get(),
                   [&]() { ++tokens; });
  EventLoopProbe probe;
  const widgets::ChatAlternative& a = rig.ask(QString::fromLatin1(kWorkload), 300);
  probe.stop();
  EXPECT_EQ(tokens, a.answer.tokenCount);
  EXPECT_GT(probe.ticks(), 10);
  std::printf("  %d tokens streamed; UI thread: largest raw gap %.1f ms, blocked %.1f ms (%d ticks)\n",
              tokens, probe.maxGapMs(), probe.maxBlockedMs(), probe.ticks());
  EXPECT_LT(probe.maxBlockedMs(), 50.0);
}

TEST(ChatPane, MainWindowHasAChatDockAModelMenuAndKeepsAPicture) {
  qtApp();
  QStandardPaths::setTestModeEnabled(true);  // history in the test data folder, not the user's
  app::MainWindow window;
  window.resize(1400, 860);
  window.show();
  // The View menu toggles the dock with a shortcut; File has Load model….
  QAction* toggle = window.chatDock()->toggleViewAction();
  EXPECT_FALSE(toggle->shortcut().isEmpty());
  bool hasLoad = false;
  for (QAction* menu : window.menuBar()->actions())
    for (QAction* a : menu->menu() ? menu->menu()->actions() : QList<QAction*>())
      hasLoad = hasLoad || a->text().contains(QStringLiteral("Load &model"));
  EXPECT_TRUE(hasLoad);

  const QByteArray dir = qgetenv("NEUROLM_SCREENSHOT_DIR");
  window.chatDock()->raise();
  if (!dir.isEmpty())
    window.chatPane()->grab().save(QString::fromUtf8(dir) + QStringLiteral("/chat-no-model.png"));
  // Before a model: the pane says how to get one (the embedded model's path when it is missing).
  if (!QFileInfo::exists(app::ModelHost::defaultModelPath())) {
    EXPECT_TRUE(window.chatPane()
                    ->findChild<QLabel*>(QStringLiteral("chatModel"))
                    ->text()
                    .contains(QStringLiteral("Load model")));
  }
  QSignalSpy loaded(window.modelHost(), &app::ModelHost::runtimeChanged);
  window.modelHost()->load(modelPath());
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  window.openFile(samplePath());
  ASSERT_TRUE(opened.wait(30000));
  ASSERT_TRUE(loaded.count() > 0 || loaded.wait(60000));
  window.chatDock()->raise();
  widgets::ChatPane* pane = window.chatPane();
  ASSERT_TRUE(QTest::qWaitFor([pane] { return pane->currentSegment().has_value(); }, 30000));
  pane->clearConversation();
  EXPECT_TRUE(pane->contextText().contains(QStringLiteral("Subject00_2.edf")));
  QSignalSpy finished(pane, &widgets::ChatPane::answerFinished);
  pane->inputEdit()->setPlainText(QString::fromLatin1(kWorkload));
  pane->optionsEdit()->setText(QStringLiteral("Yes, No"));
  pane->maxTokensBox()->setValue(8);
  ASSERT_TRUE(pane->send());
  ASSERT_TRUE(finished.wait(120000));
  pane->inputEdit()->setPlainText(QStringLiteral("Question: Which state is this EEG in? Answer:"));
  pane->optionsEdit()->clear();
  ASSERT_TRUE(pane->send());
  ASSERT_TRUE(finished.wait(120000));
  EXPECT_TRUE(pane->transcriptText().contains(QStringLiteral("Which state")));
  if (!dir.isEmpty()) {
    QTest::qWait(300);
    window.grab().save(QString::fromUtf8(dir) + QStringLiteral("/chat-dock.png"));
  }
  pane->clearConversation();
  pane->flushWrites();
}

TEST(ChatPane, TheModelsTasksAreOneClickAwayAndTheirOptionsAreScored) {
  qtApp();
  test::TempDir tmp("chat-tasks");
  const nlohmann::json tasks =
      nlohmann::json::array({{{"name", "Workload"},
                              {"prompt", kWorkload},
                              {"options", {" No", " Yes"}},
                              {"description", "EEGMAT: mental arithmetic or rest"}}});
  writeWithTasks(modelDir().path() / "neurolm.safetensors", tmp / "tasks.safetensors", tasks);
  ChatRig rig(QString::fromStdString((tmp / "history").string()),
              QString::fromStdString((tmp / "tasks.safetensors").string()));
  ASSERT_EQ(rig.pane->tasks().size(), 1);
  EXPECT_EQ(rig.pane->tasks()[0].options, (QStringList{QStringLiteral(" No"), QStringLiteral(" Yes")}));
  QPushButton* button = nullptr;
  for (auto* b : rig.pane->findChildren<QPushButton*>())
    if (b->text() == QStringLiteral("Workload")) button = b;
  ASSERT_NE(button, nullptr);
  ASSERT_TRUE(button->isVisible() && button->isEnabled());
  QSignalSpy finished(rig.pane.get(), &widgets::ChatPane::answerFinished);
  QTest::mouseClick(button, Qt::LeftButton);
  ASSERT_TRUE(finished.wait(120000));
  const widgets::ChatAlternative& a = rig.pane->conversation().turn(0).shown();
  EXPECT_EQ(a.taskName, QStringLiteral("Workload"));
  EXPECT_EQ(a.instruction, QString::fromLatin1(kWorkload));
  ASSERT_EQ(a.answer.choices.size(), 2);
  const auto s = *rig.pane->currentSegment();
  const runtime::AskResult direct =
      askDirectly(s.startSec, s.endSec, rig.pane->maxTokensBox()->value(), {" No", " Yes"});
  ASSERT_EQ(direct.choices.size(), 2u);
  for (int i = 0; i < 2; ++i)
    EXPECT_NEAR(a.answer.choices[i].probability, direct.choices[static_cast<std::size_t>(i)].probability,
                1e-9);
  EXPECT_EQ(a.answer.text.toStdString(), shownText(direct));
}

TEST(ChatPane, LoadErrorsNameTheFileAndTheHistoryFollowsTheRecordingsIdentity) {
  qtApp();
  test::TempDir tmp("chat-errors");
  // A missing model and a file that is not a model: failed() names the file, the pane shows why.
  app::ModelHost host;
  app::RuntimeChatBackend backend(&host);
  widgets::ChatPane pane(&backend, QString::fromStdString((tmp / "history").string()));
  const QString missing = QString::fromStdString((tmp / "missing.safetensors").string());
  QSignalSpy failed(&host, &app::ModelHost::failed);
  host.load(missing);
  ASSERT_TRUE(failed.wait(30000));
  EXPECT_TRUE(failed.last()[0].toString().contains(missing)) << failed.last()[0].toString().toStdString();
  const QString garbage = QString::fromStdString((tmp / "garbage.safetensors").string());
  {
    QFile f(garbage);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write("this is not a safetensors file");
  }
  host.load(garbage);
  ASSERT_TRUE(failed.wait(30000));
  EXPECT_TRUE(failed.last()[0].toString().contains(garbage)) << failed.last()[0].toString().toStdString();
  EXPECT_EQ(host.runtime(), nullptr);
  EXPECT_TRUE(pane.findChild<QLabel*>(QStringLiteral("chatModel"))
                  ->text()
                  .contains(QStringLiteral("garbage.safetensors")));
  EXPECT_FALSE(pane.send());  // nothing to ask

  // The history file is named by the recording's path, size and modification time: a changed file starts
  // afresh; an unreadable history is reported and replaced by an empty conversation.
  const QString copy = QString::fromStdString((tmp / "copy.edf").string());
  ASSERT_TRUE(QFile::copy(samplePath(), copy));
  pane.setRecording(copy);
  const QString before = pane.historyPath();
  EXPECT_EQ(QFileInfo(before).fileName(), widgets::chat_history::fileNameFor(copy));
  {
    QFile f(copy);
    ASSERT_TRUE(f.open(QIODevice::ReadWrite));
    ASSERT_TRUE(
        f.setFileTime(QDateTime::currentDateTimeUtc().addSecs(-3600), QFileDevice::FileModificationTime));
  }
  EXPECT_NE(widgets::chat_history::fileNameFor(copy), QFileInfo(before).fileName());
  QDir().mkpath(QFileInfo(pane.historyPath()).absolutePath());
  const QString broken = QFileInfo(before).absoluteDir().filePath(widgets::chat_history::fileNameFor(copy));
  {
    QFile f(broken);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write("{\"format\": \"something else\"}");
  }
  QSignalSpy loaded(&pane, &widgets::ChatPane::historyLoaded);
  pane.setRecording(copy);
  ASSERT_TRUE(loaded.wait(10000));
  EXPECT_TRUE(pane.conversation().isEmpty());
  QLabel* note = nullptr;
  for (auto* l : pane.findChildren<QLabel*>())
    if (l->text().contains(QStringLiteral("could not be read"))) note = l;
  ASSERT_NE(note, nullptr);
  EXPECT_TRUE(note->text().contains(broken)) << note->text().toStdString();
  EXPECT_TRUE(note->text().contains(QStringLiteral("format"))) << note->text().toStdString();
}

TEST(ChatPane, StudioTakesTheModelAndTokenizerFromTheCommandLine) {
  const auto o =
      app::parseStudioOptions({QStringLiteral("neurolm-studio"), QStringLiteral("rec.edf"),
                               QStringLiteral("--model"), QStringLiteral("/m/nlm.safetensors"),
                               QStringLiteral("--tokenizer"), QStringLiteral("/m/vq.safetensors")});
  EXPECT_TRUE(o.error.isEmpty()) << o.error.toStdString();
  EXPECT_EQ(o.file, QStringLiteral("rec.edf"));
  EXPECT_EQ(o.modelPath, QStringLiteral("/m/nlm.safetensors"));
  EXPECT_EQ(o.tokenizerPath, QStringLiteral("/m/vq.safetensors"));
  EXPECT_FALSE(
      app::parseStudioOptions({QStringLiteral("neurolm-studio"), QStringLiteral("--model")}).error.isEmpty());
  EXPECT_FALSE(app::parseStudioOptions({QStringLiteral("neurolm-studio"), QStringLiteral("--tokenizer"),
                                        QStringLiteral("/m/vq.safetensors")})
                   .error.isEmpty());
}

// ---- Ask about the whole recording ----

namespace {

// The reference for whole-recording answers: the runtime's own scoreWindows over slidingWindows of the
// recording, on an engine and an EegSource of its own (no Qt, no pane).
struct DirectScores {
  std::vector<runtime::TimeRange> windows;
  runtime::ScoreWindowsResult scores;
};
DirectScores scoreDirectly(const QString& model, double windowSec, std::vector<std::string> choices) {
  const auto source = runtime::EegSource::openRecording(samplePath().toStdString());
  runtime::RuntimeOptions o;
  o.neuroLmPath = model.toStdString();
  o.bpeDir = test::resourcesDir() / "tokenizer" / "gpt2";
  runtime::InferenceRuntime engine(o);
  DirectScores d;
  d.windows = runtime::slidingWindows({0, source.durationSec()}, windowSec, windowSec);
  std::vector<preprocess::PatchGrid> grids;
  for (const auto& w : d.windows) grids.push_back(source.window(w, preprocess::kInstructionPaddedLength));
  d.scores = engine.scoreWindows(std::move(grids), kWorkload, std::move(choices), 3).get();
  return d;
}

const nlohmann::json kWorkloadTask = nlohmann::json::array(
    {{{"name", "Workload"}, {"prompt", kWorkload}, {"options", {" Yes", " No"}}, {"description", "EEGMAT"}}});

QAction* wholeRecordingAction(widgets::ChatPane& pane, const QString& containing) {
  for (QAction* a : pane.wholeRecordingButton()->menu()->actions())
    if (a->text().contains(containing)) return a;
  return nullptr;
}

// RFC 4180 fields of one CSV line (quotes doubled inside quoted fields).
QStringList csvFields(const QString& line) {
  QStringList out;
  QString field;
  bool quoted = false;
  for (int i = 0; i < line.size(); ++i) {
    const QChar c = line[i];
    if (quoted) {
      if (c == QLatin1Char('"') && i + 1 < line.size() && line[i + 1] == QLatin1Char('"')) {
        field += c;
        ++i;
      } else if (c == QLatin1Char('"')) {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == QLatin1Char('"')) {
      quoted = true;
    } else if (c == QLatin1Char(',')) {
      out << field;
      field.clear();
    } else {
      field += c;
    }
  }
  out << field;
  return out;
}

}  // namespace

TEST(ChatWholeRecording, ProbabilitiesEqualTheRuntimesScoreWindowsAndTheCsvRoundTrips) {
  qtApp();
  test::TempDir tmp("chat-whole");
  writeWithTasks(modelDir().path() / "neurolm.safetensors", tmp / "tasks.safetensors", kWorkloadTask);
  const QString model = QString::fromStdString((tmp / "tasks.safetensors").string());
  ChatRig rig(QString::fromStdString((tmp / "history").string()), model);
  rig.pane->setScanBatchSize(2);
  const auto segment = rig.pane->currentSegment();
  ASSERT_TRUE(segment);
  EXPECT_EQ(segment->lengthSec(), 10);  // the 10-s page: the windows are 10 s, one after another

  QAction* action = wholeRecordingAction(*rig.pane, QStringLiteral("Workload"));
  ASSERT_NE(action, nullptr);
  ASSERT_TRUE(rig.pane->wholeRecordingButton()->isEnabled());
  QSignalSpy progress(rig.backend.get(), &widgets::ChatBackend::scanProgress);
  QSignalSpy finished(rig.pane.get(), &widgets::ChatPane::scanFinished);
  QSignalSpy tracks(rig.pane.get(), &widgets::ChatPane::trackChanged);
  int progressValueSeen = -1;
  bool barVisible = false;
  QObject::connect(rig.backend.get(), &widgets::ChatBackend::scanProgress, rig.pane.get(), [&]() {
    progressValueSeen = std::max(progressValueSeen, rig.pane->scanProgressBar()->value());
    barVisible = barVisible || rig.pane->scanProgressBar()->isVisible();
  });
  EventLoopProbe probe;
  QString timeline;  // when things happened on the UI thread (ms since the probe started), printed below
  QObject::connect(rig.backend.get(), &widgets::ChatBackend::scanProgress, rig.pane.get(),
                   [&](quint64, int done) {
                     timeline += QStringLiteral(" %1@%2").arg(done).arg(probe.nowMs(), 0, 'f', 0);
                   });
  action->trigger();
  timeline += QStringLiteral(" started@%1").arg(probe.nowMs(), 0, 'f', 0);
  EXPECT_TRUE(rig.pane->isScanning());
  EXPECT_FALSE(rig.pane->sendButton()->isEnabled());
  ASSERT_TRUE(finished.wait(180000));
  timeline += QStringLiteral(" finished@%1").arg(probe.nowMs(), 0, 'f', 0);
  probe.stop();
  EXPECT_FALSE(rig.pane->isScanning());
  EXPECT_FALSE(rig.pane->scanProgressBar()->isVisible());

  const int turn = finished.last()[0].toInt();
  const widgets::ChatAlternative& a = rig.pane->conversation().turn(turn).shown();
  ASSERT_TRUE(a.answer.error.isEmpty()) << a.answer.error.toStdString();
  EXPECT_EQ(a.taskName, QStringLiteral("Workload"));
  const auto whole = widgets::WholeRecordingAnswer::fromJson(a.extras);
  ASSERT_TRUE(whole);
  EXPECT_FALSE(whole->cancelled);

  const DirectScores direct = scoreDirectly(model, 10, {" Yes", " No"});
  ASSERT_EQ(whole->windows.size(), static_cast<qsizetype>(direct.windows.size()));
  ASSERT_EQ(direct.scores.windows.size(), direct.windows.size());
  ASSERT_GE(direct.windows.size(), 3u);
  EXPECT_EQ(whole->totalWindows, static_cast<int>(direct.windows.size()));
  // Progress after each batch of 2 windows, then the bar reached the end.
  EXPECT_GE(progress.count(), static_cast<int>((direct.windows.size() + 1) / 2));
  EXPECT_EQ(progressValueSeen, static_cast<int>(direct.windows.size()));
  EXPECT_TRUE(barVisible);
  double sumYes = 0;
  int aboveHalf = 0;
  for (std::size_t k = 0; k < direct.windows.size(); ++k) {
    const auto& w = whole->windows[static_cast<qsizetype>(k)];
    EXPECT_NEAR(w.startSec, direct.windows[k].startSec, 1e-9);
    EXPECT_NEAR(w.endSec, direct.windows[k].endSec, 1e-9);
    ASSERT_EQ(w.probabilities.size(), 2);
    for (int c = 0; c < 2; ++c)
      EXPECT_NEAR(w.probabilities[c], direct.scores.windows[k].probability[static_cast<std::size_t>(c)],
                  1e-6);
    EXPECT_EQ(w.best, direct.scores.windows[k].bestChoice);
    sumYes += direct.scores.windows[k].probability[0];
    aboveHalf += direct.scores.windows[k].probability[0] > 0.5 ? 1 : 0;
  }
  // The second window asked on its own (ask with the options) gives the same probabilities.
  const runtime::AskResult asked =
      askDirectly(direct.windows[1].startSec, direct.windows[1].endSec, 1, {" Yes", " No"});
  EXPECT_NEAR(whole->windows[1].probabilities[0], asked.choices[0].probability, 1e-6);

  // The track: P(Yes) per window, sent to the overview when the run finished.
  ASSERT_EQ(tracks.count(), 1);
  const auto track = tracks.last()[0].value<widgets::ChatTrack>();
  EXPECT_EQ(track.label, QStringLiteral("P(Yes)"));
  ASSERT_EQ(track.value.size(), static_cast<qsizetype>(direct.windows.size()));
  for (std::size_t k = 0; k < direct.windows.size(); ++k) {
    EXPECT_NEAR(track.value[static_cast<qsizetype>(k)], direct.scores.windows[k].probability[0], 1e-6);
    EXPECT_NEAR(track.startSec[static_cast<qsizetype>(k)], direct.windows[k].startSec, 1e-9);
  }
  // The summary line in the chat: windows, mean P(Yes), share above 0.5, time, windows/s.
  const double n = static_cast<double>(direct.windows.size());
  const QString text = rig.pane->transcriptText();
  EXPECT_TRUE(text.contains(QStringLiteral("%1 windows of 10 s").arg(direct.windows.size())))
      << text.toStdString();
  EXPECT_TRUE(text.contains(QStringLiteral("mean P(Yes) %1").arg(sumYes / n, 0, 'f', 3)))
      << text.toStdString();
  EXPECT_TRUE(
      text.contains(QStringLiteral("%1% of windows above 0.5").arg(100.0 * aboveHalf / n, 0, 'f', 1)));
  EXPECT_TRUE(text.contains(QStringLiteral("windows/s")));
  EXPECT_TRUE(text.contains(QStringLiteral("Export CSV")));

  // Another option for the track: P(No) = 1 - P(Yes) with two options.
  QSignalSpy retrack(rig.pane.get(), &widgets::ChatPane::trackChanged);
  ASSERT_TRUE(rig.pane->showTrack(turn, 1));
  ASSERT_EQ(retrack.count(), 1);
  const auto no = retrack.last()[0].value<widgets::ChatTrack>();
  EXPECT_EQ(no.label, QStringLiteral("P(No)"));
  EXPECT_NEAR(no.value[0], direct.scores.windows[0].probability[1], 1e-6);

  // CSV: written atomically, parsed back equal.
  const QString csvPath = QString::fromStdString((tmp / "whole.csv").string());
  QSignalSpy exported(rig.pane.get(), &widgets::ChatPane::exported);
  rig.pane->exportCsv(turn, csvPath);
  rig.pane->flushWrites();
  ASSERT_TRUE(exported.count() == 1 || exported.wait(5000));
  QFile csv(csvPath);
  ASSERT_TRUE(csv.open(QIODevice::ReadOnly));
  const QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
  ASSERT_EQ(lines.size(), static_cast<qsizetype>(direct.windows.size() + 1));
  EXPECT_EQ(csvFields(lines[0]), (QStringList{QStringLiteral("file"), QStringLiteral("window_start_s"),
                                              QStringLiteral("window_end_s"), QStringLiteral("p_Yes"),
                                              QStringLiteral("p_No"), QStringLiteral("best_option")}));
  for (std::size_t k = 0; k < direct.windows.size(); ++k) {
    const QStringList f = csvFields(lines[static_cast<qsizetype>(k + 1)]);
    ASSERT_EQ(f.size(), 6) << lines[static_cast<qsizetype>(k + 1)].toStdString();
    EXPECT_EQ(f[0], samplePath());
    EXPECT_DOUBLE_EQ(f[1].toDouble(), direct.windows[k].startSec);
    EXPECT_DOUBLE_EQ(f[2].toDouble(), direct.windows[k].endSec);
    EXPECT_NEAR(f[3].toDouble(), direct.scores.windows[k].probability[0], 1e-6);
    EXPECT_NEAR(f[4].toDouble(), direct.scores.windows[k].probability[1], 1e-6);
    EXPECT_DOUBLE_EQ(f[3].toDouble(), whole->windows[static_cast<qsizetype>(k)].probabilities[0]);  // exact
    EXPECT_EQ(f[5], direct.scores.windows[k].bestChoice == 0 ? QStringLiteral("Yes") : QStringLiteral("No"));
  }
  // Fields with separators and quotes are quoted (hand-worked).
  const QString quoted = widgets::wholeRecordingCsv(QStringLiteral("a,\"b\".edf"), {QStringLiteral(" x,y")},
                                                    {widgets::ChatScanWindow{0, 1, {0.25}, 0}});
  EXPECT_EQ(quoted, QStringLiteral("file,window_start_s,window_end_s,\"p_x,y\",best_option\n"
                                   "\"a,\"\"b\"\".edf\",0,1,0.25,\"x,y\"\n"));

  // The answer persists with the chat history: a reopened pane draws the same track (P(No), chosen last).
  rig.pane->flushWrites();
  rig.pane.reset();
  rig.openPane();
  const auto reopened = rig.pane->trackOf(turn);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->label, QStringLiteral("P(No)"));
  ASSERT_EQ(reopened->value.size(), static_cast<qsizetype>(direct.windows.size()));
  for (std::size_t k = 0; k < direct.windows.size(); ++k)
    EXPECT_NEAR(reopened->value[static_cast<qsizetype>(k)], direct.scores.windows[k].probability[1], 1e-6);
  EXPECT_TRUE(rig.pane->transcriptText().contains(QStringLiteral("Export CSV")));

  std::printf(
      "  %zu windows in %.2f s (%.1f windows/s); UI thread: largest raw gap %.1f ms, blocked %.1f ms\n",
      direct.windows.size(), whole->seconds, n / whole->seconds, probe.maxGapMs(), probe.maxBlockedMs());
  std::printf("  largest blocked interval ended at %.0f ms; windows done @ ms:%s\n", probe.maxBlockedAtMs(),
              timeline.toUtf8().constData());
  EXPECT_GT(probe.ticks(), 10);
  EXPECT_LT(probe.maxBlockedMs(), 50.0);
}

TEST(ChatWholeRecording, CancelMidwayLeavesNoTrackAndSaysCancelled) {
  qtApp();
  test::TempDir tmp("chat-whole-cancel");
  ChatRig rig(QString::fromStdString((tmp / "history").string()));
  rig.pane->setScanBatchSize(1);
  QSignalSpy finished(rig.pane.get(), &widgets::ChatPane::scanFinished);
  QSignalSpy tracks(rig.pane.get(), &widgets::ChatPane::trackChanged);
  int lastDone = 0, total = 0;
  QObject::connect(rig.backend.get(), &widgets::ChatBackend::scanProgress, rig.pane.get(),
                   [&](quint64, int done, int all) {
                     lastDone = done;
                     total = all;
                     if (done == 2) QTest::mouseClick(rig.pane->scanCancelButton(), Qt::LeftButton);
                   });
  rig.pane->inputEdit()->setPlainText(QString::fromLatin1(kWorkload));
  rig.pane->optionsEdit()->setText(QStringLiteral("Yes, No"));
  QAction* typed = wholeRecordingAction(*rig.pane, QStringLiteral("typed"));
  ASSERT_NE(typed, nullptr);
  typed->trigger();
  ASSERT_TRUE(rig.pane->isScanning());
  ASSERT_TRUE(finished.wait(180000));
  const int turn = finished.last()[0].toInt();
  const widgets::ChatAlternative& a = rig.pane->conversation().turn(turn).shown();
  EXPECT_TRUE(a.answer.cancelled);
  const auto whole = widgets::WholeRecordingAnswer::fromJson(a.extras);
  ASSERT_TRUE(whole);
  EXPECT_TRUE(whole->cancelled);
  EXPECT_TRUE(whole->windows.isEmpty());  // nothing partial kept as the answer
  EXPECT_GE(total, 4);
  EXPECT_LT(lastDone, total);  // it stopped between batches, before the end
  EXPECT_FALSE(rig.pane->trackOf(turn));
  for (int i = 0; i < tracks.count(); ++i)  // only the clearing when the recording opened
    EXPECT_TRUE(tracks[i][0].value<widgets::ChatTrack>().value.isEmpty());
  EXPECT_TRUE(rig.pane->transcriptText().contains(QStringLiteral("Cancelled after")))
      << rig.pane->transcriptText().toStdString();
  EXPECT_FALSE(rig.pane->transcriptText().contains(QStringLiteral("Export CSV")));
  EXPECT_TRUE(rig.pane->sendButton()->isEnabled());
  EXPECT_FALSE(rig.pane->scanProgressBar()->isVisible());
  std::printf("  cancelled at %d of %d windows\n", lastDone, total);
}

TEST(ChatWholeRecording, TheOverviewDrawsTheTrackAndJumpsOnClick) {
  qtApp();
  QStandardPaths::setTestModeEnabled(true);
  app::MainWindow window;
  window.resize(1400, 860);
  window.show();
  QSignalSpy loaded(window.modelHost(), &app::ModelHost::runtimeChanged);
  window.modelHost()->load(modelPath());
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  window.openFile(samplePath());
  ASSERT_TRUE(opened.wait(30000));
  ASSERT_TRUE(loaded.count() > 0 || loaded.wait(60000));
  widgets::ChatPane* pane = window.chatPane();
  ASSERT_TRUE(QTest::qWaitFor([pane] { return pane->currentSegment().has_value(); }, 30000));
  pane->clearConversation();
  widgets::OverviewView* overview = window.overview();
  const int stripHeight = overview->height();
  EXPECT_TRUE(overview->track().isEmpty());
  pane->inputEdit()->setPlainText(QString::fromLatin1(kWorkload));
  pane->optionsEdit()->setText(QStringLiteral("Yes, No"));
  QSignalSpy finished(pane, &widgets::ChatPane::scanFinished);
  ASSERT_TRUE(pane->askWholeRecording(-1));
  ASSERT_TRUE(finished.wait(180000));
  const auto track = pane->trackOf(finished.last()[0].toInt());
  ASSERT_TRUE(track);
  // The overview holds the pane's track exactly and grew by the track's height.
  const widgets::OverviewTrack& drawn = overview->track();
  EXPECT_EQ(drawn.label, QStringLiteral("P(Yes)"));
  ASSERT_EQ(drawn.value.size(), static_cast<std::size_t>(track->value.size()));
  for (std::size_t k = 0; k < drawn.value.size(); ++k) {
    EXPECT_EQ(drawn.value[k], track->value[static_cast<qsizetype>(k)]);
    EXPECT_EQ(drawn.startSec[k], track->startSec[static_cast<qsizetype>(k)]);
    EXPECT_EQ(drawn.endSec[k], track->endSec[static_cast<qsizetype>(k)]);
  }
  QTest::qWait(50);
  EXPECT_GT(overview->height(), stripHeight);
  const QRect r = overview->trackRect();
  ASSERT_FALSE(r.isEmpty());
  // The plot is drawn: the column at the middle of window 2 has the area colour down to the axis, and at
  // its value's height the line.
  const QImage image = overview->grab().toImage();
  const double mid = (drawn.startSec[2] + drawn.endSec[2]) / 2;
  const int x = r.left() + static_cast<int>(std::lround(overview->model()->xOfTime(mid, r.width())));
  const int yValue = static_cast<int>(std::lround(r.bottom() - drawn.value[2] * (r.height() - 1)));
  const QColor below = image.pixelColor(x, std::min(r.bottom() - 1, yValue + 3));
  EXPECT_GT(below.blue(), below.red() + 20) << "area fill at the window's value";
  const QColor above = image.pixelColor(x, std::max(r.top() + 1, yValue - 4));
  EXPECT_LT(std::abs(above.blue() - above.red()), 30) << "white or page tint above the value";
  // A click on the track jumps there (the page centred on the clicked time).
  const QByteArray dir = qgetenv("NEUROLM_SCREENSHOT_DIR");
  if (!dir.isEmpty()) {
    window.chatDock()->raise();
    QTest::qWait(100);
    overview->grab().save(QString::fromUtf8(dir) + QStringLiteral("/overview-track.png"));
    pane->grab().save(QString::fromUtf8(dir) + QStringLiteral("/chat-whole-recording.png"));
    window.grab().save(QString::fromUtf8(dir) + QStringLiteral("/whole-recording.png"));
  }
  const double target = drawn.startSec[3] + 5;
  const int clickX = r.left() + static_cast<int>(std::lround(overview->model()->xOfTime(target, r.width())));
  QSignalSpy page(overview, &widgets::OverviewView::pageStartRequested);
  QTest::mouseClick(overview, Qt::LeftButton, {}, QPoint(clickX, r.center().y()));
  ASSERT_EQ(page.count(), 1);
  EXPECT_NEAR(page[0][0].toDouble(),
              overview->model()->pageStartCentredOn(overview->model()->timeAtX(clickX - r.left(), r.width())),
              1e-9);
  EXPECT_NEAR(page[0][0].toDouble(), target - 5, 0.5);
  pane->clearConversation();
  pane->flushWrites();
}

// The backend's evidence of an option for the pane's segment equals the runtime's evidence asked directly
// (gradient × input, ranked): same channels and seconds in the same order, same shares.
TEST(ChatEvidence, TheBackendsEvidenceEqualsTheRuntimesAskedDirectly) {
  qtApp();
  test::TempDir tmp("chat-evidence");
  ChatRig rig(QString::fromStdString((tmp / "history").string()));
  const auto segment = rig.pane->currentSegment();
  ASSERT_TRUE(segment);
  widgets::ChatEvidenceRequest request;
  request.segment = *segment;
  request.instruction = QString::fromUtf8(kWorkload);
  request.option = QStringLiteral(" Yes");
  QSignalSpy finished(rig.backend.get(), &widgets::ChatBackend::evidenceFinished);
  const quint64 id = rig.backend->explain(request);
  ASSERT_TRUE(finished.wait(60000));
  EXPECT_EQ(finished.at(0).at(0).toULongLong(), id);
  const auto evidence = finished.at(0).at(1).value<widgets::ChatEvidence>();
  ASSERT_TRUE(evidence.error.isEmpty()) << evidence.error.toStdString();

  const auto source = runtime::EegSource::openRecording(samplePath().toStdString());
  runtime::RuntimeOptions o;
  o.neuroLmPath = modelPath().toStdString();
  o.bpeDir = test::resourcesDir() / "tokenizer" / "gpt2";
  runtime::InferenceRuntime engine(o);
  const auto direct =
      engine
          .evidence(source.window({segment->startSec, segment->endSec}, preprocess::kInstructionPaddedLength),
                    kWorkload, " Yes")
          .get();
  ASSERT_EQ(evidence.tokens.size(), static_cast<qsizetype>(direct.tokens.size()));
  EXPECT_NEAR(evidence.logProb, direct.logProb, 1e-6);
  double total = 0;
  for (qsizetype i = 0; i < evidence.tokens.size(); ++i) {
    const auto& a = evidence.tokens[i];
    const auto& b = direct.tokens[static_cast<size_t>(i)];
    total += a.share;
    EXPECT_NEAR(a.share, b.share, 1e-6) << "rank " << i;
    if (i >= 20) continue;  // ranks further down may swap on ties of float rounding
    EXPECT_EQ(a.channelRow, b.channelRow) << "rank " << i;
    EXPECT_EQ(a.channel, segment->channels.at(a.channelRow));
    EXPECT_DOUBLE_EQ(a.startSec, segment->startSec + static_cast<double>(b.second));
  }
  EXPECT_NEAR(total, 1.0, 1e-9);

  // The pane: an answer with options, its Evidence link, the top 20 sent for the lane and the traces and
  // listed under the answer; the UI thread keeps ticking meanwhile.
  const widgets::ChatAlternative& a = rig.ask(QString::fromLatin1(kWorkload), 1, QStringLiteral(" Yes, No"));
  ASSERT_EQ(a.answer.choices.size(), 2);
  const int turn = rig.pane->conversation().turnCount() - 1;
  const QString best = a.answer.choices[0].probability >= a.answer.choices[1].probability ? " Yes" : " No";
  const auto expected = engine
                            .evidence(source.window({a.segment.startSec, a.segment.endSec},
                                                    preprocess::kInstructionPaddedLength),
                                      kWorkload, best.toStdString())
                            .get();
  QSignalSpy shown(rig.pane.get(), &widgets::ChatPane::evidenceShown);
  EventLoopProbe probe;
  ASSERT_TRUE(rig.pane->showEvidence(turn));
  EXPECT_TRUE(rig.pane->isExplaining());
  ASSERT_TRUE(shown.wait(60000));
  probe.stop();
  const auto top = shown.at(0).at(1).value<QList<widgets::ChatEvidenceToken>>();
  ASSERT_EQ(top.size(), 20);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(top[i].channelRow, expected.tokens[static_cast<size_t>(i)].channelRow) << "rank " << i;
    EXPECT_NEAR(top[i].share, expected.tokens[static_cast<size_t>(i)].share, 1e-6);
  }
  EXPECT_TRUE(rig.pane->transcriptText().contains(QStringLiteral("Evidence for")));
  EXPECT_TRUE(rig.pane->transcriptText().contains(top[0].channel));
  std::printf("evidence: UI thread blocked at most %.1f ms (raw gap %.1f ms)\n", probe.maxBlockedMs(),
              probe.maxGapMs());
  rig.pane->grab().save(QString::fromStdString((tmp / "evidence.png").string()));
  QFile::copy(QString::fromStdString((tmp / "evidence.png").string()), QStringLiteral("/tmp/ev_pane.png"));
}

// In the main window the evidence's top 20 tokens are outlined on the token lane (weight = share / the
// largest share) and highlighted on the traces' lanes of the same channels and seconds with the same weight,
// in a layer of their own: a code selected afterwards adds its occurrences without removing the evidence.
TEST(ChatEvidence, TheMainWindowShowsTheTopTokensOnTheLaneAndTheTraces) {
  qtApp();
  QStandardPaths::setTestModeEnabled(true);
  app::MainWindow window;
  window.resize(1400, 860);
  window.show();
  QSignalSpy loaded(window.modelHost(), &app::ModelHost::runtimeChanged);
  // With a tiny tokenizer beside the model the token lane has codes too (one can then be selected).
  const test::TempDir tokenizerDir("chat-evidence-vq");
  const std::string vq = (tokenizerDir.path() / "tokenizer.safetensors").string();
  const std::string init = (test::binDir() / "neurolm").string() +
                           " init --kind vq --size tiny --seed 3 --out " + vq + " > /dev/null";
  ASSERT_EQ(std::system(init.c_str()), 0) << init;
  window.modelHost()->load(modelPath(), QString::fromStdString(vq));
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  window.openFile(samplePath());
  ASSERT_TRUE(opened.wait(30000));
  ASSERT_TRUE(loaded.count() > 0 || loaded.wait(60000));
  widgets::ChatPane* pane = window.chatPane();
  ASSERT_TRUE(QTest::qWaitFor([pane] { return pane->currentSegment().has_value(); }, 30000));
  pane->clearConversation();
  pane->inputEdit()->setPlainText(QString::fromLatin1(kWorkload));
  pane->optionsEdit()->setText(QStringLiteral(" Yes, No"));
  pane->maxTokensBox()->setValue(1);
  QSignalSpy answered(pane, &widgets::ChatPane::answerFinished);
  ASSERT_TRUE(pane->send());
  ASSERT_TRUE(answered.wait(120000));
  QSignalSpy shown(pane, &widgets::ChatPane::evidenceShown);
  ASSERT_TRUE(pane->showEvidence(answered.last()[0].toInt()));
  ASSERT_TRUE(shown.wait(60000));
  const auto top = shown.at(0).at(1).value<QList<widgets::ChatEvidenceToken>>();
  ASSERT_EQ(top.size(), 20);
  const auto& cells = window.tokenLane()->evidence();
  ASSERT_EQ(cells.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(cells[static_cast<size_t>(i)].channel, static_cast<size_t>(top[i].channelRow));
    EXPECT_EQ(cells[static_cast<size_t>(i)].second, static_cast<size_t>(top[i].startSec));
    EXPECT_DOUBLE_EQ(cells[static_cast<size_t>(i)].weight, top[i].share / top[0].share);
  }
  // Every highlighted trace span is one of the top tokens, on a lane showing that channel, with its weight.
  using Layer = widgets::TraceView::HighlightLayer;
  widgets::TraceView* traces = window.traceView();
  const auto checkEvidenceSpans = [&]() {
    const auto& spans = traces->highlights(Layer::Evidence);
    EXPECT_EQ(spans.size(), 20u);  // the referential montage shows every channel once
    for (const auto& s : spans) {
      const widgets::ChatEvidenceToken* match = nullptr;
      for (const auto& t : top)
        if (t.startSec == s.startSec && traces->laneLabel(s.lane) == t.sourceLabel) match = &t;
      ASSERT_NE(match, nullptr) << "lane " << s.lane << " at " << s.startSec;
      EXPECT_DOUBLE_EQ(s.endSec, match->endSec);
      EXPECT_DOUBLE_EQ(s.weight, match->share / top[0].share);
    }
  };
  checkEvidenceSpans();
  EXPECT_TRUE(traces->highlights(Layer::CodeOccurrences).empty());

  // Select the code of the strongest evidence token: its occurrences join the evidence on the traces.
  widgets::TokenModel* tokens = window.tokenLane()->model();
  ASSERT_TRUE(QTest::qWaitFor([tokens] { return tokens->hasCodes(); }, 120000));
  const std::int32_t code = tokens->grid()->code(static_cast<std::size_t>(top[0].channelRow),
                                                 static_cast<std::size_t>(top[0].startSec));
  tokens->selectCode(code);
  ASSERT_EQ(tokens->selectedCode(), code);
  const auto& occurrences = traces->highlights(Layer::CodeOccurrences);
  EXPECT_EQ(occurrences.size(), tokens->occurrences().size());  // every token row has its channel's lane
  bool strongestMarked = false;
  for (const auto& s : occurrences) {
    EXPECT_DOUBLE_EQ(s.weight, 1.0);
    strongestMarked =
        strongestMarked || (s.startSec == top[0].startSec && traces->laneLabel(s.lane) == top[0].sourceLabel);
  }
  EXPECT_TRUE(strongestMarked);
  checkEvidenceSpans();  // the evidence is still there
  // The page of the strongest token, both layers drawn, for a look by eye.
  traces->setPageStart(std::max(0.0, top[0].startSec - traces->pageDurationSec() / 2));
  QTest::qWait(300);
  window.grab().save(QStringLiteral("/tmp/ev_window.png"));
  // Clearing the code leaves the evidence.
  tokens->clearSelection();
  EXPECT_TRUE(traces->highlights(Layer::CodeOccurrences).empty());
  checkEvidenceSpans();
}
