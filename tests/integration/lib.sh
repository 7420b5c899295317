# Sourced by the shell integration tests (which set `bin` first): a work dir removed at exit, the dev
# certificates, and starting the built binary on ephemeral loopback ports as an operator would.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
certs="$root/certs/dev"
[ -f "$certs/rbl-amsterdam.crt" ] && [ -f "$certs/crl.pem" ] || "$root/certs/make-dev-certs" >/dev/null 2>&1
examples="$root/../shared/spec/examples"
[ -d "$examples" ] || examples="$root/tests/vectors/examples"
work=$(mktemp -d)
pid=
log="$work/serve.log"
starts=0
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- server log" >&2; cat "$log" >&2 2>/dev/null || true; exit 1; }

# start [serve options…]: runs `serve` in the background and waits until it listens; sets pid,
# https and admin. Each start logs to a file of its own ($log). PRELOAD: a library to LD_PRELOAD
# into the gateway (and nothing else).
start() {
  starts=$((starts + 1))
  log="$work/serve.$starts.log"
  LD_PRELOAD="${PRELOAD:-}" "$bin" serve --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 "$@" 2> "$log" &
  pid=$!
  # Up to 60 s: on a loaded two-core machine a start (keys, store files, fsyncs) can take a while.
  for _ in $(seq 1 600); do grep -q '"msg":"listening"' "$log" 2>/dev/null && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  https=$(sed -n 's/.*"https":"\([^"]*\)".*/\1/p' "$log" | head -1)
  admin=$(sed -n 's/.*"admin":"\([^"]*\)".*/\1/p' "$log" | head -1)
  [ -n "$https" ] || fail "server did not start (alive: $(kill -0 "$pid" 2>/dev/null && echo yes || echo no))"
}

# stop: SIGTERM, which must drain and exit 0.
stop() {
  kill -TERM "$pid"
  local rc=0
  wait "$pid" || rc=$?
  pid=
  [ "$rc" = 0 ] || fail "SIGTERM should drain and exit 0, got $rc"
}

# as PARTY CURL-ARGS…: curl with that dev party's client certificate.
as() { local party=$1; shift; curl -sS --max-time 20 --cacert "$certs/ca.pem" --cert "$certs/$party.crt" --key "$certs/$party.key" "$@"; }

# admin_status PATH: the HTTP status of an admin endpoint.
admin_status() { curl -s -o /dev/null --max-time 5 -w '%{http_code}' "http://$admin$1"; }

# verzuim BERICHTID MELDINGID [BSN]: a one-record verzuimmelding of school-12AB about a pupil in 0363.
verzuim() {
  echo '{"berichtId":"'$1'","berichttype":"verzuimmelding","verzondenOp":"2026-11-23T09:15:00+01:00","meldingen":[{"meldingId":"'$2'","leerling":{"bsn":"'${3:-291417772}'","geboortedatum":"2012-04-01","woongemeente":"0363"},"school":{"brin":"12AB","vestiging":"00"},"verzuim":{"soort":"luxe","van":"2026-10-19","tot":"2026-10-23"}}]}'
}

# push BERICHTID MELDINGID: sends it as school-12AB; prints the HTTP status (000: no answer).
push() {
  verzuim "$1" "$2" | as school-12AB -o "$work/last-body" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @- "https://$https/v1/berichten" 2>/dev/null || true
}

# config_with 'SED-EXPRESSION': the dev config with absolute paths, changed by sed, in $work/config.json.
config_with() {
  sed -e "s#\"\\.\\./\\.\\./#\"$root/#g" -e "s#\"regions-dev.csv\"#\"$root/gateway/config/regions-dev.csv\"#" \
      -e "s#\"\\.\\./ui\"#\"$root/gateway/ui\"#" -e "$1" "$root/gateway/config/dev.json" > "$work/config.json"
  echo "$work/config.json"
}

# receipt_ok RECEIPT PEM: the receipt (a 202 body of school-12AB) verifies with that key alone,
# over the text interface.md defines; leaves that text and signature in $work/receipt.{txt,sig}.
receipt_ok() {
  local r=$1
  printf 'doorstroom-gateway receipt v1\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n' "$(jq -r .berichtId "$r")" 00000099000000000201 \
    "$(jq -r .digest "$r")" "$(jq -r .receivedAt "$r")" "$(jq -r .auditIndex "$r")" \
    "$(jq -r .accepted "$r")" "$(jq -r '.rejectedTotal // (.rejected | length)' "$r")" > "$work/receipt.txt"
  jq -r .signature "$r" | base64 -d > "$work/receipt.sig"
  grep -q 'Verified Successfully' <<<"$(openssl pkeyutl -verify -pubin -inkey "$2" -rawin -in "$work/receipt.txt" -sigfile "$work/receipt.sig" 2>/dev/null)"
}
