#!/usr/bin/env bash
# Benchmarks crilet against the raw CRI chain and podman, on one machine in one run; prints a table and
# writes BENCHMARKS.md. Speed goals live here, not in tests.
#
#   scripts/bench.sh            everything (about 20 minutes on 2 cores, plus the Release build)
#   ROUNDS=5 scripts/bench.sh   fewer single-start repetitions (default 10); BURST_ROUNDS (default 5)
#   BASELINE_REV=<commit> scripts/bench.sh
#                               also times pod starts with crilet built from that commit (the "before" of
#                               an improvement), interleaved with the current build in the same run
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
[[ $(id -u) -eq 0 ]] || { echo "bench: run as root" >&2; exit 1; }
CRILET_SETUP_EXTRA=bench scripts/setup.sh
export CRILET_BUILD_DIR=$repo/build-release CRILET_BUILD_TYPE=Release
scripts/build.sh >/dev/null
cmake --build "$CRILET_BUILD_DIR" --target bench_tool -j"$(nproc)" >/dev/null
crilet=$CRILET_BUILD_DIR/crilet
tool=$CRILET_BUILD_DIR/bench/bench_tool
rounds=${ROUNDS:-10}
baseline=""
if [[ -n ${BASELINE_REV:-} ]]; then
  base_src=/tmp/crilet-bench-base
  rev=$(git rev-parse --short "$BASELINE_REV")
  if [[ $(git -C "$base_src" rev-parse --short HEAD 2>/dev/null) != "$rev" ]]; then
    git worktree remove --force "$base_src" 2>/dev/null || rm -rf "$base_src"
    git worktree prune
    git worktree add --detach "$base_src" "$rev" >/dev/null
  fi
  cmake -S "$base_src" -B "$base_src/build-release" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$base_src/build-release" --target crilet -j"$(nproc)" >/dev/null
  baseline=$base_src/build-release/crilet
fi

export CRILET_LAB_DIR=/tmp/crilet-bench CRILET_LAB_BRIDGE=crilet-bn0 CRILET_LAB_SUBNET=10.90.0.0/16
work=$(mktemp -d /tmp/crilet-bench-run.XXXXXX)
manifests=$work/manifests
mkdir -p "$manifests"
port=10299
crilet_pid=""
results=$CRILET_BUILD_DIR/bench-results.jsonl  # kept after the run, for the report and for comparison
: > "$results"
cleanup() {
  rm -f "$manifests"/*.yaml
  [[ -n $crilet_pid ]] && { kill -TERM "$crilet_pid" 2>/dev/null; wait "$crilet_pid" 2>/dev/null || true; }
  if [[ -n ${podman_root:-} ]]; then podman_cmd pod rm -af >/dev/null 2>&1 || true; fi
  scripts/lab.sh stop >/dev/null 2>&1 || true
  [[ -n ${podman_root:-} ]] && rm -rf "$podman_root"
  rm -rf "$work" /tmp/crilet-bench-raw
}
trap cleanup EXIT
log() { echo "bench: $*" >&2; }
record() { echo "{\"name\": \"$1\", \"value\": $2}" >> "$results"; }

eval "$(scripts/lab.sh start)"
ep=$CRILET_RUNTIME_ENDPOINT
start_crilet() {
  local bin=$crilet
  [[ ${1:-} == --baseline ]] && { bin=$baseline; shift; }
  "$bin" run --pod-manifest-path "$manifests" --container-runtime-endpoint "$ep" --root-dir "$work/root" \
    --pod-logs-dir "$work/logs" --hostname-override bench --read-only-port "$port" "$@" >>"$work/crilet.log" 2>&1 &
  crilet_pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.1; done
  echo "bench: crilet did not start" >&2; exit 1
}
stop_crilet() {
  kill -TERM "$crilet_pid" 2>/dev/null || true
  wait "$crilet_pid" 2>/dev/null || true
  crilet_pid=""
}
wait_empty() {
  for _ in $(seq 600); do
    [[ $("$crilet" cri -r "$ep" pods -o json | jq length) == 0 ]] && return
    sleep 0.1
  done
  echo "bench: pods were not removed" >&2; exit 1
}
remove_all() { rm -f "$manifests"/*.yaml; wait_empty; }
start_crilet
sleep 2
record idle_rss_mb "$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$crilet_pid/status")"
record idle_rss_anon_mb "$(awk '/RssAnon/ {printf "%.1f", $2 / 1024}' "/proc/$crilet_pid/status")"

# 1. Single pod start latency, raw CRI and crilet interleaved, host network and pod network. The order
# alternates from round to round and each measurement starts after the previous pod is gone and the runtime
# has settled, so teardown work never lands in one side's timing. The raw chains run with the same
# ListContainers observer that times crilet (`raw --observe`), so both carry the same polling load.
# With a baseline, each round also times the baseline build (crilet restarted for it, and back).
log "1/6 single pod start latency ($rounds rounds${baseline:+, with baseline $rev})"
settle() { sleep "${SETTLE_SECONDS:-0.5}"; }
time_raw() {
  local r; r=$("$tool" --endpoint "$ep" raw --observe $flag --prefix "r$net$i" | jq .wall_ms)
  "$tool" --endpoint "$ep" cleanup; settle
  record "start_raw_$net" "$r"
}
time_crilet() {
  local c; c=$("$tool" --endpoint "$ep" start --dir "$manifests" $flag --prefix "c$net$i" | jq .wall_ms)
  remove_all; settle
  record "start_crilet_$net" "$c"
}
for i in $(seq "$rounds"); do
  for net in host pod; do
    flag=""; [[ $net == host ]] && flag=--host-network
    if (( i % 2 )); then time_raw; time_crilet; else time_crilet; time_raw; fi
    if [[ -n $baseline ]]; then
      stop_crilet; start_crilet --baseline
      b=$("$tool" --endpoint "$ep" start --dir "$manifests" $flag --prefix "b$net$i" | jq .wall_ms)
      remove_all
      stop_crilet; start_crilet; settle
      record "start_baseline_$net" "$b"
    fi
  done
done

# 2. Burst: 30 pods at once.
log "2/6 burst of 30 pods (${BURST_ROUNDS:-5} rounds)"
for i in $(seq "${BURST_ROUNDS:-5}"); do
  for net in host pod; do
    flag=""; [[ $net == host ]] && flag=--host-network
    r=$("$tool" --endpoint "$ep" raw --observe --pods 30 $flag --prefix "br$net$i-" | jq .wall_ms)
    "$tool" --endpoint "$ep" cleanup; settle
    c=$("$tool" --endpoint "$ep" start --dir "$manifests" --pods 30 $flag --prefix "bc$net$i-" | jq .wall_ms)
    remove_all; settle
    record "burst_raw_$net" "$r"
    record "burst_crilet_$net" "$c"
  done
done

# 3. podman kube play of the same host-network pod, on its own storage, against crilet's manifest-to-Running.
log "3/6 podman kube play"
podman_root=$work/podman
podman_cmd() { CONTAINERS_CONF=$podman_root/containers.conf podman --root "$podman_root/root" --runroot "$podman_root/run" "$@"; }
if command -v podman >/dev/null; then
  mkdir -p "$podman_root"
  printf '[containers]\ndefault_ulimits = []\n[engine]\ninfra_image = "localhost/pause:3.9"\n' > "$podman_root/containers.conf"
  podman_cmd load -i build/images/busybox.tar >/dev/null 2>&1 || podman_cmd load -i "$repo/build/images/busybox.tar" >/dev/null
  podman_cmd load -i "$repo/build/images/pause.tar" >/dev/null
  printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: pm}\nspec:\n  hostNetwork: true\n  containers:\n  - {name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}\n' > "$work/pm.yaml"
  for i in $(seq "$rounds"); do
    t0=$(date +%s%N)
    podman_cmd kube play --network host "$work/pm.yaml" >/dev/null
    t1=$(date +%s%N)
    podman_cmd kube down "$work/pm.yaml" >/dev/null; settle
    record podman_play "$(awk -v ns=$((t1 - t0)) 'BEGIN {printf "%.3f", ns / 1e6}')"
    c=$("$tool" --endpoint "$ep" start --dir "$manifests" --host-network --prefix "pc$i" | jq .wall_ms)
    remove_all
    record podman_crilet "$c"
  done
else
  log "podman not installed: skipped"
fi

# 4. Exit detection at the default relist period: with the exit watcher (pidfds), then relist only (the
# behaviour before the watcher, kept as --exit-watcher=false) as the same-run baseline.
log "4/6 exit detection (20 pods, with the exit watcher and relist only)"
for mode in watcher relist; do
  if [[ $mode == relist ]]; then stop_crilet; start_crilet --exit-watcher=false; fi
  "$tool" --endpoint "$ep" exits --dir "$manifests" --server "http://127.0.0.1:$port" --pods 20 --prefix "x$mode" \
    >"$work/exits.json"
  suffix=""; [[ $mode == relist ]] && suffix=_relist
  jq -r '.report_ms[]' "$work/exits.json" | while read -r v; do record "exit_report$suffix" "$v"; done
  jq -r '.restart_ms[]' "$work/exits.json" | while read -r v; do record "exit_restart$suffix" "$v"; done
  remove_all
done
stop_crilet; start_crilet

# 5. Steady state: 50 pods x 3 probes (exec, httpGet, tcpSocket) at 1s for 2 minutes.
log "5/6 steady state: 50 pods with 3 probes each, ${STEADY_SECONDS:-120}s"
# Handlers rotate over the three probes from pod to pod, so that after the startup probes end (as in kubelet)
# the steady load is still a mix: ~33 exec, ~33 httpGet and ~33 tcpSocket probes per second.
handlers=('exec: {command: ["true"]}' 'httpGet: {port: 8080, path: /passwd}' 'tcpSocket: {port: 8080}')
for i in $(seq 0 49); do
  cat > "$manifests/p$i.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: p$i}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: docker.io/library/busybox:1.36
    command: [httpd, -f, -p, "8080", -h, /etc]
    startupProbe: {${handlers[i % 3]}, periodSeconds: 1}
    livenessProbe: {${handlers[(i + 1) % 3]}, periodSeconds: 1}
    readinessProbe: {${handlers[(i + 2) % 3]}, periodSeconds: 1}
YAML
done
for _ in $(seq 600); do
  [[ $(curl -s "http://127.0.0.1:$port/pods" | jq '[.items[] | select(.status.conditions[]? | select(.type == "Ready" and .status == "True"))] | length') == 50 ]] && break
  sleep 0.2
done
cpu_ticks() { awk '{print $14 + $15}' "/proc/$crilet_pid/stat"; }
sleep 5
t0=$(date +%s%N); c0=$(cpu_ticks)
sleep "${STEADY_SECONDS:-120}"
t1=$(date +%s%N); c1=$(cpu_ticks)
hz=$(getconf CLK_TCK)
record steady_cpu_percent "$(awk -v c=$((c1 - c0)) -v hz="$hz" -v ns=$((t1 - t0)) 'BEGIN {printf "%.3f", 100 * c / hz / (ns / 1e9)}')"
record steady_rss_mb "$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$crilet_pid/status")"
record steady_rss_anon_mb "$(awk '/RssAnon/ {printf "%.1f", $2 / 1024}' "/proc/$crilet_pid/status")"
metrics=$(curl -s "http://127.0.0.1:$port/metrics")
record probe_jitter_p50_ms "$(awk '/crilet_probe_start_delay_quantile_seconds\{quantile="0.5"\}/ {print $2 * 1000}' <<<"$metrics")"
record probe_jitter_p99_ms "$(awk '/crilet_probe_start_delay_quantile_seconds\{quantile="0.99"\}/ {print $2 * 1000}' <<<"$metrics")"
# The floor: the same liveness and readiness probes of the same running pods, run by crilet's own handler
# code from a few plain threads with no agent around them (crilet stopped; SIGTERM leaves the pods running).
stop_crilet
floor=$("$tool" --endpoint "$ep" probe-floor --dir "$manifests" --seconds "$(( ${STEADY_SECONDS:-120} / 2 ))")
record steady_floor_cpu_percent "$(jq .cpu_percent <<<"$floor")"
record steady_floor_runs_per_second "$(jq .runs_per_second <<<"$floor")"
start_crilet
remove_all

# 6. Scale: 100 pods until Ready, RSS, CRI calls per second at rest.
log "6/6 scale: 100 pods"
t0=$(date +%s%N)
for i in $(seq 0 99); do
  printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: s%s}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - {name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}\n' "$i" > "$manifests/.s$i"
  mv "$manifests/.s$i" "$manifests/s$i.yaml"
done
for _ in $(seq 1200); do
  [[ $(curl -s "http://127.0.0.1:$port/pods" | jq '[.items[] | select(.status.conditions[]? | select(.type == "Ready" and .status == "True"))] | length') == 100 ]] && break
  sleep 0.2
done
record scale_ready_seconds "$(awk -v ns=$(( $(date +%s%N) - t0 )) 'BEGIN {printf "%.2f", ns / 1e9}')"
# At rest means after the log rotator's first pass over the new containers (it asks each one's log path
# once, on a 10 s interval), so wait past it before counting.
sleep 15
calls() { curl -s "http://127.0.0.1:$port/metrics" | awk '/^crilet_cri_request_duration_seconds_count/ {s += $2} END {print s}'; }
a=$(calls); sleep 30; b=$(calls)
record scale_cri_calls_per_second "$(awk -v d=$((b - a)) 'BEGIN {printf "%.2f", d / 30}')"
record scale_rss_mb "$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$crilet_pid/status")"
remove_all

# Report.
python3 "$repo/scripts/bench_report.py" "$results" "$repo/BENCHMARKS.md" "${rev:-}"
