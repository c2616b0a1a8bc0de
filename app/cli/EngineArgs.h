#pragma once
// Options shared by `neurolm tokenize` and `neurolm ask`: the input file, channel choice, preprocessing and
// the windows to run. No torch.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "models/runtime/EegWindows.h"

namespace neurolm::cli {

struct InputArgs {
  std::string file;
  runtime::EegSourceOptions source;
  std::optional<runtime::TimeRange> window;          // --window a:b
  std::optional<std::pair<double, double>> windows;  // --windows LEN:HOP
  std::optional<runtime::TimeRange> range;           // --range a:b (with --windows)
  std::string device = "auto";
  int threads = 0;  // --threads N (0: every CPU this process may use, or OMP_NUM_THREADS)
  bool json = false;
};

// Consumes the shared option at args[i] (and its value); returns false if args[i] is not one of them.
// Throws std::invalid_argument for a missing or malformed value.
bool parseInputOption(const std::vector<std::string>& args, std::size_t& i, InputArgs& out);
// The value after args[i] (advances i), or throws naming the option.
const std::string& optionValue(const std::vector<std::string>& args, std::size_t& i);

// The windows to run: --window, or --windows over --range (default: the whole recording), or, with neither,
// the longest window from 0 s that fits (maxWindowSec, capped by the recording).
std::vector<runtime::TimeRange> windowsToRun(const InputArgs& args, const runtime::EegSource& source,
                                             std::size_t paddedLength);

// The JSON line describing the input (type "input"), and the same as text lines.
nlohmann::json describeInput(const runtime::EegSource& source, std::size_t paddedLength,
                             const std::string& device);
std::string describeInputText(const runtime::EegSource& source, std::size_t paddedLength,
                              const std::string& device);

inline constexpr const char* kInputOptionsHelp =
    "input:\n"
    "  FILE                    EDF/EDF+/BDF recording (whole recording preprocessed once: 0.1-75 Hz "
    "band-pass,\n"
    "                          notch, resampling to 200 Hz, as the official dataset makers), or a .npy\n"
    "                          [channels, samples] at 200 Hz already in model units (uV / 100; needs "
    "--channels)\n"
    "  --channels A,B,...      channels to use, in this order (EDF labels or normalised names such as FP1);\n"
    "                          default for EDF: every channel in the NeuroLM vocabulary, the others are "
    "dropped\n"
    "                          and listed (non-voltage, reference derivations like 'EEG A2-A1', unknown "
    "names)\n"
    "  --channel-rule R        name normalisation: generic (default; strips 'EEG ' and -REF/-LE/-A1/...),\n"
    "                          workload (official EEGMAT rule: text after the last space), exact\n"
    "  --notch HZ|none         mains notch of the recording site (default 50)\n"
    "  --window a:b            one window, seconds [a, b), whole seconds, at most 64 s and N*(b-a) tokens\n"
    "                          <= the padded length\n"
    "  --windows LEN:HOP       every window of LEN s every HOP s inside --range a:b (default: whole "
    "recording)\n"
    "  --device auto|cpu|cuda  compute device (CUDA when available for auto; CPU fallback with the reason)\n"
    "  --threads N             CPU threads of the engine (default: every CPU this process may use)\n"
    "  --json                  one JSON object per line (fields below)\n";

}  // namespace neurolm::cli
