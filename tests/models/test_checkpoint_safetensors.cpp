// Our own weight format (safetensors + JSON config in __metadata__): round trips, an independent Python
// reader/writer (tests/tools/safetensors_reference.py), validation of hostile headers, atomic replacement.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "models/io/SafeTensors.h"
#include "models/io/TorchCheckpoint.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

int runPython(const std::string& args) {
  const std::string cmd = std::string(test::python()) + " " + args;
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }
fs::path script() { return test::testsDir() / "tools" / "safetensors_reference.py"; }

nlohmann::json readJson(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

std::vector<double> valuesOf(const torch::Tensor& t) {
  const torch::Tensor flat = t.reshape({-1}).to(torch::kDouble).contiguous();
  return std::vector<double>(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel());
}

// Every supported dtype, a non-contiguous input, a broadcast view, a scalar and an empty tensor.
NamedTensors sampleTensors() {
  torch::manual_seed(3);
  const torch::Tensor base = torch::randn({4, 3});
  return {
      {"VQ.encoder.weight", torch::randn({2, 3, 4})},
      {"transposed", base.t()},
      {"row.broadcast", torch::randn({1, 5}).expand({3, 5})},
      {"f64", torch::randn({3}, torch::kDouble)},
      {"f16", torch::randn({4}).to(torch::kHalf)},
      {"bf16", torch::randn({4}).to(torch::kBFloat16)},
      {"i64", torch::tensor({std::int64_t{-1} << 50, std::int64_t{0}, std::int64_t{50256}})},
      {"i32", torch::tensor({-7, 1 << 30}, torch::kInt)},
      {"i16", torch::tensor({-300, 300}, torch::kShort)},
      {"i8", torch::tensor({-128, 127}, torch::kChar)},
      {"u8", torch::tensor({0, 255}, torch::kByte)},
      {"flags", torch::tensor({true, false, true})},
      {"scalar", torch::tensor(4.5f)},
      {"empty", torch::zeros({0, 7})},
  };
}

void expectEqualTensors(const NamedTensors& got, const NamedTensors& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(want[i].first);
    EXPECT_EQ(got[i].first, want[i].first);
    EXPECT_EQ(got[i].second.scalar_type(), want[i].second.scalar_type());
    EXPECT_EQ(got[i].second.sizes(), want[i].second.sizes());
    EXPECT_TRUE(torch::equal(got[i].second, want[i].second));
  }
}

// A file from a hand-written header and `dataBytes` zero bytes of data.
fs::path rawFile(const test::TempDir& dir, const std::string& header, std::size_t dataBytes,
                 std::uint64_t declaredLength = ~std::uint64_t{0}) {
  static int counter = 0;
  const fs::path p = dir / ("raw" + std::to_string(counter++) + ".safetensors");
  std::ofstream out(p, std::ios::binary);
  const std::uint64_t n = declaredLength == ~std::uint64_t{0} ? header.size() : declaredLength;
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
  out << header << std::string(dataBytes, '\0');
  return p;
}

std::string readError(const fs::path& p) {
  try {
    readSafeTensors(p);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(SafeTensors, RoundTripsEveryDtypeWithConfigInBothLoadModes) {
  test::TempDir dir("neurolm-st");
  const NamedTensors tensors = sampleTensors();
  const nlohmann::json config = {{"kind", "neurolm"}, {"n_layer", 2}, {"bias", true}, {"dropout", 0.0}};
  writeSafeTensors(dir / "m.safetensors", tensors, config, {{"note", "ünïcode ✓"}});
  for (const auto mode : {SafeTensorsLoad::Map, SafeTensorsLoad::Copy}) {
    const SafeTensorsFile file = readSafeTensors(dir / "m.safetensors", mode);
    expectEqualTensors(file.tensors, tensors);
    EXPECT_EQ(file.config(), config);
    EXPECT_EQ(file.metadata.at("note"), "ünïcode ✓");
    EXPECT_EQ(file.metadata.size(), 2u);
  }
  // Mapped tensors are private copies-on-write: writing to one never changes the file.
  {
    SafeTensorsFile mapped = readSafeTensors(dir / "m.safetensors", SafeTensorsLoad::Map);
    mapped.tensors[0].second.fill_(42.0f);
  }
  expectEqualTensors(readSafeTensors(dir / "m.safetensors").tensors, tensors);
  // No temporary file is left behind.
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1u);
}

TEST(SafeTensors, IndependentPythonReaderSeesTheSameFile) {
  test::TempDir dir("neurolm-st");
  const NamedTensors tensors = sampleTensors();
  writeSafeTensors(dir / "m.safetensors", tensors, nlohmann::json{{"n_embd", 8}}, {});
  ASSERT_EQ(
      runPython(quoted(script()) + " dump " + quoted(dir / "m.safetensors") + " " + quoted(dir / "d.json")),
      0);
  const nlohmann::json dump = readJson(dir / "d.json");
  EXPECT_EQ(dump.at("data_start").get<int>() % 8, 0);  // our header is padded
  EXPECT_EQ(nlohmann::json::parse(dump.at("metadata").at("neurolm_config").get<std::string>()),
            (nlohmann::json{{"n_embd", 8}}));
  const auto& refs = dump.at("tensors");
  ASSERT_EQ(refs.size(), tensors.size());
  const std::map<c10::ScalarType, std::string> names = {
      {torch::kFloat, "F32"}, {torch::kDouble, "F64"}, {torch::kHalf, "F16"},  {torch::kBFloat16, "BF16"},
      {torch::kLong, "I64"},  {torch::kInt, "I32"},    {torch::kShort, "I16"}, {torch::kChar, "I8"},
      {torch::kByte, "U8"},   {torch::kBool, "BOOL"}};
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    SCOPED_TRACE(tensors[i].first);
    EXPECT_EQ(refs[i].at("name").get<std::string>(), tensors[i].first);  // header keeps the written order
    EXPECT_EQ(refs[i].at("dtype").get<std::string>(), names.at(tensors[i].second.scalar_type()));
    EXPECT_EQ(refs[i].at("shape").get<std::vector<std::int64_t>>(), tensors[i].second.sizes().vec());
    EXPECT_EQ(refs[i].at("values").get<std::vector<double>>(), valuesOf(tensors[i].second));
  }
}

TEST(SafeTensors, ReadsAFileWrittenByThePythonReferenceWithUnalignedData) {
  test::TempDir dir("neurolm-st");
  ASSERT_EQ(
      runPython(quoted(script()) + " write " + quoted(dir / "py.safetensors") + " " + quoted(dir / "e.json")),
      0);
  const nlohmann::json expected = readJson(dir / "e.json");
  for (const auto mode : {SafeTensorsLoad::Map, SafeTensorsLoad::Copy}) {
    const SafeTensorsFile file = readSafeTensors(dir / "py.safetensors", mode);
    ASSERT_EQ(file.tensors.size(), expected.at("tensors").size());
    for (std::size_t i = 0; i < file.tensors.size(); ++i) {
      const auto& want = expected.at("tensors")[i];
      SCOPED_TRACE(want.at("name").get<std::string>());
      EXPECT_EQ(file.tensors[i].first, want.at("name").get<std::string>());
      EXPECT_EQ(file.tensors[i].second.sizes().vec(), want.at("shape").get<std::vector<std::int64_t>>());
      EXPECT_EQ(valuesOf(file.tensors[i].second), want.at("values").get<std::vector<double>>());
    }
    EXPECT_EQ(file.config(), (nlohmann::json{{"n_layer", 2}, {"name", "py"}}));
    EXPECT_EQ(file.metadata.at("format"), "pt");
  }
}

TEST(SafeTensors, ConvertsTheNeuroLmParityCheckpointLosslessly) {
  test::TempDir dir("neurolm-st");
  const TorchCheckpoint ckpt = readTorchCheckpoint(test::parityDir() / "neurolm" / "ckpt.pt");
  writeSafeTensors(dir / "neurolm.safetensors", ckpt.modelTensors, ckpt.modelArgs, {});
  const SafeTensorsFile file = readSafeTensors(dir / "neurolm.safetensors");
  expectEqualTensors(file.tensors, ckpt.modelTensors);
  EXPECT_EQ(file.config().at("vocab_size"), 50304);
  EXPECT_EQ(file.tensors.front().first, "GPT2.transformer.wte.weight");  // written without `_orig_mod.`
}

TEST(SafeTensors, RejectsMalformedHeadersWithClearErrors) {
  test::TempDir dir("neurolm-st");
  const std::string ok = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  EXPECT_EQ(readSafeTensors(rawFile(dir, ok, 8)).tensors.size(), 1u);

  struct Case {
    std::string header;
    std::size_t dataBytes;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {ok, 4, "tensors cover 8 data bytes, but the file holds 4 (file truncated?)"},
      {ok, 12, "tensors cover 8 data bytes, but the file holds 12 (trailing bytes)"},
      {"{\"a\":", 0, "header is not valid JSON"},
      {"[1,2]", 0, "header does not start with '{'"},
      {R"({"a":{"dtype":"F99","shape":[2],"data_offsets":[0,8]}})", 8, "tensor 'a': unsupported dtype 'F99'"},
      {R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8,
       "tensor 'a': data_offsets [0,8] span 8 bytes, but dtype F32 and shape [3] need 12"},
      {R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8,
       "shape [-2] is not non-negative ints"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8, "data_offsets [8,0] span 0 bytes"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", 8, "'data_offsets' is not a pair"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
       8, "tensor 'b' starts at data byte 4, expected 8 (overlaps the previous tensor)"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12,
       "tensor 'a' starts at data byte 4, expected 0 (gap)"},
      {R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}})", 8,
       "overflows"},
      {R"({"__metadata__":{"k":1},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 8,
       "__metadata__.k is not a string"},
      {R"({"a":{"shape":[2],"data_offsets":[0,8]}})", 8, "tensor 'a': no string 'dtype'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.header);
    const fs::path p = rawFile(dir, c.header, c.dataBytes);
    const std::string err = readError(p);
    EXPECT_EQ(err.rfind(p.string() + ": ", 0), 0u) << err;
    EXPECT_NE(err.find(c.expected), std::string::npos) << err;
  }
  EXPECT_NE(readError(rawFile(dir, ok, 8, 1000)).find("header length 1000 runs past the end of the file"),
            std::string::npos);
  EXPECT_NE(readError(rawFile(dir, ok, 8, std::uint64_t{1} << 40)).find("exceeds the limit"),
            std::string::npos);
  EXPECT_NE(readError(rawFile(dir, "", 0, 0)).find("header does not start with '{'"), std::string::npos);
  EXPECT_NE(readError(dir / "missing.safetensors").find("cannot open"), std::string::npos);
  { std::ofstream(dir / "short.safetensors") << "abc"; }
  EXPECT_NE(readError(dir / "short.safetensors").find("too short for a safetensors file (3 bytes)"),
            std::string::npos);

  // Every truncation of a real file is refused.
  writeSafeTensors(dir / "m.safetensors", sampleTensors(), {});
  std::ifstream in(dir / "m.safetensors", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  for (std::size_t n = 0; n < bytes.size(); n += 7) {
    std::ofstream(dir / "cut.safetensors", std::ios::binary | std::ios::trunc) << bytes.substr(0, n);
    EXPECT_NE(readError(dir / "cut.safetensors"), "(no error)") << n;
  }
}

TEST(SafeTensors, FailedWritesLeaveTheOldFileUntouched) {
  test::TempDir dir("neurolm-st");
  const fs::path target = dir / "m.safetensors";
  const NamedTensors good = {{"w", torch::ones({2})}};
  writeSafeTensors(target, good, {});

  auto writeError = [&](const NamedTensors& t, const fs::path& where) {
    try {
      writeSafeTensors(where, t, {});
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(
      writeError({{"c", torch::ones({2}, torch::kComplexFloat)}}, target).find("has dtype ComplexFloat"),
      std::string::npos);
  EXPECT_NE(writeError({{"w", torch::ones({1})}, {"w", torch::ones({1})}}, target).find("'w' appears twice"),
            std::string::npos);
  EXPECT_NE(writeError({{"__metadata__", torch::ones({1})}}, target).find("invalid tensor name"),
            std::string::npos);
  EXPECT_NE(writeError(good, dir / "no" / "such" / "dir.safetensors").find("cannot create temporary file"),
            std::string::npos);
  expectEqualTensors(readSafeTensors(target).tensors, good);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1u);

  // A successful write replaces the file as a whole.
  const NamedTensors next = {{"v", torch::arange(5, torch::kLong)}};
  writeSafeTensors(target, next, {});
  expectEqualTensors(readSafeTensors(target).tensors, next);
}

TEST(SafeTensors, ReleasingMappedPagesKeepsValuesAndNeverTouchesOtherMemory) {
  test::TempDir dir;
  const auto path = dir.path() / "big.safetensors";
  torch::manual_seed(9);
  const auto big = torch::randn({1024, 1024});  // 4 MiB: many whole pages
  const auto small = torch::randn({3});
  writeSafeTensors(path, {{"big", big}, {"small", small}});
  auto file = readSafeTensors(path, SafeTensorsLoad::Map);
  const auto& mapped = file.tensors[0].second;
  const auto copy = mapped.clone();
  file.releasePages(mapped);  // pages dropped; reading them again goes back to the file
  EXPECT_TRUE(torch::equal(mapped, big));
  EXPECT_TRUE(torch::equal(copy, big));
  const auto heap = torch::randn({1024, 1024});
  const auto heapCopy = heap.clone();
  file.releasePages(heap);  // not a view of the mapping: left alone
  EXPECT_TRUE(torch::equal(heap, heapCopy));
  file.releasePages(file.tensors[1].second);  // less than a page: nothing to release
  EXPECT_TRUE(torch::equal(file.tensors[1].second, small));
  auto copied = readSafeTensors(path, SafeTensorsLoad::Copy);
  copied.releasePages(copied.tensors[0].second);  // Copy mode: no-op
  EXPECT_TRUE(torch::equal(copied.tensors[0].second, big));
}
