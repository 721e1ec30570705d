#!/usr/bin/env bash
# Kubelet's image garbage collection against the real runtime: with thresholds the lab's image filesystem is
# over (high 1%, low 0%) and no minimum age, the unused images are removed (a log line and an event each), while
# the image of a running container, the image of an exited one and the pod sandbox (pause) image stay. With
# imageMaximumGCAge an unused image goes at the default thresholds once crilet's GC has run for longer than it.
source "$(dirname "$0")/lib.sh"

start_lab
ctr_k8s() { ctr -a "$CONTAINERD_ADDRESS" -n k8s.io "$@"; }

# make_image NAME: a one-file OCI image of its own content (so its ID differs from every other image), imported.
make_image() {
  local name=$1 dir=$T/img-${1//[^a-z0-9]/_}
  mkdir -p "$dir/rootfs" "$dir/oci/blobs/sha256"
  echo "$name" > "$dir/rootfs/name"
  tar -C "$dir/rootfs" -cf "$dir/layer.tar" .
  local layer cfg man
  layer=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
  cp "$dir/layer.tar" "$dir/oci/blobs/sha256/$layer"
  jq -cn --arg diff "sha256:$layer" --arg arch "$(dpkg --print-architecture)" \
    '{architecture: $arch, os: "linux", config: {Cmd: ["/name"]}, rootfs: {type: "layers", diff_ids: [$diff]}}' > "$dir/config.json"
  cfg=$(sha256sum "$dir/config.json" | cut -d' ' -f1)
  cp "$dir/config.json" "$dir/oci/blobs/sha256/$cfg"
  jq -cn --arg c "sha256:$cfg" --argjson cs "$(stat -c %s "$dir/config.json")" --arg l "sha256:$layer" \
    --argjson ls "$(stat -c %s "$dir/layer.tar")" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
      layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' > "$dir/manifest.json"
  man=$(sha256sum "$dir/manifest.json" | cut -d' ' -f1)
  cp "$dir/manifest.json" "$dir/oci/blobs/sha256/$man"
  jq -cn --arg d "sha256:$man" --argjson s "$(stat -c %s "$dir/manifest.json")" --arg n "$name" \
    '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s,
      annotations: {"io.containerd.image.name": $n}}]}' > "$dir/oci/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci/oci-layout"
  tar -C "$dir/oci" -cf "$dir/image.tar" .
  ctr_k8s images import "$dir/image.tar" >/dev/null
}
make_image localhost/gc-unused-a:1
make_image localhost/gc-unused-b:1
has_image() { grep -qx "$1" <<<"$(cri images -o json | jq -r '.[].repoTags[]?')"; }
for i in localhost/gc-unused-a:1 localhost/gc-unused-b:1 docker.io/library/busybox:1.36 localhost/etcd:3.4 localhost/pause:3.9; do
  has_image "$i" || fail "the lab lacks $i: $(cri images)"
done

# The first crilet runs the pods with kubelet's default thresholds: nothing is collected.
start_crilet --pod-infra-container-image localhost/pause:3.9
manifest running.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: running}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}
YAML
manifest done.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: done}
spec:
  hostNetwork: true
  restartPolicy: Never
  containers:
  - {name: c, image: localhost/etcd:3.4, command: ["true"]}
YAML
wait_for "running is Running" 60 pod_is running '.status.phase == "Running"'
wait_for "done Succeeded" 60 pod_is done '.status.phase == "Succeeded"'
has_image localhost/gc-unused-a:1 || fail "gc-unused-a removed at kubelet's default thresholds"
ok "at the default thresholds (85/80, the lab's disk is below) no image is removed"

# A restarted crilet finds the containers at once (its first collection runs at start, as kubelet's), with
# thresholds the image filesystem is over and no minimum age: every unused image must go.
stop_crilet
start_crilet --pod-infra-container-image localhost/pause:3.9 --image-gc-high-threshold 1 --image-gc-low-threshold 0 \
  --minimum-image-ttl-duration 0s
gc_done() { ! has_image localhost/gc-unused-a:1 && ! has_image localhost/gc-unused-b:1; }
wait_for "the unused images are removed" 30 gc_done
ok "high threshold 1%, low 0%: the two unused images are removed"

for i in docker.io/library/busybox:1.36 localhost/etcd:3.4 localhost/pause:3.9; do
  has_image "$i" || fail "$i was removed: $(cri images)"
done
pod_is running '.status.phase == "Running"' || fail "running is $(pod running | jq -c .status.phase)"
ok "kept: busybox (a running container's), etcd (an exited container's), pause (the sandbox image)"

for i in gc-unused-a gc-unused-b; do
  grep -q "Removing image to free bytes: imageID sha256:[0-9a-f]* (localhost/$i:1)" "$T/crilet.log" ||
    fail "no removal log line for $i: $(grep -i image "$T/crilet.log" | tail -5)"
done
events=$(curl -sf "http://127.0.0.1:$PORT/events")
for i in gc-unused-a gc-unused-b; do
  jq -e --arg i "localhost/$i:1" '[.items[] | select(.involvedObject.kind == "Node" and .reason == "ImageGarbageCollected"
    and (.message | contains($i)))] | length == 1' <<<"$events" >/dev/null || fail "no event for $i: $(jq -c .items <<<"$events")"
done
# Low 0% cannot be reached by removing images: kubelet's FreeDiskSpaceFailed warning says how much was found.
jq -e '[.items[] | select(.reason == "FreeDiskSpaceFailed" and (.message | test("but only found [0-9]+ bytes eligible")))]
  | length == 1' <<<"$events" >/dev/null || fail "no FreeDiskSpaceFailed event: $(jq -c .items <<<"$events")"
ok "a log line and a Normal ImageGarbageCollected node event per removal, FreeDiskSpaceFailed for the shortfall"

# imageMaximumGCAge: at kubelet's default thresholds (the disk is below them), an image unused for longer than
# the maximum age goes once the GC has run for longer than it; the used ones stay.
stop_crilet
make_image localhost/gc-old:1
start_crilet --pod-infra-container-image localhost/pause:3.9 --image-maximum-gc-age 3s --minimum-image-ttl-duration 1s \
  --image-gc-period 1s
started=$SECONDS
has_image localhost/gc-old:1 || fail "gc-old removed before the GC ran for 3s"
old_gone() { ! has_image localhost/gc-old:1; }
wait_for "gc-old removed by age" 20 old_gone
log "gc-old removed $((SECONDS - started))s after crilet started"
for i in docker.io/library/busybox:1.36 localhost/etcd:3.4 localhost/pause:3.9; do
  has_image "$i" || fail "$i was removed by age: $(cri images)"
done
jq -e '[.items[] | select(.reason == "ImageGarbageCollected" and (.message | contains("localhost/gc-old:1"))
  and (.message | contains("unused for longer than imageMaximumGCAge 3s")))] | length == 1' \
  <<<"$(curl -sf "http://127.0.0.1:$PORT/events")" >/dev/null || fail "no age event: $(curl -sf "http://127.0.0.1:$PORT/events" | jq -c '.items[-3:]')"
grep -q '^crilet_image_garbage_collected_total{reason="age"} 1$' <<<"$(curl -sf "http://127.0.0.1:$PORT/metrics")" ||
  fail "metric: $(curl -sf "http://127.0.0.1:$PORT/metrics" | grep garbage)"
ok "--image-maximum-gc-age 3s: the never-used image goes after 3s of GC at the default thresholds (event, reason=\"age\"); busybox, etcd and pause stay"
