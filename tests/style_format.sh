#!/usr/bin/env bash
# The C++ sources follow .clang-format: every tracked .cpp and .hpp, as clang-format 14 would
# write it. Fails with the files that differ (fix: git ls-files '*.cpp' '*.hpp' | xargs clang-format -i).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "FAIL: clang-format is not installed (scripts/test installs it)"; exit 1; }
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
[ ${#files[@]} -gt 0 ] || { echo "FAIL: no sources found (not a git checkout?)"; exit 1; }
bad=()
for f in "${files[@]}"; do clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f"); done
if [ ${#bad[@]} -gt 0 ]; then
  echo "FAIL: not formatted as .clang-format says: ${bad[*]}"
  exit 1
fi
echo "${#files[@]} files formatted as .clang-format says"
