#include <gtest/gtest.h>

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDockWidget>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTest>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/studio/MainWindow.h"
#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "common/QtApp.h"
#include "common/TestPaths.h"
#include "core/montage/Montage.h"
#include "widgets/spectrum/SpectrumView.h"
#include "widgets/traces/TraceView.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

using test::qtApp;

// Waits until the spectrum shows a valid result for a page starting at startSec.
bool waitForSpectrum(widgets::SpectrumView* view, double startSec) {
  for (int i = 0; i < 200; ++i) {
    const auto& r = view->model()->result();
    if (r.valid() && std::abs(r.startSec - startSec) < 1e-9) return true;
    QTest::qWait(25);
  }
  return false;
}

std::string runPython(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  char buf[65536];
  while (pipe && fgets(buf, sizeof buf, pipe.get())) out += buf;
  return out;
}

}  // namespace

TEST(SpectrumDock, PeakOfATenHertzSineIsTenHertzAndFollowsThePage) {
  qtApp();
  test::TempDir tmp("spectrum-dock");
  test::SyntheticSpec spec;  // 10 Hz sines at 256 Hz, 100 and 200 uV
  spec.channels = 2;
  spec.seconds = 40;
  spec.labels = {"EEG Fz", "EEG Cz"};
  test::writeSyntheticEdf(tmp / "sine10.edf", spec);

  app::MainWindow window;
  window.resize(1280, 800);
  window.show();
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  window.openFile(QString::fromStdString((tmp / "sine10.edf").string()));
  ASSERT_TRUE(opened.wait(10000)) << window.errorText().toStdString();
  auto* spectrum = window.spectrumView();
  ASSERT_TRUE(window.spectrumDock()->isVisible());
  ASSERT_TRUE(waitForSpectrum(spectrum, 0.0)) << spectrum->statusText().toStdString();
  const auto& r = spectrum->model()->result();
  EXPECT_EQ(r.channel, -1);
  EXPECT_EQ(r.averagedChannels, 2);
  EXPECT_DOUBLE_EQ(r.peakHz, 10.0);
  EXPECT_DOUBLE_EQ(r.resolutionHz, 0.5);  // 2 s segments
  // The plotted line peaks at 10 Hz too.
  const auto points = spectrum->psdSeries()->points();
  ASSERT_FALSE(points.isEmpty());
  QPointF top = points.front();
  for (const auto& p : points) top = p.y() > top.y() ? p : top;
  EXPECT_DOUBLE_EQ(top.x(), 10.0);
  EXPECT_NE(spectrum->statusText().indexOf(QStringLiteral("10.00 Hz")), -1)
      << spectrum->statusText().toStdString();
  // Mean power of sines of 100 and 200 uV: (100²/2 + 200²/2) / 2 = 12500 uV², all of it in alpha.
  ASSERT_EQ(r.bandPowers.size(), 5u);
  EXPECT_NEAR(r.bandPowers[2].power, 12500, 12500 * 1e-3);
  EXPECT_NEAR(r.bandPowers[2].relative, 1.0, 1e-6);
  // The table goes to the clipboard as tab-separated text.
  spectrum->copyTable();
  const QString copied = QGuiApplication::clipboard()->text();
  EXPECT_EQ(copied, spectrum->tableText());
  EXPECT_NE(copied.indexOf(QStringLiteral("alpha\t8–13\t")), -1) << copied.toStdString();

  // Scrolling the traces moves the spectrum's page.
  window.traceView()->setPageStart(20);
  ASSERT_TRUE(waitForSpectrum(spectrum, 20.0));
  EXPECT_DOUBLE_EQ(spectrum->model()->result().endSec, 30.0);
  EXPECT_DOUBLE_EQ(spectrum->model()->result().peakHz, 10.0);
  // One channel instead of the average.
  spectrum->model()->setChannel(1);
  for (int i = 0; i < 200 && spectrum->model()->result().channel != 1; ++i) QTest::qWait(25);
  EXPECT_EQ(spectrum->model()->result().channel, 1);
  EXPECT_NEAR(spectrum->model()->result().bandPowers[2].power, 20000, 20000 * 1e-3);  // 200²/2
}

TEST(SpectrumDock, AsDisplayedIsThePsdOfTheFilteredMontageDerivationAsScipyComputesIt) {
  qtApp();
  // Reference: MNE reads the sample recording (µV), Fp1 - F7, scipy sosfiltfilt of Butterworth order 3
  // high-pass 1 Hz + low-pass 30 Hz over the whole recording, then welch of samples [20 s, 30 s) with
  // nperseg 1000 (the dock's 2-s segments at 500 Hz), noverlap 500, Hann.
  const fs::path file = test::resourcesDir() / "sample" / "Subject00_2.edf";
  const auto ref = nlohmann::json::parse(runPython(
      std::string(test::python()) + " " + (test::testsDir() / "tools" / "montage_psd_reference.py").string() +
      " '" + file.string() + "' 'EEG Fp1' 'EEG F7' 1 30 3 20 30 1000"));
  const auto wantFreqs = ref["freqs"].get<std::vector<double>>();
  const auto want = ref["psd"].get<std::vector<double>>();

  app::MainWindow window;
  window.resize(1280, 800);
  window.show();
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  window.openFile(QString::fromStdString(file.string()));
  ASSERT_TRUE(opened.wait(10000)) << window.errorText().toStdString();
  auto* traces = window.traceView();
  auto* spectrum = window.spectrumView();
  traces->setMontage(std::make_shared<montage::Montage>(
      montage::buildMontage(montage::BuiltinMontage::LongitudinalBipolar, *window.recording())));
  montage::FilterSet filters;
  filters.all.highPassHz = 1;
  filters.all.lowPassHz = 30;
  filters.all.order = 3;
  traces->setFilters(filters);
  traces->setPageStart(20);
  // As recorded (the default): the recorded channels are listed.
  EXPECT_EQ(spectrum->sourceBox()->currentIndex(), 0);
  EXPECT_EQ(spectrum->channelBox()->itemText(1), QStringLiteral("EEG Fp1"));
  EXPECT_EQ(spectrum->channelBox()->count(), 22);  // average + 21 channels

  // As displayed: the trace view's lanes, Fp1-F7 first.
  spectrum->sourceBox()->setCurrentIndex(1);
  ASSERT_EQ(spectrum->channelBox()->count(), traces->laneCount() + 1);
  EXPECT_EQ(spectrum->channelBox()->itemText(1), QStringLiteral("Fp1-F7"));
  spectrum->channelBox()->setCurrentIndex(1);
  const auto waitFor = [&](int channel) {
    return QTest::qWaitFor(
        [&] {
          const auto& r = spectrum->model()->result();
          return r.valid() && r.channel == channel && std::abs(r.startSec - 20) < 1e-9 &&
                 spectrum->model()->displayed();
        },
        10000);
  };
  ASSERT_TRUE(waitFor(0)) << spectrum->statusText().toStdString();
  const auto& r = spectrum->model()->result();
  EXPECT_EQ(r.label, QStringLiteral("Fp1-F7"));
  EXPECT_EQ(r.densityUnit, QStringLiteral("µV²/Hz"));
  ASSERT_EQ(r.density.size(), want.size());
  double peak = 0, worst = 0;
  for (double v : want) peak = std::max(peak, v);
  for (std::size_t k = 0; k < want.size(); ++k) {
    EXPECT_DOUBLE_EQ(r.frequenciesHz[k], wantFreqs[k]);
    worst = std::max(worst, std::abs(r.density[k] - want[k]));
  }
  EXPECT_LT(worst / peak, 1e-5) << "max |diff| " << worst << " of peak " << peak;
  std::printf("  as displayed Fp1-F7 vs scipy: max |diff| %.3g of peak %.4g µV²/Hz (%.2g relative)\n", worst,
              peak, worst / peak);
  EXPECT_NE(spectrum->statusText().indexOf(QStringLiteral("Fp1-F7, 20.0–30.0 s")), -1)
      << spectrum->statusText().toStdString();

  // The average is over the EEG derivations shown (all 18 lanes of the double banana).
  spectrum->channelBox()->setCurrentIndex(0);
  ASSERT_TRUE(waitFor(-1));
  EXPECT_EQ(spectrum->model()->result().averagedChannels, traces->laneCount());
  EXPECT_EQ(traces->laneCount(), 18);

  // Another montage on the traces: the list follows, the chosen lane kept by its label where it exists.
  spectrum->channelBox()->setCurrentIndex(spectrum->channelBox()->findText(QStringLiteral("Fz-Cz")));
  ASSERT_TRUE(waitFor(16));
  traces->setMontage(std::make_shared<montage::Montage>(
      montage::buildMontage(montage::BuiltinMontage::TransverseBipolar, *window.recording())));
  EXPECT_EQ(spectrum->channelBox()->count(), traces->laneCount() + 1);
  EXPECT_EQ(spectrum->channelBox()->itemText(1), traces->laneLabel(0));
  EXPECT_EQ(spectrum->channelBox()->currentIndex(), 0);  // no Fz-Cz in the transverse montage: the average

  // Back to as recorded: recorded labels, unfiltered channel PSDs.
  spectrum->setDisplayed(false);
  EXPECT_EQ(spectrum->channelBox()->itemText(1), QStringLiteral("EEG Fp1"));
  EXPECT_FALSE(spectrum->model()->displayed());
}
