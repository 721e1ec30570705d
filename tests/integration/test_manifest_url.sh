#!/usr/bin/env bash
# kubelet's http source with the real binary: a pod from --manifest-url runs; polls are conditional (a
# 304 from the server keeps the pod untouched); a changed manifest replaces it; a server that goes away
# keeps the pod running and is reported.
source "$(dirname "$0")/lib.sh"

start_lab
mkdir -p "$T/www"
pod_yaml() { printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: %s\n    image: docker.io/library/busybox:1.36\n    command: [sleep, "3600"]\n' "$1"; }
pod_yaml one > "$T/www/pods.yaml"
touch -d '-1 hour' "$T/www/pods.yaml"
WWW_PORT=$(free_port)
# python's SimpleHTTPRequestHandler sends Last-Modified and answers If-Modified-Since with 304.
python3 -u -m http.server --bind 127.0.0.1 --directory "$T/www" "$WWW_PORT" >"$T/www.log" 2>&1 &
WWW_PID=$!
trap 'kill $WWW_PID 2>/dev/null || true; cleanup' EXIT
wait_for "manifest server" 10 curl -sf "http://127.0.0.1:$WWW_PORT/pods.yaml"

start_crilet --manifest-url "http://127.0.0.1:$WWW_PORT/pods.yaml" --http-check-frequency 1s
wait_for "web Running" 30 pod_is web '.status.phase == "Running" and .spec.containers[0].name == "one"'
uid=$(pod web | jq -r .metadata.uid)
ok "a pod from --manifest-url runs"

wait_for "a conditional poll answered 304" 10 grep -q '"GET /pods.yaml HTTP/1.1" 304' "$T/www.log"
pod_is web ".metadata.uid == \"$uid\"" || fail "a 304 disturbed the pod"
ok "polls after the first are conditional; a 304 keeps the pod: $(grep -c '" 304 ' "$T/www.log") answered 304"

pod_yaml two > "$T/www/pods.yaml"   # a newer mtime: the next poll gets a 200
wait_for "the changed manifest replaces the pod" 30 pod_is web ".metadata.uid != \"$uid\" and .spec.containers[0].name == \"two\" and .status.phase == \"Running\""
uid=$(pod web | jq -r .metadata.uid)
ok "a changed manifest (200 after 304s) replaces the pod"

kill "$WWW_PID"
wait "$WWW_PID" 2>/dev/null || true
wait_for "the refused fetch is reported" 10 grep -q "cannot fetch manifests: connect to 127.0.0.1:$WWW_PORT: Connection refused (keeping the last pods)" "$T/crilet.log"
pod_is web ".metadata.uid == \"$uid\" and .status.phase == \"Running\"" || fail "the pod went with the server"
ok "a server that went away keeps the pod running and is reported"
stop_crilet TERM
echo "# $CHECKS checks passed"
