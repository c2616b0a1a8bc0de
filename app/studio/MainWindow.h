#pragma once
// The main window: opens recordings (menu, command line, drag and drop) on a worker thread, shows their
// traces page by page, the repair report and any error — inline, never in a blocking dialog.
#include <QLabel>
#include <QMainWindow>
#include <QString>
#include <memory>

#include <atomic>

#include "core/annotations/AnnotationDocument.h"
#include "core/io/Export.h"
#include "core/io/Recording.h"

namespace neurolm::runtime {
class InferenceRuntime;
}

class QComboBox;
class QProgressBar;
class QDoubleSpinBox;
class QLineEdit;
class QScrollBar;
class QTextBrowser;
class QDockWidget;
class QThreadPool;
class QTimer;

namespace neurolm::widgets {
class TraceView;
class SpectrumView;
class SpectrogramView;
class AnnotationsDock;
class OverviewView;
class JobsPanel;
class ChatPane;
class TokenLane;
class CodeUsageView;
}  // namespace neurolm::widgets

namespace neurolm::app {

class ModelHost;
class RuntimeChatBackend;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  widgets::TraceView* traceView() const { return traces_; }
  widgets::SpectrumView* spectrumView() const { return spectrum_; }
  QDockWidget* spectrumDock() const { return spectrumDock_; }
  // Spectrogram of one or more channels over the page or the whole recording (View menu; starts hidden).
  widgets::SpectrogramView* spectrogramView() const { return spectrogram_; }
  QDockWidget* spectrogramDock() const { return spectrogramDock_; }
  QString errorText() const;   // the visible error banner's text (empty when hidden)
  QString reportText() const;  // the file report dock's plain text
  const std::shared_ptr<const Recording>& recording() const { return recording_; }
  // The annotations of the open recording (sidecar `<recording>.annotations.json`, else the file's own).
  widgets::AnnotationsDock* annotationsPane() const { return annotationsPane_; }
  QDockWidget* annotationsDock() const { return annotationsDock_; }
  AnnotationDocument* annotations() const { return annotationDoc_.get(); }
  // Writes pending annotation changes now and waits for the write (also done on close and on opening a file).
  void flushAnnotations();
  // Navigation: the overview strip, the "go to" box, the page length and the time slider.
  widgets::OverviewView* overview() const { return overview_; }
  QLineEdit* goToEdit() const { return goTo_; }
  QComboBox* pageLengthBox() const { return pageLength_; }
  QScrollBar* timeBar() const { return timeBar_; }
  QAction* clockTimeAction() const { return clockTime_; }
  QAction* clipToLaneAction() const { return clipToLane_; }
  // Training jobs: start, follow, stop and resume `neurolm train` runs (they outlive the window).
  widgets::JobsPanel* jobsPanel() const { return jobsPanel_; }
  QDockWidget* jobsDock() const { return jobsDock_; }
  // The NeuroLM engine of the window (loaded on a worker; runtimeChanged() hands it to the panes) and the
  // chat pane that asks it about the page or a selection.
  ModelHost* modelHost() const { return modelHost_; }
  widgets::ChatPane* chatPane() const { return chatPane_; }
  QDockWidget* chatDock() const { return chatDock_; }
  // Neural tokens: the lane under the traces and the Code usage dock (both over one TokenModel).
  widgets::TokenLane* tokenLane() const { return tokenLane_; }
  widgets::CodeUsageView* codeUsageView() const { return codeUsage_; }
  QDockWidget* codeUsageDock() const { return codeUsageDock_; }

 public Q_SLOTS:
  // Opens on a worker thread; recordingOpened() or openFailed() follows.
  void openFile(const QString& path);
  void showOpenDialog();
  // Moves the page to start at a time typed as seconds, h:mm:ss(.s) or @clock time (core/navigation);
  // false (and a status message) for text it cannot read or a time beyond the end.
  bool goToTime(const QString& text);
  // The trace view as it is now, to .png (the shown image), .pdf or .svg (vectors); on a worker.
  void exportView(const QString& path);
  // A range of the recording to EDF+/BDF+/CSV/.npy (by the extension), on a worker with progress and cancel.
  void exportSelection(const ExportRequest& request, const QString& path);
  void cancelExport();
  void showExportSelectionDialog();
  // File → Load model…: a NeuroLM file, loaded with loadModel().
  void showLoadModelDialog();
  // Loads a NeuroLM file for the chat (and the token lane) with its VQ tokenizer: a tokenizer.safetensors
  // beside it, else the one its run was trained with (jobs::findRunTokenizer: the run's config.json, following
  // "init_model" back). A vq run's model is taken as the tokenizer instead (useTokenizer). The Load model
  // dialog and the jobs dock's Open model (a finished run's model) call it.
  void loadModel(const QString& neuroLmPath);
  // Reloads the current NeuroLM with `tokenizerPath` as its VQ tokenizer (the jobs dock's Use as tokenizer).
  void useTokenizer(const QString& tokenizerPath);
  // The engine whose VQ tokenizer the token lane uses (null, or one without a tokenizer: the lane says so);
  // the open recording is tokenised again (or read from the token cache).
  void setTokenizerRuntime(std::shared_ptr<neurolm::runtime::InferenceRuntime> runtime);

 Q_SIGNALS:
  void recordingOpened(const QString& path);
  void openFailed(const QString& path, const QString& message);
  void annotationsLoaded();  // the document of the newly opened recording is filled
  void annotationsSaved(const QString& sidecarPath);
  void viewExported(const QString& path);
  void selectionExported(const QString& path);
  void exportFailed(const QString& message);

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
  void buildAnnotationsMenu();
  void loadAnnotations();
  void scheduleAnnotationSave();
  void saveAnnotations();
  void importAnnotationFile(const QString& path, const QString& format);
  void exportAnnotationFile(const QString& path, const QString& format);
  void showAnnotationFileDialog(bool import, const QString& format);
  void showExportViewDialog(const QString& format);
  void updateTimeBar();
  void refreshOverviewAnnotations();

  widgets::TraceView* traces_ = nullptr;
  QLabel* errorBanner_ = nullptr;
  QTextBrowser* report_ = nullptr;
  QDockWidget* reportDock_ = nullptr;
  // The report's HTML, laid out into report_ only while its dock is on screen (a 64-channel table takes the
  // UI thread tens of ms, more on a busy machine); pending until then.
  QString reportHtml_;
  bool reportPending_ = false;
  void showPendingReport();
  widgets::SpectrumView* spectrum_ = nullptr;
  QDockWidget* spectrumDock_ = nullptr;
  widgets::SpectrogramView* spectrogram_ = nullptr;
  QDockWidget* spectrogramDock_ = nullptr;
  QComboBox* pageLength_ = nullptr;
  QDoubleSpinBox* sensitivity_ = nullptr;
  QScrollBar* timeBar_ = nullptr;
  widgets::OverviewView* overview_ = nullptr;
  QLineEdit* goTo_ = nullptr;
  QAction* clockTime_ = nullptr;
  QAction* clipToLane_ = nullptr;
  QAction* cancelExport_ = nullptr;
  std::shared_ptr<std::atomic<bool>> exportCancel_;
  QLabel* statusPosition_ = nullptr;
  std::shared_ptr<const Recording> recording_;
  QString path_;
  quint64 openRequest_ = 0;
  widgets::AnnotationsDock* annotationsPane_ = nullptr;
  QDockWidget* annotationsDock_ = nullptr;
  std::shared_ptr<AnnotationDocument> annotationDoc_;
  quint64 annotationRequest_ = 0;
  std::uint64_t savedRevision_ = 0;  // document revision on disk
  bool sidecarWritable_ = false;     // false until loaded, and when the sidecar could not be read
  QTimer* saveTimer_ = nullptr;
  QThreadPool* saveQueue_ = nullptr;  // one thread: sidecar writes in order
  widgets::JobsPanel* jobsPanel_ = nullptr;
  QDockWidget* jobsDock_ = nullptr;
  ModelHost* modelHost_ = nullptr;
  RuntimeChatBackend* chatBackend_ = nullptr;
  widgets::ChatPane* chatPane_ = nullptr;
  QDockWidget* chatDock_ = nullptr;
  QProgressBar* modelProgress_ = nullptr;
  widgets::TokenLane* tokenLane_ = nullptr;
  widgets::CodeUsageView* codeUsage_ = nullptr;
  QDockWidget* codeUsageDock_ = nullptr;
};

}  // namespace neurolm::app
