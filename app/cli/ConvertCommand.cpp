#include <cstdio>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>

#include "app/cli/Commands.h"
#include "app/cli/EngineArgs.h"
#include "models/runtime/ModelConvert.h"

namespace neurolm::cli {
namespace {

constexpr const char* kUsage =
    "usage: neurolm convert IN.safetensors --precision float32|float16|bfloat16|int8 --out OUT.safetensors "
    "[--json]\n";

void printHelp(std::ostream& out) {
  out << kUsage
      << "\nRewrites one of our model files (a NeuroLM or a tokenizer) with its large matrices in another\n"
         "storage precision; the configuration, tasks and other metadata are carried over unchanged and the\n"
         "file records its precision in __metadata__[\"neurolm_storage_precision\"]. Every model loader\n"
         "(ask, tokenize, eval, train's init_model, the app) decodes any precision back to float32.\n"
         "Reduced: floating 2-D tensors of >= 4096 elements (linear weights, embeddings, lm_head, "
         "codebook);\n"
         "1-D and small tensors stay float32.\n\n"
         "  --precision float32    as trained\n"
         "  --precision float16    half the size; relative error <= 2^-11 (refuses |w| > 65504)\n"
         "  --precision bfloat16   half the size; relative error <= 2^-8\n"
         "  --precision int8       about a quarter of the size: per-row absmax quantisation,\n"
         "                         s = max|row| / 127, q = round(w / s), |w - q s| <= s / 2\n"
         "  --out FILE             the output (written atomically; may be IN itself)\n"
         "  --json                 one object {type:\"convert\", kind, in, out, precision_in, precision,\n"
         "                         bytes_in, bytes_out, max_abs_error, worst_tensor, reduced_tensors,\n"
         "                         precisions:[{precision, bytes, max_abs_error, worst_tensor}]}\n\n"
         "Prints the sizes before and after and, for each precision, the file size and the largest\n"
         "|w - w'| between the input's weights and those the file would load.\n";
}

std::string megabytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

}  // namespace

int runConvert(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  runtime::ConvertOptions o;
  bool json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--help" || a == "-h") {
      printHelp(out);
      return 0;
    } else if (a == "--precision") {
      o.precision = optionValue(args, i);
    } else if (a == "--out") {
      o.out = optionValue(args, i);
    } else if (a == "--json") {
      json = true;
    } else if (!a.empty() && a[0] != '-' && o.in.empty()) {
      o.in = a;
    } else {
      err << "neurolm convert: unexpected argument '" << a << "'\n" << kUsage;
      return 2;
    }
  }
  if (o.in.empty() || o.out.empty() || o.precision.empty()) {
    err << "neurolm convert: need IN, --precision and --out\n" << kUsage;
    return 2;
  }
  const auto r = runtime::convertModelFile(o);
  if (json) {
    auto precisions = nlohmann::json::array();
    for (const auto& p : r.outcomes)
      precisions.push_back({{"precision", p.precision},
                            {"bytes", p.bytes},
                            {"max_abs_error", p.maxAbsError},
                            {"worst_tensor", p.worstTensor}});
    out << nlohmann::json{{"type", "convert"},
                          {"kind", r.kind},
                          {"in", o.in.string()},
                          {"out", o.out.string()},
                          {"precision_in", r.precisionIn},
                          {"precision", r.written.precision},
                          {"bytes_in", r.bytesIn},
                          {"bytes_out", r.written.bytes},
                          {"max_abs_error", r.written.maxAbsError},
                          {"worst_tensor", r.written.worstTensor},
                          {"reduced_tensors", r.reducedTensors},
                          {"precisions", precisions}}
               .dump()
        << "\n";
    return 0;
  }
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.2fx",
                static_cast<double>(r.bytesIn) / static_cast<double>(r.written.bytes));
  out << "wrote " << o.out.string() << ": " << r.kind << " model, " << r.precisionIn << " -> "
      << r.written.precision << " (" << r.reducedTensors << " matrices reduced)\n"
      << "size: " << megabytes(r.bytesIn) << " -> " << megabytes(r.written.bytes) << " (" << ratio
      << " smaller)\n"
      << "max |w - w'|: " << r.written.maxAbsError
      << (r.written.worstTensor.empty() ? "" : " (" + r.written.worstTensor + ")") << "\n\n"
      << "precision   size         max |w - w'|\n";
  for (const auto& p : r.outcomes) {
    char line[96];
    std::snprintf(line, sizeof line, "%-10s  %-11s  %.3g%s\n", p.precision.c_str(),
                  megabytes(p.bytes).c_str(), p.maxAbsError,
                  p.precision == r.written.precision ? "  <- written" : "");
    out << line;
  }
  return 0;
}

}  // namespace neurolm::cli
