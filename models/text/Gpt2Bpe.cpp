#include "core/text/Printable.h"
#include "models/text/Gpt2Bpe.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <fstream>
#include <limits>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace neurolm {

namespace {

constexpr std::string_view kPretokenizePattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
constexpr std::size_t kCacheCapacity = 1 << 16;

// One UTF-8 sequence at s[i]: its length when well-formed (code point in *cp), otherwise 0 with *bad set to
// the length of the maximal ill-formed prefix (at least 1), following Unicode's "maximal subpart" practice.
std::size_t utf8Sequence(std::string_view s, std::size_t i, char32_t* cp, std::size_t* bad) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // no overlong forms
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;  // <= U+10FFFF
  } else {
    *bad = 1;
    return 0;
  }
  char32_t value = c & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    if (i + k >= s.size()) {
      *bad = k;
      return 0;
    }
    const unsigned char b = byte(i + k);
    const unsigned char min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xBF;
    if (b < min || b > max) {
      *bad = k;
      return 0;
    }
    value = (value << 6) | (b & 0x3F);
  }
  *cp = value;
  return len;
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// GPT-2's reversible byte -> printable code point table: bytes that are visible Latin-1 characters keep their
// code point; the other 68 (controls, space, DEL, NBSP, soft hyphen, ...) get 256, 257, ... in byte order.
struct ByteAlphabet {
  std::array<char32_t, 256> codePointOfByte{};
  std::array<int, 256 + 68> byteOfCodePoint{};
  ByteAlphabet() {
    byteOfCodePoint.fill(-1);
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool visible = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      codePointOfByte[static_cast<std::size_t>(b)] = visible ? static_cast<char32_t>(b) : next++;
      byteOfCodePoint[codePointOfByte[static_cast<std::size_t>(b)]] = b;
    }
  }
};
const ByteAlphabet& byteAlphabet() {
  static const ByteAlphabet table;
  return table;
}

std::string printable(std::string_view text) { return escapeControlBytes(text); }

std::string readWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open tokenizer file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::uint64_t pairKey(TokenId a, TokenId b) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) | static_cast<std::uint32_t>(b);
}

struct PcreCodeDeleter {
  void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};
struct PcreMatchDataDeleter {
  void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); }
};

std::string pcreError(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof buffer);
  return reinterpret_cast<const char*>(buffer);
}

}  // namespace

std::size_t firstInvalidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    std::size_t bad = 0;
    const std::size_t n = utf8Sequence(s, i, &cp, &bad);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

struct Gpt2Bpe::Impl {
  struct Merge {
    std::int32_t rank;
    TokenId result;
  };
  std::vector<std::string> bytesOfId;                     // raw bytes each id stands for
  std::unordered_map<std::string, TokenId> idOfSpelling;  // byte-level spelling ("Ġworld") -> id
  std::array<TokenId, 256> idOfByte{};
  TokenId endOfText = kEndOfText;
  std::unordered_map<std::uint64_t, Merge> merges;  // (left id, right id) -> rank, merged id
  std::unique_ptr<pcre2_code, PcreCodeDeleter> pattern;

  mutable std::mutex cacheMutex;
  mutable std::unordered_map<std::string, std::vector<TokenId>> cache;

  void loadEncoder(const std::filesystem::path& path);
  void loadMerges(const std::filesystem::path& path);
  void compilePattern();
  void encodeOrdinary(std::string_view text, std::vector<TokenId>& out) const;
  void encodePiece(std::string_view piece, std::vector<TokenId>& out) const;
};

void Gpt2Bpe::Impl::loadEncoder(const std::filesystem::path& path) {
  const std::string where = path.string();
  nlohmann::json encoder;
  try {
    encoder = nlohmann::json::parse(readWholeFile(path));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(where + ": not valid JSON: " + e.what());
  }
  if (!encoder.is_object() || encoder.empty()) throw std::runtime_error(where + ": expected a JSON object");
  const std::size_t n = encoder.size();
  if (n > static_cast<std::size_t>(std::numeric_limits<TokenId>::max())) {
    throw std::runtime_error(where + ": too many tokens");
  }
  bytesOfId.assign(n, std::string());
  std::vector<bool> seen(n, false);
  const ByteAlphabet& alphabet = byteAlphabet();
  for (const auto& [spelling, value] : encoder.items()) {
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
        value.get<std::int64_t>() >= static_cast<std::int64_t>(n)) {
      throw std::runtime_error(where + ": token '" + printable(spelling) + "' has id " + value.dump() +
                               ", expected 0.." + std::to_string(n - 1));
    }
    const auto id = static_cast<TokenId>(value.get<std::int64_t>());
    if (seen[static_cast<std::size_t>(id)])
      throw std::runtime_error(where + ": id " + std::to_string(id) + " appears twice");
    seen[static_cast<std::size_t>(id)] = true;
    std::string bytes;
    for (std::size_t i = 0; i < spelling.size();) {
      char32_t cp = 0;
      std::size_t bad = 0;
      const std::size_t len = utf8Sequence(spelling, i, &cp, &bad);
      if (len == 0 || cp >= alphabet.byteOfCodePoint.size() || alphabet.byteOfCodePoint[cp] < 0) {
        throw std::runtime_error(where + ": token '" + printable(spelling) + "' (id " + std::to_string(id) +
                                 ") is not spelled in GPT-2's byte alphabet");
      }
      bytes += static_cast<char>(alphabet.byteOfCodePoint[cp]);
      i += len;
    }
    if (bytes.empty()) throw std::runtime_error(where + ": empty token with id " + std::to_string(id));
    bytesOfId[static_cast<std::size_t>(id)] = std::move(bytes);
    idOfSpelling.emplace(spelling, id);
  }
  for (int b = 0; b < 256; ++b) {
    std::string spelling;
    appendUtf8(spelling, alphabet.codePointOfByte[static_cast<std::size_t>(b)]);
    const auto it = idOfSpelling.find(spelling);
    if (it == idOfSpelling.end()) {
      throw std::runtime_error(where + ": no token for byte " + std::to_string(b) + " ('" + spelling + "')");
    }
    idOfByte[static_cast<std::size_t>(b)] = it->second;
  }
  const auto eot = idOfSpelling.find(std::string(kEndOfTextText));
  if (eot == idOfSpelling.end())
    throw std::runtime_error(where + ": no " + std::string(kEndOfTextText) + " token");
  endOfText = eot->second;
}

void Gpt2Bpe::Impl::loadMerges(const std::filesystem::path& path) {
  const std::string where = path.string();
  std::istringstream in(readWholeFile(path));
  std::string line;
  std::size_t lineNo = 0;
  std::int32_t rank = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (lineNo == 1 && line.starts_with("#version"))) continue;
    const std::size_t space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == line.size() ||
        line.find(' ', space + 1) != std::string::npos) {
      throw std::runtime_error(where + ": line " + std::to_string(lineNo) +
                               ": expected 'left right', found '" + printable(line) + "'");
    }
    const std::string left = line.substr(0, space), right = line.substr(space + 1);
    const auto l = idOfSpelling.find(left), r = idOfSpelling.find(right), m = idOfSpelling.find(left + right);
    if (l == idOfSpelling.end() || r == idOfSpelling.end() || m == idOfSpelling.end()) {
      throw std::runtime_error(where + ": line " + std::to_string(lineNo) + ": merge '" + printable(line) +
                               "' uses or makes a token that encoder.json lacks");
    }
    // A repeated pair keeps its first (highest-priority) rank.
    merges.emplace(pairKey(l->second, r->second), Merge{rank++, m->second});
  }
  if (merges.empty()) throw std::runtime_error(where + ": no merges");
}

void Gpt2Bpe::Impl::compilePattern() {
  int error = 0;
  PCRE2_SIZE errorOffset = 0;
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(kPretokenizePattern.data()), kPretokenizePattern.size(),
                    PCRE2_UTF | PCRE2_UCP, &error, &errorOffset, nullptr);
  if (code == nullptr) throw std::runtime_error("GPT-2 pre-tokeniser pattern: " + pcreError(error));
  pattern.reset(code);
}

void Gpt2Bpe::Impl::encodePiece(std::string_view piece, std::vector<TokenId>& out) const {
  {
    std::lock_guard lock(cacheMutex);
    const auto it = cache.find(std::string(piece));
    if (it != cache.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<TokenId> symbols;
  symbols.reserve(piece.size());
  for (const char c : piece) symbols.push_back(idOfByte[static_cast<unsigned char>(c)]);
  // Repeatedly merge the adjacent pair with the lowest rank (all its non-overlapping occurrences, left to
  // right).
  std::vector<TokenId> next;
  while (symbols.size() > 1) {
    std::int32_t bestRank = std::numeric_limits<std::int32_t>::max();
    TokenId bestLeft = -1, bestRight = -1, bestResult = -1;
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
      const auto it = merges.find(pairKey(symbols[i], symbols[i + 1]));
      if (it != merges.end() && it->second.rank < bestRank) {
        bestRank = it->second.rank;
        bestLeft = symbols[i];
        bestRight = symbols[i + 1];
        bestResult = it->second.result;
      }
    }
    if (bestResult < 0) break;
    next.clear();
    for (std::size_t i = 0; i < symbols.size(); ++i) {
      if (i + 1 < symbols.size() && symbols[i] == bestLeft && symbols[i + 1] == bestRight) {
        next.push_back(bestResult);
        ++i;
      } else {
        next.push_back(symbols[i]);
      }
    }
    symbols.swap(next);
  }
  out.insert(out.end(), symbols.begin(), symbols.end());
  std::lock_guard lock(cacheMutex);
  if (cache.size() >= kCacheCapacity) cache.clear();
  cache.emplace(std::string(piece), std::move(symbols));
}

void Gpt2Bpe::Impl::encodeOrdinary(std::string_view text, std::vector<TokenId>& out) const {
  std::unique_ptr<pcre2_match_data, PcreMatchDataDeleter> match(
      pcre2_match_data_create_from_pattern(pattern.get(), nullptr));
  if (!match) throw std::bad_alloc();
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  std::size_t offset = 0;
  while (offset < text.size()) {
    const int rc =
        pcre2_match(pattern.get(), subject, text.size(), offset, PCRE2_NO_UTF_CHECK, match.get(), nullptr);
    if (rc ==
        PCRE2_ERROR_NOMATCH) {  // cannot happen (every character matches some branch); keep the bytes anyway
      encodePiece(text.substr(offset), out);
      return;
    }
    if (rc < 0) throw std::runtime_error("GPT-2 pre-tokeniser failed: " + pcreError(rc));
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(match.get());
    std::size_t begin = ov[0], end = ov[1];
    if (begin > offset) encodePiece(text.substr(offset, begin - offset), out);
    if (end == begin) {  // an empty match: step over one character
      char32_t cp = 0;
      std::size_t bad = 1;
      const std::size_t n = utf8Sequence(text, begin, &cp, &bad);
      end = begin + (n == 0 ? bad : n);
    }
    encodePiece(text.substr(begin, end - begin), out);
    offset = end;
  }
}

Gpt2Bpe::Gpt2Bpe(const std::filesystem::path& encoderJson, const std::filesystem::path& vocabBpe)
    : impl_(std::make_unique<Impl>()) {
  impl_->loadEncoder(encoderJson);
  impl_->loadMerges(vocabBpe);
  impl_->compilePattern();
}

Gpt2Bpe Gpt2Bpe::fromDirectory(const std::filesystem::path& dir) {
  return Gpt2Bpe(dir / "encoder.json", dir / "vocab.bpe");
}

Gpt2Bpe::~Gpt2Bpe() = default;
Gpt2Bpe::Gpt2Bpe(Gpt2Bpe&&) noexcept = default;
Gpt2Bpe& Gpt2Bpe::operator=(Gpt2Bpe&&) noexcept = default;

std::vector<TokenId> Gpt2Bpe::encode(std::string_view utf8) const {
  const std::size_t bad = firstInvalidUtf8(utf8);
  if (bad != std::string_view::npos) {
    throw std::invalid_argument("text to tokenise is not valid UTF-8 (byte offset " + std::to_string(bad) +
                                ")");
  }
  std::vector<TokenId> ids;
  std::size_t start = 0;
  while (start <= utf8.size()) {
    const std::size_t special = utf8.find(kEndOfTextText, start);
    const std::size_t stop = special == std::string_view::npos ? utf8.size() : special;
    if (stop > start) impl_->encodeOrdinary(utf8.substr(start, stop - start), ids);
    if (special == std::string_view::npos) break;
    ids.push_back(impl_->endOfText);
    start = special + kEndOfTextText.size();
  }
  return ids;
}

std::string Gpt2Bpe::decodeBytes(std::span<const TokenId> ids, UnknownIds unknown) const {
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const TokenId id = ids[i];
    if (id >= 0 && static_cast<std::size_t>(id) < impl_->bytesOfId.size()) {
      out += impl_->bytesOfId[static_cast<std::size_t>(id)];
    } else if (unknown == UnknownIds::Mark) {
      out += "<|id:" + std::to_string(id) + "|>";
    } else {
      throw std::out_of_range("token id " + std::to_string(id) + " at position " + std::to_string(i) +
                              " is not in the GPT-2 vocabulary (0.." +
                              std::to_string(impl_->bytesOfId.size() - 1) + ")");
    }
  }
  return out;
}

std::string Gpt2Bpe::decode(std::span<const TokenId> ids, UnknownIds unknown) const {
  const std::string bytes = decodeBytes(ids, unknown);
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    char32_t cp = 0;
    std::size_t bad = 0;
    const std::size_t n = utf8Sequence(bytes, i, &cp, &bad);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      i += bad;
    } else {
      out.append(bytes, i, n);
      i += n;
    }
  }
  return out;
}

std::size_t Gpt2Bpe::vocabSize() const { return impl_->bytesOfId.size(); }
std::size_t Gpt2Bpe::mergeCount() const { return impl_->merges.size(); }

TokenId Gpt2Bpe::idOfToken(std::string_view token) const {
  const auto it = impl_->idOfSpelling.find(std::string(token));
  return it == impl_->idOfSpelling.end() ? -1 : it->second;
}

}  // namespace neurolm
