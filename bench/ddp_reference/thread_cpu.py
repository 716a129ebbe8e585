"""Per-thread CPU seconds of a training command between two progress lines (diagnostic; results in
docs/benchmarks.md): how much of the wall time each rank's main thread computes, and so how much
it waits in collectives. Reads /proc/PID/task/TID/stat, so other load on the machine does
not change the CPU figures.

Usage: thread_cpu.py LOG FIRST_MARK SECOND_MARK CMDLINE_MATCH -- command...
  runs the command with its output in LOG; when FIRST_MARK and then SECOND_MARK appear in
  LOG, snapshots every thread of each process whose command line contains CMDLINE_MATCH
  (the ranks, and for the reference also its DataLoader worker processes).
Examples (10 steps, from the progress lines at steps 10 and 20):
  OMP_NUM_THREADS=1 thread_cpu.py cpp.log " 10/" " 20/" "--worker" -- \
      trainplan run plan.json --scale-to-local --nproc 2 --global-batch 16 --max-steps 24 \
      --loader-threads 1 --work-dir W
  thread_cpu.py py.log "step 10/" "step 20/" "--worker" -- \
      /usr/bin/python3 train_ddp.py --data DIR --nproc 2 --steps 24
"""
import os, re, subprocess, sys, time
log, p10, p20, match = sys.argv[1:5]
cmd = sys.argv[sys.argv.index("--") + 1:]
proc = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT)
def snapshot():
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit(): continue
        try:
            cmdline = open(f"/proc/{pid}/cmdline").read().replace("\0", " ")
        except OSError: continue
        if match not in cmdline or pid == str(os.getpid()): continue
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                f = open(f"/proc/{pid}/task/{tid}/stat").read()
            except OSError: continue
            name = f[f.index("(") + 1:f.rindex(")")]
            fields = f[f.rindex(")") + 2:].split()
            out[(pid, tid)] = (name, int(fields[11]) + int(fields[12]))
    return time.perf_counter(), out
snaps = {}
while proc.poll() is None:
    text = open(log).read()
    for key, pat in (("a", p10), ("b", p20)):
        if key not in snaps and pat in text:
            snaps[key] = snapshot()
    time.sleep(0.005)
(ta, a), (tb, b) = snaps["a"], snaps["b"]
wall = tb - ta
print(f"wall over 10 steps {wall:.2f} s ({wall / 10:.3f} s/step)")
rows = []
for k, (name, ticks) in b.items():
    if k in a:
        d = (ticks - a[k][1]) / 100.0
        if d > 0.05: rows.append((d, k, name))
for d, (pid, tid), name in sorted(rows, reverse=True):
    kind = "main" if pid == tid else "thread"
    print(f"  pid {pid} tid {tid} ({kind}) {name:16} cpu {d:.2f} s = {d / wall:.0%} of wall")
print("  total cpu", round(sum(d for d, _, _ in rows), 2), "s over", round(wall, 2), "s wall on 2 cores")
