#pragma once
// Owns the studio's NeuroLM engine: loads an InferenceRuntime on a worker (its constructor blocks while the
// weights load), announces it, and hands the same runtime to every pane that needs it (chat, token lane).
// Loads carry a request id; a load that finishes after a newer one started is dropped.
#include <QObject>
#include <QString>
#include <memory>

#include "models/runtime/InferenceRuntime.h"

namespace neurolm::app {

class ModelHost : public QObject {
  Q_OBJECT

 public:
  explicit ModelHost(QObject* parent = nullptr);
  ~ModelHost() override;

  // The embedded model (resources/model/neurolm.safetensors + tokenizer.safetensors).
  static QString defaultModelPath();
  static QString defaultTokenizerPath();
  static QString defaultBpeDir();

  const std::shared_ptr<runtime::InferenceRuntime>& runtime() const { return runtime_; }
  bool isLoading() const { return loading_; }
  QString modelPath() const { return modelPath_; }
  QString tokenizerPath() const { return tokenizerPath_; }
  // The model's file name and size, e.g. "neurolm.safetensors (21.9 M parameters)"; empty without a model.
  QString modelId() const { return modelId_; }
  QString deviceDescription() const { return device_; }
  // The model's tasks as the JSON array of ModelSummary::tasksJson (empty when the model has none).
  QString tasksJson() const { return tasksJson_; }
  QString lastError() const { return lastError_; }

 public Q_SLOTS:
  // Starts loading (tokenizerPath may be empty). loading() now, then loaded() + runtimeChanged() or failed().
  void load(const QString& neuroLmPath, const QString& tokenizerPath = QString(),
            const QString& bpeDir = QString());
  // The embedded model when its file exists; false (and nothing started) when it does not.
  bool loadDefault();
  void unload();

 Q_SIGNALS:
  void loading(const QString& neuroLmPath);
  void loaded(std::shared_ptr<neurolm::runtime::InferenceRuntime> runtime);
  void failed(const QString& message);  // names the file and the problem
  // The runtime every pane should use now (null when unloaded); emitted after loaded() and by unload().
  void runtimeChanged(std::shared_ptr<neurolm::runtime::InferenceRuntime> runtime);

 private:
  std::shared_ptr<runtime::InferenceRuntime> runtime_;
  quint64 request_ = 0;
  bool loading_ = false;
  QString modelPath_, tokenizerPath_, modelId_, device_, tasksJson_, lastError_;
};

}  // namespace neurolm::app
