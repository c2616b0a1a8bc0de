#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>

#include "app/cli/Commands.h"
#include "app/cli/EngineArgs.h"
#include "models/runtime/ModelInit.h"

namespace neurolm::cli {
namespace {

constexpr const char* kUsage =
    "usage: neurolm init --kind vq|neurolm [--size tiny|B] [--seed N] --out FILE.safetensors [--json]\n";

void printHelp(std::ostream& out) {
  out << kUsage
      << "\nWrites a randomly initialised model (official initialisers, seeded) in our format: safetensors "
         "with\n"
         "the configuration as JSON in __metadata__[\"neurolm_config\"], written atomically. For tests and\n"
         "demos: a random model's answers mean nothing.\n\n"
         "  --kind vq        the neural tokenizer (VQ: encoder, quantizer, decoders; codebook = seeded unit "
         "rows)\n"
         "  --kind neurolm   NeuroLM (GPT-2 + the frozen tokenizer encoder)\n"
         "  --size tiny      tokenizer encoder 2 layers x 12 heads x 768 (768 is fixed by TemporalConv's\n"
         "                   Linear(400, 768)), decoders 2 x 2 x 32, codebook 8192 x 128;\n"
         "                   GPT-2 2 layers x 2 heads x 64 (vocabulary 50304, outputs 50304 + 8192)\n"
         "  --size B         the official sizes: tokenizer 12 x 12 x 768 (decoders 4 x 12 x 768),\n"
         "                   GPT-2 12 x 12 x 768 (NeuroLM-B)\n"
         "  --seed N         seed of the initialisation (default 0)\n"
         "  --json           one object {type:\"init\", kind, size, seed, parameters, path, config}\n";
}

}  // namespace

int runInit(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  runtime::InitOptions o;
  bool json = false, haveKind = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--help" || a == "-h") {
      printHelp(out);
      return 0;
    } else if (a == "--kind") {
      o.kind = optionValue(args, i);
      haveKind = true;
    } else if (a == "--size") {
      o.size = optionValue(args, i);
    } else if (a == "--seed") {
      const auto& v = optionValue(args, i);
      try {
        std::size_t used = 0;
        o.seed = std::stoull(v, &used);
        if (used != v.size()) throw std::invalid_argument(v);
      } catch (const std::exception&) {
        throw std::invalid_argument("--seed '" + v + "' is not a non-negative integer");
      }
    } else if (a == "--out") {
      o.out = optionValue(args, i);
    } else if (a == "--json") {
      json = true;
    } else {
      err << "neurolm init: unexpected argument '" << a << "'\n" << kUsage;
      return 2;
    }
  }
  if (!haveKind || o.out.empty()) {
    err << "neurolm init: need --kind and --out\n" << kUsage;
    return 2;
  }
  const auto report = runtime::initRandomModel(o);
  if (json) {
    out << nlohmann::json{{"type", "init"},
                          {"kind", report.kind},
                          {"size", report.size},
                          {"seed", o.seed},
                          {"parameters", report.parameters},
                          {"path", o.out.string()},
                          {"config", nlohmann::json::parse(report.configJson)}}
               .dump()
        << "\n";
  } else {
    out << "wrote " << o.out.string() << ": random " << report.kind << " (" << report.size << ", seed "
        << o.seed << "), " << report.parameters << " parameters\nconfig: " << report.configJson << "\n";
  }
  return 0;
}

}  // namespace neurolm::cli
