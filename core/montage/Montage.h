#pragma once
// Montages: the lanes the trace view shows, each a named linear combination of a recording's channels
// ("Fp1-F7" = Fp1 - F7, "Cz-Avg" = Cz - mean of the EEG channels, ...), as EDFbrowser's signal compositions
// and MNE's re-referencing. Built-ins are computed from the recording's channel names after the usual 10-20
// clean-up ("EEG Fp1" -> Fp1, "Fc5." -> FC5, "Cz-Ref" -> Cz); old and new temporal names are the same sites
// (T3 = T7, T4 = T8, T5 = P7, T6 = P8), and derivations use whichever name the recording has.
//
// Custom montage file (JSON, UTF-8):
//   {"name": "My montage",
//    "derivations": [
//      {"label": "Fp1-F7", "terms": [{"channel": "Fp1", "weight": 1}, {"channel": "F7", "weight": -1}]},
//      {"label": "ECG", "terms": [{"channel": "ECG ECG", "weight": 1}]}]}
// `channel` is a label of the recording or its cleaned 10-20 name; `weight` is optional (default 1). Errors
// name the file, the derivation (index and label) and the field.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/Recording.h"
#include "core/signal/SignalType.h"

namespace neurolm::montage {

// The canonical 10-20/10-10 spelling of a channel label ("EEG Fp1" -> "Fp1", "Fc5." -> "FC5", "CZ-REF" ->
// "Cz"), or nullopt when the label is not an electrode name. "EEG A2-A1" -> "A2" (an ear reference).
std::optional<std::string> electrodeName(std::string_view label);

// T3/T4/T5/T6 for T7/T8/P7/P8 (and the other way round); nullopt for other names.
std::optional<std::string> temporalSynonym(std::string_view electrode);

struct Term {
  std::size_t channel = 0;  // index in the recording
  double weight = 1;
};

struct Derivation {
  std::string label;
  std::vector<Term> terms;
  signal::SignalType type = signal::SignalType::Other;  // the type of its first term's channel
  std::string unit;         // the first term's channel's unit; every term is converted to it
  double sampleRateHz = 0;  // every term has this rate
};

struct Montage {
  std::string name;
  std::vector<Derivation> derivations;
};

enum class BuiltinMontage { Referential, CommonAverage, LongitudinalBipolar, TransverseBipolar, Laplacian };
inline constexpr BuiltinMontage kAllBuiltinMontages[] = {
    BuiltinMontage::Referential, BuiltinMontage::CommonAverage, BuiltinMontage::LongitudinalBipolar,
    BuiltinMontage::TransverseBipolar, BuiltinMontage::Laplacian};
// Stable identifiers for the CLI and settings: "referential", "average", "double-banana", "transverse",
// "laplacian".
std::string_view builtinMontageName(BuiltinMontage montage);
std::optional<BuiltinMontage> builtinMontageFromName(std::string_view name);

struct BuildOptions {
  std::set<std::size_t> badChannels;  // left out of the common average and of Laplacian neighbourhoods
};

// Built-in montages:
//  - Referential: every channel as recorded, labels as in the file.
//  - CommonAverage: each EEG channel minus the mean of the EEG channels, leaving out bad channels and the ear
//    and mastoid reference sites (A1 A2 M1 M2, e.g. EDF's "EEG A2-A1"); other channels as recorded.
//  - LongitudinalBipolar ("double banana"): Fp1-F7 F7-T3 T3-T5 T5-O1, Fp2-F8 F8-T4 T4-T6 T6-O2, Fp1-F3 F3-C3
//    C3-P3 P3-O1, Fp2-F4 F4-C4 C4-P4 P4-O2, Fz-Cz Cz-Pz (those whose two electrodes exist).
//  - TransverseBipolar: Fp1-Fp2, F7-F3 F3-Fz Fz-F4 F4-F8, T3-C3 C3-Cz Cz-C4 C4-T4, T5-P3 P3-Pz Pz-P4 P4-T6,
//    O1-O2.
//  - Laplacian: each 10-20 electrode minus the mean of its neighbours present in the recording (not bad),
//    when at least two are; neighbours (nearest on the 10-20 grid, old names):
//      Fp1: Fp2 F7 F3   Fp2: Fp1 F4 F8   F7: Fp1 F3 T3   F3: Fp1 F7 Fz C3   Fz: F3 F4 Cz
//      F4: Fp2 Fz F8 C4   F8: Fp2 F4 T4   T3: F7 C3 T5   C3: F3 T3 Cz P3   Cz: Fz C3 C4 Pz
//      C4: F4 Cz T4 P4   T4: F8 C4 T6   T5: T3 P3 O1   P3: C3 T5 Pz O1   Pz: Cz P3 P4
//      P4: C4 Pz T6 O2   T6: T4 P4 O2   O1: T5 P3 O2   O2: T6 P4 O1
// Bipolar and Laplacian montages hold EEG derivations only. Derivations always combine channels of one
// sample rate (others are skipped).
Montage buildMontage(BuiltinMontage which, const Recording& recording, const BuildOptions& options = {});
// The neighbour table above (old temporal names).
const std::vector<std::pair<std::string, std::vector<std::string>>>& laplacianNeighbours();

// A montage as written in a file: channels by name, resolved against a recording by resolveMontage().
struct TermSpec {
  std::string channel;
  double weight = 1;
};
struct DerivationSpec {
  std::string label;
  std::vector<TermSpec> terms;
};
struct MontageSpec {
  std::string name;
  std::vector<DerivationSpec> derivations;
};

class MontageFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws MontageFileError naming the file, the derivation and the field.
MontageSpec parseMontageJson(std::string_view json, const std::string& sourceName);
MontageSpec loadMontageFile(const std::filesystem::path& path);
std::string montageJson(const MontageSpec& spec);
// Written atomically.
void saveMontageFile(const std::filesystem::path& path, const MontageSpec& spec);
// The spec of a resolved montage (channels by their labels in the recording).
MontageSpec specOf(const Montage& montage, const Recording& recording);

// Channels by exact label, else by cleaned 10-20 name (T3 matches T7). Throws MontageFileError naming
// `sourceName`, the derivation and every channel that is not in the recording, or terms of different rates.
Montage resolveMontage(const MontageSpec& spec, const Recording& recording, const std::string& sourceName);

// out[d][i] = sum over the terms of derivation d of weight * factor * in[channel][i], where factor converts
// the channel's unit to the derivation's. `in` holds equal-length rows for every channel the montage uses
// (others may be empty). A sparse matrix product: cost proportional to the number of terms.
std::vector<std::vector<double>> applyMontage(const Montage& montage, const Recording& recording,
                                              const std::vector<std::vector<double>>& in);
// Unit factor of a term's channel into its derivation's unit (1 for equal units).
double termUnitFactor(const Derivation& derivation, const Term& term, const Recording& recording);

}  // namespace neurolm::montage
