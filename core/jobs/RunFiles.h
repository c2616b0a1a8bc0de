#pragma once
// What a finished run folder holds beside its model.safetensors, read from the trainer's stored config.json
// (models/train/TrainConfig.cpp trainConfigToJson): the stage, and the neural tokenizer (VQ) the model was
// trained with. A NeuroLM file carries only its tokenizer's encoder (features, no codebook), so codes for the
// token lane need the VQ file of the tokenizer run.
#include <filesystem>
#include <optional>
#include <string>

namespace neurolm::jobs {

// The "stage" of the config.json beside `modelPath`; empty when there is none or it cannot be read.
std::string runStage(const std::filesystem::path& modelPath);

struct RunTokenizer {
  std::optional<std::filesystem::path> path;  // the VQ file, when one was found and exists
  std::string note;  // why none was found (names the config and the key), or how it was found
};

// The VQ tokenizer of a run's model: tokenizer.safetensors beside it; else the stored config's "tokenizer";
// else, following "init_model" back run by run (instruct -> pretrain), the first config naming a tokenizer.
RunTokenizer findRunTokenizer(const std::filesystem::path& modelPath);

}  // namespace neurolm::jobs
