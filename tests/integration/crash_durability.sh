#!/usr/bin/env bash
# Nothing acknowledged is lost: push load from several clients, kill -9 the gateway mid-stream,
# restart it on the same data dir, and find every record of every 202 receipt in the caseload and
# in the audit log.
set -euo pipefail
bin=${1:?usage: crash_durability.sh PATH-TO-BINARY}
root=$(cd "$(dirname "$0")/../.." && pwd)
certs="$root/certs/dev"
[ -f "$certs/school-12AB.crt" ] || "$root/certs/make-dev-certs" >/dev/null 2>&1
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

start() {
  : > "$work/log"
  "$bin" serve --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --data-dir "$work/data" 2> "$work/log" &
  pid=$!
  for _ in $(seq 1 100); do grep -q '"msg":"listening"' "$work/log" 2>/dev/null && break; sleep 0.1; done
  https=$(sed -n 's/.*"https":"\([^"]*\)".*/\1/p' "$work/log" | head -1)
  [ -n "$https" ] || fail "server did not start"
}

as() { local party=$1; shift; curl -sS --max-time 10 --cacert "$certs/ca.pem" --cert "$certs/$party.crt" --key "$certs/$party.key" "$@"; }

worker() { # worker number; stops at the first request the server does not answer
  for i in $(seq 1 400); do
    body='{"berichtId":"W'$1'-'$i'","berichttype":"verzuimmelding","verzondenOp":"2026-11-23T09:15:00+01:00","meldingen":[{"meldingId":"M'$1'-'$i'","leerling":{"bsn":"291417772","geboortedatum":"2012-04-01","woongemeente":"0363"},"school":{"brin":"12AB","vestiging":"00"},"verzuim":{"soort":"luxe","van":"2026-10-19","tot":"2026-10-23"}}]}'
    out=$(as school-12AB -w '\n%{http_code}' -H 'Content-Type: application/json' --data-binary "$body" "https://$https/v1/berichten" 2>/dev/null) || return 0
    [ "$(echo "$out" | tail -1)" = 202 ] || return 0
    echo "$out" | head -1 | grep -o '"id":"[0-9a-f]\{32\}"' | cut -d'"' -f4 >> "$work/acked.$1"
  done
}

start
for w in 1 2 3 4; do worker $w & done
sleep 2.5
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
pid=
wait
cat "$work"/acked.* 2>/dev/null | sort -u > "$work/acked"
acked=$(wc -l < "$work/acked")
[ "$acked" -gt 10 ] || fail "too little load before the kill ($acked acknowledged)"

start
: > "$work/seen"
cursor=
for _ in $(seq 1 100); do
  page=$(as coordinator-amsterdam "https://$https/v1/caseload?limit=500${cursor:+&cursor=$cursor}")
  echo "$page" | grep -o '"id":"[0-9a-f]\{32\}"' | cut -d'"' -f4 >> "$work/seen"
  cursor=$(echo "$page" | sed -n 's/.*"nextCursor":"\([^"]*\)".*/\1/p')
  [ -n "$cursor" ] || break
done
missing=$(comm -23 "$work/acked" <(sort -u "$work/seen") | wc -l)
[ "$missing" = 0 ] || fail "$missing of $acked acknowledged records are missing after kill -9"

sqlite3 "$work/data/audit.db" "SELECT entry FROM audit" > "$work/audit"
for id in $(cat "$work/acked"); do grep -q "$id" "$work/audit" || fail "record $id acknowledged without its audit entry"; done
kill -TERM "$pid"; wait "$pid" || fail "restart did not stop cleanly"
pid=
echo "acknowledged $acked records before kill -9; all present with audit entries after restart"
echo "1 passed, 0 failed"
