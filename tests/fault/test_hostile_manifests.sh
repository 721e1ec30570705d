#!/usr/bin/env bash
# Hostile manifests dropped beside a running pod: each gets one clear error naming file and field, crilet's
# memory stays bounded, nothing blocks the directory scan, and the running pod is untouched.
source "$(dirname "$0")/lib.sh"

start_lab
start_crilet
manifest good.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: good}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}]
YAML
wait_for "good pod running" 30 pod_is good '.status.phase == "Running"'
good_id=$(pod good | jq -r '.status.containerStatuses[0].containerID')
rss0=$(gauge "$CRILET_PID" rss_kb)

# Each hostile file is written outside the directory, then moved in whole (a rename is one event).
H=$T/hostile
mkdir -p "$H"
python3 - "$H" <<'PY'
import os, sys
d = sys.argv[1]
def pod(name, extra="", meta=""):
    return ("apiVersion: v1\nkind: Pod\nmetadata: {name: %s%s}\nspec:\n  containers:\n"
            "  - {name: c, image: docker.io/library/busybox:1.36, command: [sleep, '1']%s}\n" % (name, meta, extra))
w = lambda n, data: open(os.path.join(d, n), "wb").write(data if isinstance(data, bytes) else data.encode())
w("big.yaml", pod("big") + "#" + "x" * (100 << 20) + "\n")
bomb = "bomb:\n  a: &a [" + ",".join(["x"] * 10) + "]\n"  # 10^12 values once expanded
for i in range(1, 12):
    bomb += "  %s: &%s [%s]\n" % (chr(97 + i), chr(97 + i), ",".join(["*" + chr(96 + i)] * 10))
w("bomb.yaml", pod("bomb") + bomb)
w("nest.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: nest, labels: " + "[" * 10000 + "]" * 10000 + "}\n")
w("utf8.yaml", pod("utf").encode().replace(b"sleep", b"sl\xffeep"))
w("nul.yaml", pod("nul").encode().replace(b"sleep", b"sl\x00eep"))
w("env.yaml", pod("env", ", env: [" + ",".join("{name: E%d, value: v}" % i for i in range(100000)) + "]"))
w("slash.yaml", pod("a/b"))
w("dots.yaml", pod(".."))
w("upper.yaml", pod("Upper"))
w("ns.yaml", pod("ns", meta=", namespace: ../etc"))
w("subpath.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: sub}\nspec:\n  volumes: [{name: v, emptyDir: {}}]\n"
  "  containers: [{name: c, image: docker.io/library/busybox:1.36, volumeMounts: [{name: v, mountPath: /x, subPath: ../../etc}]}]\n")
w("cname.yaml", pod("cname").replace("name: c,", "name: ../c,"))
PY
# name -> what its one error must say
declare -A WANT=(
  [big.yaml]="larger than 1048576 bytes"
  [bomb.yaml]="excessive aliasing"
  [nest.yaml]="nested too deeply"
  [utf8.yaml]="not valid UTF-8"
  [nul.yaml]="NUL byte"
  [env.yaml]="larger than 1048576 bytes"
  [slash.yaml]="metadata.name: a lowercase RFC 1123"
  [dots.yaml]="metadata.name: a lowercase RFC 1123"
  [upper.yaml]="metadata.name: a lowercase RFC 1123"
  [ns.yaml]="metadata.namespace: a lowercase RFC 1123"
  [subpath.yaml]="subPath: must be a relative path"
  [cname.yaml]="spec.containers[0].name"
)
errors_of() { grep -F " E $MANIFESTS/$1" "$T/crilet.log" || true; }
for name in "${!WANT[@]}"; do
  mv "$H/$name" "$MANIFESTS/$name"
  inject "$name ($(stat -c %s "$MANIFESTS/$name") bytes)"
  wait_for "an error for $name" 10 grep -qF " E $MANIFESTS/$name" "$T/crilet.log"
done
# Special files: a FIFO (opening it for reading would block) and a symlink to /dev/zero (endless).
mkfifo "$MANIFESTS/fifo.yaml"
ln -s /dev/zero "$MANIFESTS/zero.yaml"
WANT[fifo.yaml]="not a regular file"
WANT[zero.yaml]="not a regular file"
inject "fifo.yaml (a FIFO), zero.yaml (symlink to /dev/zero)"
for name in fifo.yaml zero.yaml; do
  wait_for "an error for $name" 10 grep -qF " E $MANIFESTS/$name" "$T/crilet.log"
done
# The scan is not blocked: a pod added after all of them starts.
manifest after.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: after}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}]
YAML
wait_for "a pod added after the hostile files runs" 30 pod_is after '.status.phase == "Running"'
# A forced rescan (SIGHUP) must not repeat errors of unchanged files.
kill -HUP "$CRILET_PID"
wait_for "rescan done" 10 grep -q "SIGHUP" "$T/crilet.log"
bad=0
for name in "${!WANT[@]}"; do
  lines=$(errors_of "$name")
  n=$(grep -c . <<<"$lines" || true)
  msg=$(head -1 <<<"$lines" | sed "s|.* E $MANIFESTS/||")
  found "$name: $n error line: $(cut -c1-110 <<<"$msg")"
  if [[ $n != 1 ]] || ! grep -qF -- "${WANT[$name]}" <<<"$msg"; then
    echo "# $name: expected one error containing '${WANT[$name]}'"
    bad=$((bad + 1))
  fi
done
((bad == 0)) || fail "$bad hostile files without one clear error"
ok "${#WANT[@]} hostile manifests: one clear error each, naming file and field"
peak=$(gauge "$CRILET_PID" peak_rss_kb)
found "crilet RSS ${rss0} kB before, peak ${peak} kB (VmHWM) while reading them"
((peak < 150 * 1024)) || fail "peak RSS $peak kB: memory was not bounded"
[[ $(pod good | jq -r '.status.containerStatuses[0].containerID') == "$good_id" ]] || fail "the good pod was restarted"
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || fail "/healthz failed"
ok "memory bounded (peak ${peak} kB), the running pod untouched, /healthz ok"
stop_crilet TERM
echo "# $CHECKS checks passed"
