#pragma once
// GPT-2's byte-level BPE (the text tokenizer of NeuroLM), driven by the original `encoder.json` and
// `vocab.bpe` (resources/tokenizer/gpt2). As GPT-2 / tiktoken "gpt2":
//   1. `<|endoftext|>` is split off as the special id 50256 before anything else;
//   2. each remaining piece is pre-tokenised with
//      's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+   (PCRE2, UTF + UCP);
//   3. the UTF-8 bytes of every pre-token are merged pairwise, lowest merge rank first, into vocabulary ids.
// No torch dependency. Thread-safe: encode() may be called concurrently (the merge cache is locked).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace neurolm {

using TokenId = std::int32_t;

class Gpt2Bpe {
 public:
  static constexpr TokenId kEndOfText = 50256;  // `<|endoftext|>`, also NeuroLM's text padding id
  static constexpr std::string_view kEndOfTextText = "<|endoftext|>";

  // How decode() treats ids the vocabulary does not have (NeuroLM's [SEP] = 50257 and its EEG-code outputs
  // 50304 + c live in the language model's larger embedding, not in GPT-2's vocabulary).
  enum class UnknownIds {
    Refuse,  // throw std::out_of_range naming the id and its position
    Mark,    // render each as the text "<|id:N|>" (N decimal), so nothing is silently dropped
  };

  // Loads `<dir>/encoder.json` and `<dir>/vocab.bpe`.
  static Gpt2Bpe fromDirectory(const std::filesystem::path& dir);
  // Throws std::runtime_error naming the file and the entry/line when the files are inconsistent (ids not
  // 0..n-1, a token that is not byte-level, a merge whose parts or result are not in the vocabulary).
  Gpt2Bpe(const std::filesystem::path& encoderJson, const std::filesystem::path& vocabBpe);
  ~Gpt2Bpe();
  Gpt2Bpe(Gpt2Bpe&&) noexcept;
  Gpt2Bpe& operator=(Gpt2Bpe&&) noexcept;

  // Token ids of UTF-8 text. Throws std::invalid_argument (with the byte offset) for invalid UTF-8.
  std::vector<TokenId> encode(std::string_view utf8) const;

  // The bytes the ids stand for, concatenated (may end inside a UTF-8 sequence when cut mid-character).
  std::string decodeBytes(std::span<const TokenId> ids, UnknownIds unknown = UnknownIds::Refuse) const;
  // As decodeBytes, then every ill-formed UTF-8 subsequence replaced by U+FFFD (as Python's
  // bytes.decode("utf-8", errors="replace"), which tiktoken's decode uses).
  std::string decode(std::span<const TokenId> ids, UnknownIds unknown = UnknownIds::Refuse) const;

  std::size_t vocabSize() const;                    // 50257 for GPT-2
  std::size_t mergeCount() const;                   // 50000 for GPT-2
  TokenId idOfToken(std::string_view token) const;  // byte-level spelling ("Ġworld"); -1 if absent

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Byte offset of the first invalid UTF-8 sequence in `s`, or std::string_view::npos when `s` is valid.
std::size_t firstInvalidUtf8(std::string_view s);

}  // namespace neurolm
