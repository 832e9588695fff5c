"""gunicorn settings of deploy/systemd/portal-web.service, from the environment file.

Sync workers: the application is plain Django with the database as its bottleneck; nginx in
front buffers slow clients, so a worker is busy only while Django works.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# 2 per core is a good start on a database-bound site; each holds one database connection.
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# As nginx's proxy_read_timeout: a 20 MB admin import is validated within the request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# A worker is replaced after this many requests, which bounds slow memory growth. Served from
# the page cache a worker answers about a thousand requests a second, and a new worker costs
# about a second of CPU (Django, OpenCC's dictionaries): 2,000 would restart each every few
# seconds under a crowd.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10
# Only nginx on this host may say the request came over HTTPS; only X-Forwarded-Proto counts
# (nginx drops the other scheme headers a client might send).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
# The application logs every request with its id (portal/request_log.py): no second access log.
accesslog = None
errorlog = "-"
proc_name = "portal"
