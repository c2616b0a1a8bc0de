// Montage arithmetic on a generated EDF whose channel values are known: bipolar = difference, common average
// = minus the mean, Laplacian = minus the neighbours' mean; custom JSON round trip and its errors.
#include <gtest/gtest.h>

#include <fstream>

#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "core/montage/Montage.h"
#include "core/montage/MontagePipeline.h"

using namespace neurolm;
using montage::BuiltinMontage;

namespace {

// 10-10 names (T7/P7, as the new nomenclature), an ear reference and an ECG, 256 Hz.
const std::vector<std::string> kLabels = {"EEG Fp1", "EEG Fp2",   "EEG F3", "EEG F4", "EEG C3", "EEG C4",
                                          "EEG P3",  "EEG P4",    "EEG O1", "EEG O2", "EEG F7", "EEG F8",
                                          "EEG T7",  "EEG T8",    "EEG P7", "EEG P8", "EEG Fz", "EEG Cz",
                                          "EEG Pz",  "EEG A2-A1", "ECG ECG"};

// Multiples of 0.1 µV (the file's resolution), different per channel and sample.
double valueOf(int c, std::int64_t i) {
  return 10.0 * (c + 1) + 0.5 * static_cast<double>((i * (c + 3)) % 11) - 2.0;
}

class MontageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::SyntheticSpec spec;
    spec.channels = static_cast<int>(kLabels.size());
    spec.labels = kLabels;
    spec.sampleRateHz = 256;
    spec.seconds = 4;
    spec.value = valueOf;
    test::writeSyntheticEdf(tmp_ / "m.edf", spec);
    OpenOptions o;
    o.backgroundAnnotations = false;
    o.buildPyramid = false;
    rec_ = Recording::open(tmp_ / "m.edf", o);
  }
  int ch(const std::string& name) const {
    for (std::size_t c = 0; c < kLabels.size(); ++c)
      if (kLabels[c] == "EEG " + name) return static_cast<int>(c);
    ADD_FAILURE() << name;
    return 0;
  }
  // Derived samples of the whole of second 1.
  montage::DerivedWindow derive(const montage::Montage& m) const {
    return montage::applyMontageAndFilters(*rec_, m, {}, 1, 2);
  }
  static int find(const montage::DerivedWindow& w, const std::string& label) {
    for (std::size_t d = 0; d < w.labels.size(); ++d)
      if (w.labels[d] == label) return static_cast<int>(d);
    ADD_FAILURE() << "no derivation " << label;
    return 0;
  }
  test::TempDir tmp_{"montage"};
  std::shared_ptr<Recording> rec_;
};

}  // namespace

TEST(ElectrodeNames, CleanUpAndSynonyms) {
  EXPECT_EQ(montage::electrodeName("EEG Fp1"), "Fp1");
  EXPECT_EQ(montage::electrodeName("Fc5."), "FC5");
  EXPECT_EQ(montage::electrodeName("Cz-Ref"), "Cz");
  EXPECT_EQ(montage::electrodeName("Iz.."), "Iz");
  EXPECT_EQ(montage::electrodeName("EEG A2-A1"), "A2");
  EXPECT_EQ(montage::electrodeName("ECG ECG"), std::nullopt);
  EXPECT_EQ(montage::temporalSynonym("T3"), "T7");
  EXPECT_EQ(montage::temporalSynonym("P8"), "T6");
  EXPECT_EQ(montage::temporalSynonym("Cz"), std::nullopt);
}

TEST_F(MontageTest, LongitudinalBipolarIsTheDifferenceOfNeighbours) {
  const auto m = montage::buildMontage(BuiltinMontage::LongitudinalBipolar, *rec_);
  std::vector<std::string> labels;
  for (const auto& d : m.derivations) labels.push_back(d.label);
  const std::vector<std::string> expected = {"Fp1-F7", "F7-T7", "T7-P7",  "P7-O1", "Fp2-F8", "F8-T8",
                                             "T8-P8",  "P8-O2", "Fp1-F3", "F3-C3", "C3-P3",  "P3-O1",
                                             "Fp2-F4", "F4-C4", "C4-P4",  "P4-O2", "Fz-Cz",  "Cz-Pz"};
  EXPECT_EQ(labels, expected);
  const auto w = derive(m);
  for (const auto& [label, a, b] : {std::tuple{"Fp1-F7", "Fp1", "F7"}, std::tuple{"T7-P7", "T7", "P7"},
                                    std::tuple{"Cz-Pz", "Cz", "Pz"}}) {
    const int d = find(w, label);
    for (std::int64_t i = 0; i < 256; ++i) {
      EXPECT_NEAR(w.samples[d][i], valueOf(ch(a), 256 + i) - valueOf(ch(b), 256 + i), 1e-9)
          << label << " " << i;
    }
  }
  EXPECT_EQ(m.derivations.front().type, signal::SignalType::Eeg);
  EXPECT_EQ(m.derivations.front().sampleRateHz, 256);
}

TEST_F(MontageTest, TransverseBipolar) {
  const auto m = montage::buildMontage(BuiltinMontage::TransverseBipolar, *rec_);
  ASSERT_EQ(m.derivations.size(), 14u);
  EXPECT_EQ(m.derivations[5].label, "T7-C3");
  const auto w = derive(m);
  const int d = find(w, "C4-T8");
  EXPECT_NEAR(w.samples[d][17], valueOf(ch("C4"), 256 + 17) - valueOf(ch("T8"), 256 + 17), 1e-9);
}

TEST_F(MontageTest, CommonAverageSubtractsTheMeanOfGoodScalpChannels) {
  for (const bool withBad : {false, true}) {
    SCOPED_TRACE(withBad);
    montage::BuildOptions options;
    if (withBad)
      options.badChannels = {static_cast<std::size_t>(ch("Fp1")), static_cast<std::size_t>(ch("O2"))};
    const auto m = montage::buildMontage(BuiltinMontage::CommonAverage, *rec_, options);
    ASSERT_EQ(m.derivations.size(), kLabels.size());  // 20 EEG channels referenced, the ECG as recorded
    EXPECT_EQ(m.derivations.back().label, "ECG ECG");
    const auto w = derive(m);
    for (std::int64_t i = 0; i < 256; ++i) {
      double sum = 0;
      int count = 0;
      for (int c = 0; c < 19; ++c) {  // scalp channels: not A2-A1 (index 19), not the ECG
        if (withBad && (c == ch("Fp1") || c == ch("O2"))) continue;
        sum += valueOf(c, 256 + i);
        ++count;
      }
      const double mean = sum / count;
      EXPECT_NEAR(w.samples[find(w, "Cz-Avg")][i], valueOf(ch("Cz"), 256 + i) - mean, 1e-9);
      EXPECT_NEAR(w.samples[find(w, "Fp1-Avg")][i], valueOf(ch("Fp1"), 256 + i) - mean, 1e-9);
      EXPECT_NEAR(w.samples[find(w, "A2-Avg")][i], valueOf(19, 256 + i) - mean, 1e-9);
      EXPECT_NEAR(w.samples[find(w, "ECG ECG")][i], valueOf(20, 256 + i), 1e-9);
    }
  }
}

TEST_F(MontageTest, LaplacianSubtractsTheNeighbourMean) {
  const auto m = montage::buildMontage(BuiltinMontage::Laplacian, *rec_);
  EXPECT_EQ(m.derivations.size(), 19u);
  const auto w = derive(m);
  for (std::int64_t i = 0; i < 256; ++i) {
    const auto v = [&](const char* e) { return valueOf(ch(e), 256 + i); };
    EXPECT_NEAR(w.samples[find(w, "Cz-Lap")][i], v("Cz") - (v("Fz") + v("C3") + v("C4") + v("Pz")) / 4, 1e-9);
    // T3's neighbours F7 C3 T5 under their new names.
    EXPECT_NEAR(w.samples[find(w, "T7-Lap")][i], v("T7") - (v("F7") + v("C3") + v("P7")) / 3, 1e-9);
    EXPECT_NEAR(w.samples[find(w, "Fp1-Lap")][i], v("Fp1") - (v("Fp2") + v("F7") + v("F3")) / 3, 1e-9);
  }
  // A bad neighbour leaves the mean.
  montage::BuildOptions options;
  options.badChannels = {static_cast<std::size_t>(ch("Fz"))};
  const auto w2 = derive(montage::buildMontage(BuiltinMontage::Laplacian, *rec_, options));
  EXPECT_NEAR(
      w2.samples[find(w2, "Cz-Lap")][3],
      valueOf(ch("Cz"), 259) - (valueOf(ch("C3"), 259) + valueOf(ch("C4"), 259) + valueOf(ch("Pz"), 259)) / 3,
      1e-9);
}

TEST_F(MontageTest, CustomJsonRoundTrip) {
  montage::MontageSpec spec;
  spec.name = "mine";
  spec.derivations = {{"Fp1-F7", {{"Fp1", 1}, {"EEG F7", -1}}},
                      {"2Cz-T3-T4", {{"Cz", 2}, {"T3", -1}, {"T4", -1}}},  // old names match T7/T8
                      {"heart", {{"ECG ECG", 0.5}}}};
  montage::saveMontageFile(tmp_ / "mine.json", spec);
  const auto loaded = montage::loadMontageFile(tmp_ / "mine.json");
  EXPECT_EQ(montage::montageJson(loaded), montage::montageJson(spec));
  const auto m = montage::resolveMontage(loaded, *rec_, "mine.json");
  const auto w = derive(m);
  ASSERT_EQ(w.labels, (std::vector<std::string>{"Fp1-F7", "2Cz-T3-T4", "heart"}));
  EXPECT_NEAR(w.samples[1][9], 2 * valueOf(ch("Cz"), 265) - valueOf(ch("T7"), 265) - valueOf(ch("T8"), 265),
              1e-9);
  EXPECT_NEAR(w.samples[2][9], 0.5 * valueOf(20, 265), 1e-9);
  EXPECT_EQ(m.derivations[2].type, signal::SignalType::Ecg);
  // A resolved montage written back names the recording's labels and gives the same values.
  const auto again = montage::resolveMontage(montage::specOf(m, *rec_), *rec_, "again");
  EXPECT_EQ(derive(again).samples, w.samples);
}

TEST_F(MontageTest, CustomJsonErrorsNameFileEntryAndChannels) {
  const auto message = [&](const std::string& json) {
    std::ofstream(tmp_ / "bad.json") << json;
    try {
      const auto spec = montage::loadMontageFile(tmp_ / "bad.json");
      montage::resolveMontage(spec, *rec_, (tmp_ / "bad.json").string());
    } catch (const montage::MontageFileError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string m = message(R"({"derivations": [{"label": "a", "terms": [{"channel": "Cz"}]},
      {"label": "b", "terms": [{"channel": "Cz", "weight": "x"}]}]})");
  EXPECT_NE(m.find("bad.json"), std::string::npos) << m;
  EXPECT_NE(m.find("derivation 2 ('b'), term 1"), std::string::npos) << m;
  EXPECT_NE(m.find("weight"), std::string::npos) << m;
  m = message(R"({"derivations": [{"label": "x", "terms": [{"channel": "Cz"}, {"channel": "Q9"}]},
      {"label": "y", "terms": [{"channel": "EEG Nope"}]}]})");
  EXPECT_NE(m.find("derivation 1 ('x'): 'Q9'"), std::string::npos) << m;
  EXPECT_NE(m.find("derivation 2 ('y'): 'EEG Nope'"), std::string::npos) << m;
  m = message("{\"derivations\": [{\"terms\": []}]}");
  EXPECT_NE(m.find("derivation 1: \"label\""), std::string::npos) << m;
  m = message("not json");
  EXPECT_NE(m.find("not valid JSON"), std::string::npos) << m;
  EXPECT_THROW(montage::loadMontageFile(tmp_ / "missing.json"), montage::MontageFileError);
}

TEST(MontageRealData, DoubleBananaOnEegmmidbAndEegmat) {
  OpenOptions o;
  o.backgroundAnnotations = false;
  o.buildPyramid = false;
  const auto mmidb = Recording::open(test::dataDir() / "eegmmidb" / "S002" / "S002R03.edf", o);
  const auto m = montage::buildMontage(BuiltinMontage::LongitudinalBipolar, *mmidb);
  ASSERT_EQ(m.derivations.size(), 18u);
  EXPECT_EQ(m.derivations[1].label, "F7-T7");
  EXPECT_EQ(m.derivations[1].terms.size(), 2u);
  const auto eegmat = Recording::open(test::dataDir() / "eegmat" / "Subject00_1.edf", o);
  const auto banana = montage::buildMontage(BuiltinMontage::LongitudinalBipolar, *eegmat);
  ASSERT_EQ(banana.derivations.size(), 18u);
  EXPECT_EQ(banana.derivations[1].label, "F7-T3");
  // The average of EEGMAT leaves out 'EEG A2-A1' and the ECG: 19 channels in each mean.
  const auto car = montage::buildMontage(BuiltinMontage::CommonAverage, *eegmat);
  EXPECT_EQ(car.derivations.front().terms.size(), 19u);
  EXPECT_EQ(car.derivations.back().label, "ECG ECG");
}
