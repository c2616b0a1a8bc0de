#include "models/runtime/ModelConvert.h"

#include <stdexcept>
#include <tuple>

#include "models/io/SafeTensors.h"
#include "models/io/StoragePrecision.h"
#include "models/runtime/ModelStore.h"

namespace neurolm::runtime {
namespace {

// Loads `path` with the engine's loader for its kind (every tensor checked by name and shape).
void loadAsTheEngine(const std::filesystem::path& path, ModelKind kind) {
  if (kind == ModelKind::Tokenizer)
    loadTokenizer(path);
  else
    loadNeuroLm(path);
}

// max |a − b| over all tensors (same names, same order) and where it occurs.
std::pair<double, std::string> maxAbsDifference(const NamedTensors& a, const NamedTensors& b) {
  double worst = 0;
  std::string where;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].second.is_floating_point() || a[i].second.numel() == 0) continue;
    const double d =
        (a[i].second.to(torch::kDouble) - b[i].second.to(torch::kDouble)).abs().max().item<double>();
    if (d > worst) {
      worst = d;
      where = a[i].first;
    }
  }
  return {worst, where};
}

}  // namespace

ConvertReport convertModelFile(const ConvertOptions& options) {
  const StoragePrecision target = precisionFromName(options.precision);
  if (options.out.empty()) throw std::invalid_argument("no output file given (--out FILE.safetensors)");
  const std::string in = options.in.string();
  const auto info = inspectModelFile(options.in);
  if (info.format != ModelFormat::SafeTensors)
    throw std::runtime_error(in +
                             ": is an official torch.save checkpoint; convert rewrites our safetensors "
                             "files (official checkpoints load as they are)");
  loadAsTheEngine(options.in, info.kind);

  const auto file = readSafeTensors(options.in, SafeTensorsLoad::Copy);
  const StoragePrecision precisionIn = storedPrecision(file.metadata, in);
  const NamedTensors weights = decodeStoredTensors(file.tensors, precisionIn, in);

  ConvertReport report;
  report.kind = kindName(info.kind);
  report.precisionIn = precisionName(precisionIn);
  report.bytesIn = std::filesystem::file_size(options.in);
  for (const auto& w : weights)
    report.reducedTensors += isReducedInStorage(w.second) && !keptInFloat32(w.first) ? 1 : 0;
  if (target == StoragePrecision::Float32) report.reducedTensors = 0;

  for (auto p : {StoragePrecision::Float32, StoragePrecision::Float16, StoragePrecision::BFloat16,
                 StoragePrecision::Int8}) {
    const std::string where = options.out.string();
    NamedTensors stored;
    try {
      stored = encodeForStorage(weights, p, where);
    } catch (const std::runtime_error&) {
      if (p == target) throw;
      continue;  // e.g. beyond float16's range: reported for the target only
    }
    auto metadata = file.metadata;
    metadata[std::string(kStoragePrecisionKey)] = precisionName(p);
    PrecisionOutcome outcome;
    outcome.precision = precisionName(p);
    outcome.bytes = safeTensorsFileBytes(stored, metadata);
    std::tie(outcome.maxAbsError, outcome.worstTensor) =
        maxAbsDifference(weights, decodeStoredTensors(stored, p, where));
    if (p == target) {
      writeSafeTensors(options.out, stored, metadata);
      loadAsTheEngine(options.out, info.kind);
      outcome.bytes = std::filesystem::file_size(options.out);
      report.written = outcome;
    }
    report.outcomes.push_back(std::move(outcome));
  }
  return report;
}

}  // namespace neurolm::runtime
