// Export of a time range to EDF+, CSV and .npy, read back by independent readers (MNE-Python for EDF+, numpy
// for .npy, a plain CSV parse here) and compared with MNE's reading of the source within its digital
// resolution; bad ranges, targets and the source itself are refused with clear errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/io/Export.h"
#include "core/io/Npy.h"
#include "core/io/Recording.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

const fs::path kEegmat = test::dataDir() / "eegmat" / "Subject00_1.edf";

nlohmann::json readJson(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

// Runs tests/tools/export_reference.py; returns false (and reports) if it failed.
void runReference(const fs::path& source, double a, double b, const fs::path& out, const std::string& extra) {
  std::ostringstream cmd;
  cmd.precision(17);
  cmd << test::python() << " " << (test::testsDir() / "tools" / "export_reference.py").string() << " "
      << source.string() << " " << a << " " << b << " " << out.string() << " " << extra;
  ASSERT_EQ(std::system(cmd.str().c_str()), 0) << cmd.str();
}

// Digital resolution (physical units per step) of channel c of the source.
double resolution(const Recording& rec, std::size_t c) {
  return std::abs(rec.header().signals[rec.channels()[c].signalIndex].gain);
}

}  // namespace

TEST(Export, EdfPlusRangeReadByMneEqualsTheSourceWithinItsResolution) {
  test::TempDir tmp("export-edf");
  const auto rec = Recording::open(kEegmat);
  ExportRequest request;
  request.startSec = 12.5;
  request.endSec = 20.3;          // 7.8 s: 0.2-s records hold 100 samples at 500 Hz
  request.channels = {0, 5, 20};  // EEG Fp1, EEG F8, ECG ECG (mV)
  request.sourcePath = kEegmat;
  const ExportResult result = exportRange(*rec, request, tmp / "range.edf");
  EXPECT_DOUBLE_EQ(result.recordDurationSec, 0.2);
  ASSERT_EQ(result.samples.size(), 3u);
  EXPECT_EQ(result.samples[0], 3900);
  runReference(kEegmat, 12.5, 20.3, tmp.path(), "--edf " + (tmp / "range.edf").string());
  const auto meta = readJson(tmp / "edf.json");
  EXPECT_EQ(meta["labels"], nlohmann::json({"EEG Fp1", "EEG F8", "ECG ECG"}));
  EXPECT_EQ(meta["units"], nlohmann::json({"µV", "µV", "mV"}));
  EXPECT_DOUBLE_EQ(meta["sfreq"].get<double>(), 500);
  EXPECT_NEAR(meta["start_offset_sec"].get<double>(), 12.5, 1e-6);
  const NpyArray src = readNpy(tmp / "source.npy"), got = readNpy(tmp / "edf.npy");
  ASSERT_EQ(got.shape, (std::vector<std::size_t>{3, 3900}));
  const auto s = src.toDouble(), g = got.toDouble();
  const std::size_t n = src.shape[1];
  ASSERT_EQ(n, 3900u);
  double worstSteps = 0;
  for (std::size_t k = 0; k < 3; ++k) {
    const std::size_t row = request.channels[k];
    const double step = resolution(*rec, row);
    for (std::size_t i = 0; i < n; ++i) {
      worstSteps = std::max(worstSteps, std::abs(g[k * n + i] - s[row * n + i]) / step);
    }
  }
  EXPECT_LE(worstSteps, 0.5);  // an EDF source is copied digital value for digital value
  std::printf("EDF+ export vs source (MNE): max |diff| = %.3g digital steps\n", worstSteps);
}

TEST(Export, NpyReadByNumpyEqualsTheSourceAndTheSidecarDescribesIt) {
  test::TempDir tmp("export-npy");
  const auto rec = Recording::open(kEegmat);
  ExportRequest request{30, 41.002, {}, kEegmat};
  exportRange(*rec, request, tmp / "x.npy");
  runReference(kEegmat, 30, 41.002, tmp.path(), "--npy " + (tmp / "x.npy").string());
  const auto numpyMeta = readJson(tmp / "npy.json");
  EXPECT_EQ(numpyMeta["dtype"], "float32");
  EXPECT_EQ(numpyMeta["shape"], nlohmann::json({21, 5501}));  // round(30*500) .. round(41.002*500) = 20501
  const auto sidecar = readJson(tmp / "x.npy.json");
  EXPECT_EQ(sidecar["channels"].size(), 21u);
  EXPECT_EQ(sidecar["channels"][20]["label"], "ECG ECG");
  EXPECT_EQ(sidecar["channels"][20]["unit"], "mV");
  EXPECT_DOUBLE_EQ(sidecar["sample_rate_hz"].get<double>(), 500);
  EXPECT_EQ(sidecar["first_sample"], 15000);
  const auto s = readNpy(tmp / "source.npy").toDouble(), g = readNpy(tmp / "npy.npy").toDouble();
  ASSERT_EQ(s.size(), g.size());
  const std::size_t n = 5501;
  double worst = 0;
  for (std::size_t c = 0; c < 21; ++c) {
    const double step = resolution(*rec, c);
    for (std::size_t i = 0; i < n; ++i) {
      // float32 keeps 24 bits: far below half a step of a 16-bit EDF.
      worst = std::max(worst, std::abs(g[c * n + i] - s[c * n + i]) / step);
    }
  }
  EXPECT_LE(worst, 0.5);
  std::printf(".npy export vs source (MNE): max |diff| = %.3g digital steps\n", worst);
}

TEST(Export, CsvHasUnitsInItsHeaderAndTheSourceValues) {
  test::TempDir tmp("export-csv");
  const auto rec = Recording::open(kEegmat);
  ExportRequest request{100, 102, {14, 20}, kEegmat};
  exportRange(*rec, request, tmp / "o1.csv");
  runReference(kEegmat, 100, 102, tmp.path(), "");
  const auto s = readNpy(tmp / "source.npy").toDouble();
  const std::size_t n = 1000;
  std::ifstream in(tmp / "o1.csv");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line, "time_sec,EEG O1 [uV],ECG ECG [mV]");
  std::size_t rows = 0;
  double worst = 0;
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::string t, a, b;
    ASSERT_TRUE(std::getline(fields, t, ',') && std::getline(fields, a, ',') && std::getline(fields, b, ','))
        << line;
    ASSERT_LT(rows, n);
    EXPECT_NEAR(std::stod(t), 100 + rows / 500.0, 1e-9);
    worst = std::max(worst, std::abs(std::stod(a) - s[14 * n + rows]) / resolution(*rec, 14));
    worst = std::max(worst, std::abs(std::stod(b) - s[20 * n + rows]) / resolution(*rec, 20));
    ++rows;
  }
  EXPECT_EQ(rows, n);
  EXPECT_LE(worst, 0.5);
}

TEST(Export, EdfPlusCarriesTheAnnotationsOfTheRangeShiftedToItsStart) {
  test::TempDir tmp("export-annot");
  test::SyntheticSpec spec;
  spec.edfPlus = true;
  spec.seconds = 10;
  spec.annotations = {{1.0, "before"}, {3.5, "inside"}, {5.25, "also inside"}, {6.0, "at the end"}};
  writeSyntheticEdf(tmp / "s.edf", spec);
  const auto rec = Recording::open(tmp / "s.edf");
  const ExportResult r = exportRange(*rec, {2, 6, {}, tmp / "s.edf"}, tmp / "part.edf");
  EXPECT_EQ(r.annotations, 2u);
  runReference(tmp / "s.edf", 2, 6, tmp.path(), "--edf " + (tmp / "part.edf").string());
  const auto meta = readJson(tmp / "edf.json");
  ASSERT_EQ(meta["annotations"].size(), 2u) << meta.dump();
  EXPECT_NEAR(meta["annotations"][0][0].get<double>(), 1.5, 1e-4);
  EXPECT_EQ(meta["annotations"][0][2], "inside");
  EXPECT_NEAR(meta["annotations"][1][0].get<double>(), 3.25, 1e-4);
  EXPECT_NEAR(meta["start_offset_sec"].get<double>(), 2, 1e-6);
}

TEST(Export, RefusesBadRangesAndTargetsAndNeverTouchesTheSource) {
  test::TempDir tmp("export-bad");
  fs::copy_file(kEegmat, tmp / "src.edf");
  const auto before = test::readAllBytes(tmp / "src.edf");
  const auto rec = Recording::open(tmp / "src.edf");
  const auto expectError = [&](std::vector<double> range, std::vector<std::size_t> channels,
                               const fs::path& out, const std::string& words) {
    const ExportRequest req{range[0], range[1], channels, tmp / "src.edf"};
    try {
      exportRange(*rec, req, out);
      ADD_FAILURE() << "exported to " << out << " (expected an error with '" << words << "')";
    } catch (const ExportError& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  const double end = rec->durationSec();  // 182 s
  expectError({-1, 5}, {}, tmp / "a.edf", "not inside the recording");
  expectError({5, 5}, {}, tmp / "a.edf", "not inside the recording");
  expectError({10, end + 1}, {}, tmp / "a.csv", "not inside the recording");
  expectError({std::nan(""), 5}, {}, tmp / "a.npy", "not inside the recording");
  expectError({0, 1}, {99}, tmp / "a.npy", "channel index 99");
  expectError({0, 1}, {}, tmp / "a.txt", "unknown export format");
  expectError({0, 1}, {}, tmp / "missing" / "a.edf", "does not exist");
  expectError({0, 1}, {}, tmp / "src.edf" / "a.edf", "does not exist");
  expectError({0, 1}, {}, "/proc/neurolm-export.csv", "/proc/neurolm-export.csv");
  // The source itself, by its own path and through another spelling of it.
  expectError({0, 1}, {}, tmp / "src.edf", "never overwrites its source");
  expectError({0, 1}, {}, tmp.path() / "." / "src.edf", "never overwrites its source");
  EXPECT_EQ(test::readAllBytes(tmp / "src.edf"), before);
  // Nothing was left behind: only the source is in the folder.
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path())) ++files;
  EXPECT_EQ(files, 1u);
}

TEST(Export, CancelledExportLeavesNoFile) {
  test::TempDir tmp("export-cancel");
  const auto rec = Recording::open(kEegmat);
  std::atomic<bool> cancel{true};
  for (const char* name : {"c.edf", "c.csv", "c.npy"}) {
    EXPECT_THROW(exportRange(*rec, {0, 100, {}, kEegmat}, tmp / name, {}, &cancel), ExportError) << name;
  }
  EXPECT_TRUE(fs::is_empty(tmp.path()));
}
