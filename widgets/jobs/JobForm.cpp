#include "widgets/jobs/JobForm.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace neurolm::widgets {

StageDefaults JobForms::defaults(const QString& stage) {
  // The official defaults of each stage, as the trainer applies them (models/train/TrainConfig.cpp).
  if (stage == QLatin1String("pretrain")) return {20, 60, 6e-4, 1024, true, false, true};
  if (stage == QLatin1String("instruct")) return {5, 64, 5e-4, 276, false, true, true};
  if (stage == QLatin1String("eval")) return {5, 64, 5e-4, 276, false, true, false};
  return {50, 64, 5e-5, 1024, false, false, true};
}

JobForm JobForms::defaultForm(const QString& stage) {
  const auto d = defaults(stage);
  JobForm f;
  f.stage = stage;
  f.epochs = d.epochs;
  f.batchSize = d.batchSize;
  f.lr = QString::number(d.lr, 'g', 6);
  f.paddedLength = d.paddedLength;
  return f;
}

QString JobForms::configPath(const QString& runDir) {
  return QDir(runDir).filePath(QStringLiteral("studio-job.json"));
}

jobs::SlurmResources JobForms::slurmResources(const JobForm& form) {
  jobs::SlurmResources r;
  r.partition = form.partition.trimmed().toStdString();
  r.timeLimit = std::chrono::minutes(form.timeLimitMin);
  r.cpusPerTask = form.cpus;
  r.gpus = form.gpus;
  r.memoryMb = form.memoryMb;
  r.stopWarning = std::chrono::seconds(form.stopWarningSec);
  return r;
}

QString JobForms::slurmPath(const QString& runDir) {
  return QDir(runDir).filePath(QStringLiteral("studio-slurm.json"));
}

nlohmann::json JobForms::slurmJson(const jobs::SlurmResources& r) {
  return {{"partition", r.partition},
          {"time_limit_sec", r.timeLimit.count()},
          {"cpus_per_task", r.cpusPerTask},
          {"memory_mb", r.memoryMb},
          {"gpus", r.gpus},
          {"stop_warning_sec", r.stopWarning.count()}};
}

std::optional<jobs::SlurmResources> JobForms::readSlurmResources(const QString& runDir) {
  QFile file(slurmPath(runDir));
  if (!file.exists()) return std::nullopt;
  const std::string where = slurmPath(runDir).toStdString();
  if (!file.open(QIODevice::ReadOnly)) throw std::invalid_argument(where + ": cannot be read");
  const auto j = nlohmann::json::parse(file.readAll().toStdString(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw std::invalid_argument(where + ": not a JSON object");
  const auto integer = [&](const char* key, int64_t min) {
    if (!j.contains(key) || !j[key].is_number_integer() || j[key].get<int64_t>() < min)
      throw std::invalid_argument(where + ": \"" + key + "\" must be an integer >= " + std::to_string(min));
    return j[key].get<int64_t>();
  };
  if (!j.contains("partition") || !j["partition"].is_string())
    throw std::invalid_argument(where + ": \"partition\" must be a string");
  jobs::SlurmResources r;
  r.partition = j["partition"].get<std::string>();
  r.timeLimit = std::chrono::seconds(integer("time_limit_sec", 0));
  r.cpusPerTask = static_cast<int>(integer("cpus_per_task", 1));
  r.memoryMb = integer("memory_mb", 0);
  r.gpus = static_cast<int>(integer("gpus", 0));
  r.stopWarning = std::chrono::seconds(integer("stop_warning_sec", 0));
  return r;
}

QString JobForms::modelPath(const QString& runDir) {
  return QDir(QDir::cleanPath(runDir)).filePath(QStringLiteral("model.safetensors"));
}

std::vector<JobFormError> JobForms::validate(const JobForm& form) {
  std::vector<JobFormError> errors;
  const auto d = defaults(form.stage);
  if (!stages().contains(form.stage))
    errors.push_back({QStringLiteral("stage"), tr("Unknown stage \"%1\".").arg(form.stage)});

  const QFileInfo dataset(form.dataset);
  if (form.dataset.trimmed().isEmpty())
    errors.push_back({QStringLiteral("dataset"), tr("Choose a dataset definition.")});
  else if (!dataset.isFile())
    errors.push_back({QStringLiteral("dataset"), tr("%1 does not exist.").arg(form.dataset)});

  if (form.runDir.trimmed().isEmpty()) {
    errors.push_back({QStringLiteral("runDir"), tr("Choose a run folder.")});
  } else if (!QFileInfo(form.runDir).isAbsolute()) {
    errors.push_back({QStringLiteral("runDir"), tr("The run folder must be an absolute path.")});
  } else if (QFileInfo::exists(QDir(form.runDir).filePath(QStringLiteral("checkpoints/latest.json"))) ||
             QFileInfo::exists(QDir(form.runDir).filePath(QStringLiteral("log.jsonl")))) {
    errors.push_back({QStringLiteral("runDir"),
                      tr("%1 already holds a run: choose another folder, or select that job and resume it.")
                          .arg(form.runDir)});
  }

  // A queued job may name the model its predecessor will leave.
  const bool after = !form.after.trimmed().isEmpty();
  const auto predecessorsModel = [&](const QString& path) {
    return after && QDir::cleanPath(path.trimmed()) == modelPath(form.after);
  };
  if (after && !form.runDir.trimmed().isEmpty() &&
      QDir::cleanPath(form.after) == QDir::cleanPath(form.runDir))
    errors.push_back({QStringLiteral("after"), tr("A job cannot wait for itself.")});
  if (d.needsTokenizer) {
    if (form.tokenizer.trimmed().isEmpty())
      errors.push_back({QStringLiteral("tokenizer"), tr("The %1 stage needs a tokenizer.").arg(form.stage)});
    else if (!QFileInfo(form.tokenizer).isFile() && !predecessorsModel(form.tokenizer))
      errors.push_back({QStringLiteral("tokenizer"), tr("%1 does not exist.").arg(form.tokenizer)});
  }
  if (d.needsInitModel) {
    if (form.initModel.trimmed().isEmpty())
      errors.push_back(
          {QStringLiteral("initModel"), tr("The %1 stage needs a model to start from.").arg(form.stage)});
    else if (!QFileInfo(form.initModel).isFile() && !predecessorsModel(form.initModel))
      errors.push_back({QStringLiteral("initModel"), tr("%1 does not exist.").arg(form.initModel)});
  }

  if (d.trains) {
    bool ok = false;
    const double lr = form.lr.trimmed().toDouble(&ok);
    if (!ok || !(lr > 0) || lr > 1)
      errors.push_back(
          {QStringLiteral("lr"), tr("The learning rate must be a number in (0, 1], e.g. 5e-5.")});
  }

  if (form.scheduler != QLatin1String("local") && form.scheduler != QLatin1String("slurm"))
    errors.push_back({QStringLiteral("scheduler"), tr("Unknown scheduler \"%1\".").arg(form.scheduler)});
  if (form.scheduler == QLatin1String("slurm")) {
    if (form.partition.contains(QRegularExpression(QStringLiteral("[\\s\"]"))))
      errors.push_back({QStringLiteral("partition"), tr("A partition name has no spaces or quotes.")});
    if (form.memoryMb < 0)
      errors.push_back({QStringLiteral("memory"), tr("The memory must not be negative.")});
    // Slurm's --signal takes at most 65535 s.
    if (form.stopWarningSec < 0 || form.stopWarningSec > 65535)
      errors.push_back(
          {QStringLiteral("stopWarning"), tr("The stop warning must be between 0 and 65535 s.")});
    // The warning before the time limit must be shorter than the limit.
    if (form.timeLimitMin > 0 && form.stopWarningSec > 0 &&
        static_cast<qint64>(form.stopWarningSec) >= static_cast<qint64>(form.timeLimitMin) * 60)
      errors.push_back({QStringLiteral("timeLimit"),
                        tr("The time limit (%1 min) must be longer than the stop warning before it (%2 s).")
                            .arg(form.timeLimitMin)
                            .arg(form.stopWarningSec)});
  }
  if (form.scheduler == QLatin1String("local") && form.device != QLatin1String("cpu") &&
      form.device != QLatin1String("cuda"))
    errors.push_back({QStringLiteral("device"), tr("Unknown device \"%1\" (cpu or cuda).").arg(form.device)});
  if (!form.otherKeys.trimmed().isEmpty()) {
    const auto j = nlohmann::json::parse(form.otherKeys.toStdString(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      errors.push_back({QStringLiteral("otherKeys"),
                        tr("Other keys must be a JSON object, e.g. {\"warmup_epochs\": 0}.")});
    } else {
      for (const auto& [key, value] : j.items()) {
        if (key == "stage" || key == "run_dir" || key == "dataset" || key == "device")
          errors.push_back({QStringLiteral("otherKeys"),
                            tr("\"%1\" is set by the form.").arg(QString::fromStdString(key))});
      }
    }
  }
  return errors;
}

std::vector<JobFormError> JobForms::validate(const JobForm& form, const ComputeDevices& here) {
  auto errors = validate(form);
  if (form.scheduler == QLatin1String("local") && form.device == QLatin1String("cuda") && !here.hasCuda())
    errors.push_back(
        {QStringLiteral("device"),
         tr("This computer cannot train on CUDA (%1): choose the CPU, or run on Slurm with GPUs.")
             .arg(here.noCuda == NoCudaReason::None ? tr("no CUDA device was listed")
                                                    : ComputeDeviceText::noCuda(here.noCuda))});
  return errors;
}

QString JobForms::configDevice(const JobForm& form) {
  if (form.scheduler == QLatin1String("slurm"))
    return form.gpus > 0 ? QStringLiteral("auto") : QStringLiteral("cpu");
  return form.device;
}

nlohmann::json JobForms::toConfig(const JobForm& form) {
  const auto d = defaults(form.stage);
  nlohmann::json c = {{"stage", form.stage.toStdString()},
                      {"run_dir", QDir::cleanPath(form.runDir).toStdString()},
                      {"dataset", QFileInfo(form.dataset).absoluteFilePath().toStdString()},
                      {"batch_size", form.batchSize},
                      {"padded_length", form.paddedLength},
                      {"device", configDevice(form).toStdString()}};
  if (d.trains) {
    c["epochs"] = form.epochs;
    c["lr"] = form.lr.trimmed().toDouble();
    c["max_steps"] = form.maxSteps;
  }
  if (d.needsTokenizer) c["tokenizer"] = QFileInfo(form.tokenizer).absoluteFilePath().toStdString();
  if (d.needsInitModel) c["init_model"] = QFileInfo(form.initModel).absoluteFilePath().toStdString();
  if (!form.otherKeys.trimmed().isEmpty()) {
    const auto extra = nlohmann::json::parse(form.otherKeys.toStdString(), nullptr, false);
    if (extra.is_object()) c.update(extra);
  }
  return c;
}

}  // namespace neurolm::widgets
