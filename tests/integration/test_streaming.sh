#!/usr/bin/env bash
# Issue 19: CRI streaming through containerd's streaming server (SPDY): exec with piped stdin and with a real
# terminal (resize, Ctrl-C, Ctrl-D, exit codes), attach, port-forward carrying HTTP, and cp both ways.
source "$(dirname "$0")/lib.sh"
PTY="python3 $(dirname "$0")/pty_drive.py"

start_lab
start_crilet

manifest shell.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: shell}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
YAML
manifest talker.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: talker}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: sh
    image: docker.io/library/busybox:1.36
    command: [sh]
    stdin: true
    tty: true
  - name: printer
    image: docker.io/library/busybox:1.36
    command: [sh, -c, "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done"]
YAML
wait_for "pods Running" 30 pod_is shell '.status.phase == "Running"'
wait_for "talker Running" 30 pod_is talker '.status.phase == "Running"'

# --- exec without a terminal ---
[[ $(printf 'one\ntwo\n' | C exec -i shell -- cat) == $'one\ntwo' ]] || fail "exec -i: piped stdin did not reach cat, or its end did not end it"
ok "exec -i: piped stdin reaches the command and its end closes the command's stdin"
out=$(C exec -i shell -- sh -c 'read x; exit $x' <<<5 2>"$T/err") && fail "exec -i exit 5 returned 0"
rc=$?
[[ $rc == 5 ]] || fail "exec exit code: $rc"
grep -qx "command terminated with exit code 5" "$T/err" || fail "exec exit message: $(cat "$T/err")"
ok "exec: the command's exit code (5) passes back with kubectl's message"
[[ $(C exec shell -- sh -c 'echo out; echo err >&2' 2>/dev/null) == out ]] || fail "exec stdout"
[[ $(C exec shell -- sh -c 'echo out; echo err >&2' 2>&1 >/dev/null) == err ]] || fail "exec stderr"
ok "exec: stdout and stderr arrive on their own streams"
err=$(C exec -it shell -- echo hi </dev/null 2>&1 >/dev/null)
grep -q "Unable to use a TTY - input is not a terminal or the right kind of file" <<<"$err" || fail "exec -it without a terminal: $err"
ok "exec -it with stdin not a terminal warns as kubectl and runs without one"

# --- exec -it on a pseudo-terminal ---
out=$($PTY --size 100x30 --step 'expect:# ' --step 'send:stty size\r' --step 'expect:30 100' \
  --step 'resize:120x40' --step 'until:40 120|stty size\r' \
  --step 'send:echo ready-$((1+1)); sleep 300\r' --step 'expect:ready-2' --step 'send:\x03' --step 'expect:# ' --step 'send:echo still-$((20+1))\r' --step 'expect:still-21' \
  --step 'send:exit 3\r' -- "$CRILET_BIN" exec --server "http://127.0.0.1:$PORT" -it shell -- sh) && fail "exec -it exit 3 returned 0"
rc=$?
[[ $rc == 3 ]] || fail "exec -it exit code $rc: $out"
ok "exec -it: a terminal of the local size, resized on SIGWINCH, Ctrl-C interrupts the remote command, exit code 3"
$PTY --step 'expect:# ' --step 'send:\x04' -- "$CRILET_BIN" exec --server "http://127.0.0.1:$PORT" -it shell -- sh >/dev/null || fail "exec -it Ctrl-D"
ok "exec -it: Ctrl-D ends the remote shell, exit code 0"

log "all $CHECKS checks passed"
