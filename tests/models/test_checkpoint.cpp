// Official torch.save checkpoints read without Python, checked against torch.load run by /usr/bin/python3.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <map>
#include <random>

#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "models/io/RestrictedUnpickler.h"
#include "models/io/TorchCheckpoint.h"

using namespace neurolm;
namespace fs = std::filesystem;

namespace {

// Shared by the tests of this file (the fixtures are generated once); removed at exit.
fs::path scratchDir() {
  static const test::TempDir dir("neurolm-ckpt");
  return dir.path();
}

int runPython(const std::string& args) {
  const std::string cmd = std::string(test::python()) + " " + args;
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

fs::path toolScript() { return test::testsDir() / "tools" / "make_test_checkpoints.py"; }

// torch.load's view of a checkpoint (see tests/tools/make_test_checkpoints.py).
nlohmann::json torchSummary(const fs::path& ckpt) {
  const fs::path out =
      scratchDir() / (ckpt.stem().string() + "_" + ckpt.parent_path().filename().string() + ".json");
  EXPECT_EQ(runPython(quoted(toolScript()) + " summary " + quoted(ckpt) + " " + quoted(out)), 0);
  std::ifstream in(out);
  return nlohmann::json::parse(in);
}

const fs::path& fixturesDir() {
  static const fs::path dir = [] {
    const fs::path d = scratchDir() / "fixtures";
    EXPECT_EQ(runPython(quoted(toolScript()) + " fixtures " + quoted(d)), 0);
    return d;
  }();
  return dir;
}

std::vector<std::int64_t> jsonInts(const nlohmann::json& j) { return j.get<std::vector<std::int64_t>>(); }

// Every tensor of `ckpt` equals torch.load's: order, names (prefix stripped), shape, stride, offset, dtype,
// first/last element and float64 sum (and all values of small tensors).
void expectSameAsTorchLoad(const TorchCheckpoint& ckpt, const nlohmann::json& ref) {
  const auto& tensors = ref.at("tensors");
  ASSERT_EQ(ckpt.modelTensors.size(), tensors.size());
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const std::string refName = tensors[i][0].get<std::string>();
    const auto& d = tensors[i][1];
    const auto& [name, t] = ckpt.modelTensors[i];
    SCOPED_TRACE(name);
    EXPECT_EQ(name, refName.starts_with("_orig_mod.") ? refName.substr(10) : refName);
    EXPECT_EQ(t.sizes().vec(), jsonInts(d.at("shape")));
    EXPECT_EQ(t.strides().vec(), jsonInts(d.at("stride")));
    EXPECT_EQ(t.storage_offset(), d.at("offset").get<std::int64_t>());
    std::string dtype = c10::toString(t.scalar_type());
    static const std::map<std::string, std::string> torchNames = {
        {"Float", "float32"}, {"Double", "float64"}, {"Half", "float16"}, {"BFloat16", "bfloat16"},
        {"Long", "int64"},    {"Int", "int32"},      {"Short", "int16"},  {"Char", "int8"},
        {"Byte", "uint8"},    {"Bool", "bool"}};
    EXPECT_EQ(torchNames.at(dtype), d.at("dtype").get<std::string>());
    EXPECT_EQ(t.requires_grad(), false);  // reading never creates autograd leaves
    if (t.numel() == 0) continue;
    const torch::Tensor flat = t.reshape({-1}).to(torch::kDouble);
    EXPECT_EQ(flat[0].item<double>(), d.at("first").get<double>());
    EXPECT_EQ(flat[-1].item<double>(), d.at("last").get<double>());
    const double sum = flat.sum().item<double>();
    const double absSum = flat.abs().sum().item<double>();
    EXPECT_NEAR(sum, d.at("sum").get<double>(), 1e-12 * absSum + 1e-300);
    if (d.contains("values")) {
      const auto values = d.at("values").get<std::vector<double>>();
      ASSERT_EQ(static_cast<std::size_t>(flat.numel()), values.size());
      for (std::size_t k = 0; k < values.size(); ++k)
        EXPECT_EQ(flat[static_cast<std::int64_t>(k)].item<double>(), values[k]);
    }
  }
}

std::string readError(const fs::path& path) {
  try {
    readTorchCheckpoint(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

std::vector<char> fileBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

void writeBytes(const fs::path& path, const char* data, std::size_t n) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data, static_cast<std::streamsize>(n));
}

const torch::Tensor& tensorNamed(const TorchCheckpoint& ckpt, const std::string& name) {
  for (const auto& [n, t] : ckpt.modelTensors) {
    if (n == name) return t;
  }
  throw std::runtime_error("no tensor " + name);
}

}  // namespace

TEST(Checkpoint, ReadsTheTokenizerParityCheckpoint) {
  const fs::path path = test::parityDir() / "vq" / "ckpt.pt";
  const TorchCheckpoint ckpt = readTorchCheckpoint(path);
  ASSERT_EQ(ckpt.modelTensors.size(), 76u);
  EXPECT_TRUE(ckpt.hadOrigModPrefix);
  EXPECT_TRUE(ckpt.hadOptimizer);
  EXPECT_EQ(ckpt.iterNum, 0);
  EXPECT_EQ(ckpt.epoch, 0);
  EXPECT_TRUE(ckpt.otherKeys.empty());
  EXPECT_TRUE(ckpt.modelArgs.is_null());
  EXPECT_EQ(ckpt.encoderArgs, nlohmann::json::parse(R"({"n_layer": 0, "n_head": 12, "n_embd": 768,
      "block_size": 1024, "bias": false, "dropout": 0.0, "num_classes": 0, "in_chans": 1, "out_chans": 16})"));
  EXPECT_EQ(ckpt.decoderArgs, nlohmann::json::parse(R"({"n_layer": 2, "n_head": 2, "n_embd": 32,
      "block_size": 1024, "bias": false, "dropout": 0.0, "num_classes": 0, "in_chans": 128})"));
  EXPECT_EQ(ckpt.modelTensors.front().first, "VQ.encoder.patch_embed.conv1.weight");
  EXPECT_EQ(ckpt.modelTensors.back().first, "wte.weight");
  EXPECT_EQ(tensorNamed(ckpt, "VQ.encoder.patch_embed.conv1.weight").sizes().vec(),
            (std::vector<std::int64_t>{16, 1, 1, 15}));
  EXPECT_EQ(tensorNamed(ckpt, "VQ.quantize.embedding.weight").sizes().vec(),
            (std::vector<std::int64_t>{8192, 128}));

  // The two storage tricks of the fixture: a stride-(0,0) zero and a stride-(0,1) repeated row.
  const torch::Tensor& embedAvg = tensorNamed(ckpt, "VQ.quantize.embedding.embed_avg");
  EXPECT_EQ(embedAvg.sizes().vec(), (std::vector<std::int64_t>{8192, 128}));
  EXPECT_EQ(embedAvg.strides().vec(), (std::vector<std::int64_t>{0, 0}));
  EXPECT_EQ(embedAvg.abs().max().item<float>(), 0.0f);
  const torch::Tensor& wte = tensorNamed(ckpt, "wte.weight");
  EXPECT_EQ(wte.sizes().vec(), (std::vector<std::int64_t>{50257, 768}));
  EXPECT_EQ(wte.strides().vec(), (std::vector<std::int64_t>{0, 1}));
  const torch::Tensor dense = wte.contiguous();
  EXPECT_TRUE(torch::equal(dense[0], dense[50256]));
  EXPECT_TRUE(torch::equal(dense[0], dense[12345]));
  EXPECT_GT(dense[0].abs().sum().item<float>(), 0.0f);

  expectSameAsTorchLoad(ckpt, torchSummary(path));
}

TEST(Checkpoint, ReadsTheNeuroLmParityCheckpoint) {
  const fs::path path = test::parityDir() / "neurolm" / "ckpt.pt";
  const TorchCheckpoint ckpt = readTorchCheckpoint(path);
  ASSERT_EQ(ckpt.modelTensors.size(), 50u);
  EXPECT_EQ(ckpt.modelArgs, nlohmann::json::parse(R"({"n_layer": 2, "n_head": 2, "n_embd": 8,
      "block_size": 1024, "bias": true, "vocab_size": 50304, "dropout": 0.0})"));
  EXPECT_TRUE(ckpt.encoderArgs.is_null());
  EXPECT_TRUE(ckpt.decoderArgs.is_null());
  EXPECT_TRUE(ckpt.hadOptimizer);
  EXPECT_EQ(ckpt.iterNum, 0);
  EXPECT_EQ(ckpt.epoch, 0);
  EXPECT_EQ(ckpt.modelTensors.front().first, "GPT2.transformer.wte.weight");
  EXPECT_EQ(tensorNamed(ckpt, "GPT2.lm_head.weight").sizes().vec(), (std::vector<std::int64_t>{58496, 8}));
  EXPECT_EQ(tensorNamed(ckpt, "pos_embed.weight").sizes().vec(), (std::vector<std::int64_t>{256, 8}));
  EXPECT_EQ(tensorNamed(ckpt, "encode_transform_layer.0.weight").sizes().vec(),
            (std::vector<std::int64_t>{8, 768}));
  // Values as torch.load gives them (sum over GPT2.transformer.wte.weight computed by PyTorch: -546.357...).
  EXPECT_NEAR(tensorNamed(ckpt, "GPT2.transformer.wte.weight").to(torch::kDouble).sum().item<double>(),
              -546.3572681929616, 1e-9);
  expectSameAsTorchLoad(ckpt, torchSummary(path));
}

TEST(Checkpoint, ReadsEveryDtypeViewsSharedStoragesAndParameters) {
  const fs::path path = fixturesDir() / "dtypes.pt";
  const TorchCheckpoint ckpt = readTorchCheckpoint(path);
  expectSameAsTorchLoad(ckpt, torchSummary(path));
  EXPECT_EQ(ckpt.iterNum, 12345678901);
  EXPECT_EQ(ckpt.epoch, 3);
  EXPECT_EQ(ckpt.otherKeys, (std::vector<std::string>{"config"}));
  EXPECT_EQ(ckpt.encoderArgs,
            nlohmann::json::parse(R"({"n_layer": 1, "nested": [1, 2.5, true, null, {"k": "v"}]})"));
  EXPECT_FALSE(ckpt.hadOptimizer);
  // Two views of one storage share memory, as after torch.load.
  const torch::Tensor& a = tensorNamed(ckpt, "shared_a");
  const torch::Tensor& b = tensorNamed(ckpt, "shared_b");
  EXPECT_TRUE(a.storage().is_alias_of(b.storage()));
  EXPECT_EQ(b.storage_offset(), 12);
}

TEST(Checkpoint, SkipsAPopulatedOptimizerState) {
  const fs::path path = fixturesDir() / "trained.pt";
  const TorchCheckpoint ckpt = readTorchCheckpoint(path);
  expectSameAsTorchLoad(ckpt, torchSummary(path));
  ASSERT_EQ(ckpt.modelTensors.size(), 2u);
  EXPECT_EQ(ckpt.modelTensors[0].first, "weight");
  EXPECT_TRUE(ckpt.hadOptimizer);
  EXPECT_EQ(ckpt.iterNum, 1);
  EXPECT_FALSE(ckpt.epoch.has_value());
  EXPECT_EQ(ckpt.modelArgs, nlohmann::json::parse(R"({"n_layer": 1, "bias": true})"));
  EXPECT_EQ(ckpt.otherKeys, (std::vector<std::string>{"best_val_loss", "config"}));
}

TEST(Checkpoint, ReadsABareStateDict) {
  const TorchCheckpoint ckpt = readTorchCheckpoint(fixturesDir() / "bare_state_dict.pt");
  ASSERT_EQ(ckpt.modelTensors.size(), 2u);
  EXPECT_EQ(ckpt.modelTensors[0].first, "w");
  EXPECT_FALSE(ckpt.hadOrigModPrefix);
  EXPECT_EQ(ckpt.modelTensors[0].second.sum().item<float>(), 6.0f);
  EXPECT_FALSE(ckpt.iterNum.has_value());
}

TEST(Checkpoint, RefusesForbiddenGlobalsByNameWithoutRunningThem) {
  const std::string system = readError(fixturesDir() / "evil_system.pt");
  EXPECT_NE(system.find("refusing global 'posix.system'"), std::string::npos) << system;
  EXPECT_NE(system.find("evil_system.pt"), std::string::npos) << system;
  EXPECT_FALSE(fs::exists(fixturesDir() / "pwned"));
  const std::string custom = readError(fixturesDir() / "evil_class.pt");
  EXPECT_NE(custom.find("refusing global '__main__.Custom'"), std::string::npos) << custom;
}

TEST(Checkpoint, ExplainsFilesItCannotRead) {
  EXPECT_NE(readError(fixturesDir() / "legacy.pt").find("legacy torch.save format"), std::string::npos);
  EXPECT_NE(readError(fixturesDir() / "model_not_tensor.pt").find("'model' entry 'n' is a int, not a tensor"),
            std::string::npos)
      << readError(fixturesDir() / "model_not_tensor.pt");
  EXPECT_NE(
      readError(fixturesDir() / "no_model.pt").find("no 'model' entry (top-level keys: weights, iter_num)"),
      std::string::npos)
      << readError(fixturesDir() / "no_model.pt");
  EXPECT_NE(readError(scratchDir()).find("is a directory"), std::string::npos);
  const std::string missing = readError(scratchDir() / "does_not_exist.pt");
  EXPECT_NE(missing.find("does_not_exist.pt: cannot open checkpoint file"), std::string::npos) << missing;
}

TEST(Checkpoint, TruncatedOrRandomFilesGiveClearErrors) {
  const std::vector<char> bytes = fileBytes(test::parityDir() / "neurolm" / "ckpt.pt");
  const fs::path cut = scratchDir() / "truncated.pt";
  for (const std::size_t n : {std::size_t{0}, std::size_t{3}, std::size_t{100}, std::size_t{5000},
                              bytes.size() / 2, bytes.size() - 22, bytes.size() - 1}) {
    SCOPED_TRACE(n);
    writeBytes(cut, bytes.data(), n);
    const std::string err = readError(cut);
    EXPECT_EQ(err.rfind(cut.string() + ": ", 0), 0u) << err;  // starts with the path
    EXPECT_TRUE(err.find(n < 4 ? "not a PyTorch checkpoint" : "malformed PyTorch zip archive") !=
                std::string::npos)
        << err;
    if (n >= 4) {
      EXPECT_NE(err.find("(is the file truncated?)"), std::string::npos) << err;
    }
  }
  std::mt19937 rng(20250508);
  std::vector<char> noise(4096);
  for (auto& c : noise) c = static_cast<char>(rng());
  const fs::path random = scratchDir() / "random.pt";
  writeBytes(random, noise.data(), noise.size());
  EXPECT_NE(readError(random).find("not a PyTorch checkpoint"), std::string::npos);
  noise[0] = 'P', noise[1] = 'K', noise[2] = 3, noise[3] = 4;  // zip signature, garbage after it
  writeBytes(random, noise.data(), noise.size());
  EXPECT_NE(readError(random).find("malformed PyTorch zip archive"), std::string::npos) << readError(random);
}

// Damaged archives (bytes overwritten in the local headers, the pickle, the storages and the central
// directory): each read either succeeds or throws std::runtime_error naming the file, never crashes.
TEST(Checkpoint, DamagedArchivesGiveErrorsNotCrashes) {
  const std::vector<char> bytes = fileBytes(test::parityDir() / "neurolm" / "ckpt.pt");
  const fs::path damaged = scratchDir() / "damaged.pt";
  std::mt19937 rng(42);
  std::size_t errors = 0, loaded = 0;
  std::map<std::string, int> kinds;
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<char> copy = bytes;
    // Alternate between the archive's two ends (headers + pickle at the start, central directory at the end).
    const std::size_t region = trial % 2 == 0 ? 12000 : 8000;
    const std::size_t base = trial % 2 == 0 ? 0 : copy.size() - region;
    for (int k = 0; k < 4; ++k) copy[base + rng() % region] = static_cast<char>(rng());
    writeBytes(damaged, copy.data(), copy.size());
    try {
      readTorchCheckpoint(damaged);
      ++loaded;
    } catch (const std::runtime_error& e) {
      ++errors;
      const std::string what = e.what();
      ASSERT_EQ(what.rfind(damaged.string() + ": ", 0), 0u) << what;
      const char* kind = what.find("pickle byte") != std::string::npos             ? "pickle"
                         : what.find("malformed PyTorch zip") != std::string::npos ? "zip"
                         : what.find("storage record") != std::string::npos        ? "storage record"
                         : what.find("outside its storage") != std::string::npos   ? "view bounds"
                                                                                   : nullptr;
      ++kinds[kind != nullptr ? kind : what.substr(damaged.string().size() + 2, 60)];
    }
  }
  EXPECT_GT(errors, 100u);
  for (const auto& [k, n] : kinds) std::cout << "  " << n << " x " << k << "...\n";
  std::cout << "  " << loaded << " damaged copies still loaded (damage in unused bytes)\n";
}

// The pickle inside an official file, cut at every length and mutated at random: always an error or a
// document, never a crash (run under ASan/UBSan in the fuzz build too).
TEST(Checkpoint, UnpicklerSurvivesEveryTruncationAndRandomMutations) {
  const std::vector<char> zip = fileBytes(test::parityDir() / "neurolm" / "ckpt.pt");
  const std::string pklName = "ckpt/data.pkl";
  // Stored (uncompressed) zip entry: the pickle starts with PROTO 2 right after the local header.
  const std::string needle = pklName;
  auto at = std::search(zip.begin(), zip.end(), needle.begin(), needle.end());
  ASSERT_NE(at, zip.end());
  auto start = std::find(at, zip.end(), static_cast<char>(0x80));
  ASSERT_NE(start, zip.end());
  std::vector<std::uint8_t> pkl;
  for (auto it = start; it != zip.end(); ++it) {
    pkl.push_back(static_cast<std::uint8_t>(*it));
    if (*it == '.' && pkl.size() > 100 && static_cast<std::uint8_t>(*(it - 1)) == 'u')
      break;  // SETITEMS STOP
  }
  const pickle::Document full = pickle::unpickle(pkl, "data.pkl");
  const pickle::Object& root = full.at(full.root());
  ASSERT_EQ(root.kind, pickle::Kind::Dict);
  EXPECT_NE(full.find(root, "model_args"), nullptr);

  std::size_t errors = 0;
  for (std::size_t n = 0; n < pkl.size(); ++n) {
    try {
      pickle::unpickle(std::span(pkl.data(), n), "cut");
    } catch (const std::runtime_error& e) {
      ++errors;
      ASSERT_EQ(std::string(e.what()).rfind("cut: pickle byte ", 0), 0u) << e.what();
    }
  }
  EXPECT_EQ(errors, pkl.size());  // every proper prefix lacks STOP
  std::mt19937 rng(1);
  std::size_t survived = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<std::uint8_t> mutated = pkl;
    for (int k = 0; k < 3; ++k) mutated[rng() % mutated.size()] = static_cast<std::uint8_t>(rng());
    try {
      pickle::unpickle(mutated, "mutated");
      ++survived;
    } catch (const std::runtime_error&) {
    }
  }
  EXPECT_LT(survived, 3000u);
}

TEST(Checkpoint, UnpicklerHandlesHandWrittenStreams) {
  auto parse = [](std::string s) {
    std::vector<std::uint8_t> b(s.begin(), s.end());
    return pickle::unpickle(b, "hand");
  };
  // {'a': [1, -2, 300, 2**40], 'b': (True, None, 1.5)} written opcode by opcode (protocol 2).
  std::string a = "\x80\x02}";             // PROTO 2, EMPTY_DICT
  auto text = [&](const std::string& t) {  // BINUNICODE
    a += 'X';
    for (int i = 0; i < 4; ++i) a += static_cast<char>((t.size() >> (8 * i)) & 0xff);
    a += t;
  };
  a += '(';
  text("a");
  a += "](";                                      // EMPTY_LIST, MARK
  a += "K\x01";                                   // BININT1 1
  a += "J\xfe\xff\xff\xff";                       // BININT -2
  a += std::string("M\x2c\x01");                  // BININT2 300
  a += std::string("\x8a\x06\0\0\0\0\0\x01", 8);  // LONG1 2**40
  a += 'e';                                       // APPENDS
  text("b");
  a += "\x88N";                                  // NEWTRUE, NONE
  a += std::string("G\x3f\xf8\0\0\0\0\0\0", 9);  // BINFLOAT 1.5 (big-endian)
  a += "\x87u.";                                 // TUPLE3, SETITEMS, STOP
  const pickle::Document doc = parse(a);
  const pickle::Object& root = doc.at(doc.root());
  const pickle::Object* list = doc.find(root, "a");
  ASSERT_NE(list, nullptr);
  ASSERT_EQ(list->items.size(), 4u);
  EXPECT_EQ(doc.at(list->items[0]).intValue, 1);
  EXPECT_EQ(doc.at(list->items[1]).intValue, -2);
  EXPECT_EQ(doc.at(list->items[2]).intValue, 300);
  EXPECT_EQ(doc.at(list->items[3]).intValue, std::int64_t{1} << 40);
  const pickle::Object* tuple = doc.find(root, "b");
  ASSERT_NE(tuple, nullptr);
  ASSERT_EQ(tuple->items.size(), 3u);
  EXPECT_TRUE(doc.at(tuple->items[0]).boolValue);
  EXPECT_EQ(doc.at(tuple->items[1]).kind, pickle::Kind::None);
  EXPECT_EQ(doc.at(tuple->items[2]).floatValue, 1.5);

  auto error = [&](std::string s) {
    try {
      parse(std::move(s));
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(error("\x80\x02h\x05.").find("memo index 5 was never stored"), std::string::npos);
  EXPECT_NE(error("\x80\x02"
                  "cbuiltins\neval\n.")
                .find("refusing global 'builtins.eval'"),
            std::string::npos);
  EXPECT_NE(error("\x80\x02K\x01K\x02K\x03s.").find("SETITEM on a int"), std::string::npos);
  EXPECT_NE(error("\x80\x02"
                  "0.")
                .find("stack underflow"),
            std::string::npos);
  EXPECT_NE(error("\x80\x02\xff.").find("unsupported or invalid pickle opcode 0xff"), std::string::npos);
  EXPECT_NE(error("\x80\x02X\xff\xff\xff\x7f").find("truncated pickle"), std::string::npos);
  EXPECT_NE(
      error(std::string("\x80\x02\x8a\x09", 4) + std::string(9, '\x01') + ".").find("does not fit 64 bits"),
      std::string::npos);
  // A persistent id that is not a storage tuple.
  EXPECT_NE(error("\x80\x02K\x01Q.").find("persistent id is not a 5-tuple"), std::string::npos);
}
