#!/usr/bin/env bash
# Abuse resistance, measured on the built binary (issue "Abuse resistance"): each worst case of
# bench/make_hostile.py sent to /v1/validate (every check, nothing stored) on a fresh gateway, three
# times: judging rate in MB/s of the median (target >= 10 on one core), the increase of peak RSS (< 200 MB) and the
# answer's size (<= 2 x request + 1 MB); four at once (peak RSS < 1 GB); and while two of them are
# being judged, how long /healthz, a new handshake and another party's small request take
# (< 100 ms). Prints one JSON line per measurement. usage: bench/hostile.sh BIN-DIR WORK-DIR [--quick]
set -euo pipefail
bin=${1:?usage: hostile.sh BIN-DIR WORK-DIR [--quick]}
work=${2:?usage: hostile.sh BIN-DIR WORK-DIR [--quick]}
root=$(cd "$(dirname "$0")/.." && pwd)
certs="$root/certs/dev"
mkdir -p "$work"
[ -d "$work/cases" ] || python3 "$root/bench/make_hostile.py" "$work/cases"
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null || true' EXIT
start() {
  rm -rf "$work/data"
  "$bin/doorstroom-gateway" serve --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --data-dir "$work/data" 2> "$work/gw.log" &
  pid=$!
  for _ in $(seq 1 150); do grep -q '"msg":"listening"' "$work/gw.log" 2>/dev/null && break; sleep 0.1; done
  gw=$(sed -n 's/.*"https":"\([^"]*\)".*/\1/p' "$work/gw.log" | head -1)
  admin=$(sed -n 's/.*"admin":"\([^"]*\)".*/\1/p' "$work/gw.log" | head -1)
}
stop() { kill -TERM $pid; wait $pid || true; pid=; }
kb() { awk "/$1/ {print \$2}" /proc/$pid/status; }
post() { # FILE OUT [PARTY]: prints status, seconds from the request to the answer, and the TLS handshake's seconds
  local type=application/json party=${3:-school-12AB}; [ "${1##*.}" = xml ] && type=application/xml
  curl -sS -o "$2" -w '%{http_code} %{time_total} %{time_appconnect}\n' --cacert "$certs/ca.pem" --cert "$certs/$party.crt" --key "$certs/$party.key" \
    -H "Content-Type: $type" -H 'Expect:' --data-binary @"$1" "https://$gw/v1/validate"
}
warm() { post "$root/tests/vectors/examples/verzuimmelding.json" /dev/null > /dev/null; }

for f in "$work"/cases/*; do
  name=$(basename "$f"); bytes=$(stat -c %s "$f")
  start; warm
  base=$(kb VmRSS)
  # Three times on the same gateway; the median is the judging rate (the first also pays the
  # process's one-time costs: its heap growing, first use of the worker threads).
  # The judging time: from the request to its answer, the connection's TLS handshake (a cost per
  # connection, measured by P2) taken out.
  times=()
  for _ in 1 2 3; do
    read -r code total handshake < <(post "$f" "$work/answer")
    times+=("$(echo "$total - $handshake" | bc -l)")
  done
  secs=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  peak=$(kb VmHWM); answer=$(stat -c %s "$work/answer")
  stop
  printf '{"scenario":"HOSTILE","subject":"gateway","case":"%s","status":%s,"mb":%.1f,"seconds":%.3f,"firstSeconds":%.3f,"mbPerSecond":%.1f,"rssIncreaseMB":%.1f,"answerMB":%.2f,"answerLimitMB":%.2f}\n' \
    "$name" "$code" "$(echo "$bytes / 1048576" | bc -l)" "$secs" "${times[0]}" "$(echo "$bytes / 1048576 / $secs" | bc -l)" \
    "$(echo "($peak - $base) / 1024" | bc -l)" "$(echo "$answer / 1048576" | bc -l)" "$(echo "(2 * $bytes + 1048576) / 1048576" | bc -l)"
done

# Four of the heaviest at once from four parties (one party holds at most two large-body slots),
# and the small requests of others meanwhile.
heavy=("$work/cases/unknown-fields.json" "$work/cases/attributes.xml" "$work/cases/elements.xml" "$work/cases/deep-keys.json")
senders=(school-12AB school-34CD duo gemeente-0599)
start; warm
clients=()
for i in 0 1 2 3; do post "${heavy[$i]}" "$work/answer.$i" "${senders[$i]}" > "$work/code.$i" & clients+=($!); done
sleep 0.3
t_health=$(curl -s -o /dev/null -w '%{time_total}' "http://$admin/healthz")
t_small=$(curl -sS -o /dev/null -w '%{time_total}' --cacert "$certs/ca.pem" --cert "$certs/coordinator-amsterdam.crt" --key "$certs/coordinator-amsterdam.key" "https://$gw/v1/caseload")
t_hs=$(curl -sS -o /dev/null -w '%{time_appconnect}' --cacert "$certs/ca.pem" --cert "$certs/auditor.crt" --key "$certs/auditor.key" "https://$gw/v1/me")
busy=0; for c in "${clients[@]}"; do kill -0 "$c" 2>/dev/null && busy=$((busy + 1)); done
wait "${clients[@]}" || true
peak=$(kb VmHWM)
stop
codes=$(cat "$work"/code.* | cut -d' ' -f1 | sort | uniq -c | tr -s ' ' | tr '\n' ';')
printf '{"scenario":"HOSTILE-concurrent","subject":"gateway","requests":4,"statuses":"%s","peakRssMB":%.1f,"healthzMs":%.1f,"otherPartyMs":%.1f,"handshakeMs":%.1f,"stillJudging":%s}\n' \
  "$codes" "$(echo "$peak / 1024" | bc -l)" "$(echo "$t_health * 1000" | bc -l)" "$(echo "$t_small * 1000" | bc -l)" "$(echo "$t_hs * 1000" | bc -l)" "$busy"
