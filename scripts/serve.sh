#!/usr/bin/env bash
# Starts the web server and the background worker together; Ctrl-C stops both. A worker that dies (crash,
# kill -9, out of memory) is started again by scripts/supervise.sh while the web keeps serving; the runs it
# left behind are ended by the new worker (core/jobs.py). If the web server itself exits, everything stops.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
PY=.venv/bin/python
$PY manage.py demo_logins || true
echo
echo "治本平台：http://127.0.0.1:${PORT}/   （Ctrl-C 停止）"
.venv/bin/gunicorn zhiben.wsgi:application --bind "127.0.0.1:${PORT}" --workers 2 --threads 4 --keep-alive 75 \
  --access-logfile - --log-level warning &
WEB=$!
# --quiet: the periodic outbox sweep runs every minute; its routine lines would drown the web log.
bash scripts/supervise.sh "后台任务进程" $PY manage.py run_huey --workers 2 --worker-type thread --quiet &
WORKER=$!
trap 'kill $WEB $WORKER 2>/dev/null; wait $WEB $WORKER 2>/dev/null; echo "已停止。"' INT TERM EXIT
wait -n $WEB $WORKER
