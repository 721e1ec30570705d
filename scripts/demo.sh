#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts a private containerd, runs examples/ and shows the pods.
#
# Ctrl-C (or SIGTERM) stops it within seconds: crilet and the lab's containerd are stopped by PID, the lab kills the
# example containers and removes its network and files; nothing stays behind.
# Without a terminal (or with CRILET_DEMO_SECONDS=N) it runs for N seconds (default 40) and stops.
# Environment: CRILET_DEMO_PORT (status server, 10255), CRILET_DEMO_HEALTHZ_PORT (10248), CRILET_LAB_DIR
# (/tmp/crilet-demo), CRILET_LAB_BRIDGE / CRILET_LAB_SUBNET or CRILET_TEST_BRIDGE / CRILET_TEST_SUBNET (the pod
# network; lab.sh's lab0 and 10.88.0.0/16 by default).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
[[ $(id -u) -eq 0 ]] || { echo "demo: run as root (containerd needs it): sudo $0" >&2; exit 1; }
scripts/setup.sh
scripts/build.sh crilet  # the daemon only: the demo needs no unit tests
crilet=${CRILET_BUILD_DIR:-$repo/build}/crilet

export CRILET_LAB_DIR=${CRILET_LAB_DIR:-/tmp/crilet-demo}
export CRILET_LAB_BRIDGE=${CRILET_LAB_BRIDGE:-${CRILET_TEST_BRIDGE:-}}
export CRILET_LAB_SUBNET=${CRILET_LAB_SUBNET:-${CRILET_TEST_SUBNET:-}}
port=${CRILET_DEMO_PORT:-10255}
healthz_port=${CRILET_DEMO_HEALTHZ_PORT:-10248}
work=$(mktemp -d /tmp/crilet-demo-run.XXXXXX)
mkdir -p "$work/manifests"
crilet_pid=""
sleep_pid=""

cleanup() {
  trap - EXIT
  trap '' INT TERM  # a second Ctrl-C must not cut the clean-up short
  set +e            # and no failing step may skip the ones after it
  echo
  echo "demo: stopping crilet and the lab (its containers are killed)..."
  if [[ -n $sleep_pid ]]; then kill "$sleep_pid" 2>/dev/null || true; fi
  if [[ -n $crilet_pid ]]; then
    # crilet runs in its own session (Ctrl-C reaches only this script): SIGTERM returns promptly and leaves
    # the pods to the lab's stop, which kills every container it started.
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
setsid "$crilet" run --pod-manifest-path "$work/manifests" --container-runtime-endpoint "$CRILET_RUNTIME_ENDPOINT" \
  --root-dir "$work/root" --pod-logs-dir "$work/logs" --read-only-port "$port" --healthz-port "$healthz_port" \
  --crash-loop-backoff-initial 5s >"$work/crilet.log" 2>&1 </dev/null &
crilet_pid=$!

seconds=${CRILET_DEMO_SECONDS:-}
[[ -z $seconds && ! -t 0 ]] && seconds=40
end=$((SECONDS + ${seconds:-999999}))
while ((SECONDS < end)); do
  kill -0 "$crilet_pid" 2>/dev/null || { echo "demo: crilet exited:"; tail -20 "$work/crilet.log"; exit 1; }
  [[ -t 1 ]] && clear
  echo "crilet demo: pods from examples/ (Ctrl-C to stop)   $(date +%T)"
  echo
  "$crilet" get pods -A -o wide --server "http://127.0.0.1:$port" 2>&1 || true
  web=$("$crilet" get pods web-"$(hostname | tr '[:upper:]' '[:lower:]')" -o json --server "http://127.0.0.1:$port" 2>/dev/null | jq -r '.status.podIP // empty' || true)
  if [[ -n $web ]]; then
    echo
    echo "curl http://$web:8080/  ->  $(curl -s --max-time 1 "http://$web:8080/" || echo '(not answering yet)')"
  fi
  echo
  echo "last events:"
  grep -E " (Started|BackOff|Killing|Failed) " "$work/crilet.log" | tail -5 | cut -c12- || true
  [[ -t 1 ]] || echo "----"
  sleep 2 &
  sleep_pid=$!
  wait "$sleep_pid" || true  # a signal ends the wait at once (bash runs traps only between commands)
done
