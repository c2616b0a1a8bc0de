#pragma once
// The Montage menu and tool bar of the main window: the built-in montages (referential, common average,
// double banana, transverse, Laplacian), the custom montage editor (table, JSON load/save) and the display
// filter dialog, all applied to the trace view. Reachable by keyboard: Alt+M opens the menu, the tool bar's
// combo box takes focus with Tab, Ctrl+Shift+F opens the filter dialog.
#include <QObject>
#include <QPointer>
#include <set>

#include "core/montage/Montage.h"

class QAction;
class QComboBox;
class QMainWindow;
class QMenu;

namespace neurolm::widgets {
class TraceView;
class FilterDialog;
class MontageEditorDialog;
}  // namespace neurolm::widgets

namespace neurolm::app {

class MontageControls : public QObject {
  Q_OBJECT

 public:
  MontageControls(QMainWindow* window, widgets::TraceView* traces);

  QComboBox* montageBox() const { return combo_; }
  QAction* filtersAction() const { return filtersAction_; }
  // Builds the montage from the open recording and shows it; false (said in the status bar) when the
  // recording has no channels for it.
  bool selectBuiltin(montage::BuiltinMontage which);
  // Open the dialogs (non-blocking); the dialog stays reachable for tests until closed.
  widgets::FilterDialog* showFilterDialog();
  widgets::MontageEditorDialog* showMontageEditor();
  // Bad channels (recording indices) are left out of the common average and the Laplacian neighbourhoods;
  // setting them rebuilds the shown built-in. Cleared when another recording is opened.
  void setBadChannels(std::set<std::size_t> bad);
  const std::set<std::size_t>& badChannels() const { return bad_; }
  // The JSON file of the custom montage shown when it is that file unchanged (loaded or saved in the editor
  // before OK, or loadMontageFile()); empty for a built-in or an edited, unsaved custom montage.
  QString customMontageFile() const;
  // Montage → Open montage file…: reads a montage JSON file, resolves it against the open recording and shows
  // it (a recording opened next gets it too, as it gets a built-in). Any error (file gone, malformed,
  // channels the recording lacks) shows the referential montage, says why in the status bar and returns
  // false.
  bool loadMontageFile(const QString& path);
  void showOpenMontageDialog();

 private:
  void showCustom(std::shared_ptr<const montage::Montage> montage);
  void syncSelection();

  QMainWindow* window_ = nullptr;
  widgets::TraceView* traces_ = nullptr;
  QMenu* menu_ = nullptr;
  QComboBox* combo_ = nullptr;
  QAction* filtersAction_ = nullptr;
  QList<QAction*> builtinActions_;
  QAction* customAction_ = nullptr;
  // The built-in last chosen and the montage built for it: a new recording gets the same built-in.
  montage::BuiltinMontage builtin_ = montage::BuiltinMontage::Referential;
  std::shared_ptr<const montage::Montage> builtinShown_;
  // The custom montage shown and the file it came from (see customMontageFile()).
  std::shared_ptr<const montage::Montage> customShown_;
  QString customFile_;
  bool fileMontageShown_ = false;  // the last montage shown was customFile_: a new recording gets it too
  const Recording* recording_ = nullptr;
  std::set<std::size_t> bad_;
  QPointer<widgets::FilterDialog> filterDialog_;
  QPointer<widgets::MontageEditorDialog> editor_;
};

}  // namespace neurolm::app
