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
manifest web.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: httpd
    image: docker.io/library/busybox:1.36
    command: [sh, -c, "mkdir -p /www; i=0; while [ $i -lt 3000 ]; do echo line $i of the page served through port-forward; i=$((i+1)); done > /www/big.txt; exec httpd -f -p 8080 -h /www"]
    ports: [{name: http, containerPort: 8080}]
    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
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
  --step 'send:echo ready-$((1+1)); sleep 300\r' --step 'expect:ready-2' --step 'until:# |\x03' --step 'send:echo still-$((20+1))\r' --step 'expect:still-21' \
  --step 'send:exit 3\r' -- "$CRILET_BIN" exec --server "http://127.0.0.1:$PORT" -it shell -- sh) && fail "exec -it exit 3 returned 0"
rc=$?
[[ $rc == 3 ]] || fail "exec -it exit code $rc: $out"
ok "exec -it: a terminal of the local size, resized on SIGWINCH, Ctrl-C interrupts the remote command, exit code 3"
$PTY --step 'expect:# ' --step 'send:\x04' -- "$CRILET_BIN" exec --server "http://127.0.0.1:$PORT" -it shell -- sh >/dev/null || fail "exec -it Ctrl-D"
ok "exec -it: Ctrl-D ends the remote shell, exit code 0"

# --- attach ---
out=$($PTY --step 'expect:tick' --step 'send:\x03' -- "$CRILET_BIN" attach --server "http://127.0.0.1:$PORT" talker -c printer) || true
grep -qE '^tick [0-9]+' <<<"$out" || fail "attach printed no ticks: $out"
ok "attach: the container's output from now on, Ctrl-C ends the attach"
err=$(C attach talker -c printer -i </dev/null 2>&1) && fail "attach -i to a container without stdin"
grep -q 'has no stdin to attach to' <<<"$err" || fail "attach -i without stdin: $err"
out=$($PTY --step 'expect:try pressing enter' --step 'until:attached-3|echo attached-$((1+2))\r' \
  --step 'send:exit 4\r' -- "$CRILET_BIN" attach --server "http://127.0.0.1:$PORT" -it talker -c sh)
rc=$?
log "attach -it ended with $rc after the shell's exit"
ok "attach -it: typed input reaches the container's own shell on its terminal; a container without stdin is refused"

# --- port-forward ---
REFUSED=$(free_port)
"$CRILET_BIN" port-forward --server "http://127.0.0.1:$PORT" web :http "$REFUSED:9" --address 127.0.0.1 >"$T/pf.out" 2>"$T/pf.err" &
track $!
wait_for "port-forward listening" 20 grep -q "^Forwarding from 127.0.0.1:$REFUSED -> 9$" "$T/pf.out"
P=$(sed -n 's/^Forwarding from 127\.0\.0\.1:\([0-9]*\) -> 8080$/\1/p' "$T/pf.out")
[[ -n $P ]] || fail "no forwarding line for :http: $(cat "$T/pf.out")"
C exec web -- cat /www/big.txt >"$T/big.txt"
curls=()
for i in $(seq 20); do
  curl -sf --max-time 30 "http://127.0.0.1:$P/big.txt" -o "$T/got.$i" &
  curls+=($!)
done
wait_jobs_ok=1
for j in "${curls[@]}"; do wait "$j" || wait_jobs_ok=0; done
((wait_jobs_ok)) || fail "a request through port-forward failed"
for i in $(seq 20); do cmp -s "$T/big.txt" "$T/got.$i" || fail "response $i differs ($(wc -c <"$T/got.$i") of $(wc -c <"$T/big.txt") bytes)"; done
[[ $(grep -c "^Handling connection for $P$" "$T/pf.out") == 20 ]] || fail "handled $(grep -c "^Handling connection for $P$" "$T/pf.out") connections"
ok "port-forward: 20 concurrent HTTP requests through one forward, each $(wc -c <"$T/big.txt") bytes intact"
curl -s --max-time 10 "http://127.0.0.1:$REFUSED/" >/dev/null && fail "a request to a closed pod port succeeded"
wait_for "refused connection reported" 10 grep -q "an error occurred forwarding $REFUSED -> 9" "$T/pf.err"
log "reported: $(grep -m1 "an error occurred" "$T/pf.err")"
curl -sf --max-time 10 "http://127.0.0.1:$P/big.txt" | cmp -s - "$T/big.txt" || fail "port-forward stopped after a refused connection"
ok "port-forward: a connection the pod refuses is reported and the forward keeps running"

# --- cp ---
echo "copied in" >"$T/local.txt"
C cp "$T/local.txt" shell:/tmp/copied.txt || fail "cp file to pod"
[[ $(C exec shell -- cat /tmp/copied.txt) == "copied in" ]] || fail "cp file to pod: content"
mkdir -p "$T/tree/sub/empty"
echo one >"$T/tree/a.txt"
printf '#!/bin/sh\necho run\n' >"$T/tree/sub/run.sh"
chmod 0755 "$T/tree/sub/run.sh"
C cp "$T/tree" shell:/tmp || fail "cp dir into an existing pod dir"
[[ $(C exec shell -- /tmp/tree/sub/run.sh) == run ]] || fail "cp dir: the script is not there or lost its mode"
C exec shell -- test -d /tmp/tree/sub/empty || fail "cp dir: the empty directory is missing"
C cp shell:/tmp/tree "$T/back" || fail "cp dir from pod"
diff -r "$T/tree" "$T/back" || fail "cp round trip differs"
[[ $(stat -c %a "$T/back/sub/run.sh") != "" ]] || fail "cp back: no file"
C cp default/web:/www/big.txt "$T/big2.txt" 2>/dev/null || fail "cp ns/pod:file to a local file"
cmp -s "$T/big.txt" "$T/big2.txt" || fail "cp from pod: content differs"
ok "cp: a file and a tree (modes, an empty dir) into a pod and back intact; ns/pod:path spec"
err=$(C cp "$T/a" "$T/b" 2>&1) && fail "cp local to local"
grep -qx "error: one of src or dest must be a remote file specification" <<<"$err" || fail "cp local-local: $err"
err=$(C cp shell:/a web:/b 2>&1) && fail "cp pod to pod"
grep -qx "error: one of src or dest must be a local file specification" <<<"$err" || fail "cp pod-pod: $err"
err=$(C cp "$T/nothing" shell:/tmp 2>&1) && fail "cp of a missing local file"
grep -qx "error: $T/nothing doesn't exist in local filesystem" <<<"$err" || fail "cp missing local: $err"
err=$(C cp :x "$T/y" 2>&1) && fail "cp of a bad spec"
grep -qx "error: filespec must match the canonical format: \[\[namespace/\]pod:\]file/path" <<<"$err" || fail "cp bad spec: $err"
ok "cp: kubectl's errors for two local paths, two pods, a missing source, a bad spec"

# A hostile container: its tar answers with entries that climb out of the destination and a symlink.
python3 - "$T/evil.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    for name, data in [("data/ok.txt", b"fine\n"), ("data/../../escape.txt", b"escaped\n")]:
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
    i = tarfile.TarInfo("data/link"); i.type = tarfile.SYMTYPE; i.linkname = "/etc/passwd"; t.addfile(i)
PY
C exec -i shell -- sh -c 'cat > /evil.tar' <"$T/evil.tar"
printf '#!/bin/sh\ncat /evil.tar\n' | C exec -i shell -- sh -c 'mkdir -p /usr/local/bin; cat > /usr/local/bin/tar; chmod +x /usr/local/bin/tar'
# Both were piped through exec -i: check they arrived whole, so that a loss there is named as one.
got=$(C exec shell -- sh -c 'wc -c < /evil.tar | tr -d " "; cat /usr/local/bin/tar')
[[ $got == "$(wc -c <"$T/evil.tar")"$'\n#!/bin/sh\ncat /evil.tar' ]] || fail "exec -i lost piped stdin: the pod holds $(tr '\n' ';' <<<"$got")"
mkdir -p "$T/safe/inner"
err=$(C cp shell:/data "$T/safe/inner/d" 2>&1) || fail "cp from the hostile pod failed: $err"
[[ $(cat "$T/safe/inner/d/ok.txt") == fine ]] || fail "hostile cp: the good entry is missing"
[[ ! -e "$T/safe/escape.txt" && ! -e "$T/safe/inner/escape.txt" ]] || fail "hostile cp: an entry escaped the destination"
[[ ! -e "$T/safe/inner/d/link" ]] || fail "hostile cp: a symlink was written"
grep -q "is outside target destination, skipping" <<<"$err" || fail "hostile cp: no warning for the escaping entry: $err"
grep -q "warning: skipping symlink" <<<"$err" || fail "hostile cp: no warning for the symlink: $err"
log "hostile tar: $(tr '\n' ';' <<<"$err")"
C exec shell -- rm /usr/local/bin/tar
ok "cp from a hostile container: entries outside the destination and symlinks are skipped with kubectl's warnings"

# --- debug ---
IMG=docker.io/library/busybox:1.36
out=$(C debug shell --image $IMG --target c -- ps 2>"$T/err") || fail "debug --target: $(cat "$T/err")"
grep -q "sleep 3600" <<<"$out" || fail "debug --target does not see the target's processes: $out"
grep -q "^Defaulting debug container name to debugger-[a-z0-9]\{5\}\.$" "$T/err" || fail "debug's name message: $(cat "$T/err")"
out=$(C debug shell --image $IMG -- ps)
grep -q "sleep 3600" <<<"$out" && fail "debug without --target sees the target's processes"
[[ $(C debug shell --image $IMG -- sh -c 'exit 6'; echo $?) == 6 ]] || fail "debug exit code"
uid=$(pod shell | jq -r .metadata.uid)
cg=$(C debug shell --image $IMG -- cat /proc/self/cgroup 2>/dev/null)
grep -q "pod$uid" <<<"$cg" || fail "the debug container is not in the pod's cgroup: $cg"
ok "debug: --target sees the target container's processes, without it not; the exit code passes back"
out=$($PTY --step 'expect:try pressing enter' --step 'until:/ # |\r' --step 'send:wget -qO- http://127.0.0.1:8080/big.txt | head -1\r' \
  --step 'expect:line 0 of the page' --step 'send:exit\r' -- "$CRILET_BIN" debug --server "http://127.0.0.1:$PORT" -it web --image $IMG -- sh) ||
  fail "debug -it: $out"
ok "debug -it: an interactive shell in the pod's network (the pod's server on 127.0.0.1)"
"$CRILET_BIN" debug --server "http://127.0.0.1:$PORT" shell --image $IMG -c dbg -- sleep 300 >/dev/null 2>"$T/dbg.err" &
dbg=$!
track $dbg
shows_debug() { grep -q "^Ephemeral Containers:" <<<"$(C describe pod shell)"; }
wait_for "describe shows the debug container" 20 shows_debug
desc=$(C describe pod shell)
grep -qE "^  dbg:" <<<"$desc" || fail "describe: no dbg entry: $desc"
kill -INT $dbg
wait $dbg && fail "debug should end with 130 on Ctrl-C" || true
[[ $(cri ps -a --name dbg -q) == "" ]] || fail "Ctrl-C left the debug container behind"
grep -q "^Ephemeral Containers:" <<<"$(C describe pod shell)" && fail "describe still shows the removed debug container"
pod_is shell '.status.containerStatuses[0].restartCount == 0 and .status.containerStatuses[0].state.running' || fail "the debugged pod changed"
ok "debug: shown in describe as an ephemeral container while it runs; Ctrl-C removes it; the pod is untouched"

log "all $CHECKS checks passed"
