#include "app/studio/ModelHost.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QPointer>
#include <QThreadPool>

#include "app/studio/StudioOptions.h"

namespace neurolm::app {
namespace {

// ModelSummary::tasksJson when this engine has it (added with the embedded model's task list); empty before.
template <typename Summary>
std::string tasksOf(const Summary& summary) {
  if constexpr (requires { summary.tasksJson; }) {
    return summary.tasksJson;
  } else {
    return {};
  }
}

QString parameterCount(int64_t n) {
  if (n >= 1'000'000'000) return QString::number(n / 1e9, 'f', 2) + QStringLiteral(" G");
  if (n >= 1'000'000) return QString::number(n / 1e6, 'f', 1) + QStringLiteral(" M");
  return QString::number(n);
}

}  // namespace

ModelHost::ModelHost(QObject* parent) : QObject(parent) {
  qRegisterMetaType<std::shared_ptr<runtime::InferenceRuntime>>();
}

ModelHost::~ModelHost() = default;

QString ModelHost::defaultModelPath() {
  return QDir(resourcesDir()).filePath(QStringLiteral("model/neurolm.safetensors"));
}
QString ModelHost::defaultTokenizerPath() {
  return QDir(resourcesDir()).filePath(QStringLiteral("model/tokenizer.safetensors"));
}
QString ModelHost::defaultBpeDir() { return QDir(resourcesDir()).filePath(QStringLiteral("tokenizer/gpt2")); }

bool ModelHost::loadDefault() {
  if (!QFileInfo::exists(defaultModelPath())) return false;
  load(defaultModelPath(), QFileInfo::exists(defaultTokenizerPath()) ? defaultTokenizerPath() : QString());
  return true;
}

void ModelHost::load(const QString& neuroLmPath, const QString& tokenizerPath, const QString& bpeDir) {
  const quint64 request = ++request_;
  loading_ = true;
  lastError_.clear();
  Q_EMIT loading(neuroLmPath);
  runtime::RuntimeOptions options;
  options.neuroLmPath = neuroLmPath.toStdString();
  options.tokenizerPath = tokenizerPath.toStdString();
  options.bpeDir = (bpeDir.isEmpty() ? defaultBpeDir() : bpeDir).toStdString();
  QPointer<ModelHost> self(this);
  QThreadPool::globalInstance()->start([self, request, options, neuroLmPath, tokenizerPath]() {
    std::shared_ptr<runtime::InferenceRuntime> rt;
    QString error, id, device, tasks;
    try {
      if (!QFileInfo::exists(neuroLmPath)) throw std::runtime_error("the file does not exist");
      rt = std::make_shared<runtime::InferenceRuntime>(options);  // blocks while the weights load
      if (!rt->hasNeuroLm()) throw std::runtime_error("no NeuroLM model in the file");
      const auto summary = rt->neuroLmSummary();
      id = QFileInfo(neuroLmPath).fileName();
      if (summary) {
        id += QStringLiteral(" (%1 parameters)").arg(parameterCount(summary->parameters));
        tasks = QString::fromStdString(tasksOf(*summary));
      }
      device = QString::fromStdString(rt->deviceDescription());
    } catch (const std::exception& e) {
      rt.reset();
      const QString what = QString::fromStdString(e.what());
      // The engine's messages usually name the file already.
      error = what.contains(neuroLmPath) || (!tokenizerPath.isEmpty() && what.contains(tokenizerPath))
                  ? what
                  : neuroLmPath + QStringLiteral(": ") + what;
    }
    QMetaObject::invokeMethod(
        qApp,
        [self, request, rt, error, id, device, tasks, neuroLmPath, tokenizerPath]() mutable {
          if (!self || request != self->request_) {
            // Closed, or a newer load started: release this engine off the UI thread (it joins its worker).
            if (rt)
              QThreadPool::globalInstance()->start([dropped = std::move(rt)]() mutable { dropped.reset(); });
            return;
          }
          self->loading_ = false;
          if (!rt) {
            self->lastError_ = error;
            Q_EMIT self->failed(error);
            return;
          }
          auto old = std::move(self->runtime_);
          self->runtime_ = rt;
          self->modelPath_ = neuroLmPath;
          self->tokenizerPath_ = tokenizerPath;
          self->modelId_ = id;
          self->device_ = device;
          self->tasksJson_ = tasks;
          Q_EMIT self->loaded(rt);
          Q_EMIT self->runtimeChanged(rt);
          if (old)
            QThreadPool::globalInstance()->start([dropped = std::move(old)]() mutable { dropped.reset(); });
        },
        Qt::QueuedConnection);
  });
}

void ModelHost::unload() {
  ++request_;  // a load in flight is dropped when it arrives
  loading_ = false;
  auto old = std::move(runtime_);
  runtime_.reset();
  modelPath_.clear();
  tokenizerPath_.clear();
  modelId_.clear();
  device_.clear();
  tasksJson_.clear();
  Q_EMIT runtimeChanged(nullptr);
  if (old) QThreadPool::globalInstance()->start([dropped = std::move(old)]() mutable { dropped.reset(); });
}

}  // namespace neurolm::app
