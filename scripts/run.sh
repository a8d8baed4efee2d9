#!/usr/bin/env bash
# `make run`: migrate, load the demo once, collect static files, then run the huey consumer in the
# background and the development server in the foreground. Stopping the server (Ctrl-C) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
ADDR="${GONGDAN_RUN_ADDR:-127.0.0.1:8000}"
# Development server: debug pages on (settings default to off).
export GONGDAN_DEBUG="${GONGDAN_DEBUG:-true}"
# Outgoing mail is printed on the console in development.
export GONGDAN_EMAIL_BACKEND="${GONGDAN_EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}"
# Links in mail (sign-in links, confirmations, notices) point at the address this server runs on.
export GONGDAN_SITE_URL="${GONGDAN_SITE_URL:-http://${ADDR}}"

"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py load_demo
"$PY" manage.py collectstatic --noinput -v 0
# The sweeps a freshly loaded demo is due (and the mail they send) run now, before the banner.
"$PY" manage.py catch_up

pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PY" manage.py run_huey --quiet &
pids+=("$!")

cat <<BANNER

================================================================================
 Gongdan 工单 — http://${ADDR}/
   Admin 管理后台      http://${ADDR}/admin/
   API docs 接口文档   http://${ADDR}/api/v1/docs
   Health 健康检查     http://${ADDR}/healthz
 Demo logins 演示账号:
$("$PY" manage.py load_demo --logins)
 Background worker (huey) is running; outgoing mail is printed here. Ctrl-C stops everything.
================================================================================

BANNER

"$PY" manage.py runserver "$ADDR" &
pids+=("$!")
wait "${pids[1]}"
