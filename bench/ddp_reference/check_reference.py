"""Sanity checks of the Python reference (not part of the timing):
  1. the CPU SyncBatchNorm with 2 ranks x half a batch equals nn.BatchNorm2d on the whole
     batch (output, input gradient, summed parameter gradients, running statistics);
  2. the detector and loss run forward and backward at world size 1.
Run: /usr/bin/python3 bench/ddp_reference/check_reference.py   (prints OK or fails)
"""
import os
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import detector as det  # noqa: E402


def reference_inputs():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 6, 5, 5, generator=g) * 3 + 1
    grad = torch.randn(4, 6, 5, 5, generator=g)
    w = torch.rand(6, generator=g)
    b = torch.rand(6, generator=g)
    return x, grad, w, b


def rank_main(rank, port, queue):
    torch.set_num_threads(1)
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=2)
    x, grad, w, b = reference_inputs()
    bn = det.SyncBatchNorm(6, eps=1e-3, momentum=0.03)
    with torch.no_grad():
        bn.weight.copy_(w)
        bn.bias.copy_(b)
    part = x[2 * rank:2 * rank + 2].clone().requires_grad_()
    y = bn(part)
    (y * grad[2 * rank:2 * rank + 2]).sum().backward()
    queue.put((rank, y.detach(), part.grad, bn.weight.grad, bn.bias.grad, bn.running_mean, bn.running_var))
    dist.barrier()
    dist.destroy_process_group()


def main():
    x, grad, w, b = reference_inputs()
    ref = torch.nn.BatchNorm2d(6, eps=1e-3, momentum=0.03)
    with torch.no_grad():
        ref.weight.copy_(w)
        ref.bias.copy_(b)
    xr = x.clone().requires_grad_()
    yr = ref(xr)
    (yr * grad).sum().backward()

    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    procs = [ctx.Process(target=rank_main, args=(r, port, queue)) for r in range(2)]
    for p in procs:
        p.start()
    results = dict((r[0], r[1:]) for r in (queue.get(timeout=60) for _ in procs))
    for p in procs:
        p.join()
    y = torch.cat([results[0][0], results[1][0]])
    gx = torch.cat([results[0][1], results[1][1]])
    gw = results[0][2] + results[1][2]
    gb = results[0][3] + results[1][3]
    checks = {
        "output": (y, yr.detach()), "input grad": (gx, xr.grad), "weight grad": (gw, ref.weight.grad),
        "bias grad": (gb, ref.bias.grad), "running mean": (results[0][4], ref.running_mean),
        "running var": (results[0][5], ref.running_var),
    }
    for name, (a, e) in checks.items():
        err = (a - e).abs().max().item()
        assert err < 1e-4, f"SyncBatchNorm 2 ranks vs BatchNorm2d: {name} differs by {err}"

    torch.manual_seed(0)
    model = det.build(5)
    images = torch.rand(2, 3, 128, 128)
    targets = torch.tensor([[0, 1, 40.0, 40.0, 30.0, 20.0], [1, 3, 90.0, 70.0, 5.0, 5.0]])
    total, box, cls, positives = det.detection_loss(model(images), targets, 2)
    total.backward()
    assert torch.isfinite(total) and positives > 0
    assert all(p.grad is not None for p in model.parameters())
    print(f"OK: SyncBatchNorm 2 ranks == BatchNorm2d; detector loss {total.item():.3f} "
          f"({positives} positives), {sum(p.numel() for p in model.parameters())} parameters")


if __name__ == "__main__":
    main()
