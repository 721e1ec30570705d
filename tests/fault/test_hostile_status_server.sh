#!/usr/bin/env bash
# Hostile HTTP on the status server: malformed lines, garbage, a 1 MiB line, 1 MiB of headers, heads that never
# end, bodies on GET, pipelining, half-closes, idle connections held open (200; 1000 in full) and a flood of
# requests (2k; 20k in full). Throughout, a separate client polls /healthz: crilet stays alive, /healthz
# answers every poll within 1 s, errors get libmicrohttpd's answers (400/404/405/505 for malformed lines as
# hostile_http.py lists them, 414, 431, a close at the 10 s idle timeout), and crilet's descriptors and threads
# come back to their baseline.
source "$(dirname "$0")/lib.sh"

IDLE=$(rounds 1000 200)
FLOOD=$(rounds 20000 2000)
HEALTHZ_MAX_MS=1000
CLIENT=$(dirname "$0")/hostile_http.py

# The idle clients need a descriptor each; raise the soft limit to the hard one if it is short.
if (($(ulimit -n) < IDLE + 200)); then ulimit -n "$(ulimit -Hn)"; fi
(($(ulimit -n) >= IDLE + 200)) || fail "ulimit -n is $(ulimit -n); $IDLE idle connections need more"

start_lab
start_crilet
manifest web.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: app, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}
YAML
wait_for "web runs" 60 pod_is web '.status.phase == "Running"'
ok "crilet serves /healthz with one running pod"

base_fds=$(gauge "$CRILET_PID" fds)
base_threads=$(gauge "$CRILET_PID" threads)
base_rss=$(gauge "$CRILET_PID" rss_kb)
found "baseline: $(gauges "$CRILET_PID")"

# watched NAME COMMAND...: runs an attack while a separate client polls /healthz, then checks both.
watched() {
  local name=$1 before
  shift
  before=$(gauges "$CRILET_PID")
  rm -f "$T/stop-poll"
  python3 "$CLIENT" poll "$PORT" "$T/stop-poll" "$T/poll.json" &
  local poller=$!
  "$@" >"$T/attack.json"
  touch "$T/stop-poll"
  wait "$poller"
  kill -0 "$CRILET_PID" 2>/dev/null || fail "crilet died during $name"
  local polls failures p50 max
  polls=$(jq .polls "$T/poll.json")
  failures=$(jq .failures "$T/poll.json")
  p50=$(jq .p50_ms "$T/poll.json")
  max=$(jq .max_ms "$T/poll.json")
  found "$name: $(jq -c 'del(.attack)' "$T/attack.json")"
  found "$name: /healthz polled $polls times, $failures failed, p50 ${p50} ms, max ${max} ms; before $before; after $(gauges "$CRILET_PID")"
  ((polls > 0 && failures == 0)) || fail "$name: /healthz failed $failures of $polls polls: $(cat "$T/poll.json")"
  jq -e --argjson m "$HEALTHZ_MAX_MS" '.max_ms < $m' "$T/poll.json" >/dev/null ||
    fail "$name: /healthz took up to ${max} ms (bound ${HEALTHZ_MAX_MS} ms)"
}

# expect_answers: the attack got exactly the answers it expected.
expect_answers() {
  jq -e '.answers == .expected' "$T/attack.json" >/dev/null ||
    fail "$(jq -r .attack "$T/attack.json"): answers $(jq -c .answers "$T/attack.json"), expected $(jq -c .expected "$T/attack.json")"
}

inject "malformed request lines and header lines, 48 connections"
watched malformed python3 "$CLIENT" malformed "$PORT" 48
expect_answers
ok "malformed requests get the answers hostile_http.py lists"

inject "4 KiB of random bytes, 20 connections"
watched garbage python3 "$CLIENT" garbage "$PORT" 20
expect_answers
ok "binary garbage gets 400 or the close"

inject "a 1 MiB request line, 3 connections"
watched long-line python3 "$CLIENT" long-line "$PORT" 3
expect_answers
inject "1 MiB of headers, 3 connections"
watched big-headers python3 "$CLIENT" big-headers "$PORT" 3
expect_answers
ok "a 1 MiB request line gets 414, 1 MiB of headers 431"

inject "20 request heads that never end"
watched no-end python3 "$CLIENT" no-end "$PORT" 20
expect_answers
jq -e '.answered_after_s[0] >= 9 and .answered_after_s[1] < 13' "$T/attack.json" >/dev/null ||
  fail "heads that never end were closed after $(jq -c .answered_after_s "$T/attack.json") s, not at the 10 s idle timeout"
ok "heads that never end are closed at the idle timeout"

inject "GET with a 100 kB body, 10 connections; 5 pipelined requests on each of 10 connections; 20 half-closes"
watched body-on-get python3 "$CLIENT" body-on-get "$PORT" 10
expect_answers
jq -e '.bodies_ok == .sent' "$T/attack.json" >/dev/null || fail "GET with a body: wrong answer bodies"
watched pipelined python3 "$CLIENT" pipelined "$PORT" 10
expect_answers
jq -e '.answers_per_connection == [1]' "$T/attack.json" >/dev/null ||
  fail "pipelined: $(jq -c .answers_per_connection "$T/attack.json") answers per connection, want one then the close"
watched half-closed python3 "$CLIENT" half-closed "$PORT" 20
expect_answers
ok "a body on GET is ignored, pipelined requests get one answer, half-closed requests are answered"

exec 3>&1  # the test's own output, for checks inside an attack whose output is its JSON summary
# Idle connections: held while /healthz is polled; crilet's descriptors stay bounded by its connection cap and
# come back to the baseline once they are gone.
hold_idle() {
  touch "$T/hold"
  rm -f "$T/released"
  python3 "$CLIENT" idle "$PORT" "$IDLE" "$T/hold" "$T/released" "$T/idle.json" &
  local idler=$!
  wait_for "$IDLE idle connections open" 60 test -s "$T/idle.json" >&3
  local during
  wait_for "crilet holds the idle connections" 10 >&3 bash -c "(( \$(find /proc/$CRILET_PID/fd -mindepth 1 | wc -l) >= $base_fds + ($IDLE < 512 ? $IDLE : 512) - 4 ))"
  during=$(gauges "$CRILET_PID")
  peak_fds=$(gauge "$CRILET_PID" fds)
  # Hold them while the poller runs a few seconds: sleep here is the attack's duration, not a wait for anything.
  sleep 3
  rm -f "$T/hold"
  wait "$idler"
  echo "{\"during\": \"$during\", \"idle\": $(cat "$T/idle.json")}"
}
inject "$IDLE idle connections held open for 3 s"
watched idle hold_idle
jq -e --argjson n "$IDLE" '.idle.opened == $n' "$T/attack.json" >/dev/null || fail "idle: not all $IDLE connections opened"
((peak_fds <= base_fds + 512 + 8)) || fail "idle: crilet held $peak_fds descriptors (baseline $base_fds, cap 512)"
wait_for "descriptors back to the baseline after the idle connections closed" 10 \
  bash -c "(( \$(find /proc/$CRILET_PID/fd -mindepth 1 | wc -l) <= $base_fds + 2 ))"
found "idle: $IDLE held, crilet peaked at $peak_fds fds (baseline $base_fds), back to $(gauge "$CRILET_PID" fds) after they closed"
ok "$IDLE idle connections: /healthz kept answering, descriptors bounded and back to the baseline"

inject "$FLOOD requests from 32 parallel clients (GET /healthz, /pods, /metrics, 404s, 405s)"
watched flood python3 "$CLIENT" flood "$PORT" "$FLOOD"
expect_answers
found "flood: $(jq -r '.sent / .seconds | floor' "$T/attack.json") requests/s"
ok "$FLOOD requests all answered"

wait_for "descriptors back to the baseline" 10 bash -c "(( \$(find /proc/$CRILET_PID/fd -mindepth 1 | wc -l) <= $base_fds + 2 ))"
threads=$(gauge "$CRILET_PID" threads)
rss=$(gauge "$CRILET_PID" rss_kb)
found "end: $(gauges "$CRILET_PID"); baseline fds=$base_fds threads=$base_threads rss_kb=$base_rss"
((threads == base_threads)) || fail "threads $base_threads -> $threads"
((rss < base_rss + 64 * 1024)) || fail "RSS grew by $(((rss - base_rss) / 1024)) MiB"
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || fail "/healthz after the attacks"
pod_is web '.status.phase == "Running"' || fail "web is no longer Running"
ok "crilet survived: descriptors and threads at the baseline, RSS +$(((rss - base_rss) / 1024)) MiB, web still Running"
