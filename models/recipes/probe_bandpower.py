#!/usr/bin/python3
"""Reference for the embedded-model experiments: how separable is EEGMAT Workload across subjects with
classical features? Log band powers (delta..gamma) per channel, absolute and relative, averaged over the
window's seconds, then logistic regression trained on the train split and scored on the validation split.

Reads the prepared shards of a `neurolm train` run (`<cache>/<dataset>-<key>/{train,val}.{x,labels}.npy`:
x [windows, tokens, 200] in model units, time-major tokens of 19 channels).

usage: probe_bandpower.py SHARD_DIR
"""
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.preprocessing import StandardScaler

BANDS_HZ = [(1, 4), (4, 8), (8, 13), (13, 30), (30, 45)]  # 1-s patches at 200 Hz: bin k is k Hz


def band_features(x, channels=19):
    b = x.shape[0]
    seconds = x.shape[1] // channels
    patches = x.astype(np.float64).reshape(b, seconds, channels, 200)
    power = np.abs(np.fft.rfft(patches, axis=-1)) ** 2
    bands = np.stack([power[..., lo:hi].mean(-1) for lo, hi in BANDS_HZ], -1).mean(1)  # [B, C, 5]
    absolute = np.log(bands + 1e-12)
    relative = absolute - np.log(bands.sum(-1, keepdims=True))
    return {"absolute": absolute.reshape(b, -1), "relative": relative.reshape(b, -1),
            "both": np.concatenate([absolute.reshape(b, -1), relative.reshape(b, -1)], 1)}


def main(shards):
    xt, yt = np.load(f"{shards}/train.x.npy"), np.load(f"{shards}/train.labels.npy")
    xv, yv = np.load(f"{shards}/val.x.npy"), np.load(f"{shards}/val.labels.npy")
    ft, fv = band_features(xt), band_features(xv)
    for name in ("absolute", "relative", "both"):
        scaler = StandardScaler().fit(ft[name])
        for c in (1e-3, 1e-2, 1e-1):
            model = LogisticRegression(C=c, max_iter=3000).fit(scaler.transform(ft[name]), yt)
            p = model.predict_proba(scaler.transform(fv[name]))[:, 1]
            print(f"{name:8s} C={c:g}: validation balanced accuracy {balanced_accuracy_score(yv, p > 0.5):.3f}, "
                  f"AUROC {roc_auc_score(yv, p):.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
