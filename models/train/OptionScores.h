#pragma once
// The raw option log-probabilities of an eval run (run_dir/scores.csv), one row per window, before any
// temperature: what a calibration needs. A calibration run can pool such files written by other models of the
// same recipe on subjects those models never trained on (cross-fitted temperature, MODEL_CARD.md).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace neurolm::train {

struct OptionScores {
  std::vector<std::string> files;
  std::vector<double> startSec;
  std::vector<std::string> subjects;
  std::vector<int64_t> labels;
  std::vector<std::vector<double>> logProbs;  // per window, one per option
};

// CSV with header file,start_sec,subject,label,logp0..logpK-1; numbers printed to round-trip exactly.
std::string formatOptionScores(const OptionScores& scores);

// Reads a scores.csv with optionCount options. Throws std::invalid_argument naming the file, the line and
// the problem (missing file, wrong header, wrong column count, a label outside the options, a value that is
// not a finite number, no row).
OptionScores readOptionScores(const std::filesystem::path& path, std::size_t optionCount);

}  // namespace neurolm::train
