#include "app/studio/MontageControls.h"

#include <QAction>
#include <QActionGroup>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QStatusBar>
#include <QToolBar>

#include "widgets/traces/FilterDialog.h"
#include "widgets/traces/MontageEditorDialog.h"
#include "widgets/traces/TraceView.h"

namespace neurolm::app {
namespace {

QString builtinTitle(montage::BuiltinMontage m) {
  switch (m) {
    case montage::BuiltinMontage::Referential:
      return MontageControls::tr("Referential (as recorded)");
    case montage::BuiltinMontage::CommonAverage:
      return MontageControls::tr("Common average reference");
    case montage::BuiltinMontage::LongitudinalBipolar:
      return MontageControls::tr("Longitudinal bipolar (double banana)");
    case montage::BuiltinMontage::TransverseBipolar:
      return MontageControls::tr("Transverse bipolar");
    case montage::BuiltinMontage::Laplacian:
      break;
  }
  return MontageControls::tr("Laplacian");
}

}  // namespace

MontageControls::MontageControls(QMainWindow* window, widgets::TraceView* traces)
    : QObject(window), window_(window), traces_(traces) {
  setObjectName(QStringLiteral("montageControls"));
  menu_ = window->menuBar()->addMenu(tr("&Montage"));
  auto* group = new QActionGroup(this);
  QToolBar* bar = window->addToolBar(tr("Montage"));
  bar->setObjectName(QStringLiteral("montageToolbar"));
  bar->addWidget(new QLabel(tr(" Montage "), bar));
  combo_ = new QComboBox(bar);
  combo_->setObjectName(QStringLiteral("montageCombo"));
  // Narrow enough that the window's tool bars stay on one row; the list shows the full titles.
  combo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  combo_->setMinimumContentsLength(16);
  combo_->setToolTip(tr("What each lane shows (Alt+M: Montage menu)"));
  for (montage::BuiltinMontage m : montage::kAllBuiltinMontages) {
    QAction* a = menu_->addAction(builtinTitle(m), this, [this, m]() { selectBuiltin(m); });
    a->setCheckable(true);
    group->addAction(a);
    builtinActions_.append(a);
    combo_->addItem(builtinTitle(m), static_cast<int>(m));
  }
  customAction_ = menu_->addAction(tr("Custom"));
  customAction_->setCheckable(true);
  customAction_->setEnabled(false);
  group->addAction(customAction_);
  menu_->addSeparator();
  menu_->addAction(tr("&Edit custom montage…"), this, [this]() { showMontageEditor(); });
  menu_->addAction(tr("&Open montage file…"), this, &MontageControls::showOpenMontageDialog);
  //: Submenu of the Montage menu: channels checked here are left out of the average and Laplacian references
  QMenu* bad = menu_->addMenu(tr("&Bad channels"));
  connect(bad, &QMenu::aboutToShow, this, [this, bad]() {
    bad->clear();
    const auto recording = traces_->recording();
    if (!recording) return;
    for (std::size_t c = 0; c < recording->channels().size(); ++c) {
      QAction* a = bad->addAction(QString::fromStdString(recording->channels()[c].label));
      a->setCheckable(true);
      a->setChecked(bad_.count(c) > 0);
      connect(a, &QAction::toggled, this, [this, c](bool on) {
        std::set<std::size_t> next = bad_;
        if (on) {
          next.insert(c);
        } else {
          next.erase(c);
        }
        setBadChannels(std::move(next));
      });
    }
  });
  menu_->addSeparator();
  filtersAction_ = menu_->addAction(tr("Display &filters…"), this, [this]() { showFilterDialog(); });
  filtersAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
  bar->addWidget(combo_);
  bar->addAction(filtersAction_);
  builtinActions_.front()->setChecked(true);

  connect(combo_, &QComboBox::activated, this, [this](int index) {
    const QVariant data = combo_->itemData(index);
    if (data.isValid() && data.toInt() >= 0)
      selectBuiltin(static_cast<montage::BuiltinMontage>(data.toInt()));
  });
  connect(traces_, &widgets::TraceView::montageChanged, this, &MontageControls::syncSelection);
  connect(traces_, &widgets::TraceView::filtersChanged, this, [this]() {
    filtersAction_->setToolTip(
        tr("Display filters: %1").arg(QString::fromStdString(traces_->filters().all.summary())));
  });
  connect(traces_, &widgets::TraceView::renderFailed, this, [this](const QString& message) {
    window_->statusBar()->showMessage(tr("The page could not be drawn: %1").arg(message), 10000);
  });
}

bool MontageControls::selectBuiltin(montage::BuiltinMontage which) {
  const auto recording = traces_->recording();
  if (!recording) return false;
  if (which == montage::BuiltinMontage::Referential) {
    builtin_ = which;
    builtinShown_.reset();
    traces_->setMontage(nullptr);  // the plain envelope path: no samples read for long pages
    return true;
  }
  montage::BuildOptions options;
  options.badChannels = bad_;
  auto built = std::make_shared<const montage::Montage>(montage::buildMontage(which, *recording, options));
  if (built->derivations.empty()) {
    window_->statusBar()->showMessage(
        tr("%1: the recording has no 10-20 channels for this montage").arg(builtinTitle(which)), 8000);
    syncSelection();
    return false;
  }
  builtin_ = which;
  builtinShown_ = built;
  traces_->setMontage(std::move(built));
  return true;
}

void MontageControls::syncSelection() {
  if (traces_->recording().get() != recording_) {  // a new recording: the chosen built-in or file again
    recording_ = traces_->recording().get();
    bad_.clear();
    if (recording_ && fileMontageShown_ && !traces_->montage()) {
      // Queued: after the window's own "Opened …" status message, so that a file that does not fit the new
      // recording is what the status bar says. Referential until then.
      const QString file = customFile_;
      const Recording* opened = recording_;
      QMetaObject::invokeMethod(
          this,
          [this, file, opened]() {
            if (traces_->recording().get() == opened && !traces_->montage()) loadMontageFile(file);
          },
          Qt::QueuedConnection);
    } else if (recording_ && builtin_ != montage::BuiltinMontage::Referential && !traces_->montage() &&
               selectBuiltin(builtin_)) {
      return;  // selectBuiltin's montageChanged synced
    }
    if (!traces_->montage()) {
      builtin_ = montage::BuiltinMontage::Referential;
      builtinShown_.reset();
    }
  }
  const auto& current = traces_->montage();
  fileMontageShown_ = current && current == customShown_ && !customFile_.isEmpty();
  const bool custom = current && current != builtinShown_;
  const int index = current ? static_cast<int>(builtin_) : 0;
  const int customRow = combo_->findData(-1);
  if (custom) {
    const QString title = tr("Custom: %1").arg(QString::fromStdString(current->name));
    if (customRow < 0) {
      combo_->addItem(title, -1);
    } else {
      combo_->setItemText(customRow, title);
    }
    combo_->setCurrentIndex(combo_->findData(-1));
    customAction_->setText(title);
    customAction_->setChecked(true);
  } else {
    if (customRow >= 0) combo_->removeItem(customRow);
    combo_->setCurrentIndex(combo_->findData(index));
    builtinActions_[index]->setChecked(true);
    customAction_->setText(tr("Custom"));
  }
}

void MontageControls::setBadChannels(std::set<std::size_t> bad) {
  bad_ = std::move(bad);
  if (traces_->montage() && traces_->montage() == builtinShown_) selectBuiltin(builtin_);
}

widgets::FilterDialog* MontageControls::showFilterDialog() {
  const auto recording = traces_->recording();
  if (!recording) {
    window_->statusBar()->showMessage(tr("Open a recording first"), 5000);
    return nullptr;
  }
  if (filterDialog_) filterDialog_->close();
  QStringList labels;
  std::vector<double> rates;
  for (const ChannelInfo& c : recording->channels()) {
    labels << QString::fromStdString(c.label);
    rates.push_back(c.sampleRateHz);
  }
  auto* dialog = new widgets::FilterDialog(labels, rates, traces_->filters(), window_);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &widgets::FilterDialog::filtersApplied, traces_, &widgets::TraceView::setFilters);
  filterDialog_ = dialog;
  dialog->open();
  return dialog;
}

widgets::MontageEditorDialog* MontageControls::showMontageEditor() {
  const auto recording = traces_->recording();
  if (!recording) {
    window_->statusBar()->showMessage(tr("Open a recording first"), 5000);
    return nullptr;
  }
  if (editor_) editor_->close();
  // Starts from what is shown, so a built-in is a template to edit.
  const montage::Montage shown =
      traces_->montage() ? *traces_->montage()
                         : montage::buildMontage(montage::BuiltinMontage::Referential, *recording);
  montage::MontageSpec spec = montage::specOf(shown, *recording);
  const bool custom = traces_->montage() && traces_->montage() != builtinShown_;
  if (!custom) spec.name = tr("My montage").toStdString();
  auto* dialog = new widgets::MontageEditorDialog(recording, spec, window_);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &widgets::MontageEditorDialog::montageAccepted, this,
          [this, dialog](std::shared_ptr<const montage::Montage> m) {
            customShown_ = m;
            customFile_ = dialog->tableFile();
            traces_->setMontage(std::move(m));
          });
  editor_ = dialog;
  dialog->open();
  return dialog;
}

QString MontageControls::customMontageFile() const {
  return traces_->montage() && traces_->montage() == customShown_ ? customFile_ : QString();
}

bool MontageControls::loadMontageFile(const QString& path) {
  const auto recording = traces_->recording();
  if (!recording) {
    window_->statusBar()->showMessage(tr("Open a recording first"), 5000);
    return false;
  }
  try {
    const montage::MontageSpec spec = montage::loadMontageFile(path.toStdString());
    auto resolved = std::make_shared<const montage::Montage>(
        montage::resolveMontage(spec, *recording, QFileInfo(path).fileName().toStdString()));
    customShown_ = resolved;
    customFile_ = QFileInfo(path).absoluteFilePath();
    traces_->setMontage(std::move(resolved));
    return true;
  } catch (const std::exception& e) {
    selectBuiltin(montage::BuiltinMontage::Referential);
    //: Status bar; %1 is a montage file, %2 why it could not be used (file missing, malformed, channels)
    window_->statusBar()->showMessage(
        tr("Montage file %1 not used, showing the referential montage: %2")
            .arg(QDir::toNativeSeparators(path), QString::fromStdString(e.what())),
        15000);
    return false;
  }
}

void MontageControls::showOpenMontageDialog() {
  if (!traces_->recording()) {
    window_->statusBar()->showMessage(tr("Open a recording first"), 5000);
    return;
  }
  auto* dialog = new QFileDialog(window_, tr("Open montage file"), QFileInfo(customFile_).path(),
                                 tr("Montage files (*.json);;All files (*)"));
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setFileMode(QFileDialog::ExistingFile);
  connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& file) { loadMontageFile(file); });
  dialog->open();
}

}  // namespace neurolm::app
