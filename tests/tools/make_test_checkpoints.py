#!/usr/bin/python3
"""Checkpoint fixtures and an independent reference reading for tests/models/test_checkpoint*.cpp.

  make_test_checkpoints.py summary CKPT OUT.json   torch.load(CKPT) and describe it as JSON
  make_test_checkpoints.py fixtures OUTDIR         write small valid and hostile .pt files into OUTDIR

Needs Debian's python3-torch (1.13). The summary is what PyTorch itself reads, so the C++ reader is checked
against torch.load, not against itself.
"""
import json
import os
import sys

import torch


def describe_tensor(t):
    d = {
        "shape": list(t.shape),
        "stride": list(t.stride()),
        "offset": t.storage_offset(),
        "dtype": str(t.dtype).replace("torch.", ""),
        "requires_grad": bool(t.requires_grad),
        "sum": float(t.detach().double().sum()) if t.numel() else 0.0,
    }
    flat = t.detach().reshape(-1).double()
    if t.numel():
        d["first"] = float(flat[0])
        d["last"] = float(flat[-1])
    if t.numel() <= 64:
        d["values"] = [float(v) for v in flat]
    return d


def plain(v):
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, torch.Tensor):
        return {"tensor": describe_tensor(v)}
    return v


def summary(path, out):
    ckpt = torch.load(path, map_location="cpu")
    model = ckpt["model"] if "model" in ckpt else ckpt
    result = {
        "top_level_keys": list(ckpt.keys()),
        "tensors": [[k, describe_tensor(v)] for k, v in model.items()],
    }
    for key in ("model_args", "encoder_args", "decoder_args", "iter_num", "epoch"):
        if key in ckpt:
            result[key] = plain(ckpt[key])
    with open(out, "w") as f:
        json.dump(result, f)


class Evil:
    """Unpickling this would run a shell command; a safe reader must refuse it by name."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, ("touch " + self.marker,))


class Custom:
    def __init__(self):
        self.x = 1


def fixtures(outdir):
    os.makedirs(outdir, exist_ok=True)
    g = torch.Generator().manual_seed(7)

    base = torch.randn(6, 5, generator=g)
    shared = torch.arange(24, dtype=torch.float32)
    model = {
        "_orig_mod.f32": torch.randn(3, 4, generator=g),
        "_orig_mod.transposed": base.t(),                        # non-contiguous, stride (1, 5)
        "_orig_mod.slice": base[2:4, 1:4],                       # storage offset 11
        "_orig_mod.f64": torch.randn(2, 3, generator=g, dtype=torch.float64),
        "_orig_mod.f16": torch.randn(5, generator=g).half(),
        "_orig_mod.bf16": torch.randn(5, generator=g).bfloat16(),
        "_orig_mod.i64": torch.tensor([-(2**40), -1, 0, 7, 2**50]),
        "_orig_mod.i32": torch.tensor([[-5, 3], [2**30, 9]], dtype=torch.int32),
        "_orig_mod.i16": torch.tensor([-300, 300], dtype=torch.int16),
        "_orig_mod.i8": torch.tensor([-128, 127], dtype=torch.int8),
        "_orig_mod.u8": torch.tensor([0, 255, 17], dtype=torch.uint8),
        "_orig_mod.flags": torch.tensor([True, False, True]),
        "_orig_mod.scalar": torch.tensor(2.5),
        "_orig_mod.empty": torch.zeros(0, 4),
        "_orig_mod.shared_a": shared[:12].view(3, 4),            # two views of one storage
        "_orig_mod.shared_b": shared[12:].view(2, 6),
        "_orig_mod.broadcast": torch.randn(1, 4, generator=g).expand(3, 4),  # stride (0, 1)
        "_orig_mod.param": torch.nn.Parameter(torch.randn(2, 2, generator=g)),  # _rebuild_parameter
    }
    torch.save({"model": model, "iter_num": 12345678901, "epoch": 3, "config": {"lr": 1e-3, "tags": ("a", None)},
                "encoder_args": {"n_layer": 1, "nested": [1, 2.5, True, None, {"k": "v"}]}},
               os.path.join(outdir, "dtypes.pt"))

    torch.save({"w": torch.ones(2, 3), "b": torch.zeros(3)}, os.path.join(outdir, "bare_state_dict.pt"))

    # A nanoGPT-style training checkpoint after one AdamW step: populated optimizer state (int-keyed dict,
    # step/exp_avg/exp_avg_sq tensors), a tensor-valued best_val_loss and a config dict at the top level.
    net = torch.nn.Linear(3, 2)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
    net(torch.randn(4, 3, generator=g)).sum().backward()
    opt.step()
    torch.save({"model": net.state_dict(), "optimizer": opt.state_dict(),
                "model_args": {"n_layer": 1, "bias": True}, "iter_num": 1, "best_val_loss": torch.tensor(1.5),
                "config": {"batch_size": 4}}, os.path.join(outdir, "trained.pt"))

    marker = os.path.join(outdir, "pwned")
    torch.save({"model": {"w": torch.ones(1)}, "payload": Evil(marker)}, os.path.join(outdir, "evil_system.pt"))
    torch.save({"model": {"w": torch.ones(1)}, "extra": Custom()}, os.path.join(outdir, "evil_class.pt"))
    torch.save({"model": {"w": torch.ones(1)}}, os.path.join(outdir, "legacy.pt"),
               _use_new_zipfile_serialization=False)
    # A state-dict value that is not a tensor.
    torch.save({"model": {"w": torch.ones(1), "n": 3}}, os.path.join(outdir, "model_not_tensor.pt"))
    # A file without the `model` entry.
    torch.save({"weights": {"w": torch.ones(1)}, "iter_num": 1}, os.path.join(outdir, "no_model.pt"))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "summary":
        summary(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "fixtures":
        fixtures(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
