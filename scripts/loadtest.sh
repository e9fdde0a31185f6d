#!/usr/bin/env bash
# The whole system under load, on 127.0.0.1 only, for a bounded time:
#   scripts/loadtest.sh [--duration 120] [--users 80] [--spawn-rate 1] [--web-workers 4] [--threads 2]
# Creates and migrates its own database (docflow_load), seeds 300 agencies (bench/load/seed.py),
# starts gunicorn (production settings, several processes), Celery workers on the production
# queues and beat, runs Locust headless (bench/load/locustfile.py), samples the workers' backlog
# every 5 s, prints requests/s, p50/p95/p99 and errors per endpoint and the backlog table, stops
# everything it started and exits non-zero on any failed request or a backlog over a minute.
# Not part of `make test`. Environment: LOAD_DATABASE_URL, LOAD_REDIS_URL, LOAD_PORT, PYTHON.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=120 USERS=80 SPAWN=1 WEB_WORKERS=4 THREADS=2
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --users) USERS="$2"; shift 2 ;;
    --spawn-rate) SPAWN="$2"; shift 2 ;;
    --web-workers) WEB_WORKERS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    *) echo "loadtest: unknown argument $1" >&2; exit 2 ;;
  esac
done

PY="${PYTHON:-.venv/bin/python}"
BIN="$(dirname "$PY")"
PORT="${LOAD_PORT:-8123}"
DB_URL="${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/docflow_load}"
DB_NAME="${DB_URL##*/}"
export DOCFLOW_ENV=production
export DATABASE_URL="$DB_URL"
export CELERY_BROKER_URL="${LOAD_REDIS_URL:-redis://127.0.0.1:6379/5}"
export DOCFLOW_DATA_DIR="${DOCFLOW_DATA_DIR:-${TMPDIR:-/tmp}/docflow-load}"
export SECRET_KEY="${SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')}"
export ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL="${LOG_LEVEL:-warning}"
export DOCFLOW_REVOCATION_FETCH=off DOCFLOW_SECOND_FACTOR_DEFAULT=off
mkdir -p "$DOCFLOW_DATA_DIR"
RUN="$(mktemp -d)"
PIDS=()

stop_all() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_all EXIT
trap 'exit 130' INT TERM

scripts/services.sh
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1 \
  || createdb -h 127.0.0.1 -U postgres "$DB_NAME"
echo "== migrate $DB_NAME"
"$PY" manage.py migrate --noinput -v0

echo "== workers (a pool for notify, one for default, delivery and pdf; prefork) and beat on $CELERY_BROKER_URL"
"$BIN/celery" -A workers.celery worker -Q notify --pool=prefork --concurrency=4 \
  -n "load-notify@%h" -l warning >"$RUN/worker-notify.log" 2>&1 &
PIDS+=($!)
"$BIN/celery" -A workers.celery worker -Q default,delivery,pdf --pool=prefork --concurrency=2 \
  -n "load-work@%h" -l warning >"$RUN/worker.log" 2>&1 &
PIDS+=($!)
"$BIN/celery" -A workers.celery beat -s "$RUN/beat-schedule" -l warning >"$RUN/beat.log" 2>&1 &
PIDS+=($!)

echo "== seed"
"$PY" bench/load/seed.py --out "$DOCFLOW_DATA_DIR/seed.json"

# Keep-alive longer than any client's pause (the exchange clients wait 2–3 s): with gunicorn's
# default of 2 s a client reused a connection the server was closing, and its POST failed
# with "connection closed" (behind a proxy the proxy holds the clients' connections).
echo "== gunicorn on 127.0.0.1:$PORT ($WEB_WORKERS processes × $THREADS threads)"
"$BIN/gunicorn" docflow.wsgi -b "127.0.0.1:$PORT" -w "$WEB_WORKERS" --threads "$THREADS" \
  --max-requests 0 --timeout 60 --keep-alive 10 --log-level warning >"$RUN/gunicorn.log" 2>&1 &
GUNICORN=$!
PIDS+=($GUNICORN)
for _ in $(seq 1 60); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$PORT/api/v1/me/" || true)
  [ "$code" = 401 ] || [ "$code" = 403 ] && break
  sleep 1
done

echo "== waiting (at most 3 minutes) for the work already queued to be done by the workers"
until_waited=$((SECONDS + 180))
while [ "$SECONDS" -lt "$until_waited" ]; do
  left=$("$PY" -c 'from bench.datagen import django_setup; django_setup()
from docflow.outbox.models import OutboxTask; print(OutboxTask.objects.filter(done_at__isnull=True).count())')
  [ "$left" -lt 10 ] && break
  sleep 3
done

"$PY" bench/load/report.py sample --out "$RUN/backlog.csv" --interval 5 &
SAMPLER=$!
PIDS+=($SAMPLER)

RAMP=$(( (USERS + 5 + SPAWN - 1) / SPAWN ))  # Locust resets its figures when every user is started
echo "== locust: $USERS users (+ the issuer and the exchange clients), ramp ${RAMP} s, then ${DURATION} s measured"
# CPU seconds (user + system) of the web processes, which live through the run.
cpu_seconds() {
  local ticks=0
  for pid in $(pgrep -P "$GUNICORN"); do
    ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$ticks $(getconf CLK_TCK)" | awk '{printf "%.1f", $1 / $2}'
}
# This database's PostgreSQL backends come and go (a connection lives 60 s): every second, each
# one's CPU ticks so far ("<time> <pid> <ticks>"); db_cpu_seconds T0 T1 sums what each used in
# between (a backend born after T0 from nothing).
"$PY" - "$DB_NAME" >"$RUN/db-ticks" 2>/dev/null <<'SAMPLE' &
import os, sys, time
name = f" {sys.argv[1]} ".encode()
while True:
    now = time.time()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                title = f.read()
            if not title.startswith(b"postgres: ") or name not in title:
                continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            print(f"{now:.1f} {pid} {int(fields[11]) + int(fields[12])}", flush=True)
        except OSError:
            pass
    time.sleep(1)
SAMPLE
PIDS+=($!)
db_cpu_seconds() {
  awk -v t0="$1" -v t1="$2" -v hz="$(getconf CLK_TCK)" '
    $1 <= t0 { start[$2] = $3 }
    $1 <= t1 { last[$2] = $3 }
    END { for (p in last) sum += last[p] - start[p]; printf "%.1f", sum / hz }' "$RUN/db-ticks"
}
set +e
"$BIN/locust" -f bench/load/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
  --users "$((USERS + 5))" --spawn-rate "$SPAWN" --run-time "$((DURATION + RAMP))s" --reset-stats \
  --load-seed "$DOCFLOW_DATA_DIR/seed.json" --csv "$RUN/locust" --only-summary --loglevel WARNING \
  >"$RUN/locust.log" 2>&1 &
LOCUST=$!
PIDS+=($LOCUST)
sleep "$RAMP"
WEB0=$(cpu_seconds) T0=$(date +%s)
wait "$LOCUST"
WEB1=$(cpu_seconds) T1=$(date +%s)
set -e
# A minute more of sampling: the backlog the run left must drain.
sleep "${LOAD_DRAIN_SECONDS:-30}"
kill -TERM "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true

set +e
"$PY" bench/load/report.py summary --locust-csv "$RUN/locust" --backlog "$RUN/backlog.csv" --seconds "$((T1 - T0))" \
  --cpu "web=$(awk "BEGIN {print $WEB1 - $WEB0}")" --cpu "db=$(db_cpu_seconds "$T0" "$T1")"
status=$?
set -e
if grep -qE "Traceback|ERROR" "$RUN/gunicorn.log" "$RUN"/worker*.log; then
  echo "server or worker errors (first lines):"
  grep -hE -A3 "Traceback|ERROR" "$RUN/gunicorn.log" "$RUN"/worker*.log | head -40
  status=1
fi
echo "logs: $RUN"
exit $status
