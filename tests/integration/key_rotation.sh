#!/usr/bin/env bash
# audit rotate-key on both stores: the old key signs a last head, the rotation is an audit entry,
# /v1/audit/keys lists both keys with their validity, receipts and heads signed before keep
# verifying (openssl, the published old key) and the new ones verify with the new key, and
# audit verify checks every head with the key it names — trusting only the keys given with
# --public-key. On SQLite a rotation while the gateway runs is refused.
set -euo pipefail
bin=${1:?usage: key_rotation.sh PATH-TO-BINARY}
source "$(dirname "$0")/lib.sh"
state=${DG_TEST_PG_STATE:?run through ctest: the PostgreSQL test cluster is a fixture}
cluster="$root/tests/pg/cluster.sh"
db=dg_rot_$RANDOM$RANDOM
trap '"$cluster" admin "$state" "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; cleanup' EXIT

rotation() { # NAME [STORE-URL]
  local name=$1 data="$work/$1" store=()
  [ -n "${2:-}" ] && store=(--store "$2")
  start --data-dir "$data" "${store[@]}"
  [ "$(push ROT-$name-1 M-ROT-$name-1)" = 202 ] || fail "$name: first push"
  cp "$work/last-body" "$work/$name.receipt1"
  as auditor "https://$https/v1/audit/keys" > "$work/$name.keys1"
  [ "$(jq '.keys | length' "$work/$name.keys1")" = 1 ] || fail "$name: one key before the rotation"
  jq -r '.keys[0].publicKey' "$work/$name.keys1" > "$work/$name.old.pem"
  old_id=$(jq -r '.keys[0].keyId' "$work/$name.keys1")
  as auditor -o /dev/null "https://$https/v1/audit/head"
  if [ -z "${2:-}" ]; then
    if "$bin" audit rotate-key --data-dir "$data" > "$work/$name.busy" 2>&1; then fail "$name: a rotation while the gateway runs must be refused"; fi
    grep -q 'in use by another gateway process' "$work/$name.busy" || fail "$name: the refusal says why: $(cat "$work/$name.busy")"
  fi
  stop
  "$bin" audit rotate-key --data-dir "$data" "${store[@]}" > "$work/$name.rotated" 2>&1 || fail "$name: rotate-key: $(cat "$work/$name.rotated")"
  grep -q "^audit signing key rotated: $old_id " "$work/$name.rotated" || fail "$name: rotate-key output: $(cat "$work/$name.rotated")"

  start --data-dir "$data" "${store[@]}"
  as auditor "https://$https/v1/audit/keys" > "$work/$name.keys2"
  k=$work/$name.keys2
  [ "$(jq '.keys | length' "$k")" = 2 ] || fail "$name: two keys after the rotation: $(cat "$k")"
  new_id=$(jq -r '.keys[0].keyId' "$k")
  [ "$new_id" != "$old_id" ] && [ "$(jq -r '.keys[1].keyId' "$k")" = "$old_id" ] || fail "$name: the new key first, the old one second"
  [ "$(jq -r '.keys[0].current' "$k")" = true ] && [ "$(jq -r '.keys[1].current' "$k")" = false ] || fail "$name: which key is current"
  [ "$(jq -r '.keys[0].validUntil' "$k")" = null ] || fail "$name: the current key has no end"
  [ "$(jq -r '.keys[1].validUntil' "$k")" = "$(jq -r '.keys[0].validFrom' "$k")" ] || fail "$name: the old key ends when the new one starts"
  jq -r '.keys[0].publicKey' "$k" > "$work/$name.new.pem"
  [ "$(jq -r '.keys[1].publicKey' "$k")" = "$(cat "$work/$name.old.pem")" ] || fail "$name: the old public key is still published"
  [ "$(push ROT-$name-2 M-ROT-$name-2)" = 202 ] || fail "$name: push after the rotation"
  cp "$work/last-body" "$work/$name.receipt2"
  [ "$(jq -r .keyId "$work/$name.receipt1")" = "$old_id" ] && [ "$(jq -r .keyId "$work/$name.receipt2")" = "$new_id" ] || fail "$name: receipts name their key"
  receipt_ok "$work/$name.receipt1" "$work/$name.old.pem" || fail "$name: the receipt from before no longer verifies with the old key"
  ! receipt_ok "$work/$name.receipt1" "$work/$name.new.pem" || fail "$name: an old receipt must not verify with the new key"
  receipt_ok "$work/$name.receipt2" "$work/$name.new.pem" || fail "$name: the new receipt does not verify with the new key"
  [ "$(as auditor "https://$https/v1/audit/head" | jq -r .keyId)" = "$new_id" ] || fail "$name: heads are signed with the new key"
  as auditor "https://$https/v1/audit/entries?action=key-rotation" > "$work/$name.rot-entries"
  [ "$(jq 'length' "$work/$name.rot-entries")" = 1 ] || fail "$name: the rotation is one audit entry"
  jq -r '.[0].entry' "$work/$name.rot-entries" | jq -e --arg o "$old_id" --arg n "$new_id" \
    '.attributes.previousKeyId == $o and .attributes.keyId == $n and .partyRole == "system"' >/dev/null || fail "$name: the rotation entry names both keys"
  stop

  "$bin" audit verify --data-dir "$data" "${store[@]}" > "$work/$name.verify" || fail "$name: audit verify: $(cat "$work/$name.verify")"
  grep -q 'signed tree heads and 2 receipts verified with 2 keys' "$work/$name.verify" || fail "$name: verified with both keys: $(cat "$work/$name.verify")"
  "$bin" audit verify --data-dir "$data" "${store[@]}" --public-key "$work/$name.old.pem" --public-key "$work/$name.new.pem" > "$work/$name.verify2" ||
    fail "$name: audit verify with both published keys: $(cat "$work/$name.verify2")"
  if "$bin" audit verify --data-dir "$data" "${store[@]}" --public-key "$work/$name.new.pem" > "$work/$name.verify3"; then
    fail "$name: verified without the old key, which signed the first heads"
  fi
  grep -q "signed with key $old_id, which is not among the keys trusted" "$work/$name.verify3" || fail "$name: why not: $(cat "$work/$name.verify3")"
}

rotation sqlite
"$cluster" admin "$state" "CREATE DATABASE $db OWNER dg"
rotation postgresql "$(sed "s#/dg\$#/$db#" "$state/url")"
echo "key rotation: OK on SQLite and PostgreSQL"
