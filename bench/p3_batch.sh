#!/usr/bin/env bash
# P3: a 100k-record DUO batch, JSON and XML, through the running gateway: end-to-end time (until
# the 202 receipt, i.e. committed) and the server's peak RSS; plus validation throughput on one
# core (ingest_bench). Prints one JSON object per measurement.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BIN:-$root/build/bin}
records=${RECORDS:-100000}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
certs="$root/certs/dev"
for f in json xml; do python3 "$root/bench/make_batch.py" "$records" "$f" "$work/batch.$f"; done

for f in json xml; do
  taskset -c 0 "$bin/ingest_bench" "$root/gateway/config/dev.json" "$work/batch.$f" 3 | sed 's/^{/{"scenario":"P3-validate-1core",/'
done

for f in json xml; do
  rm -rf "$work/data"
  "$bin/doorstroom-gateway" serve --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --data-dir "$work/data" 2> "$work/log" &
  pid=$!
  for _ in $(seq 1 100); do grep -q '"msg":"listening"' "$work/log" 2>/dev/null && break; sleep 0.1; done
  https=$(sed -n 's/.*"https":"\([^"]*\)".*/\1/p' "$work/log" | head -1)
  start=$(date +%s.%N)
  code=$(curl -sS -o "$work/receipt" -w '%{http_code}' --cacert "$certs/ca.pem" --cert "$certs/duo.crt" --key "$certs/duo.key" \
         -H "Content-Type: application/$f" -H 'Expect:' --data-binary @"$work/batch.$f" "https://$https/v1/berichten")
  end=$(date +%s.%N)
  rss=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
  kill -TERM $pid; wait $pid || true
  accepted=$(sed -n 's/.*"accepted":\([0-9]*\).*/\1/p' "$work/receipt")
  printf '{"scenario":"P3-batch","format":"%s","records":%s,"status":%s,"accepted":%s,"seconds":%.3f,"peakRssMB":%.1f}\n' \
    "$f" "$records" "$code" "${accepted:-0}" "$(echo "$end - $start" | bc)" "$(echo "$rss / 1024" | bc -l)"
done
