// The jobs form's preset row: the official defaults, the embedded model's recipe or a smoke test for the
// chosen stage (JobPresets). Choosing one fills the hyper-parameter fields; editing one of them afterwards
// marks the preset "(modified)" and names the fields that differ.
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

#include "widgets/jobs/JobPresets.h"
#include "widgets/jobs/JobsPanel.h"

namespace neurolm::widgets {

void JobsPanel::addPresetField(QWidget* page, const AddField& addField) {
  auto* cell = new QWidget(page);
  auto* v = new QVBoxLayout(cell);
  v->setContentsMargins(0, 0, 0, 0);
  v->setSpacing(1);
  preset_ = new QComboBox(cell);
  preset_->setObjectName(QStringLiteral("preset"));
  for (const auto& id : JobPresets::ids()) preset_->addItem(JobPresets::label(id), id);
  v->addWidget(preset_);
  presetNote_ = new QLabel(cell);
  presetNote_->setObjectName(QStringLiteral("presetNote"));
  presetNote_->setWordWrap(true);
  presetNote_->setStyleSheet(QStringLiteral("color: palette(mid);"));
  v->addWidget(presetNote_);
  addField(QStringLiteral("preset"), tr("Preset"), cell);
  connect(preset_, &QComboBox::currentIndexChanged, this, [this]() { applyPreset(); });
}

QString JobsPanel::presetId() const { return preset_->currentData().toString(); }

void JobsPanel::choosePreset(const QString& id) {
  const int i = preset_->findData(id);
  if (i < 0) return;
  if (i == preset_->currentIndex())
    applyPreset();  // chosen again: back to its values
  else
    preset_->setCurrentIndex(i);
}

void JobsPanel::applyPreset() {
  if (!epochs_ || !otherKeys_) return;  // still building the form
  const auto f = JobPresets::apply(form(), presetId());
  applyingPreset_ = true;
  epochs_->setValue(f.epochs);
  batchSize_->setValue(f.batchSize);
  lr_->setText(f.lr);
  maxSteps_->setValue(f.maxSteps);
  paddedLength_->setValue(f.paddedLength);
  otherKeys_->setText(f.otherKeys);
  otherKeys_->setCursorPosition(0);  // the start of a long object in view
  applyingPreset_ = false;
  refreshPresetNote();
}

void JobsPanel::refreshPresetNote() {
  if (applyingPreset_ || !otherKeys_) return;
  const auto f = form();
  const QString id = presetId();
  const auto changed = JobPresets::modifiedFields(f, id);
  // The fields are named as their rows are labelled.
  QStringList names;
  for (const auto& key : changed)
    if (auto* label = qobject_cast<QLabel*>(formLayout_->labelForField(fieldRows_.value(key))))
      names << label->text();
  for (int i = 0; i < preset_->count(); ++i) {
    const QString label = JobPresets::label(preset_->itemData(i).toString());
    preset_->setItemText(
        i, i == preset_->currentIndex() && !changed.isEmpty() ? tr("%1 (modified)").arg(label) : label);
  }
  const QString source = JobPresets::source(f.stage, id);
  presetNote_->setText(
      changed.isEmpty() ? source : tr("%1 Modified: %2.").arg(source, names.join(QStringLiteral(", "))));
  preset_->setToolTip(source);
}

}  // namespace neurolm::widgets
