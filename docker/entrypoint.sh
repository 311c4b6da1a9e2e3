#!/bin/sh
# The image's processes. Usage: entrypoint.sh web|worker|beat|migrate|healthcheck|manage ARGS
set -eu

role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
  web)
    # Metrics from every gunicorn worker are merged through this directory.
    export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/prometheus}"
    # Blocks of 1 MiB and more are mapped and returned on free: each thread's
    # login hashes 19 MiB (Argon2), which malloc's heap kept, 8 threads per worker.
    export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-1048576}"
    exec gunicorn config.wsgi -c config/gunicorn.py --access-logfile - "$@"
    ;;
  worker)
    # WORKER_QUEUES: one queue (an extracted app) or several, comma-separated;
    # by default the queues of the apps this deployable hosts (SHOP_APPS).
    # Periodic jobs (relay, prune, expiry) run on the queue of the app they serve.
    # Pool size: WORKER_CONCURRENCY (config/settings/base.py; cores + 1).
    # Handlers' metrics: every pool process's, merged and served on
    # WORKER_METRICS_PORT (9100; empty: none) under the web's access rule.
    export WORKER_METRICS_PORT="${WORKER_METRICS_PORT-9100}"
    export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/prometheus-worker}"
    rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    exec celery -A config worker \
      --queues "${WORKER_QUEUES:-${SHOP_APPS:-users,catalog,inventory,orders}}" \
      --hostname "${WORKER_NAME:-worker}@%h" \
      --loglevel "${LOG_LEVEL:-INFO}" \
      "$@"
    ;;
  beat)
    # Exactly one beat may run (its schedule file: CELERY_BEAT_SCHEDULE_FILENAME).
    exec celery -A config beat \
      --loglevel "${LOG_LEVEL:-INFO}" \
      "$@"
    ;;
  migrate)
    exec python manage.py migrate_all "$@"
    ;;
  healthcheck)
    # GET /healthz with a Host that ALLOWED_HOSTS accepts (its first entry).
    exec python - <<'PY'
import os, sys, urllib.request
hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
host = os.environ.get("HEALTHCHECK_HOST") or next(
    (h for h in hosts if h != "*" and not h.startswith(".")), "localhost"
)
request = urllib.request.Request(
    f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz",
    headers={"Host": host, "X-Forwarded-Proto": "https"},
)
with urllib.request.urlopen(request, timeout=4) as response:
    sys.exit(0 if response.status == 200 else 1)
PY
    ;;
  manage)
    exec python manage.py "$@"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
