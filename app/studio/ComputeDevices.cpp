#include "app/studio/ComputeDevices.h"

#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/cuda.h>

#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <exception>

#include "core/system/HostMemory.h"
#include "models/nn/CpuKernels.h"

namespace neurolm::app {

std::vector<widgets::ComputeDevice> parseNvidiaSmiGpus(const QString& output) {
  std::vector<widgets::ComputeDevice> gpus;
  for (const auto& line : output.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
    const auto fields = line.split(QLatin1Char(','));
    if (fields.size() != 4) continue;
    bool okIndex = false, okFree = false, okTotal = false;
    widgets::ComputeDevice d;
    d.cuda = true;
    d.index = fields[0].trimmed().toInt(&okIndex);
    d.name = fields[1].trimmed();
    const qint64 freeMiB = fields[2].trimmed().toLongLong(&okFree);
    const qint64 totalMiB = fields[3].trimmed().toLongLong(&okTotal);
    if (!okIndex || d.index < 0) continue;
    d.freeBytes = okFree ? freeMiB * 1024 * 1024 : -1;
    d.totalBytes = okTotal ? totalMiB * 1024 * 1024 : -1;
    gpus.push_back(d);
  }
  return gpus;
}

widgets::ComputeDevices probeComputeDevices() {
  widgets::ComputeDevices result;
  widgets::ComputeDevice cpu;
  cpu.cpuCores = nn::cpu::defaultCpuThreads();
  try {
    cpu.freeBytes = readMemAvailableBytes();
  } catch (const std::exception& e) {
    result.problem = QString::fromStdString(e.what());
  }
  result.devices.push_back(cpu);

  // A CPU-only LibTorch has no CUDA runtime behind its hooks; with one, the driver decides.
  if (!at::detail::getCUDAHooks().hasCUDART()) {
    result.noCuda = widgets::NoCudaReason::NotBuilt;
    return result;
  }
  if (!QFileInfo::exists(QStringLiteral("/proc/driver/nvidia/version"))) {
    result.noCuda = widgets::NoCudaReason::NoDriver;
    return result;
  }
  const auto count = torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
  if (count == 0) {
    result.noCuda = widgets::NoCudaReason::NoDevice;
    return result;
  }
  // nvidia-smi numbers the GPUs as CUDA does when CUDA_DEVICE_ORDER=PCI_BUS_ID; without CUDA_VISIBLE_DEVICES
  // both list every GPU, so index N is cuda:N for the usual single-GPU or uniform machines.
  std::vector<widgets::ComputeDevice> named;
  const QString smi = QStandardPaths::findExecutable(QStringLiteral("nvidia-smi"));
  if (!smi.isEmpty()) {
    QProcess p;
    p.start(smi, {QStringLiteral("--query-gpu=index,name,memory.free,memory.total"),
                  QStringLiteral("--format=csv,noheader,nounits")});
    if (p.waitForFinished(5000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0)
      named = parseNvidiaSmiGpus(QString::fromLocal8Bit(p.readAllStandardOutput()));
    else
      result.problem = QStringLiteral("%1: %2").arg(smi, p.errorString());
  }
  for (int i = 0; i < count; ++i) {
    widgets::ComputeDevice d;
    d.cuda = true;
    d.index = i;
    for (const auto& n : named)
      if (n.index == i && qEnvironmentVariableIsEmpty("CUDA_VISIBLE_DEVICES")) d = n;
    result.devices.push_back(d);
  }
  return result;
}

}  // namespace neurolm::app
