"""Latency of one small Gloo collective between 2 local ranks (diagnostic; results in docs/benchmarks.md).

SyncBatchNorm makes 2 collectives per norm layer and step (the tiny detector has 53 norm
layers), so on a CPU-only machine the step time at 2 ranks depends on this latency.
Run: /usr/bin/python3 bench/ddp_reference/gloo_latency.py   (starts its 2 ranks itself)
"""
import os
import socket
import subprocess
import sys
import time


def rank_main():
    import torch
    import torch.distributed as dist
    torch.set_num_threads(1)
    dist.init_process_group("gloo")
    world = dist.get_world_size()
    # trainplan forward: all_reduce [S1, S2, n] float64 (2C+1); backward: all_reduce [D1, D2]
    # float64 (2C). PyTorch's SyncBatchNorm forward: all_gather [mean, invstd, count] float32.
    for dtype, n in ((torch.float64, 257), (torch.float64, 256), (torch.float32, 257)):
        x = torch.zeros(n, dtype=dtype)
        out = [torch.empty_like(x) for _ in range(world)]
        for name, fn in (("all_reduce", lambda: dist.all_reduce(x)),
                         ("all_gather", lambda: dist.all_gather(out, x))):
            for _ in range(50):
                fn()
            k = 1000
            t = time.perf_counter()
            for _ in range(k):
                fn()
            if dist.get_rank() == 0:
                print(f"{name:10} {n:4} x {str(dtype):13}: {(time.perf_counter() - t) / k * 1e6:6.0f} us",
                      flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    if os.environ.get("RANK") is not None:
        rank_main()
        sys.exit(0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    procs = [subprocess.Popen([sys.executable, os.path.abspath(__file__)],
                              env=dict(os.environ, RANK=str(r), WORLD_SIZE="2", MASTER_ADDR="127.0.0.1",
                                       MASTER_PORT=port, OMP_NUM_THREADS="1")) for r in range(2)]
    sys.exit(max(p.wait() for p in procs))
