#!/usr/bin/env bash
# Runs a command and starts it again whenever it exits, until this script is stopped (TERM/INT/HUP), so a
# killed or crashed background worker comes back within a second while the web server keeps serving.
#   scripts/supervise.sh NAME COMMAND [ARGS...]
# SUPERVISE_DELAY: seconds between an exit and the restart (default 1; doubled up to 30 while the command
# keeps dying within 10 s of starting, so a broken worker does not spin).
set -uo pipefail
name="$1"
shift
delay="${SUPERVISE_DELAY:-1}"
wait_s="$delay"
child=""
stop() {
  if [[ -n "$child" ]]; then
    kill -TERM "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  exit 0
}
trap stop TERM INT HUP
while true; do
  started=$SECONDS
  "$@" &
  child=$!
  wait "$child"
  code=$?
  child=""
  if ((SECONDS - started >= 10)); then
    wait_s="$delay"
  fi
  echo "${name}退出（状态 ${code}），${wait_s} 秒后重启。" >&2
  sleep "$wait_s" &
  child=$!
  wait "$child"
  child=""
  wait_s=$(awk -v w="$wait_s" 'BEGIN { w = w * 2; if (w > 30) w = 30; print w }')
done
