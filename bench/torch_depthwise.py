# PyTorch yardstick for bench_conv's depthwise rows (dw_*): the same
# EfficientNet-Lite0 depthwise convolutions (groups == C, pad k/2), batch 1 and
# 8, float32, 2 threads, each pass alone through aten's convolution_backward
# (what autograd calls). Prints "<name> <median microseconds>" per pass.
#   ~/.cache/advgrad-torch-venv/bin/python bench/torch_depthwise.py
import statistics, time, torch
torch.set_num_threads(2)
torch.manual_seed(0)
SHAPES = [(32, 112, 3, 1), (96, 112, 3, 2), (144, 56, 5, 2), (480, 14, 5, 1), (1152, 7, 5, 1)]


def median_us(f, reps=7):
    f()
    n, t = 1, time.perf_counter()
    while time.perf_counter() - t < 0.05:  # iterations per repetition: about 50 ms' worth
        f()
        n += 1
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(n):
            f()
        ts.append((time.perf_counter() - t) / n)
    return 1e6 * statistics.median(ts)


for N in (1, 8):
    for C, H, k, s in SHAPES:
        x, w, b = torch.randn(N, C, H, H), torch.randn(C, 1, k, k), torch.randn(C)
        y = torch.nn.functional.conv2d(x, w, b, s, k // 2, 1, C)
        gy = torch.randn_like(y)
        args = ([C], [s, s], [k // 2, k // 2], [1, 1], False, [0, 0], C)
        name = f"dw_C{C}_{H}_k{k}_s{s}_b{N}"
        passes = {
            "fwd": lambda: torch.nn.functional.conv2d(x, w, b, s, k // 2, 1, C),
            "bwd_input": lambda: torch.ops.aten.convolution_backward(gy, x, w, *args, [True, False, False]),
            "bwd_weight": lambda: torch.ops.aten.convolution_backward(gy, x, w, *args, [False, True, False]),
        }
        with torch.no_grad():
            for p, f in passes.items():
                print(f"{name}_{p}_torch {median_us(f):.1f}", flush=True)
