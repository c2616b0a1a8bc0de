#pragma once
// What the studio remembers between runs, in QSettings (organisation and application name set by main()):
// the window's geometry and dock layout (saveGeometry/saveState), the last 10 opened files (File → Open
// recent; files that are gone are shown disabled with "(missing)" and can be cleared), and the browsing
// preferences: page length, gain, clip-to-lane, clock-time axis, the montage (a built-in by name, or the JSON
// file of a custom one, applied to the first recording opened; a file that is gone or does not fit falls back
// to referential with a status bar message), the display filter for all channels and the spectrogram's colour
// map. Saved when the window closes (and the recent list on every open), restored when this object is
// created. Tests point QSettings at a temporary folder (QSettings::setPath) first.
#include <QObject>
#include <QStringList>

class QMenu;

namespace neurolm::app {

class MainWindow;
class MontageControls;

class SessionSettings : public QObject {
  Q_OBJECT

 public:
  static constexpr int kMaxRecentFiles = 10;

  // Restores the window's saved state now and saves it when the window closes. Owned by the window.
  explicit SessionSettings(MainWindow* window);

  QStringList recentFiles() const;  // most recent first
  QMenu* recentMenu() const { return recentMenu_; }
  void save() const;  // everything, now
  void restore();     // layout and preferences, now

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void addRecent(const QString& path);
  void rebuildRecentMenu();
  MontageControls* montageControls() const;  // the window's Montage menu (a child named "montageControls")

  MainWindow* window_;
  QString pendingMontage_;      // a saved built-in montage, applied when the first recording is open
  QString pendingMontageFile_;  // or a custom montage's JSON file (takes precedence)
  QMenu* recentMenu_ = nullptr;
};

}  // namespace neurolm::app
