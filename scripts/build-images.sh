#!/usr/bin/env bash
# Builds crilet's test images as OCI archives (no registry, no docker), imports them into a containerd, pushes them to the lab registry.
#
#   scripts/build-images.sh [--address SOCK] [--registry 127.0.0.1:PORT]
#
# Images (one layer each, built from this machine's Debian packages):
#   localhost/pause:3.9              images/pause/pause.c, gcc -static, Entrypoint ["/pause"]
#   docker.io/library/busybox:1.36   busybox-static plus one symlink per applet, Cmd ["sh"]
#   localhost/etcd:3.4               Debian's etcd (plus its libraries) and busybox, Entrypoint ["/usr/bin/etcd"]
# docker.io/library/busybox:latest is deliberately not built: pull tests push it when they need it.
#
# Archives go to ${CRILET_IMAGES_DIR:-build/images}/NAME.tar, next to NAME.tar.stamp (hash of the inputs:
# an archive is rebuilt only when they change) and NAME.tar.digest (manifest digest). tar runs with
# deterministic options, so the same inputs always give the same digest.
# With --address SOCK (or CONTAINERD_ADDRESS) every archive is imported into the k8s.io namespace, unless
# an image of the same name and digest is already there. With --registry (or CRILET_REGISTRY, which
# `scripts/lab.sh env` sets) every image is also pushed to that loopback registry as
# REGISTRY/library/busybox:1.36, REGISTRY/pause:3.9, REGISTRY/etcd:3.4 (the paths containerd asks for
# when certs.d maps docker.io and localhost to it), unless the registry already serves that digest.
set -euo pipefail
umask 022

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${CRILET_IMAGES_DIR:-$repo/build/images}
address=${CONTAINERD_ADDRESS:-}
registry=${CRILET_REGISTRY:-}
namespace=k8s.io
tar_opts=(--sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner)
default_path=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
work=""
blob_hex="" blob_size=""

log() { echo "build-images: $*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { echo "usage: $0 [--address SOCK] [--registry 127.0.0.1:PORT]" >&2; exit 2; }

cleanup() {
  if [[ -n $work ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT

parse_args() {
  while (($#)); do
    case $1 in
      --address) [[ $# -ge 2 ]] || die "--address needs a socket path"; address=$2; shift 2 ;;
      --registry) [[ $# -ge 2 ]] || die "--registry needs HOST:PORT"; registry=$2; shift 2 ;;
      -h | --help) usage ;;
      *) log "unknown argument: $1"; usage ;;
    esac
  done
}

require_tools() {
  local tool
  for tool in tar sha256sum stat jq gcc strip; do
    command -v "$tool" >/dev/null || die "$tool is missing: run scripts/setup.sh"
  done
  [[ -x /bin/busybox ]] || die "/bin/busybox is missing: run scripts/setup.sh (package busybox-static)"
  [[ -x /usr/bin/etcd ]] || die "/usr/bin/etcd is missing: run scripts/setup.sh (package etcd-server)"
  if [[ -n $address || -n $registry ]]; then
    command -v ctr >/dev/null || die "ctr is missing: run scripts/setup.sh (package containerd)"
  fi
  if [[ -n $registry ]]; then
    command -v curl >/dev/null || die "curl is missing: run scripts/setup.sh"
  fi
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# ---------------------------------------------------------------------------------------------------
# OCI layout

# add_blob OCI_DIR FILE: moves FILE into OCI_DIR/blobs/sha256; sets blob_hex and blob_size.
add_blob() {
  local oci=$1 file=$2
  blob_hex=$(sha256_of "$file")
  blob_size=$(stat -c %s "$file")
  mv "$file" "$oci/blobs/sha256/$blob_hex"
}

# write_archive NAME ROOTFS CONFIG_JSON ARCHIVE: packs ROOTFS as the single layer of image NAME, whose
# image config (Entrypoint, Cmd, Env, ...) is CONFIG_JSON, into the OCI archive ARCHIVE.
write_archive() {
  local name=$1 rootfs=$2 image_config=$3 archive=$4
  local oci=$work/oci
  rm -rf "$oci"
  mkdir -p "$oci/blobs/sha256"

  local layer_hex layer_size
  tar "${tar_opts[@]}" -C "$rootfs" -cf "$work/layer.tar" . || die "cannot pack the layer of $name"
  add_blob "$oci" "$work/layer.tar"
  layer_hex=$blob_hex layer_size=$blob_size

  local config_hex config_size
  jq -cn --argjson config "$image_config" --arg arch "$(dpkg --print-architecture)" --arg diff "sha256:$layer_hex" \
    '{architecture: $arch, os: "linux", config: $config, rootfs: {type: "layers", diff_ids: [$diff]}}' \
    > "$work/config.json"
  add_blob "$oci" "$work/config.json"
  config_hex=$blob_hex config_size=$blob_size

  local manifest_hex manifest_size
  jq -cn --arg config "sha256:$config_hex" --argjson config_size "$config_size" \
    --arg layer "sha256:$layer_hex" --argjson layer_size "$layer_size" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $config, size: $config_size},
      layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $layer, size: $layer_size}]}' \
    > "$work/manifest.json"
  add_blob "$oci" "$work/manifest.json"
  manifest_hex=$blob_hex manifest_size=$blob_size

  jq -cn --arg digest "sha256:$manifest_hex" --argjson size "$manifest_size" --arg name "$name" --arg tag "${name##*:}" \
    '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $digest,
      size: $size, annotations: {"io.containerd.image.name": $name, "org.opencontainers.image.ref.name": $tag}}]}' \
    > "$oci/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$oci/oci-layout"

  tar "${tar_opts[@]}" -C "$oci" -cf "$archive.tmp" . || die "cannot write $archive"
  mv "$archive.tmp" "$archive"
  echo "sha256:$manifest_hex" > "$archive.digest"
  echo "$name" > "$archive.name"
}

# ---------------------------------------------------------------------------------------------------
# Root filesystems. Each builder fills $work/rootfs and writes the image config JSON to $work/config.

# add_busybox ROOTFS: busybox-static as /bin/busybox, one symlink per applet, a minimal /etc.
add_busybox() {
  local root=$1 applet
  mkdir -p "$root/bin" "$root/etc" "$root/root" "$root/tmp" "$root/var/www"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ $applet == busybox ]] || ln -sf busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
}

# libraries_of BINARY: the absolute paths ldd lists (nothing for a static binary).
libraries_of() {
  local output
  output=$(ldd "$1" 2>/dev/null) || return 0 # "not a dynamic executable"
  grep -o '/[^ ]*' <<<"$output" || true
}

build_pause() {
  mkdir -p "$work/rootfs"
  gcc -static -O2 -Wall -o "$work/rootfs/pause" "$repo/images/pause/pause.c" ||
    die "cannot compile images/pause/pause.c (gcc and libc6-dev are needed)"
  strip "$work/rootfs/pause"
  # 65535 is the user of the upstream pause image.
  echo '{"Entrypoint":["/pause"],"User":"65535:65535"}' > "$work/config"
}

build_busybox() {
  add_busybox "$work/rootfs"
  jq -cn --arg path "$default_path" '{Env: [$path], Cmd: ["sh"]}' > "$work/config"
}

build_etcd() {
  local root=$work/rootfs lib
  add_busybox "$root"
  mkdir -p "$root/usr/bin" "$root/var/lib/etcd"
  cp /usr/bin/etcd "$root/usr/bin/etcd"
  # Debian's etcd is dynamically linked (libc): copy what ldd lists, at the same paths.
  for lib in $(libraries_of /usr/bin/etcd); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  jq -cn --arg path "$default_path" '{Env: [$path], Entrypoint: ["/usr/bin/etcd"]}' > "$work/config"
}

# ---------------------------------------------------------------------------------------------------
# Inputs: what each archive depends on. A change of any of them (or of this script) rebuilds it.

stamp_of_files() {
  local file
  for file in "$@"; do
    [[ -e $file ]] || die "input $file is missing"
    echo "$file $(sha256_of "$file")"
  done
}

# This script's own content is an input of every image (not its path: a copy elsewhere builds the same).
inputs_script() { echo "build-images.sh $(sha256_of "${BASH_SOURCE[0]}")"; }

inputs_pause() {
  inputs_script
  stamp_of_files "$repo/images/pause/pause.c"
  gcc --version | head -1
}

inputs_busybox() {
  inputs_script
  stamp_of_files /bin/busybox
}

inputs_etcd() {
  inputs_script
  # shellcheck disable=SC2046 # one word per library path
  stamp_of_files /bin/busybox /usr/bin/etcd $(libraries_of /usr/bin/etcd)
}

# build_image NAME FILE KIND: builds $out/FILE with build_KIND unless its stamp matches inputs_KIND.
build_image() {
  local name=$1 archive=$out/$2 kind=$3 stamp
  stamp=$("inputs_$kind" | sha256sum | cut -d' ' -f1)
  if [[ -f $archive && -f $archive.digest && -f $archive.name && $(cat "$archive.stamp" 2>/dev/null) == "$stamp" ]]; then
    return 0
  fi
  log "building $name"
  work=$(mktemp -d /tmp/crilet-build-images.XXXXXX)
  rm -f "$archive.stamp"
  "build_$kind"
  write_archive "$name" "$work/rootfs" "$(cat "$work/config")" "$archive"
  echo "$stamp" > "$archive.stamp"
  rm -rf "$work"
  work=""
  log "built $name $(cat "$archive.digest") -> $archive"
}

# ---------------------------------------------------------------------------------------------------
# containerd

ctr_k8s() { timeout 120 ctr -a "$address" -n "$namespace" "$@"; }

# has_image NAME DIGEST: containerd holds NAME with manifest DIGEST.
has_image() {
  local listing
  listing=$(ctr_k8s images ls "name==$1" 2>/dev/null) || return 1
  grep -q -- "$2" <<<"$listing"
}

import_image() {
  local archive=$1 name digest output
  name=$(cat "$archive.name")
  digest=$(cat "$archive.digest")
  if has_image "$name" "$digest"; then
    return 0
  fi
  log "importing $name into $address ($namespace)"
  output=$(ctr_k8s images import --all-platforms "$archive" 2>&1) ||
    die "import of $archive into $address failed: $output"
  has_image "$name" "$digest" || die "after the import, containerd at $address does not list $name with $digest"
}

# ---------------------------------------------------------------------------------------------------
# Registry

# check_registry: only a loopback registry is allowed (no traffic may leave this machine).
check_registry() {
  case ${registry%:*} in
    127.0.0.1 | localhost | "[::1]") ;;
    *) die "registry $registry is not on loopback; refusing to push there" ;;
  esac
  curl -fsS --noproxy '*' --max-time 5 -o /dev/null "http://$registry/v2/" ||
    die "registry http://$registry/v2/ does not answer (is the lab running? scripts/lab.sh status)"
}

# registry_ref NAME: where NAME lives in the lab registry (docker.io/library/busybox:1.36 ->
# library/busybox:1.36, localhost/pause:3.9 -> pause:3.9), i.e. the path containerd resolves through certs.d.
registry_ref() { echo "${1#*/}"; }

# registry_digest REF: the manifest digest the registry serves for REF (REPO:TAG), empty if none.
registry_digest() {
  local ref=$1 headers
  headers=$(curl -sS --noproxy '*' --max-time 10 -o /dev/null -D - -I \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$registry/v2/${ref%:*}/manifests/${ref##*:}" 2>/dev/null) || return 0
  awk 'tolower($1) == "docker-content-digest:" {sub(/\r$/, "", $2); print $2}' <<<"$headers"
}

push_image() {
  local archive=$1 name digest ref target attempt output=""
  name=$(cat "$archive.name")
  digest=$(cat "$archive.digest")
  ref=$(registry_ref "$name")
  target=$registry/$ref
  if [[ $(registry_digest "$ref") == "$digest" ]]; then
    return 0
  fi
  log "pushing $name to $target"
  for attempt in 1 2 3; do
    if ctr_k8s images tag --force "$name" "$target" >/dev/null 2>&1; then
      output=$(ctr_k8s images push --plain-http "$target" 2>&1) || true
      # The extra name was only needed for the push; keep CRI's image list to the real names.
      ctr_k8s images rm "$target" >/dev/null 2>&1 || true
    else
      output="cannot tag $name as $target (is $name imported?)"
    fi
    if [[ $(registry_digest "$ref") == "$digest" ]]; then
      return 0
    fi
    log "push of $target, attempt $attempt: the registry does not resolve it to $digest yet"
    sleep "$attempt"
  done
  die "push of $name to $target failed: $(tail -3 <<<"$output")"
}

# ---------------------------------------------------------------------------------------------------

main() {
  parse_args "$@"
  require_tools
  mkdir -p "$out" || die "cannot create $out"

  local images=(pause.tar busybox.tar etcd.tar) archive
  build_image localhost/pause:3.9 pause.tar pause
  build_image docker.io/library/busybox:1.36 busybox.tar busybox
  build_image localhost/etcd:3.4 etcd.tar etcd

  if [[ -n $address ]]; then
    timeout 10 ctr -a "$address" version >/dev/null 2>&1 || die "containerd at $address does not answer"
    for archive in "${images[@]}"; do
      import_image "$out/$archive"
    done
  fi
  if [[ -n $registry ]]; then
    [[ -n $address ]] || die "pushing to $registry needs a containerd: give --address SOCK or CONTAINERD_ADDRESS"
    check_registry
    for archive in "${images[@]}"; do
      push_image "$out/$archive"
    done
  fi
}

main "$@"
