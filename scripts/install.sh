#!/usr/bin/env bash
# Installs crilet as a service: the binary, a systemd unit and a default configuration.
#
#   scripts/install.sh              build a Release binary and install it (stripped) under / ; enable the unit
#                                   if systemd runs
#   DESTDIR=/tmp/stage scripts/install.sh   stage the files elsewhere (packaging, tests)
#   CRILET_INSTALL_FROM=FILE scripts/install.sh   install that binary (stripped) instead of building one
#   scripts/install.sh --uninstall  remove what was installed (the configuration is kept)
#
# The Release build goes to $CRILET_RELEASE_BUILD_DIR (default build-release/, the crilet target only), apart
# from the RelWithDebInfo build/ used for development and tests. The configuration (/etc/crilet/config.yaml) is
# never overwritten once present.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dest=${DESTDIR:-}
bin=$dest/usr/local/bin/crilet
unit=$dest/etc/systemd/system/crilet.service
config=$dest/etc/crilet/config.yaml
docs=$dest/usr/local/share/doc/crilet
systemd_running() { [[ -z $dest && -d /run/systemd/system ]]; }

if [[ ${1:-} == --uninstall ]]; then
  if systemd_running; then systemctl disable --now crilet.service || true; fi
  rm -f "$bin" "$unit"
  rm -rf "$docs"
  systemd_running && systemctl daemon-reload
  echo "install: removed $bin and $unit (kept $config)"
  exit 0
fi

[[ -z $dest && $(id -u) -ne 0 ]] && { echo "install: run as root (or set DESTDIR)" >&2; exit 1; }
built=${CRILET_INSTALL_FROM:-}
if [[ -z $built ]]; then
  # A Release build of the daemon alone: the RelWithDebInfo build carries ~100 MB of debug information.
  release=${CRILET_RELEASE_BUILD_DIR:-$repo/build-release}
  [[ -f $release/CMakeCache.txt ]] || "$repo/scripts/setup.sh"  # first build: the packages it needs
  cmake -S "$repo" -B "$release" -DCMAKE_BUILD_TYPE=Release -DCRILET_TESTS=OFF >/dev/null
  cmake --build "$release" --target crilet -j"$(nproc)"
  built=$release/crilet
fi
[[ -x $built ]] || { echo "install: $built is not an executable" >&2; exit 1; }
install -D -m 0755 -s "$built" "$bin"
install -D -m 0644 "$repo/packaging/crilet.service" "$unit"
install -D -m 0644 -t "$docs" "$repo/README.md" "$repo"/docs/*.md  # the unit's Documentation=
if [[ -e $config ]]; then
  echo "install: keeping the existing $config"
else
  install -D -m 0644 "$repo/packaging/config.yaml" "$config"
fi
mkdir -p "$dest/etc/kubernetes/manifests" "$dest/var/lib/crilet" "$dest/var/log/pods"
if systemd_running; then
  systemctl daemon-reload
  systemctl enable --now crilet.service
  echo "install: crilet.service enabled and started; 'crilet get pods' lists the pods"
else
  echo "install: files in place under ${dest:-/}; systemd is not running here, start it with:"
  echo "  $bin run --config $config"
fi
