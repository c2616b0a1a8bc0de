#include "widgets/jobs/JobPresets.h"

#include <stdexcept>

#include "widgets/jobs/EmbeddedRecipes.h"

namespace neurolm::widgets {

namespace {

struct PresetRow {
  const char* stage;
  const char* preset;
  const char* keys;    // the config keys, as JSON
  const char* source;  // where they come from
};

// One row per stage and preset. The smoke tests train a few steps of tiny models with logs and checkpoints
// every step or two (the sizes the pane's own tests train on EEGMAT in seconds).
const PresetRow kPresets[] = {
    {"vq", "official", "{}", "docs/training.md"},
    {"vq", "embedded", recipes::kVq, recipes::kVqFile},
    {"vq", "smoke",
     R"({"epochs": 1, "max_steps": 4, "batch_size": 2, "padded_length": 96, "warmup_epochs": 0,
         "text_batch_size": 2, "text_block_size": 32, "log_every_steps": 1, "checkpoint_every_steps": 2,
         "model": {"codebook_size": 64, "code_dim": 16}})",
     nullptr},
    {"pretrain", "official", "{}", "docs/training.md"},
    {"pretrain", "embedded", recipes::kPretrain, recipes::kPretrainFile},
    {"pretrain", "smoke",
     R"({"epochs": 1, "max_steps": 4, "batch_size": 2, "padded_length": 96, "warmup_epochs": 0,
         "text_batch_size": 2, "text_block_size": 32, "log_every_steps": 1, "checkpoint_every_steps": 2,
         "model": {"gpt_layers": 1, "gpt_heads": 2, "gpt_width": 64}})",
     nullptr},
    {"instruct", "official", "{}", "docs/training.md"},
    {"instruct", "embedded", recipes::kInstruct, recipes::kInstructFile},
    {"instruct", "smoke",
     R"({"epochs": 1, "max_steps": 4, "batch_size": 2, "log_every_steps": 1, "checkpoint_every_steps": 2})",
     nullptr},
    {"eval", "official", "{}", "docs/training.md"},
    {"eval", "embedded", recipes::kEval, recipes::kEvalFile},
    {"eval", "smoke", R"({"batch_size": 2, "log_every_steps": 1})", nullptr},
};

// Keys the form sets from its own fields (paths, the stage) or the device choice, never from a preset.
bool setByForm(const std::string& key) {
  return key == "comment" || key == "stage" || key == "run_dir" || key == "dataset" || key == "tokenizer" ||
         key == "init_model" || key == "device";
}

const PresetRow& row(const QString& stage, const QString& id) {
  for (const auto& r : kPresets)
    if (stage == QLatin1String(r.stage) && id == QLatin1String(r.preset)) return r;
  throw std::invalid_argument("no job preset \"" + id.toStdString() + "\" for the stage \"" +
                              stage.toStdString() + "\"");
}

}  // namespace

QString JobPresets::label(const QString& id) {
  if (id == QLatin1String("embedded")) return tr("Small model for this CPU (the embedded recipe)");
  if (id == QLatin1String("smoke")) return tr("Smoke test (a few steps, tiny sizes)");
  return tr("Official defaults");
}

QString JobPresets::source(const QString& stage, const QString& id) {
  const auto& r = row(stage, id);
  if (id == QLatin1String("smoke"))
    return tr(
        "A few steps of a tiny model, logged every step: checks a dataset and the pipeline in a minute.");
  if (id == QLatin1String("embedded"))
    return tr("The values of models/recipes/embedded/%1, which trained the shipped model.")
        .arg(QLatin1String(r.source));
  return tr("The official NeuroLM defaults of the %1 stage.").arg(stage);
}

nlohmann::json JobPresets::keys(const QString& stage, const QString& id) {
  const auto& r = row(stage, id);
  auto j = nlohmann::json::parse(r.keys);  // compiled-in text: a parse error is a build defect, not input
  for (auto it = j.begin(); it != j.end();) it = setByForm(it.key()) ? j.erase(it) : std::next(it);
  return j;
}

JobForm JobPresets::apply(const JobForm& form, const QString& id) {
  JobForm f = form;
  const auto base = JobForms::defaultForm(form.stage);
  f.epochs = base.epochs;
  f.batchSize = base.batchSize;
  f.lr = base.lr;
  f.maxSteps = base.maxSteps;
  f.paddedLength = base.paddedLength;
  nlohmann::json other = nlohmann::json::object();
  const auto presetKeys = keys(form.stage, id);
  for (const auto& [key, value] : presetKeys.items()) {
    if (key == "epochs" && value.is_number_integer())
      f.epochs = value.get<int>();
    else if (key == "batch_size" && value.is_number_integer())
      f.batchSize = value.get<int>();
    else if (key == "lr" && value.is_number())
      f.lr = QString::number(value.get<double>(), 'g', 6);
    else if (key == "max_steps" && value.is_number_integer())
      f.maxSteps = value.get<int>();
    else if (key == "padded_length" && value.is_number_integer())
      f.paddedLength = value.get<int>();
    else
      other[key] = value;
  }
  f.otherKeys = other.empty() ? QString() : QString::fromStdString(other.dump());
  return f;
}

QStringList JobPresets::modifiedFields(const JobForm& form, const QString& id) {
  const auto want = apply(form, id);
  const auto d = JobForms::defaults(form.stage);
  QStringList changed;
  if (d.trains && form.epochs != want.epochs) changed << QStringLiteral("epochs");
  if (form.batchSize != want.batchSize) changed << QStringLiteral("batchSize");
  if (d.trains && form.lr.trimmed().toDouble() != want.lr.toDouble()) changed << QStringLiteral("lr");
  if (d.trains && form.maxSteps != want.maxSteps) changed << QStringLiteral("maxSteps");
  if (form.paddedLength != want.paddedLength) changed << QStringLiteral("paddedLength");
  // Compared as JSON, so spacing and key order do not count as a change.
  const auto parse = [](const QString& text) {
    return text.trimmed().isEmpty() ? nlohmann::json::object()
                                    : nlohmann::json::parse(text.toStdString(), nullptr, false);
  };
  if (parse(form.otherKeys) != parse(want.otherKeys)) changed << QStringLiteral("otherKeys");
  return changed;
}

}  // namespace neurolm::widgets
