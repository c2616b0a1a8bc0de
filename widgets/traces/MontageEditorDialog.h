#pragma once
// The custom montage editor: a table of derivations (label, terms), loaded from and saved to the montage JSON
// format of core/montage/Montage.h. Terms are written "Fp1; -1 F7; -0.5 Cz": terms separated by ';', each an
// optional weight (default 1, a lone '-' is -1) and a channel label or 10-20 name. OK resolves the table
// against the recording and emits montageAccepted(); unknown channels are said inline and nothing changes.
#include <QDialog>
#include <memory>
#include <string>

#include "core/io/Recording.h"
#include "core/montage/Montage.h"

class QLabel;
class QLineEdit;
class QTableWidget;

namespace neurolm::widgets {

class MontageEditorDialog : public QDialog {
  Q_OBJECT

 public:
  MontageEditorDialog(std::shared_ptr<const Recording> recording, const montage::MontageSpec& start,
                      QWidget* parent = nullptr);

  // The table as a montage spec; throws montage::MontageFileError naming the row for a malformed term.
  montage::MontageSpec spec() const;
  void setSpec(const montage::MontageSpec& spec);
  QTableWidget* table() const { return table_; }
  QString errorText() const;
  // Loads / saves a JSON file now (the buttons open file dialogs and call these); false with the error said.
  bool loadFile(const QString& path);
  bool saveFile(const QString& path);
  bool applyMontage();  // resolve and emit; false (and the error said) when it does not fit the recording
  // The JSON file the table was last loaded from or saved to, as an absolute path, while the table still
  // says what that file says; empty after an edit or when the table never came from a file.
  QString tableFile() const;

  static QString termsText(const montage::DerivationSpec& derivation);

 Q_SIGNALS:
  void montageAccepted(std::shared_ptr<const montage::Montage> montage);

 private:
  std::shared_ptr<const Recording> recording_;
  QLineEdit* name_ = nullptr;
  QTableWidget* table_ = nullptr;
  QLabel* error_ = nullptr;
  QString file_;
  std::string fileJson_;  // the table as montage JSON right after loading or saving file_
};

}  // namespace neurolm::widgets
