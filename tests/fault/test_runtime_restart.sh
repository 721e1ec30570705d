#!/usr/bin/env bash
# containerd SIGKILLed and restarted under 10 pods, its socket removed, and frozen (accepting, never answering):
# /healthz tells, one log line per outage, survivors keep running untouched, the dead restart per restartPolicy.
source "$(dirname "$0")/lib.sh"

ROUNDS=$(rounds 10 3)
start_lab
start_crilet --runtime-request-timeout 4s
for i in $(seq 0 9); do
  policy=Always
  ((i == 8)) && policy=OnFailure
  ((i == 9)) && policy=Never
  manifest "p$i.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: p$i}
spec:
  restartPolicy: $policy
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}]
YAML
done

all_running() {
  [[ $(curl -sf "http://127.0.0.1:$PORT/pods" | jq '[.items[] | select(.status.phase == "Running" and .status.containerStatuses[0].ready)] | length') == "$1" ]]
}
# ids: "pod container-id restarts" per pod, sorted.
ids() { curl -sf "http://127.0.0.1:$PORT/pods" | jq -r '.items[] | "\(.metadata.name) \(.status.containerStatuses[0].containerID) \(.status.containerStatuses[0].restartCount)"' | sort; }
healthz_code() { curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$PORT/healthz"; }
# task_pid POD: the host PID of the pod's container (read while containerd runs).
task_pid() {
  local cid
  cid=$(pod "$1" | jq -r '.status.containerStatuses[0].containerID' | sed 's|containerd://||')
  timeout 10 ctr -a "$CONTAINERD_ADDRESS" -n k8s.io tasks ls | awk -v id="$cid" '$1 == id {print $2}'
}
# victim_moved POD ID: the pod's container is no longer ID (p0, p8 restarted) or it is terminated (p9, Never).
# Right after the runtime is back the agent's view still shows the dead container running; the check waits
# for the agent to see the death, and the restart count is then checked exactly.
victim_moved() {
  local now
  now=$(pod "$1" | jq -r '.status.containerStatuses[0] | "\(.containerID) \(.state | keys[0])"')
  if [[ $1 == p9 ]]; then [[ ${now#* } == terminated ]]; else [[ ${now% *} != "$2" ]]; fi
}
converged() { all_running "$1" && victim_moved "$2" "$3"; }
outage_lines() { grep -c "cannot reach container runtime" "$T/crilet.log" || true; }
back_lines() { grep -c "is reachable again" "$T/crilet.log" || true; }

wait_for "10 pods running" 60 all_running 10
ok "10 pods running"
expected_running=10
for ((round = 1; round <= ROUNDS; round++)); do
  before=$(ids)
  # The container of one pod dies while the runtime is down: p0 (Always) on odd rounds, p8 (OnFailure) on
  # even ones; p9 (Never) in the last round.
  victim=p0
  ((round % 2 == 0)) && victim=p8
  ((round == ROUNDS)) && victim=p9
  vpid=$(task_pid "$victim")
  [[ -n $vpid ]] || fail "no task PID for $victim"
  lines0=$(outage_lines)
  back0=$(back_lines)
  "$CRILET_SOURCE_DIR/scripts/lab.sh" kill-containerd "$CRILET_LAB_DIR" 2>/dev/null
  kill -KILL "$vpid"
  gone_socket=""
  if ((round == 2)); then
    rm -f "${CONTAINERD_ADDRESS}"
    gone_socket=" and removed its socket"
  fi
  inject "round $round: SIGKILL containerd$gone_socket, SIGKILL the container of $victim (pid $vpid)"
  t0=$SECONDS
  wait_for "/healthz reports the outage" 15 bash -c "[[ \$(curl -s -o /dev/null -m 5 -w '%{http_code}' http://127.0.0.1:$PORT/healthz) == 500 ]]"
  detect=$((SECONDS - t0))
  reason=$(curl -s -m 5 "http://127.0.0.1:$PORT/healthz")
  outage=$((2 + RANDOM % 4))
  sleep "$outage"  # the outage's length, not a wait for anything
  "$CRILET_SOURCE_DIR/scripts/lab.sh" start-containerd "$CRILET_LAB_DIR" 2>/dev/null
  t1=$SECONDS
  wait_for "/healthz ok again" 30 bash -c "[[ \$(curl -s -o /dev/null -m 5 -w '%{http_code}' http://127.0.0.1:$PORT/healthz) == 200 ]]"
  reconnect=$((SECONDS - t1))
  [[ $victim == p9 ]] && expected_running=9
  vid=$(grep "^$victim-node1 " <<<"$before" | cut -d' ' -f2)
  wait_for "pods converge and the agent sees $victim's container die" 60 converged "$expected_running" "$victim" "$vid"
  after=$(ids)
  lines=$(($(outage_lines) - lines0))
  back=$(($(back_lines) - back0))
  survivors_changed=$(join <(grep -v "^$victim-node1 " <<<"$before") <(grep -v "^$victim-node1 " <<<"$after") | awk '$2 != $4 || $3 != $5' | wc -l)
  vb=$(grep "^$victim-node1 " <<<"$before" | cut -d' ' -f3)
  va=$(pod "$victim" | jq -r '.status.containerStatuses[0] | "\(.restartCount) \(.state | keys[0])"')
  found "round $round: /healthz 500 after ${detect}s (\"$(head -c 100 <<<"$reason")\"), down ${outage}s, reconnected ${reconnect}s after start; $lines outage line(s), $back recovery line(s); $survivors_changed of 9 survivors changed; $victim restarts $vb -> ${va% *}, state ${va#* }"
  ((lines == 1 && back == 1)) || fail "expected one outage line and one recovery line, got $lines and $back"
  ((survivors_changed == 0)) || fail "survivors were restarted: $(diff <(echo "$before") <(echo "$after"))"
  case $victim in
    p0 | p8) [[ ${va% *} -eq $((vb + 1)) && ${va#* } == running ]] || fail "$victim was not restarted once: $va" ;;
    p9) [[ ${va% *} -eq $vb && ${va#* } == terminated ]] || fail "p9 (Never) was restarted or not reported terminated: $va" ;;
  esac
done
ok "$ROUNDS containerd crashes: /healthz 500 while down, one line per outage, survivors untouched, dead restarted per restartPolicy"

# A runtime that accepts but never answers: containerd stopped (SIGSTOP). Every call has a deadline
# (--runtime-request-timeout 4s), /healthz says so, and the agent keeps serving and reading manifests.
before=$(ids)
cpid=$(cat "$CRILET_LAB_DIR/containerd.pid")
kill -STOP "$cpid"
inject "SIGSTOP containerd (pid $cpid): the socket accepts, nothing answers"
t0=$SECONDS
wait_for "/healthz reports the frozen runtime" 30 bash -c "[[ \$(curl -s -o /dev/null -m 5 -w '%{http_code}' http://127.0.0.1:$PORT/healthz) == 500 ]]"
detect=$((SECONDS - t0))
reason=$(curl -s -m 5 "http://127.0.0.1:$PORT/healthz")
ms=$(curl -s -o /dev/null -m 5 -w '%{time_total}' "http://127.0.0.1:$PORT/pods")
manifest late.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: late}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}]
YAML
wait_for "the new manifest is seen while the runtime is frozen" 10 pod late
found "frozen runtime: /healthz 500 after ${detect}s (\"$(head -c 100 <<<"$reason")\"); /pods answered in ${ms}s; a new manifest was read"
kill -CONT "$cpid"
wait_for "/healthz ok after SIGCONT" 30 bash -c "[[ \$(curl -s -o /dev/null -m 5 -w '%{http_code}' http://127.0.0.1:$PORT/healthz) == 200 ]]"
wait_for "all converge with the new pod" 60 all_running 10
changed=$(join <(echo "$before") <(ids) | awk '$2 != $4 || $3 != $5' | wc -l)
found "after SIGCONT: $changed running pods changed, late pod running"
((changed == 0)) || fail "pods were restarted after the runtime froze"
ok "a runtime that never answers: deadlines hold, /healthz 500, manifests still read, nothing restarted"
stop_crilet TERM
echo "# $CHECKS checks passed"
