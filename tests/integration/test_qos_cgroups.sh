#!/usr/bin/env bash
# Kubelet's QoS cgroups on cgroup v1 with the cgroupfs driver: a Guaranteed, a Burstable and a BestEffort pod
# land in <root>/kubepods/pod<uid>, kubepods/burstable/pod<uid> and kubepods/besteffort/pod<uid> with kubelet's
# cpu.shares, cfs quota and memory limit; status.qosClass and describe's QoS Class; the pod cgroups go with the
# pods. A private --cgroup-root keeps the machine's /kubepods out of it and lets suites run side by side.
source "$(dirname "$0")/lib.sh"

CG=/sys/fs/cgroup
[[ -f $CG/cpu/cpu.shares && -f $CG/memory/memory.limit_in_bytes ]] || { echo "SKIP: needs cgroup v1 cpu and memory"; exit 77; }
CGROOT=crilet-it-qos-$$
CONTROLLERS=(cpu cpuacct cpuset memory pids)

# Removes what is left of the private root (after the pods and the lab are gone), then lib.sh's cleanup.
# runc creates the container cgroups (and so the root) in every hierarchy, blkio, devices, freezer... too.
remove_cgroup_root() {
  local h
  for h in "$CG"/*/; do
    [[ -d $h$CGROOT ]] || continue
    find "$h$CGROOT" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}
qos_cleanup() {
  local rc=$?
  if [[ -n $CRILET_PID ]] && kill -0 "$CRILET_PID" 2>/dev/null; then stop_crilet; fi
  "$CRILET_SOURCE_DIR/scripts/lab.sh" stop "$CRILET_LAB_DIR" >/dev/null 2>&1 || true
  remove_cgroup_root
  set +e  # so that the subshell only sets $? for lib.sh's cleanup
  (exit $rc)
  cleanup
}
trap qos_cleanup EXIT

# kubelet requires the cgroup root to exist; cpuset needs its CPUs and memory nodes before it takes tasks.
for c in "${CONTROLLERS[@]}"; do mkdir -p "$CG/$c/$CGROOT"; done
cat "$CG/cpuset/cpuset.cpus" > "$CG/cpuset/$CGROOT/cpuset.cpus"
cat "$CG/cpuset/cpuset.mems" > "$CG/cpuset/$CGROOT/cpuset.mems"

start_lab
start_crilet --cgroup-root "/$CGROOT"
K=$CGROOT/kubepods

# --- the QoS tiers ---
for c in "${CONTROLLERS[@]}"; do
  for d in "$K" "$K/burstable" "$K/besteffort"; do [[ -d $CG/$c/$d ]] || fail "no cgroup $c/$d"; done
done
[[ $(cat "$CG/cpu/$K/besteffort/cpu.shares") == 2 ]] || fail "besteffort cpu.shares $(cat "$CG/cpu/$K/besteffort/cpu.shares")"
[[ $(cat "$CG/cpu/$K/cpu.shares") == $(($(nproc) * 1024)) ]] || fail "kubepods cpu.shares $(cat "$CG/cpu/$K/cpu.shares")"
ok "kubepods, kubepods/burstable and kubepods/besteffort in ${CONTROLLERS[*]}; besteffort cpu.shares 2, kubepods the node's CPUs"

manifest guaranteed.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: guaranteed}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
    resources: {limits: {cpu: 250m, memory: 64Mi}}
YAML
manifest burstable.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: burstable}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
    resources: {requests: {cpu: 100m, memory: 32Mi}, limits: {memory: 96Mi}}
YAML
manifest besteffort.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: besteffort}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}
YAML
for p in guaranteed burstable besteffort; do
  wait_for "$p running" 60 pod_is "$p" '.status.phase == "Running"'
done
uid() { pod "$1" | jq -r .metadata.uid; }
G=$K/pod$(uid guaranteed)
B=$K/burstable/pod$(uid burstable)
E=$K/besteffort/pod$(uid besteffort)

pod_is guaranteed '.status.qosClass == "Guaranteed"' && pod_is burstable '.status.qosClass == "Burstable"' &&
  pod_is besteffort '.status.qosClass == "BestEffort"' || fail "qosClass: $(curl -s "http://127.0.0.1:$PORT/pods" | jq -c '[.items[].status.qosClass]')"
grep -qE "^QoS Class: +Burstable$" <<<"$(C describe pod burstable-node1)" || fail "describe: $(C describe pod burstable-node1)"
ok "status.qosClass Guaranteed, Burstable, BestEffort; describe shows QoS Class: Burstable"

# --- placement: each pod cgroup exists in every controller and holds its sandbox's and container's processes ---
for d in "$G" "$B" "$E"; do
  for c in "${CONTROLLERS[@]}"; do [[ -d $CG/$c/$d ]] || fail "no cgroup $c/$d"; done
  procs=$(cat "$CG/memory/$d"/*/cgroup.procs 2>/dev/null || true)
  procs=$(grep -c . <<<"$procs" || true)
  ((procs >= 2)) || fail "$d holds $procs processes (want the pause and the sleep): $(ls "$CG/memory/$d")"
done
cids=$(cri ps --name c -q)
cid=${cids%%$'\n'*}
[[ -n $cid ]] || fail "no container c"
found=$(for d in "$G" "$B" "$E"; do if [[ -d $CG/cpu/$d/$cid ]]; then echo "$d"; fi; done)
[[ -n $found ]] || fail "container $cid is in none of the pod cgroups"
ok "the sandbox and container of each pod run inside its pod cgroup (runtime placed them through the cgroup parent)"

# --- kubelet's values ---
v() { cat "$CG/$1/$2/$3"; }
[[ $(v cpu "$G" cpu.shares) == 256 && $(v cpu "$G" cpu.cfs_period_us) == 100000 && $(v cpu "$G" cpu.cfs_quota_us) == 25000 &&
   $(v memory "$G" memory.limit_in_bytes) == 67108864 ]] ||
  fail "guaranteed: shares $(v cpu "$G" cpu.shares) quota $(v cpu "$G" cpu.cfs_quota_us) memory $(v memory "$G" memory.limit_in_bytes)"
ok "Guaranteed pod cgroup: cpu.shares 256, cfs_quota_us 25000 per 100000, memory.limit_in_bytes 64Mi"
[[ $(v cpu "$B" cpu.shares) == 102 && $(v cpu "$B" cpu.cfs_quota_us) == -1 && $(v memory "$B" memory.limit_in_bytes) == 100663296 ]] ||
  fail "burstable: shares $(v cpu "$B" cpu.shares) quota $(v cpu "$B" cpu.cfs_quota_us) memory $(v memory "$B" memory.limit_in_bytes)"
ok "Burstable pod cgroup: cpu.shares 102 from the 100m request, no quota (no cpu limit), memory limit 96Mi (every container has one)"
[[ $(v cpu "$E" cpu.shares) == 2 && $(v cpu "$E" cpu.cfs_quota_us) == -1 && $(v memory "$E" memory.limit_in_bytes) -gt $((1 << 40)) ]] ||
  fail "besteffort: shares $(v cpu "$E" cpu.shares) quota $(v cpu "$E" cpu.cfs_quota_us) memory $(v memory "$E" memory.limit_in_bytes)"
[[ $(v cpu "$K/burstable" cpu.shares) == 102 ]] || fail "burstable tier shares $(v cpu "$K/burstable" cpu.shares)"
ok "BestEffort pod cgroup: cpu.shares 2, no quota, no memory limit; the burstable tier's shares follow its pods' requests (102)"

# --- removal ---
rm "$MANIFESTS"/*.yaml
gone() { for d in "$G" "$B" "$E"; do for h in "$CG"/*/; do [[ ! -d $h$d ]] || return 1; done; done; }
wait_for "the pods are removed" 60 bash -c "[[ \$(curl -sf http://127.0.0.1:$PORT/pods | jq '.items | length') == 0 ]]"
wait_for "the pod cgroups are removed" 30 gone
[[ $(v cpu "$K/burstable" cpu.shares) == 2 ]] || fail "burstable tier shares after removal $(v cpu "$K/burstable" cpu.shares)"
ok "after the manifests are removed the three pod cgroups are gone from every hierarchy (blkio, freezer... too); the burstable tier is back to 2 shares"

# --- --cgroups-per-qos=false keeps the old placement: --cgroup-root is the sandboxes' cgroup parent ---
stop_crilet
manifest flat.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: flat}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"], resources: {limits: {cpu: 100m, memory: 16Mi}}}
YAML
start_crilet --cgroups-per-qos=false --cgroup-root "/$CGROOT"
wait_for "flat running" 60 pod_is flat '.status.phase == "Running"'
fid=$(cri ps --name c -q)
[[ -d $CG/memory/$CGROOT/$fid && ! -d $CG/memory/$K/pod$(uid flat) ]] || fail "flat: $(ls "$CG/memory/$CGROOT")"
ok "--cgroups-per-qos=false: the container sits directly under --cgroup-root, no pod cgroup"
rm "$MANIFESTS/flat.yaml"
wait_for "flat removed" 60 bash -c "[[ \$(curl -sf http://127.0.0.1:$PORT/pods | jq '.items | length') == 0 ]]"

# --- node allocatable: kubeReserved/systemReserved on kubepods, their own cgroups enforced, podPidsLimit ---
stop_crilet
# kubelet wants the reserved cgroups to exist already, in every controller it manages and in systemd's hierarchy.
KUBE=/$CGROOT/kube.slice
SYSTEM=/$CGROOT/system.slice
for c in "${CONTROLLERS[@]}" systemd; do
  [[ -d $CG/$c ]] || continue
  mkdir -p "$CG/$c$KUBE" "$CG/$c$SYSTEM"
done
start_crilet --cgroup-root "/$CGROOT" --kube-reserved cpu=500m,memory=256Mi --kube-reserved pid=100 \
  --system-reserved cpu=250m,memory=128Mi --enforce-node-allocatable pods,kube-reserved,system-reserved \
  --kube-reserved-cgroup "$KUBE" --system-reserved-cgroup "$SYSTEM" --pod-max-pids 64
cpus=$(nproc)
mem=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) * 1024))
tasks=$(sort -n /proc/sys/kernel/pid_max /proc/sys/kernel/threads-max | head -1)
want_shares=$(((cpus * 1000 - 750) * 1024 / 1000))
want_mem=$(((mem - (384 << 20)) / 4096 * 4096))  # the kernel keeps whole pages
log "capacity: $cpus CPUs, $mem bytes, $tasks tasks; reserved: 750m, 384Mi, 100 tasks"
[[ $(v cpu "$K" cpu.shares) == "$want_shares" && $(v memory "$K" memory.limit_in_bytes) == "$want_mem" &&
   $(v pids "$K" pids.max) == $((tasks - 100)) ]] ||
  fail "kubepods: shares $(v cpu "$K" cpu.shares) (want $want_shares), memory $(v memory "$K" memory.limit_in_bytes) (want $want_mem), pids $(v pids "$K" pids.max) (want $((tasks - 100)))"
ok "kubepods: cpu.shares $want_shares, memory.limit_in_bytes $want_mem, pids.max $((tasks - 100)): capacity less kubeReserved and systemReserved"
[[ $(v cpu "$KUBE" cpu.shares) == 512 && $(v memory "$KUBE" memory.limit_in_bytes) == $((256 << 20)) &&
   $(v pids "$KUBE" pids.max) == 100 ]] ||
  fail "kube-reserved cgroup: shares $(v cpu "$KUBE" cpu.shares) memory $(v memory "$KUBE" memory.limit_in_bytes) pids $(v pids "$KUBE" pids.max)"
[[ $(v cpu "$SYSTEM" cpu.shares) == 256 && $(v memory "$SYSTEM" memory.limit_in_bytes) == $((128 << 20)) &&
   $(v pids "$SYSTEM" pids.max) == max ]] ||
  fail "system-reserved cgroup: shares $(v cpu "$SYSTEM" cpu.shares) memory $(v memory "$SYSTEM" memory.limit_in_bytes) pids $(v pids "$SYSTEM" pids.max)"
grep -q "Updated limits on kube reserved cgroup $KUBE" "$T/crilet.log" || fail "no enforcement log line"
ok "$KUBE: cpu.shares 512, memory 256Mi, pids.max 100; $SYSTEM: cpu.shares 256, memory 128Mi, pids.max max"

# Admission reads allocatable: capacity less the reservations less the 100Mi eviction threshold.
allocatable=$((cpus * 1000 - 750))
manifest big.yaml <<YAML
apiVersion: v1
kind: Pod
metadata: {name: big}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"], resources: {requests: {cpu: $((allocatable + 1))m}}}
YAML
manifest pids.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: pids}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}
YAML
wait_for "big rejected" 30 pod_is big '.status.phase == "Failed"'
pod_is big ".status.reason == \"OutOfcpu\" and (.status.message | endswith(\"capacity: $allocatable\"))" ||
  fail "big: $(pod big | jq -c '.status | {reason, message}')"
wait_for "pids running" 60 pod_is pids '.status.phase == "Running"'
P=$K/besteffort/pod$(uid pids)
[[ $(v pids "$P" pids.max) == 64 ]] || fail "pod pids.max $(v pids "$P" pids.max)"
ok "a pod asking for $((allocatable + 1))m of $allocatable allocatable is OutOfcpu; --pod-max-pids 64 is the pod cgroup's pids.max"
rm "$MANIFESTS"/*.yaml
wait_for "pods removed" 60 bash -c "[[ \$(curl -sf http://127.0.0.1:$PORT/pods | jq '.items | length') == 0 ]]"
stop_crilet

# A reserved cgroup that does not exist stops crilet run, in kubelet's words.
rc=0
timeout 20 "$CRILET_BIN" run --pod-manifest-path "$MANIFESTS" --container-runtime-endpoint "$CRILET_RUNTIME_ENDPOINT" \
  --root-dir "$ROOT" --pod-logs-dir "$LOGS" --hostname-override node1 --read-only-port 0 --healthz-port 0 \
  --cgroup-root "/$CGROOT" --kube-reserved memory=64Mi --enforce-node-allocatable pods,kube-reserved \
  --kube-reserved-cgroup "/$CGROOT/missing.slice" >"$T/missing.log" 2>&1 || rc=$?
want="Failed to start ContainerManager: Failed to enforce Kube Reserved Cgroup Limits on \"/$CGROOT/missing.slice\": [\"$CGROOT\" \"missing.slice\"] cgroup does not exist"
[[ $rc == 1 ]] && grep -qF "$want" "$T/missing.log" || fail "missing kube-reserved cgroup: exit $rc, $(tail -3 "$T/missing.log")"
ok "a --kube-reserved-cgroup that does not exist: exit 1, '$want'"
