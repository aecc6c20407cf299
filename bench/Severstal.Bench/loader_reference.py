"""PIL + numpy version of Severstal.Bench --loader: the same work per image, same images, single process.

Usage: loader_reference.py FOLDER IDS_FILE BATCH CHECK_FILE CHECK_COUNT TOLERANCE

Timed part: decode the JPEG as grayscale (PIL, convert("L")), decode each class's RLE (1-indexed, column-major) into
a 256x1600 mask, flip image and masks at random, normalise to float32, stack batches [B,1,H,W] and [4,B,1,H,W].
Speed is images per CPU-second of this process (time.process_time: user + system, every thread).

Check: the first CHECK_COUNT images through this code with image i flipped (i % 2 == 1 horizontally, i % 4 >= 2
vertically) against what the C# loader wrote to CHECK_FILE (per image: the normalised float plane, then four mask
planes). Pixels may differ by TOLERANCE gray levels (two JPEG decoders); masks must be identical.
"""
import csv
import os
import random
import sys
import time

import numpy as np
import PIL
from PIL import Image

H, W, MEAN, STD = 256, 1600, 0.45, 0.2


def rle_decode(rle):
    mask = np.zeros(H * W, dtype=np.uint8)
    values = np.asarray(rle.split(), dtype=np.int64)
    for start, length in zip(values[0::2] - 1, values[1::2]):
        mask[start:start + length] = 1
    return mask.reshape(W, H).T  # column-major numbering


def read_rles(folder):
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
    return rles


def load(folder, image_id, rles):
    """Gray levels (uint8) and the four masks (float32) of one image."""
    image = np.asarray(Image.open(os.path.join(folder, "train_images", image_id)).convert("L"))
    masks = np.zeros((4, H, W), dtype=np.float32)
    for cls, rle in rles.get(image_id, {}).items():
        masks[cls - 1] = rle_decode(rle)
    return image, masks


def flip(x, masks, horizontal, vertical):
    if horizontal:
        x, masks = x[:, ::-1], masks[:, :, ::-1]
    if vertical:
        x, masks = x[::-1, :], masks[:, ::-1, :]
    return x, masks


def check(folder, ids, rles, check_file, count, tolerance):
    written = np.fromfile(check_file, dtype="<f4").reshape(count, 5, H, W)
    worst, differing, masks_equal, mask_pixels = 0, 0, True, 0
    for i in range(count):
        image, masks = load(folder, ids[i], rles)
        image, masks = flip(image, masks, i % 2 == 1, i % 4 >= 2)
        levels = np.rint((written[i, 0] * STD + MEAN) * 255).astype(np.int64)
        diff = np.abs(levels - image.astype(np.int64))
        worst, differing = max(worst, int(diff.max())), differing + int((diff > 0).sum())
        masks_equal &= bool(np.array_equal(written[i, 1:], masks))
        mask_pixels += int(masks.sum())
    ok = worst <= tolerance and masks_equal and mask_pixels > 0
    print(f"check: {'ok' if ok else 'FAILED'}: {count} images with flips; pixels max |c# - pil| = {worst} levels "
          f"(tolerance {tolerance}), {differing / (count * H * W):.4%} of pixels differ; "
          f"masks {'identical to' if masks_equal else 'DIFFERENT from'} numpy's decode of the same RLE ({mask_pixels} defect pixels)")


def main():
    folder, ids_file, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
    check_file, count, tolerance = sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
    rles = read_rles(folder)
    with open(ids_file) as f:
        ids = [line.strip() for line in f if line.strip()]
    rng = random.Random(1)
    order = list(range(len(ids)))
    rng.shuffle(order)
    cpu, start = time.process_time(), time.perf_counter()
    for b in range(0, len(order), batch):
        xs, ys = [], []
        for i in order[b:b + batch]:
            image, masks = load(folder, ids[i], rles)
            x = (image.astype(np.float32) / 255 - MEAN) / STD
            x, masks = flip(x, masks, rng.random() < 0.5, rng.random() < 0.5)
            xs.append(x)
            ys.append(masks)
        np.stack(xs)[:, None]
        np.stack(ys, axis=1)[:, :, None]
    cpu, seconds = time.process_time() - cpu, time.perf_counter() - start
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork+exec.
    peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024
    print(f"loader pil {Image.__version__ if hasattr(Image, '__version__') else ''} numpy {np.__version__} images={len(ids)} "
          f"1600x256 batch={batch}: {len(ids) / cpu:.1f} images/cpu-s ({cpu:.2f} cpu-s, {seconds:.2f} s wall), peak RSS {peak:.0f} MiB")
    check(folder, ids, rles, check_file, count, tolerance)


if __name__ == "__main__":
    main()
