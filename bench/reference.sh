#!/usr/bin/env bash
# The reference server of every benchmark scenario: nginx from Debian on loopback with the same dev
# certificates, TLS versions, ciphers and client-certificate verification as the gateway, answering
# from memory. `reference.sh start DIR PORT [PAGE_JSON]` / `reference.sh stop DIR`.
#   POST /v1/berichten  -> 202 with a receipt-sized body
#   GET  /v1/caseload   -> PAGE_JSON (a saved caseload page of the same size as the gateway's)
set -euo pipefail
cmd=${1:?usage: reference.sh start DIR PORT [PAGE_JSON] | stop DIR}
dir=${2:?usage: reference.sh start DIR PORT [PAGE_JSON] | stop DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
certs="$root/certs/dev"
case "$cmd" in
start)
  port=${3:?port}
  page=${4:-/dev/null}
  mkdir -p "$dir"
  [ "$page" = /dev/null ] || cp "$page" "$dir/caseload.json"
  [ -f "$dir/caseload.json" ] || echo '{"items":[],"nextCursor":null}' > "$dir/caseload.json"
  ciphers="ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305"
  user_line=""
  [ "$(id -u)" = 0 ] && user_line="user root;"
  cat > "$dir/nginx.conf" <<CONF
$user_line
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  client_max_body_size 64m;
  keepalive_requests 100000000;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $certs/server.crt;
    ssl_certificate_key $certs/server.key;
    ssl_client_certificate $certs/ca.pem;
    ssl_verify_client on;
    ssl_crl $certs/crl.pem;    # as the gateway: client certificates are checked against the CRL
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers $ciphers;
    ssl_prefer_server_ciphers on;
    ssl_ecdh_curve X25519:prime256v1:secp384r1;
    ssl_session_tickets off;   # as the gateway: no resumption, every connection verifies its certificate
    ssl_session_cache off;
    location = /v1/berichten {
      default_type application/json;
      return 202 '{"berichtId":"LG-0","accepted":1,"rejected":[],"records":[{"meldingId":"VZ-2026-0001","id":"01a20c1ae6b5b81b5b94040019a18648","region":"90"}]}';
    }
    location = /v1/caseload {
      default_type application/json;
      alias $dir/caseload.json;
    }
  }
}
CONF
  nginx -c "$dir/nginx.conf" -p "$dir" -q
  for _ in $(seq 1 50); do [ -s "$dir/nginx.pid" ] && break; sleep 0.1; done
  [ -s "$dir/nginx.pid" ] || { cat "$dir/error.log" >&2; exit 1; }
  ;;
stop)
  [ -f "$dir/nginx.conf" ] && nginx -c "$dir/nginx.conf" -p "$dir" -s quit 2>/dev/null || true
  for _ in $(seq 1 50); do [ -s "$dir/nginx.pid" ] || break; sleep 0.1; done
  ;;
esac
