#!/usr/bin/env bash
# Builds crilet's test images as OCI archives without a registry, and imports them into a containerd.
#
#   scripts/build-images.sh [--address SOCK]      (or CONTAINERD_ADDRESS=SOCK)
#
# Images: localhost/pause:3.9 (static pause), docker.io/library/busybox:1.36 (busybox-static),
# localhost/etcd:3.4 (Debian's etcd plus busybox, a gRPC health target). Archives are cached in
# ${CRILET_IMAGES_DIR:-build/images} and rebuilt only when their inputs change; imports are skipped when
# containerd already has the same digest. With CRILET_REGISTRY set (lab.sh), images are pushed there too.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${CRILET_IMAGES_DIR:-$repo/build/images}
address=${CONTAINERD_ADDRESS:-}
while (($#)); do
  case $1 in
    --address) address=$2; shift 2 ;;
    *) echo "build-images: unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"

die() { echo "build-images: $*" >&2; exit 1; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# make_image NAME ROOTFS CONFIG_JSON ARCHIVE: packs ROOTFS as one layer into an OCI archive.
make_image() {
  local name=$1 rootfs=$2 config_body=$3 archive=$4
  local work
  work=$(mktemp -d)
  mkdir -p "$work/oci/blobs/sha256"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$work/layer.tar" .
  local layer_digest layer_size
  layer_digest=$(sha "$work/layer.tar")
  layer_size=$(stat -c %s "$work/layer.tar")
  mv "$work/layer.tar" "$work/oci/blobs/sha256/$layer_digest"
  printf '{"architecture":"amd64","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$config_body" "$layer_digest" > "$work/config.json"
  local config_digest config_size
  config_digest=$(sha "$work/config.json")
  config_size=$(stat -c %s "$work/config.json")
  mv "$work/config.json" "$work/oci/blobs/sha256/$config_digest"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$config_digest" "$config_size" "$layer_digest" "$layer_size" > "$work/manifest.json"
  local manifest_digest manifest_size
  manifest_digest=$(sha "$work/manifest.json")
  manifest_size=$(stat -c %s "$work/manifest.json")
  mv "$work/manifest.json" "$work/oci/blobs/sha256/$manifest_digest"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest_digest" "$manifest_size" "$name" "${name##*:}" > "$work/oci/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$work/oci/oci-layout"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/oci" -cf "$archive.tmp" .
  mv "$archive.tmp" "$archive"
  echo "sha256:$manifest_digest" > "$archive.digest"
  rm -rf "$work"
}

# add_busybox ROOTFS: busybox-static with one symlink per applet.
add_busybox() {
  local root=$1
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/root" "$root/var/www"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  local applet
  for applet in $(/bin/busybox --list); do
    [[ $applet == busybox ]] || ln -sf busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
}

# build NAME ARCHIVE STAMP FUNCTION: builds with FUNCTION unless ARCHIVE was built from the same STAMP.
build() {
  local name=$1 archive=$2 stamp=$3 fn=$4
  if [[ -f $archive && -f $archive.stamp && $(cat "$archive.stamp") == "$stamp" ]]; then
    return
  fi
  echo "build-images: building $name"
  local root
  root=$(mktemp -d)
  "$fn" "$root"
  rm -f "$archive.stamp"
  make_image "$name" "$root/rootfs" "$(cat "$root/config")" "$archive"
  echo "$stamp" > "$archive.stamp"
  rm -rf "$root"
}

pause_fn() {
  mkdir -p "$1/rootfs"
  gcc -static -O2 -o "$1/rootfs/pause" "$repo/images/pause/pause.c" || die "cannot compile images/pause/pause.c (gcc and libc6-dev needed)"
  strip "$1/rootfs/pause"
  echo '{"Entrypoint":["/pause"],"User":"65535:65535"}' > "$1/config"
}

busybox_fn() {
  add_busybox "$1/rootfs"
  echo '{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]}' > "$1/config"
}

etcd_fn() {
  add_busybox "$1/rootfs"
  mkdir -p "$1/rootfs/usr/bin" "$1/rootfs/var/lib/etcd"
  cp /usr/bin/etcd "$1/rootfs/usr/bin/etcd"
  # Copy shared libraries if the binary is not static.
  local lib
  for lib in $(ldd /usr/bin/etcd 2>/dev/null | grep -o '/[^ ]*' || true); do
    mkdir -p "$1/rootfs$(dirname "$lib")"
    cp -L "$lib" "$1/rootfs$lib"
  done
  echo '{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Entrypoint":["/usr/bin/etcd"]}' > "$1/config"
}

[[ -x /bin/busybox ]] || die "/bin/busybox missing: run scripts/setup.sh (package busybox-static)"
stamp_of() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }
script_stamp=$(sha "$0")
build localhost/pause:3.9 "$out/pause.tar" "$script_stamp $(stamp_of "$repo/images/pause/pause.c")" pause_fn
build docker.io/library/busybox:1.36 "$out/busybox.tar" "$script_stamp $(stamp_of /bin/busybox)" busybox_fn
if [[ -x /usr/bin/etcd ]]; then
  build localhost/etcd:3.4 "$out/etcd.tar" "$script_stamp $(stamp_of /usr/bin/etcd /bin/busybox)" etcd_fn
fi

[[ -n $address ]] || exit 0
for archive in "$out"/*.tar; do
  digest=$(cat "$archive.digest")
  name=$(tar -xOf "$archive" ./index.json | grep -o '"io.containerd.image.name":"[^"]*"' | cut -d'"' -f4)
  if ctr -a "$address" -n k8s.io images ls -q "name==$name" 2>/dev/null | grep -q . &&
     ctr -a "$address" -n k8s.io images ls "name==$name" 2>/dev/null | grep -q "$digest"; then
    continue
  fi
  echo "build-images: importing $name"
  ctr -a "$address" -n k8s.io images import --all-platforms "$archive" >/dev/null || die "import of $archive into $address failed"
  if [[ -n ${CRILET_REGISTRY:-} ]]; then
    local_name="$CRILET_REGISTRY/${name#*/}"
    ctr -a "$address" -n k8s.io images tag --force "$name" "$local_name" >/dev/null
    ctr -a "$address" -n k8s.io images push --plain-http "$local_name" >/dev/null ||
      die "push of $local_name to the lab registry failed"
  fi
done
