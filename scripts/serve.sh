#!/usr/bin/env bash
# Starts the web server and the background worker together; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
PY=.venv/bin/python
$PY manage.py demo_logins || true
echo
echo "治本平台：http://127.0.0.1:${PORT}/   （Ctrl-C 停止）"
.venv/bin/gunicorn zhiben.wsgi:application --bind "127.0.0.1:${PORT}" --workers 2 --threads 4 \
  --access-logfile - --log-level warning &
WEB=$!
# --quiet: the periodic outbox sweep runs every minute; its routine lines would drown the web log.
$PY manage.py run_huey --workers 2 --worker-type thread --quiet &
WORKER=$!
trap 'kill $WEB $WORKER 2>/dev/null; wait $WEB $WORKER 2>/dev/null; echo "已停止。"' INT TERM EXIT
wait -n $WEB $WORKER
