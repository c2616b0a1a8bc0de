// Annotation-only EDF+/BDF+ files (hypnograms) and the gaps of EDF+D files: both read from generated files
// and checked against what was written and against MNE (mne.read_annotations) as an independent reader.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/io/Recording.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

OpenOptions syncOptions() {
  OpenOptions o;
  o.backgroundAnnotations = false;
  o.buildPyramid = false;
  return o;
}

nlohmann::json mneAnnotations(const fs::path& file, const fs::path& outDir) {
  const fs::path out = outDir / "mne_annotations.json";
  const std::string cmd = std::string(test::python()) + " " +
                          (test::testsDir() / "tools" / "mne_read_annotations.py").string() + " '" +
                          file.string() + "' '" + out.string() + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(out);
  return nlohmann::json::parse(in);
}

// A hypnogram-like list: stages with durations, an event without duration, non-ASCII UTF-8 texts, a TAL with
// two texts at the same onset.
std::vector<test::TalEntry> hypnogramEntries() {
  return {{0, 30, "Sleep stage W"},
          {30, 60, "Sleep stage 1"},
          {90, 120.5, "Sleep stage 2"},
          {210.5, -1, "Arousal \xC3\xA9veil"},            // "Arousal éveil"
          {211.25, 0.75, "\xE7\x9D\xA1\xE7\x9C\xA0 N2"},  // "睡眠 N2"
          {3600.0001, 30, "Movement time"},
          {7200, 30, "Sleep stage ?"}};
}

void expectSameAsWritten(const std::vector<Annotation>& got, const std::vector<test::TalEntry>& written) {
  ASSERT_EQ(got.size(), written.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_NEAR(got[i].onsetSec, written[i].onsetSec, 1e-9);
    EXPECT_NEAR(got[i].durationSec, written[i].durationSec, 1e-9);
    EXPECT_EQ(got[i].text, written[i].text);
  }
}

void expectSameAsMne(const std::vector<Annotation>& got, const nlohmann::json& mne) {
  ASSERT_EQ(got.size(), mne.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_NEAR(got[i].onsetSec, mne[i]["onset"].get<double>(), 1e-9);
    EXPECT_NEAR(std::max(0.0, got[i].durationSec), mne[i]["duration"].get<double>(), 1e-9);  // MNE: none -> 0
    EXPECT_EQ(got[i].text, mne[i]["text"].get<std::string>());
  }
}

}  // namespace

TEST(AnnotationOnlyFile, HypnogramLikeEdfPlusOpensAsAnAnnotationList) {
  test::TempDir tmp("annonly");
  test::AnnotationOnlySpec spec;
  spec.annotations = hypnogramEntries();
  const auto path = tmp / "SC4001EC-Hypnogram.edf";
  test::writeAnnotationOnlyEdf(path, spec);
  const auto before = test::readAllBytes(path);

  const auto rec = Recording::open(path, syncOptions());
  EXPECT_TRUE(rec->annotationsOnly());
  EXPECT_TRUE(rec->channels().empty());
  EXPECT_EQ(rec->header().flavor, EdfFlavor::EdfPlusContinuous);
  EXPECT_EQ(rec->header().recordCount, 1);
  EXPECT_DOUBLE_EQ(rec->header().recordDurationSec, 0.0);
  EXPECT_TRUE(rec->gaps().empty());
  expectSameAsWritten(rec->annotations(), spec.annotations);
  expectSameAsMne(rec->annotations(), mneAnnotations(path, tmp.path()));
  EXPECT_EQ(test::readAllBytes(path), before) << "source modified";
}

TEST(AnnotationOnlyFile, TalsSpreadOverRecordsAndBdfPlus) {
  test::TempDir tmp("annonly");
  for (const bool bdf : {false, true}) {
    SCOPED_TRACE(bdf ? "BDF+" : "EDF+");
    test::AnnotationOnlySpec spec;
    spec.annotations = hypnogramEntries();
    spec.records = 3;
    spec.recordDurationSec = 0;
    spec.bdf = bdf;
    const auto path = tmp / (bdf ? "spread.bdf" : "spread.edf");
    test::writeAnnotationOnlyEdf(path, spec);
    const auto rec = Recording::open(path, syncOptions());
    EXPECT_TRUE(rec->annotationsOnly());
    EXPECT_EQ(rec->header().flavor, bdf ? EdfFlavor::BdfPlusContinuous : EdfFlavor::EdfPlusContinuous);
    EXPECT_EQ(rec->header().recordCount, 3);
    // Read back sorted by onset, as written (the writer spreads them round-robin).
    expectSameAsWritten(rec->annotations(), spec.annotations);
    if (!bdf) expectSameAsMne(rec->annotations(), mneAnnotations(path, tmp.path()));
  }
}

TEST(AnnotationOnlyFile, ZeroDeclaredRecords) {
  test::TempDir tmp("annonly");
  test::AnnotationOnlySpec spec;
  spec.annotations = hypnogramEntries();
  spec.declaredRecords = "0";
  const auto path = tmp / "zero.edf";
  test::writeAnnotationOnlyEdf(path, spec);
  const auto rec = Recording::open(path, syncOptions());
  EXPECT_TRUE(rec->annotationsOnly());
  EXPECT_EQ(rec->header().recordCount, 1);
  bool reported = false;
  for (const auto& r : rec->repairReport().repairs)
    reported = reported || r.find("declares 0 data records") != std::string::npos;
  EXPECT_TRUE(reported);
  expectSameAsWritten(rec->annotations(), spec.annotations);

  // Only the header: no record at all is an empty annotation list, not an error.
  auto bytes = test::readAllBytes(path);
  bytes.resize(512);
  test::writeAllBytes(tmp / "header_only.edf", bytes);
  const auto empty = Recording::open(tmp / "header_only.edf", syncOptions());
  EXPECT_TRUE(empty->annotationsOnly());
  EXPECT_EQ(empty->header().recordCount, 0);
  EXPECT_TRUE(empty->annotations().empty());
  EXPECT_DOUBLE_EQ(empty->durationSec(), 0.0);
}

TEST(AnnotationOnlyFile, AFileWithDataSignalsIsNotAnnotationOnlyAndStillNeedsRecords) {
  test::TempDir tmp("annonly");
  test::SyntheticSpec spec;
  spec.channels = 2;
  spec.seconds = 3;
  spec.edfPlus = true;
  spec.annotations = {{1.5, "event"}};
  const auto path = tmp / "plus.edf";
  test::writeSyntheticEdf(path, spec);
  const auto rec = Recording::open(path, syncOptions());
  EXPECT_FALSE(rec->annotationsOnly());
  EXPECT_EQ(rec->channels().size(), 2u);
  auto bytes = test::readAllBytes(path);
  bytes.resize(rec->header().headerBytes);  // a data file without records stays an error
  test::writeAllBytes(tmp / "norecords.edf", bytes);
  try {
    (void)Recording::open(tmp / "norecords.edf", syncOptions());
    ADD_FAILURE() << "opened a data file without records";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("no complete data record"), std::string::npos) << e.what();
  }
}

TEST(EdfPlusD, GapsAreTypedSeparatelyFromAnnotations) {
  test::TempDir tmp("edfd");
  test::SyntheticSpec spec;
  spec.channels = 2;
  spec.seconds = 5;
  spec.edfPlus = true;
  spec.annotations = {{0.5, "stimulus"}};
  const auto path = tmp / "d.edf";
  test::writeSyntheticEdf(path, spec);
  auto bytes = test::readAllBytes(path);
  test::patchField(bytes, 192, 44, "EDF+D");
  // Record onsets 0, 1, 7, 8, 20: gaps of 5 s after record 1 and 3 s after record 3.
  const std::string s(bytes.begin(), bytes.end());
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"+2\x14\x14", "+7\x14\x14"},
                                 {"+3\x14\x14", "+8\x14\x14"},
                                 {"+4\x14\x14", "+12\x14\x14"}}) {
    const auto at = s.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    // The TAL is followed by NUL padding, so a longer onset still fits.
    for (std::size_t k = 0; k < to.size(); ++k) bytes[at + k] = static_cast<std::uint8_t>(to[k]);
  }
  test::writeAllBytes(path, bytes);
  const auto rec = Recording::open(path, syncOptions());
  ASSERT_EQ(rec->header().flavor, EdfFlavor::EdfPlusDiscontinuous);
  const auto gaps = rec->gaps();
  ASSERT_EQ(gaps.size(), 2u);
  EXPECT_DOUBLE_EQ(gaps[0].onsetSec, 2.0);
  EXPECT_DOUBLE_EQ(gaps[0].durationSec, 5.0);
  EXPECT_DOUBLE_EQ(gaps[1].onsetSec, 9.0);
  EXPECT_DOUBLE_EQ(gaps[1].durationSec, 3.0);
  const auto ann = rec->annotations();
  ASSERT_EQ(ann.size(), 1u);  // only the file's own annotation
  EXPECT_EQ(ann[0].text, "stimulus");
  EXPECT_DOUBLE_EQ(ann[0].onsetSec, 0.5);
  EXPECT_DOUBLE_EQ(rec->recordOnsetSec(4), 12.0);

  // A continuous file has no gaps.
  test::writeSyntheticEdf(tmp / "c.edf", spec);
  EXPECT_TRUE(Recording::open(tmp / "c.edf", syncOptions())->gaps().empty());
}
