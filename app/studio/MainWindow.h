#pragma once
// The main window: opens recordings (menu, command line, drag and drop) on a worker thread, shows their traces
// page by page, the repair report and any error — inline, never in a blocking dialog.
#include <QLabel>
#include <QMainWindow>
#include <QString>
#include <memory>

#include "core/io/Recording.h"

class QComboBox;
class QDoubleSpinBox;
class QScrollBar;
class QTextBrowser;
class QDockWidget;

namespace neurolm::widgets {
class TraceView;
}

namespace neurolm::app {

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  widgets::TraceView* traceView() const { return traces_; }
  QString errorText() const;  // the visible error banner's text (empty when hidden)
  QString reportText() const;  // the file report dock's plain text
  const std::shared_ptr<const Recording>& recording() const { return recording_; }

 public Q_SLOTS:
  // Opens on a worker thread; recordingOpened() or openFailed() follows.
  void openFile(const QString& path);
  void showOpenDialog();

 Q_SIGNALS:
  void recordingOpened(const QString& path);
  void openFailed(const QString& path, const QString& message);

 protected:
  bool event(QEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void buildMenus();
  void buildToolbar();
  void onOpened(const QString& path, std::shared_ptr<const Recording> rec);
  void onFailed(const QString& path, const QString& message);
  void updateStatus();
  void updateReport();

  widgets::TraceView* traces_ = nullptr;
  QLabel* errorBanner_ = nullptr;
  QTextBrowser* report_ = nullptr;
  QDockWidget* reportDock_ = nullptr;
  QComboBox* pageLength_ = nullptr;
  QDoubleSpinBox* sensitivity_ = nullptr;
  QScrollBar* timeBar_ = nullptr;
  QLabel* statusPosition_ = nullptr;
  std::shared_ptr<const Recording> recording_;
  QString path_;
  quint64 openRequest_ = 0;
};

}  // namespace neurolm::app
