#!/usr/bin/env bash
# Image pull credentials against a registry with htpasswd auth and TLS (tests/integration/auth_registry.sh):
# a pull without credentials fails with ErrImagePull and the registry's 401 (a missing imagePullSecret is a
# FailedToRetrieveImagePullSecret warning); imagePullSecrets Secrets from the manifest directory pull
# (dockerconfigjson, and dockercfg with a wildcard key); a node config.json under --root-dir pulls, found
# without a restart; the password shows in none of crilet's log, events, /pods or describe.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/auth_registry.sh"

start_lab
start_auth_registry
start_crilet
IMAGE=$AUTH_REGISTRY_NAME/library/busybox:1.36
AUTH_B64=$(printf '%s:%s' "$AUTH_USER" "$AUTH_PASSWORD" | base64 -w0)
ns_pod() { curl -sf "http://127.0.0.1:$PORT/pods/$1/$2-node1"; }
ns_pod_is() { ns_pod "$1" "$2" | jq -e "$3" >/dev/null; }
events_of() { curl -sf "http://127.0.0.1:$PORT/events" | jq -c --arg n "$1-node1" '[.items[] | select(.involvedObject.name == $n)]'; }

# 1. No credentials anywhere, and a pull secret that does not exist.
manifest anonymous.yaml <<YAML
apiVersion: v1
kind: Pod
metadata: {name: anonymous}
spec:
  terminationGracePeriodSeconds: 1
  imagePullSecrets: [{name: nosuch}]
  containers:
  - {name: c, image: $IMAGE, imagePullPolicy: Always, command: [sleep, "3600"]}
YAML
wait_for "anonymous ErrImagePull" 30 pod_is anonymous '.status.containerStatuses[0].state.waiting.reason == "ErrImagePull"'
msg=$(pod anonymous | jq -r '.status.containerStatuses[0].state.waiting.message')
grep -qi "401 Unauthorized\|unauthorized" <<<"$msg" || fail "ErrImagePull without the registry's 401: $msg"
[[ $msg == "Failed to pull image \"$IMAGE\": "* ]] || fail "ErrImagePull message not kubelet's: $msg"
ok "no credentials: ErrImagePull with the registry's answer (${msg:0:60}...${msg: -40})"
jq -e '.[] | select(.type == "Warning" and .reason == "FailedToRetrieveImagePullSecret" and
  .message == "Unable to retrieve some image pull secrets (nosuch); attempting to pull the image may not succeed.")' \
  <<<"$(events_of anonymous)" >/dev/null || fail "no FailedToRetrieveImagePullSecret event: $(events_of anonymous)"
ok "the missing imagePullSecret is a FailedToRetrieveImagePullSecret warning and the pull went on"

# 2. imagePullSecrets naming a kubernetes.io/dockerconfigjson Secret in the pod's namespace.
manifest with-secret.yaml <<YAML
apiVersion: v1
kind: Secret
metadata: {name: regcred, namespace: test}
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths": {"$AUTH_REGISTRY_NAME": {"auth": "$AUTH_B64"}}}'
---
apiVersion: v1
kind: Pod
metadata: {name: with-secret, namespace: test}
spec:
  terminationGracePeriodSeconds: 1
  imagePullSecrets: [{name: regcred}]
  containers:
  - {name: c, image: $IMAGE, imagePullPolicy: Always, command: [sleep, "3600"]}
---
apiVersion: v1
kind: Secret
metadata: {name: legacy, namespace: test}
type: kubernetes.io/dockercfg
stringData:
  .dockercfg: '{"*.registry.test": {"username": "$AUTH_USER", "password": "$AUTH_PASSWORD"}}'
---
apiVersion: v1
kind: Pod
metadata: {name: with-legacy, namespace: test}
spec:
  terminationGracePeriodSeconds: 1
  imagePullSecrets: [{name: legacy}]
  containers:
  - {name: c, image: $IMAGE, imagePullPolicy: Always, command: [sleep, "3600"]}
YAML
wait_for "with-secret Running" 30 ns_pod_is test with-secret '.status.phase == "Running"'
jq -e --arg i "$IMAGE" '.[] | select(.reason == "Pulled" and (.message | startswith("Successfully pulled image \"" + $i + "\"")))' \
  <<<"$(events_of with-secret)" >/dev/null || fail "no Successfully pulled event for with-secret: $(events_of with-secret)"
ok "imagePullSecrets (dockerconfigjson Secret from the manifest directory) pulled from the auth registry"
wait_for "with-legacy Running" 30 ns_pod_is test with-legacy '.status.phase == "Running"'
ok "a kubernetes.io/dockercfg Secret with a wildcard key (*.registry.test) pulled too"
ns_pod_is default anonymous '.status.containerStatuses[0].state.waiting.reason | test("ErrImagePull|ImagePullBackOff")' ||
  fail "the pod without the secret got the image: $(pod anonymous | jq -c .status.containerStatuses[0].state)"
ok "the pod without the secret still cannot pull (Always: credentials are checked on every pull)"

# 3. Node credentials: config.json under --root-dir, written while crilet runs.
rm "$MANIFESTS/with-secret.yaml"
wait_for "with-secret gone" 30 bash -c "! curl -sf http://127.0.0.1:$PORT/pods/test/with-secret-node1 >/dev/null"
wait_for "with-legacy gone" 30 bash -c "! curl -sf http://127.0.0.1:$PORT/pods/test/with-legacy-node1 >/dev/null"
cat > "$ROOT/config.json.tmp" <<JSON
{"auths": {"https://$AUTH_REGISTRY_NAME/v1/": {"username": "$AUTH_USER", "password": "$AUTH_PASSWORD"}}}
JSON
mv "$ROOT/config.json.tmp" "$ROOT/config.json"
manifest node-creds.yaml <<YAML
apiVersion: v1
kind: Pod
metadata: {name: node-creds}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: $IMAGE, imagePullPolicy: Always, command: [sleep, "3600"]}
YAML
# The node files are re-read at most every second; a first pull that raced it retries after the image backoff.
wait_for "node-creds Running" 45 pod_is node-creds '.status.phase == "Running"'
grep -q "pull credentials: node credentials from $ROOT/config.json" "$T/crilet.log" || fail "crilet did not log which node file it used"
ok "a node config.json under --root-dir, added without a restart, pulls"

# 4. The password (and its base64 form) is nowhere crilet shows things.
describe=$(C describe pod anonymous 2>&1; C describe pod node-creds 2>&1)
for where in "crilet log:$(cat "$T/crilet.log")" "events:$(curl -sf "http://127.0.0.1:$PORT/events")" \
  "pods:$(curl -sf "http://127.0.0.1:$PORT/pods")" "describe:$describe"; do
  grep -qF -- "$AUTH_PASSWORD" <<<"$where" && fail "the password shows in ${where%%:*}"
  grep -qF -- "$AUTH_B64" <<<"$where" && fail "the base64 credentials show in ${where%%:*}"
done
ok "the password is in none of crilet's log, events, /pods or describe"

rm "$MANIFESTS"/*.yaml
wait_for "pods removed" 30 bash -c "[[ \$('$CRILET_BIN' cri -r '$CRILET_RUNTIME_ENDPOINT' pods -o json | jq length) == 0 ]]"
stop_crilet TERM
echo "# $CHECKS checks passed"
