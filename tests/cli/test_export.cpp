// neurolm export: options, channel selection by cleaned name, values against MNE's reading of the source, and
// clear errors for bad ranges, unknown formats and unwritable targets.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli/CliRun.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/io/Npy.h"

using namespace neurolm;

namespace {
const std::filesystem::path kEegmat = test::dataDir() / "eegmat" / "Subject00_1.edf";
}

TEST(CliExport, HelpDocumentsTheOptionsAndFormats) {
  const auto r = test::runCli({"export", "--help"});
  EXPECT_EQ(r.code, 0);
  for (const char* word : {"--range a:b", "--channels", "--out", ".edf", ".csv", ".npy", "OUT.json"}) {
    EXPECT_NE(r.out.find(word), std::string::npos) << word;
  }
  EXPECT_NE(test::runCli({"help"}).out.find("export FILE --range a:b"), std::string::npos);
}

TEST(CliExport, CsvOfTwoChannelsEqualsMneWithinTheResolution) {
  test::TempDir tmp("cli-export");
  const auto r = test::runCli({"export", kEegmat.string(), "--range", "10:12", "--channels", "Fp1,ECG ECG",
                               "--out", (tmp / "two.csv").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 channel(s), 1000 samples"), std::string::npos) << r.out;
  const std::string cmd = std::string(test::python()) + " " +
                          (test::testsDir() / "tools" / "export_reference.py").string() + " " +
                          kEegmat.string() + " 10 12 " + tmp.path().string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const auto s = readNpy(tmp / "source.npy").toDouble();  // [21, 1000]: Fp1 is row 0, the ECG row 20
  std::ifstream in(tmp / "two.csv");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "time_sec,EEG Fp1 [uV],ECG ECG [mV]");
  std::size_t row = 0;
  double worstFp1 = 0, worstEcg = 0;
  while (std::getline(in, line)) {
    std::stringstream f(line);
    std::string t, a, b;
    std::getline(f, t, ',');
    std::getline(f, a, ',');
    std::getline(f, b, ',');
    ASSERT_LT(row, 1000u);
    worstFp1 = std::max(worstFp1, std::abs(std::stod(a) - s[row]));
    worstEcg = std::max(worstEcg, std::abs(std::stod(b) - s[20 * 1000 + row]));
    ++row;
  }
  EXPECT_EQ(row, 1000u);
  // Half a digital step of these channels (from EEGMAT's header: EEG 0.00159 µV per step, ECG 1.31e-5 mV).
  EXPECT_LT(worstFp1, 0.0008);
  EXPECT_LT(worstEcg, 6.5e-6);
}

TEST(CliExport, RefusesBadInputWithClearErrors) {
  test::TempDir tmp("cli-export-bad");
  const auto bad = [&](std::vector<std::string> args, int code, const std::string& words) {
    args.insert(args.begin(), "export");
    const auto r = test::runCli(args);
    EXPECT_EQ(r.code, code) << r.err;
    EXPECT_NE(r.err.find(words), std::string::npos) << r.err;
  };
  const std::string out = (tmp / "x.edf").string();
  bad({kEegmat.string(), "--range", "5:2", "--out", out}, 1, "not inside the recording");
  bad({kEegmat.string(), "--range", "0:1000", "--out", out}, 1, "not inside the recording");
  bad({kEegmat.string(), "--range", "a:2", "--out", out}, 1, "--range start 'a' is not a number");
  bad({kEegmat.string(), "--range", "2", "--out", out}, 1, "expected a:b");
  bad({kEegmat.string(), "--range", "0:1", "--out", (tmp / "x.wav").string()}, 1, "unknown export format");
  bad({kEegmat.string(), "--range", "0:1", "--out", (tmp / "no" / "x.csv").string()}, 1, "does not exist");
  bad({kEegmat.string(), "--range", "0:1", "--channels", "Qq9", "--out", out}, 1, "'Qq9' is not a channel");
  bad({kEegmat.string(), "--range", "0:1"}, 2, "--out");
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
}
