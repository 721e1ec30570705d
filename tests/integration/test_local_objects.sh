#!/usr/bin/env bash
# ConfigMaps and Secrets from the manifest directory feed a pod's env as in a cluster: configMapKeyRef,
# secretKeyRef and envFrom (with a prefix) in the pod's namespace; a pod whose ConfigMap is missing waits in
# CreateContainerConfigError with kubelet's message and starts once the ConfigMap is added; a Secret's value
# never shows in the pod's status, events, describe or crilet's log.
source "$(dirname "$0")/lib.sh"

start_lab
start_crilet

manifest app.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config, namespace: test}
data: {COLOR: blue, mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: test}
stringData: {password: "pw-7f3a9c", user: admin}
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: test}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sh, -c, 'echo "color=$COLOR mode=$mode user=$DB_user pw=$PW url=$URL"']
    envFrom:
    - configMapRef: {name: app-config}
    - {prefix: DB_, secretRef: {name: db}}
    env:
    - {name: PW, valueFrom: {secretKeyRef: {name: db, key: password}}}
    - {name: URL, value: "http://$(DB_user)@$(COLOR)"}
YAML
app() { curl -sf "http://127.0.0.1:$PORT/pods/test/app-node1"; }
succeeded() { app | jq -e '.status.phase == "Succeeded"' >/dev/null; }
wait_for "pod test/app Succeeded" 30 succeeded
out=$(C logs -n test app)
[[ $out == "color=blue mode=fast user=admin pw=pw-7f3a9c url=http://admin@blue" ]] || fail "env: $out"
ok "envFrom (ConfigMap, Secret with prefix), secretKeyRef and expansion against them: $out"

# The pod's own namespace only: the same names in default are not found.
manifest other.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: other}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sh, -c, 'echo "color=$COLOR"; exec sleep 3600']
    env:
    - {name: COLOR, valueFrom: {configMapKeyRef: {name: app-config, key: COLOR}}}
YAML
waiting() { pod other | jq -e '.status.containerStatuses[0].state.waiting | .reason == "CreateContainerConfigError" and .message == "configmap \"app-config\" not found"' >/dev/null; }
wait_for "other waiting in CreateContainerConfigError" 20 waiting
ok "a missing ConfigMap: CreateContainerConfigError, 'configmap \"app-config\" not found'"

# Adding the ConfigMap (in default) lets it start without touching the pod.
manifest default-config.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config}
data: {COLOR: green}
YAML
wait_for "other Running" 30 pod_is other '.status.phase == "Running" and .status.containerStatuses[0].ready'
[[ $(C logs other) == "color=green" ]] || fail "other's env after the ConfigMap appeared: $(C logs other)"
ok "the pod started once its ConfigMap was added, with the value of its own namespace (green)"

# The Secret's value is in the container only.
leaks=$( { app; curl -sf "http://127.0.0.1:$PORT/events"; C describe pod -n test app; cat "$T/crilet.log"; } | grep -c "pw-7f3a9c" || true)
[[ $leaks == 0 ]] || fail "the Secret's value appeared $leaks times in status, events, describe or the log"
ok "the Secret's value is in no status, event, describe output or log line"

rm "$MANIFESTS"/*.yaml
wait_for "pods removed" 30 bash -c "[[ \$('$CRILET_BIN' cri -r '$CRILET_RUNTIME_ENDPOINT' pods -o json | jq length) == 0 ]]"
stop_crilet TERM
echo "# $CHECKS checks passed"
