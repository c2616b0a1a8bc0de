#include "widgets/traces/MontageEditorDialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

namespace neurolm::widgets {

MontageEditorDialog::MontageEditorDialog(std::shared_ptr<const Recording> recording,
                                         const montage::MontageSpec& start, QWidget* parent)
    : QDialog(parent), recording_(std::move(recording)) {
  setWindowTitle(tr("Custom montage"));
  resize(560, 480);
  auto* layout = new QVBoxLayout(this);
  auto* nameRow = new QHBoxLayout();
  auto* nameLabel = new QLabel(tr("&Name:"), this);
  name_ = new QLineEdit(this);
  nameLabel->setBuddy(name_);
  nameRow->addWidget(nameLabel);
  nameRow->addWidget(name_, 1);
  layout->addLayout(nameRow);
  table_ = new QTableWidget(0, 2, this);
  table_->setHorizontalHeaderLabels({tr("Label"), tr("Terms")});
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setTabKeyNavigation(false);  // Tab leaves the table; arrows move inside it
  layout->addWidget(table_, 1);
  //: Help under the custom montage table: how to write the terms of a derivation
  auto* hint =
      new QLabel(tr("Terms: separated by ';', each an optional weight and a channel, e.g. \"Fp1; -1 F7\" or "
                    "\"Cz; -0.25 C3; -0.25 C4; -0.25 Fz; -0.25 Pz\"."),
                 this);
  hint->setWordWrap(true);
  layout->addWidget(hint);
  error_ = new QLabel(this);
  error_->setWordWrap(true);
  error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_->setStyleSheet(QStringLiteral("color:#8a1c1c;"));
  layout->addWidget(error_);

  auto* rowButtons = new QHBoxLayout();
  auto* add = new QPushButton(tr("&Add row"), this);
  auto* remove = new QPushButton(tr("&Remove row"), this);
  auto* load = new QPushButton(tr("&Load…"), this);
  auto* save = new QPushButton(tr("&Save…"), this);
  for (QPushButton* b : {add, remove, load, save}) {
    b->setAutoDefault(false);
    rowButtons->addWidget(b);
  }
  rowButtons->addStretch(1);
  layout->addLayout(rowButtons);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  layout->addWidget(buttons);

  connect(add, &QPushButton::clicked, this, [this]() {
    const int row = table_->currentRow() >= 0 ? table_->currentRow() + 1 : table_->rowCount();
    table_->insertRow(row);
    table_->setItem(row, 0, new QTableWidgetItem());
    table_->setItem(row, 1, new QTableWidgetItem());
    table_->setCurrentCell(row, 0);
  });
  connect(remove, &QPushButton::clicked, this, [this]() {
    if (table_->currentRow() >= 0) table_->removeRow(table_->currentRow());
  });
  connect(load, &QPushButton::clicked, this, [this]() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Load montage"), QString(),
                                                      tr("Montage files (*.json);;All files (*)"));
    if (!path.isEmpty()) loadFile(path);
  });
  connect(save, &QPushButton::clicked, this, [this]() {
    QString path =
        QFileDialog::getSaveFileName(this, tr("Save montage"), name_->text() + QStringLiteral(".json"),
                                     tr("Montage files (*.json);;All files (*)"));
    if (!path.isEmpty()) saveFile(path);
  });
  connect(buttons, &QDialogButtonBox::accepted, this, [this]() {
    if (applyMontage()) accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  setSpec(start);
}

QString MontageEditorDialog::termsText(const montage::DerivationSpec& derivation) {
  QStringList parts;
  for (const auto& t : derivation.terms) {
    const QString channel = QString::fromStdString(t.channel);
    parts << (t.weight == 1 ? channel : QStringLiteral("%1 %2").arg(t.weight, 0, 'g', 12).arg(channel));
  }
  return parts.join(QStringLiteral("; "));
}

void MontageEditorDialog::setSpec(const montage::MontageSpec& spec) {
  name_->setText(QString::fromStdString(spec.name));
  table_->setRowCount(static_cast<int>(spec.derivations.size()));
  for (int r = 0; r < table_->rowCount(); ++r) {
    const auto& d = spec.derivations[static_cast<std::size_t>(r)];
    table_->setItem(r, 0, new QTableWidgetItem(QString::fromStdString(d.label)));
    table_->setItem(r, 1, new QTableWidgetItem(termsText(d)));
  }
  table_->resizeColumnToContents(0);
}

montage::MontageSpec MontageEditorDialog::spec() const {
  montage::MontageSpec spec;
  spec.name = name_->text().trimmed().toStdString();
  for (int r = 0; r < table_->rowCount(); ++r) {
    const auto text = [&](int c) {
      return table_->item(r, c) ? table_->item(r, c)->text().trimmed() : QString();
    };
    montage::DerivationSpec d;
    d.label = text(0).toStdString();
    const QString where = tr("row %1").arg(r + 1);
    if (d.label.empty())
      throw montage::MontageFileError(tr("%1: the label is empty").arg(where).toStdString());
    for (const QString& part : text(1).split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
      QString term = part.trimmed();
      montage::TermSpec t;
      if (term.startsWith(QLatin1Char('-')) && term.size() > 1 && !term[1].isDigit() &&
          term[1] != QLatin1Char('.')) {
        t.weight = -1;  // "-F7"
        term = term.mid(1).trimmed();
      } else {
        const int space = term.indexOf(QLatin1Char(' '));
        bool ok = false;
        const double w = space > 0 ? term.left(space).toDouble(&ok) : 0;
        if (ok && std::isfinite(w)) {
          t.weight = w;
          term = term.mid(space + 1).trimmed();
        }
      }
      t.channel = term.toStdString();
      if (t.channel.empty())
        throw montage::MontageFileError(
            tr("%1: a term without a channel in \"%2\"").arg(where, text(1)).toStdString());
      d.terms.push_back(std::move(t));
    }
    if (d.terms.empty())
      throw montage::MontageFileError(tr("%1 ('%2'): no terms").arg(where, text(0)).toStdString());
    spec.derivations.push_back(std::move(d));
  }
  if (spec.derivations.empty())
    throw montage::MontageFileError(tr("the montage has no derivations").toStdString());
  return spec;
}

QString MontageEditorDialog::errorText() const { return error_->text(); }

bool MontageEditorDialog::loadFile(const QString& path) {
  try {
    setSpec(montage::loadMontageFile(path.toStdString()));
    fileJson_ = montage::montageJson(spec());
    file_ = QFileInfo(path).absoluteFilePath();
    error_->clear();
    return true;
  } catch (const std::exception& e) {
    error_->setText(QString::fromStdString(e.what()));
    return false;
  }
}

bool MontageEditorDialog::saveFile(const QString& path) {
  try {
    const montage::MontageSpec saved = spec();
    montage::saveMontageFile(path.toStdString(), saved);
    file_ = QFileInfo(path).absoluteFilePath();
    fileJson_ = montage::montageJson(saved);
    error_->clear();
    return true;
  } catch (const std::exception& e) {
    error_->setText(tr("Could not save %1: %2").arg(path, QString::fromStdString(e.what())));
    return false;
  }
}

QString MontageEditorDialog::tableFile() const {
  if (file_.isEmpty()) return {};
  try {
    return montage::montageJson(spec()) == fileJson_ ? file_ : QString();
  } catch (const std::exception&) {
    return {};  // the table does not parse: it is not the file
  }
}

bool MontageEditorDialog::applyMontage() {
  if (!recording_) return false;
  try {
    auto resolved = std::make_shared<const montage::Montage>(
        montage::resolveMontage(spec(), *recording_, tr("custom montage").toStdString()));
    error_->clear();
    Q_EMIT montageAccepted(std::move(resolved));
    return true;
  } catch (const std::exception& e) {
    error_->setText(QString::fromStdString(e.what()));
    return false;
  }
}

}  // namespace neurolm::widgets
