#!/usr/bin/python3
"""Checks ebm's image judge against a stronger one, in PyTorch.

ebm judges image samples with a 784-256-256-10 SiLU MLP (evaluate.TrainClassifier,
README: "Judging image samples with an independent classifier"). This script trains
that MLP's twin, or a small convnet, on all 60 000 training images, reports its
test accuracy and the share of real test images it calls confidently (p >= 0.9),
per class, and scores the samples.npy of ebm runs as ebm does: the confident
share, the confident calls per class, and the classes found (at least 2 % of the
samples called that class confidently).

    /usr/bin/python3 bench/compare/judge_check.py --data fashion --arch conv --epochs 3 RUN_DIR...
    /usr/bin/python3 bench/compare/judge_check.py --data mnist --arch mlp RUN_DIR...

The images come from the shared peers' loader (../shared/peers/mnist_ebm.py, or
$PEERS): Debian's dataset-fashion-mnist, MNIST from the GoMNIST module's data/.
The judge's training is seeded (torch.manual_seed(0)) but not bit-reproducible
across thread counts.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.environ.get("PEERS", os.path.join(os.path.dirname(__file__), "../../../shared/peers")))
import mnist_ebm  # noqa: E402  (the peers' IDX loader)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def load(dataset):
    """The training and test images (n×1×28×28, float32 in [0, 1]) and labels."""
    out = []
    for split in ("train", "test"):
        x, y = mnist_ebm.load(dataset, split)
        out += [torch.tensor(x, dtype=torch.float32).view(-1, 1, 28, 28), torch.tensor(y)]
    return out


def judge(arch):
    if arch == "conv":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.SiLU(),
            nn.Conv2d(32, 32, 3, stride=2, padding=1), nn.SiLU(),
            nn.Conv2d(32, 64, 3, padding=1), nn.SiLU(),
            nn.Conv2d(64, 64, 3, stride=2, padding=1), nn.SiLU(),
            nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.SiLU(), nn.Linear(256, 10))
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.SiLU(),
                         nn.Linear(256, 256), nn.SiLU(), nn.Linear(256, 10))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", choices=["fashion", "mnist"], required=True)
    ap.add_argument("--arch", choices=["mlp", "conv"], default="mlp")
    ap.add_argument("--epochs", type=int, default=6, help="passes over the training images (ebm's judge: 6)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("runs", nargs="*", help="ebm run folders holding samples.npy")
    a = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(a.threads)
    x, y, xt, yt = load(a.data)
    net = judge(a.arch)
    # As ebm's judge: Adam at 1e-3 on a cosine to 0, batches of 128, inputs
    # standardised by the training images' mean and deviation.
    steps = a.epochs * (len(x) // 128)
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    mu, sd = x.mean(), x.std()
    t0 = time.time()
    for _ in range(a.epochs):
        perm = torch.randperm(len(x))
        for i in range(0, len(x) - 127, 128):
            b = perm[i:i + 128]
            loss = F.cross_entropy(net((x[b] - mu) / sd), y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    print(f"{a.arch} judge, {a.epochs} epochs: trained in {time.time() - t0:.0f} s")

    def probs(v):
        with torch.no_grad():
            return torch.cat([F.softmax(net((v[i:i + 1000] - mu) / sd), 1) for i in range(0, len(v), 1000)])

    p = probs(xt)
    conf = p.max(1).values >= 0.9
    right = p.argmax(1) == yt
    per = [round(((conf & right & (yt == k)).sum() / (yt == k).sum()).item(), 2) for k in range(10)]
    print(f"test accuracy {right.float().mean().item():.3f}; real test images called confidently "
          f"{conf.float().mean().item():.3f}; per class (confident and right) {per}")
    for run in a.runs:
        s = torch.tensor(np.load(os.path.join(run, "samples.npy")), dtype=torch.float32).view(-1, 1, 28, 28)
        p = probs(s)
        c = p.max(1).values >= 0.9
        counts = [int((c & (p.argmax(1) == k)).sum()) for k in range(10)]
        found = sum(n >= 0.02 * len(s) for n in counts)
        print(f"{run}: {len(s)} samples, confident {c.float().mean().item():.2f}, "
              f"confident calls per class {counts}, classes found {found}")


if __name__ == "__main__":
    main()
