"""PyTorch twin of the msdsm recipes' noise-conditional convnet, with either head, to time one
multi-scale DSM step (batch 128 unless --batch, sigma 1 -> 0.1 over 10 levels, one level per row, sigma^2-weighted
loss, Adam) beside ebm's: the shared peers (../shared/peers/mnist_ebm.py) have only the plain
convnet with the linear head.

  head linear  : E(x, s) = CNN(x; ln s)/s, Linear(1024, 1) after three Conv(3, stride 2, pad 1) + SiLU
  head denoiser: E(x, s) = 0.5 ||x - D(x; ln s)||^2 / s^2, D three ConvTranspose2d mirroring the
                 convolutions, a bias per output value, U-Net skips (added before the SiLU)

Each convolution adds ln s times its own learned map, a convolution of a constant image of ones
(ebm's noise_conditional). Random images stand in for MNIST (the cost does not depend on them).

  /usr/bin/python3 bench/compare/conv_msdsm_peer.py --head denoiser --threads 1 --steps 20
  /usr/bin/python3 bench/compare/conv_msdsm_peer.py --chans 16,32,64,64,64 --strides 1,2,2,2,2 --batch 64   # the recipes' net
prints one JSON line (peer_common.emit, from ../shared/peers or $PEERS) with ms_per_step, the median
of five blocks of steps.
"""
import argparse
import os
import statistics
import sys
import time

# The shared peers' helpers: thread and BLAS policy, OPENBLAS_CORETYPE, the JSON line. Imported first,
# before numpy and torch, as peer_common asks.
sys.path.insert(0, os.environ.get("PEERS", os.path.join(os.path.dirname(__file__), "../../../shared/peers")))
import peer_common as pc  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class Net(torch.nn.Module):
    def __init__(self, head, chans=(32, 64, 64), strides=None, side=28):
        super().__init__()
        self.head = head
        strides = list(strides or [2] * len(chans))
        ins, sizes, s = [1] + list(chans[:-1]), [side], side
        for st in strides:
            s = (s + 2 - 3) // st + 1
            sizes.append(s)
        self.sizes, self.strides = sizes, strides
        self.convs = torch.nn.ModuleList(torch.nn.Conv2d(i, o, 3, st, 1) for i, o, st in zip(ins, chans, strides))
        self.smaps = torch.nn.ParameterList(torch.nn.Parameter(torch.zeros(o, 1, 3, 3)) for o in chans)
        if head == "linear":
            self.lin = torch.nn.Linear(chans[-1] * sizes[-1] ** 2, 1)
        else:
            self.dw = torch.nn.ParameterList(torch.nn.Parameter(torch.randn(o, i, 3, 3) * 0.05) for i, o in zip(ins, chans))
            self.db = torch.nn.ParameterList(torch.nn.Parameter(torch.zeros(i, sizes[l], sizes[l])) for l, i in enumerate(ins))

    def forward(self, x, sig):
        n = x.shape[0]
        ln = torch.log(sig).view(n, 1, 1, 1)
        h, feats = x.view(n, 1, self.sizes[0], self.sizes[0]), []
        for l, c in enumerate(self.convs):
            feats.append(h)
            m = F.conv2d(torch.ones(1, 1, self.sizes[l], self.sizes[l], dtype=x.dtype), self.smaps[l], stride=self.strides[l], padding=1)
            h = F.silu(c(h) + ln * m)
        if self.head == "linear":
            return self.lin(h.flatten(1)).squeeze(-1) / sig
        for l in reversed(range(len(self.convs))):
            s, st = self.sizes[l], self.strides[l]
            h = F.conv_transpose2d(h, self.dw[l], stride=st, padding=1, output_padding=s - (st * (h.shape[-1] - 1) + 1)) + self.db[l]
            if l > 0:
                h = F.silu(h + feats[l])
        return 0.5 * ((x - h.flatten(1)) ** 2).sum(1) / sig ** 2


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--head", choices=["linear", "denoiser"], default="denoiser")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--chans", default="32,64,64", help="channels of the convolutions, as the energy's channels")
    p.add_argument("--strides", default="", help="their strides, as the energy's strides (default: all 2)")
    pc.add_common_args(p)
    a = p.parse_args()
    tdt, _ = pc.setup(a)
    pc.blas_threads_for("torch", a)
    chans = [int(c) for c in a.chans.split(",")]
    strides = [int(c) for c in a.strides.split(",")] if a.strides else None
    if strides is not None and len(strides) != len(chans):
        p.error(f"--strides has {len(strides)} values for {len(chans)} channels")
    net = Net(a.head, chans, strides).to(tdt)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    sig = torch.tensor(np.geomspace(1.0, 0.1, 10), dtype=tdt)
    data = torch.rand(4096, 784, dtype=tdt)

    def step():
        xb = data[torch.randint(0, data.shape[0], (a.batch,))]
        s = sig[torch.randint(0, 10, (a.batch,))]
        z = torch.randn_like(xb)
        xt = (xb + s.view(-1, 1) * z).requires_grad_(True)
        g, = torch.autograd.grad(net(xt, s).sum(), xt, create_graph=True)
        loss = 0.5 * (((g - z / s.view(-1, 1)) * s.view(-1, 1)) ** 2).sum(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    blocks = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(a.steps):
            step()
        blocks.append((time.perf_counter() - t) / a.steps * 1000)
    pc.emit({"peer": "torch", "model": "conv_cond_" + a.head, "chans": chans, "strides": net.strides,
             "objective": "msdsm", "batch": a.batch,
             "ms_per_step": statistics.median(blocks), "blocks_ms": blocks}, a)


if __name__ == "__main__":
    main()
