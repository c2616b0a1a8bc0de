#include "app/studio/ExportSelectionDialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include "core/navigation/TimeInput.h"

namespace neurolm::app {

ExportSelectionDialog::ExportSelectionDialog(const Recording& recording, double startSec, double endSec,
                                             const QString& suggestedPath, QWidget* parent)
    : QDialog(parent), durationSec_(recording.durationSec()) {
  setWindowTitle(tr("Export selection"));
  const EdfHeader& h = recording.header();
  startOfDaySec_ = h.startHour * 3600.0 + h.startMinute * 60.0 + h.startSecond;
  auto* layout = new QVBoxLayout(this);
  auto* form = new QFormLayout();
  start_ = new QLineEdit(QString::fromStdString(navigation::formatRecordingTime(startSec, 3)), this);
  end_ = new QLineEdit(QString::fromStdString(navigation::formatRecordingTime(endSec, 3)), this);
  const QString timeHelp = tr("Seconds (90.5), h:mm:ss (1:02:03.5) or a clock time (@23:15:00)");
  start_->setToolTip(timeHelp);
  end_->setToolTip(timeHelp);
  form->addRow(tr("&From"), start_);
  form->addRow(tr("&To"), end_);
  auto* pathRow = new QHBoxLayout();
  path_ = new QLineEdit(suggestedPath, this);
  path_->setToolTip(
      tr("The extension picks the format: .edf (EDF+), .bdf (BDF+), .csv, .npy (with a .json "
         "description)"));
  auto* browse = new QPushButton(tr("&Browse…"), this);
  connect(browse, &QPushButton::clicked, this, &ExportSelectionDialog::browse);
  pathRow->addWidget(path_, 1);
  pathRow->addWidget(browse);
  form->addRow(tr("F&ile"), pathRow);
  layout->addLayout(form);
  auto* channelsLabel = new QLabel(tr("&Channels"), this);
  channels_ = new QListWidget(this);
  channelsLabel->setBuddy(channels_);
  for (const ChannelInfo& c : recording.channels()) {
    auto* item = new QListWidgetItem(QString::fromStdString(c.label), channels_);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Checked);
  }
  layout->addWidget(channelsLabel);
  layout->addWidget(channels_, 1);
  error_ = new QLabel(this);
  error_->setWordWrap(true);
  error_->setStyleSheet(QStringLiteral("color:#8a1c1c;"));
  error_->hide();
  layout->addWidget(error_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
  connect(buttons, &QDialogButtonBox::accepted, this, &ExportSelectionDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  layout->addWidget(buttons);
  resize(460, 520);
}

QString ExportSelectionDialog::outputPath() const { return path_->text().trimmed(); }
QString ExportSelectionDialog::errorText() const { return error_->isHidden() ? QString() : error_->text(); }

void ExportSelectionDialog::browse() {
  const QString file =
      QFileDialog::getSaveFileName(this, tr("Export selection"), outputPath(),
                                   tr("EDF+ (*.edf);;BDF+ (*.bdf);;CSV (*.csv);;NumPy array (*.npy)"));
  if (!file.isEmpty()) path_->setText(file);
}

void ExportSelectionDialog::accept() {
  ExportRequest request;
  try {
    request.startSec = navigation::parseTimeInput(start_->text().toStdString(), startOfDaySec_).offsetSec;
    request.endSec = navigation::parseTimeInput(end_->text().toStdString(), startOfDaySec_).offsetSec;
  } catch (const std::exception& e) {
    error_->setText(QString::fromStdString(e.what()));
    error_->show();
    return;
  }
  if (!(request.endSec > request.startSec) || request.endSec > durationSec_ + 1e-9) {
    error_->setText(tr("The range must end after it starts and within the recording (%1).")
                        .arg(QString::fromStdString(navigation::formatRecordingTime(durationSec_, 3))));
    error_->show();
    return;
  }
  for (int i = 0; i < channels_->count(); ++i) {
    if (channels_->item(i)->checkState() == Qt::Checked)
      request.channels.push_back(static_cast<std::size_t>(i));
  }
  if (request.channels.empty()) {
    error_->setText(tr("Choose at least one channel."));
    error_->show();
    return;
  }
  try {
    exportFormatFor(outputPath().toStdString());
  } catch (const std::exception&) {
    error_->setText(tr("Unknown format: the file name must end in .edf, .bdf, .csv or .npy."));
    error_->show();
    return;
  }
  request_ = request;
  QDialog::accept();
}

}  // namespace neurolm::app
