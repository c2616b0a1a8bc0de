#!/usr/bin/python3
"""Reference timings for bench_browser, run by it in the same session: scipy.signal.spectrogram of a
[19, 1 h x 500 Hz] float64 array (Hann, 2-s segments, 50 % overlap, detrend='constant', density) and
scipy.signal.welch of a [64, 10 s x 256 Hz] array (Hann, nperseg 512, 50 % overlap). Prints one JSON line:
medians in ms over REPS runs, and the sum of each result (the bench compares it with its own).
Usage: ref_browser.py SPECTROGRAM_X.npy WELCH_X.npy REPS"""
import json
import sys
import time

import numpy as np
import scipy
import scipy.signal

xs = np.load(sys.argv[1])
xw = np.load(sys.argv[2])
reps = int(sys.argv[3])


def timed(fn):
    times, out = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times)), out


spec_ms, (_, _, s) = timed(lambda: scipy.signal.spectrogram(xs, fs=500.0, window="hann", nperseg=1000,
                                                            noverlap=500, detrend="constant",
                                                            scaling="density", mode="psd"))
welch_ms, (_, p) = timed(lambda: scipy.signal.welch(xw, fs=256.0, window="hann", nperseg=512, noverlap=256,
                                                    detrend="constant", scaling="density"))
print(json.dumps({"scipy": scipy.__version__, "numpy": np.__version__, "spectrogram_ms": spec_ms,
                  "spectrogram_sum": float(s.sum(dtype=np.float64)), "spectrogram_shape": list(s.shape),
                  "welch_ms": welch_ms, "welch_sum": float(p.sum())}))
