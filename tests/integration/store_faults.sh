#!/usr/bin/env bash
# The embedded store on failing disks (fault_inject.so under the real binary): while store.db
# cannot be written the gateway answers 503, acknowledges nothing and /readyz is false; it
# recovers by itself when the disk works again; a crash in a commit, or a failed fsync, leaves the
# store consistent after a restart.
set -euo pipefail
bin=${1:?usage: store_faults.sh PATH-TO-BINARY PATH-TO-fault_inject.so}
lib=${2:?usage: store_faults.sh PATH-TO-BINARY PATH-TO-fault_inject.so}
source "$(dirname "$0")/lib.sh"
faults="$work/faults"
data="$work/data"
export DG_FAULT_FILE="$faults" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
fault() { echo "$*" > "$faults"; }
fault off

in_region() { sqlite3 "$data/store.db" "SELECT count(*) FROM records WHERE region = '90' AND bericht_id = '$1'"; }
message_kept() { sqlite3 "$data/store.db" "SELECT count(*) FROM messages WHERE bericht_id = '$1'"; }
wait_ready() { for _ in $(seq 1 50); do [ "$(admin_status /readyz)" = 200 ] && return 0; sleep 0.1; done; fail "/readyz did not recover"; }
verify() { "$bin" audit verify --data-dir "$data" | grep -q '^audit log OK' || fail "audit verify after $1"; }

PRELOAD="$lib" start --data-dir "$data"
[ "$(push OK-1 M1)" = 202 ] || fail "a push on a healthy disk"
ok_id=$(grep -o '"id":"[0-9a-f]\{32\}"' "$work/last-body" | head -1 | cut -d'"' -f4)
[ "$(admin_status /readyz)" = 200 ] || fail "ready on a healthy disk"

# The disk full: the commit fails and is rolled back.
fault enospc store.db
[ "$(push FULL-1 M2)" = 503 ] || fail "a push while store.db cannot be written must be 503"
grep -q '"Store unavailable"' "$work/last-body" || fail "503 says the store is unavailable"
[ "$(admin_status /readyz)" = 503 ] || fail "/readyz must be false while the store fails"
[ "$(in_region FULL-1)" = 0 ] || fail "a record of an unacknowledged push was kept"
[ "$(message_kept FULL-1)" = 0 ] || fail "an unacknowledged message was kept"
# No read without its audit entry: while the log cannot be written, every read answers 503 and
# shows nothing of what it would have shown.
read_code() { # PARTY PATH [BODY]
  local args=(-o "$work/read-body" -w '%{http_code}')
  [ -n "${3:-}" ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
  as "$1" "${args[@]}" "https://$https$2" 2>/dev/null || true
}
for read in "coordinator-amsterdam /v1/caseload" "coordinator-amsterdam /v1/caseload/summary" \
            "coordinator-amsterdam /v1/records/$ok_id" "auditor /v1/audit/entries" "auditor /v1/audit/head" \
            "auditor /v1/audit/proof/inclusion?index=0&size=1" "auditor /v1/audit/checkpoint" "school-12AB /v1/meldingen" \
            "school-12AB /v1/logs" "coordinator-amsterdam /v1/caseload/rapportage?van=2020-01-01&tot=2030-12-31"; do
  set -- $read
  [ "$(read_code "$1" "$2")" = 503 ] || fail "GET $2 while the audit log cannot be written must be 503, got $(cat "$work/read-body")"
  grep -q -e "$ok_id" -e '"items"' -e '"entry"' -e '"root"' -e '"M1"' -e '"records"' -e '"rows"' -e 'doorstroom-gateway.local' "$work/read-body" &&
    fail "GET $2 showed data without its audit entry"
done
for read in "coordinator-amsterdam /v1/records/search" "auditor /v1/audit/subject-report" "auditor /v1/processing-activities"; do
  set -- $read
  body='{"bsn":"291417772"}'
  [ "$2" = /v1/processing-activities ] && body='{"dpl.core.data_subject_id":"291417772","dpl.core.data_subject_id_type":"bsn"}'
  [ "$(read_code "$1" "$2" "$body")" = 503 ] || fail "POST $2 while the audit log cannot be written must be 503"
  grep -q -e "$ok_id" -e '"items"' -e '"entry"' -e '"M1"' -e '"processingActivities"' "$work/read-body" && fail "POST $2 showed data without its audit entry"
done
fault off
wait_ready
[ "$(push FULL-1 M2)" = 202 ] || fail "the same message after recovery"
grep -q '"accepted":1' "$work/last-body" || fail "accepted after recovery, not replayed"

# A slow disk is slow, not lossy.
fault slow-fsync store.db 200
[ "$(push SLOW-1 M4)" = 202 ] || fail "a push on a slow disk"
fault off

# A crash in the commit (the process killed at its first write to the file): after the restart
# nothing of the message is there, and it can be sent again.
fault kill store.db
[ "$(push CRASH-1 M5)" = 000 ] || fail "the process should have died in the commit"
wait "$pid" 2>/dev/null || true
pid=
fault off
PRELOAD="$lib" start --data-dir "$data"
[ "$(in_region CRASH-1)" = 0 ] || fail "a record of the crashed, unacknowledged commit is there"
[ "$(message_kept CRASH-1)" = 0 ] || fail "the message of the crashed commit is there"
[ "$(push CRASH-1 M5)" = 202 ] || fail "the message of the crashed request can be sent again"
grep -q '"accepted":1' "$work/last-body" || fail "accepted after the crash, not replayed"
verify "the crash"

# fsync of store.db fails: nobody knows what reached the disk, so the gateway stops (exit 70) and
# the restart decides; either way message, records and audit entry agree.
fault fsync-eio store.db
push FSYNC-1 M6 > /dev/null
rc=0; wait "$pid" 2>/dev/null || rc=$?
pid=
[ "$rc" = 70 ] || fail "a failed fsync of store.db must stop the gateway with 70, got $rc"
fault off
PRELOAD="$lib" start --data-dir "$data"
[ "$(in_region FSYNC-1)" = "$(message_kept FSYNC-1)" ] || fail "records and message disagree after a failed fsync"
verify "the failed fsync"
for id in OK-1 FULL-1 SLOW-1 CRASH-1; do [ "$(in_region $id)" = 1 ] || fail "acknowledged $id is missing"; done
stop

# A store file that cannot be read: the reads answer 503 "Store unavailable" (the store's error,
# counted as such), not a 500, and show nothing; they work again with the disk.
PRELOAD="$lib" start --data-dir "$data"
fault eio-read store.db
for read in /v1/caseload /v1/caseload/summary "/v1/records/$ok_id" "/v1/caseload/rapportage?van=2020-01-01&tot=2030-12-31"; do
  [ "$(read_code coordinator-amsterdam "$read")" = 503 ] || fail "GET $read while store.db cannot be read must be 503, got $(cat "$work/read-body")"
  grep -q '"Store unavailable"' "$work/read-body" || fail "GET $read: the 503 names the store"
  grep -q -e "$ok_id" -e '"items"' -e '"rows"' "$work/read-body" && fail "GET $read showed data it could not read"
done
metrics=$(curl -s "http://$admin/metrics")
grep -q '^dg_internal_errors_total 0$' <<<"$metrics" || fail "a store read error counted as an internal error"
grep -q '^dg_store_errors_total [1-9]' <<<"$metrics" || fail "the failed reads are store errors"
fault off
wait_ready
[ "$(read_code coordinator-amsterdam /v1/caseload)" = 200 ] || fail "the caseload reads again once the disk does"
grep -q "$ok_id" "$work/read-body" || fail "the caseload shows the record again"
stop

# A slow disk with a short write queue: back-pressure (503 server.busy, Retry-After), and of what
# was refused nothing is stored, of what was acknowledged everything.
config=$(config_with 's/"maxWriteQueue": [0-9]*/"maxWriteQueue": 2/')
PRELOAD="$lib" start --config "$config" --data-dir "$data"
fault slow-fsync store.db 300
for i in $(seq 1 16); do
  ( code=$(verzuim "BP-$i" "MBP-$i" | as school-12AB -D "$work/bp-headers.$i" -o "$work/bp-body.$i" -w '%{http_code}' \
           -H 'Content-Type: application/json' --data-binary @- "https://$https/v1/berichten" 2>/dev/null || true)
    echo "$code" > "$work/bp-code.$i" ) &
done
wait $(jobs -p | grep -v "^$pid\$")
fault off
busy=0; acked=0
for i in $(seq 1 16); do
  case "$(cat "$work/bp-code.$i")" in
    202) acked=$((acked + 1)); [ "$(in_region BP-$i)" = 1 ] || fail "acknowledged BP-$i is missing" ;;
    503) busy=$((busy + 1)); grep -q '"server.busy"' "$work/bp-body.$i" || fail "503 without server.busy: $(cat "$work/bp-body.$i")"
         grep -qi '^retry-after: 1' "$work/bp-headers.$i" || fail "busy without Retry-After"
         [ "$(in_region BP-$i)" = 0 ] || fail "a refused message BP-$i was stored" ;;
    *) fail "BP-$i: unexpected $(cat "$work/bp-code.$i")" ;;
  esac
done
[ "$busy" -gt 0 ] && [ "$acked" -gt 0 ] || fail "expected both acknowledged and refused requests ($acked acked, $busy busy)"
curl -s "http://$admin/metrics" > "$work/metrics"   # a file: grep -q would cut curl's pipe short (pipefail)
grep -q "dg_busy_refusals_total $busy" "$work/metrics" || fail "busy refusals are counted"
stop
echo "1 passed, 0 failed"
