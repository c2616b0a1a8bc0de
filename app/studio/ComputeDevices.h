#pragma once
// The jobs form's device list for this computer: the CPU (cores of this process's affinity mask, MemAvailable
// of /proc/meminfo) and the CUDA devices LibTorch can use, named with their free memory by nvidia-smi (which
// asks the driver without creating a CUDA context in the app), or why there is no CUDA device.
#include <QString>
#include <vector>

#include "widgets/jobs/ComputeDevice.h"

namespace neurolm::app {

// Blocks (may run nvidia-smi): call it on a worker, as the jobs pane does with its ComputeDeviceProbe.
widgets::ComputeDevices probeComputeDevices();

// The rows of `nvidia-smi --query-gpu=index,name,memory.free,memory.total --format=csv,noheader,nounits`
// ("0, NVIDIA H200, 143000, 143771", memory in MiB) as CUDA devices; malformed rows are left out.
std::vector<widgets::ComputeDevice> parseNvidiaSmiGpus(const QString& output);

}  // namespace neurolm::app
