# A second lab registry for pull-credential tests: Debian's docker-registry with TLS (a self-signed
# certificate for 127.0.0.1) and htpasswd (bcrypt) auth, reached as AUTH_REGISTRY_NAME through the lab's
# certs.d (hosts.toml `ca`), so no pull leaves the machine. Sourced after lib.sh; call start_auth_registry
# after start_lab. Sets AUTH_REGISTRY_NAME, AUTH_REGISTRY_ADDR (127.0.0.1:PORT), AUTH_USER, AUTH_PASSWORD;
# the EXIT trap stops the registry (by its PID, after checking its command line).

AUTH_REGISTRY_NAME=private.registry.test
AUTH_USER=crilet-puller
AUTH_REGISTRY_DIR=$T/auth-registry
AUTH_REGISTRY_PID=""

stop_auth_registry() {
  [[ -n $AUTH_REGISTRY_PID ]] || return 0
  if [[ $(tr '\0' ' ' < "/proc/$AUTH_REGISTRY_PID/cmdline" 2>/dev/null) == *"docker-registry serve $AUTH_REGISTRY_DIR/registry.yml"* ]]; then
    kill -TERM "$AUTH_REGISTRY_PID" 2>/dev/null || true
    wait "$AUTH_REGISTRY_PID" 2>/dev/null || true
  fi
  AUTH_REGISTRY_PID=""
}
# lib.sh's cleanup reads $? first: keep the test's exit status through our step (without errexit, which
# would end the trap at `(exit 1)` before cleanup).
trap 'rc=$?; stop_auth_registry; set +e; (exit $rc); cleanup' EXIT

# start_auth_registry: starts it, trusts its certificate in containerd's hosts.toml for AUTH_REGISTRY_NAME and
# pushes the lab's busybox to it as AUTH_REGISTRY_NAME/library/busybox:1.36.
start_auth_registry() {
  command -v openssl >/dev/null || fail "openssl is missing"
  command -v docker-registry >/dev/null || fail "docker-registry is missing (scripts/setup.sh installs it)"
  local d=$AUTH_REGISTRY_DIR port i code=""
  mkdir -p "$d/storage"
  # A fresh password per run: the test greps logs, events and /pods for it.
  AUTH_PASSWORD="pw-$(openssl rand -hex 12)"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$d/key.pem" -out "$d/cert.pem" 2>"$d/openssl.log" || { cat "$d/openssl.log"; fail "openssl could not make a certificate"; }
  # distribution's htpasswd accepts only bcrypt; libxcrypt (python3's crypt) makes $2b$ hashes.
  AUTH_PASSWORD=$AUTH_PASSWORD python3 -W ignore -c '
import crypt, os, sys
h = crypt.crypt(os.environ["AUTH_PASSWORD"], crypt.mksalt(crypt.METHOD_BLOWFISH))
if not h or not h.startswith("$2"): sys.exit("no bcrypt in this libcrypt")
print(sys.argv[1] + ":" + h)' "$AUTH_USER" > "$d/htpasswd" || fail "cannot make a bcrypt htpasswd line"
  port=$(free_port)
  AUTH_REGISTRY_ADDR=127.0.0.1:$port
  cat > "$d/registry.yml" <<YAML
version: 0.1
log: {level: info, formatter: text}
storage:
  filesystem: {rootdirectory: $d/storage}
http:
  addr: "$AUTH_REGISTRY_ADDR"
  tls: {certificate: $d/cert.pem, key: $d/key.pem}
auth:
  htpasswd: {realm: crilet-lab, path: $d/htpasswd}
YAML
  setsid docker-registry serve "$d/registry.yml" > "$d/registry.log" 2>&1 < /dev/null &
  AUTH_REGISTRY_PID=$!
  for ((i = 0; i < 150; i++)); do
    kill -0 "$AUTH_REGISTRY_PID" 2>/dev/null || { cat "$d/registry.log"; fail "the auth registry exited at start"; }
    code=$(curl -s --noproxy '*' --max-time 1 --cacert "$d/cert.pem" -o /dev/null -w '%{http_code}' "https://$AUTH_REGISTRY_ADDR/v2/" || true)
    [[ $code == 401 ]] && break
    sleep 0.1
  done
  [[ $code == 401 ]] || { tail -20 "$d/registry.log"; fail "the auth registry did not answer 401 on https://$AUTH_REGISTRY_ADDR/v2/ (got '$code')"; }
  [[ $(curl -s --noproxy '*' --cacert "$d/cert.pem" -u "$AUTH_USER:$AUTH_PASSWORD" -o /dev/null -w '%{http_code}' "https://$AUTH_REGISTRY_ADDR/v2/") == 200 ]] ||
    fail "the auth registry refuses the test's own credentials"
  mkdir -p "$CRILET_LAB_DIR/certs.d/$AUTH_REGISTRY_NAME"
  cat > "$CRILET_LAB_DIR/certs.d/$AUTH_REGISTRY_NAME/hosts.toml" <<TOML
server = "https://$AUTH_REGISTRY_ADDR"
[host."https://$AUTH_REGISTRY_ADDR"]
  capabilities = ["pull", "resolve", "push"]
  ca = "$d/cert.pem"
TOML
  # Pushed by name through the same hosts.toml (ctr would speak plain HTTP to a bare 127.0.0.1 address).
  local ctr_lab=(ctr -a "$CONTAINERD_ADDRESS" -n k8s.io)
  "${ctr_lab[@]}" images tag --force docker.io/library/busybox:1.36 "$AUTH_REGISTRY_NAME/library/busybox:1.36" >/dev/null
  "${ctr_lab[@]}" images push --hosts-dir "$CRILET_LAB_DIR/certs.d" -u "$AUTH_USER:$AUTH_PASSWORD" \
    "$AUTH_REGISTRY_NAME/library/busybox:1.36" > "$d/push.log" 2>&1 || { cat "$d/push.log"; fail "cannot push busybox to the auth registry"; }
  # Gone again, so the tests' pulls are real.
  "${ctr_lab[@]}" images rm "$AUTH_REGISTRY_NAME/library/busybox:1.36" >/dev/null
}
