#pragma once
// What this computer can train on, as the jobs form lists it: the CPU with its free memory and each CUDA
// device, or why there is none. The list is read in app/ (which may ask LibTorch and the NVIDIA driver) and
// handed to the pane through a ComputeDeviceProbe; the pane only names and shows it.
#include <QCoreApplication>
#include <QString>
#include <cstdint>
#include <functional>
#include <vector>

namespace neurolm::widgets {

struct ComputeDevice {
  bool cuda = false;
  int index = 0;            // the CUDA device's index (cuda:N); 0 for the CPU
  QString name;             // the GPU's name; empty for the CPU
  int cpuCores = 0;         // the CPU's cores this process may use
  int64_t freeBytes = -1;   // free memory (MemAvailable for the CPU); -1 when unknown
  int64_t totalBytes = -1;  // the GPU's memory; -1 when unknown
};

enum class NoCudaReason {
  None,      // there is at least one CUDA device
  NotBuilt,  // this LibTorch build has no CUDA
  NoDriver,  // no NVIDIA driver is loaded
  NoDevice,  // a driver but no device that CUDA can use
};

struct ComputeDevices {
  std::vector<ComputeDevice> devices;  // the CPU first, then the CUDA devices
  NoCudaReason noCuda = NoCudaReason::None;
  QString problem;  // what could not be read (e.g. "/proc/meminfo: cannot be read"); empty when all was
  bool hasCuda() const {
    for (const auto& d : devices)
      if (d.cuda) return true;
    return false;
  }
};

// Reads the devices of this computer; called on a worker thread (it may run a process), never on the GUI's.
using ComputeDeviceProbe = std::function<ComputeDevices()>;

class ComputeDeviceText {
  Q_DECLARE_TR_FUNCTIONS(ComputeDeviceText)

 public:
  static QString label(const ComputeDevice& device);  // "CPU — 2 cores, 5.3 GiB free memory"
  static QString noCuda(NoCudaReason reason);         // "no CUDA device: this LibTorch build has no CUDA"
};

}  // namespace neurolm::widgets
