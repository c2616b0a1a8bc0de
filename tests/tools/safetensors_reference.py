#!/usr/bin/python3
"""An independent safetensors reader and writer (json + struct + numpy only) for test_checkpoint_safetensors.cpp.

  safetensors_reference.py dump FILE OUT.json   parse FILE by the format's rules, write what it holds as JSON
  safetensors_reference.py write OUT.safetensors OUT_EXPECTED.json
                                                write a file with known contents (unpadded header, so the data
                                                section is deliberately not 8-byte aligned) and describe it

dump exits non-zero (with a message) when FILE breaks a rule of the format: header length, JSON object,
known dtype, shape/offset agreement, data ranges tiling the data section exactly, string-only __metadata__.
"""
import json
import struct
import sys

import numpy as np

DTYPES = {
    "BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "I16": np.int16, "I32": np.int32, "I64": np.int64,
    "F16": np.float16, "BF16": np.uint16, "F32": np.float32, "F64": np.float64,
}


def values_of(dtype, raw, shape):
    arr = np.frombuffer(raw, dtype=np.dtype(DTYPES[dtype]).newbyteorder("<")).reshape(shape)
    if dtype == "BF16":  # numpy has no bfloat16: widen the 16 stored bits to float32
        arr = (arr.astype(np.uint32) << 16).view(np.float32)
    return arr.astype(np.float64).reshape(-1).tolist()


def dump(path, out):
    data = open(path, "rb").read()
    if len(data) < 8:
        sys.exit("file shorter than 8 bytes")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        sys.exit("header length beyond file")
    header_text = data[8:8 + n].decode("utf-8")
    header = json.loads(header_text)  # keeps the file's key order
    if not isinstance(header, dict):
        sys.exit("header not an object")
    body = data[8 + n:]
    metadata = header.pop("__metadata__", {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        sys.exit("metadata not str -> str")
    tensors = []
    ranges = []
    for name, info in header.items():
        dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        count = int(np.prod(shape)) if shape else 1
        if end - begin != count * np.dtype(DTYPES[dtype]).itemsize:
            sys.exit("offsets of %s disagree with shape" % name)
        ranges.append((begin, end))
        tensors.append({"name": name, "dtype": dtype, "shape": shape, "data_offsets": [begin, end],
                        "values": values_of(dtype, body[begin:end], shape)})
    position = 0
    for begin, end in sorted(ranges):
        if begin != position:
            sys.exit("data ranges do not tile the data section")
        position = end
    if position != len(body):
        sys.exit("data section has %d bytes, tensors cover %d" % (len(body), position))
    with open(out, "w") as f:
        json.dump({"header_length": n, "data_start": 8 + n, "metadata": metadata, "tensors": tensors}, f)


def write(path, expected):
    arrays = [
        ("odd.f32", "F32", np.array([[1.5, -2.25, 3.0], [0.125, 1e-30, -7.0]], dtype="<f4")),
        ("ids", "I64", np.array([-(2**62), 0, 50256], dtype="<i8")),
        ("half", "F16", np.array([0.5, -1.0, 65504.0], dtype="<f2")),
        ("bf", "BF16", np.array([0x3F80, 0xC040, 0x0000], dtype="<u2")),  # 1.0, -3.0, 0.0
        ("mask", "BOOL", np.array([[True, False], [False, True]])),
        ("empty", "F32", np.zeros((0, 3), dtype="<f4")),
        ("scalar", "F64", np.array(2.718281828459045, dtype="<f8")),
    ]
    header = {"__metadata__": {"neurolm_config": json.dumps({"n_layer": 2, "name": "py"}), "format": "pt"}}
    body = b""
    for name, dtype, arr in arrays:
        raw = arr.tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [len(body), len(body) + len(raw)]}
        body += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    if (8 + len(text)) % 8 == 0:
        text += b" "  # keep the data section unaligned on purpose
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + body)
    with open(expected, "w") as f:
        json.dump({"tensors": [{"name": n, "dtype": d, "shape": list(a.shape),
                                "values": values_of(d, a.tobytes(), a.shape)} for n, d, a in arrays],
                   "metadata": header["__metadata__"]}, f)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "dump":
        dump(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
