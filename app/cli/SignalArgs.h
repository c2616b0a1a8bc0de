#pragma once
// Option values shared by the signal commands (`neurolm psd`, `neurolm spectrogram`): numbers, comma lists,
// channel names, display filters and montages, turned into the engine's typed values. Errors name the option.
#include <cstddef>
#include <string>
#include <vector>

#include "core/dsp/DisplayFilter.h"
#include "core/io/Recording.h"
#include "core/montage/Montage.h"
#include "core/signal/ChannelPsd.h"

namespace neurolm::cli {

double parseNumber(const std::string& text, const std::string& what);
std::vector<std::string> splitComma(const std::string& text);
// "a:b" in seconds, 0 <= a < b.
signal::TimeWindow parseTimeWindow(const std::string& text, const std::string& option);
// Exact label first; otherwise the one channel whose cleaned name (preprocess::normaliseChannelName) matches.
std::size_t findChannel(const Recording& rec, const std::string& name);
// "hp=0.5,lp=40,notch=50" -> settings; errors name the item.
dsp::FilterSettings parseFilter(const std::string& text);
// A built-in montage by name or a montage JSON file, resolved against the recording.
montage::Montage montageFor(const std::string& nameOrFile, const Recording& rec);
// Index of each derivation label in `m`; throws naming the label and listing the montage's derivations.
std::vector<std::size_t> findDerivations(const montage::Montage& m, const std::vector<std::string>& labels);

}  // namespace neurolm::cli
