#!/usr/bin/env bash
# Installs every Debian package crilet needs to build, test, demo and benchmark; safe to re-run.
set -euo pipefail

packages=(
  # build
  cmake g++ make pkg-config
  libgrpc++-dev protobuf-compiler protobuf-compiler-grpc libprotobuf-dev grpc-proto
  libyaml-cpp-dev libspdlog-dev libssl-dev zlib1g-dev libnghttp2-dev catch2
  nlohmann-json3-dev libcli11-dev libcurl4-openssl-dev libmicrohttpd-dev libarchive-dev
  # runtime and lab
  containerd runc containernetworking-plugins busybox-static iproute2 iptables docker-registry
  # test tools
  curl jq procps util-linux etcd-server python3
  python3-jsonschema  # /stats/summary checked against kubelet's stats/v1alpha1 shape (test_stats.sh)
  # test_prometheus (prometheus and promtool, ~100 MB installed) and test_install (systemd-analyze verify)
  prometheus systemd
)
if [[ "${CRILET_SETUP_EXTRA:-}" == *bench* ]]; then
  packages+=(podman skopeo)
fi
if [[ "${CRILET_SETUP_EXTRA:-}" == *fuzz* ]]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "setup: missing packages: ${missing[*]}; run as root (or: sudo $0)" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# containerd's postinst would start the system service; crilet's lab runs its own private containerd,
# so keep package installs from starting daemons.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  created_policy=1
fi
trap '[[ $created_policy == 1 ]] && rm -f "$policy"' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
