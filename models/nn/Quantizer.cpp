// NormEMAVectorQuantizer, VQ and VQ_Align.
#include <stdexcept>
#include <string>

#include "models/nn/NormEmaQuantizer.h"
#include "models/nn/Vq.h"

namespace neurolm::nn {

torch::Tensor l2Normalize(const torch::Tensor& x) {
  return x / x.norm(2, -1, /*keepdim=*/true).clamp_min(1e-12);
}

// -------------------------------------------------------------------------------------------- EmbeddingEMA
EmbeddingEMAImpl::EmbeddingEMAImpl(const QuantizerConfig& config, const torch::TensorOptions& options) {
  // Official: the codebook starts as zeros with initted = 0 (k-means at the first forward).
  weight = register_parameter("weight", torch::zeros({config.nEmbed, config.embedDim}, options), false);
  cluster_size = register_parameter("cluster_size", torch::zeros({config.nEmbed}, options), false);
  embed_avg = register_parameter("embed_avg", torch::zeros({config.nEmbed, config.embedDim}, options), false);
  initted = register_buffer("initted", torch::zeros({1}, options));
}

// ----------------------------------------------------------------------------------- NormEMAVectorQuantizer
NormEMAVectorQuantizerImpl::NormEMAVectorQuantizerImpl(const QuantizerConfig& config,
                                                       const torch::TensorOptions& options)
    : config_(config) {
  // Registration order = state-dict order: own buffer `cluster_size` before the child `embedding`.
  cluster_size = register_buffer("cluster_size", torch::zeros({config.nEmbed}, options));
  embedding = register_module("embedding", EmbeddingEMA(config, options));
}

torch::Tensor NormEMAVectorQuantizerImpl::nearestCodes(const torch::Tensor& zUnit) const {
  const auto& e = embedding->weight;  // [n, d]
  const auto z = zUnit.to(torch::kFloat);
  const auto d = z.pow(2).sum(1, /*keepdim=*/true) + e.pow(2).sum(1) - 2 * torch::matmul(z, e.t());  // [N, n]
  return d.argmin(1);  // first minimum on ties
}

QuantizerOutput NormEMAVectorQuantizerImpl::quantize(const torch::Tensor& zIn) const {
  if (zIn.size(-1) != config_.embedDim)
    throw std::invalid_argument("quantizer: input width " + std::to_string(zIn.size(-1)) + ", expected " +
                                std::to_string(config_.embedDim));
  if (embedding->initted.item<float>() == 0.0f)
    throw std::logic_error(
        "quantizer: the codebook is not initialised (initted = 0); load a trained tokenizer");
  QuantizerOutput out;
  out.z = l2Normalize(zIn);
  const auto flat = out.z.reshape({-1, config_.embedDim});  // [..., d] -> [N, d]
  const auto sizes = out.z.sizes().vec();
  out.codes = nearestCodes(flat).view(std::vector<int64_t>(sizes.begin(), sizes.end() - 1));  // [N] -> [...]
  const auto e = torch::embedding(embedding->weight, out.codes);                              // [..., d]
  out.commitmentLoss = config_.beta * torch::mse_loss(e.detach(), out.z);
  out.zq = out.z + (e - out.z).detach();
  return out;
}

std::pair<torch::Tensor, torch::Tensor> NormEMAVectorQuantizerImpl::kmeans(const torch::Tensor& samples,
                                                                           torch::Generator generator) const {
  torch::NoGradGuard noGrad;
  const int64_t n = config_.nEmbed;
  const int64_t count = samples.size(0);
  const int64_t dim = samples.size(1);
  const auto indexOptions = torch::TensorOptions().dtype(torch::kLong).device(samples.device());
  const auto pick = count >= n ? torch::randperm(count, generator, indexOptions).narrow(0, 0, n)
                               : torch::randint(0, count, {n}, generator, indexOptions);
  auto means = samples.index_select(0, pick);  // [n, d]
  torch::Tensor bins;
  for (int64_t it = 0; it < config_.kmeansIters; ++it) {
    const auto buckets = torch::matmul(samples, means.t()).argmax(-1);  // [count] most similar mean
    bins = torch::bincount(buckets, {}, n);                             // [n]
    const auto zeroMask = bins == 0;
    const auto binsClamped = bins.masked_fill(zeroMask, 1);
    auto newMeans = torch::zeros({n, dim}, samples.options())
                        .scatter_add_(0, buckets.unsqueeze(1).expand({count, dim}), samples);  // [n, d] sums
    newMeans = l2Normalize(newMeans / binsClamped.unsqueeze(1).to(samples.scalar_type()));
    means = torch::where(zeroMask.unsqueeze(1), means, newMeans);
  }
  return {means, bins};
}

void NormEMAVectorQuantizerImpl::emaUpdate(const torch::Tensor& zUnit, const torch::Tensor& codes) {
  torch::NoGradGuard noGrad;
  const double decay = config_.decay;
  const auto onehot = torch::one_hot(codes.reshape({-1}), config_.nEmbed).to(zUnit.scalar_type());  // [N, n]
  auto bins = onehot.sum(0);                                                                        // [n]
  if (collectives.allReduceSum) collectives.allReduceSum(bins);
  cluster_size.mul_(decay).add_(bins, 1.0 - decay);
  const auto zeroMask = bins == 0;
  const auto binsClamped = bins.masked_fill(zeroMask, 1.0);
  auto embedSum = torch::matmul(zUnit.reshape({-1, config_.embedDim}).t(), onehot);  // [d, n]
  if (collectives.allReduceSum) collectives.allReduceSum(embedSum);
  auto embedNormalized = l2Normalize((embedSum / binsClamped.unsqueeze(0)).t());  // [d, n] -> [n, d]
  auto& weight = embedding->weight;
  embedNormalized = torch::where(zeroMask.unsqueeze(1), weight, embedNormalized);
  weight.mul_(decay).add_(embedNormalized, 1.0 - decay);
  weight.copy_(l2Normalize(weight));
}

QuantizerOutput NormEMAVectorQuantizerImpl::trainForward(const torch::Tensor& zIn,
                                                         torch::Generator generator) {
  const auto flat = l2Normalize(zIn).reshape({-1, config_.embedDim});  // [..., d] -> [N, d]
  if (embedding->initted.item<float>() == 0.0f) {
    torch::NoGradGuard noGrad;
    torch::Tensor means, bins;
    if (collectives.allGather) {
      const auto all = collectives.allGather(flat.detach().contiguous());  // [world·N, d]
      if (collectives.isRoot) {
        std::tie(means, bins) = kmeans(all, generator);
      } else {
        means = torch::empty({config_.nEmbed, config_.embedDim}, flat.options());
        bins = torch::empty({config_.nEmbed}, flat.options().dtype(torch::kLong));
      }
      collectives.broadcastFromRoot(means);
      collectives.broadcastFromRoot(bins);
    } else {
      std::tie(means, bins) = kmeans(flat.detach(), generator);
    }
    embedding->weight.copy_(means);
    embedding->cluster_size.copy_(bins.to(embedding->cluster_size.scalar_type()));
    embedding->initted.fill_(1.0);
  }
  auto out = quantize(zIn);
  if (is_training()) {
    emaUpdate(out.z.detach(), out.codes);
    restartDeadCodes(out.z.detach().reshape({-1, config_.embedDim}), generator);
  }
  return out;
}

int64_t NormEMAVectorQuantizerImpl::restartDeadCodes(const torch::Tensor& zUnit, torch::Generator generator) {
  if (config_.restartBelow <= 0) return 0;
  torch::NoGradGuard noGrad;
  const auto dead = torch::nonzero(cluster_size < config_.restartBelow).reshape({-1});  // [k]
  const int64_t k = dead.size(0);
  if (k == 0) return 0;
  // Every process draws from the whole global batch on process 0 and receives process 0's rows.
  const auto pool = collectives.allGather ? collectives.allGather(zUnit.contiguous()) : zUnit;  // [M, d]
  auto rows = torch::empty({k, config_.embedDim}, zUnit.options());
  if (collectives.isRoot || !collectives.allGather) {
    const auto pick = torch::randint(pool.size(0), {k}, generator, torch::TensorOptions().dtype(torch::kLong))
                          .to(pool.device());
    rows = pool.index_select(0, pick);
  }
  if (collectives.broadcastFromRoot) collectives.broadcastFromRoot(rows);
  embedding->weight.index_copy_(0, dead, l2Normalize(rows).to(embedding->weight.scalar_type()));
  cluster_size.index_fill_(0, dead, 1.0);
  return k;
}

// ----------------------------------------------------------------------------------------------------- VQ
namespace {
torch::nn::Sequential taskLayer(int64_t width, int64_t out, const torch::TensorOptions& options) {
  return torch::nn::Sequential(Linear(width, width, true, options), torch::nn::Tanh(),
                               Linear(width, out, true, options));
}
}  // namespace

VQImpl::VQImpl(const VqConfig& config, const torch::TensorOptions& options) : config_(config) {
  config_.decoder.inChans = config.quantizer.embedDim;  // as the official VQ: decoders read the codes
  encoder = register_module("encoder", NeuralTransformer(config_.encoder, options));
  decoder_freq = register_module("decoder_freq", NeuralTransformer(config_.decoder, options));
  decoder_raw = register_module("decoder_raw", NeuralTransformer(config_.decoder, options));
  quantize = register_module("quantize", NormEMAVectorQuantizer(config_.quantizer, options));
  encode_task_layer = register_module("encode_task_layer",
                                      taskLayer(config_.encoder.nEmbd, config_.quantizer.embedDim, options));
  // Official: Linear(Dd, Dd) then Linear(Dd, out) on the decoder features.
  decode_task_layer_freq = register_module("decode_task_layer_freq",
                                           taskLayer(config_.decoder.nEmbd, config_.decoderOutFreq, options));
  decode_task_layer_raw = register_module("decode_task_layer_raw",
                                          taskLayer(config_.decoder.nEmbd, config_.decoderOutRaw, options));
}

torch::Tensor VQImpl::encoderFeatures(const EegBatch& batch) { return encoder->forward(batch); }

VqEncoded VQImpl::encode(const EegBatch& batch) { return quantizeFeatures(encoder->forward(batch)); }

VqEncoded VQImpl::encodeRealTokens(const EegBatch& batch) {
  return quantizeFeatures(encoder->forwardRealOnly(batch));  // [1, V, De]
}

VqEncoded VQImpl::quantizeFeatures(const torch::Tensor& features) {
  VqEncoded out;
  out.features = features;  // [B, L, De]
  out.toQuantizer =
      encode_task_layer->forward(out.features.to(torch::kFloat));  // [B, L, d], float32 as official
  auto q = quantize->quantize(out.toQuantizer);
  out.z = q.z;
  out.codes = q.codes;
  out.zq = q.zq;
  out.commitmentLoss = q.commitmentLoss;
  return out;
}

VqDecoded VQImpl::decode(const torch::Tensor& zq, const EegBatch& batch) {
  VqDecoded out;
  out.freqFeatures = decoder_freq->forward(zq, batch.inputChans, batch.inputTime, batch.inputMask);
  out.rawFeatures = decoder_raw->forward(zq, batch.inputChans, batch.inputTime, batch.inputMask);
  out.recFreq = decode_task_layer_freq->forward(out.freqFeatures);
  out.recRaw = decode_task_layer_raw->forward(out.rawFeatures);
  return out;
}

VqLosses VQImpl::losses(const EegBatch& batch, const torch::Tensor& yFreq, const torch::Tensor& yRaw) {
  const auto enc = encode(batch);
  const auto dec = decode(enc.zq, batch);
  const auto m = batch.inputMask.to(torch::kFloat).unsqueeze(-1);  // [B, L] -> [B, L, 1]
  VqLosses out;
  out.quant = enc.commitmentLoss;
  out.recFreq = torch::mse_loss(dec.recFreq * m, yFreq);
  out.recRaw = torch::mse_loss(dec.recRaw * m, yRaw);
  out.total = out.quant + out.recFreq + out.recRaw;
  return out;
}

VqLosses VQImpl::trainForward(const EegBatch& batch, const torch::Tensor& yFreq, const torch::Tensor& yRaw,
                              torch::Generator generator, torch::Tensor* features) {
  const auto feat = encoder->forward(batch);  // [B, L, De]
  const auto q = quantize->trainForward(encode_task_layer->forward(feat.to(torch::kFloat)), generator);
  const auto dec = decode(q.zq, batch);
  const auto m = batch.inputMask.to(torch::kFloat).unsqueeze(-1);  // [B, L] -> [B, L, 1]
  VqLosses out;
  out.quant = q.commitmentLoss;
  out.recFreq = torch::mse_loss(dec.recFreq * m, yFreq);
  out.recRaw = torch::mse_loss(dec.recRaw * m, yRaw);
  out.total = out.quant + out.recFreq + out.recRaw;
  if (features != nullptr) *features = feat;
  return out;
}

// ------------------------------------------------------------------------------------------------ VQ_Align
namespace {
// Identity forward; backward multiplies the gradient by −alpha (domain-adversarial training).
struct GradientReversal : public torch::autograd::Function<GradientReversal> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, double alpha) {
    ctx->saved_data["alpha"] = alpha;
    return x.view_as(x);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const double alpha = ctx->saved_data["alpha"].toDouble();
    return {grads[0].neg() * alpha, torch::Tensor()};
  }
};
}  // namespace

VQAlignImpl::VQAlignImpl(const VqConfig& config, const torch::TensorOptions& options) {
  vq = register_module("VQ", VQ(config, options));
  // The official code sizes it by the DECODER width although it is fed encoder features and wte rows (all
  // 768 in the official configurations; official files with narrower decoders, such as the parity fixture,
  // hold it so). A trainer of narrow decoders sizes it by what it is fed (VqConfig::domainClassifierWidth).
  const int64_t classifierWidth =
      config.domainClassifierWidth > 0 ? config.domainClassifierWidth : config.decoder.nEmbd;
  domain_classifier =
      register_module("domain_classifier", torch::nn::Sequential(Linear(classifierWidth, 256, true, options),
                                                                 Gelu(), Linear(256, 2, true, options)));
  wte = register_module("wte", Embedding(config.textVocab, config.textEmbd, 1.0, options));
  wte->weight.set_requires_grad(false);
}

torch::Tensor VQAlignImpl::domainLogits(const torch::Tensor& features, double alpha) {
  return domain_classifier->forward(GradientReversal::apply(features, alpha));
}

AlignLosses VQAlignImpl::trainingLosses(const EegBatch& batch, const torch::Tensor& yFreq,
                                        const torch::Tensor& yRaw, const torch::Tensor& textIds, double alpha,
                                        torch::Generator generator) {
  namespace F = torch::nn::functional;
  AlignLosses out;
  torch::Tensor features;
  out.vq = vq->trainForward(batch, yFreq, yRaw, generator, &features);
  const int64_t classifierWidth = domain_classifier->ptr(0)->as<LinearImpl>()->weight.size(1);
  if (features.size(-1) != classifierWidth || wte->weight.size(1) != classifierWidth)
    throw std::invalid_argument("VQ_Align: the domain classifier takes width " +
                                std::to_string(classifierWidth) + " but encoder features are " +
                                std::to_string(features.size(-1)) + " and wte rows " +
                                std::to_string(wte->weight.size(1)) + " wide");
  const auto eegLogits = domainLogits(features, alpha);  // [B, L, 2]
  const auto eegTargets =
      torch::where(batch.inputMask.to(torch::kBool), torch::zeros_like(batch.inputMask, torch::kLong),
                   torch::full_like(batch.inputMask, -1, torch::kLong));  // padding ignored
  // [B, L, 2] -> [B·L, 2], [B, L] -> [B·L]
  out.domainEeg = F::cross_entropy(eegLogits.reshape({-1, 2}), eegTargets.reshape({-1}),
                                   F::CrossEntropyFuncOptions().ignore_index(-1));
  const auto textLogits = domain_classifier->forward(wte(textIds).detach());  // [Bt, Lt, 2]
  out.domainText = F::cross_entropy(textLogits.reshape({-1, 2}),              // [Bt, Lt, 2] -> [Bt·Lt, 2]
                                    torch::ones({textIds.numel()}, textIds.options().dtype(torch::kLong)));
  out.total = out.vq.total + out.domainEeg + out.domainText;
  return out;
}

}  // namespace neurolm::nn
