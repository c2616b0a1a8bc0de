// The jobs form's "Run on" choice and the Slurm resources of a job: the options of `neurolm submit --slurm`
// (--partition, --time, --cpus, --gpus, --mem, --stop-warning), shown only while Slurm is chosen.
#include <QComboBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QSpinBox>

#include "widgets/jobs/JobsPanel.h"

namespace neurolm::widgets {

namespace {
const char* const kSlurmRows[] = {"partition", "timeLimit", "cpus", "gpus", "memory", "stopWarning"};
}

void JobsPanel::addSchedulerFields(QWidget* page, const AddField& addField) {
  scheduler_ = new QComboBox(page);
  scheduler_->setObjectName(QStringLiteral("scheduler"));
  scheduler_->addItem(tr("this computer"), QStringLiteral("local"));
  scheduler_->addItem(tr("Slurm (sbatch, as neurolm submit --slurm)"), QStringLiteral("slurm"));
  addField(QStringLiteral("scheduler"), tr("Run on"), scheduler_);
  addDeviceField(page, addField);
  partition_ = new QLineEdit(page);
  partition_->setObjectName(QStringLiteral("partition"));
  partition_->setPlaceholderText(tr("the cluster's default"));
  addField(QStringLiteral("partition"), tr("Partition"), partition_);
  timeLimit_ = new QSpinBox(page);
  timeLimit_->setObjectName(QStringLiteral("timeLimit"));
  timeLimit_->setRange(0, 60 * 24 * 365);
  timeLimit_->setSuffix(tr(" min"));
  timeLimit_->setSpecialValueText(tr("the partition's default"));
  addField(QStringLiteral("timeLimit"), tr("Time limit"), timeLimit_);
  cpus_ = new QSpinBox(page);
  cpus_->setObjectName(QStringLiteral("cpus"));
  cpus_->setRange(1, 1024);
  addField(QStringLiteral("cpus"), tr("CPUs"), cpus_);
  gpus_ = new QSpinBox(page);
  gpus_->setObjectName(QStringLiteral("gpus"));
  gpus_->setRange(0, 64);
  addField(QStringLiteral("gpus"), tr("GPUs"), gpus_);

  memory_ = new QSpinBox(page);
  memory_->setObjectName(QStringLiteral("memory"));
  memory_->setRange(0, 64 * 1024 * 1024);  // 64 TiB in MB
  memory_->setSingleStep(1024);
  memory_->setSuffix(tr(" MB"));
  memory_->setSpecialValueText(tr("the partition's default"));
  memory_->setToolTip(
      tr("Memory for the job on its node (sbatch --mem), in megabytes; the partition's default when "
         "not set. Slurm ends a job that uses more."));
  addField(QStringLiteral("memory"), tr("Memory"), memory_);
  stopWarning_ = new QSpinBox(page);
  stopWarning_->setObjectName(QStringLiteral("stopWarning"));
  stopWarning_->setRange(0, 65535);  // Slurm's limit for --signal
  stopWarning_->setSuffix(tr(" s"));
  stopWarning_->setSpecialValueText(tr("none"));
  stopWarning_->setToolTip(
      tr("Slurm warns the job this long before its time limit (sbatch --signal=B:USR1@N): the trainer "
         "finishes its step, writes a checkpoint and the job queues itself again to go on. It must be "
         "shorter than the time limit."));
  addField(QStringLiteral("stopWarning"), tr("Stop warning"), stopWarning_);

  connect(scheduler_, &QComboBox::currentIndexChanged, this, [this]() { applyScheduler(); });
  connect(gpus_, &QSpinBox::valueChanged, this, [this]() { applyDeviceScheduler(); });
  writeSchedulerFields(JobForm{});
  applyScheduler();
}

void JobsPanel::applyScheduler() {
  const bool slurm = scheduler_->currentData().toString() == QLatin1String("slurm");
  for (const auto* key : kSlurmRows) formLayout_->setRowVisible(fieldRows_[QLatin1String(key)], slurm);
  applyDeviceScheduler();
}

void JobsPanel::readSchedulerFields(JobForm& f) const {
  f.scheduler = scheduler_->currentData().toString();
  f.partition = partition_->text().trimmed();
  f.timeLimitMin = timeLimit_->value();
  f.cpus = cpus_->value();
  f.gpus = gpus_->value();
  f.memoryMb = memory_->value();
  f.stopWarningSec = stopWarning_->value();
}

void JobsPanel::writeSchedulerFields(const JobForm& f) {
  scheduler_->setCurrentIndex(std::max(0, scheduler_->findData(f.scheduler)));
  partition_->setText(f.partition);
  timeLimit_->setValue(f.timeLimitMin);
  cpus_->setValue(f.cpus);
  gpus_->setValue(f.gpus);
  memory_->setValue(f.memoryMb);
  stopWarning_->setValue(f.stopWarningSec);
}

}  // namespace neurolm::widgets
