#!/usr/bin/python3
"""Independent reference for core/dsp/DisplayFilter: the same design built by scipy and applied by
scipy.signal.sosfiltfilt (padtype='odd', default padlen).
Design: butter(ORDER, HP, 'highpass', output='sos') then butter(ORDER, LP, 'lowpass', output='sos') (each only
when > 0), then iirnotch(k*NOTCH, Q) for k = 1 (and 2, 3, ... below Nyquist when HARMONICS is 1), stacked into
one cascade. Reads IN/x.npy [rows, n]; writes IN/y.npy [rows, n] (filtered rows) and IN/mag.npy: |H(f)|^2 of the
cascade (forward-backward) at the frequencies of IN/freqs.npy, from scipy.signal.sosfreqz.
Usage: display_filter_reference.py DIR FS HP LP ORDER NOTCH Q HARMONICS"""
import sys

import numpy as np
import scipy.signal

d = sys.argv[1]
fs, hp, lp = float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
order, notch, q, harmonics = int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7]), sys.argv[8] == "1"
parts = []
if hp > 0:
    parts.append(scipy.signal.butter(order, hp, "highpass", fs=fs, output="sos"))
if lp > 0:
    parts.append(scipy.signal.butter(order, lp, "lowpass", fs=fs, output="sos"))
if notch > 0:
    k = 1
    while k * notch < fs / 2:
        b, a = scipy.signal.iirnotch(k * notch, q, fs=fs)
        parts.append(scipy.signal.tf2sos(b, a))
        if not harmonics:
            break
        k += 1
sos = np.vstack(parts)
x = np.load(f"{d}/x.npy")
y = scipy.signal.sosfiltfilt(sos, x, axis=-1)
np.save(f"{d}/y.npy", np.ascontiguousarray(y, dtype=np.float64))
freqs = np.load(f"{d}/freqs.npy")
_, h = scipy.signal.sosfreqz(sos, worN=freqs, fs=fs)
np.save(f"{d}/mag.npy", np.abs(h) ** 2)
