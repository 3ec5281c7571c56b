#!/usr/bin/env python3
# PyTorch yardstick for advgrad's EfficientNet-Lite0 (nn/efficientnet.h):
# the same network written in plain torch.nn, its weights loaded from the
# fetched .pth (torch.load with weights_only=True: no pickle code runs).
#
#   torch_efficientnet_lite0.py --compare ours.safetensors
#       runs the file's "image" [N, 3, 224, 224] (pixels in [0, 1], already
#       preprocessed by advgrad) and prints the max |difference| from its
#       "logits" (written by examples/classify_photo.cpp --save);
#   torch_efficientnet_lite0.py --time 20 [--threads 2]
#       times inference at 224 x 224 (batch 1, eval, no grad), median of N.
#   torch_efficientnet_lite0.py --bench 10 [--batch 8] [--json OUT.json]
#       the canonical workloads of shared/BENCHMARKS.md, as bench/bench_effnet.cpp
#       runs them: effnet_infer (forward, no grad) and effnet_pgd_step (forward
#       + input gradient + sign step + projection), images/s, median of N.
#       The JSON's keys are the ones bench/ratios.py pairs with bench_effnet.
#
# Run it with the PyTorch venv of /work/shared/tools/torch-reference
# (~/.cache/advgrad-torch-venv/bin/python).
import argparse, math, os, statistics, time
import torch
import torch.nn.functional as F
from torch import nn

# (repeats, stride, kernel, out, expand) per stage: EfficientNet-B0's table.
STAGES = [(1, 1, 3, 16, 1), (2, 2, 3, 24, 6), (2, 2, 5, 40, 6), (3, 2, 3, 80, 6),
          (3, 1, 5, 112, 6), (4, 2, 5, 192, 6), (1, 1, 3, 320, 6)]


class SameConv(nn.Conv2d):
    """TensorFlow "SAME": total pad max((ceil(n/s) - 1) s + k - n, 0), the odd one after."""

    def forward(self, x):
        pads = []
        for n, k, s in ((x.shape[3], self.kernel_size[1], self.stride[1]), (x.shape[2], self.kernel_size[0], self.stride[0])):
            total = max((math.ceil(n / s) - 1) * s + k - n, 0)
            pads += [total // 2, total - total // 2]
        return super().forward(F.pad(x, pads))


def bn(c):
    return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)


class Block(nn.Module):
    def __init__(self, cin, cout, k, s, e):
        super().__init__()
        h = cin * e
        if e != 1:
            self._expand_conv, self._bn0 = SameConv(cin, h, 1, bias=False), bn(h)
        self._depthwise_conv, self._bn1 = SameConv(h, h, k, s, groups=h, bias=False), bn(h)
        self._project_conv, self._bn2 = SameConv(h, cout, 1, bias=False), bn(cout)
        self.skip = s == 1 and cin == cout

    def forward(self, x):
        h = F.relu6(self._bn0(self._expand_conv(x))) if hasattr(self, "_expand_conv") else x
        h = F.relu6(self._bn1(self._depthwise_conv(h)))
        h = self._bn2(self._project_conv(h))
        return h + x if self.skip else h


class Lite0(nn.Module):
    def __init__(self):
        super().__init__()
        self._conv_stem, self._bn0 = SameConv(3, 32, 3, 2, bias=False), bn(32)
        blocks, cin = [], 32
        for repeats, stride, k, cout, e in STAGES:
            for i in range(repeats):
                blocks.append(Block(cin, cout, k, stride if i == 0 else 1, e))
                cin = cout
        self._blocks = nn.ModuleList(blocks)
        self._conv_head, self._bn1 = SameConv(320, 1280, 1, bias=False), bn(1280)
        self._fc = nn.Linear(1280, 1000)

    def forward(self, pixels):  # pixels in [0, 1]
        x = F.relu6(self._bn0(self._conv_stem((pixels * 255 - 127) / 128)))
        for b in self._blocks:
            x = b(x)
        x = F.relu6(self._bn1(self._conv_head(x)))
        return self._fc(x.mean((2, 3)))


def main():
    cache = os.environ.get("ADVGRAD_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "advgrad")
    p = argparse.ArgumentParser()
    p.add_argument("--weights", default=os.path.join(cache, "pretrained", "efficientnet-lite0.pth"))
    p.add_argument("--compare", help="safetensors with 'image' and 'logits' from advgrad")
    p.add_argument("--time", type=int, default=0, help="timed inference runs at 224 px")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--bench", type=int, default=0, help="timed runs of each canonical workload")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--json", help="write the --bench figures here")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    model = Lite0()
    model.load_state_dict(torch.load(a.weights, map_location="cpu", weights_only=True))
    model.eval()
    if a.compare:
        from safetensors.torch import load_file
        t = load_file(a.compare)
        with torch.no_grad():
            ours, theirs = t["logits"].double(), model(t["image"].float()).double()
        print(f"max |torch - advgrad| logits: {(ours - theirs).abs().max().item():.3e} "
              f"(logits up to {theirs.abs().max().item():.2f}); top-1 torch {theirs.argmax(1).tolist()}, "
              f"advgrad {ours.argmax(1).tolist()}")
    if a.time:
        x = torch.rand(1, 3, 224, 224)
        with torch.no_grad():
            model(x)
            ts = []
            for _ in range(a.time):
                t0 = time.perf_counter()
                model(x)
                ts.append(time.perf_counter() - t0)
        print(f"torch {torch.__version__}, {a.threads} threads: efficientnet-lite0 224px batch 1 inference "
              f"{1000 * statistics.median(ts):.1f} ms (median of {a.time})")

    if a.bench:
        bench(model, a)


def median_rate(fn, runs, batch):
    fn()  # warm-up
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return batch / statistics.median(ts)


def workloads(model, x, y, eps=1 / 255):
    """The two canonical workloads as callables (bench/bench_effnet.cpp's, and bench/vs_torch.py's)."""
    for p in model.parameters():
        p.requires_grad_(False)  # input gradient only, as an attack needs

    def infer():
        with torch.no_grad():
            model(x)

    def pgd_step():
        xr = x.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(F.cross_entropy(model(xr), y), (xr,))
        with torch.no_grad():
            torch.clamp(torch.clamp(xr + g.sign() * (eps / 4), x - eps, x + eps), 0, 1)

    return {"effnet_infer": infer, "effnet_pgd_step": pgd_step}


def bench(model, a):
    import json
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(a.batch, 3, 224, 224, generator=gen)
    y = torch.randint(0, 1000, (a.batch,), generator=gen)
    w = workloads(model, x, y)
    infer, pgd_step = w["effnet_infer"], w["effnet_pgd_step"]

    out = {"torch_version": torch.__version__, "threads": a.threads, "batch": a.batch,
           "effnet_infer_img_s": median_rate(infer, a.bench, a.batch),
           "effnet_pgd_step_img_s": median_rate(pgd_step, a.bench, a.batch)}
    print(json.dumps(out, indent=2))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
