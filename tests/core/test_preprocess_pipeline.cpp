// Whole NeuroLM preprocessing on real EEGMAT recordings against the official MNE pipeline's fixtures
// (../shared/parity/preprocessing) and spec Appendix A; error and warning behaviour.
#include <gtest/gtest.h>
#include <edflib.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <numeric>

#include "common/TestPaths.h"
#include "core/dsp/MneFir.h"
#include "core/dsp/MneResample.h"
#include "core/io/Npy.h"
#include "core/preprocess/ChannelVocabulary.h"
#include "core/preprocess/NeuroLmPreprocess.h"
#include "core/preprocess/PatchGrid.h"
#include "core/preprocess/WorkloadProtocol.h"

using namespace neurolm;
using namespace neurolm::preprocess;

namespace {

// Every signal of an EDF at one rate, in µV, read with EDFlib (not thread-safe to open: fine in a test).
MultichannelSignal readEdfUv(const std::filesystem::path& path) {
  auto header = std::make_unique<edf_hdr_struct>();
  if (edfopen_file_readonly(path.c_str(), header.get(), EDFLIB_DO_NOT_READ_ANNOTATIONS) != 0)
    throw std::runtime_error("EDFlib refused " + path.string() + " (error " + std::to_string(header->filetype) + ")");
  MultichannelSignal signal;
  const double recordSec = static_cast<double>(header->datarecord_duration) / EDFLIB_TIME_DIMENSION;
  for (int s = 0; s < header->edfsignals; ++s) {
    const auto& p = header->signalparam[s];
    std::string label = p.label;
    while (!label.empty() && label.back() == ' ') label.pop_back();
    const std::string unit = p.physdimension;
    double toUv = 0;
    if (unit.starts_with("uV")) toUv = 1.0;
    else if (unit.starts_with("mV")) toUv = 1e3;
    else if (unit.starts_with("V")) toUv = 1e6;
    std::vector<double> row(static_cast<std::size_t>(p.smp_in_file));
    if (edfread_physical_samples(header->handle, s, static_cast<int>(row.size()), row.data()) !=
        static_cast<int>(row.size()))
      throw std::runtime_error("EDFlib could not read signal " + label + " of " + path.string());
    if (toUv == 0) continue;  // not a voltage: not EEG
    for (double& v : row) v *= toUv;
    signal.sampleRateHz = p.smp_in_datarecord / recordSec;
    signal.names.push_back(label);
    signal.samplesUv.push_back(std::move(row));
  }
  edfclose_file(header->handle);
  return signal;
}

std::filesystem::path eegmat(const char* file) { return test::dataDir() / "eegmat" / file; }

double maxAbsDiffRows(const MultichannelSignal& s, std::size_t start, const NpyArray& fixture) {
  const auto values = fixture.toDouble();
  const std::size_t channels = fixture.shape[0], length = fixture.shape[1];
  EXPECT_EQ(s.channelCount(), channels);
  double m = 0.0;
  for (std::size_t c = 0; c < channels; ++c)
    for (std::size_t i = 0; i < length; ++i)
      m = std::max(m, std::abs(s.samplesUv[c][start + i] - values[c * length + i]));
  return m;
}

// The task recording goes through the pipeline once for all tests here.
const PreprocessResult& subject00Task() {
  static const PreprocessResult result = [] {
    return preprocessNeuroLm(readEdfUv(eegmat("Subject00_2.edf")), workloadPreprocessOptions());
  }();
  return result;
}

}  // namespace

TEST(PreprocessPipeline, EegmatTaskMatchesOfficialFixtures) {
  const PreprocessResult& r = subject00Task();
  ASSERT_EQ(r.signal.channelCount(), 19u);
  ASSERT_EQ(r.signal.sampleCount(), 12400u);
  EXPECT_EQ(r.signal.sampleRateHz, 200.0);
  EXPECT_EQ(r.bandPass.taps.size(), 16501u);
  ASSERT_TRUE(r.notch.has_value());
  EXPECT_EQ(r.notch->taps.size(), 3301u);
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();  // 62 s > 33 s filter

  const auto dir = test::parityDir() / "preprocessing";
  const double first8s = maxAbsDiffRows(r.signal, 0, readNpy(dir / "Subject00_2_first8s_200Hz_uV.npy"));
  const double window0 = maxAbsDiffRows(r.signal, 400, readNpy(dir / "Subject00_2_last60s_200Hz_uV_window0.npy"));
  EXPECT_LE(first8s, 1e-9) << "max |Δ| first 8 s = " << first8s << " µV";
  EXPECT_LE(window0, 1e-9) << "max |Δ| window 0 = " << window0 << " µV";
  std::printf("[ measure  ] Subject00_2 vs MNE 1.3 fixtures: max |dx| first 8 s %.3g uV, window 0 %.3g uV\n",
              first8s, window0);
}

TEST(PreprocessPipeline, EegmatTaskAppendixAStages) {
  const auto raw = selectChannels(readEdfUv(eegmat("Subject00_2.edf")), workloadPreprocessOptions().channelOrder);
  ASSERT_EQ(raw.sampleCount(), 31000u);
  EXPECT_EQ(raw.sampleRateHz, 500.0);
  const std::size_t PZ = 18;
  EXPECT_NEAR(raw.samplesUv[0][0], 4.4760491257, 1e-9);
  EXPECT_NEAR(raw.samplesUv[0][1], 1.2080211681, 1e-9);
  EXPECT_NEAR(raw.samplesUv[0][2], -2.5460077317, 1e-9);
  EXPECT_NEAR(raw.samplesUv[PZ][1000], 0.8290039232, 1e-9);

  const auto bandPassed = filterChannels(raw, dsp::ZeroPhaseFir(dsp::designMneBandPass(500.0).taps));
  EXPECT_NEAR(bandPassed.samplesUv[0][0], 0.0, 1e-12);  // ≈ 3.8e-15: a high-pass starts at ~0
  EXPECT_NEAR(bandPassed.samplesUv[0][1], -3.5071414890, 1e-9);
  EXPECT_NEAR(bandPassed.samplesUv[0][2], -7.0725869115, 1e-9);
  EXPECT_NEAR(bandPassed.samplesUv[PZ][1000], 0.3090496589, 1e-9);

  const auto notched = filterChannels(bandPassed, dsp::ZeroPhaseFir(dsp::designMneNotch(500.0, 50.0).taps));
  EXPECT_NEAR(notched.samplesUv[0][0], 0.0, 1e-12);
  EXPECT_NEAR(notched.samplesUv[0][1], -3.5355769361, 1e-9);
  EXPECT_NEAR(notched.samplesUv[0][2], -7.1186868382, 1e-9);
  EXPECT_NEAR(notched.samplesUv[PZ][1000], 0.3087625996, 1e-9);

  const auto& s = subject00Task().signal;  // resampled
  EXPECT_NEAR(s.samplesUv[0][0], -3.5818249143, 1e-9);
  EXPECT_NEAR(s.samplesUv[0][1], -12.1693469027, 1e-9);
  EXPECT_NEAR(s.samplesUv[0][2], -15.8631856149, 1e-9);
  EXPECT_NEAR(s.samplesUv[PZ][1000], -4.5273406278, 1e-9);
  // the step functions compose to the pipeline
  const auto resampled = dsp::resampleMne(notched.samplesUv[PZ], 500.0, 200.0);
  EXPECT_NEAR(resampled[1000], s.samplesUv[PZ][1000], 1e-12);
}

TEST(PreprocessPipeline, EegmatTaskWindowsAndModelInputAppendixA) {
  const auto windows = workloadWindows(subject00Task().signal);
  ASSERT_EQ(windows.size(), 29u);
  const std::size_t FP1 = 0, T4 = 7, PZ = 18;
  const double w0[] = {10.2651048028, 14.6715702967, 17.0462638760, 13.9145017583, 6.2844412144};
  for (std::size_t i = 0; i < 5; ++i) EXPECT_NEAR(windows[0].samplesUv[FP1][i], w0[i], 1e-9) << i;
  EXPECT_NEAR(windows[28].samplesUv[PZ][797], 0.0042476352, 1e-9);
  EXPECT_NEAR(windows[28].samplesUv[PZ][798], -0.0004032293, 1e-9);
  EXPECT_NEAR(windows[28].samplesUv[PZ][799], 0.0034318820, 1e-9);
  EXPECT_NEAR(windows[5].samplesUv[T4][123], -15.6502985940, 1e-9);
  double sumAbs = 0.0, sum = 0.0;
  for (const auto& w : windows)
    for (const auto& row : w.samplesUv) {
      ASSERT_EQ(row.size(), 800u);
      for (double v : row) {
        sumAbs += std::abs(v);
        sum += v;
      }
    }
  EXPECT_NEAR(sumAbs, 4330948.966447, 1e-5);
  EXPECT_NEAR(sum, -4328.324413, 1e-5);

  const auto chans = mapChannelsToVocabulary(windows[0].names);
  const PatchGrid grid = makePatchGrid(windows[0], chans, 0, 4, kInstructionPaddedLength);
  // printed with 8 decimals in the spec
  const double x0[] = {0.10265104, 0.14671570, 0.17046264, 0.13914502};
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(grid.patch(0)[i], x0[i], 5e-9) << i;
  EXPECT_NEAR(grid.patch(19)[0], -0.26800978, 5e-9);
  EXPECT_NEAR(grid.patch(19)[1], -0.21571755, 5e-9);
  // identical to the official loader's float32 tensor
  const auto inputX = readNpy(test::parityDir() / "vq" / "input_x.npy").toFloat();
  ASSERT_EQ(inputX.size(), grid.patches.size());
  EXPECT_EQ(inputX, grid.patches);
}

TEST(PreprocessPipeline, EegmatRestAppendixA) {
  const PreprocessResult r = preprocessNeuroLm(readEdfUv(eegmat("Subject00_1.edf")), workloadPreprocessOptions());
  ASSERT_EQ(r.signal.sampleCount(), 36400u);
  const auto windows = workloadWindows(r.signal);
  const double w0[] = {10.9969188940, 9.3567936687, 4.6326134897, 0.3347406724, -0.4220479810};
  for (std::size_t i = 0; i < 5; ++i) EXPECT_NEAR(windows[0].samplesUv[0][i], w0[i], 1e-9) << i;
  EXPECT_NEAR(windows[28].samplesUv[18][797], 0.0073408241, 1e-9);
  EXPECT_NEAR(windows[28].samplesUv[18][798], 0.0020685538, 1e-9);
  EXPECT_NEAR(windows[28].samplesUv[18][799], -0.0082659900, 1e-9);
  double sumAbs = 0.0;
  for (const auto& w : windows)
    for (const auto& row : w.samplesUv)
      for (double v : row) sumAbs += std::abs(v);
  EXPECT_NEAR(sumAbs, 4141141.765831, 1e-5);
  // windows come from seconds 122–182: window 0 starts 24400 samples in
  EXPECT_EQ(windows[0].samplesUv[0][0], r.signal.samplesUv[0][36400 - 12000]);
}

TEST(PreprocessPipeline, ShorterRestRecordingKeepsItsLastMinute) {
  // Subject04_1 is 170 s: 85 000 samples -> 34 000 at 200 Hz; windows from seconds 110–170 (spec §1.5).
  const auto raw = readEdfUv(eegmat("Subject04_1.edf"));
  ASSERT_EQ(raw.sampleCount(), 85000u);
  const PreprocessResult r = preprocessNeuroLm(raw, workloadPreprocessOptions());
  ASSERT_EQ(r.signal.sampleCount(), 34000u);
  const auto windows = workloadWindows(r.signal);
  ASSERT_EQ(windows.size(), 29u);
  EXPECT_EQ(windows[0].samplesUv[3][0], r.signal.samplesUv[3][110 * 200]);
  EXPECT_EQ(windows[28].samplesUv[3][799], r.signal.samplesUv[3][33999]);
}

TEST(PreprocessPipeline, ThreadCountDoesNotChangeTheResult) {
  const auto raw = readEdfUv(eegmat("Subject00_2.edf"));
  PreprocessOptions options = workloadPreprocessOptions();
  options.threadCount = 1;
  const auto single = preprocessNeuroLm(raw, options);
  options.threadCount = 3;
  const auto three = preprocessNeuroLm(raw, options);
  EXPECT_EQ(single.signal.samplesUv, three.signal.samplesUv);  // bitwise
  EXPECT_EQ(single.signal.samplesUv, subject00Task().signal.samplesUv);
}

TEST(PreprocessPipeline, MissingChannelsAreAllNamed) {
  MultichannelSignal s;
  s.sampleRateHz = 500;
  s.names = {"EEG Fp1", "EEG Cz"};
  s.samplesUv.assign(2, std::vector<double>(1000, 0.0));
  PreprocessOptions options;
  options.channelOrder = {"EEG Fp1", "EEG Pz", "EEG O2"};
  try {
    preprocessNeuroLm(s, options);
    FAIL() << "missing channels accepted";
  } catch (const std::invalid_argument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("'EEG Pz'"), std::string::npos) << m;
    EXPECT_NE(m.find("'EEG O2'"), std::string::npos) << m;
    EXPECT_EQ(m.find("'EEG Fp1'"), std::string::npos) << m;
  }
}

TEST(PreprocessPipeline, RefusesLowSampleRatesUnlessAsked) {
  MultichannelSignal s;
  s.sampleRateHz = 128;
  s.names = {"Cz"};
  s.samplesUv.assign(1, std::vector<double>(12800));
  for (std::size_t i = 0; i < 12800; ++i) s.samplesUv[0][i] = std::sin(0.3 * static_cast<double>(i));
  PreprocessOptions options;
  try {
    preprocessNeuroLm(s, options);
    FAIL() << "128 Hz accepted";
  } catch (const SampleRateTooLowError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("128 Hz"), std::string::npos) << m;
    EXPECT_NE(m.find("150 Hz"), std::string::npos) << m;
  }
  EXPECT_THROW(preprocessNeuroLm([&] { auto t = s; t.sampleRateHz = 150; return t; }(), options),
               SampleRateTooLowError);

  options.lowRateHighEdgeHz = 50.0;
  const auto r = preprocessNeuroLm(s, options);
  EXPECT_EQ(r.bandPass.highEdgeHz, 50.0);
  EXPECT_EQ(r.signal.sampleCount(), 20000u);
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings.front().find("deviation"), std::string::npos) << r.warnings.front();
  options.lowRateHighEdgeHz = 64.0;  // at Nyquist: still impossible
  EXPECT_THROW(preprocessNeuroLm(s, options), SampleRateTooLowError);
}

TEST(PreprocessPipeline, EegmmidbRateIsAcceptedWithItsNarrowTransition) {
  MultichannelSignal s;
  s.sampleRateHz = 160;
  s.names = {"Cz..", "Fz.."};
  s.samplesUv.assign(2, std::vector<double>(9760));  // 61 s
  for (std::size_t i = 0; i < 9760; ++i) {
    s.samplesUv[0][i] = std::sin(0.2 * static_cast<double>(i));
    s.samplesUv[1][i] = std::cos(0.05 * static_cast<double>(i));
  }
  PreprocessOptions options;
  options.notchHz = 60.0;
  const auto r = preprocessNeuroLm(s, options);
  EXPECT_EQ(r.bandPass.taps.size(), 5281u);
  EXPECT_EQ(r.bandPass.highTransitionHz, 5.0);
  EXPECT_EQ(r.notch->taps.size(), 1057u);
  EXPECT_EQ(r.signal.sampleCount(), 12200u);  // upsampled to 200 Hz
  EXPECT_TRUE(r.warnings.empty());
}

TEST(PreprocessPipeline, WarnsWhenShorterThanTheFilterAndCancels) {
  MultichannelSignal s;
  s.sampleRateHz = 500;
  s.names = {"Cz"};
  s.samplesUv.assign(1, std::vector<double>(5000));  // 10 s < 33 s band-pass
  for (std::size_t i = 0; i < 5000; ++i) s.samplesUv[0][i] = std::sin(0.1 * static_cast<double>(i));
  const auto r = preprocessNeuroLm(s);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("16501 taps"), std::string::npos) << r.warnings[0];
  EXPECT_EQ(r.signal.sampleCount(), 2000u);

  int calls = 0;
  PreprocessOptions options;
  options.threadCount = 1;
  options.progress = [&](double fraction) {
    EXPECT_GE(fraction, 0.0);
    EXPECT_LE(fraction, 1.0);
    return ++calls < 2;
  };
  EXPECT_THROW(preprocessNeuroLm(s, options), PreprocessCancelled);
  EXPECT_EQ(calls, 2);
}

TEST(PreprocessPipeline, RejectsMalformedSignals) {
  MultichannelSignal s;
  s.sampleRateHz = 500;
  s.names = {"A", "B"};
  s.samplesUv = {std::vector<double>(10), std::vector<double>(11)};
  EXPECT_THROW(preprocessNeuroLm(s), std::invalid_argument);
  s.samplesUv[1].resize(10);
  s.samplesUv[1][3] = std::nan("");
  EXPECT_THROW(preprocessNeuroLm(s), std::invalid_argument);
  s.samplesUv.pop_back();
  EXPECT_THROW(preprocessNeuroLm(s), std::invalid_argument);
}
