#!/usr/bin/env bash
# The audit log's own retention on both stores, with the clock injected through `purge --today`:
# the first run in a later year closes the open period (a period-close entry, a head signed at
# exactly its size); a period closed longer ago than auditRetention (7 years) is removed (an
# audit-purge entry naming its closing head), and what remains still verifies — with audit verify,
# and from outside with tlog_verify.py: the closing head's root is the one computed independently
# from the removed entries before they went, a consistency proof joins it to the current signed
# checkpoint, the remaining entries have inclusion proofs, and a receipt of a removed entry still
# verifies with openssl. Proofs into the removed prefix are 410. A prefix deleted without an
# audit-purge entry, or an altered subtree standing for the removed entries, fails audit verify.
set -euo pipefail
bin=${1:?usage: audit_retention.sh PATH-TO-BINARY}
source "$(dirname "$0")/lib.sh"
state=${DG_TEST_PG_STATE:?run through ctest: the PostgreSQL test cluster is a fixture}
cluster="$root/tests/pg/cluster.sh"
verifier="$root/tests/integration/tlog_verify.py"
db=dg_ret_$RANDOM$RANDOM
trap '"$cluster" admin "$state" "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; cleanup' EXIT

entries() { as auditor "https://$https/v1/audit/entries?limit=1000${1:-}"; }

retention() { # NAME [STORE-URL]
  local name=$1 data="$work/$1" store=() w="$work/$1.d"
  mkdir -p "$w"
  [ -n "${2:-}" ] && store=(--store "$2")
  start --data-dir "$data" "${store[@]}"
  for i in 1 2 3; do [ "$(push RET-$name-$i M-RET-$name-$i)" = 202 ] || fail "$name: push $i"; done
  cp "$work/last-body" "$w/receipt-old"
  as auditor "https://$https/v1/audit/keys" | jq -r '.keys[0].publicKey' > "$w/key.pem"
  stop

  # 2027-01-05: the log's first period (all of 2026) closes; nothing is old enough to go.
  "$bin" purge --data-dir "$data" "${store[@]}" --today 2027-01-05 > "$w/purge1" 2>&1 || fail "$name: purge: $(cat "$w/purge1")"
  grep -q '^audit log: a period closed, 0 entries removed$' "$w/purge1" || fail "$name: the first run closes a period: $(cat "$w/purge1")"
  "$bin" purge --data-dir "$data" "${store[@]}" --today 2027-01-05 > "$w/purge1b" 2>&1 || fail "$name: second purge: $(cat "$w/purge1b")"
  grep -q '^audit log: 0 entries removed$' "$w/purge1b" || fail "$name: a second run that day closes nothing: $(cat "$w/purge1b")"
  "$bin" audit verify --data-dir "$data" "${store[@]}" > "$w/verify1" || fail "$name: verify after the close: $(cat "$w/verify1")"

  start --data-dir "$data" "${store[@]}"
  entries > "$w/before.json"
  jq -r '[.[] | select((.entry | fromjson).action == "period-close")] | length' "$w/before.json" | grep -qx 1 ||
    fail "$name: one period-close entry"
  local close_at p1
  close_at=$(jq -r '[.[] | select((.entry | fromjson).action == "period-close")][0].index' "$w/before.json")
  p1=$((close_at + 1))
  jq -r --argjson i "$close_at" '.[] | select(.index == $i) | .entry' "$w/before.json" |
    jq -e '.time == "2027-01-05T00:00:00.000Z" and .attributes.firstIndex == "0" and .partyRole == "system" and .purpose != null' >/dev/null ||
    fail "$name: the period-close entry: $(jq -r --argjson i "$close_at" '.[] | select(.index == $i) | .entry' "$w/before.json")"
  # The root of the first period, computed here from its entries before they go.
  local period_root
  period_root=$(python3 "$verifier" root "$w/before.json" "$p1") || fail "$name: root of the first period"
  for i in 4 5; do [ "$(push RET-$name-$i M-RET-$name-$i)" = 202 ] || fail "$name: push $i after the close"; done
  stop

  # 2034-01-06: the second period closes, and the first (closed 2027-01-05, more than 7 years
  # before) is removed.
  "$bin" purge --data-dir "$data" "${store[@]}" --today 2034-01-06 > "$w/purge2" 2>&1 || fail "$name: purge 2034: $(cat "$w/purge2")"
  grep -q "^audit log: a period closed, $p1 entries removed (the log now begins at index $p1)$" "$w/purge2" ||
    fail "$name: the old period goes: $(cat "$w/purge2")"
  "$bin" audit verify --data-dir "$data" "${store[@]}" > "$w/verify2" || fail "$name: verify after the removal: $(cat "$w/verify2")"
  grep -q "the $p1 entries before them were removed at the end of their retention" "$w/verify2" || fail "$name: verify says so: $(cat "$w/verify2")"
  "$bin" audit verify --data-dir "$data" "${store[@]}" --public-key "$w/key.pem" > "$w/verify3" ||
    fail "$name: verify with the published key only: $(cat "$w/verify3")"

  start --data-dir "$data" "${store[@]}"
  entries > "$w/after.json"
  grep -q "^dg_audit_removed_entries $p1\$" <<<"$(curl -s --max-time 5 "http://$admin/metrics")" || fail "$name: /metrics says where the log begins"
  [ "$(jq '.[0].index' "$w/after.json")" = "$p1" ] || fail "$name: the log now begins at $p1: $(jq '.[0].index' "$w/after.json")"
  jq -r '[.[] | select((.entry | fromjson).action == "audit-purge")][0].entry' "$w/after.json" > "$w/purge-entry"
  jq -e --arg r "$period_root" --arg p "$p1" '.attributes.removedBefore == $p and .attributes.removedFrom == "0" and
      .attributes.closingHeadRoot == $r and .attributes.periods == "1" and .attributes.retentionYears == "7" and
      .attributes.periodClosedAt == "2027-01-05T00:00:00.000Z" and .time == "2034-01-06T00:00:00.000Z"' "$w/purge-entry" >/dev/null ||
    fail "$name: the audit-purge entry names the period and its closing head: $(cat "$w/purge-entry")"

  # From outside: the current checkpoint, the closing head joined to it, a remaining entry in it.
  as auditor "https://$https/v1/audit/checkpoint" > "$w/checkpoint"
  local size root
  read -r size root <<<"$(python3 "$verifier" checkpoint "$w/checkpoint" "$w/key.pem")" || fail "$name: checkpoint"
  as auditor "https://$https/v1/audit/proof/consistency?from=$p1&to=$size" > "$w/consistency.json"
  python3 "$verifier" consistency "$w/consistency.json" "$period_root" "$root" >/dev/null ||
    fail "$name: the closing head is not consistent with the checkpoint: $(cat "$w/consistency.json")"
  as auditor "https://$https/v1/audit/proof/inclusion?index=$p1&size=$size" > "$w/inclusion.json"
  jq -r --argjson i "$p1" '.[] | select(.index == $i) | .entry' "$w/after.json" | tr -d '\n' > "$w/entry"
  python3 "$verifier" inclusion "$w/inclusion.json" "$w/entry" "$root" >/dev/null || fail "$name: inclusion of entry $p1"
  local code
  code=$(as auditor -o "$w/gone.json" -w '%{http_code}' "https://$https/v1/audit/proof/inclusion?index=0&size=$size")
  [ "$code" = 410 ] && grep -q "removed at the end of their retention" "$w/gone.json" || fail "$name: a proof into the removed prefix: $code $(cat "$w/gone.json")"
  code=$(as auditor -o "$w/gone2.json" -w '%{http_code}' "https://$https/v1/audit/proof/consistency?from=1&to=$size")
  [ "$code" = 410 ] || fail "$name: a consistency proof from inside the removed prefix: $code"
  # A receipt whose entry is gone still verifies with the published key alone.
  receipt_ok "$w/receipt-old" "$w/key.pem" ||
    fail "$name: the old receipt no longer verifies"
  [ "$(push RET-$name-6 M-RET-$name-6)" = 202 ] || fail "$name: push after the removal"
  stop
  "$bin" audit verify --data-dir "$data" "${store[@]}" > "$w/verify4" || fail "$name: verify at the end: $(cat "$w/verify4")"
}

retention sqlite

# Tampering with the embedded store's copy: a further prefix deleted as a removal would, but
# without an audit-purge entry; and an altered subtree of the removed prefix's edge.
p1=$(sqlite3 "$work/sqlite/store.db" "SELECT value FROM meta WHERE key = 'audit_removed'")
cp -r "$work/sqlite" "$work/t1"
cut=$((p1 + 2))
sqlite3 "$work/t1/store.db" "DELETE FROM audit WHERE seq <= $cut; DELETE FROM audit_heads WHERE size < $cut;
  DELETE FROM audit_nodes WHERE idx < (($cut >> level) - (($cut >> level) & 1)); UPDATE meta SET value = $cut WHERE key = 'audit_removed'"
if "$bin" audit verify --data-dir "$work/t1" > "$work/t1.out"; then fail "a prefix deleted without an audit-purge entry verified"; fi
grep -q "no audit-purge entry removed them" "$work/t1.out" || fail "why the deleted prefix fails: $(cat "$work/t1.out")"
cp -r "$work/sqlite" "$work/t2"
level=$(sqlite3 "$work/t2/store.db" "SELECT level FROM audit_nodes WHERE ((idx + 1) << level) <= $p1 ORDER BY level DESC LIMIT 1")
sqlite3 "$work/t2/store.db" "UPDATE audit_nodes SET hash = zeroblob(32) WHERE level = $level AND ((idx + 1) << level) <= $p1"
if "$bin" audit verify --data-dir "$work/t2" > "$work/t2.out"; then fail "an altered edge subtree verified"; fi
grep -Eq "subtrees were altered|does not match the entries" "$work/t2.out" || fail "why the altered edge fails: $(cat "$work/t2.out")"

"$cluster" admin "$state" "CREATE DATABASE $db OWNER dg"
retention postgresql "$(sed "s#/dg\$#/$db#" "$state/url")"
echo "audit retention: OK on SQLite and PostgreSQL"
