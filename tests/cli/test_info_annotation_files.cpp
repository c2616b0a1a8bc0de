// `neurolm info` on annotation-only EDF+ files (hypnograms) and on EDF+D files with gaps.
#include <gtest/gtest.h>

#include "cli/CliRun.h"
#include "common/SyntheticEdf.h"
#include "common/TempDir.h"

using namespace neurolm;

namespace {

test::AnnotationOnlySpec hypnogram() {
  test::AnnotationOnlySpec spec;
  spec.annotations = {{0, 30, "Sleep stage W"},
                      {30, 60, "Sleep stage 1"},
                      {95.5, -1, "\xE8\x84\x91\xE7\x94\xB5 event"}};  // "脑电 event"
  return spec;
}

}  // namespace

TEST(CliInfoAnnotationFile, TextSaysAnnotationsOnlyAndListsThem) {
  test::TempDir tmp("cliann");
  const auto path = tmp / "SC4001EC-Hypnogram.edf";
  test::writeAnnotationOnlyEdf(path, hypnogram());
  const auto r = test::runCli({"info", path.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("format:     EDF+C"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("content:    annotations only"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no channels and no samples"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("annotations: 3\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  30.000 (+60 s)  Sleep stage 1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  95.500  \xE8\x84\x91\xE7\x94\xB5 event\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("span:       0 .. 95.5 s"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("channels:"), std::string::npos) << r.out;
}

TEST(CliInfoAnnotationFile, JsonHasAnnotationsOnlyFlagAndTheList) {
  test::TempDir tmp("cliann");
  const auto path = tmp / "h.edf";
  test::writeAnnotationOnlyEdf(path, hypnogram());
  const auto r = test::runCli({"info", path.string(), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["annotations_only"], true);
  EXPECT_TRUE(j["channels"].empty());
  ASSERT_EQ(j["annotations"].size(), 3u);
  EXPECT_EQ(j["annotations"][1]["text"], "Sleep stage 1");
  EXPECT_DOUBLE_EQ(j["annotations"][1]["duration_sec"].get<double>(), 60.0);
  EXPECT_FALSE(j["annotations"][2].contains("duration_sec"));
  EXPECT_EQ(j["annotations"][2]["text"], "\xE8\x84\x91\xE7\x94\xB5 event");
  EXPECT_TRUE(j["gaps"].empty());
}

TEST(CliInfoGaps, EdfPlusDGapsAreListedApartFromAnnotations) {
  test::TempDir tmp("cligap");
  test::SyntheticSpec spec;
  spec.channels = 1;
  spec.seconds = 3;
  spec.edfPlus = true;
  spec.annotations = {{0.25, "start"}};
  const auto path = tmp / "d.edf";
  test::writeSyntheticEdf(path, spec);
  auto bytes = test::readAllBytes(path);
  test::patchField(bytes, 192, 44, "EDF+D");
  const std::string s(bytes.begin(), bytes.end());
  const auto at = s.find("+2\x14\x14");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 1] = '6';  // record 3 starts at 6 s: a 4-s gap after record 2
  test::writeAllBytes(path, bytes);

  const auto j = nlohmann::json::parse(test::runCli({"info", path.string(), "--json"}).out);
  EXPECT_EQ(j["format"], "EDF+D");
  EXPECT_EQ(j["annotations_only"], false);
  ASSERT_EQ(j["gaps"].size(), 1u);
  EXPECT_DOUBLE_EQ(j["gaps"][0]["onset_sec"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(j["gaps"][0]["duration_sec"].get<double>(), 4.0);
  ASSERT_EQ(j["annotations"].size(), 1u);
  EXPECT_EQ(j["annotations"][0]["text"], "start");

  const auto text = test::runCli({"info", path.string()});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("annotations: 1\n  0.250  start\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("gaps:       1 "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  2.000 (+4 s)\n"), std::string::npos) << text.out;

  const auto help = test::runCli({"info", "--help"});
  EXPECT_NE(help.out.find("gaps[{onset_sec, duration_sec}]"), std::string::npos);
  EXPECT_NE(help.out.find("annotations_only"), std::string::npos);
}
