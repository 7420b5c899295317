#!/usr/bin/env bash
# The real signals against the built binary. SIGHUP reloads the party registry, the mandates, the policy and the
# region table (shown by what the gateway then does, not by its log); a bad file keeps the old one.
# SIGTERM with a large message in flight: it either completes with 202 and is all stored, or is
# not acknowledged and nothing of it is stored; the process exits 0 either way.
set -euo pipefail
bin=${1:?usage: signals.sh PATH-TO-BINARY}
source "$(dirname "$0")/lib.sh"
cp -r "$root/policies" "$work/policies"
config=$(config_with "s#\"$root/policies#\"$work/policies#g")
grep -q "$work/policies" "$config" || fail "the test config does not use the copied policies"
status() { # PARTY METHOD PATH [BODY]: prints the HTTP status, keeps the body in $work/answer
  local args=(-o "$work/answer" -w '%{http_code}' -X "$2")
  [ -n "${4:-}" ] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
  as "$1" "${args[@]}" "https://$https$3" 2>/dev/null || true
}
reloaded() { # COUNT: waits until the log shows COUNT reload outcomes
  for _ in $(seq 1 50); do [ "$(grep -c -e 'configuration reloaded' -e 'reload refused' "$log")" -ge "$1" ] && return 0; sleep 0.1; done
  fail "no reload outcome after SIGHUP"
}
start --config "$config" --data-dir "$work/data"

# The party registry: a party removed is unknown after SIGHUP, and known again after the next.
[ "$(status gemeente-0599 GET /v1/me)" = 200 ] || fail "gemeente-0599 is registered at start"
grep -v '"gemeente-0599"' "$root/policies/parties-dev.json" > "$work/policies/parties-dev.json"
kill -HUP "$pid"; reloaded 1
[ "$(status gemeente-0599 GET /v1/me)" = 403 ] || fail "a party removed from the registry must be unknown after SIGHUP"
grep -q '"sender.unknown"' "$work/answer" || fail "a removed party is sender.unknown"
echo '{ "parties": [ { "oin": "1' > "$work/policies/parties-dev.json"   # broken: the previous registry stays
kill -HUP "$pid"; reloaded 2
grep -q 'reload refused' "$log" || fail "a broken registry must be refused"
[ "$(status gemeente-0599 GET /v1/me)" = 403 ] || fail "the registry before the broken one stays"
[ "$(status school-12AB GET /v1/me)" = 200 ] || fail "the others stay registered"
cp "$root/policies/parties-dev.json" "$work/policies/parties-dev.json"
kill -HUP "$pid"; reloaded 3
[ "$(status gemeente-0599 GET /v1/me)" = 200 ] || fail "the party is back after SIGHUP"
# A registry that drops a party a mandate names is refused as a whole (the mandate would dangle).
grep -v '"school-34CD"' "$root/policies/parties-dev.json" > "$work/policies/parties-dev.json"
kill -HUP "$pid"; reloaded 4
[ "$(grep -c 'reload refused' "$log")" = 2 ] || fail "a registry without a party a mandate names must be refused"
[ "$(status school-34CD GET /v1/me)" = 200 ] || fail "the registry before the refused one stays"
cp "$root/policies/parties-dev.json" "$work/policies/parties-dev.json"

# Mandates: revoked by SIGHUP (its period ended yesterday), the intermediary is refused from then on;
# a broken mandate file keeps the one before. Dates relative to today, so that this holds any day.
mandate() { # VALID-UNTIL: the mandates file with las-leverancier's mandate for school-12AB
  printf '{"mandates":[{"intermediary":"las-leverancier","principal":"school-12AB","validFrom":"%s","validUntil":"%s",' \
    "$(date -u -d '-30 days' +%F)" "$1"
  printf '"berichttypen":["verzuimmelding","intrekking"],"endpoints":["berichten","validate"]}]}\n'
}
namens() { # BERICHTID: las-leverancier sends a verzuimmelding for school-12AB; prints the status
  verzuim "$1" "$1" | as las-leverancier -o "$work/answer" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H 'Namens: 00000099000000000201' --data-binary @- "https://$https/v1/berichten" 2>/dev/null || true
}
mandate "$(date -u -d '+1 year' +%F)" > "$work/policies/mandates-dev.json"
kill -HUP "$pid"; reloaded 5
[ "$(namens M-1)" = 202 ] || fail "las-leverancier sends for school-12AB under its mandate"
grep -q '"senderOin":"00000099000000000201","intermediaryOin":"00000099000000000801"' "$work/answer" ||
  fail "the receipt names the principal and the intermediary"
echo '{"mandates":[{"intermediary":"las-leverancier","principal":"school-12AB","validFrom":"2026-01-01","validUntill":"2026-12-31"}]}' \
  > "$work/policies/mandates-dev.json"   # a misspelt key: refused, the mandate before stays
kill -HUP "$pid"; reloaded 6
grep 'reload refused' "$log" | tail -1 | grep -q 'validUntill' || fail "the refusal names the unknown key"
[ "$(namens M-2)" = 202 ] || fail "the mandate before a refused file stays in force"
mandate "$(date -u -d yesterday +%F)" > "$work/policies/mandates-dev.json"
kill -HUP "$pid"; reloaded 7
[ "$(namens M-3)" = 403 ] || fail "a mandate ended by SIGHUP must be refused"
grep -q '"mandate.missing"' "$work/answer" || fail "an ended mandate is mandate.missing"
cp "$root/policies/mandates-dev.json" "$work/policies/mandates-dev.json"

# The policy: 16-uur verzuim needs 20 hours instead of 16 after SIGHUP.
verzuim16() { echo '{"berichtId":"'$1'","berichttype":"verzuimmelding","verzondenOp":"2026-11-23T09:15:00+01:00","meldingen":[{"meldingId":"'$1'","leerling":{"bsn":"291417772","geboortedatum":"2012-04-01","woongemeente":"0363"},"school":{"brin":"12AB","vestiging":"00"},"verzuim":{"soort":"16-uur","van":"2026-10-26","tot":"2026-11-20","uren":18}}]}'; }
[ "$(status school-12AB POST /v1/berichten "$(verzuim16 U-1)")" = 202 ] || fail "18 hours are enough under the shipped policy"
sed 's/"min": 16/"min": 20/' "$root/policies/sharing.json" > "$work/policies/sharing.json"
cmp -s "$root/policies/sharing.json" "$work/policies/sharing.json" && fail "the policy edit changed nothing"
kill -HUP "$pid"; reloaded 8
[ "$(status school-12AB POST /v1/berichten "$(verzuim16 U-2)")" = 400 ] || fail "18 hours must be too few after the reload"
grep -q '"verzuim.threshold"' "$work/answer" || fail "the reloaded threshold gives verzuim.threshold"

# The region table: a gemeente imported while the gateway runs routes after SIGHUP.
almere() { verzuim "$1" "$1" | sed 's/"woongemeente":"0363"/"woongemeente":"0034"/'; }
[ "$(status school-12AB POST /v1/berichten "$(almere R-1)")" = 400 ] || fail "0034 is not in the region table at start"
grep -q '"gemeente.unknown"' "$work/answer" || fail "an unknown gemeente is gemeente.unknown"
{ cat "$root/gateway/config/regions-dev.csv"; printf '\n99XX;00;0034;ALMERE;95;Flevoland (test)\n'; } > "$work/regions.csv"
"$bin" regions import --data-dir "$work/data" "$work/regions.csv" >/dev/null || fail "regions import"
kill -HUP "$pid"; reloaded 9
[ "$(status school-12AB POST /v1/berichten "$(almere R-2)")" = 202 ] || fail "0034 must route after the import and SIGHUP"
grep -q '"region":"95"' "$work/answer" || fail "the record goes to region 95"
stop
# The import took effect with that reload: an entry of its own with both versions; the stop is the last entry.
sqlite3 "$work/data/store.db" "SELECT entry FROM audit ORDER BY seq" > "$work/entries"
grep '"action":"regions-import"' "$work/entries" | grep -q '"previousRegionsVersion":' || fail "the region import is not an audit entry"
[ "$(grep -c '"action":"regions-import"' "$work/entries")" = 1 ] || fail "one import, one regions-import entry"
tail -1 "$work/entries" | grep -q '^{"action":"stop",' || fail "the stop must be the last audit entry"
head -1 "$work/entries" | grep -q '^{"action":"start",' || fail "the start must be the first audit entry"

# SIGTERM while a large message is on its way. A message of 20 000 records (about 6 MB):
batch() { # BERICHTID: the batch on stdout
  printf '{"berichtId":"%s","berichttype":"verzuimmelding","verzondenOp":"2026-11-23T09:15:00+01:00","meldingen":[' "$1"
  for i in $(seq 1 20000); do
    [ "$i" = 1 ] || printf ','
    printf '{"meldingId":"%s-%05d","leerling":{"bsn":"291417772","geboortedatum":"2012-04-01","woongemeente":"0363"},"school":{"brin":"12AB","vestiging":"00"},"verzuim":{"soort":"luxe","van":"2026-10-19","tot":"2026-10-23"},"toelichting":"%0150d"}' "$1" "$i" 0
  done
  printf ']}'
}
stored() { sqlite3 "$work/data-$1/store.db" "SELECT count(*) FROM records WHERE bericht_id = '$1'" 2>/dev/null || echo 0; }
in_flight() { # BERICHTID RATE DRAIN-MS: uploads at RATE while SIGTERM comes 1 s in; prints the HTTP status
  batch "$1" > "$work/$1.json"
  local cfg; cfg=$(config_with "s/\"drainTimeoutMs\": [0-9]*/\"drainTimeoutMs\": $3/")
  start --config "$cfg" --data-dir "$work/data-$1"
  as school-12AB -o "$work/$1.out" -w '%{http_code}' --limit-rate "$2" -H 'Content-Type: application/json' \
     --data-binary @"$work/$1.json" "https://$https/v1/berichten" > "$work/$1.code" 2>/dev/null &
  local client=$!
  sleep 1
  stop   # SIGTERM; exits 0 or fails the test
  wait "$client" || true
  cat "$work/$1.code"
}
# Fast enough to finish within the drain: acknowledged, and every record stored.
code=$(in_flight DRAIN-OK 4M 20000)
[ "$code" = 202 ] || fail "an upload that finishes within the drain must be acknowledged, got $code"
grep -q '"accepted":20000' "$work/DRAIN-OK.out" || fail "the drained message's receipt: $(head -c 300 "$work/DRAIN-OK.out")"
[ "$(stored DRAIN-OK)" = 20000 ] || fail "acknowledged, but $(stored DRAIN-OK) of 20000 records stored"
# Too slow for the drain: not acknowledged, and nothing of it stored.
code=$(in_flight DRAIN-CUT 200K 1500)
[ "$code" != 202 ] || fail "an upload cut off by the drain must not be acknowledged"
[ "$(stored DRAIN-CUT)" = 0 ] || fail "not acknowledged, but $(stored DRAIN-CUT) records stored"
echo "1 passed, 0 failed"
