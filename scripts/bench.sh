#!/usr/bin/env bash
# Benchmarks crilet against the raw CRI chain and podman, on one machine in one run; prints a table and
# writes BENCHMARKS.md. Speed goals live here, not in tests.
#
#   scripts/bench.sh            everything (about 25 minutes on 2 cores, plus the Release build)
#   ROUNDS=5 scripts/bench.sh   fewer single-start repetitions (default 10); BURST_ROUNDS (default 5)
#   BASELINE_REV=<commit> scripts/bench.sh
#                               also times pod starts with crilet built from that commit (the "before" of
#                               an improvement), interleaved with the current build in the same run, and
#                               runs the steady-state and HTTPS/host-name probe cases with it first
#   STEADY_SECONDS=60           shorter steady-state and HTTPS/host-name measurements (default 120 s each)
#   STATS_SECONDS=30            shorter windows of the stats-cost step (default 60 s each)
#   BENCH_STEPS="steady tls"    only these steps, of: start burst podman exits steady scale stats tls (default all);
#                               a partial run writes its report to build-release/BENCHMARKS.partial.md, not
#                               to BENCHMARKS.md
#   BENCH_CRILET=build/crilet BENCH_STEPS=stats
#                               measure a crilet built elsewhere (no Release build; steps without bench_tool)
#   BENCH_LAB_DIR, BENCH_LAB_BRIDGE, BENCH_LAB_SUBNET, BENCH_PORT
#                               the private lab (/tmp/crilet-bench, crilet-bn0, 10.90.0.0/16) and crilet's
#                               status port (10299), for two benchmarks or tests on one machine
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
[[ $(id -u) -eq 0 ]] || { echo "bench: run as root" >&2; exit 1; }
CRILET_SETUP_EXTRA=bench scripts/setup.sh
export CRILET_BUILD_DIR=$repo/build-release CRILET_BUILD_TYPE=Release
if [[ -n ${BENCH_CRILET:-} ]]; then
  # A binary built elsewhere, for the steps that need no bench_tool (BENCH_STEPS=stats); nothing is built.
  crilet=$BENCH_CRILET
  tool=/nonexistent/bench_tool
  mkdir -p "$CRILET_BUILD_DIR"
else
  scripts/build.sh crilet bench_tool >/dev/null
  crilet=$CRILET_BUILD_DIR/crilet
  tool=$CRILET_BUILD_DIR/bench/bench_tool
fi
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

# Not CRILET_LAB_*: `lab.sh env` exports those for a developer's own lab, which this script stops at the end.
export CRILET_LAB_DIR=${BENCH_LAB_DIR:-/tmp/crilet-bench} CRILET_LAB_BRIDGE=${BENCH_LAB_BRIDGE:-crilet-bn0}
export CRILET_LAB_SUBNET=${BENCH_LAB_SUBNET:-10.90.0.0/16}
steps=" ${BENCH_STEPS:-start burst podman exits steady scale stats tls} "
want() { [[ $steps == *" $1 "* ]]; }
work=$(mktemp -d /tmp/crilet-bench-run.XXXXXX)
manifests=$work/manifests
mkdir -p "$manifests"
port=${BENCH_PORT:-10299}
crilet_pid=""
results=$CRILET_BUILD_DIR/bench-results.jsonl  # kept after the run, for the report and for comparison
: > "$results"
cleanup() {
  rm -f "$manifests"/*.yaml
  [[ -n $crilet_pid ]] && { kill -TERM "$crilet_pid" 2>/dev/null; wait "$crilet_pid" 2>/dev/null || true; }
  if [[ -n ${podman_root:-} ]]; then podman_cmd pod rm -af >/dev/null 2>&1 || true; fi
  scripts/lab.sh stop >/dev/null 2>&1 || true
  [[ -n ${podman_root:-} ]] && rm -rf "$podman_root"
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "bench: $*" >&2; }
record() { echo "{\"name\": \"$1\", \"value\": $2}" >> "$results"; }
# Probe runs crilet has completed (its crilet_probe_total counters summed), optionally of one result only.
probe_runs() {
  curl -s "http://127.0.0.1:$port/metrics" |
    awk -v want="${1:-}" '/^crilet_probe_total\{/ && (want == "" || index($0, "result=\"" want "\"")) {s += $NF} END {printf "%d", s}'
}
# The start-delay histogram's buckets now ("le count" lines), for a window's quantiles with window_quantile.
delay_buckets() {
  curl -s "http://127.0.0.1:$port/metrics" |
    sed -nE 's/^crilet_probe_start_delay_seconds_bucket\{le="([^"]+)"\} ([0-9]+)$/\1 \2/p'
}
# window_quantile Q BEFORE AFTER: the Q quantile (ms) of the probe start delays between two delay_buckets
# readings, linear within a bucket as Prometheus's histogram_quantile. The runs before the window (the pods'
# start, when containers are being created) stay out of it, which the summary's last-20000-runs ring does not.
window_quantile() {
  join <(sort "$2") <(sort "$3") | sort -g | awk -v q="$1" '
    {le[NR] = $1; n[NR] = $3 - $2}
    END {
      total = n[NR]; rank = q * total; lo = 0; below = 0
      for (i = 1; i <= NR; i++) {
        if (n[i] >= rank) {
          if (le[i] == "+Inf") { printf "%.2f", lo * 1000; exit }
          printf "%.2f", (lo + (le[i] - lo) * (n[i] > below ? (rank - below) / (n[i] - below) : 0)) * 1000; exit
        }
        lo = le[i]; below = n[i]
      }
    }'
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$crilet_pid/stat"; }
hz=$(getconf CLK_TCK)
# A TCP port on this host that nothing listens on, from $1 up.
free_port() {
  local p=$1
  while ss -Hltn "sport = :$p" | grep -q .; do p=$((p + 1)); done
  echo "$p"
}
wait_ready() {  # wait_ready N: until N pods report Ready (at most 2 minutes)
  for _ in $(seq 600); do
    [[ $(curl -s "http://127.0.0.1:$port/pods" | jq '[.items[] | select(.status.conditions[]? | select(.type == "Ready" and .status == "True"))] | length') == "$1" ]] && return
    sleep 0.2
  done
  log "only $(curl -s "http://127.0.0.1:$port/pods" | jq '[.items[] | select(.status.conditions[]? | select(.type == "Ready" and .status == "True"))] | length') of $1 pods became Ready"
}

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
settle() { sleep "${SETTLE_SECONDS:-0.5}"; }
time_raw() {
  local r; r=$("$tool" --endpoint "$ep" raw --observe --work "$work/raw" $flag --prefix "r$net$i" | jq .wall_ms)
  "$tool" --endpoint "$ep" cleanup; settle
  record "start_raw_$net" "$r"
}
time_crilet() {
  local c; c=$("$tool" --endpoint "$ep" start --dir "$manifests" $flag --prefix "c$net$i" | jq .wall_ms)
  remove_all; settle
  record "start_crilet_$net" "$c"
}
want start && log "1/7 single pod start latency ($rounds rounds${baseline:+, with baseline $rev})"
want start && for i in $(seq "$rounds"); do
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
want burst && log "2/7 burst of 30 pods (${BURST_ROUNDS:-5} rounds)"
want burst && for i in $(seq "${BURST_ROUNDS:-5}"); do
  for net in host pod; do
    flag=""; [[ $net == host ]] && flag=--host-network
    r=$("$tool" --endpoint "$ep" raw --observe --work "$work/raw" --pods 30 $flag --prefix "br$net$i-" | jq .wall_ms)
    "$tool" --endpoint "$ep" cleanup; settle
    c=$("$tool" --endpoint "$ep" start --dir "$manifests" --pods 30 $flag --prefix "bc$net$i-" | jq .wall_ms)
    remove_all; settle
    record "burst_raw_$net" "$r"
    record "burst_crilet_$net" "$c"
  done
done

# 3. podman kube play of the same host-network pod, on its own storage, against crilet's manifest-to-Running.
podman_root=$work/podman
podman_cmd() { CONTAINERS_CONF=$podman_root/containers.conf podman --root "$podman_root/root" --runroot "$podman_root/run" "$@"; }
want podman && log "3/7 podman kube play"
if ! want podman; then
  :
elif command -v podman >/dev/null; then
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
want exits && log "4/7 exit detection (20 pods, with the exit watcher and relist only)"
want exits && for mode in watcher relist; do
  if [[ $mode == relist ]]; then stop_crilet; start_crilet --exit-watcher=false; fi
  "$tool" --endpoint "$ep" exits --dir "$manifests" --server "http://127.0.0.1:$port" --pods 20 --prefix "x$mode" \
    >"$work/exits.json"
  suffix=""; [[ $mode == relist ]] && suffix=_relist
  jq -r '.report_ms[]' "$work/exits.json" | while read -r v; do record "exit_report$suffix" "$v"; done
  jq -r '.restart_ms[]' "$work/exits.json" | while read -r v; do record "exit_restart$suffix" "$v"; done
  remove_all
done
want exits && { stop_crilet; start_crilet; }

# 5. Steady state: 50 pods x 3 probes (exec, httpGet, tcpSocket) at 1s for 2 minutes.
# With a baseline it runs twice, the baseline build first (its figures recorded as baseline_*), each on a
# freshly started crilet so that its jitter quantiles cover its own window; the floor runs once.
steady_case() {  # steady_case [--baseline]
local which=${1:-} pre=""
[[ $which == --baseline ]] && pre=baseline_
log "5/7 steady state: 50 pods with 3 probes each, ${STEADY_SECONDS:-120}s${which:+ (baseline $rev)}"
stop_crilet; start_crilet $which
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
wait_ready 50
sleep 5
t0=$(date +%s%N); c0=$(cpu_ticks); r0=$(probe_runs); delay_buckets > "$work/delays0"
sleep "${STEADY_SECONDS:-120}"
t1=$(date +%s%N); c1=$(cpu_ticks); r1=$(probe_runs); delay_buckets > "$work/delays1"
record "${pre}steady_cpu_percent" "$(awk -v c=$((c1 - c0)) -v hz="$hz" -v ns=$((t1 - t0)) 'BEGIN {printf "%.3f", 100 * c / hz / (ns / 1e9)}')"
record "${pre}steady_runs_per_second" "$(awk -v r=$((r1 - r0)) -v ns=$((t1 - t0)) 'BEGIN {printf "%.2f", r / (ns / 1e9)}')"
record load_average_1m "$(cut -d' ' -f1 /proc/loadavg)"
record "${pre}steady_rss_mb" "$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$crilet_pid/status")"
record "${pre}steady_rss_anon_mb" "$(awk '/RssAnon/ {printf "%.1f", $2 / 1024}' "/proc/$crilet_pid/status")"
record "${pre}probe_jitter_p50_ms" "$(window_quantile 0.5 "$work/delays0" "$work/delays1")"
record "${pre}probe_jitter_p99_ms" "$(window_quantile 0.99 "$work/delays0" "$work/delays1")"
# The floor: the same liveness and readiness probes of the same running pods, run by crilet's own handler
# code from a few plain threads with no agent around them (crilet stopped; SIGTERM leaves the pods running).
stop_crilet
if [[ -z $which ]]; then
  floor=$("$tool" --endpoint "$ep" probe-floor --dir "$manifests" --seconds "$(( ${STEADY_SECONDS:-120} / 2 ))")
  record steady_floor_cpu_percent "$(jq .cpu_percent <<<"$floor")"
  record steady_floor_runs_per_second "$(jq .runs_per_second <<<"$floor")"
fi
start_crilet
remove_all
}
want steady && { [[ -n $baseline ]] && steady_case --baseline; steady_case; }

# 6. Scale: 100 pods until Ready, RSS, CRI calls per second at rest.
scale_case() {
log "6/7 scale: 100 pods"
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
}
want scale && scale_case

# 6b. What resource usage collection costs at 100 pods (issue 20): crilet's and containerd's CPU and crilet's RSS
# over the same window with collection off (--housekeeping-interval=0, the same-run baseline), at kubelet's
# 10 s with /stats/summary and /metrics scraped every 10 s (as metrics-server and Prometheus would), and at 1 s
# (ten times the work). The pods keep running between the cases; crilet is restarted for each and adopts them.
containerd_ticks() { awk '{print $14 + $15}' "/proc/$(cat "$CRILET_LAB_DIR/containerd.pid")/stat"; }
stats_case() {
log "6b/7 stats: the cost of resource usage collection at 100 pods"
local w=${STATS_SECONDS:-60} i name interval scrape t0 c0 d0 c1 d1 scraper
for i in $(seq 0 99); do
  printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: u%s}\nspec:\n  hostNetwork: true\n  terminationGracePeriodSeconds: 1\n  volumes: [{name: scratch, emptyDir: {}}]\n  containers:\n  - {name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"], volumeMounts: [{name: scratch, mountPath: /scratch}]}\n' "$i" > "$manifests/.u$i"
  mv "$manifests/.u$i" "$manifests/u$i.yaml"
done
wait_ready 100
for spec in off:0:0 on:10s:10 fast:1s:1; do
  IFS=: read -r name interval scrape <<<"$spec"
  stop_crilet
  start_crilet --housekeeping-interval "$interval"
  wait_ready 100
  sleep 15  # past the adoption syncs and the log rotator's first pass
  scraper=""
  if [[ $scrape != 0 ]]; then
    (while true; do curl -s "http://127.0.0.1:$port/stats/summary" >/dev/null; curl -s "http://127.0.0.1:$port/metrics" >/dev/null; sleep "$scrape"; done) &
    scraper=$!
  fi
  t0=$(date +%s%N); c0=$(cpu_ticks); d0=$(containerd_ticks)
  sleep "$w"
  c1=$(cpu_ticks); d1=$(containerd_ticks)
  local ns=$(( $(date +%s%N) - t0 ))
  [[ -n $scraper ]] && { kill "$scraper"; wait "$scraper" 2>/dev/null || true; }
  record "stats_${name}_cpu_percent" "$(awk -v t=$((c1 - c0)) -v hz="$hz" -v ns="$ns" 'BEGIN {printf "%.3f", t / hz / (ns / 1e9) * 100}')"
  record "stats_${name}_containerd_cpu_percent" "$(awk -v t=$((d1 - d0)) -v hz="$hz" -v ns="$ns" 'BEGIN {printf "%.3f", t / hz / (ns / 1e9) * 100}')"
  record "stats_${name}_rss_mb" "$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$crilet_pid/status")"
  if [[ $name != off ]]; then
    record "stats_${name}_summary_kb" "$(curl -s "http://127.0.0.1:$port/stats/summary" | wc -c | awk '{printf "%.1f", $1 / 1024}')"
  fi
done
stop_crilet
start_crilet
remove_all
}
want stats && stats_case

# 7. HTTPS and host-name httpGet probes (issue 17): 50 pods, each with a liveness probe over HTTPS to
# 127.0.0.1 and a readiness probe to `localhost` over HTTP, at 1 s: 100 runs a second of the two kinds that
# crilet hands to its probe pool rather than its poll loop. Busybox has no TLS, so the servers are one
# host-network pod on loopback: etcd (the lab's etcd image) serving HTTPS with a self-signed certificate
# (--auto-tls; probes do not verify, as in kubelet) and busybox httpd. Ports are picked free at run time.
# crilet is restarted first so that its start-delay quantiles cover this case only.
tls_case() {  # tls_case [--baseline]: as steady_case
local which=${1:-} pre=""
[[ $which == --baseline ]] && pre=baseline_
log "7/7 HTTPS and host-name httpGet probes: 50 pods, ${STEADY_SECONDS:-120}s${which:+ (baseline $rev)}"
stop_crilet; start_crilet $which
local https_port http_port peer_port
https_port=$(free_port 19443); peer_port=$(free_port $((https_port + 1))); http_port=$(free_port 19380)
cat > "$manifests/tls-server.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: tls-server}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: etcd
    image: localhost/etcd:3.4
    command: [/usr/bin/etcd, --data-dir=/var/lib/etcd, --auto-tls,
              "--listen-client-urls=https://127.0.0.1:$https_port", "--advertise-client-urls=https://127.0.0.1:$https_port",
              "--listen-peer-urls=http://127.0.0.1:$peer_port", "--initial-advertise-peer-urls=http://127.0.0.1:$peer_port",
              "--initial-cluster=default=http://127.0.0.1:$peer_port"]
  - name: web
    image: docker.io/library/busybox:1.36
    command: [httpd, -f, -p, "127.0.0.1:$http_port", -h, /etc]
YAML
for i in $(seq 0 49); do
  cat > "$manifests/t$i.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: t$i}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
    livenessProbe: {httpGet: {scheme: HTTPS, host: 127.0.0.1, port: $https_port, path: /health}, periodSeconds: 1}
    readinessProbe: {httpGet: {host: localhost, port: $http_port, path: /passwd}, periodSeconds: 1}
YAML
done
wait_ready 51
sleep 5
t0=$(date +%s%N); c0=$(cpu_ticks); r0=$(probe_runs); f0=$(probe_runs failed); delay_buckets > "$work/delays0"
sleep "${STEADY_SECONDS:-120}"
t1=$(date +%s%N); c1=$(cpu_ticks); r1=$(probe_runs); f1=$(probe_runs failed); delay_buckets > "$work/delays1"
record "${pre}tls_cpu_percent" "$(awk -v c=$((c1 - c0)) -v hz="$hz" -v ns=$((t1 - t0)) 'BEGIN {printf "%.3f", 100 * c / hz / (ns / 1e9)}')"
record "${pre}tls_runs_per_second" "$(awk -v r=$((r1 - r0)) -v ns=$((t1 - t0)) 'BEGIN {printf "%.2f", r / (ns / 1e9)}')"
record "${pre}tls_failed_runs" $((f1 - f0))
# What the failed runs said, numbers folded, kept beside the results (the run's log goes with its work dir).
grep -E "probe (failed|errored)" "$work/crilet.log" | sed -E 's/^[^ ]+ [A-Z] //; s/[0-9]+/N/g' | sort | uniq -c | sort -rn |
  head -10 > "$CRILET_BUILD_DIR/${pre}tls-failures.txt" || true
record load_average_1m "$(cut -d' ' -f1 /proc/loadavg)"
record "${pre}tls_rss_mb" "$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$crilet_pid/status")"
record "${pre}tls_rss_anon_mb" "$(awk '/RssAnon/ {printf "%.1f", $2 / 1024}' "/proc/$crilet_pid/status")"
record "${pre}tls_threads" "$(awk '/Threads/ {print $2}' "/proc/$crilet_pid/status")"
record "${pre}tls_jitter_p50_ms" "$(window_quantile 0.5 "$work/delays0" "$work/delays1")"
record "${pre}tls_jitter_p99_ms" "$(window_quantile 0.99 "$work/delays0" "$work/delays1")"
# The floor for this case: the same probes by crilet's handler code from plain threads, crilet stopped.
stop_crilet
if [[ -z $which ]]; then
  floor=$("$tool" --endpoint "$ep" probe-floor --dir "$manifests" --seconds "$(( ${STEADY_SECONDS:-120} / 2 ))")
  record tls_floor_cpu_percent "$(jq .cpu_percent <<<"$floor")"
  record tls_floor_runs_per_second "$(jq .runs_per_second <<<"$floor")"
  record tls_floor_failures "$(jq .failures <<<"$floor")"
fi
start_crilet
remove_all
}
want tls && { [[ -n $baseline ]] && tls_case --baseline; tls_case; }

# Report.
report=$repo/BENCHMARKS.md
[[ -n ${BENCH_STEPS:-} ]] && report=$CRILET_BUILD_DIR/BENCHMARKS.partial.md
python3 "$repo/scripts/bench_report.py" "$results" "$report" "${rev:-}"
