# Sourced by scripts/run and scripts/test: install what is missing, build, make dev certs.
# Works as root on a fresh Debian 12; elsewhere it only builds.

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian 12 packages the gateway builds and tests with.
dg_packages=(g++ cmake make pkg-config ccache openssl curl
  libboost-dev libboost-system-dev libboost-test-dev
  libssl-dev libxml2-dev libxml2-utils rapidjson-dev libsqlite3-dev sqlite3
  libpq-dev postgresql-15 postgresql-client-15
  chromium libnss3-tools fonts-dejavu-core)  # the UI's browser test

dg_install_deps() {
  local missing=()
  for p in "${dg_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]} (run as root or install them)" >&2
    return 1
  fi
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # postgresql-15 must not start a system cluster; tests start their own.
  mkdir -p /usr/sbin && [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; dg_rm_policy_rc=1; }
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  [ "${dg_rm_policy_rc:-0}" = 1 ] && rm -f /usr/sbin/policy-rc.d
  return 0
}

# Tooling from the npm registry for the suite (tools/package.json, pinned by its lock file): the
# Spectral CLI for the API Design Rules linter. Node.js and npm from Debian when npm is missing.
dg_tools() {
  if ! command -v npm >/dev/null; then
    [ "$(id -u)" -eq 0 ] || { echo "npm is missing (run as root or install nodejs and npm)" >&2; return 1; }
    echo "installing: nodejs npm" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >&2 ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >&2; }
  fi
  local tools="$repo_root/tools"
  # npm ci again whenever the lock file is newer than what it installed.
  if [ ! -x "$tools/node_modules/.bin/spectral" ] || [ "$tools/package-lock.json" -nt "$tools/node_modules/.package-lock.json" ]; then
    (cd "$tools" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
  fi
}

dg_build() {
  local type=${1:-Release}
  local dir="$repo_root/build"
  local werror=OFF
  [ "${CI:-}" = "true" ] && werror=ON
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$repo_root" -B "$dir" -DCMAKE_BUILD_TYPE="$type" -DDG_WERROR="$werror" "${launcher[@]}" >&2
  cmake --build "$dir" -j"$(nproc)" >&2
}

dg_certs() {
  # The newest party of make-dev-certs stands for the whole set: an older set is made again.
  [ -f "$repo_root/certs/dev/ca.pem" ] && [ -f "$repo_root/certs/dev/rbl-amsterdam.crt" ] && [ -f "$repo_root/certs/dev/crl.pem" ] ||
    "$repo_root/certs/make-dev-certs" >&2
}
