#!/usr/bin/env bash
# audit verify: a clean log passes; editing, deleting, reordering or truncating entries, and
# forging a signed head, each make it fail and name the index. Works on copies of one real log.
set -euo pipefail
bin=${1:?usage: audit_tamper.sh PATH-TO-BINARY}
source "$(dirname "$0")/lib.sh"
examples="$root/tests/vectors/examples"

start --data-dir "$work/log"
for i in 1 2 3 4 5 6; do
  sed -e "s/12AB-20261123-0001/T-$i/" -e "s/\"VZ-/\"T$i-VZ-/g" "$examples/verzuimmelding.json" | as school-12AB -o /dev/null -H 'Content-Type: application/json' --data-binary @- "https://$https/v1/berichten"
  as auditor -o /dev/null "https://$https/v1/audit/head"   # one signed head per step
done
stop

"$bin" audit verify --data-dir "$work/log" | grep -q '^audit log OK: 12 entries' || fail "the untouched log must verify"

expect_failure() { # name sql expected-index
  rm -rf "$work/t"; cp -r "$work/log" "$work/t"
  sqlite3 "$work/t/audit.db" "$2"
  set +e; out=$("$bin" audit verify --data-dir "$work/t"); rc=$?; set -e
  [ "$rc" = 1 ] || fail "$1 not detected: $out"
  echo "$out" | grep -q "FAILED at index $3:" || fail "$1: expected index $3, got: $out"
}
expect_failure "edited entry" "UPDATE audit SET entry = replace(entry, '\"status\":202', '\"status\":403') WHERE seq = 5" 4
expect_failure "edited entry and its leaf hash" "UPDATE audit SET entry = replace(entry, '202', '403') WHERE seq = 3; UPDATE audit SET leaf_hash = (SELECT hash FROM audit_nodes WHERE level = 0 AND idx = 0) WHERE seq = 3" 2
expect_failure "deleted entry" "DELETE FROM audit WHERE seq = 7" 6
expect_failure "reordered entries" "UPDATE audit SET seq = -1 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = -1" 2
expect_failure "truncated log" "DELETE FROM audit WHERE seq > 10; DELETE FROM audit_nodes WHERE (idx + 1) << level > 10" 10
expect_failure "forged head" "UPDATE audit_heads SET root = substr('0000' || root, 1, 64) WHERE size = (SELECT max(size) FROM audit_heads)" 9
expect_failure "rewritten history with rewritten hashes" "UPDATE audit SET entry = replace(entry, '\"status\":202', '\"status\":499') WHERE seq = 1; UPDATE audit SET leaf_hash = zeroblob(32) WHERE seq = 1" 0
echo "1 passed, 0 failed"
