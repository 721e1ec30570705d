# Shared helpers for crilet's fault tests: the integration helpers plus round counts, process gauges and leak checks.
# CRILET_FAULT=full (scripts/test.sh --fault) runs every round; otherwise the short form CI runs.
# Each test prints what it injected ("inject: ...") and what it found ("found: ..."), as numbers.
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"
eval "_integration_$(declare -f start_lab)"

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
# Leases are counted by their owner (the sandbox ID on a lease file's first line), leaving out those that were
# there before this test's lab started: an earlier test's leftovers are reported once by start_lab, not
# counted as this test's leak.
ipam_owners() {
  local d=/var/lib/cni/networks/crilet-$CRILET_LAB_BRIDGE f
  [[ -d $d ]] || return 0
  for f in "$d"/[0-9]*; do
    [[ -f $f ]] && echo "$(head -1 "$f" | tr -d '[:space:]') $(basename "$f")"
  done
}
declare -A IPAM_BEFORE=()
ipam_leases() {
  local owner ip n=0
  while read -r owner ip; do
    [[ -n $owner && -z ${IPAM_BEFORE[$owner]:-} ]] && n=$((n + 1))
  done < <(ipam_owners)
  echo "$n"
}
# ipam_leaked: "IP(sandbox ID)" of each lease ipam_leases counts, for a failure message.
ipam_leaked() {
  local owner ip
  while read -r owner ip; do
    [[ -n $owner && -z ${IPAM_BEFORE[$owner]:-} ]] && printf '%s(%.13s) ' "$ip" "$owner"
  done < <(ipam_owners)
}
start_lab() {
  local owner ip
  _integration_start_lab
  while read -r owner ip; do
    [[ -n $owner ]] && IPAM_BEFORE[$owner]=1
  done < <(ipam_owners)
  if ((${#IPAM_BEFORE[@]})); then
    found "${#IPAM_BEFORE[@]} IPAM leases in network crilet-$CRILET_LAB_BRIDGE before this test started (left by an earlier run; not counted)"
  fi
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
