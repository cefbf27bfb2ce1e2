"""gunicorn settings for examapp (docs/deploy.md). Every value can be overridden from the environment so the
same file serves one small host and a scaled-out one.

    gunicorn -c deploy/gunicorn.conf.py wsgi:app
"""
import multiprocessing
import os

bind = os.environ.get("EXAMAPP_BIND", "127.0.0.1:8000")
# Exam day is many short requests (autosave): a few processes with threads each; the default suits 2 cores.
workers = int(os.environ.get("EXAMAPP_WORKERS", max(2, multiprocessing.cpu_count() + 1)))
worker_class = "gthread"
threads = int(os.environ.get("EXAMAPP_THREADS", "4"))
timeout = int(os.environ.get("EXAMAPP_TIMEOUT", "120"))        # exports and imports stream; nothing else is slow
graceful_timeout = 30                                           # in-flight submits finish on a restart (F3)
keepalive = 5
max_requests = 5000                                             # recycle workers now and then
max_requests_jitter = 500
preload_app = False                                             # each worker opens its own database pool
forwarded_allow_ips = os.environ.get("EXAMAPP_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("EXAMAPP_ACCESS_LOG", "-")
errorlog = os.environ.get("EXAMAPP_ERROR_LOG", "-")
loglevel = os.environ.get("EXAMAPP_LOG_LEVEL", "info")
proc_name = "examapp"
