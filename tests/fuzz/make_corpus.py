#!/usr/bin/env python3
"""Writes the seed corpus of tests/fuzz/fuzz_edf.cpp: small EDF, EDF+C (annotations), EDF+D, BDF, BDF+ files,
written here from the EDF/EDF+ specification (independent of the C++ reader). Deterministic; < 100 kB in all."""
import math
import os
import struct
import sys


def field(v, w):
    v = str(v).encode("latin-1")
    return (v + b" " * w)[:w]


def num(v, w):
    return field(("%g" % v) if isinstance(v, float) else str(v), w)


def tal(onset, text=None, duration=None):
    t = ("%+g" % onset).encode()
    if duration is not None:
        t += b"\x15" + ("%g" % duration).encode()
    t += b"\x14"
    t += (text.encode() + b"\x14") if text is not None else b"\x14"
    return t + b"\x00"


def write(path, *, ns=2, fs=8, records=3, dur=1.0, bdf=False, plus=None, ann=None, onsets=None, ann_bytes=60):
    bps = 3 if bdf else 2
    dmax = 8388607 if bdf else 32767
    sigs = [("Fp%d" % (i + 1), "uV", -3276.7, 3276.7, -dmax, dmax, fs) for i in range(ns)]
    if plus:
        sigs.append(("BDF Annotations" if bdf else "EDF Annotations", "", -1, 1, -dmax, dmax, ann_bytes // bps))
    n = len(sigs)
    h = (b"\xffBIOSEMI" if bdf else field("0", 8)) + field("X M 01-JAN-2001 X", 80)
    h += field("Startdate 01-JAN-2001 X X X", 80) + b"01.01.01" + b"10.20.30"
    h += num(256 * (n + 1), 8) + field(plus or ("24BIT" if bdf else ""), 44) + num(records, 8)
    h += num(dur, 8) + num(n, 4)
    for k, w in ((0, 16), (None, 80), (1, 8), (2, 8), (3, 8), (4, 8), (5, 8), (None, 80), (6, 8), (None, 32)):
        for s in sigs:
            h += field("" if k is None else s[k], w) if k not in (2, 3) else num(s[k], w)
    data = b""
    for r in range(records):
        for i, s in enumerate(sigs):
            if s[0].endswith("Annotations"):
                t0 = onsets[r] if onsets else r * dur
                b = tal(t0)
                for onset, text, d in (ann or {}).get(r, []):
                    b += tal(onset, text, d)
                data += (b + b"\x00" * (s[6] * bps))[: s[6] * bps]
            else:
                for k in range(s[6]):
                    v = int(dmax * 0.3 * math.sin(2 * math.pi * (r * s[6] + k) / 7.0 + i))
                    data += struct.pack("<i", v)[:bps]
    with open(path, "wb") as f:
        f.write(h + data)


def main(out):
    os.makedirs(out, exist_ok=True)
    write(os.path.join(out, "plain.edf"))
    write(os.path.join(out, "one_signal.edf"), ns=1, fs=300, records=2)
    write(os.path.join(out, "plus_c.edf"), plus="EDF+C",
          ann={0: [(0.5, "eyes open", None)], 2: [(2.25, "seizure", 1.5), (2.5, "x", 0.0)]})
    write(os.path.join(out, "plus_d.edf"), plus="EDF+D", onsets=[0.0, 1.0, 5.0], ann={1: [(1.0, "after", None)]})
    write(os.path.join(out, "plain.bdf"), bdf=True, fs=5)
    write(os.path.join(out, "plus_c.bdf"), bdf=True, plus="BDF+C", ann={1: [(1.1, "T1", 4.0)]}, ann_bytes=63)
    write(os.path.join(out, "long_records.edf"), ns=3, fs=700, records=4, dur=2.5)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus"))
