#!/usr/bin/env bash
# PersistentVolumeClaims as local volumes: examples/pvc-pod.yaml runs verbatim; its data survives a pod
# delete/recreate, an edit of the pod and a crilet restart; `crilet get pvc` shows it Bound; removing the
# claim removes its provisioned directory only once no pod uses it; a Retain hostPath PV keeps its data; a
# second pod on a ReadWriteOncePod claim waits with kubelet's message while the first one runs.
source "$(dirname "$0")/lib.sh"

start_lab
start_crilet
tpod() { curl -sf "http://127.0.0.1:$PORT/pods/test/$1-node1${2:-}"; }
running() { tpod "$1" | jq -e '.status.containerStatuses[0].state.running' >/dev/null; }
gone() { ! tpod "$1" >/dev/null; }
DIR=$ROOT/persistent-volumes/test/data
starts() { wc -l < "$DIR/starts" 2>/dev/null || echo 0; }
starts_are() { [[ $(starts) -eq $1 ]]; }

# 1. The example, verbatim: the claim is provisioned, the pod writes into it.
cp "$CRILET_SOURCE_DIR/examples/pvc-pod.yaml" "$MANIFESTS/pvc-pod.yaml"
wait_for "test/pvc-pod running" 30 running pvc-pod
wait_for "first start recorded in $DIR" 10 starts_are 1
ok "examples/pvc-pod.yaml runs; the pod wrote into the provisioned directory $DIR"
table=$(C get pvc -n test)
echo "$table" | sed 's/^/#   /'
grep -Eq '^data +Bound +pvc-test-data +100Mi +RWO ' <<<"$table" || fail "get pvc -n test: $table"
C get pvc -n test data -o json | jq -e '.metadata.annotations["crilet.io/local-path"] == "'"$DIR"'"' >/dev/null || fail "get pvc -o json"
[[ $(C get pvc 2>&1) == "No resources found in default namespace." ]] || fail "get pvc in default: $(C get pvc 2>&1)"
grep -Eq '^test +data +Bound' <<<"$(C get pvc -A)" || fail "get pvc -A: $(C get pvc -A)"
ok "crilet get pvc -n test shows data Bound to pvc-test-data, 100Mi, RWO"
desc=$(C describe pod -n test pvc-pod)
grep -Eq "ClaimName: +data$" <<<"$desc" && grep -Eq "Path: +$DIR \(volume pvc-test-data\)" <<<"$desc" || fail "describe: $desc"
ok "crilet describe pod lists the claim and its bound directory"

# 2. Delete the pod (keep the claim), then create it again: the data is still there.
sed -n '1,/^---$/p' "$CRILET_SOURCE_DIR/examples/pvc-pod.yaml" | sed '$d' > "$T/claim-only.yaml"
mv "$T/claim-only.yaml" "$MANIFESTS/pvc-pod.yaml"
wait_for "test/pvc-pod removed" 30 gone pvc-pod
[[ -d $DIR && $(starts) -eq 1 ]] || fail "data after the pod's removal: $(ls -la "$DIR")"
cp "$CRILET_SOURCE_DIR/examples/pvc-pod.yaml" "$MANIFESTS/pvc-pod.yaml"
wait_for "second start recorded" 30 starts_are 2
ok "the claim's data survives a pod delete and recreate ($(starts) starts)"

# 3. A crilet restart, then an edit of the pod (a new UID, a new container): still the same data.
wait_for "test/pvc-pod running" 30 running pvc-pod
stop_crilet
start_crilet
wait_for "pvc Bound after the restart" 10 bash -c "grep -Eq '^data +Bound +pvc-test-data' <<<\"\$(CRILET_SERVER=http://127.0.0.1:$PORT $CRILET_BIN get pvc -n test)\""
sed 's/^  name: pvc-pod$/  name: pvc-pod\n  labels: {edited: "yes"}/' "$CRILET_SOURCE_DIR/examples/pvc-pod.yaml" > "$T/edited.yaml"
mv "$T/edited.yaml" "$MANIFESTS/pvc-pod.yaml"
wait_for "third start recorded after restart and edit" 40 starts_are 3
ok "the data survives a crilet restart and an edit of the pod ($(starts) starts)"

# 4. Remove the claim while a pod still names it: the directory stays; remove the pod: it goes. (The pod is
# now the file's first document, so it has a new UID: the old one stops and the new one waits for the claim.)
sed -n '/^---$/,$p' "$MANIFESTS/pvc-pod.yaml" | sed '1d' > "$T/pod-only.yaml"
mv "$T/pod-only.yaml" "$MANIFESTS/pvc-pod.yaml"
wait_for "claim no longer listed" 10 bash -c "[[ -z \$(CRILET_SERVER=http://127.0.0.1:$PORT $CRILET_BIN get pvc -n test 2>/dev/null) ]]"
claim_gone_event() { tpod pvc-pod '?events' | jq -e '.events[] | select(.reason == "FailedMount" and (.message | contains("persistentvolumeclaim \"data\" not found")))' >/dev/null; }
wait_for "the new pod waits: persistentvolumeclaim \"data\" not found" 30 claim_gone_event
[[ -d $DIR && $(starts) -eq 3 ]] || fail "directory deleted while a pod names the claim"
rm "$MANIFESTS/pvc-pod.yaml"
wait_for "test/pvc-pod removed" 30 gone pvc-pod
wait_for "provisioned directory deleted" 10 test ! -e "$DIR"
grep -q "deleted provisioned volume $DIR" "$T/crilet.log" || fail "no log line for the deletion"
ok "removing the claim deletes its provisioned directory once no pod uses it"

# 5. A hostPath PV with reclaim policy Retain: bound by volumeName, its data is never deleted.
PV=$T/retained
mkdir -p "$PV"
manifest retain.yaml <<YAML
apiVersion: v1
kind: PersistentVolume
metadata: {name: kept}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: $PV}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: keep, namespace: test}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  volumeName: kept
  resources: {requests: {storage: 500Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: keeper, namespace: test}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sh, -c, 'echo precious > /data/file; exec sleep 3600']
    volumeMounts: [{name: d, mountPath: /data}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: keep}}]
YAML
wait_for "retained PV written" 30 test -s "$PV/file"
grep -Eq '^keep +Bound +kept +1Gi +RWO' <<<"$(C get pvc -n test)" || fail "get pvc keep: $(C get pvc -n test)"
rm "$MANIFESTS/retain.yaml"
wait_for "test/keeper removed" 30 gone keeper
wait_for "claim keep no longer listed" 10 bash -c "[[ -z \$(CRILET_SERVER=http://127.0.0.1:$PORT $CRILET_BIN get pvc -n test 2>/dev/null) ]]"
[[ $(cat "$PV/file") == precious ]] || fail "Retain PV lost its data"
ok "a Retain hostPath PV keeps its data after its claim and pod are removed"

# 6. ReadWriteOncePod: the second pod waits while the first runs, and starts once it is gone.
manifest rwop.yaml <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: solo, namespace: test}
spec:
  accessModes: [ReadWriteOncePod]
  resources: {requests: {storage: 10Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: first, namespace: test}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"], volumeMounts: [{name: d, mountPath: /d}]}
  volumes: [{name: d, persistentVolumeClaim: {claimName: solo}}]
YAML
wait_for "test/first running" 30 running first
manifest rwop-second.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: second, namespace: test}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"], volumeMounts: [{name: d, mountPath: /d}]}
  volumes: [{name: d, persistentVolumeClaim: {claimName: solo}}]
YAML
rwop_event() {
  tpod second '?events' | jq -e '.events[] | select(.reason == "FailedMount" and (.message | contains("persistentvolumeclaim \"solo\": node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode")))' >/dev/null
}
wait_for "FailedMount event for the RWOP claim" 20 rwop_event
tpod second | jq -e '.status.containerStatuses[0].state.waiting' >/dev/null || fail "second pod not waiting: $(tpod second | jq -c .status)"
running first || fail "first pod stopped"
ok "a second pod on a ReadWriteOncePod claim waits with kubelet's message while the first runs"
stop_crilet
start_crilet
wait_for "FailedMount event for the RWOP claim after a crilet restart" 20 rwop_event
running first || fail "first pod stopped after the restart"
tpod second | jq -e '.status.containerStatuses[0].state.waiting' >/dev/null || fail "second pod started after the restart"
ok "ReadWriteOncePod still holds after a crilet restart (the running pod is adopted as the claim's user)"
sed -i '/^---$/,$d' "$MANIFESTS/rwop.yaml"
wait_for "test/first removed" 30 gone first
wait_for "test/second running once first is gone" 30 running second
ok "the waiting pod starts once the claim is free"

# 7. A missing claim: the pod waits with kubelet's message and starts when the claim appears.
manifest late.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: late, namespace: test}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"], volumeMounts: [{name: d, mountPath: /d}]}
  volumes: [{name: d, persistentVolumeClaim: {claimName: later}}]
YAML
missing_event() { tpod late '?events' | jq -e '.events[] | select(.reason == "FailedMount" and (.message | contains("persistentvolumeclaim \"later\" not found")))' >/dev/null; }
wait_for "FailedMount: persistentvolumeclaim not found" 20 missing_event
manifest later.yaml <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: later, namespace: test}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Mi}}}
YAML
wait_for "test/late running once its claim exists" 30 running late
ok "a pod whose claim is missing waits (persistentvolumeclaim \"later\" not found) and starts when it appears"

# 8. get configmaps / secrets: kubectl's tables; a Secret's value never leaves crilet, in any output.
manifest objects.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: test}
data: {a: "1", b: "2"}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: test}
stringData: {password: "s3cr3t-pvc-test"}
YAML
listed() { grep -Eq '^settings +2 ' <<<"$(C get cm -n test)"; }
wait_for "configmap listed" 10 listed
grep -Eq '^creds +Opaque +1 ' <<<"$(C get secrets -n test)" || fail "get secrets: $(C get secrets -n test)"
all="$(C get secrets -n test -o json)$(C get secrets -A -o yaml)$(C get secret -n test creds -o json)$(curl -sf "http://127.0.0.1:$PORT/secrets")"
grep -q 's3cr3t-pvc-test' <<<"$all" && fail "secret value in get secrets output"
grep -q "$(printf %s s3cr3t-pvc-test | base64)" <<<"$all" && fail "secret value (base64) in get secrets output"
grep -q '"password": "15 bytes"' <<<"$all" || fail "secret key sizes missing: $all"
grep -q 's3cr3t-pvc-test' "$T/crilet.log" && fail "secret value in crilet's log"
ok "crilet get cm and get secrets print kubectl's tables; secret values appear in no output or log"

echo "1..$CHECKS"
