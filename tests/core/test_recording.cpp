#include <edflib.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/io/Npy.h"
#include "core/io/Recording.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> sharedEdfFiles() {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(test::dataDir())) {
    const auto ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".edf" || ext == ".bdf" || ext == ".EDF" || ext == ".BDF")) {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

OpenOptions syncOptions() {
  OpenOptions o;
  o.backgroundAnnotations = false;
  o.buildPyramid = false;
  return o;
}

bool hasRepairContaining(const Recording& r, const std::string& text) {
  for (const auto& s : r.repairReport().repairs) {
    if (s.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST(Recording, EveryStagedFileOpensWithPlausibleValues) {
  const auto files = sharedEdfFiles();
  ASSERT_GE(files.size(), 52u);
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    const auto before = test::readAllBytes(f);
    const auto rec = Recording::open(f, syncOptions());
    ASSERT_GT(rec->channels().size(), 0u);
    ASSERT_GT(rec->durationSec(), 10.0);
    for (std::size_t c = 0; c < rec->channels().size(); ++c) {
      const auto& ch = rec->channels()[c];
      const auto v = rec->readPhysical(c, 0, ch.sampleCount);
      const double lo = std::min(ch.physicalMin, ch.physicalMax), hi = std::max(ch.physicalMin, ch.physicalMax);
      for (double x : v) ASSERT_TRUE(x >= lo - 1e-6 && x <= hi + 1e-6) << ch.label << " value " << x;
    }
    if (f.string().find("eegmat") != std::string::npos) {
      EXPECT_NE(rec->repairReport().strictReaderVerdict.find("accepted"), std::string::npos);
      EXPECT_TRUE(rec->repairReport().repairs.empty());
      EXPECT_EQ(rec->channels().size(), 21u);
      EXPECT_DOUBLE_EQ(rec->channels()[0].sampleRateHz, 500.0);
    } else if (f.string().find("eegmmidb") != std::string::npos) {
      const std::string name = f.filename().string();
      if (name.rfind("S001", 0) == 0) {
        // README: only the S001 copies went through a text-mode copy; R03..R12 also have the prefilter fault.
        EXPECT_NE(rec->repairReport().strictReaderVerdict.find("refused"), std::string::npos);
        EXPECT_TRUE(hasRepairContaining(*rec, "text-mode copy"));
        EXPECT_EQ(hasRepairContaining(*rec, "HP:0Hz LP:0Hz N:0Hz"), name >= "S001R03");
      } else {
        // S002..S015 are intact PhysioNet copies: no byte damage; their only fault is PhysioNet's own
        // non-blank prefilter field of the annotation signal, which EDFlib refuses and we ignore.
        EXPECT_FALSE(hasRepairContaining(*rec, "text-mode copy"));
        ASSERT_EQ(rec->repairReport().repairs.size(), 1u);
        EXPECT_TRUE(hasRepairContaining(*rec, "HP:0Hz LP:0Hz N:0Hz"));
        EXPECT_DOUBLE_EQ(rec->channels()[0].sampleRateHz, 160.0);
      }
      EXPECT_EQ(rec->channels().size(), 64u);
      EXPECT_FALSE(rec->annotations().empty());
    }
    EXPECT_EQ(test::readAllBytes(f), before) << "the source file changed";
  }
}

TEST(Recording, SamplesEqualEdflibPhysicalSamples) {
  const auto path = test::dataDir() / "eegmat" / "Subject00_2.edf";
  const auto rec = Recording::open(path, syncOptions());
  edf_hdr_struct hdr{};
  ASSERT_EQ(edfopen_file_readonly(path.c_str(), &hdr, EDFLIB_DO_NOT_READ_ANNOTATIONS), 0);
  for (int s : {0, 7, 18, 20}) {
    std::vector<double> ref(3000);
    edfseek(hdr.handle, s, 4321, EDFSEEK_SET);
    ASSERT_EQ(edfread_physical_samples(hdr.handle, s, 3000, ref.data()), 3000);
    const auto ours = rec->readPhysical(static_cast<std::size_t>(s), 4321, 3000);
    for (std::size_t i = 0; i < ref.size(); ++i) ASSERT_NEAR(ours[i], ref[i], 1e-9) << "signal " << s << " i " << i;
  }
  edfclose_file(hdr.handle);
}

TEST(Recording, CrlfRepairEqualsMneOnAnIndependentlyRepairedCopy) {
  test::TempDir tmp("crlf");
  const auto path = test::dataDir() / "eegmmidb" / "S001" / "S001R03.edf";
  const std::string cmd = std::string(test::python()) + " " + (test::testsDir() / "tools" / "crlf_fix_and_read.py").string() +
                          " " + path.string() + " " + tmp.path().string() + " 20000";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const auto ref = readNpy(tmp / "data_uV.npy");
  std::ifstream infoFile(tmp / "info.json");
  const auto info = nlohmann::json::parse(infoFile);
  const auto rec = Recording::open(path, syncOptions());
  ASSERT_EQ(ref.shape[0], rec->channels().size());
  ASSERT_EQ(static_cast<std::int64_t>(ref.shape[1]), rec->channels()[0].sampleCount);
  const auto v = ref.toDouble();
  double maxDiff = 0;
  for (std::size_t c = 0; c < ref.shape[0]; ++c) {
    const auto ours = rec->readPhysical(c, 0, static_cast<std::int64_t>(ref.shape[1]));
    for (std::size_t i = 0; i < ours.size(); ++i) maxDiff = std::max(maxDiff, std::abs(ours[i] - v[c * ref.shape[1] + i]));
  }
  EXPECT_LT(maxDiff, 1e-9);
  const auto ann = rec->annotations();
  ASSERT_EQ(ann.size(), info["annotations"].size());
  for (std::size_t i = 0; i < ann.size(); ++i) {
    EXPECT_NEAR(ann[i].onsetSec, info["annotations"][i]["onset"].get<double>(), 1e-9);
    EXPECT_NEAR(ann[i].durationSec, info["annotations"][i]["duration"].get<double>(), 1e-9);
    EXPECT_EQ(ann[i].text, info["annotations"][i]["text"].get<std::string>());
  }
}

TEST(Recording, SyntheticEdfPlusAndBdfValuesAndAnnotations) {
  test::TempDir tmp("synth");
  for (bool bdf : {false, true}) {
    SCOPED_TRACE(bdf ? "BDF+" : "EDF+");
    test::SyntheticSpec spec;
    spec.channels = 3;
    spec.seconds = 12;
    spec.edfPlus = true;
    spec.bdf = bdf;
    spec.annotations = {{1.5, "eyes closed"}, {7.25, "Ärger ✓"}};
    const auto path = tmp / (bdf ? "s.bdf" : "s.edf");
    test::writeSyntheticEdf(path, spec);
    const auto rec = Recording::open(path, syncOptions());
    EXPECT_EQ(rec->header().flavor, bdf ? EdfFlavor::BdfPlusContinuous : EdfFlavor::EdfPlusContinuous);
    EXPECT_NE(rec->repairReport().strictReaderVerdict.find("accepted"), std::string::npos);
    ASSERT_EQ(rec->channels().size(), 3u);
    const double step = spec.physicalMaxUv / (bdf ? 8388607.0 : 32767.0);
    for (std::size_t c = 0; c < 3; ++c) {
      const auto v = rec->readPhysical(c, 0, 12 * 256);
      for (std::size_t i = 0; i < v.size(); i += 17) {
        const double expected = 100.0 * (c + 1) * std::sin(2 * M_PI * 10.0 * i / 256.0);
        // EDFlib writes the physical range rounded to 8 characters (-3276.69 .. 3276.699): that shifts values
        // by up to 0.005 uV on top of the quantisation step.
        ASSERT_NEAR(v[i], expected, step * 0.5 + 0.005);
      }
    }
    const auto ann = rec->annotations();
    ASSERT_EQ(ann.size(), 2u);
    EXPECT_NEAR(ann[0].onsetSec, 1.5, 1e-9);
    EXPECT_EQ(ann[1].text, "Ärger ✓");
  }
}

TEST(Recording, PyramidEnvelopeEqualsDirectMinMaxAtBinResolution) {
  test::TempDir tmp("pyr");
  test::SyntheticSpec spec;
  spec.channels = 2;
  spec.seconds = 600;
  std::mt19937 rng(7);
  std::vector<double> walk(600 * 256);
  std::normal_distribution<double> step(0, 5);
  double x = 0;
  for (auto& w : walk) w = x = std::clamp(x + step(rng), -3000.0, 3000.0);
  spec.value = [&](int c, std::int64_t i) { return c == 0 ? walk[static_cast<std::size_t>(i)] : -walk[static_cast<std::size_t>(i)]; };
  const auto path = tmp / "walk.edf";
  test::writeSyntheticEdf(path, spec);
  OpenOptions o;
  const auto rec = Recording::open(path, o);
  rec->waitForPyramid();
  ASSERT_DOUBLE_EQ(rec->pyramidProgress(), 1.0);
  const std::int64_t n = 600 * 256;
  const auto raw = rec->readPhysical(0, 0, n);
  for (int pixels : {100, 237, 1000}) {
    const auto env = rec->envelope(0, 0, n, pixels);
    const double spp = static_cast<double>(n) / pixels;
    for (int px = 0; px < pixels; ++px) {
      const auto a = static_cast<std::int64_t>(std::floor(px * spp));
      const auto b = static_cast<std::int64_t>(std::floor((px + 1) * spp));
      double exactMin = 1e9, exactMax = -1e9;
      for (std::int64_t i = a; i < b; ++i) {
        exactMin = std::min(exactMin, raw[static_cast<std::size_t>(i)]);
        exactMax = std::max(exactMax, raw[static_cast<std::size_t>(i)]);
      }
      // The pyramid covers whole bins around the column: never narrower than the exact range, and at most
      // one bin (256 samples) wider on each side.
      ASSERT_LE(env[px].min, exactMin + 1e-3);
      ASSERT_GE(env[px].max, exactMax - 1e-3);
      const std::int64_t binLo = std::max<std::int64_t>(0, a - 2 * spp), binHi = std::min<std::int64_t>(n, b + 2 * spp);
      double wideMin = 1e9, wideMax = -1e9;
      for (std::int64_t i = binLo; i < binHi; ++i) {
        wideMin = std::min(wideMin, raw[static_cast<std::size_t>(i)]);
        wideMax = std::max(wideMax, raw[static_cast<std::size_t>(i)]);
      }
      ASSERT_GE(env[px].min, wideMin - 1e-3);
      ASSERT_LE(env[px].max, wideMax + 1e-3);
    }
  }
  // Zoomed in (fewer than 512 samples per pixel) the envelope is exact.
  const auto fine = rec->envelope(1, 1000, 1000 + 5000, 1000);
  for (int px = 0; px < 1000; ++px) {
    double mn = 1e9, mx = -1e9;
    for (int i = px * 5; i < px * 5 + 5; ++i) {
      mn = std::min(mn, -walk[1000 + i]);
      mx = std::max(mx, -walk[1000 + i]);
    }
    ASSERT_NEAR(fine[px].min, mn, 0.06);
    ASSERT_NEAR(fine[px].max, mx, 0.06);
  }
}

TEST(Recording, CacheStaysWithinItsBudget) {
  test::TempDir tmp("cache");
  test::SyntheticSpec spec;
  spec.channels = 8;
  spec.seconds = 300;
  const auto path = tmp / "long.edf";
  test::writeSyntheticEdf(path, spec);
  OpenOptions o = syncOptions();
  o.cacheBytes = 64 * 1024;  // 16 records of 4 KiB
  const auto rec = Recording::open(path, o);
  for (std::size_t c = 0; c < 8; ++c) (void)rec->readPhysical(c, 0, rec->channels()[c].sampleCount);
  const std::size_t indexBytes = 300 * sizeof(std::int64_t);
  EXPECT_LE(rec->memoryBytes(), o.cacheBytes + indexBytes);
}

TEST(Recording, DiscontinuousEdfPlusUsesRecordOnsetsFromTals) {
  test::TempDir tmp("edfd");
  test::SyntheticSpec spec;
  spec.channels = 2;
  spec.seconds = 4;
  spec.edfPlus = true;
  const auto path = tmp / "d.edf";
  test::writeSyntheticEdf(path, spec);
  auto bytes = test::readAllBytes(path);
  test::patchField(bytes, 192, 44, "EDF+D");
  // Records 2 and 3 start at 7 s and 8 s: a 5-s gap after record 1.
  const std::string s(bytes.begin(), bytes.end());
  for (const auto& [from, to] : {std::pair{"+2\x14\x14", "+7\x14\x14"}, std::pair{"+3\x14\x14", "+8\x14\x14"}}) {
    const auto at = s.find(from);
    ASSERT_NE(at, std::string::npos);
    for (int k = 0; k < 4; ++k) bytes[at + k] = static_cast<std::uint8_t>(to[k]);
  }
  test::writeAllBytes(path, bytes);
  const auto rec = Recording::open(path, syncOptions());
  EXPECT_EQ(rec->header().flavor, EdfFlavor::EdfPlusDiscontinuous);
  EXPECT_NE(rec->repairReport().strictReaderVerdict.find("refused"), std::string::npos);
  EXPECT_DOUBLE_EQ(rec->recordOnsetSec(1), 1.0);
  EXPECT_DOUBLE_EQ(rec->recordOnsetSec(2), 7.0);
  EXPECT_TRUE(rec->annotations().empty());  // the gap is typed as a gap, not an annotation
  const auto gaps = rec->gaps();
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_DOUBLE_EQ(gaps[0].onsetSec, 2.0);
  EXPECT_DOUBLE_EQ(gaps[0].durationSec, 5.0);
}
