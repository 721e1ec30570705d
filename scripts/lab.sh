#!/usr/bin/env bash
# A private containerd (with the CNI bridge and test images) under a temp dir: start | stop | status | env.
#
#   scripts/lab.sh start [DIR]   start containerd (and a local registry if docker-registry is installed),
#                                import the test images, print the environment
#   scripts/lab.sh env [DIR]     print `export` lines: CONTAINERD_ADDRESS, CRILET_RUNTIME_ENDPOINT, ...
#   scripts/lab.sh status [DIR]  say what runs
#   scripts/lab.sh stop [DIR] [--keep]   kill every task, stop containerd and the registry, remove network
#                                namespaces, mounts, the bridge and DIR (unless --keep)
#
# DIR defaults to $CRILET_LAB_DIR or /tmp/crilet-lab. Bridge and subnet: $CRILET_LAB_BRIDGE (lab0),
# $CRILET_LAB_SUBNET (10.88.0.0/16). Every registry name resolves to the lab registry on 127.0.0.1, so
# no pull ever leaves the machine.
set -euo pipefail

cmd=${1:-}
shift || true
dir=${CRILET_LAB_DIR:-/tmp/crilet-lab}
keep=0
for arg in "$@"; do
  case $arg in
    --keep) keep=1 ;;
    -*) echo "lab: unknown option $arg" >&2; exit 2 ;;
    *) dir=$arg ;;
  esac
done
bridge=${CRILET_LAB_BRIDGE:-lab0}
subnet=${CRILET_LAB_SUBNET:-10.88.0.0/16}
network=crilet-${bridge}
repo=$(cd "$(dirname "$0")/.." && pwd)
sock=$dir/containerd.sock
registries=(docker.io registry-1.docker.io localhost quay.io registry.k8s.io k8s.gcr.io gcr.io ghcr.io)

log() { echo "lab: $*" >&2; }
die() { log "$*"; exit 1; }

pid_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
containerd_up() { pid_alive "$dir/containerd.pid" && ctr -a "$sock" version >/dev/null 2>&1; }
registry_port() { cat "$dir/registry.port" 2>/dev/null || true; }

print_env() {
  echo "export CRILET_LAB_DIR=$dir"
  echo "export CONTAINERD_ADDRESS=$sock"
  echo "export CRILET_RUNTIME_ENDPOINT=unix://$sock"
  local port
  port=$(registry_port)
  [[ -n $port ]] && echo "export CRILET_REGISTRY=127.0.0.1:$port"
  return 0
}

free_port() {
  local p
  for p in $(seq "${CRILET_REGISTRY_PORT:-5000}" 5100); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  die "no free port for the registry in 5000-5100"
}

write_config() {
  local port=$1
  mkdir -p "$dir/root" "$dir/state" "$dir/cni-conf" "$dir/certs.d"
  cat > "$dir/config.toml" <<TOML
version = 2
root = "$dir/root"
state = "$dir/state"
[grpc]
  address = "$sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/pause:3.9"
  # This VM lacks CAP_SYS_RESOURCE: runc cannot lower oom_score_adj below containerd's own.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni-conf"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$dir/certs.d"
TOML
  cat > "$dir/cni-conf/10-lab.conflist" <<JSON
{"cniVersion": "1.0.0", "name": "$network", "plugins": [
  {"type": "bridge", "bridge": "$bridge", "isGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$subnet"}]], "routes": [{"dst": "$subnet"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
JSON
  local r
  for r in "${registries[@]}"; do
    mkdir -p "$dir/certs.d/$r"
    cat > "$dir/certs.d/$r/hosts.toml" <<TOML
server = "http://127.0.0.1:$port"
[host."http://127.0.0.1:$port"]
  capabilities = ["pull", "resolve"]
TOML
  done
}

start_registry() {
  local port=$1
  command -v docker-registry >/dev/null || return 0
  mkdir -p "$dir/registry"
  cat > "$dir/registry.yml" <<YAML
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $dir/registry}, delete: {enabled: true}}
http: {addr: "127.0.0.1:$port"}
YAML
  setsid docker-registry serve "$dir/registry.yml" > "$dir/registry.log" 2>&1 &
  echo $! > "$dir/registry.pid"
  echo "$port" > "$dir/registry.port"
  local i
  for i in $(seq 100); do
    curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  tail -5 "$dir/registry.log" >&2
  die "registry did not answer on 127.0.0.1:$port"
}

start() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (containerd needs it)"
  command -v containerd >/dev/null || die "containerd missing: run scripts/setup.sh"
  if containerd_up; then
    log "already running in $dir"
    print_env
    return
  fi
  # A previous run that crashed: clean it up first.
  [[ -d $dir ]] && stop_all 1
  mkdir -p "$dir"
  local port
  port=$(free_port)
  write_config "$port"
  setsid containerd --config "$dir/config.toml" > "$dir/containerd.log" 2>&1 &
  echo $! > "$dir/containerd.pid"
  local i
  for i in $(seq 300); do
    ctr -a "$sock" version >/dev/null 2>&1 && break
    pid_alive "$dir/containerd.pid" || { tail -20 "$dir/containerd.log" >&2; die "containerd exited"; }
    sleep 0.1
  done
  containerd_up || { tail -20 "$dir/containerd.log" >&2; die "containerd did not answer on $sock within 30s"; }
  start_registry "$port"
  local registry=""
  [[ -f $dir/registry.port ]] && registry=127.0.0.1:$port
  CRILET_REGISTRY=$registry "$repo/scripts/build-images.sh" --address "$sock" >&2
  log "containerd $(ctr -a "$sock" version 2>/dev/null | awk '/Server/{s=1} s&&/Version/{print $2; exit}') running in $dir"
  print_env
}

# kill_by_cmdline PATTERN: ends processes whose command line contains PATTERN (our own dir), by PID.
kill_by_cmdline() {
  local pattern=$1 p cmdline
  for p in /proc/[0-9]*; do
    cmdline=$({ tr "\\0" " " < "$p/cmdline"; } 2>/dev/null) || continue
    [[ $cmdline == *"$pattern"* ]] || continue
    [[ ${p#/proc/} == "$$" ]] && continue
    kill -KILL "${p#/proc/}" 2>/dev/null || true
  done
}

stop_pid() {
  local file=$1 pid i
  [[ -f $file ]] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

stop_all() {
  local quiet=${1:-0}
  local netns=()
  if containerd_up; then
    local id ns
    for id in $(ctr -a "$sock" -n k8s.io containers ls -q 2>/dev/null); do
      ns=$(ctr -a "$sock" -n k8s.io containers info "$id" 2>/dev/null |
        jq -r '.Spec.linux.namespaces[]? | select(.type=="network") | .path // empty' 2>/dev/null || true)
      [[ -n $ns ]] && netns+=("$ns")
      ctr -a "$sock" -n k8s.io tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
    done
    sleep 0.2
    for id in $(ctr -a "$sock" -n k8s.io containers ls -q 2>/dev/null); do
      ctr -a "$sock" -n k8s.io tasks delete -f "$id" >/dev/null 2>&1 || true
      ctr -a "$sock" -n k8s.io containers delete "$id" >/dev/null 2>&1 || true
    done
  fi
  stop_pid "$dir/containerd.pid"
  stop_pid "$dir/registry.pid"
  # Shims and their containers outlive containerd; they name our socket or state dir on their command line.
  kill_by_cmdline "$dir/"
  local n
  for n in $(printf '%s\n' "${netns[@]}" | sort -u); do
    [[ $n == /var/run/netns/* || $n == /run/netns/* ]] || continue
    umount "$n" 2>/dev/null || umount -l "$n" 2>/dev/null || true
    rm -f "$n"
  done
  # Unmount everything below DIR, deepest first.
  local m
  for m in $(awk -v d="$dir/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | awk '{print length, $0}' | sort -rn | cut -d' ' -f2-); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  ip link del "$bridge" >/dev/null 2>&1 || true
  rm -rf "/var/lib/cni/networks/$network" "/var/lib/cni/results/$network"-* 2>/dev/null || true
  if ((keep == 0)); then rm -rf "$dir"; fi
  ((quiet)) || log "stopped; nothing left in $dir"
}

status() {
  if containerd_up; then echo "containerd: running (pid $(cat "$dir/containerd.pid")) at $sock"; else echo "containerd: not running"; fi
  if pid_alive "$dir/registry.pid"; then echo "registry: running on 127.0.0.1:$(registry_port)"; else echo "registry: not running"; fi
  containerd_up && ctr -a "$sock" -n k8s.io images ls -q 2>/dev/null | grep -v '^sha256:' | sed 's/^/image: /'
  return 0
}

case $cmd in
  start) start ;;
  stop) stop_all ;;
  status) status ;;
  env) print_env ;;
  *) echo "usage: $0 start|stop|status|env [DIR] [--keep]" >&2; exit 2 ;;
esac
