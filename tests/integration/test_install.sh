#!/usr/bin/env bash
# scripts/install.sh stages the binary, unit and config; `systemd-analyze verify` passes on the installed unit; the
# staged config loads and runs pods; SIGTERM leaves pods running, SIGHUP rescans at once.
source "$(dirname "$0")/lib.sh"

stage=$T/stage
DESTDIR=$stage CRILET_INSTALL_FROM=$CRILET_BIN "$CRILET_SOURCE_DIR/scripts/install.sh" >"$T/install.log"
[[ -x $stage/usr/local/bin/crilet ]] || fail "binary not installed"
grep -q '^ExecStart=/usr/local/bin/crilet run --config /etc/crilet/config.yaml$' "$stage/etc/systemd/system/crilet.service" || fail "unit ExecStart"
grep -q '^KillMode=process$' "$stage/etc/systemd/system/crilet.service" || fail "unit must not kill pods on stop"
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$stage/etc/systemd/system/crilet.service" || fail "unit reload"
echo "# local edit" >> "$stage/etc/crilet/config.yaml"
DESTDIR=$stage CRILET_INSTALL_FROM=$CRILET_BIN "$CRILET_SOURCE_DIR/scripts/install.sh" >/dev/null
grep -q "# local edit" "$stage/etc/crilet/config.yaml" || fail "reinstall overwrote the configuration"
ok "install.sh stages binary, unit (KillMode=process, reload = SIGHUP) and config; a reinstall keeps the config"

# systemd's own check of the unit as installed: directives, dependencies, and that ExecStart= is an executable.
# The binary sits in the stage, not at /usr/local/bin, so the check reads the installed unit with ExecStart=
# pointing into the stage; every other line is the installed file's (diffed below). Warnings fail it too.
command -v systemd-analyze >/dev/null || fail "systemd-analyze not installed; scripts/setup.sh installs it (package systemd)"
mkdir -p "$T/verify"
sed "s|^ExecStart=/usr/local/bin/crilet |ExecStart=$stage/usr/local/bin/crilet |" "$stage/etc/systemd/system/crilet.service" \
  > "$T/verify/crilet.service"
changed=$(diff "$stage/etc/systemd/system/crilet.service" "$T/verify/crilet.service" | grep -c '^>' || true)
[[ $changed == 1 ]] || fail "the verified copy differs from the installed unit in $changed lines, want only ExecStart="
verify=$(systemd-analyze verify "$T/verify/crilet.service" 2>&1) || fail "systemd-analyze verify: $verify"
[[ -z $verify ]] || fail "systemd-analyze verify warned: $verify"
log "systemd-analyze verify on the installed unit (ExecStart= $stage/usr/local/bin/crilet): no output, exit 0"
# And it does catch a broken unit: an unknown directive is reported.
printf '[Service]\nExecStart=/bin/true\nRestartSecs=10\n' > "$T/verify/broken.service"
grep -q "Unknown key 'RestartSecs'" <<<"$(systemd-analyze verify "$T/verify/broken.service" 2>&1)" ||
  fail "systemd-analyze verify did not report an unknown key"
ok "systemd-analyze verify passes on the installed unit with no warning (and reports a misspelt directive)"

# The default config, pointed at the lab, runs pods (flags override the file).
start_lab
PORT=$(free_port)
"$stage/usr/local/bin/crilet" run --config "$stage/etc/crilet/config.yaml" --pod-manifest-path "$MANIFESTS" \
  --container-runtime-endpoint "$CRILET_RUNTIME_ENDPOINT" --root-dir "$ROOT" --pod-logs-dir "$LOGS" \
  --hostname-override node1 --read-only-port "$PORT" --healthz-port 0 --file-check-frequency 1h >"$T/crilet.log" 2>&1 &
CRILET_PID=$!
wait_for "healthz" 10 curl -sf "http://127.0.0.1:$PORT/healthz"
manifest a.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}]
YAML
wait_for "a Running" 20 pod_is a '.status.phase == "Running"'
ok "the installed config loads and runs pods"

# SIGHUP: the manifests are rescanned at once (for changes inotify cannot see, e.g. on network filesystems).
kill -HUP "$CRILET_PID"
wait_for "SIGHUP logged" 5 grep -q "SIGHUP: rescanning manifests" "$T/crilet.log"
ok "SIGHUP rescans the manifests"

ids=$(cri ps -o json | jq -r '.[].id')
stop_crilet TERM
grep -q "shutting down; pods keep running" "$T/crilet.log" || fail "no shutdown line"
[[ $(cri ps -o json | jq -r '.[].id') == "$ids" ]] || fail "SIGTERM stopped pods"
ok "SIGTERM stops crilet promptly and leaves the pods running"

start_crilet
rm "$MANIFESTS/a.yaml"
wait_for "a removed" 20 bash -c "[[ \$('$CRILET_BIN' cri -r '$CRILET_RUNTIME_ENDPOINT' pods -o json | jq length) == 0 ]]"
stop_crilet TERM
echo "# $CHECKS checks passed"
