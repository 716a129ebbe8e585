#!/usr/bin/env bash
# A one-node Slurm cluster in a folder, for the launcher tests: munged, slurmctld and slurmd
# from the Debian packages, each with its own configuration, key, socket, ports, state and logs
# under DIR, none of the system's files used.
#
#   slurm_cluster.sh start DIR [WATCH_PID]  writes DIR/slurm.conf, starts the daemons, waits
#                                           until the node is idle; with WATCH_PID, a watcher
#                                           stops the cluster when that process is gone (a
#                                           test killed by a timeout leaves no daemon behind)
#   slurm_cluster.sh stop DIR               cancels the jobs, stops the daemons and every process
#                                           left with this cluster's SLURM_CONF
#
# Clients: SLURM_CONF=DIR/slurm.conf srun|sbatch|squeue|scontrol ...
# Exit 77 (skip) when the programs are missing or this is not root (SlurmUser=root); 1 when a
# daemon does not start (its log is printed). A failed start stops what it started.
set -uo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

die_skip() { echo "slurm_cluster: $*" >&2; exit 77; }

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then echo "usage: $0 start|stop DIR [WATCH_PID]" >&2; exit 2; fi
[ "$cmd" = start ] && mkdir -p "$dir"
dir=$(cd "$dir" 2>/dev/null && pwd) || { echo "slurm_cluster: no folder $2" >&2; exit 2; }
export SLURM_CONF="$dir/slurm.conf"

# The pid of a daemon started by this script, from DIR/pids/NAME.
pid_of() { cat "$dir/pids/$1" 2>/dev/null; }

# Ends processes: SIGTERM, then SIGKILL to those left after 5 s.
end_processes() {
  local pid live=()
  for pid in "$@"; do
    [ -n "$pid" ] && [ "$pid" != $$ ] && kill -TERM "$pid" 2>/dev/null && live+=("$pid")
  done
  for _ in $(seq 50); do
    ((${#live[@]})) || return 0
    local still=()
    for pid in "${live[@]}"; do kill -0 "$pid" 2>/dev/null && still+=("$pid"); done
    live=("${still[@]+"${still[@]}"}")
    sleep 0.1
  done
  for pid in "${live[@]}"; do kill -KILL "$pid" 2>/dev/null; done
}

stop() {
  if [ -f "$SLURM_CONF" ] && [ -n "$(pid_of slurmctld)" ] && kill -0 "$(pid_of slurmctld)" 2>/dev/null; then
    timeout 10 scancel --full --quiet --user=root >/dev/null 2>&1 || true
  fi
  end_processes "$(pid_of slurmd)" "$(pid_of slurmctld)" "$(pid_of munged)" "$(pid_of watcher)"
  rm -f "$dir/pids/slurmd" "$dir/pids/slurmctld" "$dir/pids/munged" "$dir/pids/watcher"
  # slurmstepd and the tasks of a job that did not end (they carry this cluster's SLURM_CONF).
  local me=$$ pid
  for env_file in /proc/[0-9]*/environ; do
    pid=${env_file#/proc/}; pid=${pid%/environ}
    [ "$pid" = "$me" ] && continue
    if grep -qzxF "SLURM_CONF=$SLURM_CONF" "$env_file" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  return 0
}

# A TCP port nothing listens on (the tests may run next to each other and to a real Slurm).
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    ss -Htln "sport = :$port" 2>/dev/null | grep -q . || { echo "$port"; return; }
  done
}

# Waits up to $2 seconds for the command in $1 to succeed.
wait_for() {
  local deadline=$((SECONDS + $2))
  until eval "$1" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

fail_start() {
  echo "slurm_cluster: $*" >&2
  for log in munged.log slurmctld.log slurmd.log; do
    [ -f "$dir/log/$log" ] && { echo "--- $log (last 20 lines)" >&2; tail -n 20 "$dir/log/$log" >&2; }
  done
  stop
  exit 1
}

start() {
  local watch_pid=${3:-}
  [ "$(id -u)" -eq 0 ] || die_skip "not root: this test cluster runs its daemons as SlurmUser=root"
  for p in munged mungekey slurmctld slurmd srun sbatch scontrol sinfo scancel ss; do
    command -v "$p" >/dev/null || die_skip "$p is not installed (scripts/setup-test-tools.sh installs slurmctld slurmd slurm-client munge iproute2)"
  done
  local host cpus ctld_port slurmd_port
  host=$(hostname -s)
  cpus=$(nproc); ((cpus >= 2)) || cpus=2
  ctld_port=$(free_port)
  slurmd_port=$(free_port)
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log" "$dir/pids"
  chmod 700 "$dir/munge"

  # munge: a key of our own, our own socket.
  mungekey --create --keyfile="$dir/munge/munge.key" --bits=1024 ||
    fail_start "mungekey could not create $dir/munge/munge.key"
  chmod 600 "$dir/munge/munge.key"
  munged --foreground --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --log-file="$dir/log/munged.log" --pid-file="$dir/munge/munged.pid" \
    --seed-file="$dir/munge/munged.seed" </dev/null >>"$dir/log/munged.log" 2>&1 &
  echo $! >"$dir/pids/munged"
  wait_for "[ -S '$dir/munge/munge.socket' ]" 10 || fail_start "munged did not create its socket"

  cat >"$SLURM_CONF" <<EOF
# Written by tests/launchers/slurm_cluster.sh: a one-node test cluster.
ClusterName=trainplantest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire: a requeued job may start again after 10 s (120 s by default).
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=10
MailProg=/bin/true
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/state/slurmctld.pid
SlurmdPidFile=$dir/spool/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SwitchType=switch/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
SlurmdParameters=config_overrides
# A job's record stays 300 s after it ends; tasks get 10 s between SIGTERM and SIGKILL.
MinJobAge=300
KillWait=10
InactiveLimit=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE OverSubscribe=YES State=UP
EOF

  slurmctld -D -i </dev/null >>"$dir/log/slurmctld.out" 2>&1 &
  echo $! >"$dir/pids/slurmctld"
  wait_for "scontrol ping | grep -q UP" 20 || fail_start "slurmctld did not answer scontrol ping"
  slurmd -D -N "$host" </dev/null >>"$dir/log/slurmd.out" 2>&1 &
  echo $! >"$dir/pids/slurmd"
  wait_for "sinfo -h -N -o %T | grep -qx idle" 30 ||
    fail_start "the node did not become idle: $(sinfo -h -N -o '%T %E' 2>&1)"

  if [ -n "$watch_pid" ]; then
    # Stops the cluster when the process that started it is gone, however it ended.
    setsid bash -c "while kill -0 $watch_pid 2>/dev/null; do sleep 1; done; exec '$self' stop '$dir'" \
      </dev/null >/dev/null 2>&1 &
    echo $! >"$dir/pids/watcher"
  fi
  echo "slurm_cluster: node $host ($cpus CPUs) idle; slurmctld port $ctld_port, slurmd port $slurmd_port; SLURM_CONF=$SLURM_CONF"
}

case "$cmd" in
  start) start "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR [WATCH_PID]" >&2; exit 2 ;;
esac
