"""numpy RLE decode/encode of every mask in train.csv (khornlund's process.py style), timed like RleBench.cs.

Usage: rle_reference.py REPEATS RLE_FILE
RLE_FILE holds the masks' RLEs as the C# bench read them from train.csv, each with the SHA-256 of C#'s decode
("rle<TAB>hash" a line). Speed is masks per CPU-second of this process (time.process_time). Check: every mask numpy
decodes, made row-major (256 rows of 1600), hashed and compared with C#'s hash.
"""
import hashlib
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
    repeats, rle_file = int(sys.argv[1]), sys.argv[2]
    with open(rle_file) as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    rles, theirs = [r for r, _ in rows], [h for _, h in rows]
    masks = [decode(r) for r in rles]
    assert [encode(m) for m in masks] == rles
    start = time.process_time()
    for _ in range(repeats):
        for r in rles:
            decode(r)
    dec = len(rles) * repeats / (time.process_time() - start)
    start = time.process_time()
    for _ in range(repeats):
        for m in masks:
            encode(m)
    enc = len(masks) * repeats / (time.process_time() - start)
    print(f"rle numpy {np.__version__} masks={len(rles)} x{repeats}: decode {dec:.0f} masks/cpu-s, encode {enc:.0f} masks/cpu-s")
    ours = [hashlib.sha256(np.ascontiguousarray(m).tobytes()).hexdigest() for m in masks]
    same = sum(a == b for a, b in zip(ours, theirs))
    ok = len(ours) == len(theirs) and same == len(ours)
    print(f"check: {'ok' if ok else 'FAILED'}: {same} of {len(ours)} masks identical to c#'s decode "
          f"(row-major, column-major RLE numbering; c# gave {len(theirs)})")


if __name__ == "__main__":
    main()
