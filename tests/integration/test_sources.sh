#!/usr/bin/env bash
# Issue 4 with the real binary: atomic rename into place, an invalid edit keeps the running pod and is
# reported (log, /healthz?verbose), fixing it replaces the pod, deleting removes it; crilet validate.
source "$(dirname "$0")/lib.sh"

start_lab
start_crilet --file-check-frequency 1h   # only inotify can explain fast reactions
pod_yaml() { printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: src}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: %s\n    image: docker.io/library/busybox:1.36\n    command: [sleep, "3600"]\n' "$1"; }

pod_yaml main > "$MANIFESTS/.src.yaml.tmp"
mv "$MANIFESTS/.src.yaml.tmp" "$MANIFESTS/src.yaml"
wait_for "src Running" 20 pod_is src '.status.phase == "Running"'
uid=$(pod src | jq -r .metadata.uid)
ok "a manifest renamed into place runs (dotfile temp ignored)"

pod_yaml Main > "$MANIFESTS/src.yaml"   # invalid: uppercase container name
wait_for "the error is logged" 5 grep -q "src.yaml:7: spec.containers\[0\].name: a lowercase RFC 1123 label" "$T/crilet.log"
grep -q "keeping the last valid version of this file running" "$T/crilet.log" || fail "no keep-last-good line"
sleep 1
pod_is src ".metadata.uid == \"$uid\" and .status.phase == \"Running\"" || fail "the running pod was disturbed by an invalid edit"
grep -q "manifest: .*src.yaml:7: spec.containers\[0\].name" <<<"$(curl -s "http://127.0.0.1:$PORT/healthz?verbose")" || fail "/healthz?verbose lacks the problem"
ok "an invalid edit keeps the last valid pod running and is reported with file:line and path"

pod_yaml fixed > "$MANIFESTS/src.yaml"
wait_for "fixed pod replaces the old one" 20 pod_is src ".metadata.uid != \"$uid\" and .status.phase == \"Running\" and .spec.containers[0].name == \"fixed\""
ok "the fix replaces the pod"

rm "$MANIFESTS/src.yaml"
wait_for "src removed" 20 bash -c "[[ \$('$CRILET_BIN' cri -r '$CRILET_RUNTIME_ENDPOINT' pods -o json | jq length) == 0 ]]"
ok "deleting the file removes the pod"

pod_yaml ok > "$T/good.yaml"
pod_yaml BAD > "$T/bad.yaml"
"$CRILET_BIN" validate --hostname-override node1 "$T/good.yaml" >"$T/v.out" || fail "validate of a good file failed"
grep -q "imagePullPolicy: IfNotPresent" "$T/v.out" || fail "validate does not print defaults"
if "$CRILET_BIN" validate "$T/bad.yaml" 2>"$T/v.err"; then fail "validate of a bad file succeeded"; fi
grep -q "^error: $T/bad.yaml:7: spec.containers\[0\].name:" "$T/v.err" || fail "validate error: $(cat "$T/v.err")"
head -c 100000 /dev/urandom > "$T/junk.bin"
start=$(date +%s%N)
if "$CRILET_BIN" validate "$T/junk.bin" 2>/dev/null; then fail "junk validated"; fi
(( ($(date +%s%N) - start) < 1000000000 )) || fail "junk took more than a second"
ok "crilet validate: defaults printed, errors with file:line, exit 1, binary junk rejected under 1s"
stop_crilet TERM
echo "# $CHECKS checks passed"
