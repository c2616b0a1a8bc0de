// neurolm psd --montage/--filter: a bipolar derivation of display-filtered EEGMAT channels equals scipy
// (sosfiltfilt over the whole recording, then welch of the window), and bad arguments are named.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

#include "cli/CliRun.h"
#include "common/TestPaths.h"

using namespace neurolm;

namespace {

std::string runPython(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  char buf[65536];
  while (pipe && fgets(buf, sizeof buf, pipe.get())) out += buf;
  return out;
}

}  // namespace

TEST(CliPsdMontage, FilteredBipolarDerivationEqualsScipy) {
  const auto file = test::dataDir() / "eegmat" / "Subject00_1.edf";
  const auto ref = nlohmann::json::parse(runPython(
      std::string(test::python()) + " " + (test::testsDir() / "tools" / "montage_psd_reference.py").string() +
      " " + file.string() + " 'EEG Fp1' 'EEG F7' 1 30 3 20 50 1000"));
  const auto r =
      test::runCli({"psd", file.string(), "--window", "20:50", "--montage", "double-banana", "--filter",
                    "hp=1,lp=30,order=3", "--channels", "Fp1-F7", "--nperseg", "1000", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["montage"], "Longitudinal bipolar");
  ASSERT_EQ(j["channels"].size(), 1u);
  const auto& c = j["channels"][0];
  EXPECT_EQ(c["label"], "Fp1-F7");
  EXPECT_EQ(c["type"], "eeg");
  const auto psd = c["psd"].get<std::vector<double>>();
  const auto want = ref["psd"].get<std::vector<double>>();
  ASSERT_EQ(psd.size(), want.size());
  double peak = 0, worst = 0;
  for (double v : want) peak = std::max(peak, v);
  for (std::size_t k = 0; k < psd.size(); ++k) worst = std::max(worst, std::abs(psd[k] - want[k]));
  EXPECT_LT(worst / peak, 1e-6) << "max |diff| " << worst << " of peak " << peak;
  // The filter did act: power above 45 Hz is far below that of the unfiltered derivation.
  const auto plain = test::runCli({"psd", file.string(), "--window", "20:50", "--montage", "double-banana",
                                   "--channels", "Fp1-F7", "--nperseg", "1000", "--json"});
  const auto raw = nlohmann::json::parse(plain.out)["channels"][0]["psd"].get<std::vector<double>>();
  EXPECT_LT(psd[100], 0.01 * raw[100]);  // 50 Hz
}

TEST(CliPsdMontage, BadMontageAndFilterAreNamed) {
  const auto file = (test::dataDir() / "eegmat" / "Subject00_1.edf").string();
  auto r = test::runCli({"psd", file, "--montage", "nonsense"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("--montage 'nonsense'"), std::string::npos) << r.err;
  r = test::runCli({"psd", file, "--filter", "hp=0.5,bp=3"});
  EXPECT_NE(r.err.find("unknown key 'bp'"), std::string::npos) << r.err;
  r = test::runCli({"psd", file, "--filter", "lp=300"});
  EXPECT_NE(r.err.find("low-pass 300 Hz"), std::string::npos) << r.err;
  r = test::runCli({"psd", file, "--montage", "average", "--channels", "Fp1"});
  EXPECT_NE(r.err.find("'Fp1' is not a derivation"), std::string::npos) << r.err;
  r = test::runCli({"psd", "--help"});
  EXPECT_NE(r.out.find("--montage NAME|FILE"), std::string::npos);
}
