// Bad input: every broken file either opens with a repair report that says what was assumed, or fails with a
// message naming the file and the problem. The source is never written.
#include <gtest/gtest.h>

#include <algorithm>

#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "core/io/Recording.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

// Plain EDF, 2 signals (header 768 bytes), 5 records of 1 s at 256 Hz.
constexpr std::size_t kNs = 2;
constexpr std::size_t kLabels = 256, kPhysMin = 256 + kNs * (16 + 80 + 8), kPhysMax = kPhysMin + 8 * kNs;
constexpr std::size_t kDigMin = kPhysMax + 8 * kNs, kDigMax = kDigMin + 8 * kNs;
constexpr std::size_t kSpr = kDigMax + 8 * kNs + 80 * kNs;

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    test::SyntheticSpec spec;
    spec.channels = 2;
    spec.seconds = 5;
    spec.labels = {"Fp1", "Fp2"};
    test::writeSyntheticEdf(good(), spec);
    bytes_ = test::readAllBytes(good());
    ASSERT_EQ(bytes_.size(), 768u + 5 * 1024);
  }
  fs::path good() const { return tmp_ / "good.edf"; }
  fs::path write(const std::vector<std::uint8_t>& b) const {
    const auto p = tmp_ / "bad file é.edf";
    test::writeAllBytes(p, b);
    return p;
  }
  // Expects open() to fail with a message that names the file and contains `problem`.
  void expectError(const std::vector<std::uint8_t>& b, const std::string& problem) const {
    const auto p = write(b);
    try {
      (void)Recording::open(p, {});
      ADD_FAILURE() << "opened a broken file; expected: " << problem;
    } catch (const std::exception& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(p.string()), std::string::npos) << what;
      EXPECT_NE(what.find(problem), std::string::npos) << what;
    }
    EXPECT_EQ(test::readAllBytes(p), b) << "source modified";
  }
  std::shared_ptr<Recording> expectRepair(const std::vector<std::uint8_t>& b, const std::string& repair) const {
    const auto p = write(b);
    auto rec = Recording::open(p, {});
    bool found = false;
    for (const auto& r : rec->repairReport().repairs) found = found || r.find(repair) != std::string::npos;
    EXPECT_TRUE(found) << "no repair mentioning '" << repair << "'";
    EXPECT_EQ(test::readAllBytes(p), b) << "source modified";
    return rec;
  }
  std::vector<std::uint8_t> patched(std::size_t offset, std::size_t width, const std::string& v) const {
    auto b = bytes_;
    test::patchField(b, offset, width, v);
    return b;
  }

  test::TempDir tmp_{"badinput"};
  std::vector<std::uint8_t> bytes_;
};

}  // namespace

TEST_F(BadInput, MissingEmptyTinyAndForeignFiles) {
  try {
    (void)Recording::open(tmp_ / "nope.edf");
    ADD_FAILURE();
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("nope.edf: file not found"), std::string::npos) << e.what();
  }
  try {
    (void)Recording::open(tmp_.path());
    ADD_FAILURE();
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
  }
  expectError({}, "the file is empty");
  expectError(std::vector<std::uint8_t>(100, '0'), "only 100 bytes");
  std::vector<std::uint8_t> text(400, ' ');
  const std::string hello = "Hello, this is a text file";
  std::copy(hello.begin(), hello.end(), text.begin());
  expectError(text, "not an EDF/BDF file");
}

TEST_F(BadInput, TruncatedHeaderAndRecords) {
  expectError(std::vector<std::uint8_t>(bytes_.begin(), bytes_.begin() + 500), "truncated header");
  expectError(std::vector<std::uint8_t>(bytes_.begin(), bytes_.begin() + 768 + 100), "no complete data record");
  auto rec = expectRepair(std::vector<std::uint8_t>(bytes_.begin(), bytes_.begin() + 768 + 2 * 1024 + 300),
                          "holds 2 of the 5 declared data records (plus 300 bytes");
  EXPECT_DOUBLE_EQ(rec->durationSec(), 2.0);
  EXPECT_THROW((void)rec->readPhysical(0, 0, 3 * 256), std::out_of_range);
}

TEST_F(BadInput, WrongRecordCounts) {
  EXPECT_DOUBLE_EQ(expectRepair(patched(236, 8, "9"), "holds 5 of the 9 declared")->durationSec(), 5.0);
  EXPECT_DOUBLE_EQ(expectRepair(patched(236, 8, "3"), "2048 bytes after the 3 declared")->durationSec(), 3.0);
  EXPECT_DOUBLE_EQ(expectRepair(patched(236, 8, "-1"), "counted 5 complete records")->durationSec(), 5.0);
  EXPECT_DOUBLE_EQ(expectRepair(patched(236, 8, "99999999"), "holds 5 of the 99999999")->durationSec(), 5.0);
  expectError(patched(236, 8, "abc"), "number of data records: 'abc' is not an integer");
  expectError(patched(236, 8, "-7"), "number of data records: -7");
}

TEST_F(BadInput, BadNumbersInSignalFields) {
  expectError(patched(kPhysMin, 8, "abc"), "physical minimum of signal 1 ('Fp1'): 'abc' is not a number");
  expectError(patched(kPhysMax + 8, 8, "1e999"), "physical maximum of signal 2 ('Fp2'): '1e999' is not a number");
  expectError(patched(kDigMin, 8, "40000"), "digital minimum of signal 1 ('Fp1'): 40000 is outside the 16-bit range");
  expectError(patched(kDigMin, 8, "32767"), "digital range of signal 1 ('Fp1'): minimum 32767 is not below maximum");
  expectError(patched(kPhysMin, 8, "3276.7"), "physical range of signal 1 ('Fp1'): minimum equals maximum");
  expectError(patched(kSpr, 8, "x"), "samples per data record of signal 1 ('Fp1'): 'x' is not an integer");
  expectError(patched(kSpr, 8, "0"), "samples per data record of signal 1 ('Fp1'): 0 (must be positive)");
  expectError(patched(184, 8, "1024"), "header size: 1024 bytes, but 2 signals need exactly 768");
  expectError(patched(244, 8, "0"), "data record duration: 0 s");
  auto rec = expectRepair(patched(kPhysMax, 8, "3276,7"), "decimal comma");
  EXPECT_DOUBLE_EQ(rec->channels()[0].physicalMax, 3276.7);
}

TEST_F(BadInput, ZeroSignalsAndHugeDeclaredSizes) {
  expectError(patched(252, 4, "0"), "number of signals: 0");
  expectError(patched(252, 4, "9999"), "number of signals: 9999 exceeds the supported maximum");
  expectError(patched(252, 4, "64"), "truncated header");
  expectError(patched(kSpr, 8, "99999999"), "exceeds the supported maximum 10000000");
}

TEST_F(BadInput, NonAsciiLabelsAreDecodedAndReported) {
  auto b = bytes_;
  b[kLabels + 3] = 0xE9;  // Latin-1 e-acute: "Fp1\xE9"
  auto rec = expectRepair(b, "decoded as Latin-1");
  EXPECT_EQ(rec->channels()[0].label, "Fp1\xC3\xA9");
  b = bytes_;
  const std::string utf8 = "Fz\xE2\x9C\x93";  // "Fz✓"
  test::patchField(b, kLabels + 16, 16, utf8);
  rec = expectRepair(b, "decoded as UTF-8");
  EXPECT_EQ(rec->channels()[1].label, utf8);
}

TEST_F(BadInput, GarbageStartDateIsReportedNotFatal) {
  auto rec = expectRepair(patched(168, 8, "xx.yy.zz"), "start date 'xx.yy.zz' is not dd.mm.yy; assumed 01.01.1985");
  EXPECT_EQ(rec->header().startYear, 1985);
}

// ---- Regressions found by tests/fuzz/fuzz_edf.cpp ------------------------------------------------------------

// fuzz crash-6d7391051d8e (UBSan: reference binding to null pointer in envelope): with buildPyramid = false the
// pyramid counted as "done", so a wide envelope (>= 2 pyramid bins per column) indexed a pyramid that was never
// built. It must fold the samples instead: the columns equal the min/max of readPhysical over the same samples.
TEST_F(BadInput, WideEnvelopeWithoutPyramidFoldsTheSamples) {
  OpenOptions o;
  o.buildPyramid = false;
  auto rec = Recording::open(good(), o);
  EXPECT_TRUE(rec->pyramidComplete());  // nothing to wait for
  rec->waitForPyramid();
  const std::vector<double> v = rec->readPhysical(1, 0, 5 * 256);
  const auto env = rec->envelope(1, 0, 5 * 256, 2);  // 640 samples per column
  ASSERT_EQ(env.size(), 2u);
  for (std::size_t px = 0; px < 2; ++px) {
    const auto [mn, mx] = std::minmax_element(v.begin() + 640 * px, v.begin() + 640 * (px + 1));
    EXPECT_FLOAT_EQ(env[px].min, static_cast<float>(*mn));
    EXPECT_FLOAT_EQ(env[px].max, static_cast<float>(*mx));
    // Channel 2 is 200 uV * sin(2 pi 10 t) sampled at 256 Hz: each 2.5-s column holds its full swing.
    EXPECT_NEAR(env[px].max, 200.0, 1.0);
    EXPECT_NEAR(env[px].min, -200.0, 1.0);
  }
}
