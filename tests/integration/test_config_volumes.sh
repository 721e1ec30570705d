#!/usr/bin/env bash
# configMap, secret, downwardAPI and projected volumes as kubelet makes them: files with their modes behind a
# ..data symlink, read-only, Secrets on tmpfs; a ConfigMap edit reaches the running container within seconds
# without a restart (not through a subPath mount, not for an immutable ConfigMap); a downwardAPI labels file
# follows a label edit; the Secret's value shows nowhere but in the container. Runs examples/configmap-pod.yaml
# verbatim first.
source "$(dirname "$0")/lib.sh"

start_lab
start_crilet
tpod() { curl -sf "http://127.0.0.1:$PORT/pods/test/$1-node1"; }
tpod_is() { tpod "$1" | jq -e "$2" >/dev/null; }
in_pod() { C exec -n test "$@"; }

# The example, as a user runs it.
cp "$CRILET_SOURCE_DIR/examples/configmap-pod.yaml" "$MANIFESTS/"
wait_for "configmap-pod Running" 30 tpod_is configmap-pod '.status.phase == "Running" and .status.containerStatuses[0].ready'
[[ $(in_pod configmap-pod -- cat /etc/config/greeting) == "hello from a ConfigMap" ]] || fail "example: greeting file"
wait_for "the example's log" 10 bash -c "CRILET_SERVER=http://127.0.0.1:$PORT '$CRILET_BIN' logs -n test configmap-pod | grep -q 'file: hello from a ConfigMap'"
ok "examples/configmap-pod.yaml: the file and the env hold the ConfigMap's value"
rm "$MANIFESTS/configmap-pod.yaml"

uid=5b0f2a1c-7d1e-4c59-9a4e-0c1d2e3f4a5b
write_objects() {  # write_objects GREETING FROZEN
  manifest objects.yaml <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: app, namespace: test}
data: {greeting: "$1", app.conf: "port=8080"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: frozen, namespace: test}
immutable: true
data: {value: "$2"}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: test}
stringData: {password: pw-91c4e2}
YAML
}
write_pod() {  # write_pod TIER
  manifest vols.yaml <<YAML
apiVersion: v1
kind: Pod
metadata: {name: vols, namespace: test, uid: $uid, labels: {app: vols, tier: "$1"}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
    volumeMounts:
    - {name: config, mountPath: /etc/config}
    - {name: config, mountPath: /etc/greeting, subPath: greeting}
    - {name: picked, mountPath: /etc/picked}
    - {name: frozen, mountPath: /etc/frozen}
    - {name: secret, mountPath: /etc/secret}
    - {name: info, mountPath: /etc/info}
    - {name: all, mountPath: /etc/all}
  volumes:
  - {name: config, configMap: {name: app}}
  - name: picked
    configMap:
      name: app
      defaultMode: 0640
      items: [{key: app.conf, path: conf/app.conf, mode: 0400}, {key: greeting, path: hi}]
  - {name: frozen, configMap: {name: frozen}}
  - {name: secret, secret: {secretName: creds, defaultMode: 0400}}
  - name: info
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: name, fieldRef: {fieldPath: metadata.name}}
      - {path: mem, resourceFieldRef: {containerName: c, resource: limits.memory, divisor: 1Mi}}
  - name: all
    projected:
      sources:
      - configMap: {name: app, items: [{key: greeting, path: greeting}]}
      - secret: {name: creds}
      - downwardAPI: {items: [{path: ns, fieldRef: {fieldPath: metadata.namespace}}]}
      - configMap: {name: absent, optional: true}
YAML
}
write_objects "hello" "ice"
write_pod web
wait_for "vols Running" 30 tpod_is vols '.status.phase == "Running" and .status.containerStatuses[0].ready'

[[ $(in_pod vols -- cat /etc/config/greeting) == hello && $(in_pod vols -- cat /etc/config/app.conf) == port=8080 ]] ||
  fail "configMap files"
[[ $(in_pod vols -- readlink /etc/config/greeting) == "..data/greeting" ]] || fail "configMap file is not behind ..data"
ok "configMap volume: every key a file, reached through ..data"
[[ $(in_pod vols -- stat -L -c '%a %n' /etc/picked/conf/app.conf /etc/picked/hi) == $'400 /etc/picked/conf/app.conf\n640 /etc/picked/hi' ]] ||
  fail "items' modes: $(in_pod vols -- stat -L -c '%a %n' /etc/picked/conf/app.conf /etc/picked/hi)"
in_pod vols -- test -e /etc/picked/greeting && fail "items: a key not listed was projected"
ok "items: chosen keys at their paths, mode 0400 over defaultMode 0640"
[[ $(in_pod vols -- cat /etc/secret/password) == pw-91c4e2 ]] || fail "secret file"
[[ $(in_pod vols -- stat -L -c %a /etc/secret/password) == 400 ]] || fail "secret defaultMode"
host_secret=$ROOT/pods/$(tpod vols | jq -r .metadata.uid)/volumes/kubernetes.io~secret/secret
[[ $(findmnt -n -o FSTYPE --target "$host_secret") == tmpfs ]] || fail "the secret volume is not on tmpfs on the host"
ok "secret volume: the value with mode 0400, on tmpfs at $host_secret"
[[ $(in_pod vols -- cat /etc/info/labels) == $'app="vols"\ntier="web"' ]] || fail "labels file: $(in_pod vols -- cat /etc/info/labels)"
[[ $(in_pod vols -- cat /etc/info/name) == vols-node1 ]] || fail "name file"
[[ $(in_pod vols -- cat /etc/info/mem) =~ ^[0-9]+$ ]] || fail "resourceFieldRef file: $(in_pod vols -- cat /etc/info/mem)"
ok "downwardAPI volume: labels, name and limits.memory in MiB ($(in_pod vols -- cat /etc/info/mem))"
[[ $(in_pod vols -- sh -c 'cat /etc/all/greeting; echo; cat /etc/all/password; echo; cat /etc/all/ns') == $'hello\npw-91c4e2\ntest' ]] ||
  fail "projected volume"
ok "projected volume: configMap, secret and downwardAPI sources together, a missing optional one skipped"
err=$(in_pod vols -- sh -c 'echo x > /etc/config/new' 2>&1) && fail "the configMap volume is writable"
[[ $err == *"Read-only file system"* ]] || fail "writing to the volume: $err"
ok "the volumes are read-only in the container: $err"

# A ConfigMap edit reaches the container without a restart; the subPath file and the immutable one stay.
edited=$(date +%s%N)
write_objects "bonjour" "melted"
wait_for "the edited greeting in /etc/config" 15 bash -c "[[ \$(CRILET_SERVER=http://127.0.0.1:$PORT '$CRILET_BIN' exec -n test vols -- cat /etc/config/greeting) == bonjour ]]"
took=$(( ($(date +%s%N) - edited) / 1000000 ))
[[ $(in_pod vols -- cat /etc/all/greeting) == bonjour ]] || fail "projected volume after the edit"
[[ $(in_pod vols -- cat /etc/picked/hi) == bonjour ]] || fail "items volume after the edit"
[[ $(in_pod vols -- cat /etc/greeting) == hello ]] || fail "the subPath mount changed: $(in_pod vols -- cat /etc/greeting)"
[[ $(in_pod vols -- cat /etc/frozen/value) == ice ]] || fail "the immutable ConfigMap's file changed"
tpod_is vols '.status.containerStatuses[0].restartCount == 0' || fail "the container restarted"
ok "a ConfigMap edit reached the container in ${took} ms (one exec poll included) with no restart; the subPath file and the immutable ConfigMap kept theirs"
grep -q "configmap/frozen is immutable" "$T/crilet.log" || fail "no log line about the ignored edit of an immutable ConfigMap"
ok "the ignored edit of the immutable ConfigMap is logged"

# A label edit (same UID) rewrites the labels file.
write_pod db
wait_for "the labels file follows the edit" 15 bash -c "[[ \$(CRILET_SERVER=http://127.0.0.1:$PORT '$CRILET_BIN' exec -n test vols -- cat /etc/info/labels) == *'tier=\"db\"' ]]"
tpod_is vols '.status.containerStatuses[0].restartCount == 0' || fail "the container restarted on a label edit"
ok "a label edit updated /etc/info/labels without a restart"

# describe names the objects; the Secret's value is nowhere outside the container.
d=$(C describe pod -n test vols)
grep -q "ConfigMap (a volume populated by a ConfigMap)" <<<"$d" || fail "describe: no ConfigMap volume"
grep -q "SecretName:  *creds" <<<"$d" || fail "describe: no secret name"
grep -q "metadata.labels -> labels" <<<"$d" || fail "describe: no downwardAPI item"
ok "describe lists the configMap, secret, downwardAPI and projected volumes"
leaks=$( { tpod vols; curl -sf "http://127.0.0.1:$PORT/pods"; curl -sf "http://127.0.0.1:$PORT/events"; echo "$d"; cat "$T/crilet.log"; } | grep -c "pw-91c4e2" || true)
[[ $leaks == 0 ]] || fail "the Secret's value appeared $leaks times outside the container"
ok "the Secret's value is in no status, event, describe output or log line"

rm "$MANIFESTS"/*.yaml
wait_for "pods removed" 30 bash -c "[[ \$('$CRILET_BIN' cri -r '$CRILET_RUNTIME_ENDPOINT' pods -o json | jq length) == 0 ]]"
left=$(awk -v d="$ROOT/" 'index($5, d) == 1' /proc/self/mountinfo | wc -l)
[[ $left == 0 ]] || fail "$left mounts left under $ROOT after the pods went"
ok "no tmpfs or other mount left under the root dir"
stop_crilet TERM
echo "# $CHECKS checks passed"
