#!/usr/bin/python3
"""Independent reference for the Welch PSD and band powers: reads an EDF with MNE-Python (microvolts), takes
samples [round(a*fs), round(b*fs)) of every channel and runs scipy.signal.welch(window, nperseg, noverlap,
detrend, scaling='density', average='mean', return_onesided=True). Band power: PSD bins with low <= f < high,
summed and multiplied by the resolution fs/nperseg (the rule of core/dsp/BandPower.h).
Writes OUT/freqs.npy [F], OUT/psd.npy [C, F] (uV^2/Hz), OUT/bands.json {labels, bands: [{name, power[C],
relative[C]}]}.
Usage: welch_reference.py FILE OUT START END NPERSEG NOVERLAP WINDOW DETREND [NAME:LO-HI,...]"""
import json
import sys

import mne
import numpy as np
import scipy.signal

path, out = sys.argv[1], sys.argv[2]
a, b = float(sys.argv[3]), float(sys.argv[4])
nperseg, noverlap = int(sys.argv[5]), int(sys.argv[6])
window, detrend = sys.argv[7], sys.argv[8]
band_text = sys.argv[9] if len(sys.argv) > 9 else "delta:0.5-4,theta:4-8,alpha:8-13,beta:13-30,gamma:30-45"
bands = []
for item in band_text.split(","):
    name, edges = item.split(":")
    lo, hi = edges.split("-")
    bands.append((name, float(lo), float(hi)))

raw = mne.io.read_raw_edf(path, preload=False, verbose="error", encoding="latin1")
fs = float(raw.info["sfreq"])
start, stop = int(np.floor(a * fs + 0.5)), int(np.floor(b * fs + 0.5))
x = raw.get_data(start=start, stop=stop, units="uV").astype(np.float64)
f, p = scipy.signal.welch(x, fs=fs, window=window, nperseg=nperseg, noverlap=noverlap,
                          detrend=False if detrend == "none" else detrend, scaling="density", average="mean",
                          return_onesided=True, axis=-1)
np.save(f"{out}/freqs.npy", f)
np.save(f"{out}/psd.npy", p)
df = f[1] - f[0]
lo_all, hi_all = min(lo for _, lo, _ in bands), max(hi for _, _, hi in bands)
total = p[:, (f >= lo_all) & (f < hi_all)].sum(axis=1) * df
result = []
for name, lo, hi in bands:
    power = p[:, (f >= lo) & (f < hi)].sum(axis=1) * df
    result.append({"name": name, "low": lo, "high": hi, "power": power.tolist(),
                   "relative": (power / total).tolist()})
json.dump({"labels": raw.ch_names, "sfreq": fs, "bands": result}, open(f"{out}/bands.json", "w"))
