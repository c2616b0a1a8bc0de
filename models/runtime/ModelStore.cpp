#include <cmath>
#include "models/runtime/ModelStore.h"

#include <array>
#include <fstream>
#include <stdexcept>

#include "models/io/SafeTensors.h"
#include "models/io/StateDict.h"
#include "models/io/StoragePrecision.h"
#include "models/io/TorchCheckpoint.h"
#include "models/nn/Configs.h"
#include "models/runtime/ModelInit.h"

namespace neurolm::runtime {
namespace {

constexpr int kFormatVersion = 1;

std::runtime_error fileError(const std::filesystem::path& path, const std::string& message) {
  return std::runtime_error(path.string() + ": " + message);
}

NamedTensors stateOf(torch::nn::Module& module) {
  NamedTensors tensors;
  for (const auto& p : module.named_parameters(true)) tensors.emplace_back(p.key(), p.value());
  for (const auto& b : module.named_buffers(true)) tensors.emplace_back(b.key(), b.value());
  return tensors;
}

nlohmann::json transformerToJson(const nn::NeuralTransformerConfig& c) {
  return {{"n_layer", c.nLayer},
          {"n_head", c.nHead},
          {"n_embd", c.nEmbd},
          {"bias", c.bias},
          {"in_chans", c.inChans}};
}

template <typename T>
T field(const nlohmann::json& j, const char* name, const std::string& what) {
  if (!j.is_object() || !j.contains(name))
    throw std::runtime_error(what + ": config field '" + name + "' missing");
  try {
    return j.at(name).get<T>();
  } catch (const std::exception&) {
    throw std::runtime_error(what + ": config field '" + name + "' has the wrong type (" + j.at(name).dump() +
                             ")");
  }
}

nn::NeuralTransformerConfig transformerFromJson(const nlohmann::json& j, const std::string& what) {
  nn::NeuralTransformerConfig c;
  c.nLayer = field<int64_t>(j, "n_layer", what);
  c.nHead = field<int64_t>(j, "n_head", what);
  c.nEmbd = field<int64_t>(j, "n_embd", what);
  c.bias = field<bool>(j, "bias", what);
  c.inChans = field<int64_t>(j, "in_chans", what);
  if (c.nLayer < 0 || c.nHead <= 0 || c.nEmbd <= 0 || c.nEmbd % c.nHead != 0)
    throw std::runtime_error(what + ": invalid transformer shape " + j.dump());
  return c;
}

void checkKind(const nlohmann::json& config, ModelKind expected, const std::filesystem::path& path) {
  if (config.is_null()) throw fileError(path, "safetensors file without a neurolm_config in its metadata");
  const auto kind = field<std::string>(config, "kind", path.string());
  if (kind != kindName(expected))
    throw fileError(path,
                    "is a '" + kind + "' model, expected a '" + kindName(expected) + "' model" +
                        (expected == ModelKind::Tokenizer ? " (a tokenizer, e.g. --vq)" : " (e.g. --model)"));
}

std::string wrongKindMessage(ModelKind found) {
  return found == ModelKind::NeuroLm
             ? "is a NeuroLM checkpoint (model_args), not a tokenizer checkpoint (encoder_args)"
             : "is a tokenizer checkpoint (encoder_args), not a NeuroLM checkpoint (model_args)";
}

// The file's tensors as float32 (reduced-precision storage decoded; see StoragePrecision.h).
NamedTensors storedModelTensors(const SafeTensorsFile& file, const std::filesystem::path& path) {
  return decodeStoredTensors(file.tensors, storedPrecision(file.metadata, path.string()), path.string(),
                             file.releasePages);
}

}  // namespace

std::string kindName(ModelKind kind) { return kind == ModelKind::Tokenizer ? "vq" : "neurolm"; }
std::string formatName(ModelFormat format) {
  return format == ModelFormat::OfficialTorch ? "official torch.save" : "safetensors";
}

ModelFormat detectFormat(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw fileError(path, std::filesystem::exists(path) ? "cannot be opened" : "no such file");
  std::array<unsigned char, 9> head{};
  in.read(reinterpret_cast<char*>(head.data()), head.size());
  if (in.gcount() < 9)
    throw fileError(path, "too short to be a model file (" + std::to_string(in.gcount()) + " bytes)");
  if (head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return ModelFormat::OfficialTorch;
  if (head[8] == '{') return ModelFormat::SafeTensors;  // u64 header length, then the JSON header
  throw fileError(path, "neither a torch.save checkpoint (zip) nor a safetensors file");
}

ModelFileInfo inspectModelFile(const std::filesystem::path& path) {
  ModelFileInfo info;
  info.format = detectFormat(path);
  if (info.format == ModelFormat::OfficialTorch) {
    const auto ckpt = readTorchCheckpoint(path);
    if (!ckpt.encoderArgs.is_null())
      info.kind = ModelKind::Tokenizer;
    else if (!ckpt.modelArgs.is_null())
      info.kind = ModelKind::NeuroLm;
    else
      throw fileError(path, "checkpoint has neither encoder_args (tokenizer) nor model_args (NeuroLM)");
  } else {
    const auto file = readSafeTensors(path, SafeTensorsLoad::Map);
    const auto config = file.config();
    if (config.is_null()) throw fileError(path, "safetensors file without a neurolm_config in its metadata");
    const auto kind = field<std::string>(config, "kind", path.string());
    if (kind == "vq")
      info.kind = ModelKind::Tokenizer;
    else if (kind == "neurolm")
      info.kind = ModelKind::NeuroLm;
    else
      throw fileError(path, "unknown model kind '" + kind + "' (expected vq or neurolm)");
  }
  return info;
}

LoadedTokenizer loadTokenizer(const std::filesystem::path& path) {
  LoadedTokenizer loaded;
  loaded.path = path;
  loaded.format = detectFormat(path);
  if (loaded.format == ModelFormat::OfficialTorch) {
    auto ckpt = readTorchCheckpoint(path);
    if (ckpt.encoderArgs.is_null())
      throw fileError(path, ckpt.modelArgs.is_null()
                                ? "checkpoint has no encoder_args: not a tokenizer checkpoint"
                                : wrongKindMessage(ModelKind::NeuroLm));
    nn::VQAlign align{nullptr};
    {
      const nn::SkipInitGuard loadingWeights;  // every parameter is overwritten below
      align = nn::VQAlign(nn::vqConfigFromArgs(ckpt.encoderArgs, ckpt.decoderArgs));
    }
    loadStateDictConsuming(*align, std::move(ckpt.modelTensors), path.string());
    loaded.vq = align->vq;
  } else {
    // Mapped, each tensor's pages released once copied: peak memory ≈ the weights, not weights + file.
    const auto file = readSafeTensors(path, SafeTensorsLoad::Map);
    const auto config = file.config();
    checkKind(config, ModelKind::Tokenizer, path);
    {
      const nn::SkipInitGuard loadingWeights;
      loaded.vq = nn::VQ(vqConfigFromJson(config, path.string()));
    }
    loadStateDict(*loaded.vq, storedModelTensors(file, path), path.string(), file.releasePages);
    if (const auto it = file.metadata.find(kTrainedWindowSecKey); it != file.metadata.end()) {
      try {
        loaded.trainedWindowSec = std::stoi(it->second);
      } catch (const std::exception&) {
        throw fileError(path, std::string(kTrainedWindowSecKey) + " is \"" + it->second + "\", not a number");
      }
      if (loaded.trainedWindowSec < 1 || loaded.trainedWindowSec > 64)
        throw fileError(path, std::string(kTrainedWindowSecKey) + " is " + it->second + ", outside 1-64 s");
    }
  }
  loaded.vq->eval();
  return loaded;
}

LoadedNeuroLm loadNeuroLm(const std::filesystem::path& path) {
  LoadedNeuroLm loaded;
  loaded.path = path;
  loaded.format = detectFormat(path);
  if (loaded.format == ModelFormat::OfficialTorch) {
    auto ckpt = readTorchCheckpoint(path);
    if (ckpt.modelArgs.is_null())
      throw fileError(path, ckpt.encoderArgs.is_null()
                                ? "checkpoint has no model_args: not a NeuroLM checkpoint"
                                : wrongKindMessage(ModelKind::Tokenizer));
    {
      const nn::SkipInitGuard loadingWeights;
      loaded.model = nn::NeuroLM(nn::neuroLmConfigFromCheckpoint(ckpt.modelArgs, ckpt.modelTensors));
    }
    loadStateDictConsuming(*loaded.model, std::move(ckpt.modelTensors), path.string());
  } else {
    const auto file = readSafeTensors(path, SafeTensorsLoad::Map);
    const auto config = file.config();
    checkKind(config, ModelKind::NeuroLm, path);
    {
      const nn::SkipInitGuard loadingWeights;
      loaded.model = nn::NeuroLM(neuroLmConfigFromJson(config, path.string()));
    }
    loadStateDict(*loaded.model, storedModelTensors(file, path), path.string(), file.releasePages);
    if (const auto t = file.metadata.find("neurolm_tasks"); t != file.metadata.end()) {
      nlohmann::json tasks;
      try {
        tasks = nlohmann::json::parse(t->second);
      } catch (const nlohmann::json::parse_error& e) {
        throw fileError(path, std::string("neurolm_tasks metadata is not JSON (") + e.what() + ")");
      }
      loaded.tasks = tasksFromJson(tasks, path.string());
    }
  }
  loaded.model->eval();
  return loaded;
}

nlohmann::json vqConfigToJson(const nn::VqConfig& c) {
  return {{"kind", "vq"},
          {"format_version", kFormatVersion},
          {"encoder", transformerToJson(c.encoder)},
          {"decoder", transformerToJson(c.decoder)},
          {"quantizer",
           {{"n_embed", c.quantizer.nEmbed},
            {"embed_dim", c.quantizer.embedDim},
            {"beta", c.quantizer.beta},
            {"decay", c.quantizer.decay}}},
          {"decoder_out_raw", c.decoderOutRaw},
          {"decoder_out_freq", c.decoderOutFreq}};
}

nn::VqConfig vqConfigFromJson(const nlohmann::json& j, const std::string& what) {
  nn::VqConfig c;
  c.encoder = transformerFromJson(field<nlohmann::json>(j, "encoder", what), what + " encoder");
  c.decoder = transformerFromJson(field<nlohmann::json>(j, "decoder", what), what + " decoder");
  const auto q = field<nlohmann::json>(j, "quantizer", what);
  c.quantizer.nEmbed = field<int64_t>(q, "n_embed", what + " quantizer");
  c.quantizer.embedDim = field<int64_t>(q, "embed_dim", what + " quantizer");
  c.quantizer.beta = field<double>(q, "beta", what + " quantizer");
  c.quantizer.decay = field<double>(q, "decay", what + " quantizer");
  c.decoderOutRaw = field<int64_t>(j, "decoder_out_raw", what);
  c.decoderOutFreq = field<int64_t>(j, "decoder_out_freq", what);
  return c;
}

nlohmann::json neuroLmConfigToJson(const nn::NeuroLmConfig& c) {
  return {{"kind", "neurolm"},
          {"format_version", kFormatVersion},
          {"gpt",
           {{"n_layer", c.gpt.nLayer},
            {"n_head", c.gpt.nHead},
            {"n_embd", c.gpt.nEmbd},
            {"block_size", c.gpt.blockSize},
            {"vocab_size", c.gpt.vocabSize},
            {"output_size", c.gpt.outputSize},
            {"bias", c.gpt.bias}}},
          {"tokenizer", transformerToJson(c.tokenizer)},
          {"channel_embed_rows", c.channelEmbedRows}};
}

nn::NeuroLmConfig neuroLmConfigFromJson(const nlohmann::json& j, const std::string& what) {
  nn::NeuroLmConfig c;
  const auto g = field<nlohmann::json>(j, "gpt", what);
  const std::string gw = what + " gpt";
  c.gpt.nLayer = field<int64_t>(g, "n_layer", gw);
  c.gpt.nHead = field<int64_t>(g, "n_head", gw);
  c.gpt.nEmbd = field<int64_t>(g, "n_embd", gw);
  c.gpt.blockSize = field<int64_t>(g, "block_size", gw);
  c.gpt.vocabSize = field<int64_t>(g, "vocab_size", gw);
  c.gpt.outputSize = field<int64_t>(g, "output_size", gw);
  c.gpt.bias = field<bool>(g, "bias", gw);
  if (c.gpt.nLayer < 0 || c.gpt.nHead <= 0 || c.gpt.nEmbd <= 0 || c.gpt.nEmbd % c.gpt.nHead != 0)
    throw std::runtime_error(gw + ": invalid GPT shape " + g.dump());
  c.tokenizer = transformerFromJson(field<nlohmann::json>(j, "tokenizer", what), what + " tokenizer");
  c.channelEmbedRows = field<int64_t>(j, "channel_embed_rows", what);
  return c;
}

void saveTokenizer(nn::VQImpl& vq, const std::filesystem::path& path, StoragePrecision precision,
                   int trainedWindowSec) {
  std::map<std::string, std::string> metadata{{"written_by", "neurolm"},
                                              {std::string(kStoragePrecisionKey), precisionName(precision)}};
  if (trainedWindowSec > 0) metadata[kTrainedWindowSecKey] = std::to_string(trainedWindowSec);
  writeSafeTensors(path, encodeForStorage(stateOf(vq), precision, path.string()), vqConfigToJson(vq.config()),
                   std::move(metadata));
}

void saveNeuroLm(nn::NeuroLMImpl& model, const std::filesystem::path& path, const std::vector<ModelTask>& tasks,
                 StoragePrecision precision) {
  std::map<std::string, std::string> metadata{{"written_by", "neurolm"},
                                              {std::string(kStoragePrecisionKey), precisionName(precision)}};
  if (!tasks.empty()) metadata["neurolm_tasks"] = tasksToJson(tasks).dump();
  writeSafeTensors(path, encodeForStorage(stateOf(model), precision, path.string()),
                   neuroLmConfigToJson(model.config()), std::move(metadata));
}

nlohmann::json tasksToJson(const std::vector<ModelTask>& tasks) {
  auto out = nlohmann::json::array();
  for (const auto& t : tasks)
    out.push_back({{"name", t.name},
                   {"prompt", t.prompt},
                   {"options", t.options},
                   {"description", t.description},
                   {"temperature", t.temperature}});
  return out;
}

std::vector<ModelTask> tasksFromJson(const nlohmann::json& j, const std::string& what) {
  if (!j.is_array()) throw std::runtime_error(what + ": neurolm_tasks is not a JSON array");
  std::vector<ModelTask> tasks;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& e = j[i];
    const std::string where = what + ": neurolm_tasks[" + std::to_string(i) + "]";
    if (!e.is_object() || !e.contains("prompt") || !e["prompt"].is_string() || e["prompt"].get<std::string>().empty())
      throw std::runtime_error(where + " has no prompt text");
    ModelTask t;
    t.prompt = e["prompt"];
    t.name = e.value("name", std::string());
    t.description = e.value("description", std::string());
    if (e.contains("temperature")) {
      if (!e["temperature"].is_number() || !(e["temperature"].get<double>() > 0) ||
          !std::isfinite(e["temperature"].get<double>()))
        throw std::runtime_error(where + ": temperature must be a positive number, got " + e["temperature"].dump());
      t.temperature = e["temperature"];
    }
    if (e.contains("options")) {
      if (!e["options"].is_array()) throw std::runtime_error(where + ": options is not an array");
      for (const auto& o : e["options"]) {
        if (!o.is_string()) throw std::runtime_error(where + ": an option is not text: " + o.dump());
        t.options.push_back(o);
      }
    }
    tasks.push_back(std::move(t));
  }
  return tasks;
}

nn::VqConfig vqConfigForSize(const std::string& size) {
  if (size == "B") return nn::VqConfig::official();
  if (size != "tiny") throw std::invalid_argument("unknown model size '" + size + "' (expected tiny or B)");
  nn::VqConfig c;
  c.encoder = nn::NeuralTransformerConfig::officialEncoder();
  c.encoder.nLayer = 2;  // width stays 768: TemporalConv's Linear(400, 768)
  c.decoder = nn::NeuralTransformerConfig::officialDecoder();
  c.decoder.nLayer = 2;
  c.decoder.nHead = 2;
  c.decoder.nEmbd = 32;
  return c;
}

nn::NeuroLmConfig neuroLmConfigForSize(const std::string& size) {
  if (size == "B") return nn::NeuroLmConfig::B();
  if (size != "tiny") throw std::invalid_argument("unknown model size '" + size + "' (expected tiny or B)");
  nn::NeuroLmConfig c;
  c.gpt.nLayer = 2;
  c.gpt.nHead = 2;
  c.gpt.nEmbd = 64;
  c.tokenizer = vqConfigForSize("tiny").encoder;
  return c;
}

nn::VQ randomTokenizer(const nn::VqConfig& config, uint64_t seed) {
  torch::manual_seed(seed);
  nn::VQ vq(config);
  torch::NoGradGuard noGrad;
  auto& e = *vq->quantize->embedding;
  auto gen = at::detail::createCPUGenerator(seed + 1);
  const auto rows = torch::randn(e.weight.sizes(), gen, torch::TensorOptions().dtype(e.weight.dtype()));
  e.weight.copy_(rows / rows.norm(2, -1, true));
  e.initted.fill_(1.0);
  vq->eval();
  return vq;
}

nn::NeuroLM randomNeuroLm(const nn::NeuroLmConfig& config, uint64_t seed) {
  torch::manual_seed(seed);
  nn::NeuroLM model(config);
  model->eval();
  return model;
}

int64_t parameterCount(torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters(true)) n += p.numel();
  return n;
}

InitReport initRandomModel(const InitOptions& options) {
  if (options.out.empty()) throw std::invalid_argument("no output file given (--out FILE.safetensors)");
  InitReport report{options.kind, options.size, 0, {}};
  if (options.kind == "vq") {
    auto vq = randomTokenizer(vqConfigForSize(options.size), options.seed);
    saveTokenizer(*vq, options.out);
    report.parameters = parameterCount(*vq);
    report.configJson = vqConfigToJson(vq->config()).dump();
  } else if (options.kind == "neurolm") {
    auto model = randomNeuroLm(neuroLmConfigForSize(options.size), options.seed);
    saveNeuroLm(*model, options.out);
    report.parameters = parameterCount(*model);
    report.configJson = neuroLmConfigToJson(model->config()).dump();
  } else {
    throw std::invalid_argument("unknown model kind '" + options.kind + "' (expected vq or neurolm)");
  }
  return report;
}

}  // namespace neurolm::runtime
