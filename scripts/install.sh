#!/usr/bin/env bash
# Installs crilet as a service: the binary, a systemd unit and a default configuration.
#
#   scripts/install.sh              build (if needed) and install under / ; enable the unit if systemd runs
#   DESTDIR=/tmp/stage scripts/install.sh   stage the files elsewhere (packaging, tests)
#   scripts/install.sh --uninstall  remove what was installed (the configuration is kept)
#
# The configuration (/etc/crilet/config.yaml) is never overwritten once present.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dest=${DESTDIR:-}
bin=$dest/usr/local/bin/crilet
unit=$dest/etc/systemd/system/crilet.service
config=$dest/etc/crilet/config.yaml
systemd_running() { [[ -z $dest && -d /run/systemd/system ]]; }

if [[ ${1:-} == --uninstall ]]; then
  if systemd_running; then systemctl disable --now crilet.service || true; fi
  rm -f "$bin" "$unit"
  systemd_running && systemctl daemon-reload
  echo "install: removed $bin and $unit (kept $config)"
  exit 0
fi

[[ -z $dest && $(id -u) -ne 0 ]] && { echo "install: run as root (or set DESTDIR)" >&2; exit 1; }
built=${CRILET_BUILD_DIR:-$repo/build}/crilet
if [[ ! -x $built ]]; then
  "$repo/scripts/setup.sh"
  CRILET_BUILD_TYPE=Release "$repo/scripts/build.sh"
fi
install -D -m 0755 "$built" "$bin"
install -D -m 0644 "$repo/packaging/crilet.service" "$unit"
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
