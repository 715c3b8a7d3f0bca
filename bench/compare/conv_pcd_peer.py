#!/usr/bin/python3
"""PyTorch twin of a PCD convnet, to time one PCD step beside ebm's: the shared peer
(../shared/peers/mnist_ebm.py --model conv --objective pcd) with its convnet replaced by the one
given here (by default the PCD recipes' own: leaky ReLU where the shared peer has SiLU). The step
is the peer's own (Du & Mordatch 2019: a 10 000-image replay buffer, 5 % restarts from U[0, 1], K
Langevin steps of size 10 with noise 0.005, the gradient clipped to +-0.01, clamped to [0, 1], the
loss with alpha = 1, Adam with beta1 = 0); only the network differs:

  Conv(3x3, pad 1) of the given channels and strides, each followed by the activation (leaky ReLU,
  slope 0.2, as ebm's `activation = "leaky_relu"`, or SiLU), then one linear unit.

  /usr/bin/python3 bench/compare/conv_pcd_peer.py --batch 64 --bench 3 --threads 2
      # the PCD recipes' network (ebm's step: `ebmrun bench`'s pcd_conv_mnist_step_b64_k60)
  /usr/bin/python3 bench/compare/conv_pcd_peer.py --chans 16,32,64,64 --strides 1,2,2,2 --batch 64 --bench 3
      # with a stride-1 first convolution (a trial recorded in configs/train_pcd_fashion.toml)

prints the peer's JSON line (ms_per_step over --bench steps after three untimed ones).
"""
import argparse
import os
import sys

sys.path.insert(0, os.environ.get("PEERS", os.path.join(os.path.dirname(__file__), "../../../shared/peers")))
import mnist_ebm  # noqa: E402  (imports peer_common first, as it asks)
import torch  # noqa: E402


class Net(torch.nn.Module):
    def __init__(self, chans, strides, act, side=28):
        super().__init__()
        layers, c, s = [], 1, side
        for ch, st in zip(chans, strides):
            layers += [torch.nn.Conv2d(c, ch, 3, st, 1), torch.nn.LeakyReLU(0.2) if act == "leaky_relu" else torch.nn.SiLU()]
            c, s = ch, (s + 2 - 3) // st + 1
        self.f = torch.nn.Sequential(*layers, torch.nn.Flatten(), torch.nn.Linear(c * s * s, 1))

    def forward(self, x):
        return self.f(x.view(-1, 1, 28, 28)).squeeze(-1)


def main():
    # This script's own flags; the rest (--batch, --bench, --threads, ...) go to the peer.
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chans", default="32,64,64", help="channels of the convolutions, as the energy's channels")
    ap.add_argument("--strides", default="", help="their strides, as the energy's strides (default: all 2)")
    ap.add_argument("--act", choices=["leaky_relu", "silu"], default="leaky_relu")
    a, rest = ap.parse_known_args()
    chans = [int(v) for v in a.chans.split(",")]
    strides = [int(v) for v in a.strides.split(",")] if a.strides else [2] * len(chans)
    if len(strides) != len(chans):
        ap.error("--strides needs one value per channel count")
    mnist_ebm.build = lambda model: Net(chans, strides, a.act)
    sys.argv[1:] = ["--model", "conv", "--objective", "pcd"] + rest
    mnist_ebm.main()


if __name__ == "__main__":
    main()
