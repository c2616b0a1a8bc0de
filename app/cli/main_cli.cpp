#include <cstring>
#include <iostream>

#include "app/cli/Cli.h"
#include "core/system/OpenMpWait.h"

namespace {
// Passive OpenMP waiting for the commands that run the engine (core/system/OpenMpWait.h); the others
// (info, init, --help) are not worth the re-exec (~0.3 s).
void cliOpenMpWait(int argc, char** argv, char** envp) {
  if (argc < 2) return;
  for (const char* command : {"ask", "tokenize", "blas", "train"})
    if (std::strcmp(argv[1], command) == 0) return neurolm::passiveOpenMpWaitPreinit(argc, argv, envp);
}
}  // namespace
NEUROLM_PREINIT(cliOpenMpWait);

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return neurolm::cli::run(args, std::cout, std::cerr);
}
