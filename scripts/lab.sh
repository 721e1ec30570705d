#!/usr/bin/env bash
# The lab: a private containerd plus a loopback image registry under one directory, for crilet's tests, demos and benchmarks.
#
#   scripts/lab.sh start  [DIR]          start the registry and containerd, import and push the test images,
#                                        print the environment (idempotent: a healthy lab is left running)
#   scripts/lab.sh env    [DIR]          print `export` lines: CONTAINERD_ADDRESS, CRILET_RUNTIME_ENDPOINT,
#                                        CRILET_REGISTRY, CRILET_LAB_DIR  (use: eval "$(scripts/lab.sh env)")
#   scripts/lab.sh status [DIR]          say what runs
#   scripts/lab.sh kill-containerd [DIR]   SIGKILL this lab's containerd only (shims and containers live on)
#   scripts/lab.sh start-containerd [DIR]  start it again on the same root, state and socket
#   scripts/lab.sh stop   [DIR] [--keep] kill every container, stop containerd, its shims and the registry,
#                                        tear down pod networks, unmount, delete the bridge, remove DIR
#                                        (kept with --keep); safe when nothing runs
#
# DIR defaults to $CRILET_LAB_DIR or /tmp/crilet-lab. Environment: CRILET_LAB_BRIDGE (lab0) and
# CRILET_LAB_SUBNET (10.88.0.0/16) for the pod network, CRILET_REGISTRY_PORT (5000; the next free port if
# taken). Every registry name (docker.io, localhost, quay.io, ..., and the `_default` fallback) resolves to
# the lab registry on 127.0.0.1 through DIR/certs.d, so no pull can leave the machine.
# Only processes this lab started are ended, each by its PID after checking its command line.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runc_root=/run/containerd/runc # runc's state for containerd's runc v2 shim: runc_root/NAMESPACE/ID
netns_dir=/var/run/netns       # where containerd 1.6's CRI creates pod network namespaces (cni-UUID)
cni_bin=/usr/lib/cni
cni_cache=/var/lib/cni/results
ipam_dir=/var/lib/cni/networks # host-local IPAM: one directory per network name
# Registry names whose pulls are redirected to the lab registry; `_default` catches all other names
# (containerd 1.6.20 honours it, checked with a pull of 127.0.0.1:1/...).
registries=(docker.io registry-1.docker.io index.docker.io localhost quay.io registry.k8s.io k8s.gcr.io gcr.io
  ghcr.io mcr.microsoft.com public.ecr.aws _default)

log() { echo "lab: $*" >&2; }
warn() { echo "lab: warning: $*" >&2; }
die() { echo "lab: error: $*" >&2; exit 1; }
usage() {
  echo "usage: $0 start|stop|status|env|kill-containerd|start-containerd [DIR] [--keep]" >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------------
# Arguments and settings

cmd=""
dir=${CRILET_LAB_DIR:-/tmp/crilet-lab}
keep=0

parse_args() {
  (($#)) || usage
  cmd=$1
  shift
  local arg
  for arg in "$@"; do
    case $arg in
      --keep) keep=1 ;;
      -h | --help) usage ;;
      -*) log "unknown option $arg"; usage ;;
      *) dir=$arg ;;
    esac
  done
  [[ -n $dir ]] || die "empty lab directory"
  dir=$(realpath -m "$dir")
  case $dir in
    / | /tmp | /var | /var/* | /run | /run/* | /usr | /usr/* | /etc | /etc/* | /root | /home | /proc/* | /sys/* | /dev/*)
      die "refusing to use $dir as the lab directory" ;;
  esac
  sock=$dir/containerd.sock
  # A running lab keeps the settings it was started with (stop must clean up what start made).
  bridge=$(saved_setting BRIDGE "${CRILET_LAB_BRIDGE:-lab0}")
  subnet=$(saved_setting SUBNET "${CRILET_LAB_SUBNET:-10.88.0.0/16}")
  network=crilet-$bridge
}

# saved_setting KEY DEFAULT: KEY from DIR/lab.env (written by start), else DEFAULT.
saved_setting() {
  local value=""
  if [[ -f $dir/lab.env ]]; then
    value=$(sed -n "s/^$1=//p" "$dir/lab.env")
  fi
  echo "${value:-$2}"
}

registry_port() { saved_setting REGISTRY_PORT ""; }

# is_lab_dir: DIR was made by this script (its config names DIR's socket), so it may be cleaned and removed.
is_lab_dir() { [[ -f $dir/config.toml ]] && grep -qF "address = \"$sock\"" "$dir/config.toml"; }

check_lab_dir() {
  if [[ -e $dir ]] && ! is_lab_dir && [[ -n $(ls -A "$dir" 2>/dev/null) ]]; then
    die "$dir exists, is not empty and is not a lab directory (no config.toml for $sock); not touching it"
  fi
}

require_root() { [[ $(id -u) -eq 0 ]] || die "must run as root (containerd, network namespaces, mounts)"; }

require_tools() {
  local tool
  for tool in containerd containerd-shim-runc-v2 ctr runc docker-registry curl jq ip ss setsid; do
    command -v "$tool" >/dev/null || die "$tool is missing: run scripts/setup.sh"
  done
  [[ -x $cni_bin/bridge && -x $cni_bin/host-local && -x $cni_bin/portmap ]] ||
    die "CNI plugins missing in $cni_bin: run scripts/setup.sh (containernetworking-plugins)"
}

# ---------------------------------------------------------------------------------------------------
# Processes: each is identified by its PID file, and checked by its command line before any signal.

# read_cmdline PID: sets `cmdline` to the process's command line, arguments joined by spaces and followed
# by one (empty if the process is gone). No subshell: /proc is scanned with it.
cmdline=""
read_cmdline() {
  local -a args=()
  cmdline=""
  mapfile -d '' args 2>/dev/null < "/proc/$1/cmdline" || return 0
  ((${#args[@]})) && cmdline="${args[*]} "
  return 0
}

is_our_containerd() {
  read_cmdline "$1"
  [[ $cmdline == containerd\ * && $cmdline == *"--config $dir/config.toml "* ]]
}

is_our_registry() {
  read_cmdline "$1"
  [[ $cmdline == *docker-registry\ serve\ "$dir/registry.yml "* ]]
}

# is_our_shim PID: a runc v2 shim that our containerd started (it names our socket).
is_our_shim() {
  read_cmdline "$1"
  [[ $cmdline == *containerd-shim-runc-v2\ * && $cmdline == *"-address $sock "* ]]
}

# pid_from FILE CHECK: the PID recorded in FILE if that process is alive and passes CHECK.
pid_from() {
  local file=$1 check=$2 pid
  [[ -f $file ]] || return 1
  pid=$(cat "$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  "$check" "$pid" || return 1
  echo "$pid"
}

containerd_pid() { pid_from "$dir/containerd.pid" is_our_containerd; }
registry_pid() { pid_from "$dir/registry.pid" is_our_registry; }

# processes_matching CHECK: PIDs of all processes that pass CHECK (used for our shims only).
processes_matching() {
  local proc pid
  for proc in /proc/[0-9]*; do
    pid=${proc#/proc/}
    [[ $pid == "$$" ]] && continue
    if "$1" "$pid"; then echo "$pid"; fi
  done
}

# end_process PID CHECK NAME: SIGTERM, wait up to 10 s, then SIGKILL; only while CHECK still holds.
end_process() {
  local pid=$1 check=$2 name=$3 i
  "$check" "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    "$check" "$pid" || return 0
    sleep 0.1
  done
  warn "$name (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    "$check" "$pid" || return 0
    sleep 0.1
  done
  warn "$name (pid $pid) is still there after SIGKILL"
}

ctr_lab() { timeout 30 ctr -a "$sock" "$@"; }
containerd_answers() { timeout 5 ctr -a "$sock" version >/dev/null 2>&1; }
containerd_up() { containerd_pid >/dev/null && containerd_answers; }

registry_up() {
  local port
  port=$(registry_port)
  [[ -n $port ]] && registry_pid >/dev/null &&
    curl -fsS --noproxy '*' --max-time 3 -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null
}

# ---------------------------------------------------------------------------------------------------
# Configuration files

write_containerd_config() {
  mkdir -p "$dir/root" "$dir/state" "$dir/cni-conf" "$dir/certs.d"
  cat > "$dir/config.toml" <<TOML
# containerd for crilet's lab (scripts/lab.sh); everything lives under $dir.
version = 2
root = "$dir/root"
state = "$dir/state"
[grpc]
  address = "$sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/pause:3.9"
  # This VM lacks CAP_SYS_RESOURCE: runc cannot lower a sandbox's oom_score_adj below containerd's own.
  restrict_oom_score_adj = true
  # CRI's streaming server (exec, attach, port-forward) on loopback only.
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$cni_bin"
    conf_dir = "$dir/cni-conf"
  [plugins."io.containerd.grpc.v1.cri".registry]
    # Every registry name is mapped to the lab registry on loopback (certs.d/NAME/hosts.toml).
    config_path = "$dir/certs.d"
TOML
}

write_cni_config() {
  # No default route and no masquerading on purpose: pods reach only this machine.
  cat > "$dir/cni-conf/10-lab.conflist" <<JSON
{"cniVersion": "1.0.0", "name": "$network", "plugins": [
  {"type": "bridge", "bridge": "$bridge", "isGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$subnet"}]], "routes": [{"dst": "$subnet"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
JSON
}

# write_hosts_config PORT: certs.d/NAME/hosts.toml for every registry name. With `server` set there is no
# fallback to the real registry: a missing image fails fast with "not found".
write_hosts_config() {
  local port=$1 name
  for name in "${registries[@]}"; do
    mkdir -p "$dir/certs.d/$name"
    cat > "$dir/certs.d/$name/hosts.toml" <<TOML
# $name -> the lab registry (scripts/lab.sh): no pull leaves this machine.
server = "http://127.0.0.1:$port"
[host."http://127.0.0.1:$port"]
  capabilities = ["pull", "resolve"]
TOML
  done
}

write_settings() {
  cat > "$dir/lab.env" <<ENV
BRIDGE=$bridge
SUBNET=$subnet
REGISTRY_PORT=$1
ENV
}

write_registry_config() {
  local port=$1
  mkdir -p "$dir/registry"
  cat > "$dir/registry.yml" <<YAML
# Debian's docker-registry for crilet's lab (scripts/lab.sh): loopback only, storage under $dir.
version: 0.1
log: {level: warn, formatter: text}
storage:
  filesystem: {rootdirectory: $dir/registry}
  delete: {enabled: true}
http: {addr: "127.0.0.1:$port"}
YAML
}

# ---------------------------------------------------------------------------------------------------
# start

port_in_use() { [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]]; }

# listening_pid_is PORT PID: the listener on 127.0.0.1:PORT is process PID (not another lab's registry).
listening_pid_is() { [[ $(ss -Hltnp "sport = :$1" 2>/dev/null) == *"pid=$2,"* ]]; }

# launch_registry PORT: starts the registry on PORT; succeeds once it answers there, fails if it exits.
launch_registry() {
  local port=$1 pid i
  write_registry_config "$port"
  : > "$dir/registry.log"
  setsid docker-registry serve "$dir/registry.yml" >> "$dir/registry.log" 2>&1 < /dev/null &
  pid=$!
  echo "$pid" > "$dir/registry.pid"
  for ((i = 0; i < 150; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    if curl -fsS --noproxy '*' --max-time 1 -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null &&
      listening_pid_is "$port" "$pid"; then
      return 0
    fi
    sleep 0.1
  done
  tail -20 "$dir/registry.log" >&2
  end_process "$pid" is_our_registry registry
  die "the registry (pid $pid) did not answer on http://127.0.0.1:$port/v2/ within 15 s (log: $dir/registry.log)"
}

# start_registry [PREFERRED_PORT]: CRILET_REGISTRY_PORT (5000) or the next free port; retries when another
# process takes the port between the check and the bind.
start_registry() {
  local port=${1:-${CRILET_REGISTRY_PORT:-5000}} last
  [[ $port =~ ^[0-9]+$ ]] || die "CRILET_REGISTRY_PORT=$port is not a port number"
  last=$((port + 100))
  for (( ; port <= last; port++)); do
    port_in_use "$port" && continue
    if launch_registry "$port"; then
      write_hosts_config "$port"
      write_settings "$port"
      log "registry (pid $(cat "$dir/registry.pid")) serves http://127.0.0.1:$port"
      return 0
    fi
    if ! grep -q "address already in use" "$dir/registry.log"; then
      tail -20 "$dir/registry.log" >&2
      die "the registry exited at start (log: $dir/registry.log)"
    fi
  done
  die "no free port for the registry in $((last - 100))-$last"
}

start_containerd() {
  local pid i
  setsid containerd --config "$dir/config.toml" > "$dir/containerd.log" 2>&1 < /dev/null &
  pid=$!
  echo "$pid" > "$dir/containerd.pid"
  for ((i = 0; i < 300; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -30 "$dir/containerd.log" >&2
      die "containerd exited at start (log: $dir/containerd.log)"
    fi
    if containerd_answers; then
      is_our_containerd "$pid" || die "pid $pid answering on $sock is not our containerd"
      log "containerd $(containerd --version | awk '{print $3}') (pid $pid) serves $sock"
      return 0
    fi
    sleep 0.1
  done
  tail -30 "$dir/containerd.log" >&2
  end_process "$pid" is_our_containerd containerd
  die "containerd (pid $pid) did not answer on $sock within 30 s (log: $dir/containerd.log)"
}

import_images() {
  CRILET_REGISTRY=127.0.0.1:$(registry_port) "$repo/scripts/build-images.sh" --address "$sock" ||
    die "scripts/build-images.sh failed to import or push the test images"
}

start() {
  require_root
  require_tools
  check_lab_dir
  if containerd_up && registry_up; then
    log "already running in $dir"
    import_images
    print_env
    return 0
  fi
  if containerd_up; then
    log "containerd runs but the registry does not; restarting the registry"
    local old_pid
    if old_pid=$(registry_pid); then end_process "$old_pid" is_our_registry registry; fi
    start_registry "$(registry_port)"
    import_images
    print_env
    return 0
  fi
  if [[ -e $dir ]]; then
    log "cleaning up what a previous run left in $dir"
    keep=0
    cleanup_lab
  fi
  mkdir -p "$dir"
  write_containerd_config
  write_cni_config
  start_registry
  start_containerd
  import_images
  log "ready in $dir (pod network $network: bridge $bridge, $subnet)"
  print_env
}

# ---------------------------------------------------------------------------------------------------
# env and status

print_env() {
  echo "export CRILET_LAB_DIR=$dir"
  echo "export CONTAINERD_ADDRESS=$sock"
  echo "export CRILET_RUNTIME_ENDPOINT=unix://$sock"
  local port
  port=$(registry_port)
  if [[ -n $port ]]; then
    echo "export CRILET_REGISTRY=127.0.0.1:$port"
  fi
}

status() {
  local pid running=0
  if pid=$(containerd_pid) && containerd_answers; then
    echo "containerd: running (pid $pid) at $sock"
    running=1
  elif pid=$(containerd_pid); then
    echo "containerd: process $pid exists but does not answer on $sock"
  else
    echo "containerd: not running"
  fi
  if registry_up; then
    echo "registry: running (pid $(registry_pid)) at http://127.0.0.1:$(registry_port)"
  else
    echo "registry: not running"
  fi
  if ip link show "$bridge" >/dev/null 2>&1; then
    echo "bridge: $bridge ($(ip -o link show master "$bridge" 2>/dev/null | wc -l) ports)"
  else
    echo "bridge: $bridge absent"
  fi
  local shims
  shims=$(processes_matching is_our_shim | wc -l)
  echo "shims: $shims"
  if ((running)); then
    local namespace
    for namespace in $(ctr_lab namespaces ls -q 2>/dev/null); do
      echo "namespace $namespace: $(ctr_lab -n "$namespace" containers ls -q 2>/dev/null | wc -l) containers," \
        "$(ctr_lab -n "$namespace" tasks ls 2>/dev/null | grep -c RUNNING || true) running tasks"
    done
    ctr_lab -n k8s.io images ls -q 2>/dev/null | grep -v '^sha256:' | sed 's/^/image: /' || true
  fi
}

# ---------------------------------------------------------------------------------------------------
# stop

# our_sandbox_ids: pod sandboxes our containerd's CRI made (their directories under DIR).
our_sandbox_ids() {
  local d
  for d in "$dir"/root/io.containerd.grpc.v1.cri/sandboxes/* "$dir"/state/io.containerd.grpc.v1.cri/sandboxes/*; do
    [[ -d $d ]] && basename "$d"
  done | sort -u
}

# our_netns: network namespaces our containerd made: the paths that its task specs, its metadata and the
# CNI results of its sandboxes mention. Called before anything is deleted.
our_netns() {
  local files=()
  local f id
  for f in "$dir"/state/io.containerd.runtime.v2.task/*/*/config.json "$dir"/root/io.containerd.metadata.v1.bolt/meta.db; do
    [[ -f $f ]] && files+=("$f")
  done
  for id in $(our_sandbox_ids); do
    for f in "$cni_cache"/*-"$id"-*; do
      [[ -f $f ]] && files+=("$f")
    done
  done
  ((${#files[@]})) || return 0
  grep -aoh "$netns_dir/cni-[0-9a-f-]*" "${files[@]}" 2>/dev/null | sort -u || true
}

# remove_all_containers: through containerd: SIGKILL every task, delete tasks and containers, in every
# namespace (k8s.io is CRI's).
remove_all_containers() {
  local namespace id i tasks
  for namespace in $(ctr_lab namespaces ls -q 2>/dev/null); do
    for id in $(ctr_lab -n "$namespace" tasks ls -q 2>/dev/null); do
      ctr_lab -n "$namespace" tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
    done
    for ((i = 0; i < 50; i++)); do
      tasks=$(ctr_lab -n "$namespace" tasks ls 2>/dev/null | awk 'NR > 1 && $3 != "STOPPED"') || true
      [[ -z $tasks ]] && break
      sleep 0.1
    done
    for id in $(ctr_lab -n "$namespace" tasks ls -q 2>/dev/null); do
      ctr_lab -n "$namespace" tasks delete --force "$id" >/dev/null 2>&1 ||
        warn "cannot delete task $id in namespace $namespace"
    done
    for id in $(ctr_lab -n "$namespace" containers ls -q 2>/dev/null); do
      ctr_lab -n "$namespace" containers delete "$id" >/dev/null 2>&1 ||
        warn "cannot delete container $id in namespace $namespace"
    done
  done
}

# remove_orphan_tasks: after a crash of containerd its shims and containers live on. For every task
# bundle under DIR/state: runc kills the container's processes and deletes it (only if runc's record
# names our bundle), then the shim is killed and its socket removed.
remove_orphan_tasks() {
  local bundle namespace id recorded address
  for bundle in "$dir"/state/io.containerd.runtime.v2.task/*/*; do
    [[ -d $bundle ]] || continue
    id=$(basename "$bundle")
    namespace=$(basename "$(dirname "$bundle")")
    recorded=$(runc --root "$runc_root/$namespace" state "$id" 2>/dev/null | jq -r '.bundle // empty' 2>/dev/null || true)
    if [[ $recorded == "$bundle" ]]; then
      runc --root "$runc_root/$namespace" delete --force "$id" >/dev/null 2>&1 ||
        warn "runc could not delete container $id ($namespace)"
    fi
    address=$(cat "$bundle/address" 2>/dev/null || true)
    address=${address#unix://}
    if [[ $address == /run/containerd/s/* && -S $address ]]; then
      rm -f "$address"
    fi
  done
}

kill_our_shims() {
  local pid
  for pid in $(processes_matching is_our_shim); do
    log "ending leftover shim $pid"
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# cni_del CACHE_FILE NETNS: CNI DEL from libcni's cached ADD (what CRI's StopPodSandbox would do):
# each plugin of the cached config list, in reverse order, with the cached result as prevResult. This
# releases the pod's IP and removes portmap's iptables rules.
cni_del() {
  local cache=$1 netns=$2 conf id ifname version name args count i plugin input type output
  conf=$(jq -r '.config | @base64d' "$cache") || return 1
  id=$(jq -r .containerId "$cache")
  ifname=$(jq -r .ifName "$cache")
  version=$(jq -r .cniVersion <<<"$conf")
  name=$(jq -r .name <<<"$conf")
  args=$(jq -r '[.cniArgs[]? | "\(.[0])=\(.[1])"] | join(";")' "$cache")
  count=$(jq '.plugins | length' <<<"$conf")
  [[ -e $netns ]] || netns=""
  for ((i = count - 1; i >= 0; i--)); do
    plugin=$(jq -c ".plugins[$i]" <<<"$conf")
    type=$(jq -r .type <<<"$plugin")
    input=$(jq -c --arg name "$name" --arg version "$version" --slurpfile cache "$cache" '
      . as $p | $p + {name: $name, cniVersion: $version, prevResult: $cache[0].result}
      | if ($p.capabilities // {}) | length > 0 then
          .runtimeConfig = ($cache[0].capabilityArgs // {} | with_entries(select($p.capabilities[.key] == true)))
        else . end' <<<"$plugin")
    if ! output=$(CNI_COMMAND=DEL CNI_CONTAINERID=$id CNI_NETNS=$netns CNI_IFNAME=$ifname \
      CNI_ARGS=$args CNI_PATH=$cni_bin "$cni_bin/$type" <<<"$input" 2>&1); then
      warn "CNI DEL of $type for sandbox ${id:0:13} failed: $output"
    fi
  done
  rm -f "$cache"
}

# teardown_pod_networks NETNS...: for each sandbox of ours still attached to a network, CNI DEL; then
# remove the network namespaces NETNS (ours, from our_netns). Other containerds' are left alone.
teardown_pod_networks() {
  local id cache netns
  local -A ns_of=()
  for netns in "$@"; do ns_of[$netns]=1; done
  for id in $(our_sandbox_ids); do
    for cache in "$cni_cache"/*-"$id"-*; do
      [[ -f $cache ]] || continue
      if [[ $(jq -r .networkName "$cache" 2>/dev/null) == cni-loopback ]]; then
        rm -f "$cache" # loopback needs no DEL once its namespace is gone
        continue
      fi
      netns=$(jq -r '[.result.interfaces[]?.sandbox // empty][0] // empty' "$cache" 2>/dev/null || true)
      [[ -n $netns ]] && ns_of[$netns]=1
      cni_del "$cache" "$netns" || warn "cannot read CNI cache $cache"
    done
  done
  for netns in "${!ns_of[@]}"; do
    [[ $netns == "$netns_dir"/cni-* && -e $netns ]] || continue
    ip netns delete "$(basename "$netns")" 2>/dev/null || {
      umount -l "$netns" 2>/dev/null || true
      rm -f "$netns"
    }
  done
  release_ipam_leftovers
}

# release_ipam_leftovers: host-local reservations of our sandboxes that DEL did not release, then the
# network's IPAM directory once nothing else is reserved there.
release_ipam_leftovers() {
  local net=$ipam_dir/$network f others=0
  [[ -d $net ]] || return 0
  local -A ours=()
  local id
  for id in $(our_sandbox_ids); do ours[$id]=1; done
  for f in "$net"/*; do
    case $(basename "$f") in
      lock | last_reserved_ip.*) continue ;;
    esac
    if [[ -n ${ours[$(head -1 "$f" 2>/dev/null | tr -d '[:space:]')]:-} ]]; then
      rm -f "$f"
    else
      others=1
    fi
  done
  if ((others == 0)); then
    rm -rf "$net"
  fi
}

# unmount_below_dir: every mount point under DIR, deepest first; lazily if busy.
unmount_below_dir() {
  local mounts m
  mounts=$(awk -v d="$dir/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo |
    while read -r m; do printf '%b\n' "$m"; done | awk -F/ '{print NF, $0}' | sort -rn | cut -d' ' -f2-)
  [[ -n $mounts ]] || return 0
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || warn "cannot unmount $m"
  done <<<"$mounts"
}

delete_bridge() {
  ip link show "$bridge" >/dev/null 2>&1 || return 0
  if [[ -n $(ip -o link show master "$bridge" 2>/dev/null) ]]; then
    warn "bridge $bridge still has ports (another lab's pods?); leaving it"
    return 0
  fi
  ip link delete "$bridge" 2>/dev/null || warn "cannot delete bridge $bridge"
}

# cleanup_lab: everything stop does, in order. Each step copes with its part not running.
cleanup_lab() {
  local pid netns
  netns=$(our_netns)
  if containerd_up; then
    remove_all_containers
  fi
  if pid=$(containerd_pid); then
    end_process "$pid" is_our_containerd containerd
  fi
  remove_orphan_tasks
  kill_our_shims
  # shellcheck disable=SC2086 # one word per path
  teardown_pod_networks $netns
  if pid=$(registry_pid); then
    end_process "$pid" is_our_registry registry
  fi
  unmount_below_dir
  delete_bridge
  rm -f "$dir/containerd.pid" "$dir/registry.pid"
  if ((keep == 0)); then
    rm -rf --one-file-system "$dir" || die "cannot remove $dir"
  fi
}

# leftovers: what should be gone after stop (printed; empty when clean).
leftovers() {
  local pid
  if pid=$(containerd_pid); then echo "containerd $pid"; fi
  if pid=$(registry_pid); then echo "registry $pid"; fi
  for pid in $(processes_matching is_our_shim); do echo "shim $pid"; done
  awk -v d="$dir/" 'index($5, d) == 1 {print "mount " $5}' /proc/self/mountinfo
  if ip link show "$bridge" >/dev/null 2>&1 && [[ -z $(ip -o link show master "$bridge" 2>/dev/null) ]]; then
    echo "bridge $bridge"
  fi
}

stop() {
  require_root
  check_lab_dir
  cleanup_lab
  local left
  left=$(leftovers)
  [[ -z $left ]] || die "stop left behind: $(tr '\n' ',' <<<"$left")"
  if ((keep)); then log "stopped; kept $dir"; else log "stopped; removed $dir"; fi
}

# kill-containerd / start-containerd: a runtime crash and its restart, for tests/fault.
kill_containerd() {
  require_root
  check_lab_dir
  local pid
  pid=$(containerd_pid) || die "containerd of $dir does not run"
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  log "killed containerd (pid $pid)"
}

restart_containerd() {
  require_root
  check_lab_dir
  if containerd_up; then log "containerd already runs"; return 0; fi
  start_containerd
}

main() {
  parse_args "$@"
  case $cmd in
    start) start ;;
    kill-containerd) kill_containerd ;;
    start-containerd) restart_containerd ;;
    stop) stop ;;
    status) status ;;
    env) print_env ;;
    *) usage ;;
  esac
}

main "$@"
