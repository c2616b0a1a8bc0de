// The jobs form's Device row: what this computer can train on, from the ComputeDeviceProbe app/ provides
// (read on the pane's worker, again each time the form is shown): the CPU with its free memory and each CUDA
// device, or one disabled entry that says why there is none. A Slurm job runs on its node instead: the row
// then points at the GPUs field.
#include <QComboBox>
#include <QLabel>
#include <QShowEvent>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QVBoxLayout>

#include "widgets/jobs/JobWatcher.h"
#include "widgets/jobs/JobsPanel.h"

namespace neurolm::widgets {

void JobsPanel::addDeviceField(QWidget* page, const AddField& addField) {
  auto* cell = new QWidget(page);
  auto* v = new QVBoxLayout(cell);
  v->setContentsMargins(0, 0, 0, 0);
  v->setSpacing(1);
  device_ = new QComboBox(cell);
  device_->setObjectName(QStringLiteral("device"));
  v->addWidget(device_);
  deviceNote_ = new QLabel(cell);
  deviceNote_->setObjectName(QStringLiteral("deviceNote"));
  deviceNote_->setWordWrap(true);
  deviceNote_->setStyleSheet(QStringLiteral("color: palette(mid);"));
  deviceNote_->hide();
  v->addWidget(deviceNote_);
  addField(QStringLiteral("device"), tr("Device"), cell);
  showDevices(ComputeDevices{});
}

void JobsPanel::setDeviceProbe(ComputeDeviceProbe probe) {
  deviceProbe_ = std::move(probe);
  refreshDevices();
}

void JobsPanel::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (tabs_->currentIndex() == 1) refreshDevices();
}

void JobsPanel::refreshDevices() {
  if (!deviceProbe_) return;
  const quint64 request = ++deviceRequest_;
  // On the worker (it may run nvidia-smi); the destructor stops that thread before `this` goes.
  QMetaObject::invokeMethod(
      watcher_,
      [this, probe = deviceProbe_, request]() {
        ComputeDevices devices;
        try {
          devices = probe();
        } catch (const std::exception& e) {
          devices.problem = QString::fromLocal8Bit(e.what());
        }
        QMetaObject::invokeMethod(
            this,
            [this, devices = std::move(devices), request]() {
              if (request != deviceRequest_) return;  // a newer reading is on its way
              showDevices(devices);
              Q_EMIT devicesRefreshed();
            },
            Qt::QueuedConnection);
      },
      Qt::QueuedConnection);
}

void JobsPanel::showDevices(const ComputeDevices& devices) {
  devices_ = devices;
  const QString chosen = device_->count() > 0 ? device_->currentData().toString() : QStringLiteral("cpu");
  const QSignalBlocker block(device_);
  device_->clear();
  auto* model = qobject_cast<QStandardItemModel*>(device_->model());
  const auto disableLast = [&](const QString& why) {
    model->item(device_->count() - 1)->setEnabled(false);
    device_->setItemData(device_->count() - 1, why, Qt::ToolTipRole);
  };
  bool listed = false;
  for (const auto& d : devices.devices) {
    listed = true;
    if (!d.cuda) {
      device_->addItem(ComputeDeviceText::label(d), QStringLiteral("cpu"));
      continue;
    }
    // The trainer's "cuda" is the first CUDA device; another one is chosen with CUDA_VISIBLE_DEVICES.
    device_->addItem(ComputeDeviceText::label(d),
                     d.index == 0 ? QStringLiteral("cuda") : QStringLiteral("cuda:%1").arg(d.index));
    if (d.index != 0)
      disableLast(tr("The trainer uses the first CUDA device; start the app with CUDA_VISIBLE_DEVICES=%1 to "
                     "train on this one.")
                      .arg(d.index));
  }
  if (!listed)
    device_->addItem(deviceProbe_ ? tr("CPU (reading the free memory…)") : tr("CPU"), QStringLiteral("cpu"));
  if (devices.noCuda != NoCudaReason::None) {
    device_->addItem(ComputeDeviceText::noCuda(devices.noCuda), QStringLiteral("cuda"));
    disableLast(ComputeDeviceText::noCuda(devices.noCuda));
  } else if (!devices.hasCuda()) {
    device_->addItem(tr("CUDA: not known yet"), QStringLiteral("cuda"));
    disableLast(tr("The devices of this computer have not been read yet."));
  }
  // The choice stays when the list is read again; a CUDA choice on a disabled entry is refused at start.
  device_->setCurrentIndex(std::max(0, device_->findData(chosen)));
  applyDeviceScheduler();
}

void JobsPanel::applyDeviceScheduler() {
  if (!device_ || !gpus_) return;
  const bool slurm = scheduler_->currentData().toString() == QLatin1String("slurm");
  device_->setVisible(!slurm);  // the list is this computer's: under Slurm only the note speaks
  if (auto* error = fieldErrors_.value(QStringLiteral("device")); error && slurm) error->hide();
  QString note;
  if (slurm)
    note = gpus_->value() > 0 ? tr("Under Slurm the job trains on the node's GPUs (%1, the GPUs field) when its "
                                   "LibTorch sees them, else on its CPUs; this computer's devices do not apply.")
                                    .arg(gpus_->value())
                              : tr("Under Slurm the job trains on the node's CPUs; ask for GPUs in the GPUs "
                                   "field to train on the node's GPUs.");
  else if (!devices_.problem.isEmpty())
    note = tr("Not everything could be read: %1").arg(devices_.problem);
  deviceNote_->setText(note);
  deviceNote_->setVisible(!note.isEmpty());
}

}  // namespace neurolm::widgets
