#!/usr/bin/env bash
# The benchmark tools work (not how fast): loadgen drives the gateway over mutual TLS with unique
# berichtIds, keep-alive and one handshake per request, closed and open loop; fill_store fills a
# store that the gateway then serves as a caseload. Numbers come from ./scripts/bench, never here.
set -euo pipefail
bin=${1:?usage: bench_smoke.sh PATH-TO-BINARY BIN-DIR}
tools=${2:?usage: bench_smoke.sh PATH-TO-BINARY BIN-DIR}
source "$(dirname "$0")/lib.sh"
verzuim 'SMOKE-{{n}}' 'M-{{n}}' > "$work/one.json"
load() { "$tools/loadgen" --ca "$certs/ca.pem" --cert "$certs/$1.crt" --key "$certs/$1.key" --url "$2" "${@:3}"; }
start --data-dir "$work/data"
out=$(load school-12AB "https://$https/v1/berichten" --body "$work/one.json" --connections 4 --requests 200)
echo "$out" | grep -q '"requests":200,' || fail "loadgen keep-alive: $out"
echo "$out" | grep -q '"status":{"202":200}' || fail "every unique message accepted: $out"
echo "$out" | grep -q '"handshakes":4,' || fail "keep-alive reuses its connections: $out"
out=$(load school-12AB "https://$https/v1/berichten" --body "$work/one.json" --connections 2 --requests 20 --handshake-per-request)
echo "$out" | grep -q '"handshakes":20,' || fail "one handshake per request: $out"
out=$(load school-12AB "https://$https/v1/berichten" --body "$work/one.json" --connections 2 --duration 1 --rate 50)
echo "$out" | grep -q '"loop":"open"' && echo "$out" | grep -q '"errors":0' || fail "open loop: $out"
count=$(as coordinator-amsterdam "https://$https/v1/caseload/summary" | grep -o '"count":[0-9]*' | cut -d: -f2 | awk '{ s += $1 } END { print s + 0 }')
[ "$count" -ge 220 ] || fail "the caseload holds $count records"
stop
"$tools/fill_store" "sqlite:$work/filled" 1000 | grep -q '"records":1000' || fail "fill_store"
start --data-dir "$work/keys" --store "sqlite:$work/filled"
out=$(load coordinator-amsterdam "https://$https/v1/caseload?limit=50" --connections 1 --requests 10)
echo "$out" | grep -q '"status":{"200":10}' || fail "caseload of a filled store: $out"
[ "$(as coordinator-amsterdam "https://$https/v1/caseload?limit=500" | grep -o '"id":"' | wc -l)" = 500 ] || fail "a full page of filled records"
out=$(load coordinator-amsterdam "https://$https/v1/caseload/rapportage?van=2026-11-01&tot=2026-12-01" --connections 1 --requests 5)
echo "$out" | grep -q '"status":{"200":5}' || fail "rapportage of a filled store: $out"
stop
# ingest_bench judges a message as the server would (every record accepted), and the hostile ones with --refused.
"$tools/ingest_bench" "$root/gateway/config/dev.json" "$examples/verzuimmelding.json" 1 | grep -q '"records":2,' || fail "ingest_bench"
echo '{"berichtId":"H","berichttype":"verzuimmelding","verzondenOp":"2026-11-23T09:15:00+01:00","meldingen":[{},{}]}' > "$work/empty.json"
"$tools/ingest_bench" "$root/gateway/config/dev.json" "$work/empty.json" 1 --refused | grep -q '"records":0,' || fail "ingest_bench --refused"
echo "1 passed, 0 failed"
