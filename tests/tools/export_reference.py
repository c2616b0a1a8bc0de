#!/usr/bin/python3
"""Independent readers for the export tests: MNE-Python for EDF+ (source and exported file), numpy for .npy.
Values are returned in each channel's own unit (MNE reads volts; multiplied back by the unit's factor).
Writes OUT/source.npy [C, S] (samples [round(a*fs), round(b*fs)) of the source, every channel),
OUT/source.json {labels, sfreq}; for an exported EDF+: OUT/edf.npy [C, S], OUT/edf.json {labels, units,
sfreq, start_offset_sec (meas_date of the export minus the source's, plus the onset of its first record),
annotations:[[onset, duration, text]]};
for an exported .npy: OUT/npy.npy (float64 copy), OUT/npy.json (the sidecar as numpy saw the shape/dtype).
Usage: export_reference.py SOURCE A B OUT [--edf FILE] [--npy FILE]"""
import json
import sys

import mne
import numpy as np

FACTORS = {"µV": 1e6, "uV": 1e6, "mV": 1e3, "V": 1.0, "nV": 1e9}


def first_record_onset(path):
    """Onset of the first data record from its time-keeping TAL (EDF+ subsecond start), read from the bytes."""
    with open(path, "rb") as f:
        head = f.read(256)
        ns = int(head[252:256])
        sig = f.read(256 * ns)
    bps = 3 if head[0] == 0xFF else 2
    labels = [sig[16 * i:16 * i + 16].decode("latin1").strip() for i in range(ns)]
    base = 216 * ns
    spr = [int(sig[base + 8 * i:base + 8 * i + 8]) for i in range(ns)]
    k = next(i for i, lab in enumerate(labels) if lab in ("EDF Annotations", "BDF Annotations"))
    with open(path, "rb") as f:
        f.seek(256 * (ns + 1) + bps * sum(spr[:k]))
        tal = f.read(bps * spr[k])
    return float(tal.split(b"\x14")[0].decode())


def own_units(raw):
    x = raw.get_data()
    for i, name in enumerate(raw.ch_names):
        x[i] *= FACTORS.get(raw._orig_units.get(name, "V"), 1.0)
    return x


src_path, a, b, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
args = sys.argv[5:]
raw = mne.io.read_raw_edf(src_path, preload=True, verbose="error", encoding="latin1")
fs = float(raw.info["sfreq"])
start, stop = int(np.floor(a * fs + 0.5)), int(np.floor(b * fs + 0.5))
np.save(f"{out}/source.npy", own_units(raw)[:, start:stop])
json.dump({"labels": raw.ch_names, "sfreq": fs}, open(f"{out}/source.json", "w"))
for flag, path in zip(args[::2], args[1::2]):
    if flag == "--edf":
        e = mne.io.read_raw_edf(path, preload=True, verbose="error", encoding="latin1")
        np.save(f"{out}/edf.npy", own_units(e))
        json.dump({"labels": e.ch_names, "units": [e._orig_units[n] for n in e.ch_names],
                   "sfreq": float(e.info["sfreq"]),
                   "start_offset_sec": (e.info["meas_date"] - raw.info["meas_date"]).total_seconds()
                   + first_record_onset(path),
                   "annotations": [[float(o), float(d), str(t)] for o, d, t in
                                   zip(e.annotations.onset, e.annotations.duration, e.annotations.description)]},
                  open(f"{out}/edf.json", "w"))
    elif flag == "--npy":
        x = np.load(path)
        np.save(f"{out}/npy.npy", x.astype(np.float64))
        json.dump({"dtype": str(x.dtype), "shape": list(x.shape)}, open(f"{out}/npy.json", "w"))
