#!/usr/bin/python3
"""Writes the PyTorch side of the weights round trip, for the mlp and convnet
packages (TestWeightsFromTorch and TestExportToTorch in each).

Run with Debian's python3 and python3-torch, after the Go side has written its
exports (go test ./energies/mlp ./energies/convnet -run TestExportToTorch -update):

    /usr/bin/python3 energies/mlp/testdata/make_torch_fixtures.py

PyTorch -> ebm: for each case below, a seeded torch.nn.Sequential (float64 or
float32) is saved as .safetensors and .npz in the package's testdata, with the
energies E(x) = net(x) + quadratic/2 |x|^2 and the gradients dE/dx at fixed
points, computed by PyTorch in the model's dtype.

ebm -> PyTorch: each ebm_*.safetensors that Go exported is loaded with
load_state_dict(strict=True) into the module its __metadata__ names ("torch"),
the npz twin is checked to hold the same tensors, and PyTorch's energies and
gradients at fixed points are recorded.

Both go to testdata/torch_fixtures.json. safetensors is read and written by
hand (struct + json), as the format is small and the safetensors package is
not a Debian package. Everything is seeded, so the output is reproducible.
"""
import json
import os
import struct

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
DIRS = {"mlp": HERE, "convnet": os.path.join(HERE, "..", "..", "convnet", "testdata")}
DTYPES = {"F64": np.float64, "F32": np.float32}


class Gaussian(nn.Module):
    """ebm's gaussian activation, exp(-z^2/2); PyTorch has no module for it."""

    def forward(self, z):
        return torch.exp(-z * z / 2)


def write_safetensors(path, sd, meta=None):
    header, chunks, off = {}, [], 0
    for name, t in sd.items():
        a = t.detach().contiguous().numpy()
        b = a.astype(a.dtype.newbyteorder("<")).tobytes()
        dt = "F64" if a.dtype == np.float64 else "F32"
        header[name] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        chunks.append(b)
        off += len(b)
    if meta:
        header["__metadata__"] = meta
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))


def read_safetensors(path):
    with open(path, "rb") as f:
        b = f.read()
    (n,) = struct.unpack("<Q", b[:8])
    header = json.loads(b[8:8 + n])
    meta = header.pop("__metadata__", {})
    buf = b[8 + n:]
    sd = {}
    for name, e in header.items():
        s, t = e["data_offsets"]
        a = np.frombuffer(buf[s:t], dtype=np.dtype(DTYPES[e["dtype"]]).newbyteorder("<"))
        sd[name] = torch.from_numpy(a.reshape(e["shape"]).astype(DTYPES[e["dtype"]]))
    return sd, meta


def energy_grad(net, x, shape, quadratic):
    """E and dE/dx at the rows of x (n x d), the net taking inputs of shape."""
    x = x.clone().requires_grad_()
    e = net(x.view(-1, *shape)).squeeze(1) + quadratic * 0.5 * (x * x).sum(1)
    (g,) = torch.autograd.grad(e.sum(), x)
    return e, g


def flat(t):
    return [float(v) for v in t.detach().double().reshape(-1).tolist()]


def case(name, table, files, x, e, g):
    return {"name": name, "table": table, "files": files, "x": flat(x), "energy": flat(e), "grad": flat(g)}


def torch_cases(kind):
    """Seeded PyTorch models, saved to the package's testdata."""
    out = []
    if kind == "mlp":
        specs = [
            ("mlp64", torch.float64, 3, [5, 4], "silu", nn.SiLU, 0.3),
            ("mlp32", torch.float32, 3, [6], "tanh", nn.Tanh, 0.0),
        ]
    else:
        specs = [
            ("conv64", torch.float64, [2, 7, 6], [3, 4], "silu", nn.SiLU, 0.1),
            ("conv32", torch.float32, [1, 8, 8], [4, 8], "leaky_relu", lambda: nn.LeakyReLU(0.2), 0.0),
        ]
    for i, (name, dt, shape, widths, act, mod, q) in enumerate(specs):
        torch.manual_seed(100 + i)
        if kind == "mlp":
            layers, d = [], shape
            for w in widths:
                layers += [nn.Linear(d, w), mod()]
                d = w
            net = nn.Sequential(*layers, nn.Linear(d, 1))
            dim, ishape = shape, [shape]
            table = f'type = "mlp"\ndim = {shape}\nhidden = {widths}\nactivation = "{act}"\nquadratic = {q}\n'
        else:
            layers, c, h, w_ = [], shape[0], shape[1], shape[2]
            for oc in widths:
                layers += [nn.Conv2d(c, oc, 3, 2, 1), mod()]
                c, h, w_ = oc, (h - 1) // 2 + 1, (w_ - 1) // 2 + 1
            net = nn.Sequential(*layers, nn.Flatten(), nn.Linear(c * h * w_, 1))
            dim, ishape = int(np.prod(shape)), shape
            table = f'type = "convnet"\nin_shape = {shape}\nchannels = {widths}\nactivation = "{act}"\nquadratic = {q}\n'
        net = net.to(dt)
        if dt == torch.float32:
            table += 'dtype = "float32"\n'
        files = [name + ".safetensors", name + ".npz"]
        write_safetensors(os.path.join(DIRS[kind], files[0]), net.state_dict())
        np.savez(os.path.join(DIRS[kind], files[1]), **{k: v.numpy() for k, v in net.state_dict().items()})
        x = torch.randn(5, dim, dtype=dt)
        e, g = energy_grad(net, x, ishape, q)
        out.append(case(name, table, files, x, e, g))
    return out


def ebm_cases(kind):
    """ebm's exports, loaded into the modules their metadata names."""
    out = []
    names = sorted(f[:-len(".safetensors")] for f in os.listdir(DIRS[kind]) if f.startswith("ebm_") and f.endswith(".safetensors"))
    for i, name in enumerate(reversed(names)):  # ebm_*64 before ebm_*32, as the Go tables list them
        sd, meta = read_safetensors(os.path.join(DIRS[kind], name + ".safetensors"))
        dt = torch.float64 if next(iter(sd.values())).dtype == torch.float64 else torch.float32
        net = eval(meta["torch"], {"nn": nn, "Gaussian": Gaussian}).to(dt)
        net.load_state_dict(sd, strict=True)
        npz = np.load(os.path.join(DIRS[kind], name + ".npz"))
        twin = {k: torch.from_numpy(npz[k]) for k in npz.files}
        net.load_state_dict(twin, strict=True)
        assert all(torch.equal(twin[k], sd[k]) and twin[k].dtype == sd[k].dtype for k in sd), name
        shape = json.loads(meta["in_shape"]) if kind == "convnet" else [json.loads(meta["layers"])[0]]
        torch.manual_seed(200 + i)
        x = torch.randn(5, int(np.prod(shape)), dtype=dt)
        e, g = energy_grad(net, x, shape, float(meta["quadratic"]))
        out.append(case(name, "", [name + ".safetensors", name + ".npz"], x, e, g))
    return out


def main():
    for kind, d in DIRS.items():
        fx = {"torch": torch_cases(kind), "ebm": ebm_cases(kind)}
        with open(os.path.join(d, "torch_fixtures.json"), "w") as f:
            json.dump(fx, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
