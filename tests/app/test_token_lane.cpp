// The neural-token lane with a real tokenizer written by `neurolm init` and the sample recording: its codes
// equal what the `neurolm` CLI binary prints for the same windows (a separate process, parsed from --json),
// its cells are painted in each code's colour, a clicked code is highlighted exactly where it occurs (lane,
// traces, overview), next/previous move the page, Cancel leaves no cache file, and a second open reads the
// cache without asking the runtime. Set NEUROLM_SCREENSHOT_DIR to keep the window with the lane as a PNG.
#include <gtest/gtest.h>

#include <QApplication>
#include <QBarSet>
#include <QChartView>
#include <QDir>
#include <QDockWidget>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "app/studio/MainWindow.h"
#include "app/studio/ModelHost.h"
#include "app/studio/RuntimeTokenBackend.h"
#include "common/CliProcess.h"
#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "common/QtApp.h"
#include "common/TestPaths.h"
#include "common/TokenizerRuntime.h"
#include "models/runtime/InferenceRuntime.h"
#include "widgets/overview/OverviewView.h"
#include "widgets/tokens/CodeUsageView.h"
#include "widgets/tokens/TokenLane.h"
#include "widgets/traces/TraceView.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

using test::qtApp;

fs::path sampleEdf() { return test::resourcesDir() / "sample" / "Subject00_2.edf"; }

using test::runNeurolm;

fs::path writeTokenizer(const test::TempDir& tmp) {
  const fs::path vq = tmp / "vq.safetensors";
  runNeurolm({"init", "--kind", "vq", "--size", "tiny", "--seed", "3", "--out", QString::fromStdString(vq.string())});
  return vq;
}


// The CLI's codes of the whole sample, by (channel, second): one `neurolm tokenize --json` per window list.
struct CliCodes {
  std::vector<std::string> channels;
  std::map<std::pair<std::size_t, std::size_t>, std::int64_t> code;  // (channel, second) -> code
  std::vector<std::pair<double, double>> windows;
};

void addCliWindows(CliCodes& into, const fs::path& vq, const QStringList& windowArgs) {
  QStringList args = {"tokenize", QString::fromStdString(sampleEdf().string()), "--vq",
                      QString::fromStdString(vq.string()), "--json", "--device", "cpu"};
  args += windowArgs;
  std::istringstream lines(runNeurolm(args));
  for (std::string line; std::getline(lines, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j.at("type") != "tokens") continue;
    into.channels = j.at("channels").get<std::vector<std::string>>();
    const double start = j.at("window")[0].get<double>();
    into.windows.emplace_back(start, j.at("window")[1].get<double>());
    const auto codes = j.at("codes").get<std::vector<std::vector<std::int64_t>>>();
    for (std::size_t c = 0; c < codes.size(); ++c)
      for (std::size_t s = 0; s < codes[c].size(); ++s)
        into.code[{c, static_cast<std::size_t>(start) + s}] = codes[c][s];
  }
}

void saveScreenshot(QWidget& w, const char* name) {
  const QByteArray dir = qgetenv("NEUROLM_SCREENSHOT_DIR");
  if (dir.isEmpty()) return;
  w.grab().save(QDir(QString::fromLocal8Bit(dir)).filePath(QString::fromLatin1(name)));
}

}  // namespace

TEST(TokenLane, CodesEqualTheCliAndClickedCodeIsHighlightedWhereItOccurs) {
  qtApp();
  test::TempDir tmp("token-lane");
  const fs::path vq = writeTokenizer(tmp);
  auto backend = std::make_shared<app::RuntimeTokenBackend>(test::tokenizerRuntime(vq), tmp / "cache");

  app::MainWindow window;
  window.resize(1500, 950);
  window.show();
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  window.openFile(QString::fromStdString(sampleEdf().string()));
  ASSERT_TRUE(opened.wait(20000)) << window.errorText().toStdString();
  widgets::TokenLane* lane = window.tokenLane();
  ASSERT_EQ(lane, window.findChild<widgets::TokenLane*>());
  EXPECT_EQ(static_cast<int>(lane->state()), static_cast<int>(widgets::TokenLane::State::NoBackend));
  QSignalSpy ready(lane, &widgets::TokenLane::tokensReady);
  lane->setBackend(backend);
  ASSERT_TRUE(ready.wait(120000)) << lane->statusText().toStdString();
  const auto grid = lane->model()->grid();
  ASSERT_TRUE(grid);
  for (int i = 0; i < 100 && lane->height() != lane->sizeHint().height(); ++i) QTest::qWait(20);  // relayout
  EXPECT_EQ(lane->cellsRect().height(), 19 * 10);

  // The sample: 62 s, 19 of its 21 channels in the vocabulary; 276 / 19 -> 14-s windows, the last one 6 s.
  EXPECT_EQ(grid->seconds, 62u);
  ASSERT_EQ(grid->channelCount(), 19u);
  EXPECT_EQ(grid->windowSec, 14u);
  EXPECT_EQ(grid->codebookSize, 8192);
  EXPECT_EQ(backend->runtimeRequests(), 5u);  // 0:14 14:28 28:42 42:56 56:62

  // The CLI in its own process: its default window (the first: 0:14), the following 14-s windows, the tail.
  CliCodes cli;
  addCliWindows(cli, vq, {});
  ASSERT_EQ(cli.windows.size(), 1u);
  EXPECT_EQ(cli.windows[0], std::make_pair(0.0, 14.0));
  addCliWindows(cli, vq, {"--windows", "14:14", "--range", "14:56"});
  addCliWindows(cli, vq, {"--window", "56:62"});
  ASSERT_EQ(cli.windows.size(), 5u);
  EXPECT_EQ(cli.channels, grid->channels);
  ASSERT_EQ(cli.code.size(), grid->codes.size());
  std::size_t mismatches = 0;
  for (const auto& [key, code] : cli.code)
    if (grid->code(key.first, key.second) != code) ++mismatches;
  EXPECT_EQ(mismatches, 0u);

  // Same time axis as the traces: page and label margin.
  widgets::TraceView* traces = window.traceView();
  EXPECT_EQ(lane->pageStartSec(), traces->pageStartSec());
  EXPECT_EQ(lane->pageDurationSec(), traces->pageDurationSec());
  EXPECT_EQ(lane->labelMargin(), traces->geometry().plotLeft());
  EXPECT_EQ(lane->width(), traces->width());

  // Every cell of the page in its code's colour (sampled left of the centred code text).
  {
    const QImage image = lane->grab().toImage();
    std::size_t wrong = 0, checked = 0;
    for (std::size_t s = 0; s < 10; ++s) {
      for (std::size_t c = 0; c < grid->channelCount(); ++c) {
        const QRect cell = lane->cellRect(c, s);
        ASSERT_GT(cell.width(), 20) << "lane " << lane->width() << "x" << lane->height() << " cells "
                                    << lane->cellsRect().width() << "x" << lane->cellsRect().height() << " c" << c
                                    << " s" << s << " page " << lane->pageStartSec() << "+" << lane->pageDurationSec();
        const QColor seen = image.pixelColor(cell.left() + 3, cell.center().y());
        ++checked;
        if (seen.rgb() != widgets::codeColour(grid->code(c, s)).rgb()) ++wrong;
      }
    }
    EXPECT_EQ(checked, 190u);
    EXPECT_EQ(wrong, 0u);
  }
  // The tooltip names code, channel, second and the code's share of the recording.
  {
    const QRect cell = lane->cellRect(4, 3);
    const std::int32_t code = grid->code(4, 3);
    std::size_t count = 0;
    for (const auto& [key, c] : cli.code) count += c == code;
    const QString tip = lane->toolTipAt(cell.center());
    EXPECT_TRUE(tip.contains(QStringLiteral("Code %1").arg(code))) << tip.toStdString();
    EXPECT_TRUE(tip.contains(QStringLiteral("Channel F7, second 3"))) << tip.toStdString();
    EXPECT_TRUE(tip.contains(QStringLiteral("%1 of 1178 tokens").arg(count))) << tip.toStdString();
  }

  // The histogram: the most frequent code first, counts as counted from the CLI's codes.
  widgets::CodeUsageView* usage = window.codeUsageView();
  window.codeUsageDock()->show();
  window.codeUsageDock()->raise();
  QTest::qWait(50);
  std::map<std::int64_t, std::size_t> cliCounts;
  for (const auto& [key, code] : cli.code) ++cliCounts[code];
  ASSERT_FALSE(usage->bars().empty());
  std::size_t maxCount = 0;
  for (const auto& [code, n] : cliCounts) maxCount = std::max(maxCount, n);
  EXPECT_EQ(usage->bars().front().count, maxCount);
  for (std::size_t i = 0; i < usage->bars().size(); ++i) {
    const auto& bar = usage->bars()[i];
    EXPECT_EQ(bar.count, cliCounts[bar.code]) << "code " << bar.code;
    if (i > 0) {
      EXPECT_LE(bar.count, usage->bars()[i - 1].count);
    }
    // the chart's value of that bar (bars are stacked bottom-up)
    EXPECT_EQ(usage->barSet()->at(static_cast<int>(usage->bars().size() - 1 - i)), static_cast<double>(bar.count));
  }

  // Click a cell: its code is selected; its occurrences are highlighted in the lane, on the traces and the
  // overview, exactly as many as the histogram counts.
  const std::size_t clickChannel = 7, clickSecond = 2;
  const std::int32_t clicked = grid->code(clickChannel, clickSecond);
  QTest::mouseClick(lane, Qt::LeftButton, {}, lane->cellRect(clickChannel, clickSecond).center());
  ASSERT_EQ(lane->model()->selectedCode(), clicked);
  const std::size_t expected = cliCounts[clicked];
  EXPECT_EQ(lane->model()->occurrences().size(), expected);
  EXPECT_EQ(lane->model()->countOf(clicked), expected);
  const auto& spans = traces->highlights(widgets::TraceView::HighlightLayer::CodeOccurrences);
  ASSERT_EQ(spans.size(), expected);
  std::set<std::pair<int, double>> wantSpans, gotSpans;
  for (const auto& [key, code] : cli.code) {
    if (code != clicked) continue;
    int traceLane = -1;  // the trace lane of that channel, found by its label
    for (int l = 0; l < traces->laneCount(); ++l)
      if (traces->laneLabel(l).toStdString() == grid->sourceLabels[key.first]) traceLane = l;
    wantSpans.insert({traceLane, static_cast<double>(key.second)});
  }
  for (const auto& h : spans) {
    EXPECT_DOUBLE_EQ(h.endSec - h.startSec, 1.0);
    gotSpans.insert({h.lane, h.startSec});
  }
  EXPECT_EQ(gotSpans, wantSpans);
  EXPECT_EQ(window.overview()->markers().size(), expected);
  // In the lane: the occurrences keep their colour, every other cell is faded.
  {
    const QImage image = lane->grab().toImage();
    const QRect hit = lane->cellRect(clickChannel, clickSecond);
    EXPECT_EQ(image.pixelColor(hit.left() + 4, hit.center().y()).rgb(), widgets::codeColour(clicked).rgb());
    std::size_t fadedWrong = 0;
    for (std::size_t c = 0; c < grid->channelCount(); ++c) {
      if (grid->code(c, 0) == clicked) continue;
      const QRect cell = lane->cellRect(c, 0);
      if (image.pixelColor(cell.left() + 4, cell.center().y()).rgb() == widgets::codeColour(grid->code(c, 0)).rgb())
        ++fadedWrong;
    }
    EXPECT_EQ(fadedWrong, 0u);
  }

  // Clicking the top bar of the histogram selects that code.
  const std::int32_t top = usage->bars().front().code;
  QTest::mouseClick(usage->chartView()->viewport(), Qt::LeftButton, {}, usage->barCentre(0));
  ASSERT_EQ(lane->model()->selectedCode(), top);
  EXPECT_EQ(traces->highlights(widgets::TraceView::HighlightLayer::CodeOccurrences).size(),
            usage->bars().front().count);

  // Next / previous (keys N and P on the lane): the page moves to put the occurrence's second in its middle.
  std::vector<std::size_t> seconds;
  for (const auto& o : lane->model()->occurrences())
    if (seconds.empty() || seconds.back() != o.second) seconds.push_back(o.second);
  ASSERT_GE(seconds.size(), 2u) << "the most frequent code occurs in one second only";
  const double page = traces->pageDurationSec();
  const auto expectedStart = [&](std::size_t second) {
    return std::clamp(static_cast<double>(second) + 0.5 - page / 2, 0.0, 62.0 - page);
  };
  traces->setPageStart(0);
  lane->setFocus();
  QTest::keyClick(lane, Qt::Key_N);
  EXPECT_DOUBLE_EQ(traces->pageStartSec(), expectedStart(seconds[0]));
  EXPECT_DOUBLE_EQ(lane->pageStartSec(), traces->pageStartSec());
  QTest::keyClick(lane, Qt::Key_N);
  EXPECT_DOUBLE_EQ(traces->pageStartSec(), expectedStart(seconds[1]));
  QTest::keyClick(lane, Qt::Key_P);
  EXPECT_DOUBLE_EQ(traces->pageStartSec(), expectedStart(seconds[0]));
  // The buttons do the same: to the last occurrence and back.
  for (std::size_t i = 1; i < seconds.size(); ++i) lane->nextOccurrence();
  EXPECT_DOUBLE_EQ(traces->pageStartSec(), expectedStart(seconds.back()));
  const double atLast = traces->pageStartSec();
  lane->nextOccurrence();  // none after the last: the page stays
  EXPECT_DOUBLE_EQ(traces->pageStartSec(), atLast);
  // Shift+F3 / F3 work from anywhere in the window (here: the traces have the focus).
  traces->setFocus();
  QTest::keyClick(traces, Qt::Key_F3, Qt::ShiftModifier);
  EXPECT_DOUBLE_EQ(traces->pageStartSec(), expectedStart(seconds[seconds.size() - 2]));
  QTest::keyClick(traces, Qt::Key_F3);
  EXPECT_DOUBLE_EQ(traces->pageStartSec(), expectedStart(seconds.back()));

  QTest::qWait(300);  // the traces' page image
  saveScreenshot(window, "token-lane-window.png");
  QTest::keyClick(lane, Qt::Key_Escape);
  EXPECT_EQ(lane->model()->selectedCode(), -1);
  EXPECT_TRUE(traces->highlights(widgets::TraceView::HighlightLayer::CodeOccurrences).empty());
  EXPECT_TRUE(window.overview()->markers().empty());
}

TEST(TokenLane, SecondOpenReadsTheCacheAndCancelLeavesNoCacheFile) {
  qtApp();
  test::TempDir tmp("token-cache");
  const fs::path vq = writeTokenizer(tmp);
  auto runtime = test::tokenizerRuntime(vq);
  const fs::path cacheDir = tmp / "cache";

  // Cancel inside the backend (its progress callback says stop once the windows are being tokenised).
  {
    app::RuntimeTokenBackend backend(runtime, cacheDir);
    bool askedToStop = false;
    EXPECT_THROW(backend.tokenize(sampleEdf(),
                                  [&](double f) {
                                    askedToStop = askedToStop || f > 0.3;
                                    return !askedToStop;
                                  }),
                 widgets::TokenizeCancelled);
    EXPECT_TRUE(askedToStop);
    EXPECT_GE(backend.runtimeRequests(), 1u);
    EXPECT_LT(backend.runtimeRequests(), 5u);
    EXPECT_FALSE(fs::exists(backend.cachePath(sampleEdf())));
    EXPECT_TRUE(!fs::exists(cacheDir) || fs::is_empty(cacheDir));
  }
  // Cancel in the lane: the Cancel button while it runs.
  {
    widgets::TokenLane lane;
    lane.resize(1000, 260);
    lane.show();
    auto backend = std::make_shared<app::RuntimeTokenBackend>(runtime, cacheDir);
    QSignalSpy cancelled(&lane, &widgets::TokenLane::tokenizeCancelled);
    lane.setBackend(backend);
    lane.setRecording(QString::fromStdString(sampleEdf().string()));
    ASSERT_EQ(lane.state(), widgets::TokenLane::State::Running);
    auto* cancelButton = lane.findChild<QPushButton*>();
    ASSERT_TRUE(cancelButton && cancelButton->isVisible());
    saveScreenshot(lane, "token-lane-running.png");
    QTest::mouseClick(cancelButton, Qt::LeftButton);
    ASSERT_TRUE(cancelled.wait(60000)) << lane.statusText().toStdString();
    EXPECT_EQ(lane.state(), widgets::TokenLane::State::Cancelled);
    EXPECT_FALSE(lane.model()->hasCodes());
    EXPECT_FALSE(fs::exists(backend->cachePath(sampleEdf())));
  }
  // First open computes (5 windows) and writes the cache; a second backend (a new session) reads it.
  std::vector<std::int32_t> first;
  fs::path cacheFile;
  {
    widgets::TokenLane lane;
    auto backend = std::make_shared<app::RuntimeTokenBackend>(runtime, cacheDir);
    QSignalSpy ready(&lane, &widgets::TokenLane::tokensReady);
    lane.setBackend(backend);
    lane.setRecording(QString::fromStdString(sampleEdf().string()));
    ASSERT_TRUE(ready.wait(120000)) << lane.statusText().toStdString();
    EXPECT_EQ(backend->runtimeRequests(), 5u);
    first = lane.model()->grid()->codes;
    cacheFile = backend->cachePath(sampleEdf());
    EXPECT_TRUE(fs::exists(cacheFile));
    EXPECT_EQ(cacheFile.parent_path(), cacheDir);
  }
  {
    widgets::TokenLane lane;
    auto backend = std::make_shared<app::RuntimeTokenBackend>(runtime, cacheDir);
    QSignalSpy ready(&lane, &widgets::TokenLane::tokensReady);
    lane.setBackend(backend);
    lane.setRecording(QString::fromStdString(sampleEdf().string()));
    ASSERT_TRUE(ready.wait(30000)) << lane.statusText().toStdString();
    EXPECT_EQ(backend->runtimeRequests(), 0u);
    EXPECT_EQ(lane.model()->grid()->codes, first);
    EXPECT_EQ(backend->cachePath(sampleEdf()), cacheFile);
    // The whole 62 s on 124 pixels (2 px per second): drawn a pixel column at a time, each column in the
    // colour of the code of its second.
    lane.setLabelMargin(90);
    lane.resize(90 + 124, 260);
    lane.setPage(0, 62);
    const QImage image = lane.grab().toImage();
    const QRect plot = lane.cellsRect();
    ASSERT_EQ(plot.width(), 124);
    std::size_t wrong = 0;
    for (int x = 0; x < plot.width(); ++x) {
      const auto second = static_cast<std::size_t>((x + 0.5) / 2.0);
      for (std::size_t c = 0; c < 19; ++c) {
        const QColor seen = image.pixelColor(plot.left() + x, plot.top() + static_cast<int>(c) * 10 + 5);
        if (seen.rgb() != widgets::codeColour(first[c * 62 + second]).rgb()) ++wrong;
      }
    }
    EXPECT_EQ(wrong, 0u);
  }
  // Another tokenizer file is another key.
  const fs::path vq2 = tmp / "vq2.safetensors";
  fs::copy_file(vq, vq2);
  app::RuntimeTokenBackend other(test::tokenizerRuntime(vq2), cacheDir);
  EXPECT_NE(other.cachePath(sampleEdf()), cacheFile);
}

TEST(TokenLane, FollowsTheRuntimeOfTheWindowsModelHost) {
  qtApp();
  QStandardPaths::setTestModeEnabled(true);  // the window's token cache goes to the test's AppData
  test::TempDir tmp("token-host");
  const fs::path vq = writeTokenizer(tmp);
  const fs::path lm = tmp / "neurolm.safetensors";
  runNeurolm({"init", "--kind", "neurolm", "--size", "tiny", "--out", QString::fromStdString(lm.string())});

  app::MainWindow window;
  window.resize(1200, 800);
  window.show();
  QSignalSpy opened(&window, &app::MainWindow::recordingOpened);
  window.openFile(QString::fromStdString(sampleEdf().string()));
  ASSERT_TRUE(opened.wait(20000)) << window.errorText().toStdString();
  widgets::TokenLane* lane = window.tokenLane();
  QSignalSpy ready(lane, &widgets::TokenLane::tokensReady);
  window.modelHost()->load(QString::fromStdString(lm.string()), QString::fromStdString(vq.string()));
  ASSERT_TRUE(ready.wait(120000)) << lane->statusText().toStdString();
  auto* backend = dynamic_cast<app::RuntimeTokenBackend*>(lane->backend().get());
  ASSERT_NE(backend, nullptr);
  EXPECT_NE(backend->description().find(vq.filename().string()), std::string::npos) << backend->description();
  const fs::path cacheFile = backend->cachePath(sampleEdf());
  EXPECT_TRUE(fs::exists(cacheFile));
  // The same codes as a backend over a runtime of our own (its own cache folder).
  app::RuntimeTokenBackend own(test::tokenizerRuntime(vq), tmp / "own-cache");
  EXPECT_EQ(own.tokenize(sampleEdf(), {}).codes, lane->model()->grid()->codes);
  // Unloading the model leaves the lane without a tokenizer, and says so.
  window.modelHost()->unload();
  EXPECT_EQ(lane->state(), widgets::TokenLane::State::NoBackend);
  EXPECT_FALSE(lane->model()->hasCodes());
  fs::remove(cacheFile);
}

TEST(TokenLane, ARecordingWithoutChannelsTheModelKnowsFailsNamingTheFile) {
  qtApp();
  test::TempDir tmp("token-fail");
  test::SyntheticSpec spec;  // two channels, neither in the model's vocabulary
  spec.channels = 2;
  spec.seconds = 20;
  spec.labels = {"ECG ECG", "Resp chest"};
  const fs::path edf = tmp / "no-eeg.edf";
  test::writeSyntheticEdf(edf, spec);
  widgets::TokenLane lane;
  auto backend = std::make_shared<app::RuntimeTokenBackend>(test::tokenizerRuntime(writeTokenizer(tmp)), tmp / "cache");
  QSignalSpy failed(&lane, &widgets::TokenLane::tokenizeFailed);
  lane.setBackend(backend);
  lane.setRecording(QString::fromStdString(edf.string()));
  ASSERT_TRUE(failed.wait(60000)) << lane.statusText().toStdString();
  const QString message = failed.front().front().toString();
  EXPECT_TRUE(message.contains(QStringLiteral("no-eeg.edf"))) << message.toStdString();
  EXPECT_EQ(lane.state(), widgets::TokenLane::State::Failed);
  EXPECT_TRUE(lane.statusText().contains(message));
  EXPECT_FALSE(lane.model()->hasCodes());
  EXPECT_EQ(backend->runtimeRequests(), 0u);
  EXPECT_FALSE(fs::exists(backend->cachePath(edf)));
}
