// Reduced-precision storage of our model files (models/io/StoragePrecision.h): each precision's round trip
// against the bound its format implies, computed here in double from the original weights and the stored
// bytes; metadata carried over; damaged int8 files refused by name; the int8 tiny model's size.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "common/TempDir.h"
#include "models/io/SafeTensors.h"
#include "models/io/StoragePrecision.h"
#include "models/runtime/ModelConvert.h"
#include "models/runtime/ModelStore.h"

using namespace neurolm;
using namespace neurolm::runtime;
namespace fs = std::filesystem;

namespace {

NamedTensors stateOf(const torch::nn::Module& module) {
  NamedTensors tensors;
  for (const auto& p : module.named_parameters(true))
    tensors.emplace_back(p.key(), p.value().detach().clone());
  for (const auto& b : module.named_buffers(true)) tensors.emplace_back(b.key(), b.value().detach().clone());
  return tensors;
}

const torch::Tensor& tensorNamed(const NamedTensors& tensors, const std::string& name) {
  for (const auto& [n, t] : tensors)
    if (n == name) return t;
  throw std::runtime_error("no tensor " + name);
}

bool has(const NamedTensors& tensors, const std::string& name) {
  for (const auto& [n, t] : tensors)
    if (n == name) return true;
  return false;
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

bool largeMatrix(const torch::Tensor& t) {
  return t.is_floating_point() && t.dim() == 2 && t.numel() >= 4096;
}

// Checks `loaded` (float32, as the loader gives it) against `original` for a file stored in `precision`:
// small tensors bit-exact; large matrices within the format's bound; int8 also against the stored q and s.
// Returns max |w - ŵ| over all tensors.
double expectWithinFormatBound(const NamedTensors& original, const NamedTensors& loaded,
                               const SafeTensorsFile& file, StoragePrecision precision) {
  double worst = 0;
  int reduced = 0;
  for (const auto& [name, w32] : original) {
    SCOPED_TRACE(name);
    const torch::Tensor& got = tensorNamed(loaded, name);
    EXPECT_EQ(got.scalar_type(), w32.scalar_type());
    if (!largeMatrix(w32) || keptInFloat32(name) || precision == StoragePrecision::Float32) {
      EXPECT_TRUE(torch::equal(got, w32));
      EXPECT_EQ(tensorNamed(file.tensors, name).scalar_type(), w32.scalar_type());
      EXPECT_FALSE(has(file.tensors, name + ".__scale__"));
      continue;
    }
    ++reduced;
    const torch::Tensor w = w32.to(torch::kDouble), err = (got.to(torch::kDouble) - w).abs();
    worst = std::max(worst, err.max().item<double>());
    const torch::Tensor& stored = tensorNamed(file.tensors, name);
    if (precision == StoragePrecision::Float16) {
      EXPECT_EQ(stored.scalar_type(), torch::kHalf);
      // Relative 1e-3 (float16 rounds to 2^-11 relative); below 2^-14 float16 is subnormal, spacing 2^-24.
      EXPECT_TRUE((err <= 1e-3 * w.abs() + std::ldexp(1.0, -25)).all().item<bool>());
    } else if (precision == StoragePrecision::BFloat16) {
      EXPECT_EQ(stored.scalar_type(), torch::kBFloat16);
      EXPECT_TRUE((err <= std::ldexp(1.0, -8) * w.abs()).all().item<bool>());
    } else {
      EXPECT_EQ(stored.scalar_type(), torch::kChar);
      const torch::Tensor& scale = tensorNamed(file.tensors, name + ".__scale__");
      EXPECT_EQ(scale.scalar_type(), torch::kFloat);
      if (stored.scalar_type() != torch::kChar || scale.sizes() != c10::IntArrayRef{w.size(0)}) {
        ADD_FAILURE() << "not stored as int8 with a [rows] scale";
        continue;
      }
      // s = max|row| / 127, as computed here in double (stored as float32: 2^-24 relative).
      const torch::Tensor s = scale.to(torch::kDouble);
      const torch::Tensor expectedScale = w.abs().amax(1) / 127.0;
      EXPECT_TRUE((s - expectedScale).abs().le(expectedScale * 1e-7).all().item<bool>());
      // |q| <= 127, the row's largest entry maps to ±127, and ŵ = q·s to float32 rounding.
      const torch::Tensor q = stored.to(torch::kDouble);
      EXPECT_LE(q.abs().max().item<double>(), 127.0);
      EXPECT_TRUE((q.abs().amax(1) == 127.0).logical_or(s == 0).all().item<bool>());
      const torch::Tensor qs = q * s.unsqueeze(1);
      EXPECT_TRUE(((got.to(torch::kDouble) - qs).abs() <= 1.2e-7 * qs.abs()).all().item<bool>());
      // The format's bound, per row: |w - ŵ| <= s/2 (+ ŵ's float32 rounding).
      EXPECT_TRUE((err <= s.unsqueeze(1) / 2 + 1.2e-7 * w.abs()).all().item<bool>());
    }
  }
  EXPECT_TRUE(precision == StoragePrecision::Float32 || reduced > 0);
  return worst;
}

const StoragePrecision kAll[] = {StoragePrecision::Float32, StoragePrecision::Float16,
                                 StoragePrecision::BFloat16, StoragePrecision::Int8};

}  // namespace

TEST(StoragePrecision, NeuroLmRoundTripsWithinEachFormatsBound) {
  test::TempDir dir("precision");
  auto model = randomNeuroLm(neuroLmConfigForSize("tiny"), 5);
  const NamedTensors original = stateOf(*model);
  const std::vector<ModelTask> tasks{{"Workload",
                                      "Question: Is this EEG segment of high workload? Answer:",
                                      "EEGMAT",
                                      {" Yes", " No"},
                                      1.7}};
  for (const auto precision : kAll) {
    SCOPED_TRACE(precisionName(precision));
    const fs::path path = dir / (precisionName(precision) + ".safetensors");
    saveNeuroLm(*model, path, tasks, precision);
    const auto file = readSafeTensors(path, SafeTensorsLoad::Copy);
    EXPECT_EQ(file.metadata.at("neurolm_storage_precision"), precisionName(precision));
    const auto loaded = loadNeuroLm(path);
    EXPECT_EQ(loaded.tasks, tasks);  // metadata survives any precision
    EXPECT_EQ(neuroLmConfigToJson(loaded.model->config()), neuroLmConfigToJson(model->config()));
    const double worst = expectWithinFormatBound(original, stateOf(*loaded.model), file, precision);
    std::cout << "[ measured ] tiny NeuroLM " << precisionName(precision) << ": " << fs::file_size(path)
              << " bytes, max |w - w'| = " << worst << "\n";
  }
}

TEST(StoragePrecision, TokenizerWithItsCodebookRoundTripsInInt8) {
  test::TempDir dir("precision");
  auto vq = randomTokenizer(vqConfigForSize("tiny"), 9);
  const NamedTensors original = stateOf(*vq);
  ASSERT_TRUE(largeMatrix(tensorNamed(original, "quantize.embedding.weight")));
  for (const auto precision : {StoragePrecision::Float16, StoragePrecision::Int8}) {
    const fs::path path = dir / "vq.safetensors";
    saveTokenizer(*vq, path, precision);
    const auto file = readSafeTensors(path, SafeTensorsLoad::Copy);
    const auto loaded = loadTokenizer(path);
    expectWithinFormatBound(original, stateOf(*loaded.vq), file, precision);
  }
}

TEST(StoragePrecision, Int8QuantisesAHandWorkedMatrix) {
  // Row 0: max 1.27 -> s = 0.01, q = round(w / 0.01); row 1: zeros -> s = 0, q = 0; row 2: max |-2.54| -> s =
  // 0.02.
  auto w = torch::zeros({3, 4096});
  w[0][0] = 1.27f;
  w[0][1] = 0.005f;   // 0.5 -> rounds to even 0 or 1: error <= s/2 either way
  w[0][2] = -0.013f;  // -1.3 -> -1
  w[2][0] = -2.54f;
  w[2][1] = 0.03f;  // 1.5 -> 2 (half to even)
  const auto stored = encodeForStorage({{"m", w}, {"b", torch::ones({4096})}}, StoragePrecision::Int8, "x");
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[0].first, "m");
  EXPECT_EQ(stored[1].first, "m.__scale__");
  EXPECT_EQ(stored[2].first, "b");
  EXPECT_EQ(stored[2].second.scalar_type(), torch::kFloat);  // 1-D stays float32
  const auto s = stored[1].second;
  EXPECT_NEAR(s[0].item<double>(), 0.01, 1e-9);
  EXPECT_EQ(s[1].item<double>(), 0.0);
  EXPECT_NEAR(s[2].item<double>(), 0.02, 1e-9);
  const auto q = stored[0].second;
  EXPECT_EQ(q[0][0].item<int>(), 127);
  EXPECT_EQ(q[0][2].item<int>(), -1);
  EXPECT_EQ(q[2][0].item<int>(), -127);
  EXPECT_EQ(q[2][1].item<int>(), 2);
  EXPECT_EQ(q[1].abs().sum().item<int>(), 0);
  const auto back = decodeStoredTensors(stored, StoragePrecision::Int8, "x");
  EXPECT_NEAR(back[0].second[0][2].item<double>(), -0.01, 1e-9);
  EXPECT_NEAR(back[0].second[2][1].item<double>(), 0.04, 1e-9);
}

TEST(StoragePrecision, TinyModelShrinksAtLeastThreeAndAHalfTimesInInt8) {
  test::TempDir dir("precision");
  auto model = randomNeuroLm(neuroLmConfigForSize("tiny"), 0);
  saveNeuroLm(*model, dir / "f32.safetensors");
  saveNeuroLm(*model, dir / "i8.safetensors", {}, StoragePrecision::Int8);
  saveNeuroLm(*model, dir / "f16.safetensors", {}, StoragePrecision::Float16);
  const double f32 = fs::file_size(dir / "f32.safetensors"), i8 = fs::file_size(dir / "i8.safetensors"),
               f16 = fs::file_size(dir / "f16.safetensors");
  std::cout << "[ measured ] tiny NeuroLM: float32 " << f32 << " B, float16 " << f16 << " B (" << f32 / f16
            << "x), int8 " << i8 << " B (" << f32 / i8 << "x)\n";
  EXPECT_GE(f32 / i8, 3.5);
  EXPECT_GE(f32 / f16, 1.9);
}

// The EEG input projection stays float32 in every precision (StoragePrecision.h says why): in an int8 file
// of the tiny NeuroLM it is an F32 tensor without a scale and loads back bit for bit, while the GPT's
// matrices beside it are I8.
TEST(StoragePrecision, TheEegInputProjectionStaysFloat32) {
  test::TempDir dir("precision");
  auto model = randomNeuroLm(neuroLmConfigForSize("tiny"), 2);
  saveNeuroLm(*model, dir / "i8.safetensors", {}, StoragePrecision::Int8);
  const auto file = readSafeTensors(dir / "i8.safetensors", SafeTensorsLoad::Copy);
  int int8Matrices = 0;
  bool projection = false;
  for (const auto& [name, t] : file.tensors) {
    if (t.scalar_type() == torch::kChar) ++int8Matrices;
    if (name == "encode_transform_layer.0.weight") {
      projection = true;
      EXPECT_EQ(t.scalar_type(), torch::kFloat);
      EXPECT_GE(t.numel(), kReducedMinElements);  // large enough that it would otherwise be reduced
    }
    EXPECT_NE(name, "encode_transform_layer.0.weight" + std::string(kScaleSuffix));
  }
  ASSERT_TRUE(projection);
  EXPECT_GT(int8Matrices, 10);
  const auto back = decodeStoredTensors(file.tensors, StoragePrecision::Int8, "x");
  const auto params = model->named_parameters();
  const auto* w = params.find("encode_transform_layer.0.weight");
  ASSERT_NE(w, nullptr);
  for (const auto& [name, t] : back)
    if (name == "encode_transform_layer.0.weight") {
      EXPECT_TRUE(torch::equal(t, *w));
    }
}

TEST(StoragePrecision, DamagedInt8FilesAreRefusedNamingFileAndTensor) {
  test::TempDir dir("precision");
  auto model = randomNeuroLm(neuroLmConfigForSize("tiny"), 1);
  const fs::path good = dir / "good.safetensors";
  saveNeuroLm(*model, good, {}, StoragePrecision::Int8);
  const auto file = readSafeTensors(good, SafeTensorsLoad::Copy);
  const std::string matrix = "GPT2.lm_head.weight", scaleName = matrix + ".__scale__";
  const int64_t rows = tensorNamed(file.tensors, matrix).size(0);

  auto rewritten = [&](const std::string& name, const std::function<void(NamedTensors&)>& edit) {
    NamedTensors tensors = file.tensors;
    edit(tensors);
    const fs::path path = dir / name;
    writeSafeTensors(path, tensors, file.metadata);
    return path;
  };
  auto replaceScale = [&](torch::Tensor replacement) {
    return [=](NamedTensors& t) {
      for (auto& [n, v] : t)
        if (n == scaleName) v = replacement;
    };
  };

  const auto missing = rewritten("missing.safetensors", [&](NamedTensors& t) {
    std::erase_if(t, [&](const auto& e) { return e.first == scaleName; });
  });
  EXPECT_EQ(errorOf([&] { loadNeuroLm(missing); }),
            missing.string() + ": int8 tensor '" + matrix + "' has no scale tensor '" + scaleName + "'");

  const auto longer = rewritten("longer.safetensors", replaceScale(torch::ones({rows + 1})));
  EXPECT_EQ(errorOf([&] { loadNeuroLm(longer); }),
            longer.string() + ": scale tensor '" + scaleName + "' has shape [" + std::to_string(rows + 1) +
                "], expected [" + std::to_string(rows) + "] (one per row of '" + matrix + "' [" +
                std::to_string(rows) + ", 64])");
  const auto column = rewritten("column.safetensors", replaceScale(torch::ones({rows, 1})));
  EXPECT_NE(errorOf([&] { loadNeuroLm(column); })
                .find(column.string() + ": scale tensor '" + scaleName + "' has shape [" +
                      std::to_string(rows) + ", 1]"),
            std::string::npos);
  const auto integer = rewritten("integer.safetensors", replaceScale(torch::ones({rows}, torch::kInt)));
  EXPECT_NE(errorOf([&] { loadNeuroLm(integer); }).find("has dtype Int, expected F32 or F16"),
            std::string::npos);
  const auto negative = rewritten("negative.safetensors", replaceScale(-torch::ones({rows})));
  EXPECT_NE(errorOf([&] { loadNeuroLm(negative); }).find("negative or non-finite"), std::string::npos);

  const auto orphan = rewritten("orphan.safetensors", [&](NamedTensors& t) {
    t.emplace_back("GPT2.wte.weight_typo.__scale__", torch::ones({3}));
  });
  EXPECT_EQ(errorOf([&] { loadNeuroLm(orphan); }),
            orphan.string() +
                ": scale tensor 'GPT2.wte.weight_typo.__scale__' has no int8 tensor "
                "'GPT2.wte.weight_typo'");

  auto metadata = file.metadata;
  metadata["neurolm_storage_precision"] = "float32";
  const fs::path mislabelled = dir / "mislabelled.safetensors";
  writeSafeTensors(mislabelled, file.tensors, metadata);
  EXPECT_NE(errorOf([&] {
              loadNeuroLm(mislabelled);
            }).find("is an int8 scale, but the file's storage precision is float32"),
            std::string::npos);
  metadata["neurolm_storage_precision"] = "int4";
  const fs::path unknown = dir / "unknown.safetensors";
  writeSafeTensors(unknown, file.tensors, metadata);
  EXPECT_NE(errorOf([&] { loadNeuroLm(unknown); }).find("unknown storage precision 'int4'"),
            std::string::npos);

  // Truncated: the header promises more data than the file holds.
  const fs::path truncated = dir / "truncated.safetensors";
  fs::copy_file(good, truncated);
  fs::resize_file(truncated, fs::file_size(good) - 1000);
  EXPECT_NE(errorOf([&] { loadNeuroLm(truncated); }).find(truncated.string() + ": tensors cover"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { loadNeuroLm(truncated); }).find("(file truncated?)"), std::string::npos);
}

TEST(StoragePrecision, ConvertCarriesMetadataAndReportsTheErrorItMeasures) {
  test::TempDir dir("precision");
  auto model = randomNeuroLm(neuroLmConfigForSize("tiny"), 2);
  const std::vector<ModelTask> tasks{
      {"Fists", "Question: Left or right fist? Answer:", "EEGMMIDB", {" Left", " Right"}, 1.0}};
  const fs::path in = dir / "in.safetensors";
  saveNeuroLm(*model, in, tasks);
  const auto original = stateOf(*model);

  const auto report = convertModelFile({in, dir / "i8.safetensors", "int8"});
  EXPECT_EQ(report.kind, "neurolm");
  EXPECT_EQ(report.precisionIn, "float32");
  EXPECT_EQ(report.bytesIn, fs::file_size(in));
  EXPECT_EQ(report.written.bytes, fs::file_size(dir / "i8.safetensors"));
  ASSERT_EQ(report.outcomes.size(), 4u);
  for (const auto& o : report.outcomes) {
    if (o.precision == "int8") {
      EXPECT_EQ(o.bytes, report.written.bytes);  // the estimate is the file's size
    }
  }
  const auto a = readSafeTensors(in, SafeTensorsLoad::Copy), b = readSafeTensors(dir / "i8.safetensors");
  auto expectedMetadata = a.metadata;
  expectedMetadata["neurolm_storage_precision"] = "int8";
  EXPECT_EQ(b.metadata, expectedMetadata);
  // The reported error is the largest |w - ŵ| measured here between the original and the loaded weights.
  const auto loaded = loadNeuroLm(dir / "i8.safetensors");
  EXPECT_EQ(loaded.tasks, tasks);
  double worst = 0;
  for (const auto& [name, w] : stateOf(*loaded.model))
    worst = std::max(
        worst,
        (w.to(torch::kDouble) - tensorNamed(original, name).to(torch::kDouble)).abs().max().item<double>());
  EXPECT_DOUBLE_EQ(report.written.maxAbsError, worst);
  EXPECT_GT(worst, 0);

  // int8 -> float32 writes the dequantised weights exactly (error 0 against the int8 file's weights).
  const auto back = convertModelFile({dir / "i8.safetensors", dir / "back.safetensors", "float32"});
  EXPECT_EQ(back.precisionIn, "int8");
  EXPECT_EQ(back.written.maxAbsError, 0.0);
  const auto reloaded = loadNeuroLm(dir / "back.safetensors");
  for (const auto& [name, w] : stateOf(*reloaded.model))
    EXPECT_TRUE(torch::equal(w, tensorNamed(stateOf(*loaded.model), name))) << name;

  EXPECT_NE(errorOf([&] {
              convertModelFile({in, dir / "x.safetensors", "int4"});
            }).find("unknown storage precision 'int4'"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "x.safetensors"));
}
