#!/usr/bin/env bash
# The built binary, started as an operator would, on ephemeral loopback ports: the README's curl
# flow (school push, coordinators of two regions), the CLI, and SIGTERM draining to exit 0.
set -euo pipefail
bin=${1:?usage: binary_smoke.sh PATH-TO-BINARY}
source "$(dirname "$0")/lib.sh"

"$bin" --version | grep -q '^doorstroom-gateway ' || fail "--version"
"$bin" serve --help | grep -q -- '--listen' || fail "serve --help"
"$bin" validate "$examples/verzuimmelding.json" "$examples/vsv-melding.xml" >/dev/null || fail "validate of valid examples"
sed 's/291417772/291417773/' "$examples/verzuimmelding.json" > "$work/bad.json"
set +e; out=$("$bin" validate --json "$work/bad.json"); rc=$?; set -e
[ "$rc" = 1 ] || fail "validate of an invalid file should exit 1, got $rc"
echo "$out" | grep -q '"bsn.checksum"' || fail "validate --json lists bsn.checksum"

"$bin" policy explain --as school-12AB "$examples/verzuimmelding.json" | grep -q 'scope school -> own-brin on school/brin: ok' \
  || fail "policy explain for the own school"
set +e; "$bin" policy explain --as school-34CD "$examples/verzuimmelding.json" | grep -q 'scope.not-own-brin'; rc=${PIPESTATUS[0]}; set -e
[ "$rc" = 1 ] || fail "policy explain for another school should exit 1"
# explain runs serve's whole pipeline: the policy allows a record whose elements are out of the
# XSD's order, the schema does not (it once said ALLOWED here while serve refused).
sed 's|<van>2026-10-26</van><tot>2026-11-13</tot>|<tot>2026-11-13</tot><van>2026-10-26</van>|' "$examples/verzuimmelding.xml" > "$work/order.xml"
set +e; out=$("$bin" policy explain --as school-12AB "$work/order.xml"); rc=$?; set -e
[ "$rc" = 1 ] || fail "policy explain of an XSD violation should exit 1, got $rc"
echo "$out" | grep -q 'XML Schema (XSD): refused: message.schema' || fail "policy explain names the XSD refusal"
[ "$(echo "$out" | grep -c '=> REFUSED')" = 1 ] && echo "$out" | grep -q '=> ALLOWED' || fail "policy explain: one record refused, the other allowed"
# --namens: the intermediary's mandate on the day given (the dev mandates of interface.md), then the principal's rules.
out=$("$bin" policy explain --as las-leverancier --namens school-12AB --today 2026-12-01 "$examples/verzuimmelding.json") \
  || fail "policy explain namens school-12AB under its mandate should exit 0"
echo "$out" | grep -q 'mandate in force: 2026-01-01 .. 2027-12-31' || fail "policy explain names the mandate in force"
echo "$out" | grep -q 'scope school -> own-brin on school/brin: ok' || fail "policy explain namens applies the principal's scope"
for args in "--namens school-34CD --today 2026-12-01" "--namens school-12AB --today 2028-01-01" "--namens gemeente-0363 --today 2026-12-01"; do
  set +e; out=$("$bin" policy explain --as las-leverancier $args "$examples/verzuimmelding.json"); rc=$?; set -e
  [ "$rc" = 1 ] && echo "$out" | grep -q 'mandate.missing' || fail "policy explain $args: mandate.missing, exit 1 (got $rc)"
done
set +e; out=$("$bin" policy explain --as rbl-amsterdam --namens gemeente-0384 --today 2026-12-01 "$examples/vrijstelling.json"); rc=$?; set -e
[ "$rc" = 1 ] && echo "$out" | grep -q 'mandate.not-permitted' || fail "a read-only mandate sends nothing (got $rc)"
set +e; out=$("$bin" policy explain --as las-leverancier --namens school-12AB --today 2026-12-01 "$examples/trajectmelding.json"); rc=$?; set -e
[ "$rc" = 1 ] && echo "$out" | grep -q 'sender.role-not-permitted' || fail "namens, the principal's role decides (got $rc)"

# regions import: DUO's layout, versioned in the data dir; a gemeente in two regions is refused.
shared_regions="$root/../shared/data/regions-sample.csv"
[ -f "$shared_regions" ] || shared_regions="$root/gateway/config/regions-dev.csv"
"$bin" regions import --data-dir "$work/data" "$shared_regions" | grep -q 'imported 7 gemeenten in 5 regions' || fail "regions import"
[ -f "$work/data/regions/$(cat "$work/data/regions/current").csv" ] || fail "regions import keeps a version"
printf 'GEMEENTENUMMER,RMC-REGIO CODE,RMC-REGIO NAAM\n363,90,A\n0363,91,B\n' > "$work/conflict.csv"
set +e; "$bin" regions import --data-dir "$work/data" "$work/conflict.csv" 2> "$work/conflict.err"; rc=$?; set -e
[ "$rc" = 1 ] && grep -q 'gemeente 0363 is in region 90 and in region 91' "$work/conflict.err" || fail "regions import must refuse conflicts"

# A config with a key the gateway does not know is refused at start, naming the file and the key.
config=$(config_with 's/"readTimeoutMs"/"readTimoutMs"/')
set +e; "$bin" serve --config "$config" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --data-dir "$work/bad" 2> "$work/bad-config.err"; rc=$?; set -e
[ "$rc" != 0 ] || fail "a config with an unknown key must not start"
grep -q "config.json: /limits/readTimoutMs: unknown key" "$work/bad-config.err" || fail "unknown config key not named: $(cat "$work/bad-config.err")"
# So is a mandate file with a key the loader does not know, or a party the registry does not have.
sed 's/"validUntil"/"validTill"/' "$root/policies/mandates-dev.json" > "$work/mandates-bad.json"
config=$(config_with "s#\"$root/policies/mandates-dev.json\"#\"$work/mandates-bad.json\"#")
set +e; "$bin" serve --config "$config" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --data-dir "$work/bad" 2> "$work/bad-mandates.err"; rc=$?; set -e
[ "$rc" != 0 ] || fail "a mandate file with an unknown key must not start"
grep -q "mandates-bad.json: /mandates/0/validTill: unknown key" "$work/bad-mandates.err" || fail "unknown mandate key not named: $(cat "$work/bad-mandates.err")"

start --data-dir "$work/data"

code=$(as school-12AB -o "$work/receipt" -w '%{http_code}' -H 'Content-Type: application/json' \
       --data-binary @"$examples/verzuimmelding.json" "https://$https/v1/berichten")
[ "$code" = 202 ] || fail "school push: $code $(cat "$work/receipt")"
# The receipt verifies with openssl and the published key alone, exactly as docs/audit.md shows.
as auditor "https://$https/v1/audit/keys" | jq -r '.keys[0].publicKey' > "$work/audit-key.pem"
r="$work/receipt"
receipt_ok "$r" "$work/audit-key.pem" || fail "the receipt does not verify with openssl"
[ "sha-256=:$(openssl dgst -sha256 -binary "$examples/verzuimmelding.json" | base64 -w0):" = "$(jq -r .digest "$r")" ] || fail "the receipt's digest"
sed -i '6s/.*/999/' "$work/receipt.txt"
if openssl pkeyutl -verify -pubin -inkey "$work/audit-key.pem" -rawin -in "$work/receipt.txt" -sigfile "$work/receipt.sig" >/dev/null 2>&1; then
  fail "a receipt with another audit index must not verify"
fi
id=$(sed -n 's/.*"id":"\([0-9a-f]\{32\}\)".*/\1/p' "$work/receipt" | head -1)
[ -n "$id" ] || fail "receipt has no record id"
as coordinator-amsterdam "https://$https/v1/caseload" | grep -q "$id" || fail "Amsterdam coordinator sees the record"
as coordinator-rijnmond "https://$https/v1/caseload" | grep -q "$id" && fail "Rijnmond coordinator must not see it"
code=$(as school-12AB -o /dev/null -w '%{http_code}' "https://$https/v1/caseload")
[ "$code" = 403 ] || fail "school reading the caseload: $code"
code=$(as stranger -o /dev/null -w '%{http_code}' "https://$https/v1/caseload")
[ "$code" = 403 ] || fail "stranger: $code"
curl -sS --max-time 5 --cacert "$certs/ca.pem" "https://$https/v1/caseload" >/dev/null 2>&1 && fail "no client certificate must fail"
curl -sf "http://$admin/readyz" >/dev/null || fail "readyz"
# Into a file first: grep -q stops reading at its match, and under pipefail curl's broken pipe would fail the check.
curl -sf "http://$admin/metrics" > "$work/metrics" || fail "metrics"
grep -q 'dg_requests_total{route="berichten",status="202"} 1' "$work/metrics" || fail "metrics: $(grep dg_requests_total "$work/metrics")"
grep -q 291417772 "$log" && fail "a BSN in the log"

# SIGHUP reloads the policy; a broken file is refused and the old set stays.
cp -r "$root/policies" "$work/policies"
cat > "$work/config.json" <<JSON
{ "tls": { "certificate": "$certs/server.crt", "privateKey": "$certs/server.key", "clientCa": "$certs/ca.pem" },
  "parties": "$work/policies/parties-dev.json", "policies": "$work/policies", "regions": "$root/gateway/config/regions-dev.csv", "schemas": "$root/schemas",
  "dataDir": "$work/data2", "audit": {} }
JSON
"$bin" serve --config "$work/config.json" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 2> "$work/log2" &
pid2=$!
for _ in $(seq 1 100); do grep -q '"msg":"listening"' "$work/log2" 2>/dev/null && break; sleep 0.1; done
echo '{ broken' > "$work/policies/sharing.json"
kill -HUP "$pid2"
for _ in $(seq 1 50); do grep -q 'reload refused' "$work/log2" && break; sleep 0.1; done
grep -q 'reload refused' "$work/log2" || { kill -9 $pid2; fail "broken policy not refused on SIGHUP"; }
sed 's/"min": 16/"min": 20/' "$root/policies/sharing.json" > "$work/policies/sharing.json"
kill -HUP "$pid2"
for _ in $(seq 1 50); do grep -q 'configuration reloaded' "$work/log2" && break; sleep 0.1; done
grep -q 'configuration reloaded' "$work/log2" || { kill -9 $pid2; fail "valid policy not reloaded on SIGHUP"; }
kill -TERM "$pid2"; wait "$pid2" || fail "second server did not stop cleanly"

stop
grep -q '"msg":"stopped"' "$log" || fail "no clean stop logged"

# Retention: nothing has expired today; in 2040 the verzuimmeldingen (5 years after tot) have.
"$bin" purge --data-dir "$work/data" | grep -q '^purged 0 ' || fail "purge today should purge nothing"
"$bin" purge --data-dir "$work/data" --today 2040-01-01 | grep -q '^purged 2 ' || fail "purge in 2040 should purge both records"
[ "$(sqlite3 "$work/data/store.db" 'SELECT count(*) FROM records')" = 0 ] || fail "records left after purge"
[ "$(sqlite3 "$work/data/store.db" 'SELECT count(*) FROM record_history')" = 0 ] || fail "history left after purge"
sqlite3 "$work/data/store.db" "SELECT entry FROM audit" | grep -q '"action":"purge"' || fail "the purge is not audited"
echo "1 passed, 0 failed"
