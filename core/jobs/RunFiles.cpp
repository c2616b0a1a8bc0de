#include "core/jobs/RunFiles.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

namespace neurolm::jobs {

namespace fs = std::filesystem;

namespace {

std::optional<nlohmann::json> storedConfig(const fs::path& modelPath, std::string* why) {
  const auto config = modelPath.parent_path() / "config.json";
  std::ifstream in(config);
  if (!in) {
    if (why) *why = config.string() + " does not exist";
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    if (why) *why = config.string() + " is not a JSON object";
    return std::nullopt;
  }
  return j;
}

std::string stringAt(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

// A path stored in a run's config.json. The trainer stores paths as it resolved them; a run started with a
// relative config path stored them relative to the directory it was started in, which is the run folder with
// the stored relative "run_dir" taken off its end (runs/3-instruct in /r/runs/3-instruct -> /r). When the
// folder does not end with it (a moved run), the stored path is returned unchanged (and will be reported
// missing unless it exists from the working directory).
fs::path storedPath(const nlohmann::json& j, const fs::path& runFolder, const char* key) {
  const fs::path p = stringAt(j, key);
  if (p.empty() || p.is_absolute()) return p;
  const fs::path runDir = fs::path(stringAt(j, "run_dir")).lexically_normal();
  if (runDir.empty() || runDir.is_absolute()) return p;
  std::vector<fs::path> tail;
  for (const auto& part : runDir)
    if (!part.empty() && part != ".") tail.push_back(part);
  fs::path base = fs::absolute(runFolder).lexically_normal();
  if (!base.has_filename()) base = base.parent_path();  // "/r/runs/x/" -> "/r/runs/x"
  for (auto it = tail.rbegin(); it != tail.rend(); ++it) {
    if (*it == ".." || base.filename() != *it) return p;
    base = base.parent_path();
  }
  return (base / p).lexically_normal();
}

}  // namespace

std::string runStage(const fs::path& modelPath) {
  const auto j = storedConfig(modelPath, nullptr);
  return j ? stringAt(*j, "stage") : std::string();
}

RunTokenizer findRunTokenizer(const fs::path& modelPath) {
  const auto beside = modelPath.parent_path() / "tokenizer.safetensors";
  if (fs::is_regular_file(beside) && beside != modelPath) return {beside, "beside the model"};
  std::set<fs::path> seen;
  fs::path model = modelPath;
  std::string via;
  // A chain longer than a few runs is a loop the set did not catch through differently spelled paths.
  for (int depth = 0; depth < 16 && seen.insert(model.lexically_normal()).second; ++depth) {
    std::string why;
    const auto j = storedConfig(model, &why);
    if (!j) return {std::nullopt, why};
    const auto config = (model.parent_path() / "config.json").string();
    if (stringAt(*j, "stage") == "vq")
      return {std::nullopt, config + ": the model is itself a tokenizer (vq)"};
    const fs::path tokenizer = storedPath(*j, model.parent_path(), "tokenizer");
    if (!tokenizer.empty()) {
      if (fs::is_regular_file(tokenizer)) return {tokenizer, config + " \"tokenizer\"" + via};
      return {std::nullopt, config + " names \"tokenizer\" " + tokenizer.string() + ", which does not exist"};
    }
    const fs::path init = storedPath(*j, model.parent_path(), "init_model");
    if (init.empty()) return {std::nullopt, config + " names neither \"tokenizer\" nor \"init_model\""};
    via += " (via \"init_model\" of " + config + ")";
    model = init;
  }
  return {std::nullopt, "the \"init_model\" chain from " + modelPath.string() + " loops"};
}

}  // namespace neurolm::jobs
