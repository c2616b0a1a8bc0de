#!/usr/bin/python3
"""Independent reference for `neurolm psd --montage double-banana --filter hp=HP,lp=LP`: MNE reads the EDF (µV),
the bipolar derivation A - B is formed, the whole recording is filtered with scipy.signal.sosfiltfilt of
butter(ORDER, HP, 'highpass') stacked with butter(ORDER, LP, 'lowpass'), then samples [round(a*fs),
round(b*fs)) go through scipy.signal.welch(nperseg=N, noverlap=N//2, hann, constant detrend, density).
Prints one JSON object {freqs, psd}.
Usage: montage_psd_reference.py FILE A B HP LP ORDER START END NPERSEG"""
import json
import sys

import mne
import numpy as np
import scipy.signal

path, a_name, b_name = sys.argv[1], sys.argv[2], sys.argv[3]
hp, lp, order = float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
start, end, nperseg = float(sys.argv[7]), float(sys.argv[8]), int(sys.argv[9])
raw = mne.io.read_raw_edf(path, preload=True, verbose="error")
fs = raw.info["sfreq"]
x = raw.get_data(picks=[a_name], units="uV")[0] - raw.get_data(picks=[b_name], units="uV")[0]
sos = np.vstack([scipy.signal.butter(order, hp, "highpass", fs=fs, output="sos"),
                 scipy.signal.butter(order, lp, "lowpass", fs=fs, output="sos")])
y = scipy.signal.sosfiltfilt(sos, x)
seg = y[int(np.floor(start * fs + 0.5)):int(np.floor(end * fs + 0.5))]
f, p = scipy.signal.welch(seg, fs, window="hann", nperseg=nperseg, noverlap=nperseg // 2, detrend="constant")
print(json.dumps({"freqs": f.tolist(), "psd": p.tolist()}))
