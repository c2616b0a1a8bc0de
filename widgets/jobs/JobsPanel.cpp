#include "widgets/jobs/JobsPanel.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDir>

#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QPainter>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QThread>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>

#include "widgets/jobs/JobWatcher.h"

namespace neurolm::widgets {

namespace {

constexpr int kTailLines = 300;
const char* kSettingsKey = "jobs/runDirs";
const char* kAfterKey = "jobs/after";      // run folder -> the run folder it waits for
const char* kBlockedKey = "jobs/blocked";  // run folder -> why it will not start

QString etaText(double seconds) {
  const auto s = static_cast<qint64>(std::llround(std::max(0.0, seconds)));
  if (s >= 3600)
    return QStringLiteral("%1:%2:%3")
        .arg(s / 3600)
        .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
        .arg(s % 60, 2, 10, QLatin1Char('0'));
  return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QString clockOf(const std::string& timeUtc) {
  const auto t = QDateTime::fromString(QString::fromStdString(timeUtc), Qt::ISODate);
  return t.isValid() ? t.toLocalTime().toString(QStringLiteral("HH:mm:ss")) : QString();
}

// A path field with a "…" button that opens a file or folder dialog.
QWidget* withBrowse(QLineEdit* edit, QWidget* parent, bool folder, const QString& filter) {
  auto* row = new QWidget(parent);
  auto* h = new QHBoxLayout(row);
  h->setContentsMargins(0, 0, 0, 0);
  h->addWidget(edit, 1);
  auto* browse = new QToolButton(row);
  browse->setText(QStringLiteral("…"));
  h->addWidget(browse);
  QObject::connect(browse, &QToolButton::clicked, edit, [edit, folder, filter]() {
    const QString path = folder ? QFileDialog::getExistingDirectory(edit, QString(), edit->text())
                                : QFileDialog::getOpenFileName(edit, QString(), edit->text(), filter);
    if (!path.isEmpty()) edit->setText(path);
  });
  return row;
}

}  // namespace

JobsPanel::JobsPanel(std::shared_ptr<JobRunner> runner, const QString& datasetsDir, QWidget* parent,
                     int pollIntervalMs)
    : QWidget(parent), runner_(std::move(runner)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  tabs_ = new QTabWidget(this);
  tabs_->addTab(buildJobsTab(), tr("Jobs"));
  // The form scrolls rather than squeezing its wrapped notes and messages in a short dock.
  auto* formScroll = new QScrollArea(tabs_);
  formScroll->setWidgetResizable(true);
  formScroll->setFrameShape(QFrame::NoFrame);
  formScroll->setWidget(buildForm());
  tabs_->addTab(formScroll, tr("New job"));
  layout->addWidget(tabs_);
  // The free memory is read again whenever the form comes into view.
  connect(tabs_, &QTabWidget::currentChanged, this, [this](int index) {
    if (index == 1) refreshDevices();
  });

  for (const auto& info :
       QDir(datasetsDir).entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
    dataset_->addItem(info.fileName(), info.absoluteFilePath());
  applyStageDefaults();

  // The logs are read and the processes probed on a worker; snapshots come back queued to this thread.
  thread_ = new QThread(this);
  // The destructor stops the thread before this object goes, so `this` outlives every delivery.
  watcher_ = new JobWatcher(
      runner_,
      [this](JobSnapshot s) {
        QMetaObject::invokeMethod(
            this, [this, s = std::move(s)]() { applySnapshot(s); }, Qt::QueuedConnection);
      },
      [this](QString runDir, std::optional<QString> error) {
        QMetaObject::invokeMethod(
            this, [this, runDir, error]() { jobStarted(runDir, error); }, Qt::QueuedConnection);
      },
      pollIntervalMs);
  watcher_->moveToThread(thread_);
  connect(thread_, &QThread::finished, watcher_, &QObject::deleteLater);
  connect(thread_, &QThread::started, watcher_, &JobWatcher::begin);
  thread_->start();

  connect(this, &JobsPanel::jobsChanged, this, &JobsPanel::refreshAfterChoices);
  const auto after = QSettings().value(QLatin1String(kAfterKey)).toMap();
  const auto blocked = QSettings().value(QLatin1String(kBlockedKey)).toMap();
  for (const auto& runDir : QSettings().value(QLatin1String(kSettingsKey)).toStringList()) {
    addJob(runDir);
    jobs_[runDir].after = after.value(runDir).toString();
    jobs_[runDir].blockedReason = blocked.value(runDir).toString();
    refreshListItem(runDir);
  }
  if (!order_.isEmpty()) selectJob(order_.last());
  refreshDetails();
}

JobsPanel::~JobsPanel() {
  thread_->quit();
  thread_->wait();
}

QWidget* JobsPanel::buildForm() {
  auto* page = new QWidget(this);
  auto* form = new QFormLayout(page);
  formLayout_ = form;
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  auto addField = [&](const QString& key, const QString& label, QWidget* field) {
    auto* cell = new QWidget(page);
    auto* v = new QVBoxLayout(cell);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(1);
    v->addWidget(field);
    auto* error = new QLabel(cell);
    error->setStyleSheet(QStringLiteral("color: #c62828;"));
    error->setWordWrap(true);
    error->hide();
    v->addWidget(error);
    fieldErrors_.insert(key, error);
    fieldRows_.insert(key, cell);
    form->addRow(label, cell);
  };

  stage_ = new QComboBox(page);
  stage_->addItem(tr("vq: neural tokenizer"), QStringLiteral("vq"));
  stage_->addItem(tr("pretrain: NeuroLM pre-training"), QStringLiteral("pretrain"));
  stage_->addItem(tr("instruct: instruction tuning"), QStringLiteral("instruct"));
  stage_->addItem(tr("eval: score a labelled split"), QStringLiteral("eval"));
  addField(QStringLiteral("stage"), tr("Stage"), stage_);
  addPresetField(page, addField);
  defaultsNote_ = new QLabel(page);
  defaultsNote_->setWordWrap(true);
  defaultsNote_->setStyleSheet(QStringLiteral("color: palette(mid);"));
  form->addRow(QString(), defaultsNote_);

  dataset_ = new QComboBox(page);
  dataset_->setEditable(true);
  dataset_->setInsertPolicy(QComboBox::NoInsert);
  auto* datasetRow = new QWidget(page);
  auto* dh = new QHBoxLayout(datasetRow);
  dh->setContentsMargins(0, 0, 0, 0);
  dh->addWidget(dataset_, 1);
  auto* browseDataset = new QToolButton(datasetRow);
  browseDataset->setText(QStringLiteral("…"));
  dh->addWidget(browseDataset);
  connect(browseDataset, &QToolButton::clicked, this, [this]() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Dataset definition"), QString(),
                                                      tr("Dataset definitions (*.json)"));
    if (!path.isEmpty()) dataset_->setEditText(path);
  });
  addField(QStringLiteral("dataset"), tr("Dataset"), datasetRow);

  runDir_ = new QLineEdit(page);
  runDir_->setPlaceholderText(tr("a new folder for this run"));
  addField(QStringLiteral("runDir"), tr("Run folder"), withBrowse(runDir_, page, true, QString()));
  tokenizer_ = new QLineEdit(page);
  tokenizer_->setPlaceholderText(tr("model.safetensors of a vq run"));
  addField(QStringLiteral("tokenizer"), tr("Tokenizer"),
           withBrowse(tokenizer_, page, false, tr("Models (*.safetensors *.pt)")));
  initModel_ = new QLineEdit(page);
  initModel_->setPlaceholderText(tr("model.safetensors of a pretrain or instruct run"));
  addField(QStringLiteral("initModel"), tr("Start from model"),
           withBrowse(initModel_, page, false, tr("Models (*.safetensors *.pt)")));

  epochs_ = new QSpinBox(page);
  epochs_->setRange(1, 100000);
  addField(QStringLiteral("epochs"), tr("Epochs"), epochs_);
  batchSize_ = new QSpinBox(page);
  batchSize_->setRange(1, 65536);
  addField(QStringLiteral("batchSize"), tr("Batch size"), batchSize_);
  lr_ = new QLineEdit(page);
  addField(QStringLiteral("lr"), tr("Learning rate"), lr_);
  maxSteps_ = new QSpinBox(page);
  maxSteps_->setRange(0, 100000000);
  maxSteps_->setSpecialValueText(tr("all"));
  addField(QStringLiteral("maxSteps"), tr("Max steps"), maxSteps_);
  paddedLength_ = new QSpinBox(page);
  paddedLength_->setRange(1, 1000000);
  addField(QStringLiteral("paddedLength"), tr("Padded length"), paddedLength_);
  otherKeys_ = new QLineEdit(page);
  otherKeys_->setPlaceholderText(QStringLiteral("{\"warmup_epochs\": 0, \"threads\": 1}"));
  addField(QStringLiteral("otherKeys"), tr("Other keys (JSON)"), otherKeys_);
  after_ = new QComboBox(page);
  after_->addItem(tr("now"), QString());
  after_->setToolTip(
      tr("Queue this job behind another job of the list: it starts when that one is done, "
         "and does not start if that one fails or is stopped."));
  addField(QStringLiteral("after"), tr("Start"), after_);
  addSchedulerFields(page, addField);
  // Waiting for a run, the stage's missing input is most likely that run's model.
  connect(after_, &QComboBox::activated, this, [this]() {
    const QString after = after_->currentData().toString();
    if (after.isEmpty()) return;
    const auto d = JobForms::defaults(stage_->currentData().toString());
    if (d.needsTokenizer && tokenizer_->text().trimmed().isEmpty())
      tokenizer_->setText(JobForms::modelPath(after));
    if (d.needsInitModel && initModel_->text().trimmed().isEmpty())
      initModel_->setText(JobForms::modelPath(after));
  });

  start_ = new QPushButton(tr("Start job"), page);
  startMessage_ = new QLabel(page);
  startMessage_->setWordWrap(true);
  form->addRow(start_, startMessage_);
  connect(start_, &QPushButton::clicked, this, [this]() { startFromForm(); });
  connect(stage_, &QComboBox::currentIndexChanged, this, [this]() { applyStageDefaults(); });
  // An edited hyper-parameter marks the preset "(modified)".
  for (auto* box : {epochs_, batchSize_, maxSteps_, paddedLength_})
    connect(box, &QSpinBox::valueChanged, this, [this]() { refreshPresetNote(); });
  for (auto* edit : {lr_, otherKeys_})
    connect(edit, &QLineEdit::textChanged, this, [this]() { refreshPresetNote(); });
  return page;
}

QWidget* JobsPanel::buildJobsTab() {
  auto* page = new QWidget(this);
  auto* v = new QVBoxLayout(page);
  v->setContentsMargins(0, 0, 0, 0);
  auto* splitter = new QSplitter(Qt::Vertical, page);
  list_ = new QListWidget(splitter);
  list_->setMinimumHeight(60);
  connect(list_, &QListWidget::currentRowChanged, this, [this]() { refreshDetails(); });

  auto* details = new QWidget(splitter);
  auto* d = new QVBoxLayout(details);
  d->setContentsMargins(0, 0, 0, 0);
  title_ = new QLabel(details);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  title_->setWordWrap(true);
  status_ = new QLabel(details);
  status_->setWordWrap(true);
  progress_ = new QProgressBar(details);
  progress_->setTextVisible(true);
  auto* buttons = new QHBoxLayout();
  stop_ = new QPushButton(tr("Stop"), details);
  resume_ = new QPushButton(tr("Resume"), details);
  openModel_ = new QPushButton(tr("Open model"), details);
  forget_ = new QPushButton(tr("Remove from list"), details);
  for (auto* b : {stop_, resume_, openModel_, forget_}) buttons->addWidget(b);
  buttons->addStretch(1);
  connect(stop_, &QPushButton::clicked, this, &JobsPanel::stopSelected);
  connect(resume_, &QPushButton::clicked, this, [this]() { resumeSelected(); });
  connect(forget_, &QPushButton::clicked, this, &JobsPanel::forgetSelected);
  connect(openModel_, &QPushButton::clicked, this, [this]() {
    const auto runDir = selectedRunDir();
    if (!jobs_.contains(runDir) || jobs_[runDir].state.modelPath.empty()) return;
    const auto& s = jobs_[runDir].state;
    if (s.stage == "vq")
      Q_EMIT useTokenizerRequested(QString::fromStdString(s.modelPath));
    else
      Q_EMIT openModelRequested(QString::fromStdString(s.modelPath));
  });

  chart_ = new QChart();
  chart_->legend()->setAlignment(Qt::AlignBottom);
  chart_->setMargins(QMargins(2, 2, 2, 2));
  lossSeries_ = new QLineSeries(chart_);
  lossSeries_->setName(tr("loss"));
  lrSeries_ = new QLineSeries(chart_);
  lrSeries_->setName(tr("learning rate"));
  chart_->addSeries(lossSeries_);
  chart_->addSeries(lrSeries_);
  stepAxis_ = new QValueAxis(chart_);
  stepAxis_->setTitleText(tr("step"));
  stepAxis_->setLabelFormat(QStringLiteral("%d"));
  lossAxis_ = new QValueAxis(chart_);
  lossAxis_->setTitleText(tr("loss"));
  lrAxis_ = new QValueAxis(chart_);
  lrAxis_->setTitleText(tr("lr"));
  lrAxis_->setLabelFormat(QStringLiteral("%.1e"));
  chart_->addAxis(stepAxis_, Qt::AlignBottom);
  chart_->addAxis(lossAxis_, Qt::AlignLeft);
  chart_->addAxis(lrAxis_, Qt::AlignRight);
  lossSeries_->attachAxis(stepAxis_);
  lossSeries_->attachAxis(lossAxis_);
  lrSeries_->attachAxis(stepAxis_);
  lrSeries_->attachAxis(lrAxis_);
  chartView_ = new QChartView(chart_, details);
  chartView_->setRenderHint(QPainter::Antialiasing);
  chartView_->setMinimumHeight(180);

  logTail_ = new QPlainTextEdit(details);
  logTail_->setReadOnly(true);
  logTail_->setMaximumBlockCount(kTailLines);
  logTail_->setLineWrapMode(QPlainTextEdit::NoWrap);
  logTail_->setMinimumHeight(80);

  d->addWidget(title_);
  d->addWidget(status_);
  d->addWidget(progress_);
  d->addLayout(buttons);
  d->addWidget(chartView_, 3);
  d->addWidget(logTail_, 1);
  splitter->addWidget(list_);
  splitter->addWidget(details);
  splitter->setStretchFactor(1, 4);
  v->addWidget(splitter);
  return page;
}

void JobsPanel::applyStageDefaults() {
  const QString stage = stage_->currentData().toString();
  const auto d = JobForms::defaults(stage);
  applyPreset();  // the chosen preset of the new stage (the official defaults unless another is chosen)
  fieldRows_[QStringLiteral("tokenizer")]->setEnabled(d.needsTokenizer);
  fieldRows_[QStringLiteral("initModel")]->setEnabled(d.needsInitModel);
  for (const auto* key : {"epochs", "lr", "maxSteps"}) fieldRows_[QLatin1String(key)]->setEnabled(d.trains);
  defaultsNote_->setText(
      d.trains ? tr("Official defaults of %1: %2 epochs, batch size %3, learning rate %4, padded length %5.")
                     .arg(stage)
                     .arg(d.epochs)
                     .arg(d.batchSize)
                     .arg(QString::number(d.lr, 'g', 6))
                     .arg(d.paddedLength)
               : tr("Official defaults of %1: batch size %2, padded length %3; nothing is trained.")
                     .arg(stage)
                     .arg(d.batchSize)
                     .arg(d.paddedLength));
}

JobForm JobsPanel::form() const {
  JobForm f;
  f.stage = stage_->currentData().toString();
  const int i = dataset_->findText(dataset_->currentText());
  f.dataset = i >= 0 ? dataset_->itemData(i).toString() : dataset_->currentText().trimmed();
  f.runDir = runDir_->text().trimmed();
  f.tokenizer = tokenizer_->text().trimmed();
  f.initModel = initModel_->text().trimmed();
  f.epochs = epochs_->value();
  f.batchSize = batchSize_->value();
  f.lr = lr_->text();
  f.maxSteps = maxSteps_->value();
  f.paddedLength = paddedLength_->value();
  f.otherKeys = otherKeys_->text();
  f.device = device_->currentData().toString();
  f.after = after_->currentData().toString();
  readSchedulerFields(f);
  return f;
}

void JobsPanel::setForm(const JobForm& f) {
  stage_->setCurrentIndex(std::max(0, stage_->findData(f.stage)));
  dataset_->setEditText(f.dataset);
  runDir_->setText(f.runDir);
  tokenizer_->setText(f.tokenizer);
  initModel_->setText(f.initModel);
  epochs_->setValue(f.epochs);
  batchSize_->setValue(f.batchSize);
  lr_->setText(f.lr);
  maxSteps_->setValue(f.maxSteps);
  paddedLength_->setValue(f.paddedLength);
  otherKeys_->setText(f.otherKeys);
  device_->setCurrentIndex(std::max(0, device_->findData(f.device)));
  after_->setCurrentIndex(std::max(0, after_->findData(f.after)));
  writeSchedulerFields(f);
  refreshPresetNote();
}

void JobsPanel::showFormErrors(const std::vector<JobFormError>& errors) {
  for (auto* label : std::as_const(fieldErrors_)) {
    label->clear();
    label->hide();
  }
  for (const auto& e : errors) {
    auto* label = fieldErrors_.value(e.field);
    if (!label) continue;
    label->setText(label->text().isEmpty() ? e.message : label->text() + QLatin1Char('\n') + e.message);
    label->show();
  }
}

bool JobsPanel::startFromForm() {
  const auto f = form();
  auto errors = JobForms::validate(f, devices_);
  if (!f.after.isEmpty() && !jobs_.contains(f.after))
    errors.push_back({QStringLiteral("after"), tr("%1 is not a job of this list.").arg(f.after)});
  showFormErrors(errors);
  if (!errors.empty()) {
    startMessage_->setText(tr("Fix the fields marked above."));
    return false;
  }
  const QString runDir = QDir::cleanPath(f.runDir);
  if (!QDir().mkpath(runDir)) {
    startMessage_->setText(tr("%1 cannot be created.").arg(runDir));
    return false;
  }
  const QString configPath = JobForms::configPath(runDir);
  QFile file(configPath);
  const QByteArray text = QByteArray::fromStdString(JobForms::toConfig(f).dump(2) + "\n");
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size()) {
    startMessage_->setText(tr("%1 cannot be written: %2").arg(configPath, file.errorString()));
    return false;
  }
  file.close();
  // A Slurm job's resources stay in its run folder, where the runner reads them (also for a resume).
  const QString slurmPath = JobForms::slurmPath(runDir);
  QFile::remove(slurmPath);
  if (f.scheduler == QLatin1String("slurm")) {
    QFile slurm(slurmPath);
    const QByteArray slurmText =
        QByteArray::fromStdString(JobForms::slurmJson(JobForms::slurmResources(f)).dump(2) + "\n");
    if (!slurm.open(QIODevice::WriteOnly) || slurm.write(slurmText) != slurmText.size()) {
      startMessage_->setText(tr("%1 cannot be written: %2").arg(slurmPath, slurm.errorString()));
      return false;
    }
  }
  addJob(runDir);
  auto& job = jobs_[runDir];
  job.plannedStage = f.stage;
  job.blockedReason.clear();
  job.after = f.after;
  if (f.after.isEmpty()) {
    startMessage_->setText(tr("Starting %1…").arg(runDir));
    launch(runDir, false);
  } else {
    startMessage_->setText(tr("%1 waits for %2.").arg(runDir, f.after));
    saveQueue();
    refreshListItem(runDir);
    advanceQueue();  // starts it at once when that one is already done
  }
  selectJob(runDir);
  tabs_->setCurrentIndex(0);
  return true;
}

void JobsPanel::launch(const QString& runDir, bool resume) {
  auto& job = jobs_[runDir];
  job.starting = true;
  job.startError.clear();
  job.stopRequested = false;
  QMetaObject::invokeMethod(
      watcher_,
      [w = watcher_, config = JobForms::configPath(runDir), runDir, resume]() {
        w->startJob(config, runDir, resume);
      },
      Qt::QueuedConnection);
  refreshListItem(runDir);
  refreshDetails();
}

void JobsPanel::jobStarted(const QString& runDir, const std::optional<QString>& error) {
  if (!jobs_.contains(runDir)) return;
  auto& job = jobs_[runDir];
  job.starting = false;
  job.startError = error.value_or(QString());
  if (error)
    startMessage_->setText(*error);
  else if (startMessage_->text().contains(runDir))
    startMessage_->setText(tr("Started %1.").arg(runDir));
  refreshListItem(runDir);
  refreshDetails();
}

void JobsPanel::addJob(const QString& runDir) {
  if (!jobs_.contains(runDir)) {
    order_ << runDir;
    Job job;
    // The stage the pane asked for, shown while the job has no log yet (queued).
    QFile config(JobForms::configPath(runDir));
    if (config.open(QIODevice::ReadOnly)) {
      const auto j = nlohmann::json::parse(config.readAll().toStdString(), nullptr, false);
      if (j.is_object() && j.contains("stage") && j["stage"].is_string())
        job.plannedStage = QString::fromStdString(j["stage"].get<std::string>());
    }
    jobs_.insert(runDir, job);
    list_->addItem(runDir);
    saveRunDirs();
  }
  QMetaObject::invokeMethod(
      watcher_, [w = watcher_, runDir]() { w->watch(runDir); }, Qt::QueuedConnection);
  refreshListItem(runDir);
  Q_EMIT jobsChanged();
}

void JobsPanel::saveRunDirs() const { QSettings().setValue(QLatin1String(kSettingsKey), order_); }

void JobsPanel::saveQueue() const {
  QVariantMap after, blocked;
  for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
    if (!it->after.isEmpty()) after.insert(it.key(), it->after);
    if (!it->blockedReason.isEmpty()) blocked.insert(it.key(), it->blockedReason);
  }
  QSettings settings;
  settings.setValue(QLatin1String(kAfterKey), after);
  settings.setValue(QLatin1String(kBlockedKey), blocked);
}

void JobsPanel::advanceQueue() {
  bool changed = false;
  for (const auto& runDir : std::as_const(order_)) {
    auto& job = jobs_[runDir];
    if (job.after.isEmpty()) continue;
    const QString name = QDir(job.after).dirName();
    if (!jobs_.contains(job.after)) {
      job.blockedReason = tr("%1 was removed from the list, so this job was not started.").arg(job.after);
    } else {
      const auto& before = jobs_[job.after];
      // Its state is known only after its first snapshot; a job it waits for may wait itself.
      if (!before.seen || before.starting || !before.after.isEmpty()) continue;
      // Ended for good: not the "failed" shown for a process that is just starting (it has no log and its
      // group is not yet set up), only a start error, an error event, or an end recorded by its shell or log.
      const auto status = shownStatus(job.after);
      const bool ended = !before.startError.isEmpty() || before.state.status == jobs::JobStatus::Failed ||
                         (!before.process.alive && (before.process.exitCode || before.state.runs > 0));
      if (status == jobs::JobStatus::Done) {
        job.after.clear();
        saveQueue();
        launch(runDir, false);
        changed = true;
        continue;
      }
      if (!before.blockedReason.isEmpty())
        job.blockedReason = tr("%1 is blocked, so this job was not started.").arg(name);
      else if (status == jobs::JobStatus::Failed && ended)
        job.blockedReason = tr("%1 failed, so this job was not started.").arg(name);
      else if (status == jobs::JobStatus::Stopped)
        job.blockedReason = tr("%1 was stopped, so this job was not started.").arg(name);
      else
        continue;
    }
    job.after.clear();
    changed = true;
    refreshListItem(runDir);
  }
  if (!changed) return;
  saveQueue();
  refreshDetails();
  Q_EMIT jobsChanged();
}

void JobsPanel::refreshAfterChoices() {
  QStringList shown;
  for (int i = 1; i < after_->count(); ++i) shown << after_->itemData(i).toString();
  if (shown == order_) return;  // a rebuild would close an open popup on every snapshot
  const QString current = after_->currentData().toString();
  const QSignalBlocker block(after_);
  while (after_->count() > 1) after_->removeItem(1);
  for (const auto& runDir : std::as_const(order_)) {
    const auto& job = jobs_[runDir];
    const QString stage =
        job.state.stage.empty() ? job.plannedStage : QString::fromStdString(job.state.stage);
    after_->addItem(tr("after %1 (%2)").arg(QDir(runDir).dirName(), stage), runDir);
    after_->setItemData(after_->count() - 1, runDir, Qt::ToolTipRole);
  }
  after_->setCurrentIndex(std::max(0, after_->findData(current)));
}

QString JobsPanel::waitingFor(const QString& runDir) const {
  return jobs_.contains(runDir) ? jobs_[runDir].after : QString();
}

QString JobsPanel::blockedReason(const QString& runDir) const {
  return jobs_.contains(runDir) ? jobs_[runDir].blockedReason : QString();
}

QString JobsPanel::selectedRunDir() const {
  const int row = list_->currentRow();
  return row >= 0 && row < order_.size() ? order_[row] : QString();
}

void JobsPanel::selectJob(const QString& runDir) {
  const auto row = order_.indexOf(runDir);
  if (row >= 0) list_->setCurrentRow(static_cast<int>(row));
}

jobs::JobState JobsPanel::state(const QString& runDir) const {
  return jobs_.contains(runDir) ? jobs_[runDir].state : jobs::JobState{};
}

jobs::JobStatus JobsPanel::shownStatus(const QString& runDir) const {
  if (!jobs_.contains(runDir)) return jobs::JobStatus::Failed;
  const auto& job = jobs_[runDir];
  if (!job.after.isEmpty()) return jobs::JobStatus::Preparing;
  if (!job.blockedReason.isEmpty()) return jobs::JobStatus::Failed;
  if (!job.startError.isEmpty()) return jobs::JobStatus::Failed;
  if (job.starting) return jobs::JobStatus::Preparing;
  // A batch job queued again after a stop (Slurm's requeue before its time limit) will run on.
  if (job.state.status == jobs::JobStatus::Stopped && job.process.alive && job.process.queued)
    return jobs::JobStatus::Preparing;
  if (jobs::isFinished(job.state.status)) return job.state.status;
  // Cancelled while it waited in the scheduler's queue: it never started, and Resume submits it again.
  if (!job.process.alive && job.state.runs == 0 &&
      job.process.schedulerState.startsWith(QLatin1String("CANCELLED")))
    return jobs::JobStatus::Stopped;
  if (!job.process.alive) return jobs::JobStatus::Failed;  // ended without its final event (killed, crashed)
  if (job.stopRequested) return jobs::JobStatus::Stopping;
  return job.state.status;
}

QString JobsPanel::statusText(const QString& runDir) const {
  if (!waitingFor(runDir).isEmpty()) return tr("waiting for %1").arg(QDir(waitingFor(runDir)).dirName());
  if (!blockedReason(runDir).isEmpty()) return tr("blocked");
  switch (shownStatus(runDir)) {
    case jobs::JobStatus::Preparing:
      return jobs_.constFind(runDir)->process.queued ? tr("queued") : tr("preparing");
    case jobs::JobStatus::Running:
      return tr("running");
    case jobs::JobStatus::Stopping:
      return tr("stopping");
    case jobs::JobStatus::Stopped:
      return tr("stopped");
    case jobs::JobStatus::Done:
      return tr("done");
    case jobs::JobStatus::Failed:
      return tr("failed");
  }
  return {};
}

void JobsPanel::applySnapshot(const JobSnapshot& s) {
  if (!jobs_.contains(s.runDir)) return;  // forgotten meanwhile
  auto& job = jobs_[s.runDir];
  const bool wasFinished = jobs::isFinished(job.state.status);
  job.state = s.state;
  job.process = s.process;
  job.readError = s.readError;
  job.seen = true;
  if (jobs::isFinished(job.state.status) || (!wasFinished && !job.process.alive)) {
    job.stopRequested = false;
    if (job.escalation) job.escalation->stop();
  }
  for (const auto& line : s.newLines) job.tail << describeLine(line);
  if (job.tail.size() > kTailLines) job.tail.erase(job.tail.begin(), job.tail.end() - kTailLines);
  refreshListItem(s.runDir);
  if (s.runDir == selectedRunDir()) {
    if (shownTailOf_ == s.runDir)
      for (const auto& line : s.newLines) logTail_->appendPlainText(describeLine(line));
    refreshDetails();
  }
  Q_EMIT jobsChanged();
  advanceQueue();
}

QString JobsPanel::describeLine(const QString& line) const {
  std::optional<jobs::JobEvent> e;
  try {
    e = jobs::parseJobEvent(line.toStdString());
  } catch (const std::invalid_argument&) {
    return line;
  }
  if (!e) return line;
  const QString at = clockOf(e->timeUtc);
  const QString text = std::visit(
      [this](const auto& ev) -> QString {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, jobs::PrepareEvent>)
          return tr("preparing data: %1 of %2 files").arg(ev.filesDone).arg(ev.filesTotal);
        else if constexpr (std::is_same_v<T, jobs::StartEvent>)
          return ev.resumedFrom ? tr("resumed %1 at step %2 of %3 on %4")
                                      .arg(QString::fromStdString(ev.stage))
                                      .arg(*ev.resumedFrom)
                                      .arg(ev.totalSteps)
                                      .arg(QString::fromStdString(ev.device))
                                : tr("started %1: %2 steps on %3")
                                      .arg(QString::fromStdString(ev.stage))
                                      .arg(ev.totalSteps)
                                      .arg(QString::fromStdString(ev.device));
        else if constexpr (std::is_same_v<T, jobs::ProgressEvent>)
          return tr("step %1/%2  loss %3  lr %4  %5 samples/s")
              .arg(ev.step)
              .arg(ev.totalSteps)
              .arg(ev.loss, 0, 'f', 4)
              .arg(ev.lr, 0, 'e', 2)
              .arg(ev.samplesPerSec, 0, 'f', 1);
        else if constexpr (std::is_same_v<T, jobs::MetricsEvent>) {
          QStringList values;
          for (const auto& [k, v] : ev.values)
            values << QStringLiteral("%1 %2").arg(QString::fromStdString(k)).arg(v, 0, 'g', 4);
          return tr("%1 metrics at step %2: %3")
              .arg(QString::fromStdString(ev.split))
              .arg(ev.step)
              .arg(values.join(QStringLiteral(", ")));
        } else if constexpr (std::is_same_v<T, jobs::CheckpointEvent>)
          return tr("checkpoint at step %1").arg(ev.step);
        else if constexpr (std::is_same_v<T, jobs::DoneEvent>)
          return tr("done at step %1: %2")
              .arg(ev.step)
              .arg(QString::fromStdString(ev.modelPath.empty() ? ev.metricsPath : ev.modelPath));
        else if constexpr (std::is_same_v<T, jobs::StoppedEvent>)
          return tr("stopped at step %1 (exit code %2)").arg(ev.step).arg(ev.exitCode);
        else
          return tr("error: %1").arg(QString::fromStdString(ev.message));
      },
      e->data);
  return at.isEmpty() ? text : at + QStringLiteral("  ") + text;
}

void JobsPanel::refreshListItem(const QString& runDir) {
  const auto row = order_.indexOf(runDir);
  if (row < 0) return;
  const auto& job = jobs_[runDir];
  const QString stage = !job.state.stage.empty()      ? QString::fromStdString(job.state.stage)
                        : !job.plannedStage.isEmpty() ? job.plannedStage
                                                      : QStringLiteral("?");
  list_->item(static_cast<int>(row))
      ->setText(tr("%1 · %2 · step %3/%4 · %5")
                    .arg(stage, statusText(runDir))
                    .arg(job.state.step)
                    .arg(job.state.totalSteps)
                    .arg(QDir(runDir).dirName()) +
                (job.process.schedulerJob.isEmpty() ? QString()
                                                    : QStringLiteral(" · ") + job.process.schedulerJob));
  list_->item(static_cast<int>(row))->setToolTip(runDir);
}

void JobsPanel::refreshDetails() {
  const QString runDir = selectedRunDir();
  const bool has = jobs_.contains(runDir);
  if (!has) {
    title_->setText(tr("No job selected. Start one in the \"New job\" tab."));
    status_->clear();
    progress_->setRange(0, 1);
    progress_->setValue(0);
    progress_->setFormat(QString());
    lossSeries_->clear();
    lrSeries_->clear();
    logTail_->clear();
    shownTailOf_.clear();
    for (auto* b : {stop_, resume_, openModel_, forget_}) b->setEnabled(false);
    return;
  }
  const auto& job = jobs_[runDir];
  const auto& s = job.state;
  const auto shown = shownStatus(runDir);
  title_->setText(QStringLiteral("<b>%1</b> — %2")
                      .arg(!s.stage.empty()              ? QString::fromStdString(s.stage)
                           : !job.plannedStage.isEmpty() ? job.plannedStage
                                                         : tr("job"),
                           runDir.toHtmlEscaped()));

  QString detail = statusText(runDir);
  if (shown == jobs::JobStatus::Failed) {
    QString why = !job.blockedReason.isEmpty() ? job.blockedReason
                  : job.startError.isEmpty()   ? QString::fromStdString(s.errorMessage)
                                               : job.startError;
    if (why.isEmpty() && !job.readError.isEmpty()) why = job.readError;
    if (why.isEmpty())
      why = job.process.exitCode
                ? tr("the process ended with exit code %1 without a final report").arg(*job.process.exitCode)
                : tr("the process ended without a final report");
    if (!job.process.outputTail.trimmed().isEmpty() && s.errorMessage.empty() && job.blockedReason.isEmpty())
      why += QStringLiteral("\n") + job.process.outputTail.trimmed().right(400);
    detail += QStringLiteral(": ") + why;
  }
  if (!job.process.schedulerJob.isEmpty())
    detail += tr(" · %1: %2").arg(job.process.schedulerJob, job.process.schedulerState);
  if (s.lastCheckpoint) detail += tr(" · last checkpoint: step %1").arg(s.lastCheckpoint->step);
  if (!s.device.empty()) detail += tr(" · %1").arg(QString::fromStdString(s.device));
  status_->setText(detail);

  if (!job.after.isEmpty() || !job.blockedReason.isEmpty() || (job.process.queued && s.totalSteps == 0)) {
    progress_->setRange(0, 1);
    progress_->setValue(0);
    progress_->setFormat(statusText(runDir));
  } else if (s.status == jobs::JobStatus::Preparing && s.filesTotal > 0 && s.totalSteps == 0) {
    progress_->setRange(0, static_cast<int>(s.filesTotal));
    progress_->setValue(static_cast<int>(s.filesDone));
    progress_->setFormat(tr("preparing data: %v of %m files"));
  } else {
    progress_->setRange(0, static_cast<int>(std::max<int64_t>(1, s.totalSteps)));
    progress_->setValue(static_cast<int>(std::min(s.step, std::max<int64_t>(1, s.totalSteps))));
    QString format = tr("step %1 of %2 (%p%)").arg(s.step).arg(s.totalSteps);
    if (s.etaSec && (shown == jobs::JobStatus::Running || shown == jobs::JobStatus::Stopping))
      format += tr(" · ETA %1").arg(etaText(*s.etaSec));
    if (s.lastLoss) format += tr(" · loss %1").arg(*s.lastLoss, 0, 'f', 4);
    progress_->setFormat(format);
  }

  QList<QPointF> loss, lr;
  double lossMin = 0, lossMax = 1, lrMax = 1e-4;
  for (const auto& p : s.lossHistory) loss << QPointF(static_cast<double>(p.step), p.value);
  for (const auto& p : s.lrHistory) lr << QPointF(static_cast<double>(p.step), p.value);
  if (!s.lossHistory.empty()) {
    const auto [lo, hi] = std::minmax_element(s.lossHistory.begin(), s.lossHistory.end(),
                                              [](const auto& a, const auto& b) { return a.value < b.value; });
    const double pad = std::max(1e-6, (hi->value - lo->value) * 0.1);
    lossMin = lo->value - pad;
    lossMax = hi->value + pad;
  }
  if (!s.lrHistory.empty()) {
    lrMax = 0;
    for (const auto& p : s.lrHistory) lrMax = std::max(lrMax, p.value * 1.1);
    lrMax = std::max(lrMax, 1e-12);
  }
  // Only what changed is touched: a new axis range lays the whole chart out again.
  if (loss != lossSeries_->points()) lossSeries_->replace(loss);
  if (lr != lrSeries_->points()) lrSeries_->replace(lr);
  const double steps = static_cast<double>(std::max<int64_t>(1, s.totalSteps));
  if (stepAxis_->max() != steps || stepAxis_->min() != 0) {
    stepAxis_->setRange(0, steps);
    // Whole steps at 1, 2 or 5 × 10^k apart, about five ticks over the run.
    const double raw = std::max(1.0, steps / 5);
    const double decade = std::pow(10.0, std::floor(std::log10(raw)));
    const double interval = raw / decade <= 1   ? decade
                            : raw / decade <= 2 ? 2 * decade
                            : raw / decade <= 5 ? 5 * decade
                                                : 10 * decade;
    stepAxis_->setTickType(QValueAxis::TicksDynamic);
    stepAxis_->setTickAnchor(0);
    stepAxis_->setTickInterval(interval);
  }
  // The loss axis grows to fit and shrinks only when the data use less than half of it.
  const bool lossFits = lossAxis_->min() <= lossMin && lossAxis_->max() >= lossMax &&
                        (lossMax - lossMin) * 2 >= lossAxis_->max() - lossAxis_->min();
  if (!lossFits) lossAxis_->setRange(lossMin, lossMax);
  if (lrAxis_->max() < lrMax || lrAxis_->max() > 2 * lrMax) lrAxis_->setRange(0, lrMax);

  if (shownTailOf_ != runDir) {
    shownTailOf_ = runDir;
    logTail_->setPlainText(job.tail.join(QLatin1Char('\n')));
  }

  const bool alive = job.process.alive && !jobs::isFinished(s.status);
  stop_->setEnabled(alive && !job.stopRequested && !job.starting);
  resume_->setEnabled(!job.process.alive && !job.starting && s.status != jobs::JobStatus::Done &&
                      job.after.isEmpty() && job.blockedReason.isEmpty() &&
                      QFileInfo::exists(JobForms::configPath(runDir)));
  openModel_->setEnabled(s.status == jobs::JobStatus::Done && !s.modelPath.empty());
  if (s.stage == "vq") {
    openModel_->setText(tr("Use as tokenizer"));
    openModel_->setToolTip(
        tr("A vq run trains the neural tokenizer, not a NeuroLM: its model gives the "
           "token lane's codes to the NeuroLM loaded now."));
  } else {
    openModel_->setText(tr("Open model"));
    openModel_->setToolTip(
        tr("Load this run's model into the chat, with the tokenizer it was trained with."));
  }
  forget_->setEnabled(true);
}

void JobsPanel::stopSelected() {
  const QString runDir = selectedRunDir();
  if (!jobs_.contains(runDir)) return;
  auto& job = jobs_[runDir];
  job.stopRequested = true;
  // Signalled from the worker: a Slurm job's stop runs squeue and scancel.
  const auto onWorker = [this](std::function<void()> f) {
    QMetaObject::invokeMethod(watcher_, std::move(f), Qt::QueuedConnection);
  };
  onWorker([r = runner_, runDir]() {
    if (!r->requestStop(runDir)) r->terminate(runDir);
  });
  // The trainer finishes its step first; if it has not ended after the grace period: SIGTERM, then SIGKILL.
  if (!job.escalation) {
    job.escalation = new QTimer(this);
    job.escalation->setSingleShot(true);
  }
  job.escalation->disconnect();
  auto terminated = std::make_shared<bool>(false);
  connect(job.escalation, &QTimer::timeout, this, [this, runDir, terminated, onWorker]() {
    if (!jobs_.contains(runDir) || !jobs_[runDir].stopRequested) return;
    if (!*terminated) {
      *terminated = true;
      onWorker([r = runner_, runDir]() { r->terminate(runDir); });
      jobs_[runDir].escalation->start(stopGraceMs_);
    } else {
      onWorker([r = runner_, runDir]() { r->kill(runDir); });
    }
  });
  job.escalation->start(stopGraceMs_);
  refreshListItem(runDir);
  refreshDetails();
}

bool JobsPanel::resumeSelected() {
  const QString runDir = selectedRunDir();
  if (!jobs_.contains(runDir) || !resume_->isEnabled()) return false;
  launch(runDir, true);  // the worker goes on following the log
  return true;
}

void JobsPanel::forgetSelected() {
  const QString runDir = selectedRunDir();
  const auto row = order_.indexOf(runDir);
  if (row < 0) return;
  if (auto* t = jobs_[runDir].escalation) t->deleteLater();
  jobs_.remove(runDir);
  order_.removeAt(row);
  delete list_->takeItem(static_cast<int>(row));
  QMetaObject::invokeMethod(
      watcher_, [w = watcher_, runDir]() { w->unwatch(runDir); }, Qt::QueuedConnection);
  saveRunDirs();
  saveQueue();
  refreshDetails();
  Q_EMIT jobsChanged();
  advanceQueue();  // the jobs that waited for it are blocked
}

}  // namespace neurolm::widgets
