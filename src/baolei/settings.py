"""Django settings for Baolei, read from the environment.

Production is the default: DEBUG is off unless BAOLEI_DEBUG=1, cookies are marked secure
behind TLS, and the security headers are on. The embedded SQLite database needs no
configuration; set DATABASE_URL=postgres://... for PostgreSQL.
"""

import os
import secrets
from pathlib import Path

import dj_database_url


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def envstr(name: str, default: str) -> str:
    return os.environ.get(name) or default


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def envweights(name: str, default: dict[str, float]) -> dict[str, float]:
    """`default` with the weights given as "key=number,key=number" in the environment."""
    weights = dict(default)
    for item in envlist(name, []):
        key, _sep, value = item.partition("=")
        weights[key.strip()] = float(value)
    return weights


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(envstr("BAOLEI_DATA_DIR", str(Path.cwd() / "var"))).resolve()


def _secret_key() -> str:
    """A key from the environment, else one generated once and kept in the data directory.

    Keeping it on disk means the demo survives restarts without anyone choosing a key,
    while production deployments set SECRET_KEY explicitly.
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


DEBUG = envbool("BAOLEI_DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Before django_tasks_db: its `db_worker` command is Baolei's, which outlives a
    # locked database (the first app that has a command's name wins).
    "baolei.imports",
    "django_tasks",
    "django_tasks_db",
    "baolei.regions",
    "baolei.accounts",
    "baolei.audit",
    "baolei.registry",
    "baolei.organisation",
    "baolei.cadres",
    "baolei.talent",
    "baolei.dashboard",
    "baolei.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "baolei.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "baolei.accounts.middleware.ScopeMiddleware",
    "baolei.audit.middleware.AuditContextMiddleware",
    # Last: the view of a request that may write runs in one transaction (see below).
    "baolei.transactions.WriteRequestTransactionMiddleware",
]

ROOT_URLCONF = "baolei.urls"
WSGI_APPLICATION = "baolei.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "baolei.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{DATA_DIR / 'baolei.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
    )
}
# Not ATOMIC_REQUESTS: WriteRequestTransactionMiddleware runs the views of POST, PUT,
# PATCH and DELETE in one transaction, and reads without one, so that on SQLite a read
# never takes (nor waits for) the write lock.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the web server read while the worker writes; IMMEDIATE avoids
    # "database is locked" upgrades from read to write locks in the transactions that
    # write (reads run outside transactions; imports check the register DEFERRED).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Counts failed logins and refuses locked account names on every login page (admin too).
AUTHENTICATION_BACKENDS = ["baolei.accounts.backends.LockoutBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock an account name out after this many failed logins in a row, for this long.
LOGIN_MAX_FAILURES = envint("BAOLEI_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = envint("BAOLEI_LOGIN_LOCKOUT_MINUTES", 15)

SESSION_COOKIE_AGE = envint("BAOLEI_SESSION_SECONDS", 8 * 3600)
SESSION_SAVE_EVERY_REQUEST = True  # the session expires after inactivity, not mid-work
# Database sessions whose mere refresh is written at most once a minute and never waited
# for (baolei/accounts/sessions.py).
SESSION_ENGINE = "baolei.accounts.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# An import job silent for this long was left by a worker that died: marked failed.
BAOLEI_IMPORT_STALE_SECONDS = envint("BAOLEI_IMPORT_STALE_SECONDS", 600)
# What one uploaded file may be: its size, the rows (header included) and columns of the
# sheet read, and how far a part of a workbook may expand (uncompressed / compressed size).
# A file beyond any of them is refused with its reason before it is read whole.
BAOLEI_IMPORT_MAX_UPLOAD_MB = envint("BAOLEI_IMPORT_MAX_UPLOAD_MB", 200)
BAOLEI_IMPORT_MAX_ROWS = envint("BAOLEI_IMPORT_MAX_ROWS", 500_000)
BAOLEI_IMPORT_MAX_COLUMNS = envint("BAOLEI_IMPORT_MAX_COLUMNS", 200)
BAOLEI_IMPORT_MAX_RATIO = envint("BAOLEI_IMPORT_MAX_RATIO", 200)
# The effectiveness view's organisational strength score: each input's weight (the inputs
# are defined in dashboard.services.effectiveness.INPUTS and shown on the page). Override
# some with BAOLEI_EFFECTIVENESS_WEIGHTS="grade=30,talent=0"; the rest keep these.
BAOLEI_EFFECTIVENESS_WEIGHTS = envweights(
    "BAOLEI_EFFECTIVENESS_WEIGHTS",
    {
        "grade": 20,
        "weak_branches": 10,
        "rectification_overdue": 10,
        "first_secretary_coverage": 15,
        "attendance_below_rule": 5,
        "linked_share": 10,
        "committee_young_share": 5,
        "committee_women_share": 5,
        "committee_college_share": 5,
        "studio_coverage": 10,
        "talent": 5,
    },
)

# Security headers on by default; TLS-only cookies unless the site is explicitly served
# over plain HTTP (the local demo at 127.0.0.1:8000).
BEHIND_TLS = envbool("BAOLEI_BEHIND_TLS", not DEBUG and "127.0.0.1" not in ALLOWED_HOSTS)
SESSION_COOKIE_SECURE = BEHIND_TLS
CSRF_COOKIE_SECURE = BEHIND_TLS
SECURE_SSL_REDIRECT = BEHIND_TLS and envbool("BAOLEI_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS else None
SECURE_HSTS_SECONDS = envint("BAOLEI_HSTS_SECONDS", 31536000 if BEHIND_TLS else 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("BAOLEI_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
