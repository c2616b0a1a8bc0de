#include "core/system/OpenMpWait.h"

#include <alloca.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <string>

namespace neurolm {

bool openMpWaitIsPassive() {
  const char* value = std::getenv("OMP_WAIT_POLICY");
  if (value == nullptr) return false;
  std::string v(value);
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v == "passive";
}

void passiveOpenMpWaitPreinit(int argc, char** argv, char** envp) {
  static char kPassive[] = "OMP_WAIT_POLICY=PASSIVE";
  if (argc < 1 || argv == nullptr || envp == nullptr) return;
  std::size_t count = 0;
  for (; envp[count] != nullptr; ++count)
    if (std::strncmp(envp[count], "OMP_WAIT_POLICY=", 16) == 0) return;  // chosen by the user, or done
  // The environment plus one entry, on the stack (the exec replaces this process image anyway).
  auto** env = static_cast<char**>(alloca((count + 2) * sizeof(char*)));
  for (std::size_t i = 0; i < count; ++i) env[i] = envp[i];
  env[count] = kPassive;
  env[count + 1] = nullptr;
  execve("/proc/self/exe", argv, env);
  // exec failed (no /proc?): run on with libgomp's default policy.
}

}  // namespace neurolm
