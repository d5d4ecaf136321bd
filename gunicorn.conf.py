"""gunicorn settings for `make serve`; each can be overridden by gunicorn's own environment
variable or command-line flag (GUNICORN_CMD_ARGS)."""

import multiprocessing
import os

wsgi_app = "newsroom.wsgi:application"
bind = os.environ.get("NEWSROOM_BIND", "127.0.0.1:8000")
# The usual rule for sync workers: two per core, plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Access log to stdout; NEWSROOM_ACCESS_LOG="" switches it off (benchmarks do).
accesslog = os.environ.get("NEWSROOM_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
timeout = 30
graceful_timeout = 20
# Recycle workers now and then so a slow leak can never take a server down.
max_requests = 5000
max_requests_jitter = 500
