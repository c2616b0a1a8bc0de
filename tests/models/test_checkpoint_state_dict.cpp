// loadStateDict: strict name/shape matching against named_parameters() + named_buffers(), one error listing
// every problem, `_orig_mod.` stripping, PyTorch<2 `attn.bias` buffers ignored, no partial state on error.
#include <gtest/gtest.h>

#include "common/TestPaths.h"
#include "models/io/StateDict.h"
#include "models/io/TorchCheckpoint.h"

using namespace neurolm;

namespace {

// A tiny nanoGPT-like module: blocks.0.attn.c_attn (Linear 4->12), blocks.0.ln (weight, bias), a buffer.
struct TinyAttn : torch::nn::Module {
  TinyAttn() { c_attn = register_module("c_attn", torch::nn::Linear(4, 12)); }
  torch::nn::Linear c_attn{nullptr};
};
struct TinyBlock : torch::nn::Module {
  TinyBlock() {
    attn = register_module("attn", std::make_shared<TinyAttn>());
    ln = register_module("ln", torch::nn::LayerNorm(torch::nn::LayerNormOptions({4})));
  }
  std::shared_ptr<TinyAttn> attn;
  torch::nn::LayerNorm ln{nullptr};
};
struct Tiny : torch::nn::Module {
  Tiny() {
    blocks = register_module("blocks", torch::nn::ModuleList());
    blocks->push_back(std::make_shared<TinyBlock>());
    initted = register_buffer("initted", torch::zeros({1}));
  }
  torch::nn::ModuleList blocks{nullptr};
  torch::Tensor initted;
};

// Distinct values per key, so that a swapped copy would show.
NamedTensors matchingTensors(const std::string& prefix) {
  return {
      {prefix + "blocks.0.attn.c_attn.weight", torch::arange(48, torch::kFloat).reshape({12, 4})},
      {prefix + "blocks.0.attn.c_attn.bias", torch::arange(12, torch::kFloat) + 100},
      {prefix + "blocks.0.ln.weight", torch::full({4}, 2.0f)},
      {prefix + "blocks.0.ln.bias", torch::full({4}, -3.0f)},
      {prefix + "initted", torch::ones({1})},
  };
}

void expectLoaded(Tiny& m) {
  auto* block = m.blocks[0]->as<TinyBlock>();
  EXPECT_TRUE(torch::equal(block->attn->c_attn->weight, torch::arange(48, torch::kFloat).reshape({12, 4})));
  EXPECT_EQ(block->attn->c_attn->bias[11].item<float>(), 111.0f);
  EXPECT_EQ(block->ln->weight[0].item<float>(), 2.0f);
  EXPECT_EQ(block->ln->bias[3].item<float>(), -3.0f);
  EXPECT_EQ(m.initted.item<float>(), 1.0f);
}

std::string loadError(torch::nn::Module& m, const NamedTensors& t) {
  try {
    loadStateDict(m, t, "test.pt");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(CheckpointStateDict, LoadsWithAndWithoutTheOrigModPrefix) {
  for (const std::string prefix : {"", "_orig_mod."}) {
    SCOPED_TRACE(prefix);
    Tiny m;
    const auto result = loadStateDict(m, matchingTensors(prefix));
    EXPECT_EQ(result.copied, 5u);
    EXPECT_TRUE(result.ignoredLegacyKeys.empty());
    expectLoaded(m);
    // Parameters keep requires_grad (the copy ran without recording a graph).
    EXPECT_TRUE(m.blocks[0]->as<TinyBlock>()->ln->weight.requires_grad());
    EXPECT_FALSE(m.blocks[0]->as<TinyBlock>()->ln->weight.grad_fn());
  }
  EXPECT_EQ(stripOrigModPrefix("_orig_mod.a._orig_mod.b"), "a._orig_mod.b");
  EXPECT_EQ(stripOrigModPrefix("x"), "x");
}

TEST(CheckpointStateDict, IgnoresPyTorch1CausalMaskBuffers) {
  Tiny m;
  NamedTensors t = matchingTensors("_orig_mod.");
  t.emplace_back("_orig_mod.blocks.0.attn.bias", torch::ones({1, 1, 16, 16}).tril());
  const auto result = loadStateDict(m, t);
  EXPECT_EQ(result.ignoredLegacyKeys, (std::vector<std::string>{"blocks.0.attn.bias"}));
  expectLoaded(m);
  // The same name with another shape is not a causal mask: reported.
  t.back().second = torch::ones({3});
  Tiny m2;
  EXPECT_NE(loadError(m2, t).find("unexpected key: blocks.0.attn.bias [3]"), std::string::npos);
}

TEST(CheckpointStateDict, ReportsEveryProblemInOneErrorAndChangesNothing) {
  Tiny m;
  const torch::Tensor before = m.blocks[0]->as<TinyBlock>()->attn->c_attn->weight.clone();
  NamedTensors t = matchingTensors("");
  t.erase(t.begin() + 3);                                           // blocks.0.ln.bias missing
  t[2].second = torch::ones({5});                                   // blocks.0.ln.weight wrong shape
  t.emplace_back("blocks.0.mlp.c_fc.weight", torch::ones({2, 2}));  // not in the model
  t.emplace_back("initted", torch::ones({1}));                      // repeated
  const std::string err = loadError(m, t);
  EXPECT_NE(err.find("test.pt: state dict does not match the model (1 missing, 1 unexpected, 1 mismatched, 1 "
                     "repeated)"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("missing key: blocks.0.ln.bias [4]"), std::string::npos) << err;
  EXPECT_NE(err.find("unexpected key: blocks.0.mlp.c_fc.weight [2, 2]"), std::string::npos) << err;
  EXPECT_NE(err.find("shape mismatch: blocks.0.ln.weight: found [5], expected [4]"), std::string::npos)
      << err;
  EXPECT_NE(err.find("repeated key: initted"), std::string::npos) << err;
  // Nothing was copied, although c_attn itself matched.
  EXPECT_TRUE(torch::equal(m.blocks[0]->as<TinyBlock>()->attn->c_attn->weight, before));
  EXPECT_EQ(m.initted.item<float>(), 0.0f);

  NamedTensors ints = matchingTensors("");
  ints[2].second = torch::ones({4}, torch::kLong);
  EXPECT_NE(loadError(m, ints).find("blocks.0.ln.weight: found dtype Long, expected Float"),
            std::string::npos);
}

TEST(CheckpointStateDict, LoadsViewsAndSelectsByPrefix) {
  // The tokenizer parity file stores wte.weight as a stride-(0,1) view: the module gets a dense copy.
  const TorchCheckpoint vq = readTorchCheckpoint(test::parityDir() / "vq" / "ckpt.pt");
  const NamedTensors wte = selectPrefix(vq.modelTensors, "wte.");
  ASSERT_EQ(wte.size(), 1u);
  EXPECT_EQ(wte[0].first, "weight");
  torch::nn::Embedding embedding(50257, 768);
  loadStateDict(*embedding, wte, "vq/ckpt.pt");
  EXPECT_TRUE(embedding->weight.is_contiguous());
  EXPECT_TRUE(torch::equal(embedding->weight[50000], wte[0].second[0]));
  EXPECT_TRUE(torch::equal(embedding->weight[0], wte[0].second[0]));

  const NamedTensors encoder = selectPrefix(vq.modelTensors, "VQ.encoder.");
  EXPECT_EQ(encoder.front().first, "patch_embed.conv1.weight");
  for (const auto& [name, t] : encoder) EXPECT_FALSE(name.starts_with("VQ.")) << name;
  // n_layer = 0 in the fixture: patch_embed (6 convs/norms x2 + l.0 x2 = 14), pos/time embed, fc_norm x2.
  EXPECT_EQ(encoder.size(), 18u);
}

TEST(CheckpointStateDict, ConsumingLoadReleasesEachSourceAndStillReportsProblems) {
  Tiny m;
  auto tensors = matchingTensors("_orig_mod.");
  const auto storageOfFirst = tensors[0].second;  // a second handle: its storage must survive the load
  const auto result = loadStateDictConsuming(m, std::move(tensors), "test.pt");
  EXPECT_EQ(result.copied, 5u);
  expectLoaded(m);
  EXPECT_TRUE(torch::equal(storageOfFirst, torch::arange(48, torch::kFloat).reshape({12, 4})));
  EXPECT_EQ(storageOfFirst.use_count(), 1);  // the loader's handle was dropped
  auto bad = matchingTensors("");
  bad.pop_back();  // "initted" missing
  Tiny fresh;
  try {
    loadStateDictConsuming(fresh, std::move(bad), "test.pt");
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing key: initted"), std::string::npos) << e.what();
  }
}
