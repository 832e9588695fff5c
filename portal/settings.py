"""Settings for the disclosure portal, configured by environment variables.

Defaults give the embedded demo (SQLite under var/, DEBUG off unless DJANGO_DEBUG=1);
production sets DATABASE_URL (PostgreSQL), SECRET_KEY and ALLOWED_HOSTS.
"""

import datetime
import os
import warnings
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
# templates/, static/ and fixtures/: at the top of a checkout, or inside an installed wheel at
# portal/bundled/ (setup.py copies them there).
_BUNDLED = Path(__file__).resolve().parent / "bundled"
INSTALLED_FROM_WHEEL = _BUNDLED.is_dir()
PROJECT_FILES_DIR = _BUNDLED if INSTALLED_FROM_WHEEL else BASE_DIR
# The data directory (SQLite database, attachments, exports): var/ in a checkout; an installed
# portal never writes into site-packages, so there it is ./var of the working directory unless
# PORTAL_VAR_DIR says where.
VAR_DIR = Path(
    os.environ.get("PORTAL_VAR_DIR")
    or (Path.cwd() / "var" if INSTALLED_FROM_WHEEL else BASE_DIR / "var")
).resolve()


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_flag("PORTAL_INSECURE_DEMO"):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY, or PORTAL_INSECURE_DEMO=1 for a local demo."
        )
    SECRET_KEY = "insecure-demo-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "simple_history",
    # The admin's 正文 editor (its static files; disclosure/admin/record_forms.py).
    "django_prose_editor",
    # The API docs (/api/docs) from django-ninja's own static Swagger UI, not from a CDN with an
    # inline script (which the Content-Security-Policy would block).
    "ninja",
    # Staff sign-in: two-factor (django-otp TOTP + recovery codes) and lockout (django-axes).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "accounts",
    "disclosure",
    "applications",
    "plans",
    "reports",
    "exchange",
    "search",
    "portal",
]

MIDDLEWARE = [
    # Outermost: anonymous readers' pages from the cache, before everything else runs. A stored
    # page keeps the security and CSP headers the middleware below set on it; a hit gets its
    # request id but no line in the application's log (nginx logs every request with that id,
    # deploy/nginx/portal.conf): the log line cost a third of a hit (portal/page_cache.py).
    "portal.page_cache.PageCacheMiddleware",
    # The request id and the one-line request log (portal/request_log.py).
    "portal.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files with DEBUG off (the demo, a pip-installed portal); nginx may still serve
    # STATIC_ROOT in front of it.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # /zh-hant/ prefix → Traditional script; see portal/public_urls.py and portal/middleware.py.
    "portal.middleware.TraditionalScriptMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A full disk while saving an upload: 503 with a clear message (portal/full_disk.py).
    "portal.full_disk.FullDiskMiddleware",
    # Last, as django-axes requires: turns a refused (locked-out) login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_FILES_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers proceed while a writer commits; IMMEDIATE takes the write lock at BEGIN
    # so two writers queue instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # A persistent connection the server closed (restart, failover, pg_terminate_backend) is
    # found dead at the start of the next request and replaced, instead of failing it.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# A read replica for the public pages (portal/db_router.py, docs/scaling.md): anonymous reads go
# there, everything else (staff, sessions, writes, commands) to the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["portal.db_router.ReplicaRouter"]
    MIDDLEWARE.insert(1, "portal.db_router.ReplicaReadsMiddleware")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [PROJECT_FILES_DIR / "fixtures"]

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis down: pages are served uncached, the request form refuses (portal/cache.py).
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portal"),
            # A Redis that hangs must not hang the page: give up after a second.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    # One process (the demo's runserver): local memory. Several processes without Redis would
    # each keep their own pages and generations: set PAGE_CACHE_ENABLED=0 then (docs/scaling.md).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# The public page cache (portal/page_cache.py): how long the app keeps a page (it is replaced
# at once on every change), and the max-age nginx or a CDN may keep it (not replaced there).
PAGE_CACHE_ENABLED = env_flag("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
PAGE_CACHE_MAX_AGE = int(os.environ.get("PAGE_CACHE_MAX_AGE", "60"))
# After a publication, listing pages other than home may lag it by this many seconds (never
# after a withdrawal or an edit): each is rendered at most once per this while publications go
# on (portal/page_cache.py).
PAGE_CACHE_ADDITION_LAG = float(os.environ.get("PAGE_CACHE_ADDITION_LAG", "1"))
# How many listing pages that have an earlier page to serve may be rendered at once, over every
# worker that shares the cache (0: no limit); the other workers answer hits meanwhile. Default:
# half this server's gunicorn workers (WEB_CONCURRENCY); several servers sharing one Redis set
# it to half of all their workers (docs/scaling.md).
PAGE_CACHE_RENDER_SLOTS = int(
    os.environ.get(
        "PAGE_CACHE_RENDER_SLOTS", str(max(1, int(os.environ.get("WEB_CONCURRENCY", "4")) // 2))
    )
)

# Each worker keeps the pages it served from Redis for this many seconds and serves them again
# without asking Redis, dropped at once by any change (pub/sub; portal/page_cache_local.py).
# 0: every hit asks Redis.
PAGE_CACHE_LOCAL_SECONDS = float(os.environ.get("PAGE_CACHE_LOCAL_SECONDS", "1"))

# Staff sign-in (accounts/, README "Staff sign-in"). Two factors are required of superusers and
# the roles in PORTAL_STAFF_2FA_GROUPS ("*": all staff); PORTAL_STAFF_2FA=0 turns the requirement
# off for the demo and black-box checks, and `check --deploy` refuses it.
STAFF_2FA_REQUIRED = env_flag("PORTAL_STAFF_2FA", True)
STAFF_2FA_GROUPS = [
    g.strip() for g in os.environ.get("PORTAL_STAFF_2FA_GROUPS", "发布").split(",") if g.strip()
]
OTP_TOTP_ISSUER = "政府信息公开平台"
# Login failures: LOGIN_FAILURE_LIMIT failed passwords lock for LOGIN_LOCKOUT_MINUTES, counted
# per account and per client address separately ("username,ip_address"), or per pair of both
# ("username+ip_address": an attacker elsewhere cannot lock a real user out, but one address may
# then try LIMIT passwords per account). Unlock: admin 访问尝试 or `manage.py axes_reset_username`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "30")))
_LOCKOUT_BY = os.environ.get("LOGIN_LOCKOUT_BY", "username,ip_address").replace(" ", "")
AXES_LOCKOUT_PARAMETERS = [p.split("+") if "+" in p else p for p in _LOCKOUT_BY.split(",") if p]
# Proxies in front of the application (deploy/'s nginx: 127.0.0.1,::1) whose X-Forwarded-For
# names the real client; empty: the peer address is the client (disclosure/http.py).
TRUSTED_PROXIES = frozenset(
    p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()
)
# The public form's rate limits count by the same address.
RATELIMIT_IP_META_KEY = "disclosure.http.client_ip"
# The client address by the project's one rule (disclosure/http.py).
AXES_CLIENT_IP_CALLABLE = "disclosure.http.client_ip"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
# Successful logins are already in the hash-chained audit log: no second copy with user agents.
AXES_DISABLE_ACCESS_LOG = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# zh-hant: Taiwan-standard forms (OpenCC s2tw); zh-hk: Hong Kong forms (s2hk). Django knows no
# zh-hk catalogue of its own, so portal/locale/zh_HK holds an empty one (else /zh-hk/ would fall
# back to zh-hant).
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文(台灣)"), ("zh-hk", "繁體中文(香港)")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PROJECT_FILES_DIR / "static"]
# WhiteNoise serves the files where they are (no collectstatic needed for the demo or a wheel);
# STATIC_ROOT exists only after collectstatic, which is not an error worth a start-up warning.
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES: dict[str, dict[str, Any]] = {
    # Removes the part of an upload written before the disk filled up (portal/full_disk.py).
    "default": {"BACKEND": "portal.full_disk.CleaningFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# More than one web server: uploads (attachments, applicants' files) in an S3-compatible bucket
# (pip install '.[s3]'), private objects; a download that passed the app's checks is sent there
# by a signed URL valid for S3_URL_SECONDS (disclosure/files.py). Unset: MEDIA_ROOT on disk.
S3_BUCKET = os.environ.get("S3_BUCKET", "")
S3_URL_SECONDS = int(os.environ.get("S3_URL_SECONDS", "60"))
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("S3_PREFIX", "media"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": S3_URL_SECONDS,
            "file_overwrite": False,
        },
    }

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_flag("SECURE_COOKIES", not DEBUG and env_flag("HTTPS"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Served over HTTPS (HTTPS=1): secure cookies (above), HTTP redirected to HTTPS and HSTS for a
# year including subdomains; each can be set on its own. Behind a proxy that terminates TLS, set
# SECURE_PROXY_SSL_HEADER to the header it sets (X-Forwarded-Proto: https) — and make the proxy
# overwrite that header from clients, or anybody could claim HTTPS.
_HTTPS = not DEBUG and env_flag("HTTPS")
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", _HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if _HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", _HTTPS)
SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", _HTTPS)
if os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip():
    _PROXY_HEADER = os.environ["SECURE_PROXY_SSL_HEADER"].strip().upper().replace("-", "_")
    SECURE_PROXY_SSL_HEADER = (f"HTTP_{_PROXY_HEADER}", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (django-csp): no inline script or style anywhere, public site or admin
# (templates keep it so: tests/portal/test_templates.py); data: images for the API docs' CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # NONCE: only pages that ask for request.csp_nonce get one (the admin's record form,
        # for the editor's import map); every other page keeps the plain 'self' policy.
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The health endpoints a load balancer probes over plain HTTP are never redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz)$"]
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Domain settings
DISCLOSURE_DEFAULT_PROCEDURE = "部门编制,经办公室审核后公开"
DISCLOSURE_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("DISCLOSURE_ATTACHMENT_MAX_BYTES", str(50 * 1024 * 1024))
)

# Logs go to stderr (journald under systemd): one line per record, JSON lines with
# LOG_FORMAT=json, each with the request id, path, view, record id and user id, never personal
# data (portal/request_log.py). TRUST_PROXY_REQUEST_ID: take nginx's X-Request-ID.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
TRUST_PROXY_REQUEST_ID = env_flag("TRUST_PROXY_REQUEST_ID")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "portal.request_log.RequestContextFilter"}},
    "formatters": {
        "portal": {"()": "portal.request_log.LogFormatter", "as_json": LOG_FORMAT == "json"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context"],
            "formatter": "portal",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # The request log and the start-up line naming the OpenCC backend (portal/apps.py).
    "loggers": {"portal": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# 依申请公开: personal data of closed requests is anonymized after this many days (PIPL Art. 19).
REQUEST_RETENTION_DAYS = int(os.environ.get("REQUEST_RETENTION_DAYS", str(3 * 365)))
REQUEST_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("REQUEST_ATTACHMENT_MAX_BYTES", str(5 * 1024 * 1024))
)
# Per-IP limits of the public request form and status lookup (django-ratelimit, via the cache).
REQUEST_SUBMIT_RATE = os.environ.get("REQUEST_SUBMIT_RATE", "5/h")
REQUEST_LOOKUP_RATE = os.environ.get("REQUEST_LOOKUP_RATE", "10/h")
# Days of January on which the Article 49 reminder (publish by 31 January) is sent.
ANNUAL_REPORT_REMINDER_DAYS = (2, 15, 25, 29)
# Largest file a legacy import accepts (bytes); the command's --max-bytes 0 lifts it.
DISCLOSURE_IMPORT_MAX_BYTES = int(
    os.environ.get("DISCLOSURE_IMPORT_MAX_BYTES", str(20 * 1024 * 1024))
)
# Further bounds of an import (an uploaded file is untrusted): data rows, columns, characters in
# one cell, and seconds of reading before it is refused (under gunicorn's 30 s worker timeout).
# The command's --max-rows 0 / --max-seconds 0 lift the row and time bounds.
DISCLOSURE_IMPORT_MAX_ROWS = int(os.environ.get("DISCLOSURE_IMPORT_MAX_ROWS", "200000"))
DISCLOSURE_IMPORT_MAX_COLUMNS = int(os.environ.get("DISCLOSURE_IMPORT_MAX_COLUMNS", "200"))
DISCLOSURE_IMPORT_MAX_CELL_CHARS = int(
    os.environ.get("DISCLOSURE_IMPORT_MAX_CELL_CHARS", "1000000")
)
DISCLOSURE_IMPORT_MAX_SECONDS = int(os.environ.get("DISCLOSURE_IMPORT_MAX_SECONDS", "25"))
# Background exports of the admin 数据导入导出 page (exchange/export_jobs.py). The files hold
# drafts and the audit log: they are kept outside MEDIA_ROOT and STATIC_ROOT and reach a browser
# only through the requester's download view in the admin.
EXPORT_ROOT = Path(os.environ.get("EXPORT_ROOT", VAR_DIR / "exports"))
# Exports larger than this many rows are generated in the background instead of streamed.
EXPORT_STREAM_MAX_ROWS = int(os.environ.get("EXPORT_STREAM_MAX_ROWS", "50000"))
# True: the web process runs each job in a thread once it is requested. False: a worker runs
# `python manage.py run_export_jobs --loop` (or the command from cron).
EXPORT_JOBS_IN_PROCESS = env_flag("EXPORT_JOBS_IN_PROCESS", True)
# Finished export files are deleted after this many days (run_due_tasks, run_export_jobs).
EXPORT_RETENTION_DAYS = int(os.environ.get("EXPORT_RETENTION_DAYS", "7"))
# Key of the audit log's hash chain (HMAC-SHA256, disclosure/audit.py). Keep it outside the
# database; empty: derived from SECRET_KEY (then rotating SECRET_KEY breaks verification).
AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY", "")
