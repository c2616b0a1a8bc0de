#!/usr/bin/python3
"""Independent reference for `neurolm spectrogram`: reads channels of an EDF with MNE-Python (microvolts),
takes samples [round(a*fs), round(b*fs)) and runs scipy.signal.spectrogram(window='hann', nperseg, noverlap,
detrend='constant', scaling='density', mode='psd'). Writes OUT/freqs.npy [F], OUT/times.npy [T] (relative to
the first sample, as scipy), OUT/power.npy [C, F, T].
Usage: spectrogram_edf_reference.py FILE OUT A B CH1,CH2,... NPERSEG NOVERLAP"""
import sys

import mne
import numpy as np
import scipy.signal

path, out = sys.argv[1], sys.argv[2]
a, b = float(sys.argv[3]), float(sys.argv[4])
names = sys.argv[5].split(",")
nperseg, noverlap = int(sys.argv[6]), int(sys.argv[7])
raw = mne.io.read_raw_edf(path, preload=False, verbose="error", encoding="latin1")
fs = float(raw.info["sfreq"])
start, stop = int(np.floor(a * fs + 0.5)), int(np.floor(b * fs + 0.5))
x = raw.get_data(picks=names, start=start, stop=stop, units="uV").astype(np.float64)
f, t, s = scipy.signal.spectrogram(x, fs=fs, window="hann", nperseg=nperseg, noverlap=noverlap,
                                   detrend="constant", scaling="density", mode="psd", axis=-1)
np.save(f"{out}/freqs.npy", f)
np.save(f"{out}/times.npy", t)
np.save(f"{out}/power.npy", s)
