#!/usr/bin/env bash
# The audit log's witness end to end (C2SP tlog-witness, tlog-cosignature): `witness serve` as its
# own process, the gateway sending it each new checkpoint, the served checkpoint with the witness's
# cosignature checked by an independent verifier (tlog_verify.py: the specs, Python and openssl),
# the witness's answers to malformed, unsigned and stale submissions, a fork — a second log under
# the same key and origin — refused, and the witness's state kept across a restart.
# usage: witness.sh BINARY
set -euo pipefail
bin=$1
source "$(dirname "$0")/lib.sh"
verify="$root/tests/integration/tlog_verify.py"
mkdir -p "$work/a" "$work/b" "$work/w"

# The log's key, made beforehand so that the witness can be told it; log B gets a copy: a fork
# signed with the very same key.
openssl genpkey -algorithm ed25519 -out "$work/a/audit-signing.key" 2>/dev/null
chmod 600 "$work/a/audit-signing.key"
cp -p "$work/a/audit-signing.key" "$work/b/audit-signing.key"
openssl pkey -in "$work/a/audit-signing.key" -pubout -out "$work/log-key.pem"

wpid=
wstart() {
  "$bin" witness serve --key "$work/w/witness.key" --state "$work/w/state" --listen 127.0.0.1:0 \
    --log-key "$work/log-key.pem" --name witness.example 2> "$work/w.log" &
  wpid=$!
  for _ in $(seq 1 100); do grep -q '"msg":"listening"' "$work/w.log" 2>/dev/null && break; sleep 0.1; done
  witness=$(sed -n 's/.*"witness":"\([^"]*\)".*/\1/p' "$work/w.log" | head -1)
  [ -n "$witness" ] || fail "the witness did not start: $(cat "$work/w.log")"
}
wstop() { kill -TERM "$wpid"; wait "$wpid" || fail "the witness must exit 0 on SIGTERM"; wpid=; }
# wpost BODY-FILE: posts to the witness; prints the status, the body goes to $work/w.answer.
wpost() {
  curl -sS --max-time 10 -o "$work/w.answer" -D "$work/w.headers" -w '%{http_code}' --data-binary @"$1" \
    -H 'Content-Type: text/plain' "http://$witness/add-checkpoint"
}

wstart
[ -f "$work/w/witness.key.pub" ] || fail "the witness writes its public key beside its key"
[ "$(openssl pkey -in "$work/w/witness.key" -pubout)" = "$(cat "$work/w/witness.key.pub")" ] || fail "KEY.pub is not the key's public key"
[ "$(stat -c %a "$work/w/witness.key")" = 600 ] || fail "the witness key must be 0600"

cfg=$(config_with "s#\"pseudonymKeyFile\": \"pseudonym.key\"#\"pseudonymKeyFile\": \"pseudonym.key\", \"witnesses\": [{\"name\": \"witness.example\", \"url\": \"http://$witness\", \"publicKey\": \"$work/w/witness.key.pub\"}]#")
grep -q witness.example "$cfg" || fail "test setup: the witness is not in the config"

# waits (up to 40 s) until the served checkpoint carries a cosignature of a size above $1; leaves it in $work/cp
cosigned_above() {
  local size
  for _ in $(seq 1 80); do
    as auditor "https://$https/v1/audit/checkpoint" > "$work/cp"
    if grep -q "^— witness.example " "$work/cp"; then
      size=$(sed -n 2p "$work/cp")
      [ "$size" -gt "$1" ] && return 0
    fi
    sleep 0.5
  done
  fail "no checkpoint above size $1 cosigned by the witness: $(cat "$work/cp")"
}

start --config "$cfg" --data-dir "$work/a"
for i in 1 2 3; do [ "$(push W-A-$i M-A-$i)" = 202 ] || fail "push to log A"; done
cosigned_above 0
read -r size1 root1 < <("$verify" checkpoint "$work/cp" "$work/log-key.pem" witness.example "$work/w/witness.key.pub") \
  || fail "the served checkpoint and its cosignature do not verify: $(cat "$work/cp")"
as auditor "https://$https/v1/audit/entries?limit=1000" > "$work/entries.json"
[ "$("$verify" root "$work/entries.json" "$size1")" = "$root1" ] || fail "the checkpoint's root is not the tree of the entries served"

# More entries: the next checkpoint reaches the witness with a consistency proof from size1.
for i in 4 5; do [ "$(push W-A-$i M-A-$i)" = 202 ] || fail "push to log A"; done
cosigned_above "$size1"
read -r size2 root2 < <("$verify" checkpoint "$work/cp" "$work/log-key.pem" witness.example "$work/w/witness.key.pub") \
  || fail "the second cosigned checkpoint does not verify"
# (answers read whole first: a `curl | grep -q` fails under pipefail when grep stops reading early)
grep -q '"witnesses":\[{"name":"witness.example","cosignedSize":' <<<"$(curl -sS "http://$admin/readyz")" || fail "/readyz does not show the witness"
grep -q '^dg_witness_cosigned_size{witness="witness.example"} [1-9]' <<<"$(curl -sS "http://$admin/metrics")" || fail "/metrics does not show the witness"
# The independent verifier is no rubber stamp: a changed root or another witness key fails.
# (each change swaps a character for another: writing 'A' over an 'A' would change nothing)
sed '3s/^A/B/;t;3s/^./A/' "$work/cp" > "$work/cp-bad"
cmp -s "$work/cp" "$work/cp-bad" && fail "the changed checkpoint is the same as the served one"
if "$verify" checkpoint "$work/cp-bad" "$work/log-key.pem" 2>/dev/null; then fail "the verifier accepted a changed root"; fi
openssl genpkey -algorithm ed25519 2>/dev/null | openssl pkey -pubout -out "$work/other.pem"
if "$verify" checkpoint "$work/cp" "$work/log-key.pem" witness.example "$work/other.pem" 2>/dev/null; then
  fail "the verifier accepted a cosignature under another key"
fi

# The protocol's refusals, straight at the witness.
checkpoint_body() { grep -v "^— witness.example " "$1"; }   # the log's note without cosignatures
printf 'nonsense\n' > "$work/req"; [ "$(wpost "$work/req")" = 400 ] || fail "a malformed body must be 400"
{ echo "old $((size2 + 1))"; echo; checkpoint_body "$work/cp"; } > "$work/req"
[ "$(wpost "$work/req")" = 400 ] || fail "old above the checkpoint's size must be 400"
{ echo "old 0"; echo; checkpoint_body "$work/cp" | sed '$s/A\(.\{6\}\)$/B\1/;t;$s/.\(.\{6\}\)$/A\1/'; } > "$work/req"
grep -qxF "$(tail -n1 "$work/req")" "$work/cp" && fail "the changed signature line is the same as the served one"
[ "$(wpost "$work/req")" = 403 ] || fail "a checkpoint whose signature does not verify must be 403, got $(cat "$work/w.answer")"
{ echo "old 0"; echo; checkpoint_body "$work/cp"; } > "$work/req"
[ "$(wpost "$work/req")" = 409 ] || fail "a stale old size must be 409"
[ "$(cat "$work/w.answer")" = "$size2" ] || fail "the 409 names the size cosigned last ($size2): $(cat "$work/w.answer")"
grep -qi '^content-type: text/x.tlog.size' "$work/w.headers" || fail "the 409 is text/x.tlog.size"

# A fork: log B under the same key and origin, with other entries, larger than what the witness saw.
stop
start --data-dir "$work/b"
for i in $(seq 1 $((size2 + 3))); do [ "$(push W-B-$i M-B-$i)" = 202 ] || fail "push to log B"; done
as auditor "https://$https/v1/audit/checkpoint" > "$work/cp-b"
"$verify" checkpoint "$work/cp-b" "$work/log-key.pem" >/dev/null || fail "log B's checkpoint is signed by the log key"
size_b=$(sed -n 2p "$work/cp-b")
[ "$size_b" -gt "$size2" ] || fail "test setup: log B must be larger than what the witness cosigned"
as auditor "https://$https/v1/audit/proof/consistency?from=$size2&to=$size_b" > "$work/proof-b.json"
hex_to_b64() { python3 -c 'import base64, sys; [print(base64.b64encode(bytes.fromhex(l.strip())).decode()) for l in sys.stdin if l.strip()]'; }
{ echo "old $size2"; jq -r '.proof[]' "$work/proof-b.json" | hex_to_b64; echo; cat "$work/cp-b"; } > "$work/req"
stop
code=$(wpost "$work/req")
[ "$code" = 422 ] || fail "a fork (log B's checkpoint with its own proof from $size2) must be refused with 422, got $code: $(cat "$work/w.answer")"

# The witness restarts with its state: it still knows size2, and log A goes on being cosigned.
wstop
wstart
{ echo "old 0"; echo; checkpoint_body "$work/cp"; } > "$work/req"
[ "$(wpost "$work/req")" = 409 ] && [ "$(cat "$work/w.answer")" = "$size2" ] || fail "after a restart the witness must still be at $size2"
cfg=$(config_with "s#\"pseudonymKeyFile\": \"pseudonym.key\"#\"pseudonymKeyFile\": \"pseudonym.key\", \"witnesses\": [{\"name\": \"witness.example\", \"url\": \"http://$witness\", \"publicKey\": \"$work/w/witness.key.pub\"}]#")
start --config "$cfg" --data-dir "$work/a"
[ "$(push W-A-6 M-A-6)" = 202 ] || fail "push to log A after the restarts"
cosigned_above "$size2"
"$verify" checkpoint "$work/cp" "$work/log-key.pem" witness.example "$work/w/witness.key.pub" >/dev/null || fail "cosigned after the restart"

# A witness that is down holds nothing up: pushes are acked, the checkpoint is served, the metrics say so.
wstop
[ "$(push W-A-7 M-A-7)" = 202 ] || fail "a push while the witness is down"
for _ in $(seq 1 40); do
  grep -q '^dg_witness_failures_total{witness="witness.example"} [1-9]' <<<"$(curl -sS "http://$admin/metrics")" && break
  sleep 0.5
done
grep -q '^dg_witness_failures_total{witness="witness.example"} [1-9]' <<<"$(curl -sS "http://$admin/metrics")" || fail "a witness down must show in the failures metric"
[ "$(as auditor -o /dev/null -w '%{http_code}' "https://$https/v1/audit/checkpoint")" = 200 ] || fail "the checkpoint while the witness is down"
stop
echo "witness: OK"
