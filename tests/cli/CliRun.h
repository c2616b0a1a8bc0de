#pragma once
// Runs `neurolm` in-process and splits its stdout into JSON lines.
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "app/cli/Cli.h"

namespace neurolm::test {

struct CliResult {
  int code = -1;
  std::string out, err;
  std::vector<nlohmann::json> lines() const {
    std::vector<nlohmann::json> v;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) v.push_back(nlohmann::json::parse(line));
    return v;
  }
  std::vector<nlohmann::json> linesOfType(const std::string& type) const {
    std::vector<nlohmann::json> v;
    for (auto& j : lines())
      if (j.value("type", "") == type) v.push_back(j);
    return v;
  }
};

inline CliResult runCli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  CliResult r;
  r.code = cli::run(args, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace neurolm::test
