#include <iostream>

#include "app/cli/Cli.h"
#include "core/system/OpenMpWait.h"

int main(int argc, char** argv) {
  neurolm::reexecWithPassiveOpenMpWait(argc, argv);  // see core/system/OpenMpWait.h
  std::vector<std::string> args(argv + 1, argv + argc);
  return neurolm::cli::run(args, std::cout, std::cerr);
}
