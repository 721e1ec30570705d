# Shared helpers for crilet's fault tests: the integration helpers plus round counts, process gauges and leak checks.
# CRILET_FAULT=full (scripts/test.sh --fault) runs every round; otherwise the short form CI runs.
# Each test prints what it injected ("inject: ...") and what it found ("found: ..."), as numbers.
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

FAULT_LEVEL=${CRILET_FAULT:-short}
# rounds FULL SHORT: how many rounds this level runs.
rounds() { if [[ $FAULT_LEVEL == full ]]; then echo "$1"; else echo "$2"; fi; }
inject() { echo "inject: $*"; }
found() { echo "found: $*"; }

# gauges PID: "fds=N threads=N rss_kb=N peak_rss_kb=N" of a running process.
gauges() {
  local pid=$1 fds threads rss hwm
  fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
  echo "fds=$fds threads=$threads rss_kb=$rss peak_rss_kb=$hwm"
}
gauge() { gauges "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'; }

# Host-side leftovers of pods: mounts under the test dir, netns of this lab's sandboxes, IPAM leases of the
# test network. Each prints a count.
mounts_under() { awk -v d="$1/" 'index($5, d) == 1' /proc/self/mountinfo | wc -l; }
ipam_leases() {
  local d=/var/lib/cni/networks/crilet-$CRILET_LAB_BRIDGE
  [[ -d $d ]] || { echo 0; return; }
  find "$d" -maxdepth 1 -type f -name '[0-9]*' | wc -l
}
# dir_entries DIR: how many entries DIR holds (0 when it does not exist).
dir_entries() { find "$1" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

# record_netns: remembers the network namespace of every sandbox the runtime holds now (in NETNS, by
# sandbox ID), so netns_left can tell later whether any outlived its sandbox.
declare -A NETNS=()
record_netns() {
  local id p
  for id in $(cri pods -o json | jq -r '.[].id'); do
    [[ -n ${NETNS[$id]:-} ]] && continue
    p=$(timeout 10 ctr -a "$CONTAINERD_ADDRESS" -n k8s.io containers info "$id" | jq -r '.Spec.linux.namespaces[] | select(.type == "network") | .path // empty')
    if [[ -n $p ]]; then NETNS[$id]=$p; fi  # hostNetwork sandboxes have none
  done
}
netns_left() {
  local n=0 p
  for p in "${NETNS[@]}"; do [[ -e $p ]] && n=$((n + 1)); done
  echo "$n"
}
