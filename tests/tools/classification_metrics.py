#!/usr/bin/env python3
"""Reference classification metrics (scikit-learn) for tests/core/test_metrics.cpp.

usage: classification_metrics.py IN.json OUT.json
IN: {"cases": [{"y": [...], "p": [[...], ...]}, ...]}; OUT: one object of metrics per case.
ECE is computed here by its definition with numpy (scikit-learn has none): 15 equal-width bins over the
top-class probability, bin b = (b/15, (b+1)/15], confidence 0 in bin 0.
"""
import json
import sys

import numpy as np
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, cohen_kappa_score, f1_score,
                             roc_auc_score)


def ece(y, p, bins=15):
    conf = p.max(axis=1)
    pred = p.argmax(axis=1)
    idx = np.clip(np.ceil(conf * bins).astype(int) - 1, 0, bins - 1)
    total = 0.0
    for b in range(bins):
        sel = idx == b
        if sel.any():
            total += abs((pred[sel] == y[sel]).sum() - conf[sel].sum()) / len(y)
    return total


def main():
    cases = json.load(open(sys.argv[1]))["cases"]
    out = []
    for c in cases:
        y = np.array(c["y"])
        p = np.array(c["p"])
        pred = p.argmax(axis=1)
        k = p.shape[1]
        auc = roc_auc_score(y, p[:, 1]) if k == 2 else roc_auc_score(y, p, multi_class="ovr", average="macro")
        out.append({
            "accuracy": accuracy_score(y, pred),
            "balanced_accuracy": balanced_accuracy_score(y, pred),
            "cohen_kappa": cohen_kappa_score(y, pred),
            "f1_weighted": f1_score(y, pred, average="weighted", labels=list(range(k)), zero_division=0),
            "roc_auc": auc,
            "ece": ece(y, p),
        })
    json.dump(out, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
