#!/usr/bin/python3
"""Generate the small DSP reference fixtures in tests/fixtures/dsp/ with MNE 1.3 and scipy.

The C++ tests (tests/core/test_dsp_*.cpp) compare core/dsp against these files. Run from the repository root:
    /usr/bin/python3 tests/tools/gen_dsp_fixtures.py
Written with Debian 12 python3-mne 1.3.0, python3-scipy 1.10.1, python3-numpy 1.24.2. Deterministic (fixed seed).
"""
import json
import os
import sys

import mne
import numpy as np
import scipy
import scipy.signal

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "dsp")


def save(name, array):
    np.save(os.path.join(OUT, name), np.ascontiguousarray(array))


def eeg_like(rng, n, fs):
    """Brown-ish noise plus a few sinusoids (incl. mains and a component above 75 Hz when fs allows)."""
    t = np.arange(n) / fs
    x = np.cumsum(rng.standard_normal(n)) * 0.5 + 20.0 * rng.standard_normal(n)
    for f, a in ((10.0, 30.0), (50.0, 15.0), (60.0, 12.0), (0.03, 80.0), (90.0, 8.0)):
        if f < fs / 2:
            x += a * np.sin(2 * np.pi * f * t + f)
    return x


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20251201)
    manifest = {"mne": mne.__version__, "scipy": scipy.__version__, "numpy": np.__version__}

    # 1. scipy firwin low-passes (Hamming, pass_zero, fs=2): the building block of MNE's design.
    firwin_cases = [(107, 77.5 / 80.0), (89, 84.375 / 250.0), (3301, 50.375 / 250.0), (16501, 0.05 / 250.0),
                    (35, 84.375 / 100.0), (3379, 49.625 / 256.0)]
    manifest["firwin"] = []
    for i, (n, c) in enumerate(firwin_cases):
        name = "firwin_%d.npy" % i
        save(name, scipy.signal.firwin(n, c, window="hamming", pass_zero=True, fs=2))
        manifest["firwin"].append({"file": name, "numtaps": n, "cutoff": c})

    # 2. Complete MNE filter designs: raw.filter(0.1, 75) and raw.notch_filter(f0) impulse responses.
    manifest["designs"] = []
    for fs in (160.0, 250.0, 500.0, 512.0):
        h = mne.filter.create_filter(None, fs, 0.1, 75.0, verbose=False)
        name = "mne_bandpass_fs%d.npy" % fs
        save(name, h)
        manifest["designs"].append({"file": name, "kind": "bandpass", "fs": fs, "l_freq": 0.1, "h_freq": 75.0})
    for fs, f0 in ((160.0, 60.0), (500.0, 50.0), (512.0, 50.0)):
        # exactly the arguments notch_filter(f0) passes to filter_data (notch width f0/200, transition 1 Hz)
        nw, tb2 = f0 / 200.0, 0.5
        h = mne.filter.create_filter(None, fs, f0 + nw / 2.0 + tb2, f0 - nw / 2.0 - tb2,
                                     l_trans_bandwidth=tb2, h_trans_bandwidth=tb2, verbose=False)
        name = "mne_notch%d_fs%d.npy" % (f0, fs)
        save(name, h)
        manifest["designs"].append({"file": name, "kind": "notch", "fs": fs, "f0": f0})

    # 3. Filter application: a signal shorter than the filter (edge = n - 1) and a longer one at 160 Hz.
    manifest["apply"] = []
    for fs, n, f0, tag in ((500.0, 2000, 50.0, "short500"), (160.0, 9000, 60.0, "long160")):
        x = eeg_like(rng, n, fs)
        bp = mne.filter.filter_data(x[np.newaxis], fs, 0.1, 75.0, verbose=False)[0]
        nf = mne.filter.notch_filter(bp[np.newaxis], fs, f0, verbose=False)[0]
        save("apply_%s_in.npy" % tag, x)
        save("apply_%s_bandpass.npy" % tag, bp)
        save("apply_%s_notch.npy" % tag, nf)
        manifest["apply"].append({"tag": tag, "fs": fs, "n": n, "notch": f0})

    # 4. FFT resampling exactly as raw.resample(sfreq) (npad='auto', boxcar, reflect_limited).
    manifest["resample"] = []
    for fs, n, tag in ((500.0, 3001, "down500"), (160.0, 1000, "up160"), (256.0, 777, "down256"),
                       (250.0, 10, "tiny250"), (1000.0, 4096, "down1000")):
        x = eeg_like(rng, n, fs)
        y = mne.filter.resample(x, 200.0, fs, npad="auto", window="boxcar", pad="reflect_limited", verbose=False)
        save("resample_%s_in.npy" % tag, x)
        save("resample_%s_out.npy" % tag, y)
        manifest["resample"].append({"tag": tag, "fs": fs, "n": n, "out_len": int(y.shape[-1])})

    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, p)) for p in os.listdir(OUT))
    print("wrote %s (%d bytes)" % (OUT, total), file=sys.stderr)


if __name__ == "__main__":
    main()
