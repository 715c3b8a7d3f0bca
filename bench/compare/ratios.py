#!/usr/bin/env python3
"""ratios.py BENCH.jsonl PEERS.jsonl: the performance targets as a Markdown table, ebm's best row
(from `ebmrun bench --workers 1,2 --json`, any number of runs concatenated) against the best peer run
(from bench/compare/peers.sh); ratio = peer time / ebm time."""
import json, sys
bench = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
peers = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")]
def brow(kernel, dtype=None, workers=None):
    rs = [r for r in bench if r.get("kernel") == kernel and (dtype is None or r.get("dtype") == dtype) and (workers is None or r.get("workers") == workers)]
    return rs
def best_ebm(kernel, dtype=None, key="ns_per_op", lower=True):
    rs = brow(kernel, dtype)
    if not rs: return None, None
    r = (min if lower else max)(rs, key=lambda r: r.get(key, 0))
    return r[key], r
def tag(p): return f"{p.get('tag','?')}, {p['env']['threads'] if 'env' in p else '?'} thr"
out = []
# ULA
ps = [p for p in peers if p.get("script") == "ula_gmm" and p.get("impl") == "torch_manual"]
bp = max(ps, key=lambda p: p["chain_steps_per_s"]) if ps else None
_, r = best_ebm("ula_gmm8", key="chain_steps_per_s", lower=False)
if bp and r: out.append(("ULA GMM-8, 4096 chains (M chain-steps/s)", f"{r['chain_steps_per_s']/1e6:.1f} ({r.get('workers')} workers)", f"{bp['chain_steps_per_s']/1e6:.1f} torch_manual ({tag(bp)})", r['chain_steps_per_s']/bp['chain_steps_per_s'], 8))
# HMC
ps = [p for p in peers if p.get("script") == "hmc_rosenbrock" and p.get("impl") == "numpy"]
bp = max(ps, key=lambda p: p["grad_evals_per_s"]) if ps else None
_, r = best_ebm("hmc_rosenbrock", key="grads_per_s", lower=False)
if bp and r: out.append(("HMC Rosenbrock, 1024 chains, L = 10 (M grads/s)", f"{r['grads_per_s']/1e6:.1f} ({r.get('workers')} workers)", f"{bp['grad_evals_per_s']/1e6:.1f} numpy {bp['env'].get('dtype', '')} ({tag(bp)})", r['grads_per_s']/bp['grad_evals_per_s'], 2.5))
# MLP grad
ps = [p for p in peers if p.get("script") == "mlp_energy_grad" and p["config"].get("batch") == 1024]
def us(p, k): return p["results"][k]["us_per_call_best_block"]
if ps:
    bp = min(ps, key=lambda p: us(p, "grad_x_autograd"))
    for dt in ("float32", "float64"):
        ns, r = best_ebm("mlp_grad_b1024", dt)
        if r: out.append((f"MLP 2-128-128-1 ∇ₓE, batch 1024 (ms), ebm {dt}", f"{ns/1e6:.3f}", f"{us(bp,'grad_x_autograd')/1e3:.3f} ({tag(bp)}, {bp['config'].get('dtype','f32')})", us(bp,'grad_x_autograd')*1e3/ns, 2))
    bp = min(ps, key=lambda p: us(p, "dsm_train_step"))
    for dt in ("float32", "float64"):
        ns, r = best_ebm("dsm_step_b256", dt)
        if r: out.append((f"2-D DSM step, batch 256 (ms), ebm {dt}", f"{ns/1e6:.3f}", f"{us(bp,'dsm_train_step')/1e3:.3f} ({tag(bp)})", us(bp,'dsm_train_step')*1e3/ns, 3))
ps = [p for p in peers if p.get("script") == "pcd_train"]
if ps:
    bp = max(ps, key=lambda p: p["steps_per_s"])
    for dt in ("float32", "float64"):
        ns, r = best_ebm("pcd_step_b256_k20", dt)
        if r: out.append((f"2-D PCD step, k = 20, batch 256 (ms), ebm {dt}", f"{ns/1e6:.2f}", f"{1e3/bp['steps_per_s']:.2f} ({tag(bp)})", (1e9/bp['steps_per_s'])/ns, 3))
ps = [p for p in peers if p.get("peer") == "torch" and p.get("model") == "mlp"]
if ps:
    bp = min(ps, key=lambda p: p["ms_per_step"])
    for dt in ("float32", "float64"):
        ns, r = best_ebm("mlp784_dsm_step_b128", dt)
        if r: out.append((f"MNIST DSM step, 784-512-512-1, batch 128 (ms), ebm {dt}", f"{ns/1e6:.1f}", f"{bp['ms_per_step']:.1f} ({bp.get('tag')}, {bp['env']['threads']} thr)", bp['ms_per_step']*1e6/ns, 1.5))
ps = [p for p in peers if p.get("peer") == "torch" and p.get("model") == "conv"]
if ps:
    bp = min(ps, key=lambda p: p["ms_per_step"])
    for dt in ("float32", "float64"):
        ns, r = best_ebm("conv_dsm_step_b128", dt)
        if r: out.append((f"MNIST DSM step, default convnet, batch 128 (ms), ebm {dt} (issue 14)", f"{ns/1e6:.1f}", f"{bp['ms_per_step']:.1f} ({bp.get('tag')}, {bp['env']['threads']} thr)", bp['ms_per_step']*1e6/ns, 1.5))
print("| workload | ebm | best peer | ratio | target |")
print("|---|---|---|---|---|")
for w, e, p, ratio, tgt in out:
    print(f"| {w} | {e} | {p} | {ratio:.2f}× | ≥ {tgt}× {'✓' if ratio >= tgt else '✗'} |")
