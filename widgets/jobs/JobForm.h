#pragma once
// The jobs pane's "new job" form as data: the official defaults of each stage (docs/training.md, spec
// §5.2–5.4), validation with a message per field, and the training config it becomes.
#include <QCoreApplication>
#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "core/jobs/SlurmJob.h"
#include "widgets/jobs/ComputeDevice.h"

namespace neurolm::widgets {

struct StageDefaults {
  int epochs = 0;
  int batchSize = 0;
  double lr = 0;
  int paddedLength = 0;
  bool needsTokenizer = false;  // pretrain: the frozen tokenizer
  bool needsInitModel = false;  // instruct, eval: the NeuroLM to start from / to score
  bool trains = true;           // eval trains nothing: epochs, lr and max steps do not apply
};

struct JobForm {
  QString stage = QStringLiteral("vq");
  QString dataset;  // a dataset definition (resources/datasets/*.json)
  QString runDir;
  QString tokenizer;
  QString initModel;
  int epochs = 0;
  int batchSize = 0;
  QString lr;  // text, so "5e-5" reads as written
  int maxSteps = 0;
  int paddedLength = 0;
  QString otherKeys;  // a JSON object of further config keys, e.g. {"warmup_epochs": 0}
  // The trainer's "device" for a local job: "cpu" or "cuda" (the first CUDA device). A Slurm job trains on
  // the node's GPUs when it asks for some (`gpus`), else on its CPUs (configDevice).
  QString device = QStringLiteral("cpu");
  // The run folder of a job of the pane this one waits for: it starts when that one ends `done`. Its
  // model.safetensors may then be this job's tokenizer or start model before it exists.
  QString after;
  // Where it runs: "local" (a detached process here) or "slurm" (a batch job submitted as
  // `neurolm submit --slurm` does, with these resources).
  QString scheduler = QStringLiteral("local");
  QString partition;     // empty: the cluster's default partition
  int timeLimitMin = 0;  // 0: the partition's default limit
  int cpus = 1;
  int gpus = 0;
  int memoryMb = 0;         // --mem; 0: the partition's default
  int stopWarningSec = 60;  // SIGUSR1 this long before the time limit (checkpoint, requeue); 0: none
};

struct JobFormError {
  QString field;  // "dataset", "runDir", "tokenizer", "initModel", "lr", "otherKeys", "after", "timeLimit", …
  QString message;
};

class JobForms {
  Q_DECLARE_TR_FUNCTIONS(JobForms)

 public:
  static QStringList stages() { return {"vq", "pretrain", "instruct", "eval"}; }
  static StageDefaults defaults(const QString& stage);
  static JobForm defaultForm(const QString& stage);
  static std::vector<JobFormError> validate(const JobForm& form);
  // Also refuses a local job on a device this computer does not have (`here`: its devices as listed).
  static std::vector<JobFormError> validate(const JobForm& form, const ComputeDevices& here);
  // The trainer's "device" key for the form: its choice when local; under Slurm "auto" when the job asks for
  // GPUs (CUDA when the node's LibTorch sees the GPU, and the job's start event names the device), else "cpu".
  static QString configDevice(const JobForm& form);
  // The config `neurolm train` reads (absolute paths); call on a valid form.
  static nlohmann::json toConfig(const JobForm& form);
  // Where the pane writes the config: inside the run folder, beside the trainer's own config.json.
  static QString configPath(const QString& runDir);
  // The Slurm resources of a form whose scheduler is "slurm" (--partition, --time, --cpus, --mem, --gpus,
  // --stop-warning of `neurolm submit`); they are kept in the run folder (slurmPath) so a resume submits the
  // same.
  static jobs::SlurmResources slurmResources(const JobForm& form);
  static QString slurmPath(const QString& runDir);
  static nlohmann::json slurmJson(const jobs::SlurmResources& resources);
  // The resources kept in the run folder, or nothing for a local job; throws std::invalid_argument naming
  // the file and the field when it cannot be read.
  static std::optional<jobs::SlurmResources> readSlurmResources(const QString& runDir);
  // The model a run leaves when it ends `done` (the trainer's finalModelPath).
  static QString modelPath(const QString& runDir);
};

}  // namespace neurolm::widgets
