"""PIL + numpy version of Severstal.Bench --loader: the same work per image, single process.

Usage: loader_reference.py FOLDER IMAGES BATCH. Decode the JPEG as grayscale, decode each class's RLE
(1-indexed, column-major) into a 256x1600 mask, flip image and masks at random, normalise to float32, stack batches.
"""
import csv
import os
import random
import sys
import time

import numpy as np
from PIL import Image

H, W, MEAN, STD = 256, 1600, 0.45, 0.2


def rle_decode(rle):
    mask = np.zeros(H * W, dtype=np.uint8)
    values = np.asarray(rle.split(), dtype=np.int64)
    for start, length in zip(values[0::2] - 1, values[1::2]):
        mask[start:start + length] = 1
    return mask.reshape(W, H).T  # column-major numbering


def main():
    folder, images, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rles = {}
    with open(os.path.join(folder, "train.csv")) as f:
        reader = csv.reader(f)
        header = next(reader)
        for row in reader:
            if header[0] == "ImageId":
                rles.setdefault(row[0], {})[int(row[1])] = row[2]
            elif row[1]:
                image, cls = row[0].rsplit("_", 1)
                rles.setdefault(image, {})[int(cls)] = row[1]
    ids = sorted(os.listdir(os.path.join(folder, "train_images")))[:images]
    rng = random.Random(1)
    order = list(range(len(ids)))
    rng.shuffle(order)
    start = time.perf_counter()
    for b in range(0, len(order), batch):
        xs, ys = [], []
        for i in order[b:b + batch]:
            image = np.asarray(Image.open(os.path.join(folder, "train_images", ids[i])).convert("L"))
            masks = np.zeros((4, H, W), dtype=np.float32)
            for cls, rle in rles.get(ids[i], {}).items():
                masks[cls - 1] = rle_decode(rle)
            x = (image.astype(np.float32) / 255 - MEAN) / STD
            if rng.random() < 0.5:
                x, masks = x[:, ::-1], masks[:, :, ::-1]
            if rng.random() < 0.5:
                x, masks = x[::-1, :], masks[:, ::-1, :]
            xs.append(x)
            ys.append(masks)
        np.stack(xs)[:, None]
        np.stack(ys, axis=1)
    seconds = time.perf_counter() - start
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork+exec.
    peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024
    print(f"loader pil+numpy images={len(ids)} 1600x256 batch={batch}: {len(ids) / seconds:.1f} images/s, peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
