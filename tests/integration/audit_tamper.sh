#!/usr/bin/env bash
# audit verify: a clean log passes; editing, deleting, reordering or truncating entries, and
# forging a signed head, each make it fail and name the index. Works on copies of one real log:
# index 0 is the gateway's start, then a push and a head read per step, the stop last.
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

"$bin" audit verify --data-dir "$work/log" | grep -q '^audit log OK: 14 entries' || fail "the untouched log must verify"

expect_failure() { # name sql expected-index
  rm -rf "$work/t"; cp -r "$work/log" "$work/t"
  sqlite3 "$work/t/store.db" "$2"
  set +e; out=$("$bin" audit verify --data-dir "$work/t"); rc=$?; set -e
  [ "$rc" = 1 ] || fail "$1 not detected: $out"
  echo "$out" | grep -q "FAILED at index $3:" || fail "$1: expected index $3, got: $out"
}
expect_failure "edited entry" "UPDATE audit SET entry = replace(entry, '\"status\":202', '\"status\":403') WHERE seq = 6" 5
expect_failure "edited entry and its leaf hash" "UPDATE audit SET entry = replace(entry, '202', '403') WHERE seq = 4; UPDATE audit SET leaf_hash = (SELECT hash FROM audit_nodes WHERE level = 0 AND idx = 0) WHERE seq = 4" 3
expect_failure "deleted entry" "DELETE FROM audit WHERE seq = 8" 7
expect_failure "reordered entries" "UPDATE audit SET seq = -1 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = 5; UPDATE audit SET seq = 5 WHERE seq = -1" 3
expect_failure "truncated log" "DELETE FROM audit WHERE seq > 10; DELETE FROM audit_nodes WHERE (idx + 1) << level > 10" 10
expect_failure "forged head" "UPDATE audit_heads SET root = substr('0000' || root, 1, 64) WHERE size = (SELECT max(size) FROM audit_heads)" 10
expect_failure "rewritten history with rewritten hashes" "UPDATE audit SET entry = replace(entry, '\"status\":202', '\"status\":499') WHERE seq = 2; UPDATE audit SET leaf_hash = zeroblob(32) WHERE seq = 2" 1
expect_failure "altered receipt" "UPDATE messages SET receipt = replace(receipt, '\"accepted\":', '\"accepted\":1') WHERE bericht_id = 'T-1'" 1
"$bin" audit verify --data-dir "$work/log" | grep -q ' and 6 receipts verified' || fail "the six receipts are verified too"
# A forger who holds the whole data dir but not the signing key: rewrites an entry, its leaf hash
# and (separately) every stored subtree above it, all consistently (SHA-256 by openssl, not by the
# gateway). Only the signed tree heads are left to catch it, and they must.
hex_sha256() { basenc --base16 -d | openssl dgst -sha256 -r | cut -c1-64 | tr a-f A-F; }
rewrite_entry() { # db seq: the entry edited, its leaf hash and level-0 node made to match
  sqlite3 "$1" "UPDATE audit SET entry = replace(entry, '\"status\":202', '\"status\":403') WHERE seq = $2"
  local leaf; leaf=$(sqlite3 "$1" "SELECT hex(X'00' || CAST(entry AS BLOB)) FROM audit WHERE seq = $2" | hex_sha256)
  sqlite3 "$1" "UPDATE audit SET leaf_hash = X'$leaf' WHERE seq = $2; UPDATE audit_nodes SET hash = X'$leaf' WHERE level = 0 AND idx = $2 - 1"
}
rehash_subtrees() { # db: every stored interior node recomputed from the level below
  local level idx h
  for level in $(seq 1 10); do
    for idx in $(sqlite3 "$1" "SELECT idx FROM audit_nodes WHERE level = $level"); do
      h=$(sqlite3 "$1" "SELECT hex(X'01' || l.hash || r.hash) FROM audit_nodes l, audit_nodes r WHERE l.level = $((level - 1))
                        AND r.level = $((level - 1)) AND l.idx = $((2 * idx)) AND r.idx = $((2 * idx + 1))" | hex_sha256)
      sqlite3 "$1" "UPDATE audit_nodes SET hash = X'$h' WHERE level = $level AND idx = $idx"
    done
  done
}
forged_copy() { rm -rf "$work/t"; cp -r "$work/log" "$work/t"; rewrite_entry "$work/t/store.db" 4; }
verify_copy() { set +e; out=$("$bin" audit verify --data-dir "$work/t" "$@"); rc=$?; set -e; }

forged_copy  # entry and leaf rewritten, the subtrees above still the old ones
verify_copy
[ "$rc" = 1 ] || fail "entry and leaf rewritten: not detected: $out"
echo "$out" | grep -q "FAILED at index 2: stored subtree (level 1, index 1) does not match the entries" ||
  fail "entry and leaf rewritten: expected the subtree above entry 3 (leaves 2-3) to be named, got: $out"
forged_copy; rehash_subtrees "$work/t/store.db"  # and every subtree: the stored tree is consistent again
verify_copy
[ "$rc" = 1 ] || fail "entry, leaf and subtrees rewritten: not detected: $out"
# The head of size 2 still verifies; the next one (size 4, the first to cover entry 3) does not:
# what is not proven starts at index 2.
echo "$out" | grep -q "FAILED at index 2: the entries do not give the signed root of size 4 (rewritten history)" ||
  fail "entry, leaf and subtrees rewritten: expected the signed root of size 4 to catch it, got: $out"

# --public-key: trust only the key given, held outside the data dir.
mkdir -p "$work/outside"
openssl pkey -in "$work/log/audit-signing.key" -pubout -out "$work/outside/audit.pub" 2>/dev/null ||
  fail "cannot derive the public key from the signing key"
"$bin" audit verify --data-dir "$work/log" --public-key "$work/outside/audit.pub" | grep -q '^audit log OK: 14 entries' ||
  fail "the untouched log must verify with the public key alone"
openssl genpkey -algorithm ed25519 2>/dev/null | openssl pkey -pubout -out "$work/outside/other.pub" 2>/dev/null
set +e; out=$("$bin" audit verify --data-dir "$work/log" --public-key "$work/outside/other.pub"); rc=$?; set -e
[ "$rc" = 1 ] || fail "a log verified with another key must fail: $out"
echo "$out" | grep -q "is signed with key [0-9a-f]*, which is not among the keys trusted" || fail "another key: expected the heads to be called untrusted, got: $out"
# A forger who also swaps the key in the data dir: the outside key still refuses the result.
forged_copy; rehash_subtrees "$work/t/store.db"
verify_copy --public-key "$work/outside/audit.pub"
[ "$rc" = 1 ] || fail "a rewritten log must fail against the outside key: $out"
echo "1 passed, 0 failed"
