#pragma once
// The headless `neurolm` command line: info, tokenize, ask, train, ... (no Qt).
#include <iosfwd>
#include <string>
#include <vector>

namespace neurolm::cli {

// Runs one CLI invocation; returns the process exit code. args excludes the program name.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace neurolm::cli
