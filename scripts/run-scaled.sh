#!/usr/bin/env bash
# The scaled profile (see bot/ops/scaled.py): PostgreSQL, Redis, nginx, 2 Rasa servers and 2 action
# servers, the web app. `make run-scaled` calls this after building the model and the widget.
# Ports come from the environment (FRONT_PORT=8080, RASA_PORTS=5005,5006, ACTION_PORTS=5055,5056,
# ACTIONS_LB_PORT=5050, WEB_PORT=8001, PG_PORT=5433, REDIS_LOCAL_PORT=6380). Ctrl-C or SIGTERM
# stops everything this run started.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh scaled  # a no-op after `make run-scaled`; needed when run alone
export PROFILE=scaled PYTHONPATH="$PWD"
exec .venv/bin/python -m bot serve "$@"
