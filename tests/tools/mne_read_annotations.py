#!/usr/bin/python3
"""Independent reference for EDF+ annotation files: reads FILE with mne.read_annotations and writes OUT.json,
a list of {"onset", "duration", "text"} (MNE writes 0 for a TAL without duration).
Usage: mne_read_annotations.py FILE OUT.json"""
import json
import sys

import mne

path, out = sys.argv[1], sys.argv[2]
ann = mne.read_annotations(path)
rows = [{"onset": float(a["onset"]), "duration": float(a["duration"]), "text": a["description"]} for a in ann]
with open(out, "w", encoding="utf-8") as f:
    json.dump(rows, f, ensure_ascii=False)
