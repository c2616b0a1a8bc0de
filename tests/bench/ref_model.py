#!/usr/bin/python3
"""PyTorch-eager reference for tests/bench/bench_model.cpp.

The official NeuroLM model structure as a user of the official code runs it, written from the spec
(/work/shared/spec/neurolm.md §2-§4): nanoGPT-style nn.Module classes (TemporalConv, NeuralTransformer with
bias-free blocks, GPT with untied lm_head, NeuroLM) with the same math, random init, float32, eval mode,
torch.no_grad. The official `generate` is reproduced as §4.5 describes it: encoder features once, then a full
GPT-2 recomputation of the whole sequence per new token, top-k = 1 + multinomial, the mask extended with a
0-column and a 1-row (float after the first step).

Attention: Debian's torch 1.13 has no F.scaled_dot_product_attention, so the attention is written out with
the PyTorch >= 2 mask semantics (bool -> -inf where False, float -> added), which is the arithmetic of the
official code's manual path (q·kᵀ, scale, mask, softmax, ·v).

Run by bench_model (same process tree, same BLAS, 2 threads); alone:
  /usr/bin/python3 tests/bench/ref_model.py --reps 5 --slow-reps 3
It prints one JSON line with the medians (seconds) and what it ran on.
"""
import argparse
import json
import math
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------------------------------------------------
# Modules (spec §2.2-§2.4, §3.2, §4.1)


class LayerNorm(nn.Module):
    """LayerNorm with an optional bias (official model.py), eps 1e-5 unless given."""

    def __init__(self, ndim, bias, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None
        self.eps = eps

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, self.eps)


def attention(q, k, v, mask):
    """PyTorch >= 2 SDPA semantics: no mask = causal, bool mask = -inf where False, float mask added."""
    scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
    if mask is None:
        lq, lk = q.size(-2), k.size(-2)
        causal = torch.ones(lq, lk, dtype=torch.bool).tril(diagonal=lk - lq)
        scores = scores.masked_fill(~causal, float('-inf'))
    elif mask.dtype == torch.bool:
        scores = scores.masked_fill(~mask, float('-inf'))
    else:
        scores = scores + mask
    return F.softmax(scores, dim=-1) @ v


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, bias):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=bias)
        self.c_proj = nn.Linear(n_embd, n_embd, bias=bias)
        self.n_head = n_head
        self.n_embd = n_embd

    def forward(self, x, mask):
        b, t, c = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        # [B, T, C] -> [B, H, T, C/H]
        q = q.view(b, t, self.n_head, c // self.n_head).transpose(1, 2)
        k = k.view(b, t, self.n_head, c // self.n_head).transpose(1, 2)
        v = v.view(b, t, self.n_head, c // self.n_head).transpose(1, 2)
        y = attention(q, k, v, mask)
        y = y.transpose(1, 2).contiguous().view(b, t, c)  # [B, H, T, C/H] -> [B, T, C]
        return self.c_proj(y)


class MLP(nn.Module):
    def __init__(self, n_embd, bias):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=bias)
        self.c_proj = nn.Linear(4 * n_embd, n_embd, bias=bias)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))  # exact erf GELU


class Block(nn.Module):
    def __init__(self, n_embd, n_head, bias):
        super().__init__()
        self.ln_1 = LayerNorm(n_embd, bias)
        self.attn = CausalSelfAttention(n_embd, n_head, bias)
        self.ln_2 = LayerNorm(n_embd, bias)
        self.mlp = MLP(n_embd, bias)

    def forward(self, x, mask):
        x = x + self.attn(self.ln_1(x), mask)
        return x + self.mlp(self.ln_2(x))


class TemporalConv(nn.Module):
    """The encoder's patch_embed (§2.2): 3 × (conv, GroupNorm(4), GELU), then Linear(400, 768) + GELU."""

    def __init__(self, out_chans=16, n_embd=768):
        super().__init__()
        self.conv1 = nn.Conv2d(1, out_chans, kernel_size=(1, 15), stride=(1, 8), padding=(0, 7))
        self.norm1 = nn.GroupNorm(4, out_chans)
        self.conv2 = nn.Conv2d(out_chans, out_chans, kernel_size=(1, 3), padding=(0, 1))
        self.norm2 = nn.GroupNorm(4, out_chans)
        self.conv3 = nn.Conv2d(out_chans, out_chans, kernel_size=(1, 3), padding=(0, 1))
        self.norm3 = nn.GroupNorm(4, out_chans)
        self.l = nn.Sequential(nn.Linear(400, n_embd), nn.GELU())

    def forward(self, x):
        b, n, _ = x.shape
        x = x.unsqueeze(1)  # [B, L, 200] -> [B, 1, L, 200]
        x = F.gelu(self.norm1(self.conv1(x)))
        x = F.gelu(self.norm2(self.conv2(x)))
        x = F.gelu(self.norm3(self.conv3(x)))  # [B, 16, L, 25]
        x = x.permute(0, 2, 3, 1).reshape(b, n, -1)  # [B, 16, L, 25] -> [B, L, 25, 16] -> [B, L, 400]
        return self.l(x)


class NeuralTransformer(nn.Module):
    """The tokenizer encoder (§2.3): 12 bias-free blocks of 768, channel and time embeddings, fc_norm."""

    def __init__(self, n_layer=12, n_head=12, n_embd=768):
        super().__init__()
        self.patch_embed = TemporalConv(n_embd=n_embd)
        self.pos_embed = nn.Embedding(256, n_embd)
        self.time_embed = nn.Embedding(64, n_embd)
        self.blocks = nn.ModuleList([Block(n_embd, n_head, bias=False) for _ in range(n_layer)])
        self.fc_norm = nn.LayerNorm(n_embd, eps=1e-6)

    def forward(self, x, input_chans, input_time, mask):
        h = self.patch_embed(x)
        h = h + self.pos_embed(input_chans) + self.time_embed(input_time)
        for block in self.blocks:
            h = block(h, mask)
        return self.fc_norm(h)


class GPT(nn.Module):
    """NeuroLM-B's GPT-2 (§3.2): wte 50304, wpe 1024, 12 blocks with bias, ln_f, untied lm_head 58496."""

    def __init__(self, n_layer=12, n_head=12, n_embd=768, vocab_size=50304, block_size=1024):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab_size, n_embd),
            wpe=nn.Embedding(block_size, n_embd),
            h=nn.ModuleList([Block(n_embd, n_head, bias=True) for _ in range(n_layer)]),
            ln_f=LayerNorm(n_embd, bias=True),
        ))
        self.lm_head = nn.Linear(n_embd, vocab_size + 8192, bias=False)

    def forward(self, x_eeg, x_text, input_time, mask):
        """EEG + text case without targets: logits of the last position only, [B, 1, 58496]."""
        t0 = input_time.max()  # over the whole batch tensor, as the official code
        pos_text = torch.arange(x_text.size(1), dtype=torch.long) + t0 + 1
        h_eeg = x_eeg + self.transformer.wpe(input_time)
        h_text = self.transformer.wte(x_text) + self.transformer.wpe(pos_text)
        h = torch.cat([h_eeg, h_text], dim=1)
        for block in self.transformer.h:
            h = block(h, mask)
        h = self.transformer.ln_f(h)
        return self.lm_head(h[:, [-1], :])


class NeuroLM(nn.Module):
    """NeuroLM-B (§4.1): GPT2, frozen tokenizer encoder, pos_embed; encode_transform_layer = identity (D=768)."""

    def __init__(self):
        super().__init__()
        self.GPT2 = GPT()
        self.tokenizer = NeuralTransformer()
        self.pos_embed = nn.Embedding(256, 768)
        self.encode_transform_layer = nn.Identity()

    def eeg_embedding(self, x, input_chans, input_time, input_mask):
        # official: the key-padding mask repeated to [B, 1, L, L]
        mask = input_mask.unsqueeze(1).repeat(1, x.size(1), 1).unsqueeze(1)
        f = self.tokenizer(x, input_chans, input_time, mask)
        return self.encode_transform_layer(f) + self.pos_embed(input_chans)

    @torch.no_grad()
    def generate(self, x, x_text, input_chans, input_time, input_mask, eeg_text_mask, max_new_tokens=5,
                 temperature=1.0, top_k=1):
        """The official generate (§4.5): full recomputation per token, the official mask updates."""
        e = self.eeg_embedding(x, input_chans, input_time, input_mask)
        mask = eeg_text_mask
        b = x.size(0)
        for _ in range(max_new_tokens):
            logits = self.GPT2(e, x_text, input_time, mask)
            logits = logits[:, -1, :50257] / temperature
            v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
            logits[logits < v[:, [-1]]] = -float('Inf')
            probs = F.softmax(logits, dim=-1)
            next_id = torch.multinomial(probs, num_samples=1)
            x_text = torch.cat((x_text, next_id), dim=1)
            m = mask.size(-1)
            mask = torch.cat((mask, torch.zeros(b, 1, m, 1)), dim=-1)
            mask = torch.cat((mask, torch.ones(b, 1, 1, m + 1)), dim=-2)
        return x_text


# ---------------------------------------------------------------------------------------------------------
# Inputs (§1.3, §1.5, §4.3)

WORKLOAD_CHANS = [0, 2, 17, 21, 15, 23, 88, 90, 39, 43, 89, 91, 61, 65, 80, 82, 19, 41, 63]
WORKLOAD_PROMPT = [50257, 24361, 25, 1148, 428, 48749, 10618, 286, 1029, 26211, 30, 23998, 25]


def eeg_sample(seconds, padded, seed):
    """19 channels × `seconds` real patches (time-major), zero padding up to `padded` with channel 136."""
    g = torch.Generator().manual_seed(seed)
    n = len(WORKLOAD_CHANS)
    v = n * seconds
    x = torch.zeros(1, padded, 200)
    x[0, :v] = torch.randn(v, 200, generator=g)
    chans = torch.full((1, padded), 136, dtype=torch.long)
    chans[0, :v] = torch.tensor(WORKLOAD_CHANS * seconds)
    tim = torch.zeros(1, padded, dtype=torch.long)
    tim[0, :v] = torch.arange(seconds).repeat_interleave(n)
    mask = torch.zeros(1, padded, dtype=torch.bool)
    mask[0, :v] = True
    return x, chans, tim, mask


def eeg_text_mask(n, seconds, padded, text_len):
    """The official stair mask (§4.3) as the loader builds it: [1, 1, M, M] bool."""
    v = n * seconds
    m = padded + text_len
    s = torch.ones(m, m).tril()
    for a in range(seconds):
        s[a * n:(a + 1) * n, a * n:(a + 1) * n] = 1
    s[:, v:padded] = 0
    return s.bool().view(1, 1, m, m)


def loaded_blas():
    with open('/proc/self/maps') as f:
        paths = {line.split()[-1] for line in f if 'blas' in line.lower() and '/' in line}
    return sorted(os.path.realpath(p) for p in paths)


def median_time(fn, reps):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--slow-reps', type=int, default=3)
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1234)
    model = NeuroLM().eval()
    out = {'torch': torch.__version__, 'threads': torch.get_num_threads()}
    with torch.no_grad():
        # (1) tokenizer encoder, Workload (76 real of 276) and pre-training-like (19 × 53 s = 1007 of 1024)
        for name, seconds, padded in (('enc276', 4, 276), ('enc1024', 53, 1024)):
            x, chans, tim, mask = eeg_sample(seconds, padded, seed=7)
            m4 = mask.unsqueeze(1).repeat(1, padded, 1).unsqueeze(1)
            model.tokenizer(x, chans, tim, m4)  # warm-up
            med, times = median_time(lambda: model.tokenizer(x, chans, tim, m4), args.reps)
            out[name] = {'median_s': med, 'runs_s': times}
        # (2) the official generate: 5 answer tokens after 276 EEG + 13 prompt tokens
        x, chans, tim, mask = eeg_sample(4, 276, seed=7)
        prompt = torch.tensor([WORKLOAD_PROMPT])
        gmask = eeg_text_mask(19, 4, 276, prompt.size(1))
        gen = lambda: model.generate(x, prompt, chans, tim, mask, gmask, max_new_tokens=5)
        gen()  # warm-up
        med, times = median_time(gen, args.slow_reps)
        out['generate_official'] = {'median_s': med, 'runs_s': times}
    out['blas'] = loaded_blas()
    with open('/proc/self/status') as f:
        out['vmhwm_kb'] = next(int(l.split()[1]) for l in f if l.startswith('VmHWM'))
    print('REF_JSON ' + json.dumps(out), flush=True)


if __name__ == '__main__':
    main()
