#!/usr/bin/env bash
# Two "hosts" on this machine for the launcher tests: network namespaces NAME-h0 and NAME-h1,
# joined by a veth pair, veth0 = 10.211.0.1/24 in NAME-h0 and veth1 = 10.211.0.2/24 in
# NAME-h1, loopback up in each. Nothing else is reachable from them.
#
#   netns_hosts.sh up NAME [WATCH_PID]  creates them (a failed step removes what was made);
#                                       with WATCH_PID, a watcher removes them when that
#                                       process is gone
#   netns_hosts.sh down NAME            kills the processes left in them and removes them
#
# Run a command on host i: ip netns exec NAME-hi COMMAND. NAME: up to 12 characters.
# Exit 77 (skip) when namespaces cannot be made here (no `ip`, not root, no CAP_NET_ADMIN).
set -uo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

cmd=${1:-}
name=${2:-}
if [ -z "$cmd" ] || [ -z "$name" ]; then echo "usage: $0 up|down NAME [WATCH_PID]" >&2; exit 2; fi

down() {
  local ns pid
  [ -f "/tmp/$name.netns-watcher" ] && {
    pid=$(cat "/tmp/$name.netns-watcher")
    rm -f "/tmp/$name.netns-watcher"
    [ "$pid" != $$ ] && kill "$pid" 2>/dev/null
  }
  for ns in "$name-h0" "$name-h1"; do
    ip netns list 2>/dev/null | grep -q "^$ns\b" || continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    # Deleting the namespace removes its end of the veth pair, and so the pair.
    ip netns delete "$ns" 2>/dev/null || echo "netns_hosts: could not delete $ns" >&2
  done
  return 0
}

up() {
  local watch_pid=${3:-}
  command -v ip >/dev/null || { echo "netns_hosts: ip (iproute2) is not installed" >&2; exit 77; }
  # `ip netns add` needs CAP_SYS_ADMIN and CAP_NET_ADMIN: try it, and skip on failure.
  local why
  if ! why=$(ip netns add "$name-h0" 2>&1); then
    echo "netns_hosts: cannot create network namespaces here (uid $(id -u)): $why" >&2
    exit 77
  fi
  if ! ip netns add "$name-h1" ||
     ! ip link add veth0 netns "$name-h0" type veth peer name veth1 netns "$name-h1" ||
     ! ip -n "$name-h0" addr add 10.211.0.1/24 dev veth0 ||
     ! ip -n "$name-h1" addr add 10.211.0.2/24 dev veth1 ||
     ! ip -n "$name-h0" link set lo up || ! ip -n "$name-h1" link set lo up ||
     ! ip -n "$name-h0" link set veth0 up || ! ip -n "$name-h1" link set veth1 up; then
    echo "netns_hosts: setting up $name-h0/$name-h1 failed" >&2
    down
    exit 1
  fi
  # The link is up when each side reaches the other.
  local deadline=$((SECONDS + 10))
  until [[ $(ip netns exec "$name-h1" bash -c 'exec 3<>/dev/tcp/10.211.0.1/9' 2>&1) == *refused* ]]; do
    if ((SECONDS >= deadline)); then
      echo "netns_hosts: 10.211.0.1 is not reachable from $name-h1" >&2
      down
      exit 1
    fi
    sleep 0.2
  done
  if [ -n "$watch_pid" ]; then
    setsid bash -c "while kill -0 $watch_pid 2>/dev/null; do sleep 1; done; exec '$self' down '$name'" \
      </dev/null >/dev/null 2>&1 &
    echo $! >"/tmp/$name.netns-watcher"
  fi
  echo "netns_hosts: $name-h0 (veth0 10.211.0.1/24) and $name-h1 (veth1 10.211.0.2/24) are up"
}

case "$cmd" in
  up) up "$@" ;;
  down) down ;;
  *) echo "usage: $0 up|down NAME [WATCH_PID]" >&2; exit 2 ;;
esac
