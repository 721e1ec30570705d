#!/usr/bin/env bash
# Pod churn: create/delete cycles of pods with emptyDir, a probe and a postStart hook, in waves of 10;
# nothing may leak and crilet's fds, threads and RSS stay flat. 1000 cycles in full, 100 in the short form.
source "$(dirname "$0")/lib.sh"

CYCLES=$(rounds 1000 100)
WAVE=10
start_lab
start_crilet

# wave_manifests N: WAVE pods whose spec carries the wave number (a new UID each wave).
wave_manifests() {
  local i
  for ((i = 0; i < WAVE; i++)); do
    manifest "c$i.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: c$i}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: docker.io/library/busybox:1.36
    command: [sh, -c, "echo wave $1 > /scratch/wave; exec sleep 3600"]
    volumeMounts: [{name: scratch, mountPath: /scratch}]
    lifecycle: {postStart: {exec: {command: [touch, /scratch/started]}}}
    readinessProbe: {exec: {command: [cat, /scratch/started]}, periodSeconds: 1}
  volumes: [{name: scratch, emptyDir: {}}]
YAML
  done
}
ready_pods() { curl -sf "http://127.0.0.1:$PORT/pods" | jq '[.items[] | select(.status.containerStatuses[0].ready)] | length'; }
all_ready() { [[ $(ready_pods) == "$WAVE" ]]; }
runtime_empty() { [[ $(count_cri pods) == 0 && $(count_cri ps -a) == 0 ]]; }

# leaks: every leftover kind with its count, after a wave was removed.
leaks() {
  echo "sandboxes=$(count_cri pods) containers=$(count_cri ps -a) mounts=$(mounts_under "$ROOT")" \
    "pod_dirs=$(dir_entries "$ROOT/pods") log_dirs=$(dir_entries "$LOGS") ipam=$(ipam_leases) netns=$(netns_left)"
}
clean="sandboxes=0 containers=0 mounts=0 pod_dirs=0 log_dirs=0 ipam=0 netns=0"

inject "$CYCLES create/delete cycles in waves of $WAVE pods (emptyDir, exec readiness probe, postStart hook)"
waves=$((CYCLES / WAVE))
baseline=""
t0=$SECONDS
for ((w = 1; w <= waves; w++)); do
  wave_manifests "$w"
  wait_for "wave $w ready" 60 all_ready
  record_netns
  rm -f "$MANIFESTS"/c*.yaml
  wait_for "wave $w removed" 60 runtime_empty
  # Pod and log directories go right after the sandbox: give them 10 s, then report what is left.
  for ((i = 0; i < 100; i++)); do
    left=$(leaks)
    [[ $left == "$clean" ]] && break
    sleep 0.1
  done
  [[ $left == "$clean" ]] || fail "after wave $w: $left; leases: $(ipam_leaked)"
  cycles=$((w * WAVE))
  if ((w == 1)); then
    baseline=$(gauges "$CRILET_PID")
    found "cycle $cycles (baseline): $left; crilet $baseline"
  elif ((cycles % 100 == 0)); then
    found "cycle $cycles: $left; crilet $(gauges "$CRILET_PID") ($((SECONDS - t0))s)"
  fi
done
end=$(gauges "$CRILET_PID")
fd0=$(gauge "$CRILET_PID" fds)
base_fds=$(tr ' ' '\n' <<<"$baseline" | awk -F= '$1 == "fds" {print $2}')
base_threads=$(tr ' ' '\n' <<<"$baseline" | awk -F= '$1 == "threads" {print $2}')
base_rss=$(tr ' ' '\n' <<<"$baseline" | awk -F= '$1 == "rss_kb" {print $2}')
threads=$(gauge "$CRILET_PID" threads)
rss=$(gauge "$CRILET_PID" rss_kb)
found "after $CYCLES cycles: fds $base_fds -> $fd0, threads $base_threads -> $threads, rss ${base_rss} -> ${rss} kB"
((fd0 <= base_fds + 2)) || fail "file descriptors grew: $base_fds -> $fd0"
((threads <= base_threads + 2)) || fail "threads grew: $base_threads -> $threads"
((rss <= base_rss + 8192)) || fail "RSS grew by more than 8 MB: $base_rss -> $rss kB"
ok "$CYCLES cycles: zero leaked sandboxes, containers, mounts, pod/log dirs, IPAM leases, netns; fds, threads, RSS flat"
stop_crilet TERM
echo "# $CHECKS checks passed"
