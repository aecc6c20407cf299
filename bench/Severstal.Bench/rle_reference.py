"""numpy RLE decode/encode of every mask in train.csv (khornlund's process.py style), timed like RleBench.cs.

Usage: rle_reference.py FOLDER REPEATS
"""
import csv
import os
import sys
import time

import numpy as np

H, W = 256, 1600


def decode(rle):
    mask = np.zeros(H * W, dtype=np.uint8)
    values = np.asarray(rle.split(), dtype=np.int64)
    for start, length in zip(values[0::2] - 1, values[1::2]):
        mask[start:start + length] = 1
    return mask.reshape(W, H).T


def encode(mask):
    pixels = np.concatenate([[0], mask.T.flatten(), [0]])
    runs = np.where(pixels[1:] != pixels[:-1])[0] + 1
    runs[1::2] -= runs[0::2]
    return " ".join(str(x) for x in runs)


def main():
    folder, repeats = sys.argv[1], int(sys.argv[2])
    with open(os.path.join(folder, "train.csv")) as f:
        rows = list(csv.reader(f))[1:]
    rles = [row[-1] for row in rows if row[-1]]
    masks = [decode(r) for r in rles]
    assert [encode(m) for m in masks] == rles
    start = time.perf_counter()
    for _ in range(repeats):
        for r in rles:
            decode(r)
    dec = len(rles) * repeats / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(repeats):
        for m in masks:
            encode(m)
    enc = len(masks) * repeats / (time.perf_counter() - start)
    print(f"rle numpy {np.__version__} masks={len(rles)} x{repeats}: decode {dec:.0f} masks/s, encode {enc:.0f} masks/s")


if __name__ == "__main__":
    main()
