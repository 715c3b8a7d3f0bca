#!/usr/bin/python3
"""Writes conv_fixtures.json, the PyTorch reference values of TestConvTorch.

Run from anywhere with Debian's python3 and python3-torch:

    /usr/bin/python3 autodiff/testdata/make_conv_fixtures.py

For each case (an NCHW batch x, weights w of shape OutC×InC×K×K, bias b,
stride, padding, an average-pool window, fixed weights r) it records, in
float64:

    y   = conv2d(x, w, b, stride, padding)
    f   = Σ r ∘ P(silu(y)),  P = avg_pool2d(·, pool) (identity for pool 0)
    gx, gw, gb = ∂f/∂x, ∂f/∂w, ∂f/∂b
    q   = ‖∂f/∂x‖²
    qx, qw, qb = ∂q/∂x, ∂q/∂w, ∂q/∂b   (double backward)

Every array is flattened in row-major (NCHW, OutC·InC·K·K) order, as the Go
graph lays them out. The inputs come from a seeded generator, so the file is
reproducible.
"""
import json
import os

import torch
import torch.nn.functional as F

CASES = [
    # n, InC, H, W, OutC, K, stride, pad, pool
    (2, 1, 5, 5, 2, 3, 1, 0, 0),
    (2, 2, 7, 6, 3, 3, 2, 1, 2),
    (1, 3, 6, 5, 2, 2, 2, 0, 0),
    (3, 3, 5, 7, 2, 3, 1, 1, 2),
    (2, 2, 9, 8, 2, 5, 3, 2, 0),
    (2, 1, 8, 8, 4, 3, 2, 1, 2),
]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def main():
    torch.manual_seed(14)
    out = []
    for n, c, h, w_, oc, k, s, p, pool in CASES:
        x = torch.randn(n, c, h, w_, dtype=torch.float64, requires_grad=True)
        w = (torch.randn(oc, c, k, k, dtype=torch.float64) * 0.5).requires_grad_()
        b = (torch.randn(oc, dtype=torch.float64) * 0.5).requires_grad_()
        y = F.conv2d(x, w, b, stride=s, padding=p)
        z = F.silu(y)
        if pool:
            z = F.avg_pool2d(z, pool)
        r = torch.randn(z.shape, dtype=torch.float64)
        f = (r * z).sum()
        gx, gw, gb = torch.autograd.grad(f, (x, w, b), create_graph=True)
        q = (gx * gx).sum()
        qx, qw, qb = torch.autograd.grad(q, (x, w, b))
        out.append({
            "n": n, "inC": c, "h": h, "w": w_, "outC": oc, "k": k,
            "stride": s, "pad": p, "pool": pool,
            "x": flat(x), "weight": flat(w), "bias": flat(b), "r": flat(r),
            "y": flat(y), "f": float(f),
            "gx": flat(gx), "gw": flat(gw), "gb": flat(gb),
            "q": float(q), "qx": flat(qx), "qw": flat(qw), "qb": flat(qb),
        })
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conv_fixtures.json")
    with open(path, "w") as fh:
        json.dump({"torch": torch.__version__, "cases": out}, fh, separators=(",", ":"))
        fh.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
