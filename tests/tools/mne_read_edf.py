#!/usr/bin/python3
"""Independent reference for the recording core: reads an EDF with MNE-Python and writes
<out>/data_uV.npy (channels x samples, first N samples, microvolts), <out>/info.json (labels, sfreq,
annotations). Usage: mne_read_edf.py FILE OUTDIR NSAMPLES"""
import json
import sys

import mne
import numpy as np

path, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
raw = mne.io.read_raw_edf(path, preload=False, verbose="error", encoding="latin1")
data = raw.get_data(start=0, stop=n, units="uV")
np.save(f"{out}/data_uV.npy", data.astype(np.float64))
ann = [{"onset": float(a["onset"]), "duration": float(a["duration"]), "text": a["description"]}
       for a in raw.annotations]
json.dump({"labels": raw.ch_names, "sfreq": float(raw.info["sfreq"]), "n_times": int(raw.n_times), "annotations": ann},
          open(f"{out}/info.json", "w"))
