// signal::derivationPsds (what the spectrum dock shows "as displayed" and `neurolm psd --montage` prints):
// the PSD of a derivation is the PSD of the difference of its channels. Hand-made recording: A = 100 µV sine
// at 10 Hz + 300 µV sine at 3 Hz, B = the same 3-Hz sine; A - B is the 10-Hz sine alone, mean square 100² / 2
// = 5000 µV², all of it in alpha (8-13 Hz), none at 3 Hz. A shorter window than nperseg shrinks the segment
// to the window with noverlap = floor(fraction · nperseg), as scipy.
#include <gtest/gtest.h>

#include <cmath>

#include "common/SyntheticEdf.h"
#include "common/TempDir.h"
#include "core/dsp/BandPower.h"
#include "core/montage/Montage.h"
#include "core/signal/ChannelPsd.h"

using namespace neurolm;

namespace {

std::shared_ptr<Recording> twoChannels(const test::TempDir& tmp) {
  test::SyntheticSpec spec;
  spec.channels = 2;
  spec.sampleRateHz = 256;
  spec.seconds = 20;
  spec.labels = {"EEG A", "EEG B"};
  spec.value = [](int c, std::int64_t i) {
    const double t = static_cast<double>(i) / 256;
    const double common = 300 * std::sin(2 * M_PI * 3 * t);
    return c == 0 ? 100 * std::sin(2 * M_PI * 10 * t) + common : common;
  };
  test::writeSyntheticEdf(tmp / "ab.edf", spec);
  OpenOptions o;
  o.buildPyramid = false;
  return Recording::open(tmp / "ab.edf", o);
}

montage::Montage difference(const Recording& rec) {
  montage::MontageSpec spec;
  spec.name = "difference";
  spec.derivations = {{"B alone", {{"EEG B", 1}}}, {"A-B", {{"EEG A", 1}, {"EEG B", -1}}}};
  return montage::resolveMontage(spec, rec, "test");
}

}  // namespace

TEST(DerivationPsd, DifferenceOfTwoChannelsHasThePowerOfWhatTheyDoNotShare) {
  test::TempDir tmp("derivation-psd");
  const auto rec = twoChannels(tmp);
  const montage::Montage m = difference(*rec);
  dsp::WelchOptions options;
  options.nperseg = 512;  // 0.5 Hz bins: 3 and 10 Hz fall on bins
  options.noverlap = 256;
  const auto psds = signal::derivationPsds(*rec, m, {}, {2, 12}, {1}, options, 0.5);
  ASSERT_EQ(psds.size(), 1u);
  EXPECT_EQ(psds[0].channel, 1u);  // the derivation's index in the montage
  EXPECT_EQ(psds[0].label, "A-B");
  EXPECT_EQ(psds[0].densityUnit, "µV²/Hz");
  EXPECT_EQ(psds[0].psd.nperseg, 512u);
  EXPECT_EQ(psds[0].psd.segments, 9u);  // (2560 - 512) / 256 + 1
  const auto bands = dsp::bandPowers(psds[0].psd, dsp::defaultBands());
  ASSERT_EQ(bands[2].band.name, "alpha");
  EXPECT_NEAR(bands[2].power, 5000, 5);
  EXPECT_LT(bands[0].power, 0.05);  // delta holds the 3-Hz sine in A and in B, not in A - B
  // B alone still has its 3-Hz sine: 300² / 2 = 45000 µV² in delta.
  const auto b = signal::derivationPsds(*rec, m, {}, {2, 12}, {0}, options, 0.5);
  EXPECT_NEAR(dsp::bandPowers(b[0].psd, dsp::defaultBands())[0].power, 45000, 45);
}

TEST(DerivationPsd, AWindowShorterThanASegmentShrinksItAsScipy) {
  test::TempDir tmp("derivation-psd-short");
  const auto rec = twoChannels(tmp);
  dsp::WelchOptions options;
  options.nperseg = 1000;
  options.noverlap = 300;
  const auto psds = signal::derivationPsds(*rec, difference(*rec), {}, {4, 5.5}, {1}, options, 0.3);
  ASSERT_EQ(psds.size(), 1u);
  EXPECT_EQ(psds[0].psd.nperseg, 384u);   // 1.5 s at 256 Hz
  EXPECT_EQ(psds[0].psd.noverlap, 115u);  // floor(0.3 · 384)
  EXPECT_THROW(signal::derivationPsds(*rec, difference(*rec), {}, {4, 5}, {2}, options, 0.3),
               std::out_of_range);
}
