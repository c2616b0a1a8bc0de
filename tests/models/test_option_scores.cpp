// scores.csv, the raw option log-probabilities an eval run writes for pooled (cross-fitted) calibration:
// values survive the round trip bit for bit, and every kind of damage is refused with the file, the line and
// the problem.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "common/TempDir.h"
#include "models/train/OptionScores.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

fs::path write(const fs::path& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir / name, std::ios::binary) << text;
  return dir / name;
}

std::string refusal(const fs::path& path, std::size_t options) {
  try {
    train::readOptionScores(path, options);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST(OptionScores, RoundTripIsExact) {
  test::TempDir tmp("option-scores");
  train::OptionScores s;
  s.files = {"Subject22_1.edf", "Subject23_2.edf"};
  s.startSec = {122.0, 0.1 + 0.2};
  s.subjects = {"22", "23"};
  s.labels = {0, 1};
  s.logProbs = {{-0.1 / 3.0, std::log(0.97)}, {-1e-300, -745.1332191019412}};
  const auto path = write(tmp.path(), "scores.csv", train::formatOptionScores(s));
  const auto back = train::readOptionScores(path, 2);
  EXPECT_EQ(back.files, s.files);
  EXPECT_EQ(back.subjects, s.subjects);
  EXPECT_EQ(back.labels, s.labels);
  ASSERT_EQ(back.logProbs.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back.startSec[i], s.startSec[i]);  // bit for bit, not approximately
    for (std::size_t k = 0; k < 2; ++k) EXPECT_EQ(back.logProbs[i][k], s.logProbs[i][k]);
  }
  // The header names one column per option.
  std::ifstream in(path);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header, "file,start_sec,subject,label,logp0,logp1");
}

TEST(OptionScores, DamageIsRefusedWithFileLineAndReason) {
  test::TempDir tmp("option-scores-bad");
  const std::string head = "file,start_sec,subject,label,logp0,logp1\n";
  struct Case {
    std::string name, text, expected;
  };
  const std::vector<Case> cases = {
      {"empty.csv", "", ":1: empty file"},
      {"three-options.csv", "file,start_sec,subject,label,logp0,logp1,logp2\n", ":1: header is"},
      {"no-rows.csv", head, ":2: no window"},
      {"short.csv", head + "a.edf,0,22,1,-0.5\n", ":2: 5 columns, expected 6"},
      {"label.csv", head + "a.edf,0,22,0,-0.5,-1\nb.edf,4,22,2,-0.5,-1\n", ":3: label 2 is not one of the 2 options"},
      {"nan.csv", head + "a.edf,0,22,1,nan,-1\n", ":2: log-probability 'nan' is not a finite number"},
      {"text.csv", head + "a.edf,zero,22,1,-0.5,-1\n", ":2: start_sec 'zero' is not a finite number"},
      {"positive.csv", head + "a.edf,0,22,1,0.5,-1\n", ":2: log-probability 0.5 is above 0"},
      {"subject.csv", head + "a.edf,0,,1,-0.5,-1\n", ":2: no subject"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto path = write(tmp.path(), c.name, c.text);
    const auto why = refusal(path, 2);
    EXPECT_NE(why.find(path.string() + c.expected), std::string::npos) << why;
  }
  const auto missing = refusal(tmp.path() / "missing.csv", 2);
  EXPECT_NE(missing.find((tmp.path() / "missing.csv").string() + ": option scores not found"), std::string::npos)
      << missing;
  // Windows line endings are read like Unix ones.
  const auto crlf = write(tmp.path(), "crlf.csv", "file,start_sec,subject,label,logp0,logp1\r\na.edf,0,22,1,-0.5,-1\r\n");
  EXPECT_EQ(train::readOptionScores(crlf, 2).labels, (std::vector<int64_t>{1}));
}
