#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>

#include "app/cli/Commands.h"
#include "app/cli/EngineArgs.h"
#include "core/io/Npy.h"
#include "models/runtime/InferenceRuntime.h"

namespace neurolm::cli {
namespace {

constexpr const char* kUsage =
    "usage: neurolm tokenize FILE --vq CKPT [--window a:b | --windows LEN:HOP [--range a:b]] [--pad "
    "276|1024]\n"
    "                        [--channels A,B,...] [--features-out X.npy] [--device auto|cpu|cuda] [--json]\n";

void printHelp(std::ostream& out) {
  out << kUsage
      << "\nNeural tokens of EEG windows: the tokenizer's codes (one per channel and second) and its "
         "encoder\n"
         "features (what NeuroLM consumes).\n\n"
      << kInputOptionsHelp
      << "tokenizer:\n"
         "  --vq CKPT               tokenizer: official VQ_Align checkpoint (.pt) or ours (.safetensors)\n"
         "  --model CKPT            instead of --vq: the tokenizer inside a NeuroLM file (features only, no "
         "codes)\n"
         "  --pad N                 padded length: 276 (default; instruction tuning/evaluation, how NeuroLM "
         "reads\n"
         "                          a window) or 1024 (tokenizer training/pre-training). Codes depend on it\n"
         "                          (GroupNorm statistics include the padding), so it is recorded in the "
         "output.\n"
         "  --features-out X.npy    write the features [windows, V, D] float32 there (not into the JSON)\n\n"
         "text output: the code grid, one row per channel, one column per second of the window.\n"
         "--json lines: first {type:\"input\", file, duration_sec, preprocessed, channels[], "
         "source_channels[],\n"
         "  vocab_indices[], dropped_channels[{label, reason}], warnings[], padded_length, device}; then per "
         "window\n"
         "  {type:\"tokens\", window:[a, b], seconds, channels[], padded_length, tokens (V = channels x "
         "seconds),\n"
         "   codes[channel][second], codes_flat[V] (time-major: token a*N + n), features_source "
         "(vq|neurolm),\n"
         "   features_shape:[V, D], features[V*D] (row-major) or features_path}\n";
}

}  // namespace

int runTokenize(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  InputArgs input;
  runtime::RuntimeOptions ro;
  std::string featuresOut;
  std::size_t padded = preprocess::kInstructionPaddedLength;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--help" || a == "-h") {
      printHelp(out);
      return 0;
    } else if (parseInputOption(args, i, input)) {
    } else if (a == "--vq") {
      ro.tokenizerPath = optionValue(args, i);
    } else if (a == "--model") {
      ro.neuroLmPath = optionValue(args, i);
    } else if (a == "--features-out") {
      featuresOut = optionValue(args, i);
    } else if (a == "--pad") {
      const auto& v = optionValue(args, i);
      if (v == "276")
        padded = preprocess::kInstructionPaddedLength;
      else if (v == "1024")
        padded = preprocess::kPretrainPaddedLength;
      else
        throw std::invalid_argument("--pad '" + v + "' (expected 276 or 1024)");
    } else if (!a.empty() && a[0] == '-') {
      err << "neurolm tokenize: unknown option '" << a << "'\n" << kUsage;
      return 2;
    } else if (input.file.empty()) {
      input.file = a;
    } else {
      err << "neurolm tokenize: more than one FILE given\n" << kUsage;
      return 2;
    }
  }
  if (input.file.empty() || (ro.tokenizerPath.empty() && ro.neuroLmPath.empty())) {
    err << "neurolm tokenize: need FILE and --vq CKPT\n" << kUsage;
    return 2;
  }
  ro.device = input.device;
  ro.cpuThreads = input.threads;
  ro.bpeDir = std::filesystem::path(NEUROLM_RESOURCES_DIR) / "tokenizer" / "gpt2";
  const auto source = runtime::EegSource::open(input.file, input.source);
  const auto windows = windowsToRun(input, source, padded);
  std::vector<preprocess::PatchGrid> grids;
  for (const auto& w : windows) grids.push_back(source.window(w, padded));  // all checked before loading
  runtime::InferenceRuntime engine(ro);

  if (input.json)
    out << describeInput(source, padded, engine.deviceDescription()).dump() << "\n";
  else
    out << describeInputText(source, padded, engine.deviceDescription());

  std::vector<float> allFeatures;
  std::size_t rows = 0, dim = 0;
  const std::size_t n = source.vocabIndices().size();
  for (std::size_t k = 0; k < windows.size(); ++k) {
    const auto r = engine.tokenize(grids[k]).get();
    const std::size_t v = r.channelCount * r.windowSec;
    std::vector<std::vector<int64_t>> grid(n, std::vector<int64_t>(r.windowSec));
    for (std::size_t p = 0; p < r.codes.size(); ++p) grid[p % n][p / n] = r.codes[p];
    if (!featuresOut.empty()) {
      allFeatures.insert(allFeatures.end(), r.features.begin(), r.features.end());
      rows = v;
      dim = static_cast<std::size_t>(r.featureDim);
    }
    if (input.json) {
      nlohmann::json j = {{"type", "tokens"},
                          {"window", {windows[k].startSec, windows[k].endSec}},
                          {"seconds", r.windowSec},
                          {"channels", source.modelNames()},
                          {"padded_length", r.paddedLength},
                          {"tokens", v},
                          {"features_source", r.featureSource},
                          {"features_shape", {v, r.featureDim}}};
      if (!r.codes.empty()) {
        j["codes"] = grid;
        j["codes_flat"] = r.codes;
      }
      if (featuresOut.empty())
        j["features"] = r.features;
      else
        j["features_path"] = featuresOut;
      out << j.dump() << "\n";
    } else {
      out << "\nwindow " << windows[k].startSec << ":" << windows[k].endSec << " s: " << n << " channels x "
          << r.windowSec << " s = " << v << " tokens, features " << v << " x " << r.featureDim << " ("
          << r.featureSource << ")\n";
      if (r.codes.empty()) {
        out << "(no codes: pass --vq for the tokenizer's codebook)\n";
        continue;
      }
      out << std::setw(8) << "second";
      for (std::size_t s = 0; s < r.windowSec; ++s) out << std::setw(6) << s;
      out << "\n";
      for (std::size_t c = 0; c < n; ++c) {
        out << std::setw(8) << source.modelNames()[c];
        for (int64_t code : grid[c]) out << std::setw(6) << code;
        out << "\n";
      }
    }
  }
  if (!featuresOut.empty()) {
    writeNpy(featuresOut, makeNpy(allFeatures, {windows.size(), rows, dim}));
    if (!input.json)
      out << "features: " << featuresOut << " [" << windows.size() << ", " << rows << ", " << dim << "]\n";
  }
  return 0;
}

}  // namespace neurolm::cli
