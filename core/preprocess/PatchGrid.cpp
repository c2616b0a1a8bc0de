#include "core/preprocess/PatchGrid.h"

#include <cmath>
#include <complex>
#include <stdexcept>
#include <string>

#include "core/dsp/RealFft.h"
#include "core/preprocess/ChannelVocabulary.h"

namespace neurolm::preprocess {
namespace {

struct MeanStd {
  double mean = 0, std = 1;
};

// (v − mean) / std with one mean and the unbiased (n − 1) std over all values, as the official std_norm.
MeanStd standardiseInto(const std::vector<double>& values, std::size_t rowLength, std::size_t keepPerRow,
                        std::vector<float>& out) {
  const std::size_t count = values.size();
  if (count < 2) throw std::invalid_argument("tokenizer targets: need at least 2 values to standardise");
  double mean = 0.0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(count);
  double squares = 0.0;
  for (double v : values) squares += (v - mean) * (v - mean);
  const double stdDev = std::sqrt(squares / static_cast<double>(count - 1));
  if (!(stdDev > 0.0)) throw std::invalid_argument("tokenizer targets: the window is constant (std = 0)");
  const std::size_t rows = count / rowLength;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < keepPerRow; ++k)
      out[r * keepPerRow + k] = static_cast<float>((values[r * rowLength + k] - mean) / stdDev);
  return {mean, stdDev};
}

}  // namespace

PatchGrid makePatchGrid(const MultichannelSignal& signal, std::span<const std::int32_t> channelVocabIndices,
                        std::size_t startSample, std::size_t windowSec, std::size_t paddedLength) {
  validateSignal(signal, "patching");
  const std::size_t channels = signal.channelCount();
  if (signal.sampleRateHz != 200.0)
    throw std::invalid_argument("patching: the signal must be at 200 Hz, got " + std::to_string(signal.sampleRateHz) +
                                " Hz (resample first)");
  if (channels == 0) throw std::invalid_argument("patching: the signal has no channels");
  if (channelVocabIndices.size() != channels)
    throw std::invalid_argument("patching: " + std::to_string(channelVocabIndices.size()) +
                                " vocabulary indices for " + std::to_string(channels) + " channels");
  for (std::size_t c = 0; c < channels; ++c) {
    const auto v = channelVocabIndices[c];
    if (v < 0 || v >= static_cast<std::int32_t>(kVocabularySize) || v == kPadChannelIndex)
      throw std::invalid_argument("patching: channel '" + signal.names[c] + "' has vocabulary index " +
                                  std::to_string(v) + ", expected 0…" + std::to_string(kVocabularySize - 1) +
                                  " and not the pad index " + std::to_string(kPadChannelIndex));
  }
  if (windowSec == 0 || windowSec > kMaxWindowSec)
    throw std::invalid_argument("patching: window length A = " + std::to_string(windowSec) +
                                " s is outside the limit 1 ≤ A ≤ " + std::to_string(kMaxWindowSec) +
                                " s (rows of the tokenizer's time embedding)");
  const std::size_t tokens = windowSec * channels;
  if (tokens > paddedLength)
    throw std::invalid_argument("patching: A·N = " + std::to_string(windowSec) + " s × " + std::to_string(channels) +
                                " channels = " + std::to_string(tokens) + " tokens exceeds the padded length Le = " +
                                std::to_string(paddedLength));
  const std::size_t windowSamples = windowSec * kSamplesPerPatch;
  if (startSample > signal.sampleCount() || windowSamples > signal.sampleCount() - startSample)
    throw std::invalid_argument("patching: window [" + std::to_string(startSample) + ", " +
                                std::to_string(startSample + windowSamples) + ") lies outside the signal of " +
                                std::to_string(signal.sampleCount()) + " samples");

  PatchGrid grid;
  grid.channelCount = channels;
  grid.windowSec = windowSec;
  grid.paddedLength = paddedLength;
  grid.patches.assign(paddedLength * kSamplesPerPatch, 0.0f);
  grid.inputChans.assign(paddedLength, kPadChannelIndex);
  grid.inputTime.assign(paddedLength, 0);
  grid.inputMask.assign(paddedLength, 0);
  for (std::size_t a = 0; a < windowSec; ++a) {
    for (std::size_t c = 0; c < channels; ++c) {
      const std::size_t token = a * channels + c;  // time-major
      const double* source = signal.samplesUv[c].data() + startSample + a * kSamplesPerPatch;
      float* target = grid.patches.data() + token * kSamplesPerPatch;
      // As the official loader: X / 100 in float64, then one rounding to float32.
      for (std::size_t k = 0; k < kSamplesPerPatch; ++k) target[k] = static_cast<float>(source[k] / kModelInputScaleUv);
      grid.inputChans[token] = channelVocabIndices[c];
      grid.inputTime[token] = static_cast<std::int32_t>(a);
      grid.inputMask[token] = 1;
    }
  }
  return grid;
}

TokenizerTargets makeTokenizerTargets(const PatchGrid& grid) {
  const std::size_t P = grid.realTokenCount();
  if (P == 0) throw std::invalid_argument("tokenizer targets: the grid has no real tokens");
  if (grid.patches.size() < P * kSamplesPerPatch) throw std::invalid_argument("tokenizer targets: grid too small");
  constexpr std::size_t T = kSamplesPerPatch;
  constexpr std::size_t kFreqBins = T / 2;  // bins 0…99 kept (bin k = k Hz)

  std::vector<double> raw(P * T);
  std::vector<double> amplitude(P * T);
  const auto fft = dsp::sharedRealFft(T);
  dsp::FftwBuffer<double> in(T);
  dsp::FftwBuffer<std::complex<double>> bins(fft->binCount());
  for (std::size_t p = 0; p < P; ++p) {
    for (std::size_t k = 0; k < T; ++k) {
      in[k] = static_cast<double>(grid.patches[p * T + k]);
      raw[p * T + k] = in[k];
    }
    fft->forward(in.data(), bins.data());
    // |DFT| of all 200 bins (the statistics include 100…199), using Hermitian symmetry for the upper half.
    for (std::size_t k = 0; k < T; ++k) amplitude[p * T + k] = std::abs(bins[k <= T / 2 ? k : T - k]);
  }
  TokenizerTargets targets;
  targets.paddedLength = grid.paddedLength;
  targets.realTokenCount = P;
  targets.yRaw.assign(grid.paddedLength * T, 0.0f);
  targets.yFreq.assign(grid.paddedLength * kFreqBins, 0.0f);
  standardiseInto(raw, T, T, targets.yRaw);
  const MeanStd freq = standardiseInto(amplitude, T, kFreqBins, targets.yFreq);
  targets.freqMean = freq.mean;
  targets.freqStd = freq.std;
  return targets;
}

}  // namespace neurolm::preprocess
