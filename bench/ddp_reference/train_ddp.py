"""PyTorch DistributedDataParallel reference for bench/ddp_speed.sh.

Trains the Python port of the executor's detector (detector.py) on the same COCO data as
`trainplan run --scale-to-local`, the way trainplan's StageTrainer does (stage_trainer.cpp):
AdamW (lr 2e-3, weight decay 0.025, linear warm-up over the first epoch then linear decay to
a tenth), SyncBatchNorm, DDP over Gloo with its default 25 MB buckets, per-rank batch =
global batch / ranks, drop_last, one compute thread per rank. Each step is timed on rank 0
from fetching the batch to the end of optimizer.step(), as the C++ trainer times its steps.

Launch (no torchrun: Debian's crashes on Python 3.11):
    /usr/bin/python3 train_ddp.py --data DIR --nproc 2 --global-batch 16 --steps 40 --out r.json
starts --nproc worker processes of this script with RANK, WORLD_SIZE, MASTER_ADDR and
MASTER_PORT set, and writes rank 0's step times to --out (JSON).
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import time


def learning_rate(base, step, total, warmup):
    # executor/src/train/schedule.hpp
    start, end = 0.1, 0.1
    if warmup > 0 and step < warmup:
        return base * (start + (1 - start) * step / warmup)
    span = max(1, total - warmup)
    progress = min(max((step - warmup) / span, 0.0), 1.0)
    return base * (1 - (1 - end) * progress)


def worker(args):
    import torch
    torch.set_num_threads(args.threads)
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel as DDP

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import data as data_mod
    import detector as det

    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    if world > 1:
        dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.manual_seed(args.seed)
    dataset = data_mod.CocoDetection(args.data, "train", size=args.image_size, seed=args.seed)
    if args.bn == "sync":
        model = det.build(dataset.num_classes, args.size, args.embed_dim)
    else:  # diagnostic: per-rank BatchNorm2d, no collective in the layers
        model = det.Detector(dataset.num_classes, args.size, args.embed_dim)
    model.train()
    if world > 1:
        # Default 25 MB buckets. No buffer broadcast: SyncBatchNorm keeps the running
        # statistics equal on every rank, and the C++ side does not broadcast them either.
        ddp = DDP(model, broadcast_buffers=False)
    else:
        ddp = model
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)

    per_rank = args.global_batch // world
    sampler = data_mod.EpochSampler(dataset, num_replicas=world, rank=rank, shuffle=True,
                                    seed=args.seed, drop_last=False)
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=per_rank, sampler=sampler, num_workers=args.loader_workers,
        collate_fn=data_mod.collate, drop_last=True,
        persistent_workers=args.loader_workers > 0,
        prefetch_factor=2 if args.loader_workers > 0 else None)
    steps_per_epoch = len(sampler) // per_rank
    total_steps = steps_per_epoch * args.epochs
    warmup = int(args.warmup_epochs * steps_per_epoch)

    step_seconds, data_seconds, losses = [], [], []
    global_step, epoch = 0, 0
    start = time.perf_counter()
    while global_step < args.steps:
        sampler.set_epoch(epoch)
        it = iter(loader)
        for _ in range(steps_per_epoch):
            if global_step >= args.steps:
                break
            t0 = time.perf_counter()
            images, targets = next(it)
            t_data = time.perf_counter() - t0
            lr = learning_rate(args.lr, global_step, total_steps, warmup)
            for g in optimizer.param_groups:
                g["lr"] = lr
            optimizer.zero_grad()
            total, box, cls, positives = det.detection_loss(ddp(images), targets, images.size(0))
            total.backward()
            optimizer.step()
            global_step += 1
            step_seconds.append(time.perf_counter() - t0)
            data_seconds.append(t_data)
            losses.append(total.item())
            if rank == 0 and global_step % 10 == 0:
                mean = sum(step_seconds) / len(step_seconds)
                print(f"python-ddp step {global_step}/{args.steps} loss {losses[-1]:.3f} {mean:.2f} s/it",
                      flush=True)
        epoch += 1
    wall = time.perf_counter() - start
    if rank == 0 and args.out:
        with open(args.out, "w") as f:
            json.dump({"ranks": world, "global_batch": args.global_batch, "step_seconds": step_seconds,
                       "data_seconds": data_seconds, "losses": losses, "train_wall_seconds": wall,
                       "torch": torch.__version__, "threads": torch.get_num_threads(),
                       "loader_workers": args.loader_workers}, f)
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(args, argv):
    port = str(free_port())
    procs = []
    for rank in range(args.nproc):
        env = dict(os.environ, RANK=str(rank), WORLD_SIZE=str(args.nproc), LOCAL_RANK=str(rank),
                   MASTER_ADDR="127.0.0.1", MASTER_PORT=port, OMP_NUM_THREADS=str(args.threads))
        procs.append(subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker"] + argv, env=env))
    codes = [p.wait() for p in procs]
    if any(codes):
        print(f"train_ddp.py: worker exit codes {codes}", file=sys.stderr)
        return 1
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="COCO directory (annotations/train.json, train/)")
    p.add_argument("--nproc", type=int, default=2)
    p.add_argument("--global-batch", type=int, default=16)
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--epochs", type=int, default=5, help="for the lr schedule (trainplan's scaled pretrain: 5)")
    p.add_argument("--warmup-epochs", type=float, default=1.0)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--weight-decay", type=float, default=0.025)
    p.add_argument("--image-size", type=int, default=128)
    p.add_argument("--size", default="tiny")
    p.add_argument("--embed-dim", type=int, default=32)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="compute threads per rank")
    p.add_argument("--loader-workers", type=int, default=1, help="DataLoader worker processes per rank")
    p.add_argument("--bn", choices=("sync", "local"), default="sync",
                   help="sync: SyncBatchNorm (as trainplan); local: per-rank BatchNorm2d (diagnostic only)")
    p.add_argument("--out", default="")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker(args)
        return 0
    return launch(args, [a for a in sys.argv[1:] if a != "--worker"])


if __name__ == "__main__":
    sys.exit(main())
