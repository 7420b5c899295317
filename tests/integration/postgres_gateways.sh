#!/usr/bin/env bash
# Two gateway processes on one PostgreSQL database (the test cluster, a database of its own): one
# caseload, one idempotency, one audit log with one order; kill -9 of one under load loses nothing
# it acknowledged; with the database unreachable both answer 503 and /readyz false, and they
# recover by themselves when it is back.
set -euo pipefail
bin=${1:?usage: postgres_gateways.sh PATH-TO-BINARY}
source "$(dirname "$0")/lib.sh"
state=${DG_TEST_PG_STATE:?run through ctest: the PostgreSQL test cluster is a fixture}
cluster="$root/tests/pg/cluster.sh"
db=dg_gw_$RANDOM$RANDOM
"$cluster" admin "$state" "CREATE DATABASE $db OWNER dg"
url=$(sed "s#/dg\$#/$db#" "$state/url")
keys="$work/keys"   # the gateways share their keys (pseudonyms and head signatures), as a deployment would

# Gateway A first (it creates the keys and the schema), then B.
start --data-dir "$keys" --store "$url"; pid_a=$pid; https_a=$https; admin_a=$admin; log_a=$log
start --data-dir "$keys" --store "$url"; pid_b=$pid; https_b=$https; admin_b=$admin; log_b=$log
pid=
cleanup_gateways() { kill -9 $pid_a $pid_b 2>/dev/null || true; "$cluster" admin "$state" "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; }
trap 'cleanup_gateways; cleanup' EXIT

on() { https=$1; shift; push "$@"; }
for i in $(seq 1 10); do
  [ "$(on $https_a A-$i MA-$i)" = 202 ] || fail "push $i to A"
  [ "$(on $https_b B-$i MB-$i)" = 202 ] || fail "push $i to B"
done

# The same message to both at once: both answer 202 with one and the same receipt.
verzuim TWICE-1 MT-1 > "$work/twice.json"
as school-12AB -H 'Content-Type: application/json' --data-binary @"$work/twice.json" "https://$https_a/v1/berichten" > "$work/twice.$https_a" & c1=$!
as school-12AB -H 'Content-Type: application/json' --data-binary @"$work/twice.json" "https://$https_b/v1/berichten" > "$work/twice.$https_b" & c2=$!
wait $c1 $c2
cmp -s "$work/twice.$https_a" "$work/twice.$https_b" || fail "the two gateways gave different receipts for one message"
grep -q '"accepted":1' "$work/twice.$https_a" || fail "the doubly sent message was not accepted: $(cat "$work/twice.$https_a")"

# One meldingId in two messages, sent to both gateways at once: stored once, the other message
# refused per record with melding.duplicate-id (a meldingId is unique per sender).
for round in 1 2 3 4; do
  verzuim RACE-A-$round MR-$round > "$work/race-a.json"; verzuim RACE-B-$round MR-$round > "$work/race-b.json"
  as school-12AB -o "$work/race-a.out" -w '%{http_code}\n' -H 'Content-Type: application/json' --data-binary @"$work/race-a.json" \
    "https://$https_a/v1/berichten" > "$work/race-a.code" & c1=$!
  as school-12AB -o "$work/race-b.out" -w '%{http_code}\n' -H 'Content-Type: application/json' --data-binary @"$work/race-b.json" \
    "https://$https_b/v1/berichten" > "$work/race-b.code" & c2=$!
  wait $c1 $c2
  codes=$(cat "$work/race-a.code" "$work/race-b.code" | sort | tr '\n' ' ')
  [ "$codes" = "202 400 " ] || fail "round $round: one meldingId sent twice gave $codes"
  grep -qh '"melding.duplicate-id"' "$work/race-a.out" "$work/race-b.out" || fail "round $round: the refusal names no melding.duplicate-id"
done

caseload() { as coordinator-amsterdam "https://$1/v1/caseload?limit=500" | grep -o '"id":"[0-9a-f]\{32\}"' | sort; }
[ "$(caseload $https_a | wc -l)" = 25 ] || fail "caseload holds $(caseload $https_a | wc -l) records, expected 25"
[ "$(caseload $https_a)" = "$(caseload $https_b)" ] || fail "the gateways show different caseloads"

# One log: the heads the two publish agree, and the whole log verifies.
head_a=$(as auditor "https://$https_a/v1/audit/head"); head_b=$(as auditor "https://$https_b/v1/audit/head")
size_a=$(echo "$head_a" | sed -n 's/.*"size":\([0-9]*\).*/\1/p'); size_b=$(echo "$head_b" | sed -n 's/.*"size":\([0-9]*\).*/\1/p')
[ -n "$size_a" ] && [ "$size_b" -ge "$size_a" ] || fail "heads: A $head_a, B $head_b"
"$bin" audit verify --data-dir "$keys" --store "$url" | grep -q '^audit log OK' || fail "audit verify of the shared log"

# kill -9 of A under load: every record either gateway acknowledged is there.
worker() { # number, gateway: pushes until the first request that is not acknowledged
  for i in $(seq 1 300); do
    verzuim W$1-$i MW$1-$i | as school-12AB -o "$work/body.$1" -w '%{http_code}' -H 'Content-Type: application/json' \
      --data-binary @- "https://$2/v1/berichten" > "$work/code.$1" 2>/dev/null || break
    [ "$(cat "$work/code.$1")" = 202 ] || break
    grep -o '"id":"[0-9a-f]\{32\}"' "$work/body.$1" >> "$work/acked.$1"
  done
}
worker 1 $https_a & w1=$!
worker 2 $https_a & w2=$!
worker 3 $https_b & w3=$!
sleep 2
kill -9 $pid_a
wait $w1 $w2 $w3 2>/dev/null || true
cat "$work"/acked.* | sort -u > "$work/acked"
[ "$(wc -l < "$work/acked")" -gt 20 ] || fail "too little load before the kill"
missing=$(comm -23 "$work/acked" <(caseload $https_b) | wc -l)
[ "$missing" = 0 ] || fail "$missing acknowledged records are missing after kill -9 of a gateway"
"$bin" audit verify --data-dir "$keys" --store "$url" | grep -q '^audit log OK' || fail "audit verify after kill -9"
start --data-dir "$keys" --store "$url"; pid_a=$pid; https_a=$https; admin_a=$admin; pid=
[ "$(on $https_a AFTER-1 MX-1)" = 202 ] || fail "the restarted gateway takes pushes"

# The database unreachable: 503, nothing acknowledged, /readyz false; back by itself.
"$cluster" admin "$state" "ALTER DATABASE $db ALLOW_CONNECTIONS false" >/dev/null
"$cluster" admin "$state" "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '$db'" >/dev/null
[ "$(on $https_b DOWN-1 MD-1)" = 503 ] || fail "a push while the database is unreachable must be 503"
admin=$admin_b; [ "$(admin_status /readyz)" = 503 ] || fail "/readyz of B while the database is unreachable"
admin=$admin_a; for _ in $(seq 1 40); do [ "$(admin_status /readyz)" = 503 ] && break; sleep 0.2; done
[ "$(admin_status /readyz)" = 503 ] || fail "/readyz of A (idle) should turn false by its own probe"
"$cluster" admin "$state" "ALTER DATABASE $db ALLOW_CONNECTIONS true" >/dev/null
for a in $admin_a $admin_b; do
  admin=$a; for _ in $(seq 1 50); do [ "$(admin_status /readyz)" = 200 ] && break; sleep 0.2; done
  [ "$(admin_status /readyz)" = 200 ] || fail "/readyz did not recover on $a"
done
[ "$(on $https_b DOWN-1 MD-1)" = 202 ] || fail "the refused message after recovery"
# A sat idle through the outage: its pooled connections (writer and readers) were terminated
# and must be replaced on first use, not fail the first request after recovery.
[ "$(on $https_a UP-A-1 MU-1)" = 202 ] || fail "the first push to the idle gateway after recovery"
[ "$(as coordinator-amsterdam -o /dev/null -w '%{http_code}' "https://$https_a/v1/caseload?limit=1")" = 200 ] \
  || fail "the first read of the idle gateway after recovery"
grep -q '"accepted":1' "$work/last-body" || fail "accepted after recovery, not replayed"
for p in $pid_a $pid_b; do kill -TERM $p; wait $p || fail "a gateway did not stop cleanly"; done
pid_a=; pid_b=
echo "1 passed, 0 failed"
