#!/usr/bin/env python3
"""Reads a safetensors file without torch: numpy when it is installed, else only the standard library (struct).

Prints JSON: {"reader": "numpy"|"struct", "tensors": {name: {"dtype", "shape", "sum", "first"}}}. The format is
8 bytes little-endian header length, a JSON header {name: {dtype, shape, data_offsets}} (plus "__metadata__"),
then the raw little-endian bytes. Used by Severstal.Trainer.Tests to show that another ecosystem reads the weights.
"""
import json
import struct
import sys

FORMATS = {"F32": ("f", 4), "F64": ("d", 8), "I64": ("q", 8), "I32": ("i", 4), "U8": ("B", 1), "F16": ("e", 2)}


def read(path):
    with open(path, "rb") as f:
        blob = f.read()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length].decode("utf-8"))
    data = blob[8 + length:]
    try:
        import numpy as np
        reader = "numpy"
    except ImportError:
        np = None
        reader = "struct"
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        code, size = FORMATS[info["dtype"]]
        start, end = info["data_offsets"]
        count = (end - start) // size
        expected = 1
        for d in info["shape"]:
            expected *= d
        if count != expected:
            raise SystemExit(f"{name}: {count} values for shape {info['shape']}")
        if np is not None:
            values = np.frombuffer(data[start:end], dtype="<" + code).astype(np.float64)
            total, first = float(values.sum()), [float(v) for v in values[:4]]
        else:
            values = struct.unpack("<%d%s" % (count, code), data[start:end])
            total, first = float(sum(values)), [float(v) for v in values[:4]]
        tensors[name] = {"dtype": info["dtype"], "shape": info["shape"], "sum": total, "first": first}
    return {"reader": reader, "tensors": tensors}


if __name__ == "__main__":
    json.dump(read(sys.argv[1]), sys.stdout)
