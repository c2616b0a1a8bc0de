#!/usr/bin/env python3
"""Reference for the token lane's patch spectra (spec 1.4): Y_freq = std_norm(|DFT200(x)|)[:, 0:100].

Usage: patch_spectrum_reference.py PATCHES.npy OUT.npy OUT.json
PATCHES.npy holds the real patches [P, 200] (model units, µV / 100); OUT.npy gets Y_freq [P, 100] (float64),
OUT.json the mean and the unbiased std over all P*200 amplitudes (numpy only, independent of the C++ code).
"""
import json
import sys

import numpy as np

patches = np.load(sys.argv[1]).astype(np.float64)
amplitude = np.abs(np.fft.fft(patches, axis=1))  # [P, 200], all 200 bins enter the statistics
mean = amplitude.mean()
std = amplitude.std(ddof=1)
np.save(sys.argv[2], ((amplitude - mean) / std)[:, :100])
with open(sys.argv[3], "w") as f:
    json.dump({"mean": float(mean), "std": float(std)}, f)
