#pragma once
// The jobs pane: a form that starts `neurolm train` jobs, the list of known jobs with their status, and for
// the selected one its progress with ETA, live loss and learning-rate curves, the log's tail, Stop, Resume
// and Open model. Jobs run detached (JobRunner); the pane follows their run folders' logs through a worker
// and re-attaches to the folders it knows (QSettings "jobs/runDirs") when it is created again.
// A job may be queued after another job of the pane: it waits ("waiting for <job>") and starts when that one
// ends `done`; when that one fails or is stopped it is "blocked" and never starts. The queue lives in the
// settings beside the run folders ("jobs/after", "jobs/blocked"), so a new pane keeps waiting; a waiting job
// starts only while a pane is open.
#include <QMap>
#include <QStringList>
#include <QWidget>
#include <functional>
#include <memory>

#include "core/jobs/JobProtocol.h"
#include "widgets/jobs/ComputeDevice.h"
#include "widgets/jobs/JobForm.h"
#include "widgets/jobs/JobRunner.h"

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QThread;
class QTimer;
class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;

namespace neurolm::widgets {

class JobWatcher;
struct JobSnapshot;

class JobsPanel : public QWidget {
  Q_OBJECT

 public:
  // `datasetsDir`: the shipped dataset definitions (resources/datasets), offered in the form.
  JobsPanel(std::shared_ptr<JobRunner> runner, const QString& datasetsDir, QWidget* parent = nullptr,
            int pollIntervalMs = 250);
  ~JobsPanel() override;

  // The form as data, and filling it (the stage's official defaults are shown when the stage changes).
  JobForm form() const;
  void setForm(const JobForm& form);
  // The form's "Device" list comes from this probe (run on the pane's worker): now, and each time the form is
  // shown, so the free memory is current. Without one the list offers the CPU only.
  void setDeviceProbe(ComputeDeviceProbe probe);
  void refreshDevices();
  const ComputeDevices& devices() const { return devices_; }  // as last read
  QComboBox* deviceBox() const { return device_; }
  // The presets of the stage ("official", "embedded", "smoke"; JobPresets): choosing one fills the
  // hyper-parameter fields, and a field edited afterwards marks it "(modified)".
  void choosePreset(const QString& id);
  QString presetId() const;
  QComboBox* presetBox() const { return preset_; }
  QLabel* presetNote() const { return presetNote_; }
  // Validates the form (messages appear under the fields), writes the config into the run folder and has the
  // worker start the job; returns false and shows why when it cannot (a failed start shows on the job).
  bool startFromForm();

  QStringList runDirs() const { return order_; }
  QString selectedRunDir() const;
  void selectJob(const QString& runDir);
  jobs::JobState state(const QString& runDir) const;
  // The status shown: the log's, except "running" only while the process lives, and "stopping" after Stop.
  jobs::JobStatus shownStatus(const QString& runDir) const;
  QString statusText(const QString& runDir) const;
  // The job it waits for (empty when it does not wait), and why it will not start (empty unless blocked).
  QString waitingFor(const QString& runDir) const;
  QString blockedReason(const QString& runDir) const;

  void stopSelected();
  bool resumeSelected();
  void forgetSelected();  // drops the job from the list (its run folder stays)
  void setStopGracePeriodMs(int ms) { stopGraceMs_ = ms; }

  QTabWidget* tabs() const { return tabs_; }
  QProgressBar* progressBar() const { return progress_; }
  QLabel* statusLabel() const { return status_; }  // the selected job's status line
  QListWidget* jobList() const { return list_; }
  QLineSeries* lossSeries() const { return lossSeries_; }
  QLineSeries* lrSeries() const { return lrSeries_; }
  QPlainTextEdit* logTail() const { return logTail_; }
  QPushButton* stopButton() const { return stop_; }
  QPushButton* resumeButton() const { return resume_; }
  QPushButton* openModelButton() const { return openModel_; }
  QPushButton* startButton() const { return start_; }
  QLabel* formMessage(const QString& field) const { return fieldErrors_.value(field); }

 Q_SIGNALS:
  void openModelRequested(const QString& modelPath);
  // A finished vq run's model is a tokenizer, not a NeuroLM: the button offers it as the current model's.
  void useTokenizerRequested(const QString& tokenizerPath);
  void jobsChanged();       // a job was added, updated or removed
  void devicesRefreshed();  // a probe's list arrived and the Device field shows it

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  struct Job {
    jobs::JobState state;
    JobProcessInfo process;
    QStringList tail;
    QString readError;
    bool stopRequested = false;
    bool starting = false;  // the worker is starting its process
    QString startError;     // the runner could not start it
    QTimer* escalation = nullptr;
    QString after;          // queued: starts when this job ends done
    QString blockedReason;  // queued behind a job that failed or stopped
    QString plannedStage;   // from the pane's config, before the log names it
    bool seen = false;      // a snapshot of its run folder arrived (its state is known)
  };
  QWidget* buildForm();
  QWidget* buildJobsTab();
  void applySnapshot(const JobSnapshot& snapshot);
  void addJob(const QString& runDir);
  void launch(const QString& runDir, bool resume);
  void jobStarted(const QString& runDir, const std::optional<QString>& error);
  void saveRunDirs() const;
  void saveQueue() const;
  void advanceQueue();  // starts or blocks the jobs whose predecessor has ended
  void refreshAfterChoices();
  void refreshListItem(const QString& runDir);
  void refreshDetails();
  void applyStageDefaults();
  // The "Run on" choice and the Slurm resources (JobsPanelSlurm.cpp); the Slurm rows show for Slurm only.
  using AddField = std::function<void(const QString& key, const QString& label, QWidget* field)>;
  void addSchedulerFields(QWidget* page, const AddField& addField);
  void applyScheduler();
  void readSchedulerFields(JobForm& form) const;
  void writeSchedulerFields(const JobForm& form);
  // The preset row (JobsPanelPresets.cpp) and the device row (JobsPanelDevice.cpp).
  void addPresetField(QWidget* page, const AddField& addField);
  void applyPreset();
  void refreshPresetNote();
  void addDeviceField(QWidget* page, const AddField& addField);
  void showDevices(const ComputeDevices& devices);
  void applyDeviceScheduler();
  void showFormErrors(const std::vector<JobFormError>& errors);
  QString describeLine(const QString& line) const;

  std::shared_ptr<JobRunner> runner_;
  QThread* thread_ = nullptr;
  JobWatcher* watcher_ = nullptr;
  QMap<QString, Job> jobs_;
  QStringList order_;
  int stopGraceMs_ = 120000;

  QTabWidget* tabs_ = nullptr;
  QComboBox* stage_ = nullptr;
  QComboBox* preset_ = nullptr;
  QLabel* presetNote_ = nullptr;
  bool applyingPreset_ = false;
  QComboBox* device_ = nullptr;
  QLabel* deviceNote_ = nullptr;
  ComputeDeviceProbe deviceProbe_;
  ComputeDevices devices_;
  quint64 deviceRequest_ = 0;  // the latest probe asked for; older answers are dropped
  QComboBox* dataset_ = nullptr;
  QLineEdit* runDir_ = nullptr;
  QLineEdit* tokenizer_ = nullptr;
  QLineEdit* initModel_ = nullptr;
  QSpinBox* epochs_ = nullptr;
  QSpinBox* batchSize_ = nullptr;
  QLineEdit* lr_ = nullptr;
  QSpinBox* maxSteps_ = nullptr;
  QSpinBox* paddedLength_ = nullptr;
  QLineEdit* otherKeys_ = nullptr;
  QComboBox* after_ = nullptr;
  QComboBox* scheduler_ = nullptr;
  QLineEdit* partition_ = nullptr;
  QSpinBox* timeLimit_ = nullptr;
  QSpinBox* cpus_ = nullptr;
  QSpinBox* gpus_ = nullptr;
  QSpinBox* memory_ = nullptr;
  QSpinBox* stopWarning_ = nullptr;
  QFormLayout* formLayout_ = nullptr;
  QLabel* defaultsNote_ = nullptr;
  QMap<QString, QLabel*> fieldErrors_;
  QMap<QString, QWidget*> fieldRows_;
  QLabel* startMessage_ = nullptr;
  QPushButton* start_ = nullptr;

  QListWidget* list_ = nullptr;
  QLabel* title_ = nullptr;
  QLabel* status_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QPushButton* stop_ = nullptr;
  QPushButton* resume_ = nullptr;
  QPushButton* openModel_ = nullptr;
  QPushButton* forget_ = nullptr;
  QChart* chart_ = nullptr;
  QChartView* chartView_ = nullptr;
  QLineSeries* lossSeries_ = nullptr;
  QLineSeries* lrSeries_ = nullptr;
  QValueAxis* stepAxis_ = nullptr;
  QValueAxis* lossAxis_ = nullptr;
  QValueAxis* lrAxis_ = nullptr;
  QPlainTextEdit* logTail_ = nullptr;
  QString shownTailOf_;  // the job whose tail the log view holds
};

}  // namespace neurolm::widgets
