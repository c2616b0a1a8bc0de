#include "widgets/jobs/ComputeDevice.h"

namespace neurolm::widgets {

namespace {
QString gib(int64_t bytes) {
  return QString::number(static_cast<double>(bytes) / (1024.0 * 1024 * 1024), 'f', 1);
}
}  // namespace

QString ComputeDeviceText::label(const ComputeDevice& d) {
  if (!d.cuda)
    return d.freeBytes >= 0 ? tr("CPU — %1 cores, %2 GiB free memory").arg(d.cpuCores).arg(gib(d.freeBytes))
                            : tr("CPU — %1 cores, free memory unknown").arg(d.cpuCores);
  const QString name = d.name.isEmpty() ? tr("CUDA device %1").arg(d.index) : d.name;
  if (d.freeBytes >= 0 && d.totalBytes > 0)
    return tr("%1 (cuda:%2) — %3 of %4 GiB free")
        .arg(name)
        .arg(d.index)
        .arg(gib(d.freeBytes), gib(d.totalBytes));
  if (d.freeBytes >= 0) return tr("%1 (cuda:%2) — %3 GiB free").arg(name).arg(d.index).arg(gib(d.freeBytes));
  return tr("%1 (cuda:%2) — free memory unknown").arg(name).arg(d.index);
}

QString ComputeDeviceText::noCuda(NoCudaReason reason) {
  switch (reason) {
    case NoCudaReason::None:
      return {};
    case NoCudaReason::NotBuilt:
      return tr("no CUDA device: this LibTorch build has no CUDA");
    case NoCudaReason::NoDriver:
      return tr("no CUDA device: no NVIDIA driver is loaded");
    case NoCudaReason::NoDevice:
      return tr("no CUDA device: the NVIDIA driver sees no GPU");
  }
  return {};
}

}  // namespace neurolm::widgets
