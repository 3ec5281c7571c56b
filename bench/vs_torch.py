#!/usr/bin/env python3
"""advgrad vs PyTorch on the canonical workloads, from alternating runs.

Usage:
  bench/vs_torch.py [--pairs 5] [--min-time 2] [--threads 2] [--build build/release]
                    [--workloads infer,train_step,...] [--json out.json]
  bench/vs_torch.py --against-build OLD_BUILD ...   (advgrad vs another build of advgrad)

Each workload of shared/BENCHMARKS.md runs as one process of advgrad's benchmark
(bench_smallcnn / bench_effnet, fast kernels, --benchmark_min_time) and one
process of PyTorch (this script again, under the PyTorch venv's python, with
--torch-child), back to back; a pair's order flips from one pair to the next so
that a drift in the machine's load falls on both sides. One process per run
means each figure comes with that process's peak memory (ru_maxrss of the child,
from wait4). Printed per workload: the median images/s of each side, the median
of the pairwise ratios advgrad / PyTorch (and their range), and the largest max
RSS of each side over its runs.

The PyTorch side uses the model and the timing loop of
shared/tools/torch_reference.py (warm-up 3, then iterations until --min-time and
at least 5) and, for EfficientNet-Lite0, the network of
bench/torch_efficientnet_lite0.py with the same pretrained weights
(~/.cache/advgrad/pretrained/efficientnet-lite0.pth; scripts/fetch-pretrained.sh).
The PyTorch interpreter is --torch-python (default: the venv of
shared/tools/torch-reference, ~/.cache/advgrad-torch-venv/bin/python).
PyTorch runs with OMP_WAIT_POLICY=PASSIVE unless --omp-wait-policy says
otherwise: on a shared, loaded 2-core machine its default (OpenMP threads spin
while they wait) made its SmallCNN train_step 4x slower (160 vs 620 img/s, one
session), which would flatter advgrad's ratios.
PyTorch's RSS includes the interpreter and torch's libraries (a few hundred MB
before any tensor): that is what a user of it pays, but it is not all tensors.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SMALLCNN = ["infer", "train_step", "fgsm", "pgd10", "pgd7_at_step"]
EFFNET = ["effnet_infer", "effnet_pgd_step"]
CACHE = os.environ.get("ADVGRAD_CACHE_DIR") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "advgrad")
WEIGHTS = os.path.join(CACHE, "pretrained", "efficientnet-lite0.pth")


# ---------------------------------------------------------------- PyTorch side
def torch_child(a):
    """Runs one workload in PyTorch and prints {"img_s": ...} (this process is the child)."""
    sys.path.insert(0, a.torch_tools)
    sys.path.insert(0, HERE)
    import torch
    import torch.nn.functional as F
    from torch_reference import bench, small_cnn  # the yardstick's own model and timing loop

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    w = a.torch_child
    if w in EFFNET:
        from torch_efficientnet_lite0 import Lite0, workloads
        B = 8
        m = Lite0()
        m.load_state_dict(torch.load(WEIGHTS, map_location="cpu", weights_only=True))
        m.eval()
        fn = workloads(m, torch.rand(B, 3, 224, 224), torch.randint(0, 1000, (B,)))[w]
    else:
        B = 128
        m = small_cnn()
        x, y = torch.rand(B, 1, 28, 28), torch.randint(0, 10, (B,))
        opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)

        def infer():
            m.eval()
            with torch.no_grad():
                m(x)

        def train_step(xb=x):
            m.train()
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(m(xb), y).backward()
            opt.step()

        def fgsm():
            m.eval()
            xa = x.clone().requires_grad_(True)
            (g,) = torch.autograd.grad(F.cross_entropy(m(xa), y), xa)
            return (x + 0.1 * g.sign()).clamp(0, 1)

        def pgd(steps=10, eps=0.1, alpha=0.01):
            m.eval()
            xa = x.clone()
            for _ in range(steps):
                xa.requires_grad_(True)
                (g,) = torch.autograd.grad(F.cross_entropy(m(xa), y), xa)
                xa = torch.min(torch.max(xa.detach() + alpha * g.sign(), x - eps), x + eps).clamp(0, 1)
            return xa

        def pgd7_at_step():
            train_step(pgd(steps=7, eps=0.1, alpha=0.025))

        fn = {"infer": infer, "train_step": train_step, "fgsm": fgsm, "pgd10": pgd,
              "pgd7_at_step": pgd7_at_step}[w]
    print(json.dumps({"img_s": B / bench(fn, min_time=a.min_time), "torch": torch.__version__}))


# ---------------------------------------------------------------- parent
def run_child(cmd, env):
    """Runs cmd, returns (stdout, max RSS in MB) of that child alone (wait4's rusage)."""
    with tempfile.TemporaryFile(mode="w+") as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env, text=True)
        err = p.stderr.read()
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            sys.exit(f"vs_torch: {' '.join(cmd)} failed ({p.returncode}):\n{err}")
        out.seek(0)
        return out.read(), usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def advgrad_run(a, w, build=None):
    prog = "bench_effnet" if w in EFFNET else "bench_smallcnn"
    cmd = [os.path.join(build or a.build, "bench", prog), f"--benchmark_filter=^BM_{w}/0/",
           f"--benchmark_min_time={a.min_time}", "--benchmark_format=json"]
    env = dict(os.environ, ADVGRAD_NUM_THREADS=str(a.threads))
    out, rss = run_child(cmd, env)
    rows = [b for b in json.loads(out)["benchmarks"] if b.get("run_type") == "iteration"]
    if len(rows) != 1:
        sys.exit(f"vs_torch: expected one row for {w} from {prog}, got {len(rows)}")
    return rows[0]["items_per_second"], rss


def torch_run(a, w):
    if a.against_build:  # the other side is another build of advgrad
        return advgrad_run(a, w, a.against_build)
    cmd = [a.torch_python, os.path.abspath(__file__), "--torch-child", w, "--threads", str(a.threads),
           "--min-time", str(a.min_time), "--torch-tools", a.torch_tools]
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads), MKL_NUM_THREADS=str(a.threads))
    if a.omp_wait_policy:
        env["OMP_WAIT_POLICY"] = a.omp_wait_policy
    out, rss = run_child(cmd, env)
    return json.loads(out.strip().splitlines()[-1])["img_s"], rss


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=2.0, help="seconds each timed run lasts at least")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--build", default=os.path.join(REPO, "build", "release"), help="build folder with bench/")
    ap.add_argument("--against-build", help="compare with advgrad built in this folder instead of PyTorch "
                    "(before/after of a change)")
    ap.add_argument("--workloads", default=",".join(SMALLCNN + EFFNET))
    ap.add_argument("--torch-python", default=os.path.expanduser("~/.cache/advgrad-torch-venv/bin/python"))
    ap.add_argument("--torch-tools", default=os.path.join(os.path.dirname(REPO), "shared", "tools"),
                    help="folder of torch_reference.py")
    ap.add_argument("--omp-wait-policy", default="PASSIVE",
                    help="OMP_WAIT_POLICY for PyTorch's OpenMP threads ('' keeps its default, ACTIVE spinning)")
    ap.add_argument("--json", help="write every run's figures here")
    ap.add_argument("--torch-child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.torch_child:
        return torch_child(a)
    if a.pairs < 1:
        sys.exit("vs_torch: --pairs must be at least 1")
    workloads = [w for w in a.workloads.split(",") if w]
    unknown = [w for w in workloads if w not in SMALLCNN + EFFNET]
    if unknown:
        sys.exit(f"vs_torch: unknown workload(s) {unknown}; known: {SMALLCNN + EFFNET}")
    if any(w in EFFNET for w in workloads) and not os.path.exists(WEIGHTS):
        print(f"vs_torch: {WEIGHTS} missing (scripts/fetch-pretrained.sh): EfficientNet rows skipped", file=sys.stderr)
        workloads = [w for w in workloads if w not in EFFNET]
    runs = {w: {"advgrad": [], "torch": []} for w in workloads}
    for i in range(a.pairs):
        for w in workloads:
            order = ("advgrad", "torch") if i % 2 == 0 else ("torch", "advgrad")
            for side in order:
                img_s, rss = (advgrad_run if side == "advgrad" else torch_run)(a, w)
                runs[w][side].append({"img_s": img_s, "max_rss_mb": rss})
                print(f"pair {i + 1}/{a.pairs} {w:<16} {side:<8} {img_s:10.1f} img/s  {rss:7.0f} MB", file=sys.stderr)
    policy = "" if a.against_build else f", PyTorch OMP_WAIT_POLICY={a.omp_wait_policy or '(default)'}"
    print(f"{a.pairs} alternating pairs, {a.threads} threads, >= {a.min_time:g} s per run{policy}")
    other = f"advgrad {a.against_build}" if a.against_build else "PyTorch"
    print(f"| workload | advgrad img/s | {other} img/s | advgrad / {other} (median of pairs) | range | "
          f"advgrad max RSS | {other} max RSS |")
    print("|---|---|---|---|---|---|---|")
    for w, r in runs.items():
        ours = [x["img_s"] for x in r["advgrad"]]
        theirs = [x["img_s"] for x in r["torch"]]
        ratios = [o / t for o, t in zip(ours, theirs)]
        print(f"| {w} | {statistics.median(ours):,.0f} | {statistics.median(theirs):,.0f} | "
              f"{statistics.median(ratios):.2f}x | {min(ratios):.2f}-{max(ratios):.2f}x | "
              f"{max(x['max_rss_mb'] for x in r['advgrad']):,.0f} MB | {max(x['max_rss_mb'] for x in r['torch']):,.0f} MB |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"pairs": a.pairs, "threads": a.threads, "min_time": a.min_time, "runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
