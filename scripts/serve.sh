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
.venv/bin/gunicorn zhiben.wsgi:application --bind "127.0.0.1:${PORT}" --workers 2 --threads 4 --keep-alive 75 --preload \
  --access-logfile - --log-level warning &
WEB=$!
# --quiet: the periodic outbox sweep runs every minute; its routine lines would drown the web log.
bash scripts/supervise.sh "后台任务进程" $PY manage.py run_huey --workers 2 --worker-type thread --quiet &
WORKER=$!
# 监测预警: the MQTT consumer when a broker answers (ZHIBEN_MQTT_URL, else 127.0.0.1:1883), kept alive like the
# worker; with it the sensor simulator, so the demo's devices keep reporting (ZHIBEN_SIMULATE_SENSORS=0: off).
EXTRA=""
if BROKER=$($PY -m zhiben.monitoring.mqtt); then
  echo "监测数据接入：MQTT 服务器 ${BROKER} 已应答，启动接入进程。"
  bash scripts/supervise.sh "监测数据接入" $PY manage.py monitoring_consume &
  EXTRA="$EXTRA $!"
  if [[ "${ZHIBEN_SIMULATE_SENSORS:-1}" != "0" ]]; then
    echo "监测演示：启动模拟设备（ZHIBEN_SIMULATE_SENSORS=0 可关闭）。"
    bash scripts/supervise.sh "模拟监测设备" $PY manage.py simulate_sensors &
    EXTRA="$EXTRA $!"
  fi
else
  echo "监测数据接入：MQTT 服务器 ${BROKER} 无应答，未启动接入进程（设备不会被判定离线：无任何上报时离线检测暂停）。"
fi
trap 'kill $WEB $WORKER $EXTRA 2>/dev/null; wait $WEB $WORKER $EXTRA 2>/dev/null; echo "已停止。"' INT TERM EXIT
wait -n $WEB $WORKER
