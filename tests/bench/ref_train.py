#!/usr/bin/python3
"""PyTorch-eager reference for tests/bench/bench_train.cpp: one optimizer step of each NeuroLM training stage
as the official scripts run it (spec §5), with the same tiny sizes, batches and random inputs' shapes as the
C++ side: model.train(), the stage's loss over ALL positions' logits (the official forward), backward,
clip_grad_norm_ (pretrain/instruct), AdamW (two parameter groups, non-fused), zero_grad(set_to_none).

Modules come from ref_model.py (written from the spec). Prints one JSON line: median seconds per step.
  /usr/bin/python3 tests/bench/ref_train.py --steps 5
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ref_model import (Block, LayerNorm, NeuralTransformer, GPT, eeg_text_mask, loaded_blas)  # noqa: E402

B = 8


class Decoder(nn.Module):
    """A tokenizer decoder (§2.6): Linear(128, D) patch embedding, embeddings, bias-free blocks, fc_norm."""

    def __init__(self, n_layer, n_head, n_embd):
        super().__init__()
        self.patch_embed = nn.Linear(128, n_embd)
        self.pos_embed = nn.Embedding(256, n_embd)
        self.time_embed = nn.Embedding(64, n_embd)
        self.blocks = nn.ModuleList([Block(n_embd, n_head, bias=False) for _ in range(n_layer)])
        self.fc_norm = nn.LayerNorm(n_embd, eps=1e-6)

    def forward(self, z, chans, tim, mask):
        h = self.patch_embed(z) + self.pos_embed(chans) + self.time_embed(tim)
        for blk in self.blocks:
            h = blk(h, mask)
        return self.fc_norm(h)


class GradReverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, alpha):
        ctx.alpha = alpha
        return x.view_as(x)

    @staticmethod
    def backward(ctx, g):
        return g.neg() * ctx.alpha, None


class VQAlign(nn.Module):
    """Tiny VQ_Align: encoder 2×12×768, decoders 2×2×32, codebook 8192×128 with EMA, domain classifier."""

    def __init__(self):
        super().__init__()
        self.encoder = NeuralTransformer(2, 12, 768)
        self.encode_task_layer = nn.Sequential(nn.Linear(768, 768), nn.Tanh(), nn.Linear(768, 128))
        self.decoder_freq = Decoder(2, 2, 32)
        self.decoder_raw = Decoder(2, 2, 32)
        self.decode_task_layer_freq = nn.Sequential(nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 100))
        self.decode_task_layer_raw = nn.Sequential(nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 200))
        self.register_buffer('codebook', F.normalize(torch.randn(8192, 128), dim=-1))
        self.register_buffer('cluster_size', torch.zeros(8192))
        self.domain_classifier = nn.Sequential(nn.Linear(768, 256), nn.GELU(), nn.Linear(256, 2))
        self.wte = nn.Embedding(50257, 768)
        self.wte.weight.requires_grad_(False)

    def forward(self, x, chans, tim, emask, y_freq, y_raw, text, alpha):
        mask = emask.unsqueeze(1).unsqueeze(1)  # [B, 1, 1, L] key padding
        feat = self.encoder(x, chans, tim, mask)
        z = F.normalize(self.encode_task_layer(feat), dim=-1)
        flat = z.reshape(-1, 128)
        d = flat.pow(2).sum(1, keepdim=True) + self.codebook.pow(2).sum(1) - 2 * flat @ self.codebook.t()
        codes = d.argmin(1)
        zq = F.embedding(codes, self.codebook).view_as(z)
        commit = F.mse_loss(zq.detach(), z)
        with torch.no_grad():  # EMA update (official train mode)
            onehot = F.one_hot(codes, 8192).type(flat.dtype)
            bins = onehot.sum(0)
            self.cluster_size.mul_(0.99).add_(bins, alpha=0.01)
            s = flat.t() @ onehot
            norm = F.normalize((s / bins.clamp(min=1).unsqueeze(0)).t(), dim=-1)
            norm = torch.where((bins == 0).unsqueeze(1), self.codebook, norm)
            self.codebook.mul_(0.99).add_(norm, alpha=0.01)
            self.codebook.copy_(F.normalize(self.codebook, dim=-1))
        zq = z + (zq - z).detach()
        m = emask.float().unsqueeze(-1)
        rf = self.decode_task_layer_freq(self.decoder_freq(zq, chans, tim, mask))
        rr = self.decode_task_layer_raw(self.decoder_raw(zq, chans, tim, mask))
        loss = commit + F.mse_loss(rf * m, y_freq) + F.mse_loss(rr * m, y_raw)
        logits = self.domain_classifier(GradReverse.apply(feat, alpha))
        tgt = torch.where(emask, torch.zeros_like(chans), torch.full_like(chans, -1))
        loss = loss + F.cross_entropy(logits.reshape(-1, 2), tgt.reshape(-1), ignore_index=-1)
        tl = self.domain_classifier(self.wte(text).detach())
        return loss + F.cross_entropy(tl.reshape(-1, 2), torch.ones(text.numel(), dtype=torch.long))


class NeuroLMTiny(nn.Module):
    """NeuroLM with a 2×12×768 frozen tokenizer and a 2×2×64 GPT-2 (Linear(768, 64)+GELU transform)."""

    def __init__(self):
        super().__init__()
        self.GPT2 = GPT(2, 2, 64)
        self.tokenizer = NeuralTransformer(2, 12, 768)
        for p in self.tokenizer.parameters():
            p.requires_grad_(False)
        self.pos_embed = nn.Embedding(256, 64)
        self.encode_transform_layer = nn.Sequential(nn.Linear(768, 64), nn.GELU())

    def forward(self, x, chans, tim, emask, mask, text, targets):
        kmask = emask.unsqueeze(1).repeat(1, x.size(1), 1).unsqueeze(1)
        e = self.encode_transform_layer(self.tokenizer(x, chans, tim, kmask)) + self.pos_embed(chans)
        g = self.GPT2
        h = e + g.transformer.wpe(tim)
        if text is not None:
            t0 = tim.max()
            pos = torch.arange(text.size(1), dtype=torch.long) + t0 + 1
            h = torch.cat([h, g.transformer.wte(text) + g.transformer.wpe(pos)], 1)
        for blk in g.transformer.h:
            h = blk(h, mask)
        logits = g.lm_head(g.transformer.ln_f(h))  # every position, as the official training forward
        return F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1), ignore_index=-1)


def optimizer(model, wd, betas):
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [{'params': [p for p in params if p.dim() >= 2], 'weight_decay': wd},
              {'params': [p for p in params if p.dim() < 2], 'weight_decay': 0.0}]
    return torch.optim.AdamW(groups, lr=1e-4, betas=betas, eps=1e-8)


def batch(seconds, padded, gen):
    n = 19
    v = n * seconds
    x = torch.zeros(B, padded, 200)
    x[:, :v] = torch.randn(B, v, 200, generator=gen)
    chans = torch.full((B, padded), 136, dtype=torch.long)
    chans[:, :v] = torch.arange(v) % n
    tim = torch.zeros(B, padded, dtype=torch.long)
    tim[:, :v] = torch.arange(v) // n
    emask = torch.zeros(B, padded, dtype=torch.bool)
    emask[:, :v] = True
    return x, chans, tim, emask


def timed(step, n):
    step()  # warm-up
    times = []
    for _ in range(n):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', '2')))
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    out = {'threads': torch.get_num_threads(), 'blas': loaded_blas(), 'torch': torch.__version__}

    vq = VQAlign().train()
    opt = optimizer(vq, 1e-4, (0.9, 0.999))
    x, chans, tim, emask = batch(8, 160, gen)
    yf, yr = torch.randn(B, 160, 100), torch.randn(B, 160, 200)
    text = torch.randint(0, 50257, (4, 256), generator=gen)

    def vq_step():
        loss = vq(x, chans, tim, emask, yf, yr, text, 0.5)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    out['vq_sec'] = timed(vq_step, args.steps)

    lm = NeuroLMTiny().train()
    opt2 = optimizer(lm, 0.1, (0.9, 0.95))
    mask = eeg_text_mask(19, 8, 160, 0).expand(B, 1, 160, 160)
    y = torch.full((B, 160), -1, dtype=torch.long)
    y[:, :152 - 19] = 50304 + torch.randint(0, 8192, (B, 133), generator=gen)

    def pre_step():
        loss = lm(x, chans, tim, emask, mask, None, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(lm.parameters(), 1.0)
        opt2.step()
        opt2.zero_grad(set_to_none=True)
    out['pretrain_sec'] = timed(pre_step, args.steps)

    xi, ci, ti, ei = batch(4, 276, gen)
    text_i = torch.full((B, 80), 50256, dtype=torch.long)
    text_i[:, :16] = torch.tensor([50257, 24361, 25, 1148, 428, 48749, 10618, 286, 1029, 26211, 30, 23998, 25, 3363, 220, 50256])
    tgt = torch.full((B, 356), -1, dtype=torch.long)
    tgt[:, 276 + 12:276 + 15] = torch.tensor([3363, 220, 50256])
    mask_i = eeg_text_mask(19, 4, 276, 80).expand(B, 1, 356, 356)

    def ins_step():
        loss = lm(xi, ci, ti, ei, mask_i, text_i, tgt)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(lm.parameters(), 1.0)
        opt2.step()
        opt2.zero_grad(set_to_none=True)
    out['instruct_sec'] = timed(ins_step, args.steps)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
