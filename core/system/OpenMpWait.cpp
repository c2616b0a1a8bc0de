#include "core/system/OpenMpWait.h"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <string>

namespace neurolm {

bool openMpWaitIsPassive() {
  const char* value = std::getenv("OMP_WAIT_POLICY");
  if (value == nullptr) return false;
  std::string v(value);
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v == "passive";
}

void reexecWithPassiveOpenMpWait(int argc, char** argv) {
  if (argc < 1 || argv == nullptr || argv[0] == nullptr) return;
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;  // the user's choice (or already re-executed)
  if (std::getenv("NEUROLM_OMP_REEXEC") != nullptr) return;
  if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0 || setenv("NEUROLM_OMP_REEXEC", "1", 1) != 0) return;
  execv("/proc/self/exe", argv);
  // exec failed (no /proc?): keep running with the policy libgomp already chose; undo the variables so
  // that child processes see the user's environment.
  unsetenv("OMP_WAIT_POLICY");
  unsetenv("NEUROLM_OMP_REEXEC");
}

}  // namespace neurolm
