"""Tiller's settings: one module, every deployment value read from the environment.

Two modes, chosen by ``TILLER_ENV``:

* ``local`` (the default): a laptop or the demo. SQLite beside the project, console
  e-mail, loopback hosts only, plain HTTP; a fixed development key is used when
  ``SECRET_KEY`` is unset, which is safe only because nothing but loopback is served.
* ``production``: ``SECRET_KEY`` and ``ALLOWED_HOSTS`` are required (a missing one stops
  start-up), and the HTTPS, cookie and HSTS settings are on, so ``check --deploy`` is
  clean.

Environment variables are read here and nowhere else.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or default


TILLER_ENV = os.environ.get("TILLER_ENV", "local").strip().lower()
if TILLER_ENV not in {"local", "production"}:
    raise ImproperlyConfigured(f"TILLER_ENV must be 'local' or 'production', not {TILLER_ENV!r}")
PRODUCTION = TILLER_ENV == "production"

DEBUG = _env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when TILLER_ENV=production")
    SECRET_KEY = "tiller-local-development-key-never-serve-this-beyond-loopback"

ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when TILLER_ENV=production")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "dashboard.core",
    "dashboard.gerrit",
    "dashboard.governance",
    "dashboard.reviews",
    "dashboard.health",
    "dashboard.reports",
    "dashboard.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

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
                "dashboard.core.context_processors.navigation",
            ],
        },
    },
]

# SQLite file beside the project unless DATABASE_URL says otherwise; postgres:// URLs use
# psycopg 3 (the only PostgreSQL driver installed). Persistent connections, not psycopg's
# pool: a gunicorn thread holds one connection through each request anyway, and a pool could
# not share connections across processes; so PostgreSQL sees at most gunicorn workers x
# threads plus about two per task worker (README, "Scaling out on one PostgreSQL").
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, task worker, sync command) share one file: WAL lets readers
    # proceed during a sync, and the timeout makes writers queue instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves what `manage.py collectstatic` gathered here; locally nothing is gathered.
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Locally WhiteNoise serves straight from the app and project static folders, so the demo
# needs neither collectstatic nor a web server of its own.
WHITENOISE_USE_FINDERS = not PRODUCTION

# HTTPS everywhere in production; locally the site is plain HTTP on loopback.
SECURE_SSL_REDIRECT = PRODUCTION and _env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_HSTS_SECONDS = 31_536_000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# E-mail: Django 6.1 mailers. SMTP when SMTP_HOST is set, the console otherwise (the demo).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tiller@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where Tiller is served, for absolute links in emails (a mailed permalink must work
# outside the browser session that sent it). No trailing slash.
TILLER_BASE_URL = os.environ.get("TILLER_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
if os.environ.get("SMTP_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["SMTP_HOST"],
                "port": int(os.environ.get("SMTP_PORT", "0")) or None,
                "username": os.environ.get("SMTP_USER", ""),
                "password": os.environ.get("SMTP_PASSWORD", ""),
                "use_tls": _env_bool("SMTP_USE_TLS", True),
                "timeout": 30,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Background work: django-tasks-db, run by `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Tasks queued with ``team_id`` after each successful sync of a team (by the worker, "Sync
# now" or ``sync_gerrit``): how apps above the gerrit app keep derived figures current
# without the gerrit app importing them.
AFTER_SYNC_TASKS = ["dashboard.health.tasks.take_backlog_snapshot_task"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "dashboard": {"level": os.environ.get("LOG_LEVEL", "INFO"), "propagate": True},
    },
}

# Gerrit access. Passwords are never stored in the database: a team names the environment
# variable that holds its HTTP password (see gerrit.models.GerritServer.password_env).
GERRIT_TIMEOUT = float(os.environ.get("GERRIT_TIMEOUT", "30"))
GERRIT_PAGE_SIZE = int(os.environ.get("GERRIT_PAGE_SIZE", "250"))
