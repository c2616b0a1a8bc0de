// The job protocol of `neurolm train`: hand-written lines of every event, the fold into a JobState (stop,
// resume after a kill, errors), and a real run's log.jsonl (tests/fixtures/jobs, written by `neurolm train`
// on EEGMAT: 4 vq steps, "stop" after step 2 -> stopped at 3, `--resume` -> done at 4), also with torn lines.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/jobs/JobProtocol.h"

using namespace neurolm;
using namespace neurolm::jobs;
namespace fs = std::filesystem;

namespace {

JobEvent parsed(std::string_view line) {
  const auto e = parseJobEvent(line);
  EXPECT_TRUE(e.has_value()) << line;
  return e.value_or(JobEvent{});
}

JobState fold(const std::vector<std::string>& lines) {
  JobState s;
  for (const auto& l : lines)
    if (const auto e = parseJobEvent(l)) s.apply(*e);
  return s;
}

std::string progressLine(int step, double loss, double lr) {
  std::ostringstream o;
  o << R"({"event":"progress","step":)" << step << R"(,"total":6,"epoch":0,"loss":)" << loss
    << R"(,"parts":{"a":1.5,"b":0.25},"lr":)" << lr << R"(,"grad_norm":2,"samples_per_sec":3,"eta_sec":)"
    << (6 - step) << R"(,"device":"cpu","memory_mb":700})";
  return o.str();
}

std::vector<std::string> fixtureLines() {
  std::ifstream in(test::testsDir() / "fixtures" / "jobs" / "vq-stop-resume.log.jsonl");
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

}  // namespace

TEST(JobProtocol, ParsesEveryEventWithItsFields) {
  const auto prepare =
      parsed(R"({"event":"prepare","files_done":3,"files_total":8,"time":"2026-12-02T23:36:05Z"})");
  EXPECT_EQ(prepare.timeUtc, "2026-12-02T23:36:05Z");
  EXPECT_EQ(std::get<PrepareEvent>(prepare.data).filesDone, 3);
  EXPECT_EQ(std::get<PrepareEvent>(prepare.data).filesTotal, 8);

  const auto start = std::get<StartEvent>(
      parsed(R"({"event":"start","stage":"pretrain","run_dir":"/r","total":120,"steps_per_epoch":40,)"
             R"("device":"cuda","threads":4,"world_size":2,"train_windows":960,"resumed_from":50})")
          .data);
  EXPECT_EQ(start.stage, "pretrain");
  EXPECT_EQ(start.runDir, "/r");
  EXPECT_EQ(start.totalSteps, 120);
  EXPECT_EQ(start.stepsPerEpoch, 40);
  EXPECT_EQ(start.device, "cuda");
  EXPECT_EQ(start.threads, 4);
  EXPECT_EQ(start.worldSize, 2);
  EXPECT_EQ(start.trainWindows, 960);
  EXPECT_EQ(start.resumedFrom, 50);
  EXPECT_FALSE(
      std::get<StartEvent>(parsed(R"({"event":"start","stage":"vq","total":4,"resumed_from":null})").data)
          .resumedFrom.has_value());

  const auto p = std::get<ProgressEvent>(parsed(progressLine(2, 3.25, 5e-5)).data);
  EXPECT_EQ(p.step, 2);
  EXPECT_EQ(p.totalSteps, 6);
  EXPECT_DOUBLE_EQ(p.loss, 3.25);
  EXPECT_DOUBLE_EQ(p.lr, 5e-5);
  EXPECT_DOUBLE_EQ(p.etaSec, 4);
  EXPECT_DOUBLE_EQ(p.memoryMb, 700);
  ASSERT_EQ(p.parts.size(), 2u);
  EXPECT_DOUBLE_EQ(p.parts.at("b"), 0.25);

  const auto m = std::get<MetricsEvent>(
      parsed(R"({"event":"metrics","split":"val","step":10,"epoch":1,"values":{"loss":1.5,)"
             R"("from_option_probabilities":{"balanced_accuracy":0.75,"auroc":0.5}}})")
          .data);
  EXPECT_EQ(m.split, "val");
  EXPECT_EQ(m.step, 10);
  EXPECT_DOUBLE_EQ(m.values.at("loss"), 1.5);
  EXPECT_DOUBLE_EQ(m.values.at("from_option_probabilities.balanced_accuracy"), 0.75);

  const auto c =
      std::get<CheckpointEvent>(parsed(R"({"event":"checkpoint","step":4,"path":"/r/c.st"})").data);
  EXPECT_EQ(c.step, 4);
  EXPECT_EQ(c.path, "/r/c.st");
  EXPECT_EQ(std::get<DoneEvent>(parsed(R"({"event":"done","step":6,"model":"/r/model.safetensors"})").data)
                .modelPath,
            "/r/model.safetensors");
  EXPECT_EQ(std::get<DoneEvent>(parsed(R"({"event":"done","step":9,"metrics":"/r/metrics.json"})").data)
                .metricsPath,
            "/r/metrics.json");
  EXPECT_EQ(std::get<StoppedEvent>(parsed(R"({"event":"stopped","step":3,"exit_code":75})").data).exitCode,
            75);
  EXPECT_EQ(std::get<ErrorEvent>(parsed(R"({"event":"error","message":"x.json: bad"})").data).message,
            "x.json: bad");
}

TEST(JobProtocol, BlankAndUnknownLinesAreNotEventsAndMalformedOnesNameTheProblem) {
  EXPECT_FALSE(parseJobEvent("").has_value());
  EXPECT_FALSE(parseJobEvent("  \r").has_value());
  EXPECT_FALSE(parseJobEvent(R"({"event":"heartbeat","time":"t"})").has_value());
  EXPECT_THROW(parseJobEvent(R"({"event":"progr)"), std::invalid_argument);
  EXPECT_THROW(parseJobEvent("[1,2]"), std::invalid_argument);
  try {
    parseJobEvent(R"({"event":"progress","loss":1})");
    FAIL() << "a progress line without its step was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("\"step\""), std::string::npos) << e.what();
  }
  try {
    parseJobEvent(R"({"event":"checkpoint","step":"four","path":"p"})");
    FAIL() << "a string step was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("not a number"), std::string::npos) << e.what();
  }
}

TEST(JobProtocol, FoldFollowsAStopAndAResumeAfterAKill) {
  JobState s = fold({R"({"event":"prepare","files_done":1,"files_total":2})"});
  EXPECT_EQ(s.status, JobStatus::Preparing);
  EXPECT_EQ(s.filesDone, 1);

  s.apply(parsed(R"({"event":"start","stage":"vq","total":6,"device":"cpu","resumed_from":null})"));
  EXPECT_EQ(s.status, JobStatus::Running);
  EXPECT_EQ(s.totalSteps, 6);
  for (int step = 1; step <= 3; ++step) s.apply(parsed(progressLine(step, 10.0 - step, 1e-4 * step)));
  s.apply(parsed(R"({"event":"checkpoint","step":2,"path":"/r/step-2"})"));
  EXPECT_EQ(s.step, 3);
  EXPECT_DOUBLE_EQ(*s.lastLoss, 7.0);
  EXPECT_DOUBLE_EQ(*s.etaSec, 3.0);

  // Killed after step 3 (no final event); resumed from the checkpoint of step 2: step 3 is trained again.
  s.apply(parsed(R"({"event":"start","stage":"vq","total":6,"device":"cpu","resumed_from":2})"));
  EXPECT_EQ(s.status, JobStatus::Running);
  EXPECT_EQ(s.step, 2);
  EXPECT_EQ(s.runs, 2);
  ASSERT_EQ(s.lossHistory.size(), 2u);
  s.apply(parsed(progressLine(3, 6.5, 3e-4)));
  ASSERT_EQ(s.lossHistory.size(), 3u);
  EXPECT_EQ(s.lossHistory.back().step, 3);
  EXPECT_DOUBLE_EQ(s.lossHistory.back().value, 6.5);
  EXPECT_DOUBLE_EQ(s.lrHistory.back().value, 3e-4);

  s.markStopRequested();
  EXPECT_EQ(s.status, JobStatus::Stopping);
  s.apply(parsed(progressLine(4, 6.0, 4e-4)));  // the step in flight still finishes
  EXPECT_EQ(s.status, JobStatus::Stopping);
  EXPECT_EQ(s.step, 4);
  s.apply(parsed(R"({"event":"checkpoint","step":4,"path":"/r/step-4"})"));
  s.apply(parsed(R"({"event":"stopped","step":4,"exit_code":75})"));
  EXPECT_EQ(s.status, JobStatus::Stopped);
  EXPECT_EQ(s.exitCode, 75);
  EXPECT_TRUE(isFinished(s.status));
  EXPECT_EQ(s.lastCheckpoint->step, 4);
  EXPECT_EQ(s.lastCheckpoint->path, "/r/step-4");
  s.markStopRequested();  // a finished job stays finished
  EXPECT_EQ(s.status, JobStatus::Stopped);

  s.apply(parsed(R"({"event":"start","stage":"vq","total":6,"resumed_from":4})"));
  EXPECT_EQ(s.status, JobStatus::Running);
  EXPECT_FALSE(s.exitCode.has_value());
  s.apply(parsed(R"({"event":"error","message":"/data/x.edf: cannot be read"})"));
  EXPECT_EQ(s.status, JobStatus::Failed);
  EXPECT_EQ(s.errorMessage, "/data/x.edf: cannot be read");
  EXPECT_EQ(jobStatusName(s.status), "failed");
}

TEST(JobProtocol, ReplaysARealRunsLog) {
  const auto s = replayLog(test::testsDir() / "fixtures" / "jobs" / "vq-stop-resume.log.jsonl");
  EXPECT_EQ(s.status, JobStatus::Done);
  EXPECT_EQ(s.stage, "vq");
  EXPECT_EQ(s.device, "cpu");
  EXPECT_EQ(s.step, 4);
  EXPECT_EQ(s.totalSteps, 4);
  EXPECT_EQ(s.runs, 2);
  EXPECT_EQ(s.resumedFrom, 3);
  EXPECT_EQ(s.filesDone, 7);
  EXPECT_EQ(s.filesTotal, 8);
  EXPECT_EQ(s.exitCode, 0);
  EXPECT_EQ(s.modelPath, "run/model.safetensors");
  EXPECT_EQ(s.lastCheckpoint->step, 4);
  EXPECT_EQ(s.lastCheckpoint->path, "run/checkpoints/step-00000004.safetensors");
  EXPECT_EQ(s.skippedLines, 0);
  ASSERT_EQ(s.lossHistory.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(s.lossHistory[i].step, i + 1);
  EXPECT_DOUBLE_EQ(s.lossHistory[0].value, 3.03149676322937);
  EXPECT_DOUBLE_EQ(s.lossHistory[1].value, 2.979388475418091);
  EXPECT_DOUBLE_EQ(s.lossHistory[3].value, 3.0850865840911865);
  EXPECT_DOUBLE_EQ(s.lrHistory[0].value, 5e-05);
  EXPECT_EQ(s.updatedUtc, "2026-12-02T23:36:26Z");
}

TEST(JobProtocol, ATornLastLineWaitsForItsNewlineAndATornMiddleLineIsSkipped) {
  const auto lines = fixtureLines();
  ASSERT_EQ(lines.size(), 19u);
  test::TempDir dir("job-protocol");
  const auto log = dir / "log.jsonl";

  JobState missing;
  JobLogReader reader(log);
  EXPECT_TRUE(reader.readNew(missing).empty());  // not written yet
  EXPECT_EQ(missing.status, JobStatus::Preparing);

  // The first run up to step 3's progress, with the checkpoint line half written.
  std::string head;
  for (int i = 0; i < 13; ++i) head += lines[i] + "\n";
  const std::string torn = lines[13].substr(0, lines[13].size() / 2);
  std::ofstream(log, std::ios::binary) << head << torn;
  JobState live;
  EXPECT_EQ(reader.readNew(live).size(), 13u);
  EXPECT_EQ(live.status, JobStatus::Running);
  EXPECT_EQ(live.step, 3);
  EXPECT_EQ(live.lastCheckpoint->step, 2);
  EXPECT_EQ(live.skippedLines, 0);
  const auto replayed = replayLog(log);  // the same from scratch
  EXPECT_EQ(replayed.step, 3);
  EXPECT_EQ(replayed.lastCheckpoint->step, 2);
  EXPECT_EQ(replayed.skippedLines, 0);

  // The line completes: it is read whole.
  std::ofstream(log, std::ios::binary | std::ios::app) << lines[13].substr(torn.size()) << "\n";
  EXPECT_EQ(reader.readNew(live).size(), 1u);
  EXPECT_EQ(live.lastCheckpoint->step, 3);

  // A process killed mid-line, then resumed: its torn line is skipped and the rest replays.
  std::string killed =
      head + torn + lines[15] + "\n" + lines[16] + "\n" + lines[17] + "\n" + lines[18] + "\n";
  std::ofstream(log, std::ios::binary | std::ios::trunc) << killed;
  const auto s = replayLog(log);
  EXPECT_EQ(s.skippedLines, 1);
  EXPECT_EQ(s.status, JobStatus::Done);
  EXPECT_EQ(s.runs, 1);  // the resumed run's start line was glued to the torn one
  EXPECT_EQ(s.lossHistory.size(), 4u);
  EXPECT_EQ(s.lastCheckpoint->step, 4);
}
