#include "models/train/OptionScores.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace neurolm::train {

namespace {

std::string exact(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto comma = line.find(',', start);
    out.push_back(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::string header(std::size_t optionCount) {
  std::string h = "file,start_sec,subject,label";
  for (std::size_t k = 0; k < optionCount; ++k) h += ",logp" + std::to_string(k);
  return h;
}

}  // namespace

std::string formatOptionScores(const OptionScores& s) {
  const std::size_t k = s.logProbs.empty() ? 0 : s.logProbs.front().size();
  std::string out = header(k) + "\n";
  for (std::size_t i = 0; i < s.labels.size(); ++i) {
    out += s.files[i] + "," + exact(s.startSec[i]) + "," + s.subjects[i] + "," + std::to_string(s.labels[i]);
    for (double v : s.logProbs[i]) out += "," + exact(v);
    out += "\n";
  }
  return out;
}

OptionScores readOptionScores(const std::filesystem::path& path, std::size_t optionCount) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path.string() + ": option scores not found or unreadable");
  const auto fail = [&](std::size_t line, const std::string& why) {
    throw std::invalid_argument(path.string() + ":" + std::to_string(line) + ": " + why);
  };
  std::string line;
  if (!std::getline(in, line)) fail(1, "empty file (expected the header " + header(optionCount) + ")");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line != header(optionCount))
    fail(1, "header is '" + line + "', expected '" + header(optionCount) + "' (" +
                std::to_string(optionCount) + " options)");
  OptionScores s;
  const auto number = [&](const std::string& text, std::size_t n, const char* what) {
    double v = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v))
      fail(n, std::string(what) + " '" + text + "' is not a finite number");
    return v;
  };
  for (std::size_t n = 2; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto c = cells(line);
    if (c.size() != 4 + optionCount)
      fail(n, std::to_string(c.size()) + " columns, expected " + std::to_string(4 + optionCount));
    const double label = number(c[3], n, "label");
    if (label != std::floor(label) || label < 0 || label >= static_cast<double>(optionCount))
      fail(n, "label " + c[3] + " is not one of the " + std::to_string(optionCount) + " options");
    std::vector<double> lp;
    for (std::size_t k = 0; k < optionCount; ++k) {
      lp.push_back(number(c[4 + k], n, "log-probability"));
      if (lp.back() > 1e-9) fail(n, "log-probability " + c[4 + k] + " is above 0");
    }
    if (c[2].empty()) fail(n, "no subject");
    s.files.push_back(c[0]);
    s.startSec.push_back(number(c[1], n, "start_sec"));
    s.subjects.push_back(c[2]);
    s.labels.push_back(static_cast<int64_t>(label));
    s.logProbs.push_back(std::move(lp));
  }
  if (s.labels.empty()) fail(2, "no window");
  return s;
}

}  // namespace neurolm::train
