#!/usr/bin/env bash
# A kubeadm node's kubelet command line and config run crilet as they run kubelet: flag errors are kubelet's one
# line and exit 1; the last of a repeated flag wins; kubelet flags and config fields crilet ignores are named at
# start, security-related first; healthz answers on healthzPort (kubeadm's kubelet-check); a missing staticPodPath
# and resolvConf are warnings and /healthz?verbose lines; a missing resolvConf fails the sandbox, with kubelet's
# FailedCreatePodSandBox event, until the file appears.
source "$(dirname "$0")/lib.sh"

# --- 1. argument errors: one line, kubelet's words, exit status 1 -------------------------------------------
for args in "--foo|Error: failed to parse kubelet flag: unknown flag: --foo" \
  "--max-pods x|Error: failed to parse kubelet flag: invalid argument \"x\" for \"--max-pods\" flag: strconv.ParseInt: parsing \"x\": invalid syntax" \
  "--read-only-port|Error: failed to parse kubelet flag: flag needs an argument: --read-only-port"; do
  rc=0
  # shellcheck disable=SC2086
  "$CRILET_BIN" run ${args%%|*} >"$T/err.out" 2>"$T/err.log" || rc=$?
  [[ $rc == 1 ]] || fail "crilet run ${args%%|*}: exit $rc, want 1"
  [[ $(wc -l <"$T/err.log") == 1 && $(cat "$T/err.log") == "${args#*|}" && ! -s $T/err.out ]] ||
    fail "crilet run ${args%%|*}: $(head -c 300 "$T/err.log")"
done
ok "argument errors: one line in kubelet's words, exit 1 (unknown flag, bad int, missing value)"

# --- 2. a kubeadm-style start: drop-in flags, repeated flags, a config full of ignored fields -----------------
start_lab
PORT=$(free_port)
HEALTHZ_PORT=$(free_port)
STATIC=$T/static  # staticPodPath: created later
cat >"$T/kubelet-config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
authorization: {mode: Webhook}
cgroupDriver: systemd
evictionHard: {memory.available: 100Mi}
rotateCertificates: true
syncFrequency: 1m
maxPods: 110
healthzBindAddress: 127.0.0.1
healthzPort: $HEALTHZ_PORT
readOnlyPort: 0
resolvConf: $T/resolv.conf
staticPodPath: $STATIC
YAML
# ExecStart=kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
# kubeadm's file says cgroupDriver systemd; the lab's containerd uses cgroupfs, so the extra args say so (a
# cgroup parent of .slice names would make containerd ask for systemd cgroups).
"$CRILET_BIN" run --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf \
  --config="$T/kubelet-config.yaml" --cgroup-driver=cgroupfs \
  --container-runtime-endpoint="$CRILET_RUNTIME_ENDPOINT" --pod-infra-container-image=registry.k8s.io/pause:3.10 \
  --hostname-override kubeadm-name --read-only-port 1 \
  --hostname-override node1 --read-only-port "$PORT" --root-dir "$ROOT" --pod-logs-dir "$LOGS" --fail-swap-on=false \
  --crash-loop-backoff-initial 1s >"$T/crilet.log" 2>&1 &
CRILET_PID=$!
# kubeadm's kubelet-check: curl -sSL http://127.0.0.1:10248/healthz
wait_for "healthz on healthzPort" 10 curl -sf "http://127.0.0.1:$HEALTHZ_PORT/healthz"
[[ $(curl -s "http://127.0.0.1:$HEALTHZ_PORT/healthz") == ok ]] || fail "healthz body"
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HEALTHZ_PORT/pods") == 404 ]] || fail "healthz port serves /pods"
wait_for "status server on the last --read-only-port" 10 curl -sf "http://127.0.0.1:$PORT/healthz"
ok "healthz answers on healthzPort:$HEALTHZ_PORT (only /healthz); the last --read-only-port ($PORT) won over the file's 0 and the first flag"

ignores=$(grep "crilet ignores" "$T/crilet.log" | sed 's/.*crilet ignores/crilet ignores/')
[[ $(wc -l <<<"$ignores") == 4 ]] || fail "expected 4 ignored-settings lines, got: $ignores"
first=$(head -1 <<<"$ignores")
[[ $first == "crilet ignores authentication, authorization (security-related): "* ]] || fail "first line: $first"
grep -q "^crilet ignores rotateCertificates (security-related)" <<<"$ignores" || fail "rotateCertificates line"
grep -q "^crilet ignores evictionHard (security-related): crilet evicts no pods" <<<"$ignores" || fail "evictionHard line"
[[ $(tail -1 <<<"$ignores") == "crilet ignores these kubelet settings, which it does not implement: syncFrequency, maxPods, --bootstrap-kubeconfig, --kubeconfig, --fail-swap-on" ]] ||
  fail "last line: $(tail -1 <<<"$ignores")"
ok "ignored settings: $(wc -l <<<"$ignores") warning lines, security-related first (authentication, rotateCertificates, evictionHard), then syncFrequency and the kubeadm flags (cgroupDriver and --pod-infra-container-image are read)"

verbose() { curl -s "http://127.0.0.1:$HEALTHZ_PORT/healthz?verbose"; }
grep -q "staticPodPath $STATIC: path does not exist, ignoring" "$T/crilet.log" || fail "no start-up warning for staticPodPath"
grep -q "resolvConf: open $T/resolv.conf: no such file or directory" "$T/crilet.log" || fail "no start-up warning for resolvConf"
grep -qF "[!]config: staticPodPath $STATIC: path does not exist" <<<"$(verbose)" || fail "verbose lacks staticPodPath: $(verbose)"
grep -qF "[!]config: resolvConf: open $T/resolv.conf: no such file or directory" <<<"$(verbose)" || fail "verbose lacks resolvConf"
grep -q "^healthz check passed$" <<<"$(verbose)" || fail "config problems must not fail healthz"
ok "a missing staticPodPath and resolvConf: a start-up warning each and [!]config lines in /healthz?verbose (check still passes)"

# --- 3. the directory appears; the pod waits for resolv.conf like kubelet's -----------------------------------
mkdir -m 0755 "$STATIC"
cat >"$STATIC/dns.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: dns}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}]
YAML
MANIFESTS=$STATIC
wait_for "staticPodPath gone from verbose" 10 bash -c "! grep -q staticPodPath <<<\"\$(curl -s 'http://127.0.0.1:$HEALTHZ_PORT/healthz?verbose')\""
event() { curl -sf "http://127.0.0.1:$PORT/pods/default/dns-node1?events" | jq -r '.events[] | select(.reason == "FailedCreatePodSandBox") | .message' | head -1; }
wait_for "FailedCreatePodSandBox event" 20 bash -c "[[ -n \$(curl -sf 'http://127.0.0.1:$PORT/pods/default/dns-node1?events' | jq -r '.events[] | select(.reason == \"FailedCreatePodSandBox\") | .message') ]]"
[[ $(event) == "Failed to create pod sandbox: open $T/resolv.conf: no such file or directory" ]] || fail "event: $(event)"
[[ $(count_cri pods) == 0 ]] || fail "a sandbox was created without resolv.conf"
ok "without resolvConf: event '$(event)', no sandbox"

printf 'nameserver 10.99.0.53\nsearch example.test\n' >"$T/resolv.conf"
wait_for "dns Running once resolv.conf exists" 30 pod_is dns '.status.phase == "Running"'
# ClusterFirst without clusterDNS falls back to the host's file: the one read when the sandbox was made.
pod_resolv=$(CRILET_SERVER="http://127.0.0.1:$PORT" "$CRILET_BIN" exec dns -- cat /etc/resolv.conf)
grep -q "^nameserver 10.99.0.53" <<<"$pod_resolv" || fail "pod resolv.conf: $pod_resolv"
wait_for "resolvConf gone from verbose" 10 bash -c "! grep -q resolvConf <<<\"\$(curl -s 'http://127.0.0.1:$HEALTHZ_PORT/healthz?verbose')\""
ok "the pod starts once resolv.conf appears, with its nameserver; /healthz?verbose no longer lists it"

rm "$STATIC/dns.yaml"
wait_for "dns removed" 20 bash -c "[[ \$('$CRILET_BIN' cri -r '$CRILET_RUNTIME_ENDPOINT' pods -o json | jq length) == 0 ]]"
stop_crilet TERM
echo "# $CHECKS checks passed"
