#!/usr/bin/env bash
# Nothing acknowledged is lost: push load from several clients, kill -9 the gateway mid-stream,
# restart it on the same data dir, and find every record of every 202 receipt in the caseload and
# in the audit log.
set -euo pipefail
bin=${1:?usage: crash_durability.sh PATH-TO-BINARY}
source "$(dirname "$0")/lib.sh"

worker() { # worker number; stops at the first request the server does not answer
  for i in $(seq 1 400); do
    out=$(as school-12AB -w '\n%{http_code}' -H 'Content-Type: application/json' --data-binary "$(verzuim W$1-$i M$1-$i)" \
          "https://$https/v1/berichten" 2>/dev/null) || return 0
    [ "$(echo "$out" | tail -1)" = 202 ] || return 0
    echo "$out" | head -1 | grep -o '"id":"[0-9a-f]\{32\}"' | cut -d'"' -f4 >> "$work/acked.$1"
  done
}

start --data-dir "$work/data"
for w in 1 2 3 4; do worker $w & done
sleep 2.5
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
pid=
wait
cat "$work"/acked.* 2>/dev/null | sort -u > "$work/acked"
acked=$(wc -l < "$work/acked")
[ "$acked" -gt 10 ] || fail "too little load before the kill ($acked acknowledged)"

start --data-dir "$work/data"
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

sqlite3 "$work/data/store.db" "SELECT entry FROM audit" > "$work/audit"
for id in $(cat "$work/acked"); do grep -q "$id" "$work/audit" || fail "record $id acknowledged without its audit entry"; done
stop
echo "acknowledged $acked records before kill -9; all present with audit entries after restart"
echo "1 passed, 0 failed"
