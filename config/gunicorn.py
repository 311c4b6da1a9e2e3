"""gunicorn settings shared by the image and the benchmarks (`gunicorn -c config/gunicorn.py`)."""

import os

from gunicorn.http import wsgi

bind = f"{os.environ.get('BIND_HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
# 2 x cores + 1 workers keep both cores busy while some wait on PostgreSQL.
workers = int(os.environ.get("WEB_WORKERS", (os.cpu_count() or 1) * 2 + 1))
# Threaded workers: a client sending its body slowly holds one thread, not a
# whole worker, so a few slow clients do not starve /healthz (docs/security.md).
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "20"))
# A recycled worker imports the whole app again, so frequent recycling takes
# a busy pool's CPU (bench/results/history.md). Memory stays flat without it
# (MALLOC_MMAP_THRESHOLD_, docker/entrypoint.sh): this only bounds a leak.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn's own scheme detection believes the same proxies as Django does.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES") or "127.0.0.1"


def on_starting(server):
    # Metrics files of a previous run would be summed into this one's.
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            os.remove(os.path.join(directory, name))


def child_exit(server, worker):
    # Without this a dead worker's live gauges would be reported forever.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def _without_server_header(default_headers):
    def headers(response):
        return [h for h in default_headers(response) if not h.startswith("Server:")]

    return headers


# gunicorn has no setting for it; tests/deploy/test_gunicorn.py fails if this
# stops working. The product and version are nobody's business.
wsgi.Response.default_headers = _without_server_header(wsgi.Response.default_headers)
