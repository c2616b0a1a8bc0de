// The annotation document (commands, undo/redo) and its files: sidecar, CSV, EDF+ export (read back by our
// reader and by MNE) and EDF+ import onto a recording.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/annotations/AnnotationDocument.h"
#include "core/annotations/AnnotationFiles.h"
#include "core/io/Recording.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

AnnotationEntry entry(double onset, double duration, std::string text, std::string channel = {},
                      AnnotationSource source = AnnotationSource::User) {
  AnnotationEntry e;
  e.onsetSec = onset;
  e.durationSec = duration;
  e.text = std::move(text);
  e.channel = std::move(channel);
  e.source = source;
  return e;
}

// Texts that stress every format: UTF-8 (CJK, accents, emoji), CSV specials, JSON specials.
std::vector<AnnotationEntry> tricky() {
  return {entry(0, 30, "Sleep stage W", {}, AnnotationSource::File),
          entry(12.345678901234, 0, "\xE7\x9D\xA1\xE7\x9C\xA0\xE9\x98\xB6\xE6\xAE\xB5 N2",
                "EEG Fp1"),  // 睡眠阶段 N2
          entry(30, 1.5, "spike, \"sharp\" wave", "C3", AnnotationSource::Imported),
          entry(45.25, 2, "caf\xC3\xA9 \xF0\x9F\x98\x80 line1\nline2"),  // café 😀 + a line break
          entry(3600.0001, 0.0005, "back\\slash {json} [1]")};
}

void expectSameEntries(const std::vector<AnnotationEntry>& got, const std::vector<AnnotationEntry>& want,
                       bool compareSource = true) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_DOUBLE_EQ(got[i].onsetSec, want[i].onsetSec);
    EXPECT_DOUBLE_EQ(got[i].durationSec, want[i].durationSec);
    EXPECT_EQ(got[i].text, want[i].text);
    EXPECT_EQ(got[i].channel, want[i].channel);
    if (compareSource) {
      EXPECT_EQ(got[i].source, want[i].source);
    }
  }
}

std::vector<AnnotationEntry> withoutIds(std::vector<AnnotationEntry> v) {
  for (auto& e : v) e.id = 0;
  return v;
}

nlohmann::json mneAnnotations(const fs::path& file, const fs::path& outDir) {
  const fs::path out = outDir / "mne.json";
  const std::string cmd = std::string(test::python()) + " " +
                          (test::testsDir() / "tools" / "mne_read_annotations.py").string() + " '" +
                          file.string() + "' '" + out.string() + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(out);
  return nlohmann::json::parse(in);
}

template <typename F>
std::string errorOf(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(AnnotationDocument, CreateEditDeleteWithUndoRedo) {
  AnnotationDocument doc;
  int changes = 0;
  doc.setChangedCallback([&] { ++changes; });
  EXPECT_FALSE(doc.modified());
  const auto a = doc.add(entry(20, 5, "second"));
  const auto b = doc.add(entry(10, 0, "first"));
  EXPECT_EQ(changes, 2);
  ASSERT_EQ(doc.size(), 2u);
  EXPECT_EQ(doc.entries()[0].text, "first");  // sorted by onset
  EXPECT_EQ(doc.entries()[0].id, b);
  EXPECT_TRUE(doc.modified());

  doc.edit(a, entry(5, 1, "second, moved"));
  EXPECT_EQ(doc.entries()[0].id, a);  // moved before "first", same id
  EXPECT_EQ(doc.entries()[0].text, "second, moved");
  EXPECT_EQ(doc.undoText(), "edit 'second'");
  doc.remove(b);
  ASSERT_EQ(doc.size(), 1u);
  EXPECT_EQ(doc.undoText(), "delete 'first'");

  doc.undo();  // delete
  ASSERT_EQ(doc.size(), 2u);
  EXPECT_EQ(doc.find(b)->text, "first");
  doc.undo();  // edit
  EXPECT_EQ(doc.find(a)->text, "second");
  EXPECT_DOUBLE_EQ(doc.find(a)->onsetSec, 20.0);
  EXPECT_EQ(doc.entries()[0].id, b);
  doc.redo();
  EXPECT_EQ(doc.find(a)->text, "second, moved");
  EXPECT_EQ(doc.redoText(), "delete 'first'");
  doc.undo();
  doc.undo();
  doc.undo();
  EXPECT_EQ(doc.size(), 0u);
  EXPECT_FALSE(doc.canUndo());
  EXPECT_FALSE(doc.modified());  // back at the (empty) saved state
  doc.undo();                    // nothing to undo: no change
  EXPECT_EQ(doc.size(), 0u);
  doc.redo();
  doc.redo();
  EXPECT_EQ(doc.size(), 2u);
  // A new command drops the redo tail.
  doc.add(entry(1, 0, "new"));
  EXPECT_FALSE(doc.canRedo());
  EXPECT_EQ(doc.size(), 3u);
  EXPECT_EQ(doc.revision(), static_cast<std::uint64_t>(changes));
}

TEST(AnnotationDocument, InvalidValuesThrowAndChangeNothing) {
  AnnotationDocument doc;
  const auto id = doc.add(entry(1, 1, "ok"));
  const auto revision = doc.revision();
  EXPECT_THROW(doc.add(entry(std::nan(""), 0, "x")), std::invalid_argument);
  EXPECT_THROW(doc.add(entry(1, -1, "x")), std::invalid_argument);
  EXPECT_THROW(doc.add(entry(1, 0, "  ")), std::invalid_argument);
  EXPECT_THROW(doc.edit(id, entry(1, 0, "")), std::invalid_argument);
  EXPECT_THROW(doc.edit(999, entry(1, 0, "x")), std::invalid_argument);
  EXPECT_THROW(doc.remove(999), std::invalid_argument);
  EXPECT_THROW(doc.addAll({entry(1, 0, "fine"), entry(1, 0, "")}, "import"), std::invalid_argument);
  EXPECT_EQ(doc.size(), 1u);
  EXPECT_EQ(doc.revision(), revision);
  doc.edit(id, entry(1, 1, "ok"));  // same content: no command
  EXPECT_EQ(doc.undoText(), "add 'ok'");
}

TEST(AnnotationDocument, ImportIsOneUndoStepAndSavedStateIsTracked) {
  AnnotationDocument doc;
  doc.reset(tricky());
  EXPECT_FALSE(doc.modified());
  EXPECT_FALSE(doc.canUndo());
  doc.addAll({entry(100, 0, "a"), entry(50, 0, "b")}, "import hypnogram");
  EXPECT_EQ(doc.size(), tricky().size() + 2);
  EXPECT_EQ(doc.undoText(), "import hypnogram");
  doc.markSaved();
  EXPECT_FALSE(doc.modified());
  doc.undo();
  EXPECT_TRUE(doc.modified());
  EXPECT_EQ(doc.size(), tricky().size());
  doc.redo();
  EXPECT_FALSE(doc.modified());
  doc.undo();
  doc.add(entry(1, 0, "c"));  // the saved state can no longer be reached
  EXPECT_TRUE(doc.modified());
}

TEST(AnnotationSidecar, SaveReopenGivesTheSameDocumentAndNeverTouchesTheRecording) {
  test::TempDir tmp("sidecar");
  test::SyntheticSpec spec;
  spec.channels = 1;
  spec.seconds = 2;
  const auto recording = tmp / "rec é.edf";
  test::writeSyntheticEdf(recording, spec);
  const auto recordingBytes = test::readAllBytes(recording);

  const auto sidecar = annotationSidecarPath(recording);
  EXPECT_EQ(sidecar.filename().string(), "rec é.edf.annotations.json");
  AnnotationDocument doc;
  for (const auto& e : tricky()) doc.add(e);
  saveSidecar(sidecar, doc.entries(), recording.filename().string());

  AnnotationDocument reopened;
  reopened.reset(loadSidecar(sidecar));
  expectSameEntries(reopened.entries(), doc.entries());
  // The file is JSON of the documented shape.
  std::ifstream in(sidecar);
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["format"], "neurolm-annotations");
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["recording"], "rec é.edf");
  EXPECT_EQ(j["annotations"][1]["channel"], "EEG Fp1");
  EXPECT_FALSE(j["annotations"][0].contains("channel"));
  EXPECT_EQ(j["annotations"][2]["source"], "imported");
  // Atomic write: nothing but the recording and the sidecar in the folder.
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path())) ++files;
  EXPECT_EQ(files, 2);
  EXPECT_EQ(test::readAllBytes(recording), recordingBytes);

  // A folder that cannot be written: the error names the file, and the old sidecar stays as it was.
  const std::string error = errorOf([&] { saveSidecar(tmp / "no such dir" / "x.json", doc.entries(), "x"); });
  EXPECT_NE(error.find((tmp / "no such dir" / "x.json").string() + ": cannot create temporary file"),
            std::string::npos)
      << error;

  // Saving again replaces the file.
  doc.remove(doc.entries()[0].id);
  saveSidecar(sidecar, doc.entries(), "rec é.edf");
  EXPECT_EQ(loadSidecar(sidecar).size(), tricky().size() - 1);
}

TEST(AnnotationSidecar, BadFilesAreReportedWithFileAndPlace) {
  test::TempDir tmp("sidecar");
  const auto p = tmp / "x.edf.annotations.json";
  const auto write = [&](const std::string& s) { std::ofstream(p, std::ios::binary) << s; };
  write("{not json");
  EXPECT_NE(errorOf([&] { loadSidecar(p); }).find(p.string() + ": not valid JSON"), std::string::npos);
  write(R"({"format": "other", "version": 1, "annotations": []})");
  EXPECT_NE(errorOf([&] { loadSidecar(p); }).find("not a NeuroLM annotation file"), std::string::npos);
  write(R"({"format": "neurolm-annotations", "version": 7, "annotations": []})");
  EXPECT_NE(errorOf([&] { loadSidecar(p); }).find("version 7 is not supported"), std::string::npos);
  write(R"({"format": "neurolm-annotations", "version": 1, "annotations": [{"onset_sec": 1, "text": "a"},
        {"onset_sec": 2, "duration_sec": -3, "text": "b"}]})");
  EXPECT_NE(errorOf([&] { loadSidecar(p); }).find(p.string() + ": annotation 1: \"duration_sec\" -3"),
            std::string::npos);
  write(
      R"({"format": "neurolm-annotations", "version": 1, "annotations": [{"onset_sec": 1, "text": "  "}]})");
  EXPECT_NE(errorOf([&] { loadSidecar(p); }).find(p.string() + ": annotation 0: \"text\" is missing, empty"),
            std::string::npos);
  write(R"({"format": "neurolm-annotations", "version": 1, "annotations": [{"onset_sec": 1, "text": "a",
        "source": "alien"}]})");
  EXPECT_NE(errorOf([&] { loadSidecar(p); }).find("annotation 0: \"source\" \"alien\""), std::string::npos);
  EXPECT_NE(errorOf([&] { loadSidecar(tmp / "missing.json"); }).find("missing.json: file not found"),
            std::string::npos);
}

TEST(AnnotationCsv, RoundTripKeepsEveryField) {
  test::TempDir tmp("csv");
  const auto p = tmp / "a.csv";
  exportCsv(p, tricky());
  auto back = importCsv(p);
  for (const auto& e : back) EXPECT_EQ(e.source, AnnotationSource::Imported);
  expectSameEntries(back, tricky(), false);
}

TEST(AnnotationCsv, HandWrittenFileWithBomCrlfQuotesAndReorderedColumns) {
  // Hand-worked: what a spreadsheet writes.
  const std::string csv =
      "\xEF\xBB\xBF"
      "text,onset_sec,channel,duration_sec\r\n"
      "\"Sleep stage W\",0,,30\r\n"
      "\"a, \"\"quoted\"\" one\",12.5,Fp1,\r\n"
      "\"two\nlines\",+7,,0.25\r\n"
      "\r\n"
      "\xE8\x84\x91\xE7\x94\xB5,1e2,,\r\n";
  const auto got = parseAnnotationCsv(csv, "hand.csv");
  ASSERT_EQ(got.size(), 4u);
  expectSameEntries(got, {entry(0, 30, "Sleep stage W", {}, AnnotationSource::Imported),
                          entry(12.5, 0, "a, \"quoted\" one", "Fp1", AnnotationSource::Imported),
                          entry(7, 0.25, "two\nlines", {}, AnnotationSource::Imported),
                          entry(100, 0, "\xE8\x84\x91\xE7\x94\xB5", {}, AnnotationSource::Imported)});
  EXPECT_EQ(annotationsToCsv({entry(1.5, 0, "x,y", "C3")}),
            "onset_sec,duration_sec,text,channel,source\r\n1.5,0,\"x,y\",C3,user\r\n");
}

TEST(AnnotationCsv, ErrorsNameTheFileAndLine) {
  EXPECT_NE(errorOf([] { parseAnnotationCsv("", "e.csv"); }).find("e.csv: empty"), std::string::npos);
  EXPECT_NE(errorOf([] {
              parseAnnotationCsv("start,label\n1,a\n", "h.csv");
            }).find("h.csv: line 1: the header needs the columns onset_sec and text (found 'start,label')"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              parseAnnotationCsv("onset_sec,text\n1,a\n\"x\",b\nabc,c\n", "n.csv");
            }).find("n.csv: line 3: onset_sec 'x' is not a number"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              parseAnnotationCsv("onset_sec,text,duration_sec\n1,a,-2\n", "d.csv");
            }).find("d.csv: line 2: duration_sec '-2' is not a number >= 0"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              parseAnnotationCsv("onset_sec,text\n1,\"open\n", "q.csv");
            }).find("q.csv: line 2: unterminated quoted field"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              parseAnnotationCsv("onset_sec,text\n1,\n", "t.csv");
            }).find("t.csv: line 2: text is empty"),
            std::string::npos);
}

TEST(AnnotationEdfPlus, ExportIsReadBackByOurReaderAndByMne) {
  test::TempDir tmp("edfexport");
  const auto p = tmp / "export.edf";
  EdfPlusExportInfo info;
  info.start = {2026, 12, 2, 22, 30, 5};
  exportEdfPlus(p, tricky(), info);

  // What EDF+ can carry: onset, duration, text (control characters as spaces), no channel.
  std::vector<AnnotationEntry> expected = tricky();
  for (auto& e : expected) {
    e.channel.clear();
    for (auto& c : e.text) c = c == '\n' ? ' ' : c;
  }

  const auto rec = Recording::open(p);
  EXPECT_TRUE(rec->annotationsOnly());
  EXPECT_NE(rec->repairReport().strictReaderVerdict.find("accepted"), std::string::npos)
      << rec->repairReport().strictReaderVerdict;
  EXPECT_TRUE(rec->repairReport().repairs.empty());
  EXPECT_EQ(rec->header().startYear, 2026);
  EXPECT_EQ(rec->header().startSecond, 5);
  rec->waitForAnnotations();
  expectSameEntries(annotationsFromRecording(*rec), expected, false);

  const auto mne = mneAnnotations(p, tmp.path());
  ASSERT_EQ(mne.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_DOUBLE_EQ(mne[i]["onset"].get<double>(), expected[i].onsetSec);
    EXPECT_DOUBLE_EQ(mne[i]["duration"].get<double>(), expected[i].durationSec);
    EXPECT_EQ(mne[i]["text"].get<std::string>(), expected[i].text);
  }
}

TEST(AnnotationEdfPlus, ImportOntoARecordingShiftsByTheStartTimes) {
  test::TempDir tmp("edfimport");
  test::AnnotationOnlySpec spec;
  spec.annotations = {
      {0, 30, "Sleep stage W"}, {30, 30, "Sleep stage 1"}, {75.5, -1, "\xC3\xA9v\xC3\xA9nement"}};
  spec.startDate = "31.12.99";  // the hypnogram starts at 1999-12-31 23:59:00 ...
  spec.startTime = "23.59.00";
  const auto p = tmp / "SC-Hypnogram.edf";
  test::writeAnnotationOnlyEdf(p, spec);
  // ... the recording one minute and one day earlier (across a year boundary): +86460 s.
  std::string note;
  const auto got = importEdfPlusAnnotations(p, EdfStartTime{1999, 12, 30, 23, 58, 0}, &note);
  expectSameEntries(got, {entry(86460, 30, "Sleep stage W", {}, AnnotationSource::Imported),
                          entry(86490, 30, "Sleep stage 1", {}, AnnotationSource::Imported),
                          entry(86535.5, 0, "\xC3\xA9v\xC3\xA9nement", {}, AnnotationSource::Imported)});
  EXPECT_EQ(note,
            "3 annotations from SC-Hypnogram.edf; onsets shifted by +86460 s (difference of the two files' "
            "start times)");
  // Same start: no shift, no shift note.
  const auto same = importEdfPlusAnnotations(p, EdfStartTime{1999, 12, 31, 23, 59, 0}, &note);
  EXPECT_DOUBLE_EQ(same[2].onsetSec, 75.5);
  EXPECT_EQ(note, "3 annotations from SC-Hypnogram.edf");

  // A plain EDF has no annotations to import.
  test::SyntheticSpec plain;
  plain.channels = 1;
  plain.seconds = 1;
  test::writeSyntheticEdf(tmp / "plain.edf", plain);
  EXPECT_NE(errorOf([&] {
              importEdfPlusAnnotations(tmp / "plain.edf", {});
            }).find("plain.edf: a plain EDF file has no annotation signal"),
            std::string::npos);
}

TEST(AnnotationEdfPlus, RecordingAnnotationsExportWithoutGaps) {
  test::TempDir tmp("edfdgaps");
  test::SyntheticSpec spec;
  spec.channels = 1;
  spec.seconds = 3;
  spec.edfPlus = true;
  spec.annotations = {{0.5, "stimulus"}};
  const auto path = tmp / "d.edf";
  test::writeSyntheticEdf(path, spec);
  auto bytes = test::readAllBytes(path);
  test::patchField(bytes, 192, 44, "EDF+D");
  const std::string s(bytes.begin(), bytes.end());
  const auto at = s.find("+2\x14\x14");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 1] = '9';  // a 7-s gap before the last record
  test::writeAllBytes(path, bytes);
  const auto rec = Recording::open(path);
  rec->waitForAnnotations();
  ASSERT_EQ(rec->gaps().size(), 1u);

  const auto entries = annotationsFromRecording(*rec);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].text, "stimulus");
  EXPECT_EQ(entries[0].source, AnnotationSource::File);
  exportEdfPlus(tmp / "out.edf", entries, {startTimeOf(rec->header())});
  exportCsv(tmp / "out.csv", entries);
  const auto back = Recording::open(tmp / "out.edf");
  back->waitForAnnotations();
  ASSERT_EQ(back->annotations().size(), 1u);
  EXPECT_EQ(back->annotations()[0].text, "stimulus");
  EXPECT_EQ(importCsv(tmp / "out.csv").size(), 1u);
}

TEST(AnnotationSidecar, DocumentRoundTripThroughEveryFormatKeepsTheSameTexts) {
  // create -> save -> reopen -> export EDF+ -> import -> same onsets and texts (channel dropped by EDF+
  // only).
  test::TempDir tmp("roundtrip");
  AnnotationDocument doc;
  for (const auto& e : tricky()) doc.add(e);
  const auto sidecar = tmp / "r.edf.annotations.json";
  saveSidecar(sidecar, doc.entries(), "r.edf");
  AnnotationDocument reopened;
  reopened.reset(loadSidecar(sidecar));
  EXPECT_FALSE(reopened.modified());
  expectSameEntries(withoutIds(reopened.entries()), withoutIds(doc.entries()));
  exportEdfPlus(tmp / "r.edf", reopened.entries(), {});
  const auto imported = importEdfPlusAnnotations(tmp / "r.edf", EdfStartTime{});
  ASSERT_EQ(imported.size(), doc.size());
  for (std::size_t i = 0; i < imported.size(); ++i) {
    EXPECT_DOUBLE_EQ(imported[i].onsetSec, doc.entries()[i].onsetSec);
    EXPECT_EQ(imported[i].text.find('\n'), std::string::npos);
  }
}

TEST(AnnotationDocument, RandomCommandSequencesMatchAHistoryOfSnapshots) {
  // Property: after any sequence of add/edit/remove/undo/redo, the document equals the snapshot that a plain
  // history of states predicts (undo = previous state, redo = next, a command drops the redo states).
  std::mt19937 rng(20261202);
  AnnotationDocument doc;
  using State = std::vector<AnnotationEntry>;
  std::vector<State> history{State{}};
  std::size_t at = 0;
  const auto same = [](const State& a, const State& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (a[i].id != b[i].id || !a[i].sameContent(b[i])) return false;
    }
    return true;
  };
  for (int step = 0; step < 3000; ++step) {
    const int op = static_cast<int>(rng() % 5);
    const auto& entries = doc.entries();
    if (op == 0 || entries.empty()) {
      doc.add(entry(static_cast<double>(rng() % 100) / 4, static_cast<double>(rng() % 8) / 2,
                    "e" + std::to_string(rng() % 10)));
    } else if (op == 1) {
      const auto id = entries[rng() % entries.size()].id;
      AnnotationEntry changed = *doc.find(id);
      changed.onsetSec = static_cast<double>(rng() % 100) / 4;
      changed.text += "'";
      doc.edit(id, changed);
    } else if (op == 2) {
      doc.remove(entries[rng() % entries.size()].id);
    } else if (op == 3) {
      const bool could = doc.canUndo();
      doc.undo();
      ASSERT_EQ(could, at > 0);
      if (could) --at;
      ASSERT_TRUE(same(doc.entries(), history[at])) << "step " << step;
      continue;
    } else {
      const bool could = doc.canRedo();
      doc.redo();
      ASSERT_EQ(could, at + 1 < history.size());
      if (could) ++at;
      ASSERT_TRUE(same(doc.entries(), history[at])) << "step " << step;
      continue;
    }
    history.resize(at + 1);
    history.push_back(doc.entries());
    ++at;
    ASSERT_TRUE(std::is_sorted(doc.entries().begin(), doc.entries().end(),
                               [](const auto& a, const auto& b) { return a.onsetSec < b.onsetSec; }));
  }
  // Every state of the history survives a CSV and a sidecar round trip.
  test::TempDir tmp("random");
  for (const State& state : history) {
    saveSidecar(tmp / "s.json", state, "x.edf");
    expectSameEntries(loadSidecar(tmp / "s.json"), state);
    expectSameEntries(parseAnnotationCsv(annotationsToCsv(state), "x.csv"), state, false);
  }
}
