"""Settings for a Kordon node, read from the environment (see docs/configuration.md).

Nothing here has an unsafe default: there is no built-in secret key, debug is off, every page
needs a login, and bad values stop the node at start-up with a message naming the variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from kordon.config.env import env_bool, env_choice, env_int, env_list, env_secret, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = Path(env_str("KORDON_DATA_DIR", str(REPO_DIR / "var"))).resolve()

SECRET_KEY = env_secret("KORDON_SECRET_KEY")
DEBUG = env_bool("KORDON_DEBUG", False)
ALLOWED_HOSTS = env_list("KORDON_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("KORDON_CSRF_TRUSTED_ORIGINS", [])

# Name of this node, shown in the header and written into exports.
KORDON_NODE_NAME = env_str("KORDON_NODE_NAME", "Kordon")
# One source and information grading scheme per node; records store the scheme they were graded in.
KORDON_GRADING_SCHEME = env_choice("KORDON_GRADING_SCHEME", "admiralty", ["admiralty", "uk3x5x2"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # Django's widget templates, for FORM_RENDERER
    "django_htmx",
    "template_partials",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "kordon.core",
    "kordon.access",
    "kordon.seizures",
    "kordon.exchange",
    # After exchange: the demo's persons are linked to the demo's alerts and requests.
    "kordon.entities",
    "kordon.analytics",
    "kordon.targeting",
    "kordon.prisons",
    "kordon.cooperation",
    "kordon.evaluation",
    "kordon.federation",
    # Last: a case gathers the records of every other module (and its demo needs theirs).
    "kordon.cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kordon.core.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kordon.access.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kordon.access.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "kordon.config.urls"
WSGI_APPLICATION = "kordon.config.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "kordon.core.context_processors.node",
                "kordon.exchange.context_processors.inbox",
            ],
        },
    },
]
# Widgets are rendered with the templates above; selects are written in Python (core/renderers.py).
FORM_RENDERER = "kordon.core.renderers.KordonRenderer"


def _database(url: str) -> dict[str, object]:
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url))
    except ValueError as error:
        raise ImproperlyConfigured(f"KORDON_DATABASE_URL is not a database URL: {error}") from None
    engine = config.get("ENGINE")
    if engine == "django.db.backends.sqlite3":
        name = Path(str(config["NAME"]))
        name.parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one failing
            # half-way with "database is locked"; the audit chain relies on writers being serialised.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                # 128 MB of page cache: indexes of a million seizures stay in memory during imports.
                "PRAGMA cache_size=-131072; PRAGMA temp_store=MEMORY;"
            ),
        }
        # Kept open between requests, so each connection's page cache stays warm; a connection per
        # request re-read the list's index pages every time (about a third of the CPU under load).
        config["CONN_MAX_AGE"] = env_int("KORDON_DB_CONN_MAX_AGE", 60, minimum=0)
    elif engine == "django.db.backends.postgresql":
        config["CONN_MAX_AGE"] = env_int("KORDON_DB_CONN_MAX_AGE", 60, minimum=0)
        config["CONN_HEALTH_CHECKS"] = True
        # No parallel plans. Kordon's queries read a page or a count along an index; the workers of
        # a parallel plan took ~15 ms to start and then competed with other requests for the same
        # cores (a filtered seizure list's p95 fell from 87 to 60 ms without them, docs/benchmarks.md).
        # Large scans are the analytics mirror's work, in DuckDB. Options given in the URL are kept.
        options = dict(config.get("OPTIONS") or {})  # type: ignore[call-overload]
        options["options"] = f"{options.get('options', '')} -c max_parallel_workers_per_gather=0".strip()
        config["OPTIONS"] = options
    else:
        raise ImproperlyConfigured(
            f"KORDON_DATABASE_URL uses {engine}; Kordon supports sqlite:/// and postgres:// URLs."
        )
    return config


DATABASES = {
    "default": _database(env_str("KORDON_DATABASE_URL", f"sqlite:///{DATA_DIR / 'kordon.sqlite3'}")),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's authentication, refused for a user name locked out after failed log-ins (access/lockout.py).
AUTHENTICATION_BACKENDS = ["kordon.access.lockout.LockoutBackend"]
KORDON_LOGIN_ATTEMPTS = env_int("KORDON_LOGIN_ATTEMPTS", 5, minimum=1)
KORDON_LOCKOUT_MINUTES = env_int("KORDON_LOCKOUT_MINUTES", 15, minimum=0)
# Who must log in with a code from an authenticator app: "privileged" (administrators,
# supervisors), "all", or "optional" (nobody must, anybody may).
KORDON_TWO_FACTOR = env_choice("KORDON_TWO_FACTOR", "privileged", ["privileged", "all", "optional"])
OTP_TOTP_ISSUER = KORDON_NODE_NAME
# An API token lives at most this many days; a client asks for fewer when it needs less.
KORDON_TOKEN_MAX_DAYS = env_int("KORDON_TOKEN_MAX_DAYS", 90, minimum=1)
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env_str("KORDON_LANGUAGE", "ru")
# Each language named in itself: the menu is for someone who may not read the current one.
LANGUAGES = [
    ("ru", "Русский"),
    ("en", "English"),
    ("kk", "Қазақша"),
    ("ky", "Кыргызча"),
    ("uz", "Oʻzbekcha"),
    ("tg", "Тоҷикӣ"),
]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"KORDON_LANGUAGE={LANGUAGE_CODE!r}; use one of {', '.join(dict(LANGUAGES))}.")
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("KORDON_TIME_ZONE", "Asia/Tashkent")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Front-end packages come from the npm registry (package-lock.json) and are served from this
# node; border posts are often offline, so nothing is loaded from a CDN.
NODE_MODULES = REPO_DIR / "node_modules"
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/cytoscape", NODE_MODULES / "cytoscape" / "dist"),
]
# Country boundaries for the maps (Natural Earth 1:50m via world-atlas), drawn by the node itself.
KORDON_BOUNDARIES = NODE_MODULES / "world-atlas" / "countries-50m.json"
# The analytics mirror: a DuckDB copy of the seizures that the dashboard, pivots and bulletin
# count from (analytics/mirror.py); `kordon analytics refresh` rebuilds it. Empty: count in the
# database only.
KORDON_ANALYTICS_MIRROR = env_str("KORDON_ANALYTICS_MIRROR", str(DATA_DIR / "analytics.duckdb"))
MEDIA_ROOT = DATA_DIR / "files"
# Fixtures with times to the microsecond, for backups (core/exact_jsonl.py).
SERIALIZATION_MODULES = {"exactjsonl": "kordon.core.exact_jsonl"}
# The key `kordon backup` encrypts with and `kordon restore` decrypts with (docs/deploy.md).
KORDON_BACKUP_KEY_FILE = env_str("KORDON_BACKUP_KEY_FILE", "")
# Screening indexes of watchlists, one folder per list version, built when a list is imported.
KORDON_SCREENING_DIR = Path(env_str("KORDON_SCREENING_DIR", str(DATA_DIR / "screening"))).resolve()
# A screening shows candidates scoring at least this many percent (docs/benchmarks.md: how often
# it then misses the person, and how often it alerts on a stranger).
# Cooperation requests without a deadline count as overdue this many days after they left or
# arrived; referral cases are deleted this many days after they are closed.
KORDON_COOPERATION_ANSWER_DAYS = env_int("KORDON_COOPERATION_ANSWER_DAYS", 90, minimum=1)
KORDON_REFERRAL_RETENTION_DAYS = env_int("KORDON_REFERRAL_RETENTION_DAYS", 5 * 365, minimum=1)
KORDON_SCREENING_THRESHOLD = env_int("KORDON_SCREENING_THRESHOLD", 70, minimum=1)
# Processes that screen a file of people (`kordon screen`); one per core by default.
KORDON_SCREENING_WORKERS = env_int("KORDON_SCREENING_WORKERS", os.cpu_count() or 1, minimum=1)
if KORDON_SCREENING_THRESHOLD > 99:
    raise ImproperlyConfigured("KORDON_SCREENING_THRESHOLD is a percentage from 1 to 99.")
# A linking run suggests for review the pairs of person records scoring at least this many percent.
KORDON_LINKING_THRESHOLD = env_int("KORDON_LINKING_THRESHOLD", 70, minimum=1)
if KORDON_LINKING_THRESHOLD > 99:
    raise ImproperlyConfigured("KORDON_LINKING_THRESHOLD is a percentage from 1 to 99.")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
KORDON_MAX_UPLOAD_BYTES = env_int("KORDON_MAX_UPLOAD_MB", 200, minimum=1) * 1024 * 1024

SESSION_COOKIE_AGE = env_int("KORDON_SESSION_HOURS", 10, minimum=1) * 3600
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("KORDON_HTTPS", False):
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Submitting a domain to the browsers' HSTS preload list is a public commitment that is hard to
# undo; an agency decides it for its own domain, so `kordon check --deploy` does not ask for it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

EMAIL_BACKEND = env_str("KORDON_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("KORDON_EMAIL_FROM", "kordon@localhost")
# The address officers open the node at: links in notification e-mails start with it.
KORDON_BASE_URL = env_str("KORDON_BASE_URL", "http://127.0.0.1:8000")

LOG_FORMAT = env_str("KORDON_LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"KORDON_LOG_FORMAT={LOG_FORMAT!r}: write text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # JSON: one object per line, with the request id (core/logs.py), for a log collector.
    "formatters": {"json": {"()": "kordon.core.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("KORDON_LOG_LEVEL", "INFO")},
}

NINJA_PAGINATION_PER_PAGE = 50

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed file names let browsers cache static files for ever; `kordon collectstatic` builds them.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
