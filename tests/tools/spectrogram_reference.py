#!/usr/bin/python3
"""Independent reference for core/dsp/Spectrogram: scipy.signal.spectrogram on an array read from .npy.
Reads X [C, N] (float64) and writes OUT/freqs.npy [F], OUT/times.npy [T], OUT/power.npy [C, F, T] (float64),
with nfft = nperseg, return_onesided=True, scaling='density', mode='psd'.
Usage: spectrogram_reference.py X.npy OUT FS NPERSEG NOVERLAP WINDOW DETREND"""
import sys

import numpy as np
import scipy.signal

x = np.load(sys.argv[1])
out = sys.argv[2]
fs, nperseg, noverlap = float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
window, detrend = sys.argv[6], sys.argv[7]
f, t, s = scipy.signal.spectrogram(x, fs=fs, window=window, nperseg=nperseg, noverlap=noverlap,
                                   detrend=False if detrend == "none" else detrend, return_onesided=True,
                                   scaling="density", mode="psd", axis=-1)
np.save(f"{out}/freqs.npy", f)
np.save(f"{out}/times.npy", t)
np.save(f"{out}/power.npy", s.astype(np.float64))
