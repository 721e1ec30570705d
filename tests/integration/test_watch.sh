#!/usr/bin/env bash
# Issue 19: crilet get pods -w / --watch-only / --output-watch-events against a running agent: the table first,
# then a row per change (a pod added, one terminating and gone), JSON documents per change, and the end on
# SIGINT (exit 1, as kubectl) and on a closed pipe.
source "$(dirname "$0")/lib.sh"

start_lab
start_crilet

# busybox's sleep as PID 1 ignores SIGTERM, so the pod stays Terminating for its whole grace period.
pod_manifest() {
  manifest "$1.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1, labels: {app: watch}}
spec:
  terminationGracePeriodSeconds: ${2:-1}
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
YAML
}

# grep_within SECONDS FILE ERE: polls FILE until a line matches.
grep_within() { wait_for "a line matching '$3' in $2: $(cat "$2" 2>/dev/null)" "$1" grep -qE -- "$3" "$2"; }

pod_manifest w1 4
wait_for "w1 Running" 30 pod_is w1 '.status.phase == "Running"'

# --- the table, then one row per change ---
# The watches run the binary itself, not through C: a function run with & is a subshell, and $! would name it,
# not crilet, so a signal sent there would never reach the watch.
CRILET_SERVER="http://127.0.0.1:$PORT" "$CRILET_BIN" get pods -w >"$T/watch.out" 2>"$T/watch.err" &
WATCH_PID=$!
grep_within 10 "$T/watch.out" '^NAME +READY +STATUS +RESTARTS +AGE$'
grep_within 10 "$T/watch.out" '^w1-node1 +1/1 +Running +0 +[0-9]+s$'
pod_manifest w2
grep_within 30 "$T/watch.out" '^w2-node1 +[01]/1 +'
grep_within 30 "$T/watch.out" '^w2-node1 +1/1 +Running +0 +[0-9]+s$'
rm "$MANIFESTS/w1.yaml"
grep_within 30 "$T/watch.out" '^w1-node1 +[01]/1 +Terminating +0 +'
wait_for "w1 gone from /pods" 30 bash -c "! curl -sf http://127.0.0.1:$PORT/pods/default/w1-node1"
# kubectl prints a deleted pod's last row once more; the poll after /pods dropped it prints it.
wait_for "w1's last row printed after its deletion" 5 bash -c "[[ \$(grep -cE '^w1-node1 +[01]/1 +Terminating' '$T/watch.out') -ge 2 ]]"
# Rows come with changes, not with the clock: w2 Running is printed once however long the watch runs.
[[ $(grep -cE '^w2-node1 +1/1 +Running' "$T/watch.out") == 1 ]] || fail "w2 Running printed more than once: $(cat "$T/watch.out")"
[[ $(grep -c '^NAME' "$T/watch.out") == 1 ]] || fail "the header was printed again: $(cat "$T/watch.out")"
# Later rows line up with the header while no cell is wider than its column.
header_ready=$(head -1 "$T/watch.out" | grep -bo 'READY' | cut -d: -f1)
grep -E '^w2-node1 +1/1 +Running' "$T/watch.out" | grep -bo '1/1' | head -1 | grep -q "^$header_ready:" ||
  fail "a watch row is not aligned with the header: $(cat "$T/watch.out")"
ok "get pods -w: the table, then a row for each change (added, running, terminating, deleted)"
sed 's/^/# | /' "$T/watch.out"

# --- ^C ends it at once, with kubectl's exit status ---
kill -INT "$WATCH_PID"
wait_for "the watch ends on SIGINT" 5 bash -c "! kill -0 $WATCH_PID"
rc=0
wait "$WATCH_PID" || rc=$?
[[ $rc == 1 ]] || fail "get -w exited $rc on SIGINT, not 1 as kubectl"
[[ ! -s $T/watch.err ]] || fail "get -w wrote to stderr: $(cat "$T/watch.err")"
ok "get pods -w ends on SIGINT with exit status 1 and nothing on stderr"

# --- --watch-only -o json --output-watch-events: one {type, object} document per change ---
CRILET_SERVER="http://127.0.0.1:$PORT" "$CRILET_BIN" get pods --watch-only -o json --output-watch-events -l app=watch \
  >"$T/events.json" 2>"$T/events.err" &
EVENTS_PID=$!
# w2, there from the start, is not listed; its deletion is printed, which also shows the first poll is done,
# so w3, made next, can only come as ADDED.
rm "$MANIFESTS/w2.yaml"
wait_for "w2's DELETED document" 30 bash -c "jq -se 'any(.type == \"DELETED\" and .object.metadata.name == \"w2-node1\")' '$T/events.json'"
jq -se 'all(.object.metadata.name != "w2-node1" or .type != "ADDED")' "$T/events.json" >/dev/null ||
  fail "--watch-only printed the pods it found at the start: $(cat "$T/events.json")"
pod_manifest w3 4
wait_for "w3's ADDED document" 30 bash -c \
  "jq -se 'map(select(.object.metadata.name == \"w3-node1\"))[0].type == \"ADDED\"' '$T/events.json'"
rm "$MANIFESTS/w3.yaml"
wait_for "w3's MODIFIED document (terminating)" 30 bash -c \
  "jq -se 'any(.type == \"MODIFIED\" and .object.metadata.name == \"w3-node1\" and .object.metadata.deletionTimestamp != null)' '$T/events.json'"
wait_for "w3's DELETED document" 30 bash -c "jq -se 'any(.type == \"DELETED\" and .object.metadata.name == \"w3-node1\")' '$T/events.json'"
kill -TERM "$EVENTS_PID"
rc=0
wait "$EVENTS_PID" || rc=$?
[[ $rc == 1 ]] || fail "get -w exited $rc on SIGTERM"
ok "get pods --watch-only -o json --output-watch-events: ADDED, MODIFIED and DELETED documents, no listing first"

# --- a closed pipe ends it at the next change ---
# No pod is left in default: the watch prints nothing (as kubectl) until w4 comes; head takes the header and
# goes, and w5's row is the write that finds no reader.
( CRILET_SERVER="http://127.0.0.1:$PORT" "$CRILET_BIN" get pods -w | head -n 1 >"$T/head.out" ) &
PIPE_PID=$!
pod_manifest w4
grep_within 30 "$T/head.out" '^NAME'
pod_manifest w5
wait_for "the watch ends when its reader is gone" 30 bash -c "! kill -0 $PIPE_PID"
wait "$PIPE_PID" || true
ok "get pods -w ends when its output pipe closes"

# --- get all: the pods, named pod/NAME ---
wait_for "w4 Running" 30 pod_is w4 '.status.phase == "Running"'
grep -qE '^pod/w4-node1 +1/1 +Running' <<<"$(C get all)" || fail "get all: $(C get all)"
[[ $(C get all -o name | sort | tr '\n' ' ') == "pod/w4-node1 pod/w5-node1 " ]] || fail "get all -o name: $(C get all -o name)"
[[ $(C get all -o json | jq -r '.kind') == List ]] || fail "get all -o json is not a List"
[[ $(C get all -n nowhere 2>&1) == "No resources found in nowhere namespace." ]] || fail "get all -n nowhere: $(C get all -n nowhere 2>&1)"
ok "get all lists the pods as pod/NAME, as kubectl get all"
