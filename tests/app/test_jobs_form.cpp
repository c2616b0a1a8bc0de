// The jobs form's presets and device choice: each preset fills the fields with the values of the embedded
// recipe's files (read here from models/recipes/embedded) or the trainer's official defaults (read through
// train::readTrainConfig); an edited field marks the preset modified; the device list's CPU free memory is
// /proc/meminfo's MemAvailable; a CPU job's config has "device": "cpu" and the trainer reads it; a CUDA
// choice on a computer without CUDA is refused with a message under the field.
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTest>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/studio/ComputeDevices.h"
#include "app/studio/LocalJobRunner.h"
#include "common/QtApp.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/system/HostMemory.h"
#include "models/train/Trainer.h"
#include "widgets/jobs/JobForm.h"
#include "widgets/jobs/JobPresets.h"
#include "widgets/jobs/JobsPanel.h"

using namespace neurolm;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

fs::path recipeDir() { return test::testsDir() / ".." / "models" / "recipes" / "embedded"; }

json readJson(const fs::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return json::parse(in);
}

// The stage's embedded recipe file.
fs::path recipeOf(const QString& stage) {
  if (stage == "vq") return recipeDir() / "1-tokenizer.json";
  if (stage == "pretrain") return recipeDir() / "2-pretrain.json";
  if (stage == "instruct") return recipeDir() / "3-instruct.json";
  return recipeDir() / "5-eval.json";
}

// A dataset definition and a model file: the config reader checks only that they exist.
struct Inputs {
  test::TempDir tmp{"jobs-form"};
  fs::path definition = tmp / "mini.json";
  fs::path model = tmp / "model.safetensors";
  Inputs() {
    std::ofstream(definition) << R"({"name": "mini"})";
    std::ofstream(model) << "x";
  }
  // The trainer's reading of a config of `stage` with these keys over its defaults.
  train::TrainConfig trainerReads(const QString& stage, json keys) const {
    keys["stage"] = stage.toStdString();
    keys["run_dir"] = (tmp / "run").string();
    keys["dataset"] = definition.string();
    if (stage == "pretrain") keys["tokenizer"] = model.string();
    if (stage == "instruct" || stage == "eval") keys["init_model"] = model.string();
    std::ofstream(tmp / "c.json") << keys.dump();
    return train::readTrainConfig(tmp / "c.json");
  }
};

std::unique_ptr<widgets::JobsPanel> makePanel() {
  return std::make_unique<widgets::JobsPanel>(std::make_shared<app::LocalJobRunner>(), QString(), nullptr,
                                              50);
}

void chooseStage(widgets::JobsPanel& panel, const QString& stage) {
  auto f = panel.form();
  f.stage = stage;
  panel.setForm(f);
}

// MemAvailable in bytes, read here as `free` reads it.
int64_t memAvailableFromProc() {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  int64_t kib = 0;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return -1;
}

void isolateSettings(const test::TempDir& tmp) {
  QCoreApplication::setOrganizationName(QStringLiteral("neurolm-tests"));
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                     QString::fromStdString((tmp / "settings").string()));
  QSettings().remove(QStringLiteral("jobs/runDirs"));
}

}  // namespace

TEST(JobsForm, EmbeddedPresetIsTheRecipeFileOfEachStage) {
  test::qtApp();
  Inputs in;
  isolateSettings(in.tmp);
  auto panel = makePanel();
  for (const auto& stage : widgets::JobForms::stages()) {
    chooseStage(*panel, stage);
    panel->choosePreset(QStringLiteral("embedded"));
    const auto f = panel->form();
    auto recipe = readJson(recipeOf(stage));
    // What the recipe leaves out is the trainer's default, as when the recipe runs.
    const auto defaults = in.trainerReads(stage, json::object());
    const auto d = widgets::JobForms::defaults(stage);
    if (d.trains) {
      EXPECT_EQ(f.epochs, recipe.value("epochs", defaults.epochs)) << stage.toStdString();
      EXPECT_DOUBLE_EQ(f.lr.toDouble(), recipe.value("lr", defaults.lr)) << stage.toStdString();
      EXPECT_EQ(f.maxSteps, recipe.value("max_steps", defaults.maxSteps)) << stage.toStdString();
    }
    EXPECT_EQ(f.batchSize, recipe.value("batch_size", defaults.batchSize)) << stage.toStdString();
    EXPECT_EQ(f.paddedLength, recipe.value("padded_length", defaults.paddedLength)) << stage.toStdString();
    // Every other key of the recipe but its paths and comment goes to "Other keys".
    for (const char* k : {"comment", "stage", "run_dir", "dataset", "tokenizer", "init_model", "epochs", "lr",
                          "max_steps", "batch_size", "padded_length"})
      recipe.erase(k);
    EXPECT_EQ(json::parse(f.otherKeys.toStdString()), recipe) << stage.toStdString();
    EXPECT_FALSE(panel->presetBox()->currentText().contains(QStringLiteral("modified")));
    EXPECT_TRUE(
        panel->presetNote()->text().contains(QString::fromStdString(recipeOf(stage).filename().string())))
        << panel->presetNote()->text().toStdString();
  }
  // Spot values of 1-tokenizer.json as written there, in case both readings were wrong the same way.
  chooseStage(*panel, QStringLiteral("vq"));
  panel->choosePreset(QStringLiteral("embedded"));
  EXPECT_EQ(panel->form().maxSteps, 300);
  EXPECT_EQ(panel->form().batchSize, 8);
  EXPECT_EQ(panel->form().paddedLength, 160);
  EXPECT_EQ(json::parse(panel->form().otherKeys.toStdString())["model"]["codebook_size"], 512);
}

TEST(JobsForm, OfficialPresetIsTheTrainersDefaultsAndSmokeTestIsSmallAndAccepted) {
  test::qtApp();
  Inputs in;
  isolateSettings(in.tmp);
  auto panel = makePanel();
  for (const auto& stage : widgets::JobForms::stages()) {
    chooseStage(*panel, stage);
    panel->choosePreset(QStringLiteral("smoke"));
    panel->choosePreset(QStringLiteral("official"));
    auto f = panel->form();
    const auto official = in.trainerReads(stage, json::object());
    EXPECT_EQ(f.epochs, official.epochs) << stage.toStdString();
    EXPECT_EQ(f.batchSize, official.batchSize) << stage.toStdString();
    EXPECT_DOUBLE_EQ(f.lr.toDouble(), official.lr) << stage.toStdString();
    EXPECT_EQ(f.maxSteps, 0) << stage.toStdString();  // all steps of the epochs
    EXPECT_EQ(f.paddedLength, official.paddedLength) << stage.toStdString();
    EXPECT_TRUE(f.otherKeys.isEmpty()) << f.otherKeys.toStdString();

    panel->choosePreset(QStringLiteral("smoke"));
    f = panel->form();
    f.dataset = QString::fromStdString(in.definition.string());
    f.runDir = QString::fromStdString((in.tmp / "run").string());
    f.tokenizer = f.initModel = QString::fromStdString(in.model.string());
    // The trainer accepts the form's config, and it trains at most a few small steps.
    std::ofstream(in.tmp / "smoke.json") << widgets::JobForms::toConfig(f).dump();
    const auto c = train::readTrainConfig(in.tmp / "smoke.json");
    EXPECT_LE(c.batchSize, 4) << stage.toStdString();
    EXPECT_LE(c.logEverySteps, 1) << stage.toStdString();
    if (stage != "eval") {
      EXPECT_GT(c.maxSteps, 0) << stage.toStdString();
      EXPECT_LE(c.maxSteps, 10) << stage.toStdString();
      EXPECT_LE(c.checkpointEverySteps, c.maxSteps) << stage.toStdString();
    }
    if (stage == "vq") {
      EXPECT_LE(c.modelShape.at("codebook_size"), 128);
    }
    if (stage == "pretrain") {
      EXPECT_LE(c.modelShape.at("gpt_width"), 128);
    }
  }
}

TEST(JobsForm, EditingAFieldMarksThePresetModified) {
  test::qtApp();
  Inputs in;
  isolateSettings(in.tmp);
  auto panel = makePanel();
  chooseStage(*panel, QStringLiteral("pretrain"));
  panel->choosePreset(QStringLiteral("embedded"));
  auto f = panel->form();
  f.epochs += 3;
  panel->setForm(f);
  EXPECT_EQ(panel->presetBox()->currentText(),
            widgets::JobPresets::label(QStringLiteral("embedded")) + QStringLiteral(" (modified)"));
  EXPECT_TRUE(panel->presetNote()->text().contains(QStringLiteral("Epochs")))
      << panel->presetNote()->text().toStdString();
  EXPECT_FALSE(panel->presetNote()->text().contains(QStringLiteral("Batch size")));
  // Other keys compare as JSON: the same object written differently is not a change.
  f.epochs -= 3;
  f.otherKeys = QString::fromStdString(json::parse(f.otherKeys.toStdString()).dump(4));
  panel->setForm(f);
  EXPECT_EQ(panel->presetBox()->currentText(), widgets::JobPresets::label(QStringLiteral("embedded")));
  // Choosing the preset again restores its values.
  f.lr = QStringLiteral("0.5");
  panel->setForm(f);
  EXPECT_TRUE(panel->presetBox()->currentText().endsWith(QStringLiteral("(modified)")));
  panel->choosePreset(QStringLiteral("embedded"));
  EXPECT_DOUBLE_EQ(panel->form().lr.toDouble(),
                   readJson(recipeOf(QStringLiteral("pretrain")))["lr"].get<double>());
  EXPECT_FALSE(panel->presetBox()->currentText().endsWith(QStringLiteral("(modified)")));
}

TEST(JobsForm, DeviceListShowsTheCpuWithMemAvailableAndWhyThereIsNoCuda) {
  test::qtApp();
  Inputs in;
  isolateSettings(in.tmp);
  auto panel = makePanel();
  QSignalSpy refreshed(panel.get(), &widgets::JobsPanel::devicesRefreshed);
  panel->setDeviceProbe(&app::probeComputeDevices);
  ASSERT_TRUE(refreshed.wait(10000));
  const auto expected = memAvailableFromProc();
  ASSERT_GT(expected, 0);
  const auto& devices = panel->devices();
  ASSERT_FALSE(devices.devices.empty());
  const auto& cpu = devices.devices.front();
  EXPECT_FALSE(cpu.cuda);
  EXPECT_GE(cpu.cpuCores, 1);
  EXPECT_NEAR(static_cast<double>(cpu.freeBytes), static_cast<double>(expected), 0.1 * expected);
  // The entry shows it in GiB, to one decimal.
  const QString gib = QString::number(static_cast<double>(cpu.freeBytes) / (1024.0 * 1024 * 1024), 'f', 1);
  EXPECT_EQ(panel->deviceBox()->itemText(0),
            QStringLiteral("CPU — %1 cores, %2 GiB free memory").arg(cpu.cpuCores).arg(gib));
  EXPECT_EQ(panel->deviceBox()->itemData(0).toString(), QStringLiteral("cpu"));
  if (!torch::cuda::is_available()) {
    // Debian's LibTorch is built without CUDA: one disabled entry says so.
    EXPECT_EQ(devices.noCuda, widgets::NoCudaReason::NotBuilt);
    ASSERT_EQ(panel->deviceBox()->count(), 2);
    EXPECT_EQ(panel->deviceBox()->itemText(1),
              QStringLiteral("no CUDA device: this LibTorch build has no CUDA"));
    auto* model = qobject_cast<QStandardItemModel*>(panel->deviceBox()->model());
    EXPECT_FALSE(model->item(1)->isEnabled());
  }
  // Showing the form reads the free memory again.
  panel->tabs()->setCurrentIndex(0);
  panel->tabs()->setCurrentIndex(1);
  EXPECT_TRUE(refreshed.wait(10000));
  EXPECT_EQ(refreshed.count(), 2);

  // A picture of the form: the embedded recipe's vq values with one field edited, and the device list.
  auto f = panel->form();
  f.stage = QStringLiteral("vq");
  panel->setForm(f);
  panel->choosePreset(QStringLiteral("embedded"));
  f = panel->form();
  f.epochs = 3;
  panel->setForm(f);
  panel->resize(620, 980);
  panel->show();
  EXPECT_TRUE(refreshed.wait(10000));  // shown: read again
  const auto shot = fs::temp_directory_path() / "neurolm-jobs-form-presets.png";
  ASSERT_TRUE(panel->grab().save(QString::fromStdString(shot.string())));
  std::cout << "jobs form with presets and devices: " << shot << "\n";
}

TEST(JobsForm, CpuConfigIsReadByTheTrainerAndCudaIsRefusedWithoutIt) {
  test::qtApp();
  Inputs in;
  isolateSettings(in.tmp);
  auto panel = makePanel();
  QSignalSpy refreshed(panel.get(), &widgets::JobsPanel::devicesRefreshed);
  panel->setDeviceProbe(&app::probeComputeDevices);
  ASSERT_TRUE(refreshed.wait(10000));

  auto f = widgets::JobForms::defaultForm(QStringLiteral("vq"));
  f.dataset = QString::fromStdString(in.definition.string());
  f.runDir = QString::fromStdString((in.tmp / "runs" / "vq").string());
  panel->setForm(f);
  panel->choosePreset(QStringLiteral("smoke"));
  f = panel->form();
  EXPECT_EQ(f.device, QStringLiteral("cpu"));
  EXPECT_TRUE(widgets::JobForms::validate(f, panel->devices()).empty());
  const auto config = widgets::JobForms::toConfig(f);
  EXPECT_EQ(config.at("device"), "cpu");
  std::ofstream(in.tmp / "cpu.json") << config.dump(2);
  EXPECT_EQ(train::readTrainConfig(in.tmp / "cpu.json").device, "cpu");

  if (torch::cuda::is_available()) GTEST_SKIP() << "this computer has CUDA: nothing to refuse";
  f.device = QStringLiteral("cuda");
  panel->setForm(f);
  EXPECT_EQ(panel->form().device, QStringLiteral("cuda"));  // the disabled "no CUDA device" entry
  EXPECT_FALSE(panel->startFromForm());
  auto* message = panel->formMessage(QStringLiteral("device"));
  ASSERT_NE(message, nullptr);
  EXPECT_FALSE(message->isHidden());
  EXPECT_EQ(
      message->text(),
      QStringLiteral("This computer cannot train on CUDA (no CUDA device: this LibTorch build has no CUDA): "
                     "choose the CPU, or run on Slurm with GPUs."));
  EXPECT_FALSE(fs::exists(in.tmp / "runs" / "vq"));  // nothing was written
  panel->tabs()->setCurrentIndex(1);
  panel->resize(620, 900);
  panel->show();
  QTest::qWait(50);
  const auto refusedShot = fs::temp_directory_path() / "neurolm-jobs-form-cuda-refused.png";
  ASSERT_TRUE(panel->grab().save(QString::fromStdString(refusedShot.string())));
  EXPECT_TRUE(panel->runDirs().isEmpty());
  // "device" among the other keys would bypass the choice: refused too.
  f.device = QStringLiteral("cpu");
  f.otherKeys = QStringLiteral(R"({"device": "cuda"})");
  EXPECT_FALSE(widgets::JobForms::validate(f, panel->devices()).empty());

  // Under Slurm this computer's list does not apply: the node's GPUs field decides.
  f.otherKeys.clear();
  f.device = QStringLiteral("cuda");
  f.scheduler = QStringLiteral("slurm");
  f.gpus = 2;
  panel->setForm(f);
  EXPECT_TRUE(panel->deviceBox()->isHidden());
  EXPECT_TRUE(panel->findChild<QLabel*>(QStringLiteral("deviceNote"))
                  ->text()
                  .contains(QStringLiteral("node's GPUs")));
  EXPECT_TRUE(widgets::JobForms::validate(panel->form(), panel->devices()).empty());
  EXPECT_EQ(widgets::JobForms::toConfig(panel->form()).at("device"), "auto");
  std::ofstream(in.tmp / "slurm.json") << widgets::JobForms::toConfig(panel->form()).dump(2);
  EXPECT_EQ(train::readTrainConfig(in.tmp / "slurm.json").device, "auto");
  QTest::qWait(50);
  const auto slurmShot = fs::temp_directory_path() / "neurolm-jobs-form-slurm-device.png";
  ASSERT_TRUE(panel->grab().save(QString::fromStdString(slurmShot.string())));
  f.gpus = 0;
  panel->setForm(f);
  EXPECT_EQ(widgets::JobForms::toConfig(panel->form()).at("device"), "cpu");
}

TEST(JobsForm, MemInfoAndNvidiaSmiAreParsed) {
  // Hand-written lines in the formats of /proc/meminfo and nvidia-smi's csv.
  EXPECT_EQ(
      parseMemAvailableBytes("MemTotal:       16316412 kB\nMemFree:  1 kB\nMemAvailable:    8000 kB\n", "m"),
      8000 * 1024);
  try {
    parseMemAvailableBytes("MemTotal: 5 kB\n", "/proc/meminfo");
    FAIL() << "no MemAvailable line was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/meminfo: no MemAvailable"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parseMemAvailableBytes("MemAvailable: lots\n", "m"), std::invalid_argument);
  EXPECT_THROW(readMemAvailableBytes("/nonexistent/meminfo"), std::runtime_error);

  const auto gpus = app::parseNvidiaSmiGpus(
      QStringLiteral("0, NVIDIA H200, 140000, 143771\n1, NVIDIA A100-SXM4-40GB, 512, 40960\nbroken line\n"));
  ASSERT_EQ(gpus.size(), 2u);
  EXPECT_TRUE(gpus[0].cuda);
  EXPECT_EQ(gpus[0].name, QStringLiteral("NVIDIA H200"));
  EXPECT_EQ(gpus[0].freeBytes, 140000LL * 1024 * 1024);
  EXPECT_EQ(gpus[1].index, 1);
  EXPECT_EQ(gpus[1].totalBytes, 40960LL * 1024 * 1024);
  EXPECT_EQ(widgets::ComputeDeviceText::label(gpus[1]),
            QStringLiteral("NVIDIA A100-SXM4-40GB (cuda:1) — 0.5 of 40.0 GiB free"));
}
