#!/usr/bin/env bash
# Dutch API Design Rules: Logius' own Spectral ruleset (../shared/conformance/adr/linter.yaml, run
# unchanged) finds no error in the OpenAPI document the gateway serves, fetched from the running
# binary (admin listener, no certificate; and over mutual TLS, the same bytes). Spectral comes from
# the npm registry (tools/package.json, installed by scripts/setup.sh). The linter is shown to be
# live first: a copy of the document without info.contact must fail it.
set -euo pipefail
bin=${1:?usage: adr_lint.sh PATH-TO-BINARY}
source "$(dirname "$0")/lib.sh"
spectral="$root/tools/node_modules/.bin/spectral"
ruleset="$root/../shared/conformance/adr/linter.yaml"
[ -x "$spectral" ] || fail "spectral is not installed: scripts/setup.sh installs it (cd tools && npm ci)"
[ -f "$ruleset" ] || fail "the ADR ruleset is missing: $ruleset"
start --data-dir "$work/data"
curl -sS --max-time 10 -o "$work/openapi.json" "http://$admin/v1/openapi.json" || fail "no OpenAPI document on the admin listener"
as school-12AB -o "$work/openapi-tls.json" "https://$https/v1/openapi.json" || fail "no OpenAPI document over mutual TLS"
cmp -s "$work/openapi.json" "$work/openapi-tls.json" || fail "the admin listener and the API serve different documents"
stop
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["info"]["contact"]; json.dump(d, open(sys.argv[2], "w"))' \
  "$work/openapi.json" "$work/no-contact.json"
set +e; "$spectral" lint -q -r "$ruleset" --fail-severity=error "$work/no-contact.json" > "$work/live.out" 2>&1; rc=$?; set -e
[ "$rc" != 0 ] && grep -q 'info-contact' "$work/live.out" || fail "the linter did not catch a missing info.contact: $(cat "$work/live.out")"
"$spectral" lint -r "$ruleset" --fail-severity=error "$work/openapi.json" > "$work/lint.out" 2>&1 || {
  cat "$work/lint.out" >&2
  fail "the ADR ruleset finds errors in the served OpenAPI document"
}
cat "$work/lint.out"
