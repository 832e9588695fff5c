"""Settings for the disclosure portal, configured by environment variables.

Defaults give the embedded demo (SQLite under var/, DEBUG off unless DJANGO_DEBUG=1);
production sets DATABASE_URL (PostgreSQL), SECRET_KEY and ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


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
    "disclosure",
    "applications",
    "plans",
    "reports",
    "exchange",
    "search",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # /zh-hant/ prefix → Traditional script; see portal/public_urls.py and portal/middleware.py.
    "portal.middleware.TraditionalScriptMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portal"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_flag("SECURE_COOKIES", not DEBUG and env_flag("HTTPS"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Domain settings
DISCLOSURE_DEFAULT_PROCEDURE = "部门编制,经办公室审核后公开"
DISCLOSURE_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("DISCLOSURE_ATTACHMENT_MAX_BYTES", str(50 * 1024 * 1024))
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # The start-up line naming the OpenCC backend (portal/apps.py).
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
# Which genres count as 规章 and 行政规范性文件 in table two of the annual report.
ANNUAL_REPORT_RULE_GENRES = ["规章"]
ANNUAL_REPORT_NORMATIVE_GENRES = ["行政规范性文件", "规范性文件"]
# Days of January on which the Article 49 reminder (publish by 31 January) is sent.
ANNUAL_REPORT_REMINDER_DAYS = (2, 15, 25, 29)
# Largest file a legacy import accepts (bytes); the command's --max-bytes 0 lifts it.
DISCLOSURE_IMPORT_MAX_BYTES = int(
    os.environ.get("DISCLOSURE_IMPORT_MAX_BYTES", str(20 * 1024 * 1024))
)
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
