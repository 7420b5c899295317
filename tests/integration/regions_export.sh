#!/usr/bin/env bash
# `regions export CODE FILE` on both stores: a region's records (active, withdrawn) and their
# history in one new SQLite file, read here with the sqlite3 tool; counts against what this test
# sent; nothing of another region, the file readable by its owner only; an existing FILE is refused and left as it was.
set -euo pipefail
bin=${1:?usage: regions_export.sh PATH-TO-BINARY}
source "$(dirname "$0")/lib.sh"
state=${DG_TEST_PG_STATE:?run through ctest: the PostgreSQL test cluster is a fixture}
cluster="$root/tests/pg/cluster.sh"
db=dg_exp_$RANDOM$RANDOM
trap '"$cluster" admin "$state" "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; cleanup' EXIT

send() { # BODY: as school-12AB, prints the status
  as school-12AB -o "$work/last-body" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$1" "https://$https/v1/berichten"
}
withdraw() { # BERICHTID MELDINGID-TO-WITHDRAW
  send '{"berichtId":"'$1'","berichttype":"intrekking","verzondenOp":"2026-11-26T09:00:00+01:00","meldingen":[{"meldingId":"W-'$2'","betreft":"'$2'","reden":"foutief"}]}'
}

exported() { # NAME [STORE-URL]
  local name=$1 data="$work/$1" store=() out="$work/$1.region90.db" q
  [ -n "${2:-}" ] && store=(--store "$2")
  start --data-dir "$data" "${store[@]}"
  # Region 90 (Amsterdam 0363): five pupils' meldingen, two of them withdrawn. Region 91 (Rotterdam 0599): two.
  for i in 1 2 3 4 5; do [ "$(push EXP-$name-$i MX-$i)" = 202 ] || fail "$name: push $i"; done
  for i in 1 2; do
    [ "$(send "$(verzuim EXP-$name-R$i MR-$i 111222333 | sed 's/"woongemeente":"0363"/"woongemeente":"0599"/')")" = 202 ] || fail "$name: push to 91"
  done
  [ "$(withdraw EXP-$name-W1 MX-2)" = 202 ] || fail "$name: withdraw MX-2: $(cat "$work/last-body")"
  [ "$(withdraw EXP-$name-W2 MX-4)" = 202 ] || fail "$name: withdraw MX-4"
  stop

  "$bin" regions export --data-dir "$data" "${store[@]}" 90 "$out" > "$work/$name.export" 2>&1 || fail "$name: export: $(cat "$work/$name.export")"
  grep -q '^exported region 90: 7 records (3 active), 2 history events' "$work/$name.export" || fail "$name: export summary: $(cat "$work/$name.export")"
  q() { sqlite3 -readonly -batch -noheader "$out" "$1"; }
  # The intrekkingen are records too (inactive, in the region of what they withdraw).
  [ "$(q "SELECT count(*) FROM records WHERE berichttype = 'verzuimmelding'")" = 5 ] || fail "$name: 5 meldingen of region 90"
  [ "$(q "SELECT count(*) FROM records WHERE berichttype = 'intrekking' AND active = 0")" = 2 ] || fail "$name: 2 intrekkingen"
  [ "$(q 'SELECT count(*) FROM records WHERE active = 1')" = 3 ] || fail "$name: 3 active"
  [ "$(q "SELECT group_concat(melding_id, ',') FROM (SELECT melding_id FROM records WHERE active = 0 AND berichttype = 'verzuimmelding' ORDER BY melding_id)")" = MX-2,MX-4 ] \
    || fail "$name: the withdrawn ones are MX-2 and MX-4"
  [ "$(q "SELECT count(*) FROM records WHERE region <> '90' OR melding_id LIKE 'MR-%'")" = 0 ] || fail "$name: nothing of region 91"
  [ "$(q "SELECT region || '|' || region_name || '|' || records FROM region_export")" = "90|Amsterdam-Diemen (test)|7" ] \
    || fail "$name: region_export row: $(q 'SELECT * FROM region_export')"
  # The history of each withdrawn melding names its withdrawal (creation is the record's own received_at).
  [ "$(q "SELECT count(DISTINCT h.record_id) FROM record_history h JOIN records r ON r.id = h.record_id WHERE r.active = 0 AND h.event = 'withdrawn'")" = 2 ] \
    || fail "$name: the withdrawals are in the history: $(q 'SELECT * FROM record_history')"
  [ "$(q "SELECT count(*) FROM records WHERE subject NOT LIKE 'ps:bsn:%'")" = 0 ] || fail "$name: pupils by pseudonym"
  # The content is the region's own data, BSN included: the file is the operator's alone (0600).
  grep -aq 291417772 "$out" || fail "$name: the records' content is in the export"
  [ "$(stat -c %a "$out")" = 600 ] || fail "$name: the export is mode $(stat -c %a "$out"), not 600"
  # The same records as the store's own caseload (ids compared), and an existing file is not overwritten.
  start --data-dir "$data" "${store[@]}"
  as coordinator-amsterdam "https://$https/v1/caseload?limit=100" | jq -r '.items[].id' | sort > "$work/$name.caseload"
  stop
  q 'SELECT id FROM records WHERE active = 1' | sort | diff - "$work/$name.caseload" > /dev/null || fail "$name: export and caseload differ"
  sum=$(sha256sum < "$out")
  if "$bin" regions export --data-dir "$data" "${store[@]}" 90 "$out" > "$work/$name.again" 2>&1; then fail "$name: export over an existing file"; fi
  grep -q 'exists' "$work/$name.again" || fail "$name: the refusal says why: $(cat "$work/$name.again")"
  [ "$(sha256sum < "$out")" = "$sum" ] || fail "$name: the existing file was changed"
  [ ! -e "$out.part" ] || fail "$name: a part file left"
  echo "ok: regions export on $name"
}

exported sqlite
"$cluster" admin "$state" "CREATE DATABASE $db OWNER dg"
exported postgres "$(sed "s#/dg\$#/$db#" "$state/url")"
echo "regions export: all passed"
