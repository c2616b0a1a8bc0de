#!/usr/bin/python3
"""Independent check of the in-memory CRLF repair: undoes the text-mode damage of an EDF in Python (every
CR LF in the data section becomes LF), writes the repaired copy to OUTDIR/fixed.edf, then reads it with MNE.
Usage: crlf_fix_and_read.py FILE OUTDIR NSAMPLES"""
import subprocess
import sys

path, out, n = sys.argv[1], sys.argv[2], sys.argv[3]
raw = open(path, "rb").read()
header_bytes = int(raw[184:192])
fixed = raw[:header_bytes] + raw[header_bytes:].replace(b"\r\n", b"\n")
# MNE and EDFlib want the declared record count to fit the file: keep only complete records.
ns = int(raw[252:256])
spr = [int(raw[256 + ns * 216 + 8 * i: 256 + ns * 216 + 8 * i + 8]) for i in range(ns)]
record = 2 * sum(spr)
complete = (len(fixed) - header_bytes) // record
fixed = fixed[:236] + str(complete).ljust(8).encode() + fixed[244:header_bytes + complete * record]
open(f"{out}/fixed.edf", "wb").write(fixed)
subprocess.check_call([sys.executable, __file__.replace("crlf_fix_and_read.py", "mne_read_edf.py"),
                       f"{out}/fixed.edf", out, n])
