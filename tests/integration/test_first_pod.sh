#!/usr/bin/env bash
# Issue 3's vertical slice: manifest -> sandbox + running container (pod network and hostNetwork), kubelet's
# labels and logs, removal leaves nothing, and a SIGKILLed crilet adopts what runs.
source "$(dirname "$0")/lib.sh"

start_lab
start_crilet

manifest web.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: main
    image: docker.io/library/busybox:1.36
    command: ["sh", "-c", "echo started $(POD); exec sleep 3600"]
    env: [{name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
YAML
manifest host.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: host}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 2
  containers:
  - name: main
    image: docker.io/library/busybox:1.36
    command: ["sleep", "3600"]
YAML

wait_for "web Running" 20 pod_is web '.status.phase == "Running" and .status.containerStatuses[0].ready'
wait_for "host Running" 20 pod_is host '.status.phase == "Running" and .status.containerStatuses[0].ready'
ok "both pods report Running and ready"

[[ $(count_cri pods) == 2 ]] || fail "expected 2 sandboxes"
running=$(cri ps -o json | jq '[.[] | select(.state == "CONTAINER_RUNNING")] | length')
[[ $running == 2 ]] || fail "expected 2 running containers through CRI, got $running"
ok "CRI holds 2 sandboxes and 2 running containers"

labels=$(cri ps -o json | jq -c '.[] | select(.labels["io.kubernetes.pod.name"] == "web-node1") | .labels')
[[ $(jq -r '.["io.kubernetes.pod.namespace"]' <<<"$labels") == default ]] || fail "namespace label: $labels"
[[ $(jq -r '.["io.kubernetes.container.name"]' <<<"$labels") == main ]] || fail "container label: $labels"
uid=$(pod web | jq -r .metadata.uid)
[[ $(jq -r '.["io.kubernetes.pod.uid"]' <<<"$labels") == "$uid" ]] || fail "uid label: $labels"
sandbox_labels=$(cri pods -o json | jq -c '.[] | select(.name == "web-node1") | .labels')
[[ $(jq -r '.app' <<<"$sandbox_labels") == web ]] || fail "pod labels are not on the sandbox: $sandbox_labels"
ok "kubelet's CRI labels are on sandboxes and containers"

ip=$(pod web | jq -r .status.podIP)
[[ $ip == "${CRILET_LAB_SUBNET%.0.0/16}".* ]] || fail "web pod IP $ip is not on the test bridge ($CRILET_LAB_SUBNET)"
[[ $(pod host | jq -r .status.podIP) == $(pod host | jq -r .status.hostIP) ]] || fail "hostNetwork pod IP is not the host IP"
ok "pod network IP $ip; hostNetwork pod uses the host IP"

logfile="$LOGS/default_web-node1_$uid/main/0.log"
wait_for "log line in $logfile" 5 grep -q "stdout F started web-node1" "$logfile"
ok "container log in CRI format under --pod-logs-dir"

# SIGKILL crilet: a new one adopts the same containers instead of restarting them.
before=$(cri ps -o json | jq -r '.[].id' | sort)
stop_crilet KILL
start_crilet
wait_for "web Running after restart" 10 pod_is web '.status.phase == "Running"'
sleep 2
after=$(cri ps -o json | jq -r '.[].id' | sort)
[[ $before == "$after" ]] || fail "container IDs changed after crilet restart"
pod_is web '.status.containerStatuses[0].restartCount == 0' || fail "restart count changed"
ok "after SIGKILL and restart, the same container IDs run (adopted)"

rm "$MANIFESTS/web.yaml" "$MANIFESTS/host.yaml"
wait_for "no sandbox left" 20 bash -c "[[ \$('$CRILET_BIN' cri -r '$CRILET_RUNTIME_ENDPOINT' pods -o json | jq length) == 0 ]]"
[[ $(count_cri ps -a) == 0 ]] || fail "containers left after removal"
[[ ! -e $ROOT/pods/$uid ]] || fail "pod directory $ROOT/pods/$uid left"
grep -q "$ROOT/" /proc/self/mountinfo && fail "mounts left under $ROOT"
[[ $(curl -s "http://127.0.0.1:$PORT/pods" | jq '.items | length') == 0 ]] || fail "status still lists pods"
ok "removal leaves no sandbox, container, pod directory, mount or status"

stop_crilet TERM
echo "# $CHECKS checks passed"
