// The token lane's hover spectrum on the sample recording, with a tokenizer written by `neurolm init` and the
// shipped one:
// RuntimeTokenBackend::patchSpectrum equals InferenceRuntime::patchSpectra of the window holding the second
// (row a·N + n), its code the lane's, one runtime request per window; resting the mouse on a cell shows the
// popup with exactly the backend's curves for that cell, a cell of another window updates them, leaving hides
// it; a backend without a spectrum decoder says so. NEUROLM_SCREENSHOT_DIR keeps the lane with the popup.
#include <gtest/gtest.h>

#include <QDir>
#include <QLineSeries>
#include <QPainter>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include "app/studio/RuntimeTokenBackend.h"
#include "common/QtApp.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "common/TokenizerRuntime.h"
#include "models/runtime/EegWindows.h"
#include "models/runtime/InferenceRuntime.h"
#include "widgets/tokens/PatchSpectrumPopup.h"
#include "widgets/tokens/SpectrumHover.h"
#include "widgets/tokens/TokenLane.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

fs::path sampleEdf() { return test::resourcesDir() / "sample" / "Subject00_2.edf"; }

fs::path writeTokenizer(const test::TempDir& tmp) {
  const fs::path vq = tmp / "vq.safetensors";
  QProcess p;
  p.start(QString::fromStdString((test::binDir() / "neurolm").string()),
          {"init", "--kind", "vq", "--size", "tiny", "--seed", "5", "--out",
           QString::fromStdString(vq.string())});
  EXPECT_TRUE(p.waitForFinished(120000));
  EXPECT_EQ(p.exitCode(), 0) << p.readAllStandardError().toStdString();
  return vq;
}


// The tokenizer's codes, with the spectrum left to the interface's default (no decoder).
class NoDecoderBackend : public widgets::TokenBackend {
 public:
  explicit NoDecoderBackend(std::shared_ptr<widgets::TokenBackend> inner) : inner_(std::move(inner)) {}
  widgets::TokenGrid tokenize(const fs::path& path, const std::function<bool(double)>& progress) override {
    return inner_->tokenize(path, progress);
  }
  std::string description() const override { return inner_->description(); }

 private:
  std::shared_ptr<widgets::TokenBackend> inner_;
};

std::vector<float> seriesY(const QLineSeries* s) {
  std::vector<float> y;
  for (const QPointF& p : s->points()) y.push_back(static_cast<float>(p.y()));
  return y;
}

std::vector<double> seriesX(const QLineSeries* s) {
  std::vector<double> x;
  for (const QPointF& p : s->points()) x.push_back(p.x());
  return x;
}

// The lane and its popup (a window of its own) in one picture, as on the screen.
void saveScreenshot(widgets::TokenLane& lane, const char* name) {
  const QByteArray dir = qgetenv("NEUROLM_SCREENSHOT_DIR");
  if (dir.isEmpty()) return;
  const QPixmap base = lane.grab();
  widgets::PatchSpectrumPopup* popup = lane.spectrumPopup();
  const QPoint at = popup->pos() - lane.mapToGlobal(QPoint(0, 0));
  const QRect all = QRect(QPoint(0, 0), base.size()).united(QRect(at, popup->size()));
  QImage image(all.size(), QImage::Format_RGB32);
  image.fill(QColor(200, 200, 205));
  QPainter p(&image);
  p.drawPixmap(-all.topLeft(), base);
  if (popup->isVisible()) p.drawPixmap(at - all.topLeft(), popup->grab());
  p.end();
  image.save(QDir(QString::fromLocal8Bit(dir)).filePath(QString::fromLatin1(name)));
}

}  // namespace

TEST(TokenSpectrum, TheBackendGivesTheRuntimesSpectraOfTheCellsWindowOneRequestPerWindow) {
  test::TempDir tmp("token-spectrum");
  const fs::path vq = writeTokenizer(tmp);
  auto rt = test::tokenizerRuntime(vq);
  app::RuntimeTokenBackend backend(rt, tmp / "cache");
  const auto grid = backend.tokenize(sampleEdf(), {});
  ASSERT_EQ(grid.channelCount(), 19u);
  ASSERT_EQ(grid.windowSec, 14u);

  // The runtime asked directly for the window 14–28 s; channel row 4 at second 17 is token (17 − 14)·19 + 4.
  const auto source = runtime::EegSource::openRecording(sampleEdf());
  const auto windows = app::RuntimeTokenBackend::windowsFor(source, 276);
  ASSERT_EQ(windows.size(), 5u);
  const auto direct = rt->patchSpectra(source.window(windows[1], 276)).get();
  ASSERT_EQ(direct.real.size(), 14u * 19u * 100u);
  const std::size_t row = (17 - 14) * 19 + 4;
  const auto s = backend.patchSpectrum(sampleEdf(), 4, 17);
  ASSERT_TRUE(s.available()) << s.unavailable;
  EXPECT_EQ(backend.spectrumRequests(), 1u);
  ASSERT_EQ(s.frequenciesHz.size(), 100u);
  EXPECT_EQ(s.frequenciesHz.front(), 0.0);
  EXPECT_EQ(s.frequenciesHz.back(), 99.0);
  EXPECT_EQ(s.real,
            std::vector<float>(direct.real.begin() + row * 100, direct.real.begin() + (row + 1) * 100));
  ASSERT_EQ(s.reconstructed.size(), 100u);
  for (std::size_t k = 0; k < 100; ++k)
    EXPECT_NEAR(s.reconstructed[k], direct.reconstructed[row * 100 + k], 1e-6) << "bin " << k;
  EXPECT_EQ(s.code, grid.code(4, 17));
  EXPECT_EQ(s.code, direct.codes[row]);
  EXPECT_EQ(s.windowStartSec, 14.0);
  EXPECT_EQ(s.windowEndSec, 28.0);
  EXPECT_DOUBLE_EQ(s.amplitudeMeanUv, direct.amplitudeMean * 100);
  EXPECT_DOUBLE_EQ(s.amplitudeStdUv, direct.amplitudeStd * 100);
  // The reconstruction is the decoder's, not a copy of the target.
  double differ = 0;
  for (std::size_t k = 0; k < 100; ++k)
    differ = std::max(differ, double(std::abs(s.real[k] - s.reconstructed[k])));
  EXPECT_GT(differ, 1e-3);

  // Another cell of the same window: no new request, its own row and code.
  const auto other = backend.patchSpectrum(sampleEdf(), 11, 27);
  EXPECT_EQ(backend.spectrumRequests(), 1u);
  const std::size_t otherRow = (27 - 14) * 19 + 11;
  EXPECT_EQ(other.real, std::vector<float>(direct.real.begin() + otherRow * 100,
                                           direct.real.begin() + (otherRow + 1) * 100));
  EXPECT_EQ(other.code, grid.code(11, 27));
  // Every cell's code equals the lane's grid, window by window (the last one 56–62 s, 6 s long).
  for (std::size_t second : {0u, 13u, 28u, 55u, 56u, 61u})
    for (std::size_t channel : {0u, 18u})
      EXPECT_EQ(backend.patchSpectrum(sampleEdf(), channel, second).code, grid.code(channel, second))
          << channel << " " << second;
  EXPECT_EQ(backend.spectrumRequests(), 1u + 4u);  // 0 (window 0), 28 (2), 55 (3), 56 (4); 13 / 61 cached
  // Outside the recording or the channels: an error naming the file.
  try {
    backend.patchSpectrum(sampleEdf(), 0, 62);
    ADD_FAILURE() << "no error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("Subject00_2.edf"), std::string::npos) << e.what();
  }
  EXPECT_THROW(backend.patchSpectrum(sampleEdf(), 19, 0), std::out_of_range);
}

TEST(TokenSpectrum, RestingOnACellShowsItsRealAndReconstructedSpectrum) {
  test::qtApp();
  test::TempDir tmp("token-spectrum-hover");
  // The shipped tokenizer (trained: its reconstructions follow the real spectra).
  auto backend = std::make_shared<app::RuntimeTokenBackend>(
      test::tokenizerRuntime(test::resourcesDir() / "model" / "tokenizer.safetensors"), tmp / "cache");
  widgets::TokenLane lane;
  lane.resize(1200, 26 + 19 * 10 + 2);
  lane.setLabelMargin(90);
  lane.setPage(0, 20);  // seconds 0–19: the windows 0–14 s and 14–28 s
  lane.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&lane));
  QSignalSpy ready(&lane, &widgets::TokenLane::tokensReady);
  lane.setBackend(backend);
  lane.setRecording(QString::fromStdString(sampleEdf().string()));
  ASSERT_TRUE(ready.wait(120000)) << lane.statusText().toStdString();
  const auto grid = lane.model()->grid();
  widgets::PatchSpectrumPopup* popup = lane.spectrumPopup();
  ASSERT_NE(popup, nullptr);
  EXPECT_FALSE(popup->isVisible());
  QSignalSpy shown(lane.spectrumHover(), &widgets::SpectrumHover::spectrumShown);

  const auto expectCell = [&](std::size_t channel, std::size_t second) {
    ASSERT_TRUE(popup->isVisible());
    EXPECT_EQ(popup->channel(), channel);
    EXPECT_EQ(popup->second(), second);
    ASSERT_TRUE(popup->hasCurves()) << popup->noteText().toStdString();
    const auto want = backend->patchSpectrum(sampleEdf(), channel, second);
    EXPECT_EQ(seriesY(popup->realSeries()), want.real);
    EXPECT_EQ(seriesY(popup->reconstructedSeries()), want.reconstructed);
    EXPECT_EQ(seriesX(popup->realSeries()), want.frequenciesHz);
    EXPECT_EQ(seriesX(popup->reconstructedSeries()), want.frequenciesHz);
    const QString header = popup->headerText();
    EXPECT_TRUE(header.contains(QStringLiteral("Code %1").arg(grid->code(channel, second))))
        << header.toStdString();
    EXPECT_TRUE(header.contains(QStringLiteral("Channel %1, second %2")
                                    .arg(QString::fromStdString(grid->channels[channel]))
                                    .arg(second)))
        << header.toStdString();
    EXPECT_TRUE(header.contains(QStringLiteral(" of 1178 tokens"))) << header.toStdString();
    EXPECT_EQ(header, lane.toolTipAt(lane.cellRect(channel, second).center()));
    EXPECT_TRUE(
        popup->noteText().contains(QStringLiteral("%1–%2 s").arg(want.windowStartSec).arg(want.windowEndSec)))
        << popup->noteText().toStdString();
  };

  QTest::mouseMove(&lane, lane.cellRect(4, 3).center());
  ASSERT_TRUE(shown.wait(60000));
  EXPECT_EQ(shown.last().at(0).toInt(), 4);
  EXPECT_EQ(shown.last().at(1).toInt(), 3);
  expectCell(4, 3);
  const auto firstCurve = seriesY(popup->realSeries());
  // The popup sits beside the cursor, not under it.
  const QPoint cursor = lane.mapToGlobal(lane.cellRect(4, 3).center());
  EXPECT_FALSE(popup->geometry().contains(cursor));

  // A cell of the next window: the curves follow.
  QTest::mouseMove(&lane, lane.cellRect(9, 17).center());
  ASSERT_TRUE(shown.wait(60000));
  EXPECT_EQ(shown.last().at(1).toInt(), 17);
  expectCell(9, 17);
  EXPECT_NE(seriesY(popup->realSeries()), firstCurve);
  saveScreenshot(lane, "token-lane-spectrum.png");

  // Off the cells (the header) hides it; so does leaving the lane.
  QTest::mouseMove(&lane, QPoint(lane.width() / 2, 8));
  EXPECT_FALSE(popup->isVisible());
  QTest::mouseMove(&lane, lane.cellRect(2, 5).center());
  ASSERT_TRUE(shown.wait(60000));
  expectCell(2, 5);
  QEvent leave(QEvent::Leave);
  QApplication::sendEvent(&lane, &leave);
  EXPECT_FALSE(popup->isVisible());
  // A new page under a resting mouse puts another cell there: hidden until the mouse moves again.
  QTest::mouseMove(&lane, lane.cellRect(6, 8).center());
  ASSERT_TRUE(shown.wait(60000));
  expectCell(6, 8);
  lane.setPage(0, 20);  // the same page: stays
  EXPECT_TRUE(popup->isVisible());
  lane.setPage(20, 20);
  EXPECT_FALSE(popup->isVisible());
}

TEST(TokenSpectrum, ABackendWithoutASpectrumDecoderSaysSoInThePopup) {
  test::qtApp();
  test::TempDir tmp("token-spectrum-none");
  auto inner = std::make_shared<app::RuntimeTokenBackend>(test::tokenizerRuntime(writeTokenizer(tmp)), tmp / "cache");
  widgets::TokenLane lane;
  lane.resize(1000, 26 + 19 * 10 + 2);
  lane.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&lane));
  QSignalSpy ready(&lane, &widgets::TokenLane::tokensReady);
  lane.setBackend(std::make_shared<NoDecoderBackend>(inner));
  lane.setRecording(QString::fromStdString(sampleEdf().string()));
  ASSERT_TRUE(ready.wait(120000)) << lane.statusText().toStdString();
  QSignalSpy shown(lane.spectrumHover(), &widgets::SpectrumHover::spectrumShown);
  QTest::mouseMove(&lane, lane.cellRect(0, 1).center());
  ASSERT_TRUE(shown.wait(30000));
  widgets::PatchSpectrumPopup* popup = lane.spectrumPopup();
  ASSERT_TRUE(popup->isVisible());
  EXPECT_FALSE(popup->hasCurves());
  EXPECT_EQ(popup->realSeries()->count(), 0);
  EXPECT_EQ(popup->noteText(), QStringLiteral("No spectrum: this tokenizer has no spectrum decoder"));
  EXPECT_EQ(inner->spectrumRequests(), 0u);
}
