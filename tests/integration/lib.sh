# Shared helpers for crilet's integration tests: a private containerd, a crilet daemon, waits, CRI checks.
# Note: with pipefail, never pipe a producer into `grep -q` (grep exits early and the producer dies of
# SIGPIPE); grep a captured string instead: grep -q X <<<"$(cmd)".
# Each test sources this file, calls start_lab and start_crilet, asserts, and the EXIT trap cleans up.
set -euo pipefail

: "${CRILET_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${CRILET_BIN:=$CRILET_SOURCE_DIR/build/crilet}"
[[ $(id -u) -eq 0 ]] || { echo "SKIP: integration tests need root (containerd)"; exit 77; }
[[ -x $CRILET_BIN ]] || { echo "FAIL: $CRILET_BIN not built"; exit 1; }

TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d "/tmp/crilet-it-${TEST_NAME}.XXXXXX")
MANIFESTS=$T/manifests
ROOT=$T/root
LOGS=$T/logs
mkdir -p "$MANIFESTS"
# Tests use their own bridge and subnet so a running demo (lab0, 10.88/16) is not disturbed.
# CRILET_TEST_BRIDGE/CRILET_TEST_SUBNET let two suites run side by side.
export CRILET_LAB_DIR=$T/lab CRILET_LAB_BRIDGE=${CRILET_TEST_BRIDGE:-crilet-it0} CRILET_LAB_SUBNET=${CRILET_TEST_SUBNET:-10.89.0.0/16}
CRILET_PID=""
PORT=""
CHECKS=0
# A sanitized crilet (CRILET_SANITIZE=1 / CRILET_TSAN=1 builds) writes each report to $T/sanitizer.PID, from
# the daemon and from every CLI call alike, so a report fails the test even where the test hides that
# process's output or does not look at its exit code (the daemon's leak check runs as it exits on SIGTERM).
for v in ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS; do export "$v=${!v:+${!v}:}log_path=$T/sanitizer"; done

log() { echo "# $*"; }
ok() { CHECKS=$((CHECKS + 1)); echo "ok $CHECKS - $*"; }

diagnostics() {
  echo "--- crilet log (last 40 lines) ---"
  tail -40 "$T/crilet.log" 2>/dev/null || true
  echo "--- /pods ---"
  [[ -n $PORT ]] && curl -s "http://127.0.0.1:$PORT/pods" | jq -c '.items[] | {name: .metadata.name, status: .status}' 2>/dev/null | head -20 || true
  echo "--- CRI ---"
  cri pods 2>/dev/null || true
  cri ps -a 2>/dev/null || true
}

fail() {
  echo "not ok - $*"
  diagnostics
  exit 1
}

# Background processes a test starts (a follower, a port-forward): `track PID` ends them when the test
# ends, failed or not, so none outlives it.
TRACKED_PIDS=()
track() { TRACKED_PIDS+=("$1"); }

cleanup() {
  local rc=$?
  for p in "${TRACKED_PIDS[@]}"; do
    kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
  done
  if [[ -n $CRILET_PID ]] && kill -0 "$CRILET_PID" 2>/dev/null; then
    kill -TERM "$CRILET_PID" 2>/dev/null || true
    wait "$CRILET_PID" 2>/dev/null || true
  fi
  "$CRILET_SOURCE_DIR/scripts/lab.sh" stop "$CRILET_LAB_DIR" >/dev/null 2>&1 || true
  # Pods still running at the end leave their (now empty) pod cgroups, kubepods[/<qos>]/pod<uid>, behind.
  local p uid h d
  for p in "$T"/*/pods/*/; do  # every instance's --root-dir under $T
    [[ -d $p ]] || continue
    uid=$(basename "$p")
    for h in /sys/fs/cgroup/*/; do
      for d in "${h}kubepods/pod$uid" "${h}kubepods/burstable/pod$uid" "${h}kubepods/besteffort/pod$uid"; do
        [[ -d $d ]] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
      done
    done
  done
  if compgen -G "$T/sanitizer.*" >/dev/null; then
    echo "not ok - sanitizer reports:"
    cat "$T"/sanitizer.*
    rc=1
  fi
  # Volumes of pods a test left behind may still be mounted under ROOT.
  awk -v d="$T/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" || true; done
  if [[ $rc -eq 0 && -z ${KEEP:-} ]]; then rm -rf "$T"; else echo "# kept $T for inspection"; fi
  exit $rc
}
trap cleanup EXIT

free_port() {
  local p
  while true; do
    p=$((20000 + RANDOM % 12000))  # below the ephemeral range (32768-60999): a client socket may hold any port there
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

start_lab() {
  local env
  env=$("$CRILET_SOURCE_DIR/scripts/lab.sh" start "$CRILET_LAB_DIR" 2>"$T/lab.log") || { cat "$T/lab.log"; fail "lab did not start"; }
  eval "$env"
}

# start_crilet [extra flags...]: runs crilet on MANIFESTS with fast backoff and waits until it serves /healthz.
start_crilet() {
  PORT=$(free_port)
  HEALTHZ_PORT=$(free_port)  # not kubelet's 10248: tests run side by side
  "$CRILET_BIN" run --pod-manifest-path "$MANIFESTS" --container-runtime-endpoint "$CRILET_RUNTIME_ENDPOINT" \
    --root-dir "$ROOT" --pod-logs-dir "$LOGS" --hostname-override node1 --read-only-port "$PORT" --healthz-port "$HEALTHZ_PORT" \
    --crash-loop-backoff-initial "${BACKOFF_INITIAL:-1s}" --crash-loop-backoff-max "${BACKOFF_MAX:-8s}" "$@" >>"$T/crilet.log" 2>&1 &
  CRILET_PID=$!
  wait_for "crilet serves /healthz" 10 curl -sf "http://127.0.0.1:$PORT/healthz"
}

stop_crilet() {
  local sig=${1:-TERM}
  kill "-$sig" "$CRILET_PID"
  wait "$CRILET_PID" 2>/dev/null || true
  CRILET_PID=""
}

# wait_for DESCRIPTION SECONDS COMMAND...: polls every 100 ms.
wait_for() {
  local what=$1 secs=$2
  shift 2
  local deadline=$((SECONDS + secs))
  while ((SECONDS < deadline)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  "$@" >/dev/null 2>&1 || fail "timed out after ${secs}s waiting for: $what"
}

cri() { "$CRILET_BIN" cri -r "$CRILET_RUNTIME_ENDPOINT" "$@"; }

# pod NAME: the pod's JSON from the status server (static name NAME-node1).
pod() { curl -sf "http://127.0.0.1:$PORT/pods/default/$1-node1"; }
# pod_is NAME JQ: true when the jq expression holds for the pod.
pod_is() { pod "$1" | jq -e "$2" >/dev/null; }

manifest() { cat > "$MANIFESTS/$1"; }

# C ARGS...: the crilet CLI against this test's crilet.
C() { CRILET_SERVER="http://127.0.0.1:$PORT" "$CRILET_BIN" "$@"; }

count_cri() { cri "$@" -o json | jq length; }
