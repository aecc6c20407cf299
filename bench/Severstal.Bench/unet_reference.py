"""The Severstal trainer's U-Nets (kernels/severstal/trainer/Models) in PyTorch, timed like Severstal.Bench.

Usage: unet_reference.py ARCH CHANNELS HEIGHT WIDTH BATCH STEPS THREADS. Prints
"pytorch <version> ... <images/s> images/s". Same layers, same loss (BCE + soft Dice), same Adam step.
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def double(a, b):
    return nn.Sequential(nn.Conv2d(a, b, 3, padding=1, bias=False), nn.BatchNorm2d(b), nn.ReLU(),
                         nn.Conv2d(b, b, 3, padding=1, bias=False), nn.BatchNorm2d(b), nn.ReLU())


class UNet(nn.Module):
    def __init__(self, c):
        super().__init__()
        c1, c2, c3, c4 = c, 2 * c, 4 * c, 8 * c
        self.enc1, self.enc2, self.enc3, self.bottom = double(1, c1), double(c1, c2), double(c2, c3), double(c3, c4)
        self.up3, self.dec3 = nn.ConvTranspose2d(c4, c3, 2, stride=2), double(c4, c3)
        self.up2, self.dec2 = nn.ConvTranspose2d(c3, c2, 2, stride=2), double(c3, c2)
        self.up1, self.dec1 = nn.ConvTranspose2d(c2, c1, 2, stride=2), double(c2, c1)
        self.head = nn.Conv2d(c1, 1, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        e3 = self.enc3(F.max_pool2d(e2, 2))
        b = self.bottom(F.max_pool2d(e3, 2))
        d3 = self.dec3(torch.cat([self.up3(b), e3], 1))
        d2 = self.dec2(torch.cat([self.up2(d3), e2], 1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], 1))
        return self.head(d1)


class Block(nn.Module):
    def __init__(self, a, b, stride):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(a, b, 3, stride, 1, bias=False), nn.BatchNorm2d(b)
        self.conv2, self.bn2 = nn.Conv2d(b, b, 3, 1, 1, bias=False), nn.BatchNorm2d(b)
        self.downsample = (nn.Sequential(nn.Conv2d(a, b, 1, stride, bias=False), nn.BatchNorm2d(b))
                           if stride != 1 or a != b else None)

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNetUNet(nn.Module):
    def __init__(self, arch, w):
        super().__init__()
        blocks = {"resnet18": [2, 2, 2, 2], "resnet34": [3, 4, 6, 3]}[arch]
        self.conv1, self.bn1 = nn.Conv2d(1, w, 7, 2, 3, bias=False), nn.BatchNorm2d(w)
        widths = [w, w, 2 * w, 4 * w, 8 * w]
        self.layers = nn.ModuleList()
        for i, n in enumerate(blocks):
            a, b = widths[i], widths[i + 1]
            self.layers.append(nn.Sequential(*[Block(a if j == 0 else b, b, (1 if i == 0 else 2) if j == 0 else 1) for j in range(n)]))
        d1, d0 = max(1, w // 2), max(1, w // 4)
        self.dec4, self.dec3 = double(widths[4] + widths[3], widths[3]), double(widths[3] + widths[2], widths[2])
        self.dec2, self.dec1 = double(widths[2] + widths[1], widths[1]), double(widths[1] + widths[0], d1)
        self.dec0, self.head = double(d1, d0), nn.Conv2d(d0, 1, 1)

    def forward(self, x):
        stem = F.relu(self.bn1(self.conv1(x)))
        f = [stem]
        y = F.max_pool2d(stem, 3, 2, 1)
        for layer in self.layers:
            y = layer(y)
            f.append(y)
        up = lambda t, like: F.interpolate(t, size=like.shape[2:], mode="nearest")
        y = self.dec4(torch.cat([up(f[4], f[3]), f[3]], 1))
        y = self.dec3(torch.cat([up(y, f[2]), f[2]], 1))
        y = self.dec2(torch.cat([up(y, f[1]), f[1]], 1))
        y = self.dec1(torch.cat([up(y, f[0]), f[0]], 1))
        return self.head(self.dec0(up(y, x)))


def main():
    arch, c, h, w, batch, steps, threads = sys.argv[1], *map(int, sys.argv[2:8])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = UNet(c) if arch == "small" else ResNetUNet(arch, c)
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    x = torch.randn(batch, 1, h, w)
    t = (torch.rand(batch, 1, h, w) > 0.8).float()
    model.train()

    def step():
        optimizer.zero_grad()
        logits = model(x)
        p = torch.sigmoid(logits)
        inter = (p * t).sum([1, 2, 3])
        union = p.sum([1, 2, 3]) + t.sum([1, 2, 3])
        loss = F.binary_cross_entropy_with_logits(logits, t) + (1 - (2 * inter + 1) / (union + 1)).mean()
        loss.backward()
        optimizer.step()

    for _ in range(3):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = time.perf_counter() - start
    params = sum(p.numel() for p in model.parameters())
    print(f"pytorch {torch.__version__} arch={arch} channels={c} params={params} input={batch}x1x{h}x{w} threads={threads}: "
          f"{seconds / steps * 1000:.0f} ms/step, {steps * batch / seconds:.1f} images/s")


if __name__ == "__main__":
    main()
