#!/usr/bin/env bash
# /metrics is valid Prometheus text exposition by Prometheus' own linter (promtool check metrics,
# Debian package prometheus), after traffic of every kind, and carries the usual process_* figures
# and dg_build_info. promtool is shown to be live first: a metric without TYPE/HELP must fail it.
set -euo pipefail
bin=${1:?usage: promtool_metrics.sh PATH-TO-BINARY}
source "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || fail "promtool is not installed (scripts/test installs the Debian package prometheus)"
printf 'BadName_total 1\n' > "$work/bad.prom"
if promtool check metrics < "$work/bad.prom" > "$work/live.out" 2>&1; then fail "promtool accepted a metric without HELP and TYPE"; fi
start --data-dir "$work/data"
[ "$(push M-1 M-1)" = 202 ] || fail "a push"
as coordinator-amsterdam -o /dev/null "https://$https/v1/caseload"
as school-12AB -o /dev/null "https://$https/v1/caseload"              # 403
as stranger -o /dev/null "https://$https/v1/me" || true               # 403 sender.unknown
curl -s -o /dev/null --max-time 5 --cacert "$certs/ca.pem" "https://$https/v1/me" || true   # no certificate: a handshake failure
curl -sS --max-time 10 "http://$admin/metrics" > "$work/metrics.prom" || fail "no /metrics"
promtool check metrics < "$work/metrics.prom" > "$work/check.out" 2>&1 || { cat "$work/check.out" >&2; fail "promtool finds problems in /metrics"; }
for name in process_cpu_seconds_total process_resident_memory_bytes process_virtual_memory_bytes process_open_fds process_max_fds \
            process_start_time_seconds dg_build_info dg_requests_total dg_request_duration_seconds_bucket dg_audit_entries dg_audit_removed_entries; do
  grep -q "^$name[ {]" "$work/metrics.prom" || fail "/metrics lacks $name"
done
grep -q '^dg_build_info{version="[0-9.]*",openssl="[^"]*",boost="1\.[0-9]*\.[0-9]*"} 1$' "$work/metrics.prom" || fail "dg_build_info labels"
start_time=$(sed -n 's/^process_start_time_seconds //p' "$work/metrics.prom")
now=$(date +%s)
[ "$start_time" -le "$now" ] && [ "$start_time" -gt $((now - 600)) ] || fail "process_start_time_seconds $start_time is not within the last minutes ($now)"
stop
