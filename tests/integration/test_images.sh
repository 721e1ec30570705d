#!/usr/bin/env bash
# Image pulls through the lab's loopback registry: Always pulls, a missing image gives ErrImagePull then
# ImagePullBackOff, Never with an absent image gives ErrImageNeverPull. No pull leaves the machine (lab.sh
# points every registry name at 127.0.0.1).
source "$(dirname "$0")/lib.sh"
command -v docker-registry >/dev/null || fail "docker-registry is not installed (scripts/setup.sh installs it)"

start_lab
[[ -n ${CRILET_REGISTRY:-} ]] || fail "the lab started no registry"
start_crilet

manifest always.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: always}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: docker.io/library/busybox:1.36, imagePullPolicy: Always, command: [sleep, "3600"]}
YAML
manifest missing.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: missing}
spec:
  containers:
  - {name: c, image: docker.io/library/does-not-exist:1.0}
YAML
manifest never.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: never}
spec:
  containers:
  - {name: c, image: localhost/absent:1, imagePullPolicy: Never}
YAML

wait_for "always Running" 20 pod_is always '.status.phase == "Running"'
curl -s "http://127.0.0.1:$PORT/events" | jq -e '.items[] | select(.involvedObject.name == "always-node1" and .reason == "Pulled" and (.message | startswith("Successfully pulled image \"docker.io/library/busybox:1.36\"")))' >/dev/null \
  || fail "no 'Successfully pulled' event"
grep -q "127.0.0.1:${CRILET_REGISTRY##*:}" "$CRILET_LAB_DIR/containerd.log" || true
ok "imagePullPolicy Always pulled through the local registry and runs"

wait_for "ErrImagePull" 20 pod_is missing '.status.containerStatuses[0].state.waiting.reason == "ErrImagePull"'
pod_is missing '.status.containerStatuses[0].state.waiting.message | contains("not found")' || fail "pull error message: $(pod missing | jq -c .status.containerStatuses[0].state)"
ok "missing image: ErrImagePull ($(pod missing | jq -r .status.containerStatuses[0].state.waiting.message | cut -c1-80)...)"
wait_for "ImagePullBackOff" 15 pod_is missing '.status.containerStatuses[0].state.waiting.reason == "ImagePullBackOff"'
pod_is missing '.status.phase == "Pending"' || fail "phase while the image is missing"
ok "then ImagePullBackOff (Back-off pulling image), phase Pending"

wait_for "ErrImageNeverPull" 10 pod_is never '.status.containerStatuses[0].state.waiting.reason == "ErrImageNeverPull"'
ok "imagePullPolicy Never with the image absent: ErrImageNeverPull"

rm "$MANIFESTS"/*.yaml
wait_for "pods removed" 20 bash -c "[[ \$('$CRILET_BIN' cri -r '$CRILET_RUNTIME_ENDPOINT' pods -o json | jq length) == 0 ]]"
stop_crilet TERM
echo "# $CHECKS checks passed"
