// neurolm spectrogram: the .npy and the JSON equal scipy.signal.spectrogram of the same EEGMAT samples read
// by MNE; --help names every JSON field; bad arguments are named.
#include <gtest/gtest.h>

#include <cstdlib>

#include "cli/CliRun.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/io/Npy.h"

using namespace neurolm;

TEST(CliSpectrogram, EqualsScipyOnEegmat) {
  const auto file = test::dataDir() / "eegmat" / "Subject00_1.edf";
  test::TempDir tmp("cli-spectrogram");
  const std::string cmd = std::string(test::python()) + " " +
                          (test::testsDir() / "tools" / "spectrogram_edf_reference.py").string() + " " +
                          file.string() + " " + tmp.path().string() +
                          " 12.5 72.5 'EEG Fp1,EEG O1,ECG ECG' 1000 500";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const auto refFreqs = readNpy(tmp / "freqs.npy").toDouble();
  const auto refTimes = readNpy(tmp / "times.npy").toDouble();
  const auto refPower = readNpy(tmp / "power.npy").toDouble();

  const auto out = (tmp / "s.npy").string();
  // 'ECG ECG' is recorded in mV: both sides convert it to µV.
  const auto r =
      test::runCli({"spectrogram", file.string(), "--window", "12.5:72.5", "--channels", "Fp1,EEG O1,ECG ECG",
                    "--nperseg-sec", "2", "--overlap", "0.5", "--out", out, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["channels"], (std::vector<std::string>{"EEG Fp1", "EEG O1", "ECG ECG"}));
  EXPECT_EQ(j["nperseg"], 1000);
  EXPECT_EQ(j["noverlap"], 500);
  EXPECT_EQ(j["sample_rate_hz"], 500.0);
  EXPECT_EQ(j["unit"], "µV²/Hz");
  const auto freqs = j["frequencies_hz"].get<std::vector<double>>();
  const auto times = j["times_sec"].get<std::vector<double>>();
  ASSERT_EQ(freqs.size(), refFreqs.size());
  ASSERT_EQ(times.size(), refTimes.size());
  for (std::size_t k = 0; k < freqs.size(); ++k) EXPECT_NEAR(freqs[k], refFreqs[k], 1e-9);
  for (std::size_t t = 0; t < times.size(); ++t) EXPECT_NEAR(times[t], 12.5 + refTimes[t], 1e-9);

  const NpyArray npy = readNpy(out);
  EXPECT_EQ(npy.type, NpyType::Float32);
  EXPECT_EQ(npy.shape, (std::vector<std::size_t>{3, freqs.size(), times.size()}));
  EXPECT_EQ(j["shape"], npy.shape);
  const auto power = npy.toDouble();
  ASSERT_EQ(power.size(), refPower.size());
  const std::size_t plane = freqs.size() * times.size();
  for (std::size_t c = 0; c < 3; ++c) {
    double peak = 0, worst = 0;
    for (std::size_t i = c * plane; i < (c + 1) * plane; ++i) peak = std::max(peak, refPower[i]);
    for (std::size_t i = c * plane; i < (c + 1) * plane; ++i)
      worst = std::max(worst, std::abs(power[i] - refPower[i]));
    EXPECT_LT(worst / peak, 1e-5) << "channel " << c << ": max |diff| " << worst << " of peak " << peak;
  }
}

TEST(CliSpectrogram, HelpDocumentsEveryJsonField) {
  const auto file = test::dataDir() / "eegmat" / "Subject00_1.edf";
  test::TempDir tmp("cli-spectrogram");
  const auto r =
      test::runCli({"spectrogram", file.string(), "--window", "0:10", "--channels", "Fz", "--montage",
                    "referential", "--filter", "hp=1", "--out", (tmp / "s.npy").string(), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto help = test::runCli({"spectrogram", "--help"});
  EXPECT_EQ(help.code, 0);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GE(j.size(), 18u);
  for (const auto& [key, value] : j.items())
    EXPECT_NE(help.out.find(key), std::string::npos) << "--help does not mention '" << key << "'";
  EXPECT_EQ(j["filter"].get<std::string>().find("off"), std::string::npos) << j["filter"];
}

TEST(CliSpectrogram, BadArgumentsAreNamed) {
  const auto file = (test::dataDir() / "eegmat" / "Subject00_1.edf").string();
  test::TempDir tmp("cli-spectrogram");
  const auto out = (tmp / "s.npy").string();
  auto r = test::runCli({"spectrogram", file});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--out is required"), std::string::npos) << r.err;
  r = test::runCli({"spectrogram", file, "--out", out, "--window", "0:1", "--nperseg-sec", "2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("fewer than one segment"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Subject00_1.edf"), std::string::npos) << r.err;
  r = test::runCli({"spectrogram", file, "--out", out, "--channels", "Cz9"});
  EXPECT_NE(r.err.find("'Cz9' is not a channel"), std::string::npos) << r.err;
  r = test::runCli({"spectrogram", file, "--out", out, "--overlap", "1"});
  EXPECT_NE(r.err.find("--overlap '1'"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}
