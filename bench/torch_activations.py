# PyTorch yardstick for bench_nn's activation_fwd_bwd: forward + input gradient
# of sum(act(x) * w) on [128, 32, 28, 28], one thread, CPU time, median of 7.
import statistics, time, torch
torch.set_num_threads(1)
torch.manual_seed(0)
x = torch.randn(128, 32, 28, 28, requires_grad=True)
w = torch.randn(128, 32, 28, 28)
F = torch.nn.functional
for name, f in [("relu", torch.relu), ("gelu", F.gelu), ("silu", F.silu), ("softplus", F.softplus), ("elu", F.elu)]:
    ts = []
    for _ in range(7):
        t = time.process_time()
        torch.autograd.grad((f(x) * w).sum(), [x])
        ts.append(time.process_time() - t)
    print(f"{name} {1000 * statistics.median(ts):.1f} ms")
