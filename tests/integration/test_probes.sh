#!/usr/bin/env bash
# Issue 6 on real containerd: httpGet readiness true -> false -> true, tcpSocket, exec liveness restarting a
# container, an exec probe past its timeout, grpc against etcd's health service, and a startup probe holding
# liveness back.
source "$(dirname "$0")/lib.sh"

start_lab
start_crilet
www=$T/www
mkdir -p "$www"
echo ready > "$www/healthz"

manifest web.yaml <<YAML
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: httpd
    image: docker.io/library/busybox:1.36
    command: [httpd, -f, -p, "8080", -h, /www]
    ports: [{name: http, containerPort: 8080}]
    readinessProbe: {httpGet: {port: http, path: /healthz}, periodSeconds: 1, failureThreshold: 1}
    livenessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
    volumeMounts: [{name: www, mountPath: /www}]
  volumes: [{name: www, hostPath: {path: $www, type: Directory}}]
YAML
manifest live.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: live}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sh, -c, "touch /tmp/healthy; sleep 3; rm /tmp/healthy; exec sleep 3600"]
    livenessProbe: {exec: {command: [test, -f, /tmp/healthy]}, periodSeconds: 1, failureThreshold: 2}
YAML
manifest etcd.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: etcd}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: etcd
    image: localhost/etcd:3.4
    command: [/usr/bin/etcd, --data-dir=/var/lib/etcd, --listen-client-urls=http://0.0.0.0:2379,
              --advertise-client-urls=http://127.0.0.1:2379, --listen-peer-urls=http://127.0.0.1:2380]
    readinessProbe: {grpc: {port: 2379}, periodSeconds: 1}
    livenessProbe: {httpGet: {port: 2379, path: /health}, periodSeconds: 2}
YAML
manifest slow.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: slow}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sh, -c, "sleep 4; touch /tmp/started; exec sleep 3600"]
    startupProbe: {exec: {command: [test, -f, /tmp/started]}, periodSeconds: 1, failureThreshold: 30}
    livenessProbe: {exec: {command: [test, -f, /tmp/started]}, periodSeconds: 1, failureThreshold: 1}
YAML

manifest hang.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: hang}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
    readinessProbe: {exec: {command: [sleep, "5"]}, timeoutSeconds: 1, periodSeconds: 2}
YAML
has_event() { curl -s "http://127.0.0.1:$PORT/events" | jq -e --arg m "$1" '.items[] | select(.message == $m)' >/dev/null; }

# httpGet readiness: ready, then not ready when the page is gone, then ready again; tcpSocket liveness holds.
wait_for "web ready" 20 pod_is web '.status.containerStatuses[0].ready and (.status.conditions[] | select(.type == "Ready") | .status) == "True"'
ok "httpGet readiness: ready, pod Ready=True"
rm "$www/healthz"
wait_for "web not ready" 10 pod_is web '(.status.containerStatuses[0].ready | not) and (.status.conditions[] | select(.type == "ContainersReady") | .reason) == "ContainersNotReady"'
curl -s "http://127.0.0.1:$PORT/events" | jq -e '.items[] | select(.reason == "Unhealthy" and (.message | startswith("Readiness probe failed: HTTP probe failed with statuscode: 404")))' >/dev/null \
  || fail "no Unhealthy event for the readiness failure"
ok "page removed: ready=false, ContainersNotReady, event 'Readiness probe failed: HTTP probe failed with statuscode: 404'"
echo ready > "$www/healthz"
wait_for "web ready again" 10 pod_is web '.status.containerStatuses[0].ready'
pod_is web '.status.containerStatuses[0].restartCount == 0' || fail "tcpSocket liveness restarted a healthy container"
ok "page back: ready again; tcpSocket liveness kept it running (no restart)"

# exec liveness: the container deletes its health file; 2 failures => killed and restarted.
wait_for "live restarted by liveness" 25 pod_is live '.status.containerStatuses[0].restartCount >= 1'
curl -s "http://127.0.0.1:$PORT/events" | jq -e '.items[] | select(.involvedObject.name == "live-node1" and .reason == "Killing" and .message == "Container c failed liveness probe, will be restarted")' >/dev/null \
  || fail "no Killing event for the liveness failure"
ok "exec liveness failure: container killed and restarted (Killing: Container c failed liveness probe, will be restarted)"

# grpc readiness against etcd's grpc.health.v1 service.
wait_for "etcd ready via grpc" 30 pod_is etcd '.status.containerStatuses[0].ready'
ok "grpc readiness on etcd: ready"

# startup probe: liveness (which would fail at once) is held back until the startup probe passes.
wait_for "slow started" 15 pod_is slow '.status.containerStatuses[0].started == true'
pod_is slow '.status.containerStatuses[0].restartCount == 0' || fail "liveness ran before the startup probe passed"
pod_is slow '.status.containerStatuses[0].ready' || fail "started container without readiness probe should be ready"
ok "startup probe held liveness back for ~4s; started, ready, no restart"

# exec past its timeoutSeconds: the runtime ends the command and the probe fails with kubelet's text.
wait_for "exec probe timed out" 20 has_event 'Readiness probe failed: command "sleep 5" timed out'
pod_is hang '(.status.containerStatuses[0].ready | not)' || fail "a probe that timed out left the container ready"
ok "exec readiness past timeoutSeconds: 'command \"sleep 5\" timed out', not ready"

grep -q 'crilet_probe_total{.*probe_type="Readiness",result="successful"' <<<"$(curl -s "http://127.0.0.1:$PORT/metrics")" || fail "probe metrics missing"
ok "probe results counted in /metrics"

rm "$MANIFESTS"/*.yaml
wait_for "pods removed" 30 bash -c "[[ \$('$CRILET_BIN' cri -r '$CRILET_RUNTIME_ENDPOINT' pods -o json | jq length) == 0 ]]"
stop_crilet TERM
echo "# $CHECKS checks passed"
