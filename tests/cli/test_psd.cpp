#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "cli/CliRun.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/io/Npy.h"

using namespace neurolm;

namespace {

// scipy.signal.welch through tests/tools/welch_reference.py (MNE reads the file, in µV).
struct Reference {
  std::vector<double> freqs, psd;
  nlohmann::json bands;
};

Reference scipyReference(const std::filesystem::path& file, const test::TempDir& tmp, const std::string& a,
                         const std::string& b, int nperseg, int noverlap) {
  const std::string cmd = std::string(test::python()) + " " +
                          (test::testsDir() / "tools" / "welch_reference.py").string() + " " + file.string() +
                          " " + tmp.path().string() + " " + a + " " + b + " " + std::to_string(nperseg) +
                          " " + std::to_string(noverlap) + " hann constant";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  Reference r;
  r.freqs = readNpy(tmp / "freqs.npy").toDouble();
  r.psd = readNpy(tmp / "psd.npy").toDouble();
  std::ifstream in(tmp / "bands.json");
  r.bands = nlohmann::json::parse(in);
  return r;
}

}  // namespace

TEST(CliPsd, JsonEqualsScipyWelchOnEegmat) {
  const auto file = test::dataDir() / "eegmat" / "Subject01_2.edf";
  test::TempDir tmp("cli-psd");
  const Reference ref = scipyReference(file, tmp, "20", "50", 1000, 500);
  // 'O1' by its cleaned name, the ECG (recorded in mV) by its label.
  const auto r = test::runCli({"psd", file.string(), "--window", "20:50", "--channels", "O1,ECG ECG",
                               "--nperseg", "1000", "--overlap", "0.5", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["taper"], "hann");
  EXPECT_EQ(j["noverlap"], 500);
  EXPECT_EQ(j["window_sec"][0].get<double>(), 20.0);
  ASSERT_EQ(j["channels"].size(), 2u);
  const std::vector<std::string> labels = ref.bands["labels"].get<std::vector<std::string>>();
  const std::size_t bins = ref.freqs.size();
  double worst = 0;
  for (const auto& c : j["channels"]) {
    const auto label = c["label"].get<std::string>();
    const auto row =
        static_cast<std::size_t>(std::find(labels.begin(), labels.end(), label) - labels.begin());
    ASSERT_LT(row, labels.size()) << label;
    EXPECT_EQ(c["psd_unit"], "µV²/Hz");
    EXPECT_EQ(c["segments"], 29);  // (15000 - 500) / 500
    EXPECT_EQ(c["type"], label == "ECG ECG" ? "ecg" : "eeg");
    const auto psd = c["psd"].get<std::vector<double>>();
    const auto freqs = c["frequencies_hz"].get<std::vector<double>>();
    ASSERT_EQ(psd.size(), bins);
    for (std::size_t k = 0; k < bins; ++k) {
      ASSERT_NEAR(freqs[k], ref.freqs[k], 1e-9);
      const double want = ref.psd[row * bins + k];
      worst = std::max(worst, std::abs(psd[k] - want) / std::max(want, 1e-12));
    }
    ASSERT_EQ(c["band_powers"].size(), 5u);
    for (std::size_t b = 0; b < 5; ++b) {
      const auto& ours = c["band_powers"][b];
      const auto& theirs = ref.bands["bands"][b];
      EXPECT_EQ(ours["name"], theirs["name"]);
      EXPECT_NEAR(ours["power"].get<double>(), theirs["power"][row].get<double>(),
                  1e-9 * theirs["power"][row].get<double>());
      EXPECT_NEAR(ours["relative"].get<double>(), theirs["relative"][row].get<double>(), 1e-9);
    }
  }
  EXPECT_LT(worst, 1e-8);
}

TEST(CliPsd, TextTableAndErrors) {
  const auto file = (test::dataDir() / "eegmat" / "Subject00_1.edf").string();
  const auto r =
      test::runCli({"psd", file, "--window", "0:10", "--channels", "EEG Fp1", "--bands", "alpha:8-13"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("alpha 8-13"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("PSD (µV²/Hz)"), std::string::npos) << r.out;
  // Rows: bins of 500/256 Hz up to the highest band edge (13 Hz): 11.719 (bin 6) is the last, 13.672 is not.
  EXPECT_NE(r.out.find("   11.719 "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("   13.672 "), std::string::npos) << r.out;

  const auto unknown = test::runCli({"psd", file, "--channels", "Fp9"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.err.find("'Fp9' is not a channel"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("'EEG Fp1'"), std::string::npos);
  const auto overlap = test::runCli({"psd", file, "--overlap", "1"});
  EXPECT_EQ(overlap.code, 1);
  EXPECT_NE(overlap.err.find("0 <= F < 1"), std::string::npos);
  const auto outside = test::runCli({"psd", file, "--window", "100:1000"});
  EXPECT_EQ(outside.code, 1);
  EXPECT_NE(outside.err.find("outside the recording"), std::string::npos) << outside.err;
  const auto help = test::runCli({"psd", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("band_powers:[{name, low_hz, high_hz, power, relative, bins}]"), std::string::npos);
}
