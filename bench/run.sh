#!/usr/bin/env bash
# Every benchmark scenario, each beside its reference (nginx from Debian, same certificates, TLS
# settings and client verification, answering from memory) in the same run, so that a ratio
# survives the drift of a shared machine. Writes OUT/latest.jsonl (one line per measurement).
# usage: bench/run.sh [--quick] OUT      (scripts/bench builds first and summarises after)
#
#   P1  single-record verzuimmelding, full pipeline, keep-alive: req/s and the server's CPU per
#       request vs nginx; p99 in an open loop at 50 % and 80 % of the gateway's closed-loop rate,
#       on SQLite and on PostgreSQL; the same open loop (50 %) while a 100k batch arrives
#   P2  one TLS handshake per request: req/s and server CPU per request vs nginx
#   P3  100k-record batch (JSON, XML) end to end and peak RSS; upload to nginx as the reference
#   P4  caseload page with 1M records stored, SQLite and PostgreSQL: p99 vs nginx serving the page
#   P5  audit append rate, inclusion proof, verify of 1M entries (SQLite and PostgreSQL)
set -euo pipefail
quick=0
[ "${1:-}" = "--quick" ] && { quick=1; shift; }
out=${1:?usage: bench/run.sh [--quick] OUT}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BIN:-$root/build/bin}
certs="$root/certs/dev"
mkdir -p "$out"
results="$out/latest.jsonl"
: > "$results"
work=$(mktemp -d)
gw_pid=
cleanup() {
  [ -n "$gw_pid" ] && kill -9 "$gw_pid" 2>/dev/null || true
  "$root/bench/reference.sh" stop "$work/nginx" || true
  "$root/tests/pg/cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ $quick = 1 ]; then secs=3; batch=10000; fill=100000; entries=100000; else secs=10; batch=100000; fill=1000000; entries=1000000; fi
ref_port=$((30000 + RANDOM % 10000))
say() { echo "== $*" >&2; }
emit() { echo "$1" | tee -a "$results"; }  # one JSON line
tag() { sed "s/^{/{\"scenario\":\"$1\",\"subject\":\"$2\",/"; }

start_gateway() { # DATA_DIR [serve options…]; sets gw_pid and gw (HOST:PORT)
  local data=$1; shift
  "$bin/doorstroom-gateway" serve --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --data-dir "$data" "$@" 2> "$work/gateway.log" &
  gw_pid=$!
  for _ in $(seq 1 150); do grep -q '"msg":"listening"' "$work/gateway.log" 2>/dev/null && break; sleep 0.1; done
  gw=$(sed -n 's/.*"https":"\([^"]*\)".*/\1/p' "$work/gateway.log" | head -1)
  [ -n "$gw" ] || { cat "$work/gateway.log" >&2; exit 1; }
}
stop_gateway() { kill -TERM "$gw_pid"; wait "$gw_pid" || true; gw_pid=; }
load() { # PARTY URL [loadgen options…]
  local party=$1 url=$2; shift 2
  "$bin/loadgen" --ca "$certs/ca.pem" --cert "$certs/$party.crt" --key "$certs/$party.key" --url "$url" "$@"
}
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
# The server's own CPU time (user + system, in clock ticks) of the gateway or of nginx's workers,
# so that CPU per request does not depend on how fast the loader is.
server_pids() { if [ "$1" = nginx ]; then pgrep -P "$(cat "$work/nginx/nginx.pid")" | tr '\n' ' '; else echo "$gw_pid"; fi; }
cpu_ticks() { local t=0 p; for p in $1; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
# measured SCENARIO SUBJECT PARTY URL [loadgen options…]: the load's JSON line, tagged, with the
# server's CPU microseconds per request.
measured() {
  local scenario=$1 subject=$2 party=$3 url=$4; shift 4
  local pids c0 out c1
  pids=$(server_pids "$subject")
  c0=$(cpu_ticks "$pids")
  out=$(load "$party" "$url" "$@")
  c1=$(cpu_ticks "$pids")
  python3 - "$out" "$scenario" "$subject" "$((c1 - c0))" "$(getconf CLK_TCK)" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); ticks = int(sys.argv[4]); hz = int(sys.argv[5])
out = {"scenario": sys.argv[2], "subject": sys.argv[3]}
out.update(r)
out["serverCpuSeconds"] = ticks / hz
out["serverCpuUsPerRequest"] = round(ticks / hz * 1e6 / r["requests"], 1) if r.get("requests") else None
print(json.dumps(out))
PY
}

sed -e 's/"berichtId": *"[^"]*"/"berichtId":"BENCH-{{n}}"/' -e 's/"meldingId": *"\([^"]*\)"/"meldingId":"\1-{{n}}"/' "$root/tests/vectors/examples/verzuimmelding.json" > "$work/verzuim.json"
python3 - "$work/verzuim.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["meldingen"] = d["meldingen"][:1]   # P1 is a single-record message
json.dump(d, open(p, "w"))
PY
"$root/bench/reference.sh" start "$work/nginx" "$ref_port"
ref="127.0.0.1:$ref_port"

"$root/tests/pg/cluster.sh" start "$work/pg" >&2
pg_url=$(cat "$work/pg/url")

# ---- P1 and P2 (a fresh store each: SQLite, then PostgreSQL for P1) ----
p1() { # STORE: closed loop for both subjects, then open loops at 50 % and 80 % of the gateway's rate
  local store=$1 g rate fraction subject target
  say "P1 keep-alive, 16 connections, ${secs}s ($store)"
  g=$(measured P1 gateway school-12AB "https://$gw/v1/berichten" --body "$work/verzuim.json" --connections 16 --duration $secs)
  emit "${g%\}},\"store\":\"$store\"}"
  if [ "$store" = sqlite ]; then emit "$(measured P1 nginx school-12AB "https://$ref/v1/berichten" --body "$work/verzuim.json" --connections 16 --duration $secs)"; fi
  for fraction in 50 80; do
    rate=$(( $(field "$g" requestsPerSecond) * fraction / 100 ))
    say "P1 latency, open loop at $rate req/s ($fraction % of the gateway's closed-loop rate, $store)"
    for subject in gateway nginx; do
      [ $subject = nginx ] && [ "$store" != sqlite ] && continue
      target=$gw; [ $subject = nginx ] && target=$ref
      r=$(measured P1-latency $subject school-12AB "https://$target/v1/berichten" --body "$work/verzuim.json" --connections 16 --duration $secs --rate $rate)
      emit "${r%\}},\"store\":\"$store\",\"fraction\":$fraction}"
    done
  done
  if [ "$store" = sqlite ]; then p1_rate=$(( $(field "$g" requestsPerSecond) / 2 )); fi
}
start_gateway "$work/p1"
p1 sqlite
say "P2 one handshake per request, 16 connections"
emit "$(measured P2 gateway school-12AB "https://$gw/v1/berichten" --body "$work/verzuim.json" --connections 16 --duration $secs --handshake-per-request)"
emit "$(measured P2 nginx school-12AB "https://$ref/v1/berichten" --body "$work/verzuim.json" --connections 16 --duration $secs --handshake-per-request)"
stop_gateway
psql -q "$pg_url" -c "CREATE SCHEMA p1" >&2
start_gateway "$work/p1-pg-keys" --store "$pg_url?options=-csearch_path%3Dp1"
p1 postgresql
stop_gateway

# ---- P3 ----
say "P3 batch of $batch records"
for f in json xml; do python3 "$root/bench/make_batch.py" "$batch" "$f" "$work/batch.$f"; done
for f in json xml; do
  taskset -c 0 "$bin/ingest_bench" "$root/gateway/config/dev.json" "$work/batch.$f" 3 | tag P3-validate-1core gateway | tee -a "$results"
done
for f in json xml; do
  rm -rf "$work/p3"
  start_gateway "$work/p3"
  for subject in gateway nginx; do
    target=$gw; [ $subject = nginx ] && target=$ref
    start=$(date +%s.%N)
    code=$(curl -sS -o "$work/receipt" -w '%{http_code}' --cacert "$certs/ca.pem" --cert "$certs/duo.crt" --key "$certs/duo.key" \
           -H "Content-Type: application/$f" -H 'Expect:' --data-binary @"$work/batch.$f" "https://$target/v1/berichten")
    end=$(date +%s.%N)
    rss=0; [ $subject = gateway ] && rss=$(awk '/VmHWM/ {print $2}' /proc/$gw_pid/status)
    emit "$(printf '{"scenario":"P3","subject":"%s","format":"%s","records":%s,"status":%s,"seconds":%.3f,"peakRssMB":%.1f}' \
      $subject $f "$batch" "$code" "$(echo "$end - $start" | bc)" "$(echo "$rss / 1024" | bc -l)")"
  done
  stop_gateway
done

# Small requests while a large batch arrives: the P1 open loop at half the closed-loop rate, and
# after a second the 100k JSON batch; its p99 against the same loop without the batch (P1-latency 50 %).
say "P1 open loop at $p1_rate req/s while a batch of $batch records arrives"
rm -rf "$work/p3"
start_gateway "$work/p3"
measured P1-batch-during-load gateway school-12AB "https://$gw/v1/berichten" --body "$work/verzuim.json" --connections 16 \
  --duration $secs --rate $p1_rate > "$work/during.json" &
loader=$!
sleep 1
start=$(date +%s.%N)
code=$(curl -sS -o "$work/receipt" -w '%{http_code}' --cacert "$certs/ca.pem" --cert "$certs/duo.crt" --key "$certs/duo.key" \
       -H "Content-Type: application/json" -H 'Expect:' --data-binary @"$work/batch.json" "https://$gw/v1/berichten")
batch_seconds=$(printf "%.3f" "$(echo "$(date +%s.%N) - $start" | bc)")
wait $loader
r=$(cat "$work/during.json")
emit "${r%\}},\"store\":\"sqlite\",\"batchRecords\":$batch,\"batchStatus\":$code,\"batchSeconds\":$batch_seconds}"
stop_gateway

# A weekly onderwijsgebeurtenis delivery from DUO: every record closes an open vsv-melding of its
# pupil (a look-up, a history row and an update per record), pushed after the vsv batch.
say "P3 onderwijsgebeurtenis batch of $batch records closing as many vsv-meldingen"
for kind in vsv-melding onderwijsgebeurtenis; do python3 "$root/bench/make_batch.py" "$batch" json "$work/$kind.json" "$kind"; done
rm -rf "$work/p3"
start_gateway "$work/p3"
for kind in vsv-melding onderwijsgebeurtenis; do
  start=$(date +%s.%N)
  code=$(curl -sS -o "$work/receipt" -w '%{http_code}' --cacert "$certs/ca.pem" --cert "$certs/duo.crt" --key "$certs/duo.key" \
         -H "Content-Type: application/json" -H 'Expect:' --data-binary @"$work/$kind.json" "https://$gw/v1/berichten")
  end=$(date +%s.%N)
  [ $kind = onderwijsgebeurtenis ] &&
    emit "$(printf '{"scenario":"P3-onderwijsgebeurtenis","subject":"gateway","format":"json","records":%s,"status":%s,"seconds":%.3f,"peakRssMB":%.1f}' \
      "$batch" "$code" "$(echo "$end - $start" | bc)" "$(echo "$(awk '/VmHWM/ {print $2}' /proc/$gw_pid/status) / 1024" | bc -l)")"
done
stop_gateway

# ---- Abuse resistance: worst cases within the limits ----
say "hostile worst cases"
"$root/bench/hostile.sh" "$bin" "$work/hostile" | tee -a "$results"

# ---- P4 (both stores) ----
for store in sqlite postgresql; do
  say "P4 caseload with $fill records ($store)"
  url="sqlite:$work/p4"; [ $store = postgresql ] && url=$pg_url
  emit "$("$bin/fill_store" "$url" "$fill" 2>/dev/null | tag P4-fill gateway)"
  [ $store = postgresql ] && psql -q "$pg_url" -c "ANALYZE records" -c "ANALYZE record_history" >&2
  start_gateway "$work/p4-keys" --store "$url"
  curl -sS --cacert "$certs/ca.pem" --cert "$certs/coordinator-amsterdam.crt" --key "$certs/coordinator-amsterdam.key" \
    "https://$gw/v1/caseload?limit=50" > "$work/page.json"
  "$root/bench/reference.sh" stop "$work/nginx"
  "$root/bench/reference.sh" start "$work/nginx" "$ref_port" "$work/page.json"
  for subject in gateway nginx; do
    target=$gw; [ $subject = nginx ] && target=$ref
    r=$(load coordinator-amsterdam "https://$target/v1/caseload?limit=50" --connections 2 --duration $secs --rate 200 | tag P4 $subject)
    emit "${r%\}},\"store\":\"$store\",\"pageBytes\":$(wc -c < "$work/page.json")}"
    r=$(load coordinator-amsterdam "https://$target/v1/caseload?limit=50" --connections 4 --duration $secs | tag P4-throughput $subject)
    emit "${r%\}},\"store\":\"$store\"}"
  done
  r=$(load coordinator-amsterdam "https://$gw/v1/caseload?limit=50&berichttype=vsv-melding&gemeente=0384" --connections 2 --duration $secs --rate 100 | tag P4-filtered gateway)
  emit "${r%\}},\"store\":\"$store\"}"
  # The rapportage over the same records: one day and the whole month of the fill (closed loop).
  for range in "van=2026-11-24&tot=2026-11-25" "van=2026-11-01&tot=2026-12-01"; do
    r=$(load coordinator-amsterdam "https://$gw/v1/caseload/rapportage?$range" --connections 1 --duration $secs | tag P4-rapportage gateway)
    emit "${r%\}},\"store\":\"$store\",\"range\":\"$range\"}"
  done
  stop_gateway
done

# ---- P5 (both stores) ----
for store in sqlite postgresql; do
  say "P5 audit log, $entries entries ($store)"
  url="sqlite:$work/p5"; [ $store = postgresql ] && { psql -q "$pg_url" -c "CREATE SCHEMA p5"; url="$pg_url?options=-csearch_path%3Dp5"; }
  "$bin/audit_bench" "$work/p5" "$entries" $([ $store = postgresql ] && echo "$url") 2>/dev/null | sed 's/^{/{"subject":"gateway",/' | tee -a "$results"
  start=$(date +%s.%N)
  "$bin/doorstroom-gateway" audit verify --data-dir "$work/p5" --store "$url" >/dev/null 2>&1
  emit "$(printf '{"scenario":"P5-verify-cli","subject":"gateway","store":"%s","entries":%s,"seconds":%.3f}' $store $entries "$(echo "$(date +%s.%N) - $start" | bc)")"
done
