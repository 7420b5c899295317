#!/usr/bin/env bash
# No personal data where it does not belong: a full run with known BSNs and onderwijsnummers —
# valid and invalid, in JSON and XML, in the wrong field, in a query string and a URL path, in
# searches and a subject report — then the operational log, every audit entry, every error body
# and the metrics are searched for each number. None may hold one (the pseudonym stands in).
set -euo pipefail
bin=${1:?usage: no_personal_data.sh PATH-TO-BINARY}
source "$(dirname "$0")/lib.sh"
mkdir -p "$work/errors"
call() { # PARTY METHOD PATH [BODY-FILE] [CONTENT-TYPE]: keeps the body of every error answer
  local party=$1 method=$2 path=$3 body=${4:-} type=${5:-application/json}
  local args=(-X "$method" -o "$work/answer" -w '%{http_code}')
  [ -n "$body" ] && args+=(-H "Content-Type: $type" --data-binary @"$body")
  local code
  code=$(as "$party" "${args[@]}" "https://$https$path")
  [ "${code:0:1}" = 2 ] || cp "$work/answer" "$(mktemp "$work/errors/$code-XXXXXX")"
  echo "$code"
}
body() { echo "$2" > "$work/$1"; echo "$work/$1"; }

start --data-dir "$work/data"
numbers="291417772 291417773 111222333 123456782 101222331 101222332"
# Valid pushes: JSON and XML.
[ "$(call school-12AB POST /v1/berichten "$examples/verzuimmelding.json")" = 202 ] || fail "valid JSON push"
sed -e 's/berichtId="[^"]*"/berichtId="XML-1"/' -e 's/meldingId="/meldingId="XML-/g' "$examples/verzuimmelding.xml" > "$work/good.xml"
[ "$(call school-12AB POST /v1/berichten "$work/good.xml" application/xml)" = 202 ] || fail "valid XML push"
# A BSN failing the 11-proef, in JSON and XML; a valid one in a field that is not permitted.
bad=$(verzuim BAD-1 M-BAD 291417773)
[ "$(call school-12AB POST /v1/berichten "$(body bad.json "$bad")")" = 400 ] || fail "11-proef"
# Another valid BSN in XML (stored, so it must show up nowhere but as its pseudonym).
sed 's#<bsn>[0-9]*</bsn>#<bsn>111222333</bsn>#' "$examples/verzuimmelding.xml" | sed -e 's/berichtId="[^"]*"/berichtId="BAD-2"/' -e 's/meldingId="/meldingId="B2-/g' > "$work/bad.xml"
[ "$(call school-12AB POST /v1/berichten "$work/bad.xml" application/xml)" = 202 ] || fail "a valid BSN in XML"
sed 's#<bsn>[0-9]*</bsn>#<bsn>12345678X</bsn>#' "$examples/verzuimmelding.xml" | sed 's/berichtId="[^"]*"/berichtId="BAD-3"/' > "$work/bad3.xml"
[ "$(call school-12AB POST /v1/berichten "$work/bad3.xml" application/xml)" = 400 ] || fail "a malformed BSN in XML"
numbers="$numbers 12345678X"
extra=$(verzuim BAD-4 M-X | sed 's/"vestiging":"00"/"vestiging":"00","bsn":"123456782"/')
[ "$(call school-12AB POST /v1/berichten "$(body extra.json "$extra")")" = 400 ] || fail "a field not permitted"
# The same through validate, and a malformed body that contains a number.
[ "$(call school-12AB POST /v1/validate "$work/bad.json")" = 200 ] || fail "validate"
[ "$(call school-12AB POST /v1/berichten "$(body broken.json '{"berichtId":"B","leerling":{"bsn":"291417772"')")" = 400 ] || fail "malformed"
# Numbers where they must never be: a query string and a URL path.
[ "$(call coordinator-amsterdam GET '/v1/caseload?bsn=291417772')" = 400 ] || fail "a BSN as a query parameter"
[ "$(call coordinator-amsterdam GET /v1/records/291417772)" = 404 ] || fail "a BSN as a record id"
[ "$(call coordinator-amsterdam GET '/v1/caseload?gemeente=291417772')" = 400 ] || fail "a BSN as a gemeente"
# Searches and a subject report (in bodies, as they should be), good and bad.
[ "$(call coordinator-amsterdam POST /v1/records/search "$(body s1.json '{"bsn":"291417772"}')")" = 200 ] || fail "search"
[ "$(call coordinator-amsterdam POST /v1/records/search "$(body s2.json '{"bsn":"291417773"}')")" = 400 ] || fail "search with a bad BSN"
[ "$(call coordinator-amsterdam POST /v1/records/search "$(body s3.json '{"onderwijsnummer":"101222332"}')")" = 400 ] || fail "a bad onderwijsnummer"
[ "$(call auditor POST /v1/audit/subject-report "$(body s4.json '{"bsn":"291417772"}')")" = 200 ] || fail "subject report"
grep -q 291417772 "$work/answer" && fail "the subject report shows the BSN instead of its pseudonym"
[ "$(call auditor POST /v1/audit/subject-report "$(body s5.json '{"bsn":"291417772","naam":"x"}')")" = 400 ] || fail "subject report with extra"
# Someone else's sender certificate and role.
[ "$(call stranger POST /v1/berichten "$examples/verzuimmelding.json")" = 403 ] || fail "stranger"
[ "$(call coordinator-amsterdam POST /v1/berichten "$examples/verzuimmelding.json")" = 403 ] || fail "wrong role"
curl -s "http://$admin/metrics" > "$work/metrics"
stop

sqlite3 "$work/data/store.db" "SELECT entry FROM audit" > "$work/audit"
[ "$(wc -l < "$work/audit")" -ge 18 ] || fail "expected an audit entry per request"
ls "$work/errors" > "$work/error-list"; [ "$(wc -l < "$work/error-list")" -ge 11 ] || fail "expected the error bodies to check ($(cat "$work/error-list" | tr "\n" " "))"
for number in $numbers; do
  for what in "$log" "$work/audit" "$work/metrics" "$work"/errors/*; do
    grep -q -- "$number" "$what" && fail "$number found in $(basename "$what"): $(grep -o ".\{40\}$number.\{20\}" "$what" | head -1)"
  done
done
grep -q '"subjects":\["ps:' "$work/audit" || fail "subjects are pseudonyms"
echo "1 passed, 0 failed ($(ls "$work/errors" | wc -l) error bodies, $(wc -l < "$work/audit") audit entries searched)"
