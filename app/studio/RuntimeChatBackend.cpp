#include "app/studio/RuntimeChatBackend.h"

#include <QApplication>
#include <QFileInfo>
#include <QThreadPool>
#include <atomic>
#include <chrono>

#include "core/preprocess/PatchGrid.h"
#include "models/nn/NeuroLm.h"
#include "models/runtime/EegWindows.h"
#include "widgets/chat/ChatConversation.h"

namespace neurolm::app {
namespace {

using Clock = std::chrono::steady_clock;

double msBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Length of the longest prefix of `bytes` that ends on a whole UTF-8 character (a character whose bytes are
// split over two GPT-2 tokens waits for the second).
// The answer's text without the trailing <|endoftext|> that ended it (what the streamed tokens showed).
std::string withoutEndOfText(const runtime::AskResult& r) {
  static const std::string kEndOfText = "<|endoftext|>";
  std::string text = r.answer;
  if (!r.answerIds.empty() && r.answerIds.back() == nn::kLastGpt2Id && text.size() >= kEndOfText.size() &&
      text.compare(text.size() - kEndOfText.size(), kEndOfText.size(), kEndOfText) == 0)
    text.erase(text.size() - kEndOfText.size());
  return text;
}

std::size_t wholeUtf8Prefix(const std::string& bytes) {
  const std::size_t n = bytes.size();
  for (std::size_t back = 1; back <= std::min<std::size_t>(3, n); ++back) {
    const auto c = static_cast<unsigned char>(bytes[n - back]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte: look further back for the lead byte
    const std::size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

}  // namespace

struct RuntimeChatBackend::Pending {
  std::atomic<bool> cancelled{false};
  std::atomic<runtime::RequestId> runtimeId{0};
  std::shared_ptr<runtime::InferenceRuntime> runtime;
};

RuntimeChatBackend::RuntimeChatBackend(ModelHost* host, QObject* parent) : ChatBackend(parent), host_(host) {
  qRegisterMetaType<widgets::ChatSourceInfo>();
  qRegisterMetaType<widgets::ChatAnswer>();
  qRegisterMetaType<widgets::ChatScanResult>();
  qRegisterMetaType<widgets::ChatEvidence>();
  askThread_ = new QThreadPool(this);
  askThread_->setMaxThreadCount(1);
  sourceThread_ = new QThreadPool(this);
  sourceThread_->setMaxThreadCount(1);
  if (host_) {
    runtime_ = host_->runtime();
    connect(host_, &ModelHost::runtimeChanged, this, &RuntimeChatBackend::onRuntimeChanged);
    connect(host_, &ModelHost::loading, this, [this](const QString& path) {
      status_ = tr("Loading the model %1…").arg(QFileInfo(path).fileName());
      Q_EMIT modelChanged();
    });
    connect(host_, &ModelHost::failed, this, [this](const QString& message) {
      status_ = tr("The model could not be loaded: %1").arg(message);
      Q_EMIT modelChanged();
    });
  }
}

RuntimeChatBackend::~RuntimeChatBackend() {
  for (const auto& p : pending_) {
    p->cancelled = true;
    if (p->runtime && p->runtimeId) p->runtime->cancel(p->runtimeId);
  }
  waitForIdle();
}

void RuntimeChatBackend::waitForIdle() {
  askThread_->waitForDone();
  sourceThread_->waitForDone();
}

void RuntimeChatBackend::onRuntimeChanged(std::shared_ptr<runtime::InferenceRuntime> runtime) {
  runtime_ = std::move(runtime);
  status_.clear();
  Q_EMIT modelChanged();
}

widgets::ChatModelInfo RuntimeChatBackend::modelInfo() const {
  widgets::ChatModelInfo info;
  info.loaded = runtime_ && runtime_->hasNeuroLm();
  if (info.loaded && host_) {
    info.modelId = host_->modelId();
    info.modelPath = host_->modelPath();
    info.device = host_->deviceDescription();
    info.tasks = widgets::parseChatTasks(host_->tasksJson());
  }
  info.status = status_;
  if (!info.loaded && status_.isEmpty()) {
    info.status = QFileInfo::exists(ModelHost::defaultModelPath())
                      ? tr("No model loaded. Load one with File → Load model…")
                      : tr("No model loaded: the embedded model %1 is not there. Load a NeuroLM model with "
                           "File → Load model… (neurolm init writes a random one for trying the pane).")
                            .arg(ModelHost::defaultModelPath());
  }
  return info;
}

std::shared_ptr<const runtime::EegSource> RuntimeChatBackend::sourceFor(const QString& filePath) {
  const auto cached = [&]() -> std::shared_ptr<const runtime::EegSource> {
    QMutexLocker lock(&sourcesMutex_);
    const auto it = sources_.find(filePath);
    return it == sources_.end() ? nullptr : it.value();
  };
  if (auto s = cached()) return s;
  QMutexLocker opening(&openMutex_);
  if (auto s = cached()) return s;  // prepared while this thread waited
  auto source = std::make_shared<const runtime::EegSource>(
      runtime::EegSource::openRecording(filePath.toStdString()));  // throws naming the file
  QMutexLocker lock(&sourcesMutex_);
  if (sources_.size() >= 4) sources_.clear();  // a few recordings' 200-Hz copies, not every one ever opened
  sources_.insert(filePath, source);
  return source;
}

void RuntimeChatBackend::prepareSource(const QString& filePath) {
  QPointer<RuntimeChatBackend> self(this);
  sourceThread_->start([self, this, filePath]() {
    widgets::ChatSourceInfo info;
    info.filePath = filePath;
    try {
      const auto source = sourceFor(filePath);
      for (const auto& name : source->modelNames()) info.channels << QString::fromStdString(name);
      info.durationSec = source->durationSec();
      info.maxWindowSec = static_cast<int>(source->maxWindowSec(preprocess::kInstructionPaddedLength));
    } catch (const std::exception& e) {
      const QString what = QString::fromStdString(e.what());
      info.error = what.contains(filePath) ? what : filePath + QStringLiteral(": ") + what;
    }
    QMetaObject::invokeMethod(
        qApp,
        [self, info]() {
          if (self) Q_EMIT self->sourceReady(info);
        },
        Qt::QueuedConnection);
  });
}

quint64 RuntimeChatBackend::ask(const widgets::ChatRequest& request) {
  const quint64 id = ++nextRequest_;
  auto pending = std::make_shared<Pending>();
  pending->runtime = runtime_;
  pending_.insert(id, pending);
  const auto submitted = Clock::now();
  QPointer<RuntimeChatBackend> self(this);
  askThread_->start([self, this, id, request, pending, submitted]() {
    widgets::ChatAnswer answer;
    int step = 0;
    std::string unsent;  // token bytes not yet delivered (an unfinished UTF-8 character)
    Clock::time_point first{}, last{};
    try {
      if (!pending->runtime) throw std::runtime_error("no model is loaded");
      if (pending->cancelled) throw runtime::RequestCancelled(0);
      const auto source = sourceFor(request.segment.filePath);
      preprocess::PatchGrid grid = source->window({request.segment.startSec, request.segment.endSec},
                                                  preprocess::kInstructionPaddedLength);
      runtime::AskOptions options;
      options.maxNewTokens = request.decoding.maxNewTokens;
      options.sample = request.decoding.sample;
      options.temperature = request.decoding.temperature;
      options.topK = request.decoding.topK;
      options.topP = request.decoding.topP;
      options.seed = request.decoding.seed;
      for (const auto& o : request.options) options.choices.push_back(o.toStdString());
      auto onToken = [&, self, id, pending](const runtime::AskToken& token) {
        // Stop goes through runtime->cancel(): the engine then delivers no further token (returning false
        // here would keep the refused token in its answer).
        last = Clock::now();
        if (step == 0) first = last;
        // The end-of-text token ends the answer; it is counted and streamed, but as no text (a chat shows
        // the answer, not GPT-2's separator).
        if (token.tokenId != nn::kLastGpt2Id) unsent += token.bytes;
        const std::size_t whole = wholeUtf8Prefix(unsent);
        const QString text = QString::fromUtf8(unsent.data(), static_cast<qsizetype>(whole));
        unsent.erase(0, whole);
        const int s = step++;
        QMetaObject::invokeMethod(
            qApp,
            [self, id, s, text]() {
              if (self) Q_EMIT self->tokenArrived(id, s, text);
            },
            Qt::QueuedConnection);
        return true;
      };
      runtime::RequestId runtimeId = 0;
      auto future = pending->runtime->ask(std::move(grid), request.instruction.toStdString(), options,
                                          onToken, &runtimeId);
      pending->runtimeId = runtimeId;
      if (pending->cancelled) pending->runtime->cancel(runtimeId);
      const runtime::AskResult r = future.get();
      answer.text = QString::fromStdString(withoutEndOfText(r));
      answer.tokenCount = static_cast<int>(r.answerIds.size());
      answer.cancelled = r.cancelled;
      for (const auto& c : r.choices)
        answer.choices.append({QString::fromStdString(c.text), c.probability, c.logProb});
    } catch (const runtime::RequestCancelled&) {
      answer.cancelled = true;
    } catch (const std::exception& e) {
      const QString what = QString::fromStdString(e.what());
      const QString file = request.segment.filePath;
      answer.error = what.contains(file) ? what : file + QStringLiteral(": ") + what;
    }
    const auto end = Clock::now();
    answer.seconds = msBetween(submitted, end) / 1000;
    if (step > 0) {
      answer.firstTokenMs = msBetween(submitted, first);
      const double genMs = msBetween(first, last);
      answer.tokensPerSec = step > 1 && genMs > 0 ? (step - 1) / (genMs / 1000) : 0;
    }
    QMetaObject::invokeMethod(
        qApp,
        [self, id, answer]() {
          if (!self) return;
          self->pending_.remove(id);
          Q_EMIT self->answerFinished(id, answer);
        },
        Qt::QueuedConnection);
  });
  return id;
}

quint64 RuntimeChatBackend::scanRecording(const widgets::ChatScanRequest& request) {
  const quint64 id = ++nextRequest_;
  auto pending = std::make_shared<Pending>();
  pending->runtime = runtime_;
  pending_.insert(id, pending);
  const auto submitted = Clock::now();
  QPointer<RuntimeChatBackend> self(this);
  askThread_->start([self, this, id, request, pending, submitted]() {
    widgets::ChatScanResult result;
    result.options = request.options;
    const auto report = [self, id](int done, int total) {
      QMetaObject::invokeMethod(
          qApp,
          [self, id, done, total]() {
            if (self && self->pending_.contains(id)) Q_EMIT self->scanProgress(id, done, total);
          },
          Qt::QueuedConnection);
    };
    try {
      if (!pending->runtime) throw std::runtime_error("no model is loaded");
      if (request.options.isEmpty()) throw std::invalid_argument("scoring windows needs answer options");
      const auto source = sourceFor(request.filePath);
      const auto windows =
          runtime::slidingWindows({0, source->durationSec()}, request.windowSec, request.hopSec);
      result.totalWindows = static_cast<int>(windows.size());
      std::vector<std::string> choices;
      for (const auto& o : request.options) choices.push_back(o.toStdString());
      report(0, result.totalWindows);
      // Chunks of windows prepared at a time, so a long recording's windows are never all in memory; the
      // runtime batches each chunk through the model and stops between batches when cancelled.
      const std::size_t chunk = static_cast<std::size_t>(std::max(1, request.batchSize)) * 8;
      for (std::size_t first = 0; first < windows.size() && !result.cancelled; first += chunk) {
        if (pending->cancelled) {
          result.cancelled = true;
          break;
        }
        const std::size_t count = std::min(chunk, windows.size() - first);
        std::vector<preprocess::PatchGrid> grids;
        grids.reserve(count);
        for (std::size_t k = 0; k < count; ++k)
          grids.push_back(source->window(windows[first + k], preprocess::kInstructionPaddedLength));
        const auto progress = [&, first](std::size_t done, std::size_t) {
          report(static_cast<int>(first + done), result.totalWindows);
          return !pending->cancelled.load();
        };
        runtime::RequestId runtimeId = 0;
        auto future = pending->runtime->scoreWindows(std::move(grids), request.instruction.toStdString(),
                                                     choices, request.batchSize, progress, &runtimeId);
        pending->runtimeId = runtimeId;
        if (pending->cancelled) pending->runtime->cancel(runtimeId);
        const runtime::ScoreWindowsResult r = future.get();
        for (std::size_t k = 0; k < r.windows.size(); ++k) {
          widgets::ChatScanWindow w;
          w.startSec = windows[first + k].startSec;
          w.endSec = windows[first + k].endSec;
          for (double p : r.windows[k].probability) w.probabilities.append(p);
          w.best = static_cast<int>(r.windows[k].bestChoice);
          result.windows.append(w);
        }
        if (r.cancelled) result.cancelled = true;
      }
    } catch (const runtime::RequestCancelled&) {
      result.cancelled = true;
    } catch (const std::exception& e) {
      const QString what = QString::fromStdString(e.what());
      const QString file = request.filePath;
      result.error = what.contains(file) ? what : file + QStringLiteral(": ") + what;
    }
    if (result.error.isEmpty() && result.windows.size() < result.totalWindows) result.cancelled = true;
    result.seconds = msBetween(submitted, Clock::now()) / 1000;
    QMetaObject::invokeMethod(
        qApp,
        [self, id, result]() {
          if (!self) return;
          self->pending_.remove(id);
          Q_EMIT self->scanFinished(id, result);
        },
        Qt::QueuedConnection);
  });
  return id;
}

quint64 RuntimeChatBackend::explain(const widgets::ChatEvidenceRequest& request) {
  const quint64 id = ++nextRequest_;
  auto pending = std::make_shared<Pending>();
  pending->runtime = runtime_;
  pending_.insert(id, pending);
  const auto submitted = Clock::now();
  QPointer<RuntimeChatBackend> self(this);
  askThread_->start([self, this, id, request, pending, submitted]() {
    widgets::ChatEvidence evidence;
    evidence.option = request.option;
    evidence.method = QStringLiteral("gradient × input");
    try {
      if (!pending->runtime) throw std::runtime_error("no model is loaded");
      if (pending->cancelled) throw runtime::RequestCancelled(0);
      const auto source = sourceFor(request.segment.filePath);
      auto grid = source->window({request.segment.startSec, request.segment.endSec},
                                 preprocess::kInstructionPaddedLength);
      runtime::RequestId runtimeId = 0;
      auto future = pending->runtime->evidence(std::move(grid), request.instruction.toStdString(),
                                               request.option.toStdString(), &runtimeId);
      pending->runtimeId = runtimeId;
      if (pending->cancelled) pending->runtime->cancel(runtimeId);
      const runtime::EvidenceResult r = future.get();
      evidence.logProb = r.logProb;
      const auto names = source->modelNames();
      for (const auto& t : r.tokens) {
        widgets::ChatEvidenceToken token;
        token.channelRow = static_cast<int>(t.channelRow);
        token.channel = static_cast<std::size_t>(t.channelRow) < names.size()
                            ? QString::fromStdString(names[static_cast<std::size_t>(t.channelRow)])
                            : QString::fromStdString(t.channelName);
        if (static_cast<std::size_t>(t.channelRow) < source->sourceLabels().size())
          token.sourceLabel =
              QString::fromStdString(source->sourceLabels()[static_cast<std::size_t>(t.channelRow)]);
        token.startSec = request.segment.startSec + static_cast<double>(t.second);
        token.endSec = token.startSec + 1;
        token.contribution = t.contribution;
        token.score = t.score;
        token.share = t.share;
        evidence.tokens.append(token);
      }
    } catch (const runtime::RequestCancelled&) {
      evidence.cancelled = true;
    } catch (const std::exception& e) {
      const QString what = QString::fromStdString(e.what());
      const QString file = request.segment.filePath;
      evidence.error = what.contains(file) ? what : file + QStringLiteral(": ") + what;
    }
    evidence.seconds = msBetween(submitted, Clock::now()) / 1000;
    QMetaObject::invokeMethod(
        qApp,
        [self, id, evidence]() {
          if (!self) return;
          self->pending_.remove(id);
          Q_EMIT self->evidenceFinished(id, evidence);
        },
        Qt::QueuedConnection);
  });
  return id;
}

void RuntimeChatBackend::cancel(quint64 requestId) {
  const auto it = pending_.find(requestId);
  if (it == pending_.end()) return;
  const auto& p = it.value();
  p->cancelled = true;
  if (p->runtime && p->runtimeId) p->runtime->cancel(p->runtimeId);
}

}  // namespace neurolm::app
