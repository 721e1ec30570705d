#!/usr/bin/env bash
# crilet SIGKILLed 0-1 s after a change, round after round: after each restart nothing is duplicated, lost or leaked.
# Pods: init container + sidecar + emptyDir + probe on the pod network, hostNetwork + hostPath, a crash loop,
# and temporary pods that each round adds, edits or removes. 50 rounds in full, 6 in the short form.
source "$(dirname "$0")/lib.sh"

ROUNDS=$(rounds 50 6)
start_lab
BACKOFF_INITIAL=2s BACKOFF_MAX=16s
start_crilet
mkdir -p "$T/hostdata"

manifest web.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  terminationGracePeriodSeconds: 1
  initContainers:
  - {name: prep, image: docker.io/library/busybox:1.36, command: [sh, -c, "touch /work/ready"], volumeMounts: [{name: w, mountPath: /work}]}
  - {name: side, image: docker.io/library/busybox:1.36, restartPolicy: Always, command: [sleep, "3600"]}
  containers:
  - name: app
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
    volumeMounts: [{name: w, mountPath: /work}]
    readinessProbe: {exec: {command: [cat, /work/ready]}, periodSeconds: 1}
  volumes: [{name: w, emptyDir: {}}]
YAML
manifest hostnet.yaml <<YAML
apiVersion: v1
kind: Pod
metadata: {name: hostnet}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: docker.io/library/busybox:1.36
    command: [sh, -c, "date >> /data/starts; exec sleep 3600"]
    volumeMounts: [{name: d, mountPath: /data}]
    livenessProbe: {exec: {command: ["true"]}, periodSeconds: 1}
  volumes: [{name: d, hostPath: {path: $T/hostdata, type: Directory}}]
YAML
manifest crash.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: docker.io/library/busybox:1.36, command: [sh, -c, "exit 1"]}
YAML

# temp_manifest NAME GENERATION: a temporary pod; a new generation changes the spec (so the pod is replaced).
temp_manifest() {
  manifest "$1.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: docker.io/library/busybox:1.36
    command: [sh, -c, "echo gen $2 > /cache/gen; exec sleep 3600"]
    volumeMounts: [{name: cache, mountPath: /cache}]
  volumes: [{name: cache, emptyDir: {}}]
YAML
}

declare -A TEMPS=()  # name -> generation
next_temp=0
desired() { echo web hostnet crash "${!TEMPS[@]}"; }

# settled: every desired pod is Running with its long-running containers ready, the crash loop has its
# one container, no sandbox of an undesired pod is left, and no container has two live instances.
settled() {
  local pods sandboxes
  pods=$(curl -sf "http://127.0.0.1:$PORT/pods") || return 1
  sandboxes=$(cri pods -o json) || return 1
  containers=$(cri ps -a -o json) || return 1
  python3 - "$pods" "$sandboxes" "$containers" $(desired) <<'PY'
import collections, json, sys
pods = {p["metadata"]["name"][:-len("-node1")]: p for p in json.loads(sys.argv[1])["items"]}
sandboxes, containers = json.loads(sys.argv[2]), json.loads(sys.argv[3])
want = set(sys.argv[4:])
for name in want:
    p = pods.get(name)
    if not p or p["status"].get("phase") != "Running": sys.exit(1)
    for c in p["status"].get("containerStatuses", []):
        if name != "crash" and not c.get("ready"): sys.exit(1)
if set(pods) != want: sys.exit(1)
ready = [s["name"][:-len("-node1")] for s in sandboxes if s["state"] == "Ready"]
if sorted(ready) != sorted(want): sys.exit(1)
if any(s["name"][:-len("-node1")] not in want for s in sandboxes): sys.exit(1)
# A duplicate left by a start the kill interrupted is stopped in the sync after it shows up: wait for that
# (check_invariants still fails a round whose duplicate stays past the settle timeout).
live = collections.Counter((c["podSandboxId"], c["name"]) for c in containers if c["state"] != "CONTAINER_EXITED")
if any(n > 1 for n in live.values()): sys.exit(1)
PY
}

# snapshot FILE: pod -> container -> [id, restartCount] from the status server.
snapshot() {
  curl -sf "http://127.0.0.1:$PORT/pods" | jq -c '[.items[] | {key: .metadata.name, value: ([(.status.containerStatuses // [])[], (.status.initContainerStatuses // [])[] | select(.state.running) | {key: .name, value: [.containerID, .restartCount]}] | from_entries)}] | from_entries' >"$1"
}

# check_invariants TOUCHED: the checks after a restart; TOUCHED is the temp pod the round changed (or "").
check_invariants() {
  local touched=$1 out
  out=$(python3 - "$(cri pods -o json)" "$(cri ps -a -o json)" "$T/before.json" "$T/after.json" "$touched" \
    "$(ipam_leases)" "$(awk -v d="$ROOT/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo)" $(desired) <<'PY'
import json, sys, collections
sandboxes, containers = json.loads(sys.argv[1]), json.loads(sys.argv[2])
before, after = json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
touched, leases, mounts, want = sys.argv[5], int(sys.argv[6]), sys.argv[7].split(), set(sys.argv[8:])
problems = []
ready = collections.Counter(s["name"] for s in sandboxes if s["state"] == "Ready")
for name in want:
    if ready[name + "-node1"] != 1: problems.append(f"{name}: {ready[name + '-node1']} ready sandboxes")
for s in sandboxes:
    if s["name"][:-6] not in want: problems.append(f"sandbox {s['id'][:12]} of removed pod {s['name']}")
live_uids = {s["uid"] for s in sandboxes}
by_sandbox = {s["id"]: s for s in sandboxes}
running = collections.Counter()
for c in containers:
    sb = by_sandbox.get(c["podSandboxId"])
    if sb is None: problems.append(f"container {c['id'][:12]} ({c['name']}) of a removed sandbox"); continue
    if c["state"] != "CONTAINER_EXITED": running[(sb["name"], c["name"])] += 1
for (pod, name), n in running.items():
    if n > 1: problems.append(f"{pod}/{name}: {n} containers not exited")
# Pods the round did not touch keep their running containers' IDs and restart counts (the crash loop's
# count only grows: its backoff survives the restart).
for pod, cs in before.items():
    short = pod[:-6]
    if short == touched or short not in want: continue
    for name, (cid, restarts) in cs.items():
        now = after.get(pod, {}).get(name)
        if short == "crash":
            if now and now[1] < restarts: problems.append(f"crash restart count fell {restarts} -> {now[1]}")
            continue
        if now is None: problems.append(f"{pod}/{name} no longer running"); continue
        if now[0] != cid: problems.append(f"{pod}/{name} restarted: {cid[-12:]} -> {now[0][-12:]}")
        if now[1] != restarts: problems.append(f"{pod}/{name} restart count {restarts} -> {now[1]}")
pod_network = sum(1 for s in sandboxes if s["state"] == "Ready" and s["name"] != "hostnet-node1")
if leases != pod_network: problems.append(f"{leases} IPAM leases for {pod_network} pod-network sandboxes")
for m in mounts:
    if "/pods/" in m and not any(u in m for u in live_uids): problems.append(f"mount of a removed pod: {m}")
print("\n".join(problems))
PY
)
  [[ -z $out ]] || fail "after round $round: $out"
}

kills=0
start_time=$SECONDS
wait_for "first settle" 90 settled
record_netns
for ((round = 1; round <= ROUNDS; round++)); do
  snapshot "$T/before.json"
  touched=""
  action=$((RANDOM % 3))
  ((${#TEMPS[@]} == 0)) && action=0
  ((${#TEMPS[@]} >= 3)) && action=2
  names=("${!TEMPS[@]}")
  case $action in
    0) touched=temp$next_temp; next_temp=$((next_temp + 1)); TEMPS[$touched]=0; temp_manifest "$touched" 0; what="add $touched" ;;
    1) touched=${names[RANDOM % ${#names[@]}]}; TEMPS[$touched]=$((TEMPS[$touched] + 1)); temp_manifest "$touched" "${TEMPS[$touched]}"; what="edit $touched" ;;
    2) touched=${names[RANDOM % ${#names[@]}]}; unset "TEMPS[$touched]"; rm "$MANIFESTS/$touched.yaml"; what="remove $touched" ;;
  esac
  delay=$(printf '0.%03d' $((RANDOM % 1000)))
  sleep "$delay"  # the fault's random moment, not a wait for anything
  kill -KILL "$CRILET_PID"
  wait "$CRILET_PID" 2>/dev/null || true
  kills=$((kills + 1))
  inject "round $round: $what, SIGKILL crilet ${delay}s later"
  t0=$SECONDS
  start_crilet
  wait_for "round $round settles" 90 settled
  snapshot "$T/after.json"
  check_invariants "$touched"
  record_netns
  found "round $round: settled in $((SECONDS - t0))s; $(count_cri pods) sandboxes, $(count_cri ps) running containers, $(ipam_leases) IPAM leases, $(mounts_under "$ROOT") mounts; $(gauges "$CRILET_PID")"
done
ok "$ROUNDS SIGKILL rounds: one sandbox per pod, one container per name, IDs and restart counts kept, no leaks"

# Backoff survived the kills: the crash loop restarted no faster than its backoff (2s doubling to 16s).
elapsed=$((SECONDS - start_time))
crash_restarts=$(pod crash | jq '.status.containerStatuses[0].restartCount')
limit=$((4 + elapsed / 16 + 3))
found "crash loop: $crash_restarts restarts in ${elapsed}s across $kills kills (backoff allows at most $limit)"
((crash_restarts <= limit)) || fail "the crash loop restarted $crash_restarts times in ${elapsed}s: backoff was lost"
ok "crash-loop backoff kept across restarts"

# Everything removed: nothing may stay behind.
rm -f "$MANIFESTS"/*.yaml
wait_for "all sandboxes removed" 60 bash -c "[[ \$('$CRILET_BIN' cri -r '$CRILET_RUNTIME_ENDPOINT' pods -o json | jq length) == 0 ]]"
wait_for "no containers" 30 bash -c "[[ \$('$CRILET_BIN' cri -r '$CRILET_RUNTIME_ENDPOINT' ps -a -o json | jq length) == 0 ]]"
left_netns=$(netns_left)
pod_dirs=$(dir_entries "$ROOT/pods")
log_dirs=$(dir_entries "$LOGS")
found "after removing every pod: $(mounts_under "$ROOT") mounts, $(ipam_leases) IPAM leases, $left_netns of ${#NETNS[@]} netns left, $pod_dirs pod dirs, $log_dirs log dirs"
[[ $(mounts_under "$ROOT") == 0 && $(ipam_leases) == 0 && $left_netns == 0 && $pod_dirs == 0 && $log_dirs == 0 ]] || fail "leftovers after removal"
ok "removal after $kills kills leaves no mount, IPAM lease, netns, pod or log directory"
stop_crilet TERM
echo "# $CHECKS checks passed"
