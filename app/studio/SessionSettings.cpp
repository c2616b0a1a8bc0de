#include "app/studio/SessionSettings.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>

#include "app/studio/MainWindow.h"
#include "app/studio/MontageControls.h"
#include "core/montage/Montage.h"
#include "widgets/spectrogram/SpectrogramView.h"
#include "widgets/traces/TraceView.h"

namespace neurolm::app {
namespace {

// Keys, grouped by what they belong to.
constexpr const char* kGeometry = "window/geometry";
constexpr const char* kState = "window/state";
constexpr const char* kRecent = "files/recent";
constexpr const char* kPageSec = "browser/pageSec";
constexpr const char* kGain = "browser/gain";
constexpr const char* kClip = "browser/clipToLane";
constexpr const char* kClock = "browser/clockTimeAxis";
constexpr const char* kMontage = "browser/montage";  // a built-in's name (core/montage builtinMontageName)
constexpr const char* kMontageFile = "browser/montageFile";  // or a custom montage's JSON file
constexpr const char* kFilter = "browser/filter";            // hp, lp, order, notch, harmonics, q
constexpr const char* kColourMap = "spectrogram/colourMap";
constexpr int kStateVersion = 1;  // bump when the docks change so an old layout is not forced on new docks

}  // namespace

SessionSettings::SessionSettings(MainWindow* window) : QObject(window), window_(window) {
  // File → Open recent, right after File → Open….
  QMenu* file =
      window_->menuBar()->actions().isEmpty() ? nullptr : window_->menuBar()->actions().first()->menu();
  recentMenu_ = new QMenu(tr("Open &recent"), window_);
  if (file != nullptr) {
    const auto actions = file->actions();
    file->insertMenu(actions.size() > 1 ? actions[1] : nullptr, recentMenu_);
  }
  connect(recentMenu_, &QMenu::aboutToShow, this, &SessionSettings::rebuildRecentMenu);
  connect(window_, &MainWindow::recordingOpened, this, &SessionSettings::addRecent);
  connect(window_, &MainWindow::recordingOpened, this, [this]() {
    const auto& rec = window_->recording();
    if (!pendingMontageFile_.isEmpty() && rec) {
      const QString file = pendingMontageFile_;
      pendingMontageFile_.clear();
      pendingMontage_.clear();
      if (auto* controls = montageControls()) controls->loadMontageFile(file);  // says why when it fails
      return;
    }
    if (pendingMontage_.isEmpty() || !rec) return;
    const auto which = montage::builtinMontageFromName(pendingMontage_.toStdString());
    pendingMontage_.clear();
    if (!which || *which == montage::BuiltinMontage::Referential) return;
    auto built = std::make_shared<const montage::Montage>(montage::buildMontage(*which, *rec));
    if (!built->derivations.empty()) window_->traceView()->setMontage(std::move(built));
  });
  window_->installEventFilter(this);
  restore();
  rebuildRecentMenu();
}

QStringList SessionSettings::recentFiles() const {
  return QSettings().value(QLatin1String(kRecent)).toStringList();
}

void SessionSettings::addRecent(const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  QStringList list = recentFiles();
  list.removeAll(absolute);
  list.prepend(absolute);
  while (list.size() > kMaxRecentFiles) list.removeLast();
  QSettings().setValue(QLatin1String(kRecent), list);
  rebuildRecentMenu();
}

void SessionSettings::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList list = recentFiles();
  int n = 0;
  for (const QString& path : list) {
    ++n;
    const bool exists = QFileInfo::exists(path);
    //: File → Open recent entry: number (mnemonic), file name, folder
    QString text = tr("&%1 %2  (%3)")
                       .arg(n % 10)
                       .arg(QFileInfo(path).fileName(), QDir::toNativeSeparators(QFileInfo(path).path()));
    if (!exists) text += QLatin1Char(' ') + tr("(missing)");
    QAction* a = recentMenu_->addAction(text, window_, [this, path]() { window_->openFile(path); });
    a->setEnabled(exists);
    a->setData(path);
    if (!exists) a->setToolTip(tr("%1 no longer exists").arg(path));
  }
  if (list.isEmpty()) recentMenu_->addAction(tr("No recent files"))->setEnabled(false);
  recentMenu_->addSeparator();
  QAction* clear = recentMenu_->addAction(tr("&Clear list"), this, [this]() {
    QSettings().remove(QLatin1String(kRecent));
    rebuildRecentMenu();
  });
  clear->setEnabled(!list.isEmpty());
  QStringList missing;
  for (const QString& path : list)
    if (!QFileInfo::exists(path)) missing << QFileInfo(path).fileName();
  recentMenu_->setToolTipsVisible(true);
  if (!missing.isEmpty() && recentMenu_->isVisible())
    window_->statusBar()->showMessage(
        tr("Recent files no longer found: %1").arg(missing.join(QStringLiteral(", "))), 8000);
}

void SessionSettings::save() const {
  QSettings s;
  s.setValue(QLatin1String(kGeometry), window_->saveGeometry());
  s.setValue(QLatin1String(kState), window_->saveState(kStateVersion));
  s.setValue(QLatin1String(kPageSec), window_->traceView()->pageDurationSec());
  s.setValue(QLatin1String(kGain), window_->traceView()->gain());
  s.setValue(QLatin1String(kClip), window_->traceView()->clipToLane());
  s.setValue(QLatin1String(kClock), window_->clockTimeAction()->isChecked());
  // The montage: a custom one by its JSON file when it is that file unchanged, else a built-in by name (an
  // edited custom montage that was never saved leaves what was remembered before).
  const MontageControls* controls = montageControls();
  const QString montageFile = controls ? controls->customMontageFile() : QString();
  if (!montageFile.isEmpty()) {
    s.setValue(QLatin1String(kMontageFile), montageFile);
  } else if (const auto& rec = window_->recording()) {
    const auto& shown = window_->traceView()->montage();
    for (montage::BuiltinMontage b : montage::kAllBuiltinMontages) {
      if (!shown ? b == montage::BuiltinMontage::Referential
                 : b != montage::BuiltinMontage::Referential &&
                       montage::buildMontage(b, *rec).name == shown->name) {
        s.setValue(QLatin1String(kMontage),
                   QString::fromUtf8(montage::builtinMontageName(b).data(),
                                     static_cast<qsizetype>(montage::builtinMontageName(b).size())));
        s.remove(QLatin1String(kMontageFile));
        break;
      }
    }
  }
  const auto& f = window_->traceView()->filters().all;
  s.setValue(QLatin1String(kFilter),
             QVariantList{f.highPassHz, f.lowPassHz, f.order, f.notchHz, f.notchHarmonics, f.notchQ});
  s.setValue(QLatin1String(kColourMap), static_cast<int>(window_->spectrogramView()->colourMap()));
}

void SessionSettings::restore() {
  QSettings s;
  if (s.contains(QLatin1String(kGeometry)))
    window_->restoreGeometry(s.value(QLatin1String(kGeometry)).toByteArray());
  if (s.contains(QLatin1String(kState)))
    window_->restoreState(s.value(QLatin1String(kState)).toByteArray(), kStateVersion);
  if (s.contains(QLatin1String(kPageSec))) {
    QComboBox* box = window_->pageLengthBox();
    const int i = box->findData(s.value(QLatin1String(kPageSec)).toDouble());
    if (i >= 0) box->setCurrentIndex(i);  // the combo sets the trace view's page length
  }
  if (s.contains(QLatin1String(kGain)))
    window_->traceView()->setGain(s.value(QLatin1String(kGain)).toDouble());
  if (s.contains(QLatin1String(kClip)))
    window_->clipToLaneAction()->setChecked(s.value(QLatin1String(kClip)).toBool());
  if (s.contains(QLatin1String(kClock)))
    window_->clockTimeAction()->setChecked(s.value(QLatin1String(kClock)).toBool());
  pendingMontage_ = s.value(QLatin1String(kMontage)).toString();
  pendingMontageFile_ = s.value(QLatin1String(kMontageFile)).toString();
  const QVariantList f = s.value(QLatin1String(kFilter)).toList();
  if (f.size() == 6) {
    montage::FilterSet filters = window_->traceView()->filters();
    filters.all.highPassHz = f[0].toDouble();
    filters.all.lowPassHz = f[1].toDouble();
    filters.all.order = f[2].toInt();
    filters.all.notchHz = f[3].toDouble();
    filters.all.notchHarmonics = f[4].toBool();
    filters.all.notchQ = f[5].toDouble();
    window_->traceView()->setFilters(filters);
  }
  if (s.contains(QLatin1String(kColourMap))) {
    const int map = s.value(QLatin1String(kColourMap)).toInt();
    if (map >= 0 && map <= static_cast<int>(widgets::ColourMap::Grey))
      window_->spectrogramView()->setColourMap(static_cast<widgets::ColourMap>(map));
  }
}

MontageControls* SessionSettings::montageControls() const {
  return window_->findChild<MontageControls*>(QStringLiteral("montageControls"));
}

bool SessionSettings::eventFilter(QObject* watched, QEvent* event) {
  if (watched == window_ && event->type() == QEvent::Close) save();
  return QObject::eventFilter(watched, event);
}

}  // namespace neurolm::app
