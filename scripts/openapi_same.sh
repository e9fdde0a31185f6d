#!/usr/bin/env bash
# The OpenAPI schema of the working tree is the one of REF (default: main), byte for byte:
# for refactors that must not change the contract. Prints the operation ids and component
# names that differ, if any, and the diff; exit 1 when they differ.
#   scripts/openapi_same.sh [REF]
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"  # absolute, the venv's link kept
ref="${1:-main}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ref" "$tmp/data"
git archive "$ref" | tar -x -C "$tmp/ref"
schema() {  # $1 = source tree, $2 = output file
  (cd "$1" && env -u DATABASE_URL -u CELERY_BROKER_URL -u DOCFLOW_ENV DOCFLOW_DATA_DIR="$tmp/data" \
     "$PY" manage.py spectacular --file "$2" >"$tmp/log" 2>&1) || { cat "$tmp/log"; exit 2; }
}
schema "$tmp/ref" "$tmp/before.yaml"
schema . "$tmp/after.yaml"
names() { grep -E '^      operationId: |^    [A-Za-z0-9]+:$' "$1" | sed 's/^ *//' | sort; }
if cmp -s "$tmp/before.yaml" "$tmp/after.yaml"; then
  echo "OpenAPI schema unchanged against $ref ($(names "$tmp/after.yaml" | grep -c operationId) operations)"
  exit 0
fi
echo "== operation ids and component names that differ (< $ref, > working tree)"
diff <(names "$tmp/before.yaml") <(names "$tmp/after.yaml") || true
echo "== schema diff"
diff -u "$tmp/before.yaml" "$tmp/after.yaml" | head -200
exit 1
