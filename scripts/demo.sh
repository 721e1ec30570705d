#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts a private containerd, runs examples/ and shows the pods.
#
# Ctrl-C stops it cleanly: the pods are removed, crilet and containerd stop, nothing stays behind.
# Without a terminal (or with CRILET_DEMO_SECONDS=N) it runs for N seconds (default 40) and stops.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
[[ $(id -u) -eq 0 ]] || { echo "demo: run as root (containerd needs it): sudo $0" >&2; exit 1; }
scripts/setup.sh
scripts/build.sh
crilet=${CRILET_BUILD_DIR:-$repo/build}/crilet

export CRILET_LAB_DIR=${CRILET_LAB_DIR:-/tmp/crilet-demo}
port=${CRILET_DEMO_PORT:-10255}
work=$(mktemp -d /tmp/crilet-demo-run.XXXXXX)
mkdir -p "$work/manifests"
crilet_pid=""

cleanup() {
  trap - EXIT INT TERM
  echo
  echo "demo: removing the example pods..."
  rm -f "$work"/manifests/*
  if [[ -n $crilet_pid ]]; then
    for _ in $(seq 150); do
      [[ $("$crilet" get pods --server "http://127.0.0.1:$port" -o json 2>/dev/null | jq '.items | length' 2>/dev/null) == 0 ]] && break
      sleep 0.2
    done
    kill -TERM "$crilet_pid" 2>/dev/null || true
    wait "$crilet_pid" 2>/dev/null || true
  fi
  scripts/lab.sh stop >/dev/null
  rm -rf "$work"
  echo "demo: stopped; nothing left running"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

eval "$(scripts/lab.sh start)"
cp examples/*.yaml "$work/manifests/"
"$crilet" run --pod-manifest-path "$work/manifests" --container-runtime-endpoint "$CRILET_RUNTIME_ENDPOINT" \
  --root-dir "$work/root" --pod-logs-dir "$work/logs" --read-only-port "$port" \
  --crash-loop-backoff-initial 5s >"$work/crilet.log" 2>&1 &
crilet_pid=$!

seconds=${CRILET_DEMO_SECONDS:-}
[[ -z $seconds && ! -t 0 ]] && seconds=40
end=$((SECONDS + ${seconds:-999999}))
while ((SECONDS < end)); do
  kill -0 "$crilet_pid" 2>/dev/null || { echo "demo: crilet exited:"; tail -20 "$work/crilet.log"; exit 1; }
  [[ -t 1 ]] && clear
  echo "crilet demo: pods from examples/ (Ctrl-C to stop)   $(date +%T)"
  echo
  "$crilet" get pods -o wide --server "http://127.0.0.1:$port" 2>&1 || true
  web=$("$crilet" get pods web-"$(hostname | tr '[:upper:]' '[:lower:]')" -o json --server "http://127.0.0.1:$port" 2>/dev/null | jq -r '.status.podIP // empty' || true)
  if [[ -n $web ]]; then
    echo
    echo "curl http://$web:8080/  ->  $(curl -s --max-time 1 "http://$web:8080/" || echo '(not answering yet)')"
  fi
  echo
  echo "last events:"
  grep -E " (Started|BackOff|Killing|Failed) " "$work/crilet.log" | tail -5 | cut -c12- || true
  [[ -t 1 ]] || echo "----"
  sleep 2
done
