#!/usr/bin/python3
"""Linear probe of a tokenizer's encoder features (what NeuroLM reads) on EEGMAT Workload: the features of
every window, averaged over its tokens, then logistic regression trained on subjects < 26 and scored on
26-30. Also prints how much the features vary between windows at the same token position (relative to
their overall spread): a tokenizer whose features depend on position only has nothing to tell the LM.

Input: a folder of `SubjectNN_K.npy` files from
  neurolm tokenize SubjectNN_K.edf --vq TOKENIZER --channel-rule workload --channels <19 channels>
                   --windows 4:2 --range <last 60 s> --features-out SubjectNN_K.npy

usage: probe_features.py FEATURE_DIR
"""
import glob
import os
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.preprocessing import StandardScaler


def main(folder):
    x, y, spread = {0: [], 1: []}, {0: [], 1: []}, []
    for path in sorted(glob.glob(os.path.join(folder, "Subject*_[12].npy"))):
        name = os.path.basename(path)
        subject, label = int(name[7:9]), int(name[10]) - 1
        features = np.load(path)  # [windows, tokens, dim]
        spread.append(features.std(0).mean() / features.std())
        part = 1 if subject >= 26 else 0
        x[part].append(features.mean(1))
        y[part].append(np.full(features.shape[0], label))
    xt, xv = np.concatenate(x[0]), np.concatenate(x[1])
    yt, yv = np.concatenate(y[0]), np.concatenate(y[1])
    print(f"between-window spread at a token position / overall spread: {np.mean(spread):.4f}")
    scaler = StandardScaler().fit(xt)
    for c in (1e-3, 1e-2, 1e-1, 1.0):
        model = LogisticRegression(C=c, max_iter=3000).fit(scaler.transform(xt), yt)
        p = model.predict_proba(scaler.transform(xv))[:, 1]
        print(f"C={c:g}: train balanced accuracy {balanced_accuracy_score(yt, model.predict(scaler.transform(xt))):.3f}, "
              f"validation {balanced_accuracy_score(yv, p > 0.5):.3f}, AUROC {roc_auc_score(yv, p):.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
