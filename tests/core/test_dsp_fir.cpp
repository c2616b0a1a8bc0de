// MNE FIR design and zero-phase application against scipy/MNE outputs (tests/fixtures/dsp, made by
// tests/tools/gen_dsp_fixtures.py with MNE 1.3.0 / scipy 1.10.1) and against the spec §1.1 table.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "common/TestPaths.h"
#include "core/dsp/MneFir.h"
#include "core/io/Npy.h"

using namespace neurolm;
using namespace neurolm::dsp;

namespace {

std::filesystem::path fixtureDir() { return test::testsDir() / "fixtures" / "dsp"; }

std::vector<double> loadFixture(const std::string& name) { return readNpy(fixtureDir() / name).toDouble(); }

nlohmann::json manifest() {
  std::ifstream in(fixtureDir() / "manifest.json");
  return nlohmann::json::parse(in);
}

double maxAbsDiff(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0.0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

double maxAbs(const std::vector<double>& a) {
  double m = 0.0;
  for (double v : a) m = std::max(m, std::abs(v));
  return m;
}

}  // namespace

TEST(DspFir, TapCountsMatchSpecTable) {
  // spec §1.1: fs -> (Ntot = n_lo, n_hi, fc_hi, notch length)
  struct Row {
    double fs;
    std::size_t total, high;
    double cutoffHz;
    std::size_t notch;
  };
  const Row rows[] = {{160, 5281, 107, 77.5, 1057},     {200, 6601, 35, 84.375, 1321},
                      {250, 8251, 45, 84.375, 1651},    {256, 8449, 45, 84.375, 1691},
                      {500, 16501, 89, 84.375, 3301},   {512, 16897, 91, 84.375, 3381},
                      {1000, 33001, 177, 84.375, 6601}};
  for (const auto& r : rows) {
    SCOPED_TRACE("fs = " + std::to_string(r.fs));
    const FirDesign bp = designMneBandPass(r.fs);
    EXPECT_EQ(bp.taps.size(), r.total);
    ASSERT_EQ(bp.subFilterLengths.size(), 2u);
    EXPECT_EQ(bp.subFilterLengths[0], r.high);   // the low-pass at 75 + h_tb/2, built first (from Nyquist down)
    EXPECT_EQ(bp.subFilterLengths[1], r.total);  // the 0.05 Hz low-pass that is subtracted
    EXPECT_DOUBLE_EQ(bp.highEdgeHz + bp.highTransitionHz / 2.0, r.cutoffHz);
    EXPECT_DOUBLE_EQ(bp.lowTransitionHz, 0.1);
    const FirDesign notch = designMneNotch(r.fs, 50.0);
    EXPECT_EQ(notch.taps.size(), r.notch);
  }
  // 512 Hz: the notch's two low-passes are 3379 long inside a 3381-tap filter (float rounding of 0.5/256).
  const FirDesign notch512 = designMneNotch(512, 50.0);
  EXPECT_EQ(notch512.subFilterLengths, (std::vector<std::size_t>{3379, 3379}));
  // EEGMAT's notch: both low-passes 3301 long.
  EXPECT_EQ(designMneNotch(500, 50.0).subFilterLengths, (std::vector<std::size_t>{3301, 3301}));
  // 160 Hz (EEGMMIDB): h_tb = min(18.75, 80 − 75) = 5 Hz, stop band at Nyquist.
  const FirDesign bp160 = designMneBandPass(160);
  EXPECT_DOUBLE_EQ(bp160.highTransitionHz, 5.0);
  EXPECT_EQ(bp160.cornerFrequenciesHz, (std::vector<double>{0.0, 0.1, 75.0, 80.0}));
}

TEST(DspFir, AutoLengthKeepsTheFloatQuirk) {
  // 3.3 / 0.1 = 32.99999999999999 in float64, so 500 Hz gives ceil(16499.999999999996) = 16500 -> odd 16501.
  EXPECT_LT(3.3 / 0.1, 33.0);
  EXPECT_EQ(mneAutoFilterLength(500.0, 0.1), 16501u);
  EXPECT_EQ(mneAutoFilterLength(500.0, 0.5), 3301u);
  EXPECT_EQ(mneAutoFilterLength(100.0, 0.1), 3301u);  // ceil(3299.9999999999995) = 3300 -> 3301
  EXPECT_EQ(mneAutoFilterLength(1.0, 3.3), 1u);
}

TEST(DspFir, FirwinMatchesScipy) {
  const auto cases = manifest()["firwin"];
  ASSERT_GE(cases.size(), 6u);
  for (const auto& c : cases) {
    const auto expected = loadFixture(c["file"]);
    const auto got = firwinHammingLowPass(c["numtaps"].get<std::size_t>(), c["cutoff"].get<double>());
    SCOPED_TRACE(c.dump());
    ASSERT_EQ(got.size(), expected.size());
    EXPECT_LE(maxAbsDiff(got, expected), 1e-15 + 1e-13 * maxAbs(expected));
  }
}

TEST(DspFir, FullDesignsMatchMne) {
  const auto designs = manifest()["designs"];
  ASSERT_EQ(designs.size(), 7u);
  for (const auto& d : designs) {
    SCOPED_TRACE(d.dump());
    const auto expected = loadFixture(d["file"]);
    const double fs = d["fs"].get<double>();
    const FirDesign design = d["kind"] == "bandpass" ? designMneBandPass(fs, d["l_freq"], d["h_freq"])
                                                     : designMneNotch(fs, d["f0"].get<double>());
    ASSERT_EQ(design.taps.size(), expected.size());
    const double diff = maxAbsDiff(design.taps, expected);
    EXPECT_LE(diff, 1e-15);
    std::printf("[ measure  ] %s: %zu taps, max |d| vs MNE %.3g\n", d["file"].get<std::string>().c_str(),
                design.taps.size(), diff);
  }
}

TEST(DspFir, AttenuationAtChosenFrequencies) {
  const FirDesign bp = designMneBandPass(500.0);
  const auto gain = [&](double f) { return magnitudeAt(bp.taps, 500.0, f); };
  // pass band (Hamming: ripple 0.0194 -> within ±0.2 dB)
  for (double f : {1.0, 10.0, 30.0, 50.0, 70.0}) EXPECT_NEAR(gain(f), 1.0, 0.03) << f << " Hz";
  // −6 dB points at 0.05 Hz and 84.375 Hz
  EXPECT_NEAR(gain(0.05), 0.5, 0.01);
  EXPECT_NEAR(gain(84.375), 0.5, 0.01);
  // stop bands: DC and above 75 + h_tb = 93.75 Hz at least 50 dB down (Hamming ≈ 53 dB)
  EXPECT_LT(gain(0.0), 1e-3);
  for (double f : {95.0, 120.0, 200.0, 249.0}) EXPECT_LT(gain(f), 10e-3 / 3.0) << f << " Hz";

  const FirDesign notch = designMneNotch(500.0, 50.0);
  EXPECT_LT(magnitudeAt(notch.taps, 500.0, 50.0), 1e-2);  // > 40 dB at the mains frequency
  EXPECT_NEAR(magnitudeAt(notch.taps, 500.0, 49.625), 0.5, 0.01);
  EXPECT_NEAR(magnitudeAt(notch.taps, 500.0, 50.375), 0.5, 0.01);
  for (double f : {10.0, 48.0, 52.0, 100.0}) EXPECT_NEAR(magnitudeAt(notch.taps, 500.0, f), 1.0, 0.03) << f;
}

TEST(DspFir, FrequencyResponseSamplesTheDtft) {
  const FirDesign bp = designMneBandPass(250.0);
  const FrequencyResponse r = frequencyResponse(bp, 1001);  // 1000-point grid: fewer bins than taps (folded)
  ASSERT_EQ(r.frequencyHz.size(), 1001u);
  EXPECT_DOUBLE_EQ(r.frequencyHz.back(), 125.0);
  for (std::size_t k : {0u, 1u, 80u, 600u, 700u, 1000u})
    EXPECT_NEAR(r.magnitude[k], magnitudeAt(bp.taps, 250.0, r.frequencyHz[k]), 1e-12) << r.frequencyHz[k];
  const auto db = r.magnitudeDb();
  EXPECT_NEAR(db[400], 0.0, 0.2);  // 50 Hz
  EXPECT_LT(db[900], -50.0);       // 112.5 Hz
}

TEST(DspFir, ApplicationMatchesMne) {
  const auto cases = manifest()["apply"];
  ASSERT_EQ(cases.size(), 2u);
  for (const auto& a : cases) {
    const std::string tag = a["tag"];
    SCOPED_TRACE(tag);
    const double fs = a["fs"].get<double>();
    const auto x = loadFixture("apply_" + tag + "_in.npy");
    const auto expectedBandPass = loadFixture("apply_" + tag + "_bandpass.npy");
    const auto expectedNotch = loadFixture("apply_" + tag + "_notch.npy");
    const ZeroPhaseFir bandPass(designMneBandPass(fs).taps);
    const ZeroPhaseFir notch(designMneNotch(fs, a["notch"].get<double>()).taps);
    const auto y = bandPass.apply(x);
    const auto z = notch.apply(y);
    // signals of a few hundred µV: 1e-9 µV is ~1e-12 relative
    const double bandPassDiff = maxAbsDiff(y, expectedBandPass), notchDiff = maxAbsDiff(z, expectedNotch);
    EXPECT_LE(bandPassDiff, 1e-9);
    EXPECT_LE(notchDiff, 1e-9);
    std::printf("[ measure  ] %s vs MNE 1.3: band-pass max |d| %.3g, notch max |d| %.3g (signal max %.3g)\n",
                tag.c_str(), bandPassDiff, notchDiff, maxAbs(x));
    EXPECT_GT(maxAbsDiff(z, x), 1.0);  // the filters did something
  }
}

TEST(DspFir, FftConvolutionEqualsDirectSummation) {
  // Independent check of padding + convolution + alignment with a short odd filter.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> g;
  std::vector<double> h(31);
  for (double& v : h) v = g(rng);
  std::vector<double> x(200);
  for (double& v : x) v = g(rng);
  for (std::size_t n : {200u, 40u, 7u, 1u}) {
    SCOPED_TRACE(n);
    std::vector<double> xs(x.begin(), x.begin() + n);
    const std::size_t e = std::min(h.size(), n) - 1;
    std::vector<double> ext;
    for (std::size_t i = e; i >= 1; --i) ext.push_back(2 * xs[0] - xs[i]);
    ext.insert(ext.end(), xs.begin(), xs.end());
    for (std::size_t i = 1; i <= e; ++i) ext.push_back(2 * xs[n - 1] - xs[n - 1 - i]);
    std::vector<double> direct(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t c = i + e + (h.size() - 1) / 2;  // full-convolution index
      for (std::size_t k = 0; k < h.size(); ++k)
        if (c >= k && c - k < ext.size()) direct[i] += h[k] * ext[c - k];
    }
    EXPECT_LE(maxAbsDiff(ZeroPhaseFir(h).apply(xs), direct), 1e-12);
  }
}

TEST(DspFir, BlockSizeFollowsMneCostRule) {
  const ZeroPhaseFir bp(designMneBandPass(500.0).taps);
  EXPECT_EQ(bp.blockSizeFor(31000), 65536u);  // EEGMAT task file: two blocks of 65536
  EXPECT_EQ(bp.blockSizeFor(2000), nextFastLength(2 * 16501 - 1));  // shorter than the filter: one block
  EXPECT_EQ(nextFastLength(33001), 33075u);  // 3^3·5^2·7^2, as scipy.fft.next_fast_len(33001)
  EXPECT_EQ(nextFastLength(1), 1u);
  EXPECT_EQ(nextFastLength(1025), 1029u);  // 3·7^3, as scipy
  EXPECT_EQ(nextFastLength(1024), 1024u);
  EXPECT_EQ(nextFastLength(1331 * 2 - 1), 2662u);  // 2·11^3
}

TEST(DspFir, ConcurrentApplicationGivesIdenticalResults) {
  const ZeroPhaseFir notch(designMneNotch(500.0, 50.0).taps);
  std::vector<double> x(20000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.01 * static_cast<double>(i)) + 0.1 * (i % 7);
  const auto reference = notch.apply(x);
  std::vector<std::vector<double>> results(4);
  std::vector<std::thread> threads;
  for (auto& r : results) threads.emplace_back([&] { r = notch.apply(x); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r, reference);
}

TEST(DspFir, RejectsImpossibleDesigns) {
  EXPECT_THROW(designMneBandPass(150.0), std::invalid_argument);  // 75 Hz = Nyquist
  EXPECT_THROW(designMneBandPass(500.0, 80.0, 75.0), std::invalid_argument);
  EXPECT_THROW(designMneBandPass(0.0), std::invalid_argument);
  EXPECT_THROW(designMneNotch(100.0, 50.0), std::invalid_argument);
  EXPECT_THROW(ZeroPhaseFir(std::vector<double>(4, 0.25)), std::invalid_argument);
  try {
    designMneBandPass(128.0);
    FAIL() << "128 Hz accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("Nyquist"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("64"), std::string::npos) << e.what();
  }
}
