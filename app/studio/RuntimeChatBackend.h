#pragma once
// The chat pane's backend over the inference runtime: recordings are prepared for the model (EegSource:
// channel mapping, official preprocessing) on a worker and cached; each question runs on the runtime's
// worker, its tokens cross to the GUI thread as queued signals. One request at a time is waited for on a
// private thread, so the application's shared pool never waits on the model.
#include <QHash>
#include <QMutex>
#include <QPointer>
#include <memory>

#include "app/studio/ModelHost.h"
#include "widgets/chat/ChatBackend.h"

class QThreadPool;

namespace neurolm::runtime {
class EegSource;
}

namespace neurolm::app {

class RuntimeChatBackend : public widgets::ChatBackend {
  Q_OBJECT

 public:
  explicit RuntimeChatBackend(ModelHost* host, QObject* parent = nullptr);
  ~RuntimeChatBackend() override;

  widgets::ChatModelInfo modelInfo() const override;
  void prepareSource(const QString& filePath) override;
  quint64 ask(const widgets::ChatRequest& request) override;
  void cancel(quint64 requestId) override;
  quint64 scanRecording(const widgets::ChatScanRequest& request) override;
  quint64 explain(const widgets::ChatEvidenceRequest& request) override;

  // Blocks until queued work is done (tests, shutdown).
  void waitForIdle();

 private:
  struct Pending;
  std::shared_ptr<const runtime::EegSource> sourceFor(const QString& filePath);  // any thread
  void onRuntimeChanged(std::shared_ptr<runtime::InferenceRuntime> runtime);

  QPointer<ModelHost> host_;
  std::shared_ptr<runtime::InferenceRuntime> runtime_;
  QString status_;
  quint64 nextRequest_ = 0;
  QHash<quint64, std::shared_ptr<Pending>> pending_;  // GUI thread only
  QMutex openMutex_;  // one recording prepared at a time: a question waits for the preparation under way
  QMutex sourcesMutex_;
  QHash<QString, std::shared_ptr<const runtime::EegSource>> sources_;
  QThreadPool* askThread_ = nullptr;
  QThreadPool* sourceThread_ = nullptr;
};

}  // namespace neurolm::app
