#!/usr/bin/env bash
# The whole test suite, in two passes:
#   embedded  SQLite, eager tasks (what `make demo` runs on)
#   postgres  PostgreSQL and Redis with a real Celery worker (what production runs on)
# Either pass failing fails the run; a pass that cannot reach its services fails, never skips.
# Tests marked `postgres` (row locks across connections) are left out of the embedded pass only.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
which="${1:-all}"
export DOCFLOW_DATA_DIR="${DOCFLOW_DATA_DIR:-$(mktemp -d)}"

# The browser tests (embedded pass) drive Debian's Chromium; install it when it is missing.
ensure_chromium() {
  command -v chromium >/dev/null && return 0
  echo "== installing chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
}

# The PKCS#11 test (PostgreSQL pass) signs with a SoftHSM2 token; install it when it is missing.
ensure_softhsm() {
  command -v softhsm2-util >/dev/null && return 0
  echo "== installing softhsm2 for the PKCS#11 signing test"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq softhsm2 >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq softhsm2 >/dev/null; fi
}

# axe-core (the accessibility checks the browser tests inject) comes from npm, pinned by
# package-lock.json into node_modules/ (kept out of git); node and npm from Debian when missing.
ensure_axe() {
  [ -f node_modules/axe-core/axe.min.js ] && return 0
  echo "== installing axe-core for the browser tests"
  if ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq nodejs npm >/dev/null; fi
  fi
  npm ci --no-audit --no-fund --silent
}

# The PDF tests measure text lines with poppler's pdftotext, independently of the code under test.
ensure_poppler() {
  command -v pdftotext >/dev/null && return 0
  echo "== installing poppler-utils for the PDF tests"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq poppler-utils >/dev/null; fi
}

# The OCR tests (marker `ocr`) need Tesseract with the Vietnamese data; they fail without it.
ensure_tesseract() {
  command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx vie && return 0
  echo "== installing tesseract-ocr and tesseract-ocr-vie for the OCR tests"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq tesseract-ocr tesseract-ocr-vie >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq tesseract-ocr tesseract-ocr-vie >/dev/null; fi
}

# Transfer packages carry PDF/A-2b renditions made by Ghostscript; the records tests check them.
ensure_ghostscript() {
  command -v gs >/dev/null && return 0
  echo "== installing ghostscript for the PDF/A renditions"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq ghostscript >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq ghostscript >/dev/null; fi
}

run_embedded() {
  ensure_chromium
  ensure_axe
  ensure_poppler
  ensure_tesseract
  ensure_ghostscript
  echo "== test pass: embedded defaults (SQLite, eager Celery)"
  env -u DATABASE_URL -u CELERY_BROKER_URL -u DOCFLOW_ENV CELERY_TASK_ALWAYS_EAGER=1 \
    "$PY" -m pytest -m "not worker and not postgres" "${@}"
}

run_postgres() {
  ensure_chromium
  ensure_softhsm
  ensure_axe
  ensure_poppler
  ensure_tesseract
  ensure_ghostscript
  echo "== test pass: PostgreSQL + Redis + real Celery worker"
  scripts/services.sh
  DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/docflow}" \
  CELERY_BROKER_URL="${TEST_BROKER_URL:-redis://127.0.0.1:6379/0}" \
  CELERY_TASK_ALWAYS_EAGER=1 \
    "$PY" -m pytest "${@}"
}

shift || true
case "$which" in
  embedded) run_embedded "$@" ;;
  postgres) run_postgres "$@" ;;
  all) run_embedded "$@"; run_postgres "$@" ;;
  *) echo "usage: scripts/test.sh [embedded|postgres|all] [pytest args]" >&2; exit 2 ;;
esac
