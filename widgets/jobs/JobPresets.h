#pragma once
// The jobs form's presets: for each stage, the official defaults, the embedded model's recipe (the files of
// models/recipes/embedded, compiled in) and a smoke test (a few steps at tiny sizes, to check a dataset and
// the pipeline in a minute). A preset is data: the training-config keys it sets, over the official defaults;
// the form's own fields take theirs and the other keys go to "Other keys (JSON)".
#include <QCoreApplication>
#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>

#include "widgets/jobs/JobForm.h"

namespace neurolm::widgets {

class JobPresets {
  Q_DECLARE_TR_FUNCTIONS(JobPresets)

 public:
  static QStringList ids() { return {"official", "embedded", "smoke"}; }
  static QString label(const QString& id);
  // Where the values come from, for the tooltip ("models/recipes/embedded/1-tokenizer.json").
  static QString source(const QString& stage, const QString& id);
  // The training-config keys the preset sets for the stage (empty for "official"); throws
  // std::invalid_argument for an unknown stage or preset.
  static nlohmann::json keys(const QString& stage, const QString& id);
  // `form` with the preset's values in the hyper-parameter fields and other keys (paths, scheduler and device
  // stay as they are).
  static JobForm apply(const JobForm& form, const QString& id);
  // The hyper-parameter fields of `form` that differ from what the preset sets ("epochs", "batchSize", "lr",
  // "maxSteps", "paddedLength", "otherKeys"); fields the stage does not use are not compared.
  static QStringList modifiedFields(const JobForm& form, const QString& id);
};

}  // namespace neurolm::widgets
