#!/usr/bin/python3
"""Reference for the embedded-model experiments: how separable are the EEGMMIDB fist tasks across subjects?

For every annotation (T0 rest, T1 left fist, T2 right fist) of runs R03/R04 of subjects S002-S013, the 4-s window
from its onset is described two ways, and a logistic regression trained on some subjects is scored on others:
  band    log band powers (1-4, 4-8, 8-13, 13-30, 30-45 Hz) per channel, absolute and relative, from the EDF
          (MNE, 0.5-45 Hz band-pass) -- what a classical pipeline sees;
  vq      the neural tokenizer's encoder features (what NeuroLM reads), window mean over its 4 x 64 tokens,
          from `neurolm tokenize --windows 4:1 --notch 60 --features-out` (window k starts at second k; the
          window of an annotation is the one starting at the whole second of its onset).
Scores: the official-style split (train S002-S010, validate S011-S013) and leave-one-subject-out over all 12.

usage: probe_eegmmidb.py DATA_DIR [NEUROLM TOKENIZER WORK_DIR]
"""
import os
import subprocess
import sys

import mne
import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

mne.set_log_level("ERROR")
BANDS_HZ = [(1, 4), (4, 8), (8, 13), (13, 30), (30, 45)]
SUBJECTS = range(2, 14)
RUNS = ("03", "04")
WINDOW_SEC = 4


def band_power_features(raw):
    raw = raw.copy().load_data().filter(0.5, 45)
    data = raw.get_data() * 1e6
    fs = int(raw.info["sfreq"])
    rows = []
    for a in raw.annotations:
        start = int(a["onset"] * fs)
        if start + WINDOW_SEC * fs > data.shape[1]:
            rows.append(None)
            continue
        seconds = data[:, start:start + WINDOW_SEC * fs].reshape(data.shape[0], WINDOW_SEC, fs)
        power = np.abs(np.fft.rfft(seconds, axis=-1)) ** 2  # bin k = k Hz for 1-s segments
        bands = np.stack([power[..., lo:hi].mean(-1) for lo, hi in BANDS_HZ], -1).mean(1)  # [C, 5]
        absolute = np.log(bands)
        rows.append(np.concatenate([absolute.ravel(), (absolute - np.log(bands.sum(-1, keepdims=True))).ravel()]))
    return rows


def encoder_features(raw, features):
    rows = []
    for a in raw.annotations:
        k = int(np.floor(a["onset"] + 1e-6))
        rows.append(features[k].mean(0) if k < features.shape[0] else None)  # [V, D] -> [D]
    return rows


def load(data_dir, tool):
    table = {"band": {}, "vq": {}}
    labels = {}
    for s in SUBJECTS:
        feats = {"band": [], "vq": []}
        labs = []
        for r in RUNS:
            edf = os.path.join(data_dir, f"S{s:03d}", f"S{s:03d}R{r}.edf")
            raw = mne.io.read_raw_edf(edf, verbose="ERROR")
            band = band_power_features(raw)
            vq = [None] * len(band)
            if tool:
                neurolm, tokenizer, work = tool
                out = os.path.join(work, f"S{s:03d}R{r}.npy")
                if not os.path.exists(out):
                    subprocess.run([neurolm, "tokenize", edf, "--vq", tokenizer, "--windows", f"{WINDOW_SEC}:1",
                                    "--notch", "60", "--json", "--features-out", out], check=True,
                                   stdout=subprocess.DEVNULL)
                vq = encoder_features(raw, np.load(out))
            for b, v, a in zip(band, vq, raw.annotations):
                if b is None or (tool and v is None):
                    continue
                feats["band"].append(b)
                feats["vq"].append(v)
                labs.append(a["description"])
        for k in feats:
            table[k][s] = np.array(feats[k]) if tool or k == "band" else None
        labels[s] = np.array(labs)
    return table, labels


def score(x, labels, task, folds):
    ys, ps = [], []
    for train, test in folds:
        def pick(subjects):
            xs, yl = [], []
            for s in subjects:
                y = labels[s]
                keep = np.ones(len(y), bool) if task == "rest-movement" else y != "T0"
                target = (y != "T0") if task == "rest-movement" else (y == "T2")
                xs.append(x[s][keep])
                yl.append(target[keep].astype(int))
            return np.concatenate(xs), np.concatenate(yl)
        xa, ya = pick(train)
        xb, yb = pick(test)
        clf = make_pipeline(StandardScaler(), PCA(min(64, xa.shape[1])),
                            LogisticRegression(C=0.05, max_iter=3000, class_weight="balanced"))
        clf.fit(xa, ya)
        ys.append(yb)
        ps.append(clf.predict_proba(xb)[:, 1])
    y, p = np.concatenate(ys), np.concatenate(ps)
    return balanced_accuracy_score(y, p > 0.5), roc_auc_score(y, p)


def main():
    if len(sys.argv) not in (2, 5):
        sys.exit(__doc__)
    tool = tuple(sys.argv[2:5]) if len(sys.argv) == 5 else None
    if tool:
        os.makedirs(tool[2], exist_ok=True)
    table, labels = load(sys.argv[1], tool)
    split = [(list(range(2, 11)), [11, 12, 13])]
    loso = [([t for t in SUBJECTS if t != v], [v]) for v in SUBJECTS]
    for kind in ("band", "vq") if tool else ("band",):
        for task in ("rest-movement", "left-right"):
            for name, folds in (("val S011-S013", split), ("leave-one-subject-out", loso)):
                bal, auc = score(table[kind], labels, task, folds)
                print(f"{kind:4s} {task:13s} {name:22s} balanced accuracy {bal:.3f}  AUROC {auc:.3f}")


if __name__ == "__main__":
    main()
