#!/usr/bin/env bash
# Issue 15.4: hostile probe targets. Pods whose probes point at a loopback server that answers with 1 MiB of
# headers, endless bodies and chunks, one byte a second, garbage, a redirect loop and a redirect to another
# host; a gRPC port that never answers; a TCP port that never reads; exec probes that print 100 MiB or never
# exit. Each outcome and message is kubelet's; meanwhile a well-behaved pod's 1 s readiness probe keeps its
# schedule (start jitter printed) and crilet's peak RSS stays bounded.
# CRILET_FAULT=full keeps the attack up for 60 s instead of 12 s.
source "$(dirname "$0")/lib.sh"

ATTACK_SECS=$(rounds 60 12)
MAX_JITTER_MS=500      # worst deviation of the steady probe's interval from its 1 s period
MAX_PEAK_RSS_KB=204800  # crilet's VmHWM over the whole run

SERVER_PID=""
stop_server() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap 'rc=$?; stop_server; (exit $rc); cleanup' EXIT

start_lab
python3 "$(dirname "$0")/hostile_server.py" "$T/ports.json" "$T/server.log" &
SERVER_PID=$!
wait_for "hostile server listens" 10 test -s "$T/ports.json"
port() { jq -r ".$1" "$T/ports.json"; }
HTTP=$(port http) TCP_SILENT=$(port tcp_silent) GRPC_SILENT=$(port grpc_silent) GRPC_H2=$(port grpc_h2_silent) TICK=$(port tick)
# hostNetwork pods get the node IP as pod IP: with 127.0.0.1 gRPC probes (which have no host field) reach
# the loopback server too.
start_crilet --node-ip 127.0.0.1

mono() { python3 -c 'import time; print("%.6f" % time.monotonic())'; }

# pod_manifest NAME PROBE_FIELD PROBE_YAML [COMMAND]: a hostNetwork busybox pod with one probe.
pod_manifest() {
  local name=$1 field=$2 probe=$3 cmd=${4:-'[sleep, "3600"]'}
  manifest "$name.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $name}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: $cmd
    $field: $probe
YAML
}
http_probe() { echo "{httpGet: {host: 127.0.0.1, port: $HTTP, path: /$1}, periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 1}"; }

events() { curl -s "http://127.0.0.1:$PORT/events"; }
# event_of POD REASON PREFIX: the message of POD's newest event with REASON whose message starts with PREFIX.
event_of() {
  events | jq -r --arg p "$1-node1" --arg r "$2" --arg m "$3" \
    '[.items[] | select(.involvedObject.name == $p and .reason == $r and (.message | startswith($m)))] | last | .message // empty'
}
has_event() { [[ -n $(event_of "$@") ]]; }
event_count() {
  events | jq -r --arg p "$1-node1" --arg r "$2" --arg m "$3" \
    '[.items[] | select(.involvedObject.name == $p and .reason == $r and (.message | startswith($m))) | .count] | add // 0'
}
# Server log: connection durations and request counts per target.
conn_secs() { awk -v t="$1" '$1 == "conn" && $2 == t {print $4}' "$T/server.log"; }
median() { sort -g | awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]; else print "-"}'; }
max_of() { sort -g | tail -1; }
requests() { awk -v t="$1" '$1 == "req" && $2 == t' "$T/server.log" | wc -l; }

# --- the well-behaved pod, ready before the attack starts --------------------------------------------------
manifest steady.yaml <<YAML
apiVersion: v1
kind: Pod
metadata: {name: steady}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
    readinessProbe: {httpGet: {host: 127.0.0.1, port: $TICK, path: /tick}, periodSeconds: 1, timeoutSeconds: 1}
YAML
wait_for "steady ready" 30 pod_is steady '.status.containerStatuses[0].ready'
ok "well-behaved pod ready (httpGet readiness every 1 s)"

# --- the attack -------------------------------------------------------------------------------------------
HTTP_TARGETS=(headers-1m endless-body endless-503 endless-chunks huge-chunk slow slow-body garbage redirect-loop redirect-other)
for t in "${HTTP_TARGETS[@]}"; do pod_manifest "$t" readinessProbe "$(http_probe "$t")"; done
pod_manifest tcp-silent readinessProbe "{tcpSocket: {host: 127.0.0.1, port: $TCP_SILENT}, periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 1}"
pod_manifest grpc-silent readinessProbe "{grpc: {port: $GRPC_SILENT}, periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 1}"
pod_manifest grpc-h2-silent readinessProbe "{grpc: {port: $GRPC_H2}, periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 1}"
# exec-100mb and exec-forever use their own probe types, so crilet_probe_duration_seconds{probe_type} times
# them alone; failureThreshold 1000 keeps the container from being restarted during the test.
pod_manifest exec-100mb livenessProbe \
  "{exec: {command: [sh, -c, 'yes | head -c 104857600; exit 1']}, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 1000}"
pod_manifest exec-1mb readinessProbe \
  "{exec: {command: [sh, -c, 'yes | head -c 1048576; exit 1']}, periodSeconds: 2, timeoutSeconds: 5, failureThreshold: 1}"
pod_manifest exec-forever startupProbe \
  "{exec: {command: [sleep, '3601']}, periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 1000}"
inject "$((${#HTTP_TARGETS[@]} + 6)) hostile probe targets for ${ATTACK_SECS}s: ${HTTP_TARGETS[*]} tcp-silent grpc-silent grpc-h2-silent exec-100mb exec-1mb exec-forever"
ATTACK_START=$(mono)
SECONDS_AT_START=$SECONDS

ready() { pod_is "$1" '.status.containerStatuses[0].ready == true'; }
not_ready_with() { pod_is "$1" '.status.containerStatuses[0].state.running != null and (.status.containerStatuses[0].ready | not)' && has_event "$1" Unhealthy "$2"; }

# Every target is checked and tabled even when one is wrong, so a run shows all of them; the mismatches
# fail the test at the end.
declare -A OUTCOME MESSAGE
MISMATCHES=()
mismatch() { MISMATCHES+=("$*"); echo "# MISMATCH: $*"; }
# poll SECONDS COMMAND...: like wait_for, but returns 1 instead of failing the test.
poll() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}
observed() {  # what the pod shows now: ready or not, and its newest probe event
  local r
  r=$(pod "$1" | jq -r '.status.containerStatuses[0] | if .ready then "success (ready)" elif .started == false then "failure (not started)" else "failure (not ready)" end')
  OUTCOME[$1]="$r"
  MESSAGE[$1]=$(events | jq -r --arg p "$1-node1" '[.items[] | select(.involvedObject.name == $p and (.reason == "Unhealthy" or .reason == "ProbeWarning"))] | last | .message // "-"')
}
# expect_ready NAME [WARNING_PREFIX]: the probe succeeds (with a ProbeWarning event when a prefix is given).
expect_ready() {
  if ! poll 30 ready "$1"; then observed "$1"; mismatch "$1: not ready, want ready; event '${MESSAGE[$1]:0:200}'"; return; fi
  OUTCOME[$1]="success (ready)"
  MESSAGE[$1]="-"
  if [[ -n ${2:-} ]]; then
    if poll 20 has_event "$1" ProbeWarning "$2"; then MESSAGE[$1]=$(event_of "$1" ProbeWarning "$2"); else mismatch "$1: no ProbeWarning '$2'"; fi
  fi
  if has_event "$1" Unhealthy ""; then mismatch "$1: an Unhealthy event for a probe that succeeds: $(event_of "$1" Unhealthy "")"; fi
}
# expect_failure NAME EXACT_MESSAGE [OUTCOME]: not ready, with kubelet's Unhealthy event text.
expect_failure() {
  if ! poll 20 not_ready_with "$1" "$2"; then observed "$1"; mismatch "$1: got '${OUTCOME[$1]}' '${MESSAGE[$1]:0:300}', want not ready with '$2'"; return; fi
  MESSAGE[$1]=$(event_of "$1" Unhealthy "$2")
  [[ ${MESSAGE[$1]} == "$2" ]] || mismatch "$1: event '${MESSAGE[$1]}', want '$2'"
  OUTCOME[$1]=${3:-"failure (not ready)"}
}
base="http://127.0.0.1:$HTTP"
# Go's client takes 10 MiB of response head; libcurl 7.88 (crilet's HTTP client) stops at 300 KiB, a
# compile-time limit, so 1 MiB of headers fails here, with Go's text for a head over its limit.
expect_failure headers-1m "Readiness probe failed: Get \"$base/headers-1m\": net/http: HTTP/1.x transport connection broken: net/http: server response headers exceeded 10485760 bytes; aborted"
expect_ready endless-body
expect_failure endless-503 "Readiness probe failed: HTTP probe failed with statuscode: 503"
expect_ready endless-chunks
expect_ready huge-chunk
expect_failure slow "Readiness probe failed: Get \"$base/slow\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
# The head at once, the body one byte a second: DoHTTPProbe's error (not a failure), retried 3 times a
# period and then dropped, so the container keeps its initial readiness: not ready.
expect_failure slow-body "Readiness probe errored and resulted in failure state: context deadline exceeded (Client.Timeout or context cancellation while reading body)" \
  "error (retried, dropped: not ready)"
expect_failure garbage "Readiness probe failed: Get \"$base/garbage\": net/http: HTTP/1.x transport connection broken: malformed HTTP response \"\\x00\\x01garbage\\xff\""
expect_failure redirect-loop "Readiness probe failed: Get \"/redirect-loop\": stopped after 10 redirects"
expect_ready redirect-other "Readiness probe warning: Probe terminated redirects, Response body: moved"
expect_ready tcp-silent
expect_failure grpc-silent "Readiness probe failed: timeout: failed to connect service \"127.0.0.1:$GRPC_SILENT\" within 1s: context deadline exceeded"
expect_failure grpc-h2-silent "Readiness probe failed: timeout: health rpc did not complete within 1s"
[[ ${#MISMATCHES[@]} -eq 0 ]] && ok "HTTP, TCP and gRPC targets: kubelet's outcome and message for each"

# exec printing 1 MiB then exiting 1: a failure whose message holds the first 10 KiB of the output, as
# kubelet's LimitWriter keeps.
prefix="Readiness probe failed: "
if poll 30 has_event exec-1mb Unhealthy "${prefix}y"; then
  out=$(event_of exec-1mb Unhealthy "$prefix")
  out=${out#"$prefix"}
  out_len=$(events | jq --arg p exec-1mb-node1 --arg m "$prefix" \
    '[.items[] | select(.involvedObject.name == $p and (.message | startswith($m))) | (.message | length) - ($m | length)] | last')
  OUTCOME[exec-1mb]="failure (not ready)"
  MESSAGE[exec-1mb]="Readiness probe failed: y\\ny\\n... ($out_len bytes of output)"
  if [[ $out_len -eq 10240 && -z $(tr -d 'y\n' <<<"$out") ]]; then
    ok "exec printing 1 MiB: failure, output capped at $out_len bytes"
  else
    mismatch "exec-1mb: $out_len bytes of output in the event, want 10240 of 'y\\n'"
  fi
else
  observed exec-1mb
  mismatch "exec-1mb: no 'Readiness probe failed: y...' event; newest: '${MESSAGE[exec-1mb]:0:300}'"
fi
# exec printing 100 MiB: containerd 1.6 collects an exec's output at a few MB/s and refuses to send more
# than 16 MiB, so kubelet sees its DeadlineExceeded ('command ... timed out', a failure) or, on a runtime
# fast enough, its ResourceExhausted (an error, dropped). crilet must show the same and stay small.
exec100_timeout='Liveness probe failed: command "sh -c yes | head -c 104857600; exit 1" timed out'
exec100_large='Liveness probe errored and resulted in unknown state: '
if poll 45 has_event exec-100mb Unhealthy "$exec100_timeout" || has_event exec-100mb Unhealthy "$exec100_large"; then
  observed exec-100mb
  OUTCOME[exec-100mb]="failure (timed out in the runtime)"
  [[ ${MESSAGE[exec-100mb]} == "$exec100_large"* ]] && OUTCOME[exec-100mb]="error (runtime refused > 16 MiB)"
  if [[ ${MESSAGE[exec-100mb]} == "$exec100_large"* && ${MESSAGE[exec-100mb]} != *"larger than max"* ]]; then
    mismatch "exec-100mb: errored with '${MESSAGE[exec-100mb]}', want the runtime's 'larger than max'"
  fi
  pod_is exec-100mb '.status.containerStatuses[0].restartCount == 0' || mismatch "exec-100mb restarted before its failureThreshold"
  ok "exec printing 100 MiB: ${OUTCOME[exec-100mb]}, no restart"
else
  observed exec-100mb
  mismatch "exec-100mb: got '${MESSAGE[exec-100mb]:0:300}'"
fi

# exec that never exits: a timeout failure at timeoutSeconds; the startup probe keeps the container unstarted.
if poll 30 has_event exec-forever Unhealthy 'Startup probe failed: command "sleep 3601" timed out' &&
  pod_is exec-forever '.status.containerStatuses[0].started == false and (.status.containerStatuses[0].ready | not)'; then
  OUTCOME[exec-forever]="failure (not started)"
  MESSAGE[exec-forever]=$(event_of exec-forever Unhealthy "Startup probe failed: ")
  ok "exec that never exits: 'command \"sleep 3601\" timed out', not started"
else
  observed exec-forever
  mismatch "exec-forever: got '${OUTCOME[exec-forever]}' '${MESSAGE[exec-forever]:0:300}'"
fi

# Keep the attack up for the whole window while sampling crilet (a measurement window, not a wait for state).
# At least 5 samples: the checks above may have used up the window already.
peak_threads=0 peak_sleeps=0 samples=0
while ((SECONDS - SECONDS_AT_START < ATTACK_SECS || samples < 5)); do
  samples=$((samples + 1))
  th=$(gauge "$CRILET_PID" threads)
  ((th > peak_threads)) && peak_threads=$th
  # exec-forever's timed-out commands: the runtime kills each, so at most the one in flight is alive.
  sl=$(ps -eo args= | grep -cx 'sleep 3601' || true)
  ((sl > peak_sleeps)) && peak_sleeps=$sl
  sleep 1  # the sampling period of the measurement, not a wait for some state
done
ATTACK_END=$(mono)
found "attack window $(awk -v a="$ATTACK_START" -v b="$ATTACK_END" 'BEGIN {printf "%.1f", b - a}')s, crilet $(gauges "$CRILET_PID") peak_threads=$peak_threads ($samples samples)"

# --- the verdicts measured on the server side -------------------------------------------------------------
before=${#MISMATCHES[@]}
# Redirect loop: 10 requests per probe run (the first and 9 redirects; the 10th redirect is not followed).
loop_runs=$(event_count redirect-loop Unhealthy "Readiness probe failed: Get")
loop_reqs=$(requests redirect-loop)
(( loop_runs > 0 && loop_reqs >= 10 * loop_runs && loop_reqs <= 10 * (loop_runs + 1) )) \
  || mismatch "redirect-loop: $loop_reqs requests for $loop_runs failed runs, want 10 a run"
[[ $(requests elsewhere) -eq 0 ]] || mismatch "redirect-other: the redirect to another host was followed ($(requests elsewhere) requests)"
found "redirect-loop: $loop_reqs requests in $loop_runs runs; redirect-other: $(requests redirect-other) requests, 0 followed to the other host"
# The endless answers are dropped once 10 KiB are read, well inside timeoutSeconds; the slow one at it.
for t in endless-body endless-503 endless-chunks huge-chunk headers-1m; do
  worst=$(conn_secs "$t" | max_of)
  awk -v w="$worst" 'BEGIN {exit !(w < 0.9)}' || mismatch "$t: a connection lasted ${worst}s, want < 0.9 s (the body read stops at 10 KiB)"
done
body_runs=$(event_count slow-body Unhealthy "Readiness probe errored")
body_conns=$(conn_secs slow-body | wc -l)
(( body_runs > 0 && body_conns >= 3 * body_runs && body_conns <= 3 * (body_runs + 1) )) \
  || mismatch "slow-body: $body_conns connections for $body_runs errored runs, want 3 attempts a run"
found "slow-body: $body_conns connections in $body_runs errored runs (kubelet's 3 attempts a period)"
slow=$(conn_secs slow | median)
awk -v w="$slow" 'BEGIN {exit !(w >= 0.9 && w <= 1.6)}' || mismatch "slow: connections last ${slow}s (median), want ~1 s (timeoutSeconds)"
# The runtime kills each timed-out command (crilet starts the next only after the runtime answered); busy
# with the 100 MiB exec, containerd takes a few seconds over some kills, so a few overlap. A leak would
# grow with the runs (~30 in the full form): allow 8.
forever_runs=$(event_count exec-forever Unhealthy "Startup probe failed: ")
((peak_sleeps <= 8)) || mismatch "exec-forever: up to $peak_sleeps 'sleep 3601' processes alive after $forever_runs runs, want <= 8 (each timed-out exec is killed)"
found "exec-forever: at most $peak_sleeps 'sleep 3601' processes alive at once in $forever_runs timed-out runs (they do not pile up)"
((${#MISMATCHES[@]} == before)) && ok "server side: 10 requests per redirect-loop run, no cross-host redirect followed, endless bodies dropped < 0.9 s, slow at ${slow}s"

# --- the well-behaved pod kept its schedule, crilet's memory stayed bounded -------------------------------
read -r ticks jitter_max jitter_p50 < <(awk -v a="$ATTACK_START" -v b="$ATTACK_END" '
  $1 == "req" && $2 == "tick" && $3 >= a && $3 <= b {t[n++] = $3}
  END {
    for (i = 1; i < n; i++) { d = t[i] - t[i-1] - 1; if (d < 0) d = -d; dev[i] = d * 1000 }
    m = n - 1; if (m < 1) { print n, 99999, 99999; exit }
    # sort the deviations (insertion sort: a few hundred values at most)
    for (i = 2; i <= m; i++) { v = dev[i]; j = i - 1; while (j >= 1 && dev[j] > v) { dev[j+1] = dev[j]; j-- } dev[j+1] = v }
    printf "%d %.1f %.1f\n", n, dev[m], dev[int((m + 1) / 2)]
  }' "$T/server.log")
peak_rss=$(gauge "$CRILET_PID" peak_rss_kb)
found "steady probe during the attack: $ticks probes, start jitter max ${jitter_max} ms, p50 ${jitter_p50} ms (period 1000 ms)"
found "crilet peak RSS (VmHWM) ${peak_rss} kB"
before=${#MISMATCHES[@]}
(( ticks >= ATTACK_SECS - 2 )) || mismatch "steady: only $ticks probes in a ${ATTACK_SECS}s window"
awk -v j="$jitter_max" -v m="$MAX_JITTER_MS" 'BEGIN {exit !(j < m)}' || mismatch "steady probe jitter ${jitter_max} ms >= ${MAX_JITTER_MS} ms"
pod_is steady '.status.containerStatuses[0].ready' || mismatch "the well-behaved pod lost readiness during the attack"
(( peak_rss < MAX_PEAK_RSS_KB )) || mismatch "crilet peak RSS ${peak_rss} kB >= ${MAX_PEAK_RSS_KB} kB"
((${#MISMATCHES[@]} == before)) && ok "steady probe on schedule (jitter max ${jitter_max} ms < ${MAX_JITTER_MS} ms), peak RSS ${peak_rss} kB < ${MAX_PEAK_RSS_KB} kB"

# --- the table ---------------------------------------------------------------------------------------------
duration_of() {  # mean crilet_probe_duration_seconds of a probe type (each exec target has its own type)
  curl -s "http://127.0.0.1:$PORT/metrics" | awk -v t="$1" '
    index($0, "crilet_probe_duration_seconds_sum{") == 1 && index($0, "probe_type=\"" t "\"") {s = $2}
    index($0, "crilet_probe_duration_seconds_count{") == 1 && index($0, "probe_type=\"" t "\"") {c = $2}
    END {if (c) printf "%.2fs (mean of %d runs)", s / c, c; else print "-"}'
}
echo "# target | outcome | message | time taken"
for t in "${HTTP_TARGETS[@]}" tcp-silent grpc-silent grpc-h2-silent; do
  took=$(conn_secs "$t" | median)
  [[ $t == tcp-silent ]] && took=$(conn_secs tcp_silent | median)
  [[ $t == grpc-silent ]] && took=$(conn_secs grpc_silent | median)
  [[ $t == grpc-h2-silent ]] && took=$(conn_secs grpc_h2_silent | median)
  echo "# $t | ${OUTCOME[$t]} | ${MESSAGE[$t]} | ${took}s (median connection)"
done
echo "# exec-100mb | ${OUTCOME[exec-100mb]} | ${MESSAGE[exec-100mb]} | $(duration_of liveness)"
echo "# exec-1mb | ${OUTCOME[exec-1mb]} | ${MESSAGE[exec-1mb]} | - (its readiness runs are timed with the others)"
echo "# exec-forever | ${OUTCOME[exec-forever]} | ${MESSAGE[exec-forever]} | $(duration_of startup)"

((${#MISMATCHES[@]} == 0)) || fail "${#MISMATCHES[@]} targets not as kubelet: $(printf '%s; ' "${MISMATCHES[@]}")"
rm "$MANIFESTS"/*.yaml
wait_for "pods removed" 60 bash -c "[[ \$('$CRILET_BIN' cri -r '$CRILET_RUNTIME_ENDPOINT' pods -o json | jq length) == 0 ]]"
stop_crilet TERM
echo "# $CHECKS checks passed"
