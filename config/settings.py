"""Settings for Thi Đua Số, read from environment variables.

Every value has a default that runs on a laptop with nothing installed (SQLite, the
in-memory channel layer, the SQL ranking store). Production sets DATABASE_URL,
REDIS_URL, SECRET_KEY, DEBUG=0 and ALLOWED_HOSTS; see README.md.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from units.observability import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean; an unrecognised value is an error, not silently False."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1 or 0)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# `make run`'s demo: DEBUG's local defaults (a development key, loopback hosts, plain
# HTTP, static files without collectstatic, seed_demo allowed) with DEBUG itself off,
# so that a demo visitor gets the platform's own error pages, never Django's debug
# page. The demo accounts share a published password: DEMO serves this machine only.
DEMO = env_bool("DEMO", False)
LOCAL = DEBUG or DEMO

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not LOCAL:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
# Keys the hash people's phone numbers are matched by (units/text.py). Separate from
# SECRET_KEY so that rotating that one does not orphan every stored phone hash.
PERSON_MATCH_KEY = env_str("PERSON_MATCH_KEY") or SECRET_KEY

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", LOOPBACK_HOSTS if LOCAL else [])
if DEMO and not set(ALLOWED_HOSTS) <= set(LOOPBACK_HOSTS):
    raise ImproperlyConfigured(
        "DEMO=1 serves the demo accounts, whose password is published: only on this "
        f"machine (ALLOWED_HOSTS of {', '.join(LOOPBACK_HOSTS)})"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "allauth",
    "allauth.account",
    "csp",
    "treebeard",
    "units",
    "competitions",
    "learning",
    "leaderboards",
    "badges",
    "commendations",
    "campaigns",
    "pages",
    "reports",
]

MIDDLEWARE = [
    # Outermost: every answer gets the request's id, one log line and a count.
    "units.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "units.middleware.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "units.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "units.middleware.PrivateWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "units.middleware.ApiErrorsAsJson",
    # Innermost, so that every middleware above still handles its answer and no
    # view or form reads a body that is over the limit (units/body_limits.py).
    "units.body_limits.RefuseLargeBodies",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
                "competitions.context_processors.notifications",
                "badges.context_processors.link_preview",
                "reports.context_processors.navigation",
            ],
            # {% form_token %} in every form that changes something (units/replay.py).
            # Names, percentages and audit events in words (units.templatetags.readable);
            # |unlocalize for numbers that are ids, not quantities (USE_THOUSAND_SEPARATOR).
            "builtins": [
                "django.templatetags.l10n",
                "units.templatetags.form_tokens",
                "units.templatetags.readable",
            ],
        },
    },
]

# Database: SQLite next to the code unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the board pages read while an award writes; the timeout waits for the
    # writer instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
    # A file, not memory, so that a daphne process started by the browser tests sees
    # the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test_db.sqlite3")}
# A PostgreSQL read replica (streaming replication) for the public reads of
# anonymous visitors; writes stay on the primary (units/replicas.py).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["units.replicas.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: channel layer, ranking store and the shared cache that allauth's rate limits
# count in. Unset means everything stays in this process.
REDIS_URL = env_str("REDIS_URL")
# Short timeouts: a stopped Redis must cost milliseconds, not the client's default
# seconds of retries (see research/reliability.md, "Redis down").
REDIS_SOCKET_TIMEOUT = float(env_str("REDIS_SOCKET_TIMEOUT", "0.25"))
# REDIS_URL names one node of a Redis Cluster: the ranking store spreads its boards
# over the shards (leaderboards.stores.RedisClusterStore). The channel layer, the
# boards' change channel and the cache then use REDIS_CHANNELS_URL, a plain Redis
# (Pub/Sub and rate limits are small; README "Growing past one machine").
REDIS_CLUSTER = env_bool("REDIS_CLUSTER", False)
REDIS_CHANNELS_URL = env_str("REDIS_CHANNELS_URL", "" if REDIS_CLUSTER else REDIS_URL)

if REDIS_CLUSTER and not REDIS_CHANNELS_URL:
    raise ImproperlyConfigured(
        "REDIS_CLUSTER=1 needs REDIS_CHANNELS_URL, a plain Redis for the channel "
        "layer and the cache"
    )
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # The PubSub layer: the core layer with redis-py 8 loses messages in
            # connection bursts (channels_redis #422).
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_CHANNELS_URL}]},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CHANNELS_URL,
            "OPTIONS": {
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Live boards: sockets one client address may hold on one worker. Mobile carriers put
# many phones behind one address, so this is generous; it stops one script, not a
# village.
WS_MAX_PER_ADDRESS = env_int("WS_MAX_PER_ADDRESS", 200)
# How often each server process projects ledger entries that awards left behind
# (the store was down, or another worker held the projector); 0 turns it off.
LEADERBOARD_CATCH_UP_SECONDS = float(env_str("LEADERBOARD_CATCH_UP_SECONDS", "5"))
# How often one worker compares the boards with the ledger and repairs them
# (leaderboards/reconciliation.py); 0 turns it off.
LEADERBOARD_RECONCILE_MINUTES = float(env_str("LEADERBOARD_RECONCILE_MINUTES", "30"))
# How often one worker checks whether today's rank snapshot ("places moved since
# yesterday") is taken, and takes it after midnight (leaderboards/snapshots.py); 0: never.
LEADERBOARD_SNAPSHOT_MINUTES = float(env_str("LEADERBOARD_SNAPSHOT_MINUTES", "5"))

# The ledger's seals (competitions/sealing.py): how often one worker seals the
# entries committed since, and how often it checks every seal (0 turns either off).
LEDGER_SEAL_SECONDS = float(env_str("LEDGER_SEAL_SECONDS", "60"))
LEDGER_VERIFY_MINUTES = float(env_str("LEDGER_VERIFY_MINUTES", "1440"))
# Targets and reports (reports/): how often one worker works the report counters out
# again from the records and repairs what drifted (0: never; manage.py
# reconcile_reports does it by hand); the smallest inclusion group shown; whether
# every report is made inside the request (tests) rather than in a background thread
# when its unit's subtree is large.
REPORTS_RECONCILE_MINUTES = float(env_str("REPORTS_RECONCILE_MINUTES", "1440"))
REPORTS_MIN_GROUP = env_int("REPORTS_MIN_GROUP", 10)
REPORTS_INLINE = env_bool("REPORTS_INLINE", False)

# Request bodies (units/body_limits.py). A path takes at most REQUEST_MAX_BYTES unless its
# view declares more: the submission form's files together EVIDENCE_REQUEST_MAX_BYTES
# (10 MB a file is the per-file rule; more files go into the draft afterwards), a
# completion file LEARNING_IMPORT_MAX_BYTES, a certificate photo 10 MB, the API 1 MB.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 2_621_440)
EVIDENCE_REQUEST_MAX_BYTES = env_int("EVIDENCE_REQUEST_MAX_BYTES", 50 * 1024 * 1024)
# Django's own: form fields without files (its default), uploaded files above 1 MB
# streamed to temporary files instead of memory, and at most 20 files a request (the
# form takes 10; up to 20 gets our message naming the limit instead of a bare 400).
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# Completion imports (learning/import_plan.py, learning/imports.py) and mentoring.
LEARNING_IMPORT_MAX_BYTES = env_int("LEARNING_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
LEARNING_IMPORT_MAX_ROWS = env_int("LEARNING_IMPORT_MAX_ROWS", 200_000)
LEARNING_IMPORT_INLINE = env_bool("LEARNING_IMPORT_INLINE", False)
LEARNING_INVITE_DAYS = env_int("LEARNING_INVITE_DAYS", 7)

# Badges (badges/): evaluation after each change (0 turns it off; the benchmark
# compares both), the origin of the Open Badges ids, and the key 3.0 credentials
# are signed with (a PEM RSA private key; in development one is made on first use).
BADGES_EVALUATE = env_bool("BADGES_EVALUATE", True)
# How often one worker awards the classes published since (the admin's "publish"
# only marks them): a scheduled job, units/schedule.py; 0 turns it off.
BADGES_PUBLISH_SECONDS = float(env_str("BADGES_PUBLISH_SECONDS", "10"))
BADGES_BASE_URL = env_str("BADGES_BASE_URL").rstrip("/")
BADGES_SIGNING_KEY = env_str("BADGES_SIGNING_KEY")
BADGES_SIGNING_KEY_FILE = env_str("BADGES_SIGNING_KEY_FILE")
BADGES_DEV_KEY_FILE = BASE_DIR / "var" / "badges-dev-signing-key.pem"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "pages:me"

# django-allauth: username or email, verified email, its rate limits left on (they
# are on by default; the numbers are listed in README.md).
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# The failed sign-in lock counts per account, however the account is named
# (units/accounts.py); allauth's own counts per identifier as typed.
ACCOUNT_ADAPTER = "units.accounts.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# Behind N reverse proxies set this to N, or every client shares the proxy's IP.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Thi Đua Số <no-reply@localhost>")

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# Our catalogue first; locale_vendor/ holds Vietnamese for allauth, which ships none.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Numbers read as Vietnamese write them (46.630; 1,97): every number a template
# shows is grouped. Ids inside attributes and addresses must therefore be written
# with |unlocalize or through {% url %} (tests/test_pages_read_well.py checks every
# page with ids above 100,000).
USE_THOUSAND_SEPARATOR = True
# Dates as dd/mm/yyyy and grouping for Vietnamese (config/formats/vi/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Static files are served by the app itself (no CDN). Finders stay on so that a
# checkout works without collectstatic; production runs collectstatic for hashed,
# compressed copies.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not LOCAL
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Files no row names (a transaction that wrote one rolled back) are removed by one
# worker this often, once older than the age below (units/media.py); 0 turns it off.
MEDIA_CLEANUP_MINUTES = float(env_str("MEDIA_CLEANUP_MINUTES", "60"))
MEDIA_ORPHAN_AGE_MINUTES = float(env_str("MEDIA_ORPHAN_AGE_MINUTES", "60"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# A refused form (its page open too long, cookies blocked) says so in the user's
# language with a way back, in DEBUG too (units/views.py).
CSRF_FAILURE_VIEW = "units.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): every script and stylesheet is a file of
# ours, so an injected <script>, on*= handler or style= attribute does nothing.
# QR codes are inline <svg> (no img-src needed) and nothing uses data: URLs.
# connect-src: the live boards' WebSocket to this same host is added per request
# (units.middleware), since 'self' covers ws:/wss: only in CSP3 browsers. The Django
# admin passes the same policy (Django 5.2's admin has no inline script left; the
# page test renders it too).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (django-permissions-policy): no page uses these. The evidence
# and certificate inputs take photos through the file picker (the phone's camera
# app), which the camera feature does not govern: that is getUserMedia's.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if not LOCAL:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Production is served over TLS (nginx in front, README "Deploying"): plain HTTP
    # is sent there, except the proxy's own health check of a worker, which asks
    # over plain HTTP and wants the JSON, not a redirect, nor does Prometheus,
    # which scrapes each worker's /metrics on its loopback port.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HSTS stays a deliberate step (Django's advice: once sent, browsers refuse
    # plain HTTP for that long); .env.example sets a year. It covers this host's
    # own subdomains only, none of which may serve plain HTTP.
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# security.W021 asks for HSTS preload. Preloading binds the whole registrable domain
# (a province's gov.vn domain, not ours to decide) and browsers' lists accept no
# subdomain such as thiduaso.<province>.gov.vn; SECURE_HSTS_PRELOAD=1 is there for
# the domain's owner.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# JSON lines in production (one object a line, with the request id and the worker's
# name: units/observability.py), plain text for a developer.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use json or text")
LOGGING = logging_config(level=env_str("LOG_LEVEL", "INFO"), fmt=LOG_FORMAT)

# GET /metrics (units/metrics.py) answers only a request carrying
# "Authorization: Bearer <METRICS_TOKEN>"; unset, it answers 404 to everyone.
METRICS_TOKEN = env_str("METRICS_TOKEN")

# Who runs the scheduled jobs and the catch-up projection (units/schedule.py):
# "workers", a timer in every server process (the default: `make run` needs nothing
# else), or "process", only `manage.py run_scheduler` (production: one small process,
# so that an 11-second reconciliation never shares a worker's GIL with its sockets).
SCHEDULER = env_str("SCHEDULER", "workers")
if SCHEDULER not in {"workers", "process"}:
    raise ImproperlyConfigured(f"SCHEDULER={SCHEDULER!r}: use workers or process")
