"""Settings, driven by environment variables with safe defaults.

DEBUG is on only when DJANGO_DEBUG is set to a true value. Without
DATABASE_URL the project runs on a local SQLite file.
"""

import os
from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    # pytest sets PYTEST_VERSION; the test suite needs no real secret.
    if not DEBUG and "PYTEST_VERSION" not in os.environ:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production-" + "x" * 20

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # django.contrib.staticfiles, publishing only what the pages use.
    "config.apps.PublishedStaticFilesConfig",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "dsfr",
    "import_export",
    "django_tasks_db",
    "axes",
    "basins",
    "diagnostics",
    "roadmap",
]

MIDDLEWARE = [
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files answer here, before the session and the rest (see below).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML and other dynamic responses, gzipped (BREACH: see below).
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "basins.middleware.RolesMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
FORM_RENDERER = "basins.forms.DsfrFormRenderer"
WSGI_APPLICATION = "config.wsgi.application"
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
                "django.template.context_processors.csp",
                "basins.context_processors.territories",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast rather than pile up behind a long query or a lock.
    statement_timeout = os.environ.get("DJANGO_STATEMENT_TIMEOUT_MS", "30000")
    lock_timeout = os.environ.get("DJANGO_LOCK_TIMEOUT_MS", "5000")
    # JIT off: the planner over-estimates the ORM's correlated subqueries
    # (progress, last change) and spent 4 s compiling a 10 ms query.
    jit = "on" if env_bool("DJANGO_PG_JIT") else "off"
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={statement_timeout} -c lock_timeout={lock_timeout}"
        f" -c jit={jit}"
    )
else:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "basins:home"
LOGOUT_REDIRECT_URL = "login"

# Throttle on the (username, IP) pair, with a cool-off: a whole prefecture
# behind one address is never locked out by one person's typos.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# --- Security -------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # No 'unsafe-inline' nor hash: plotly.js would inject its global rules in
    # a <style>, but skips it when an element with its id exists;
    # diagnostics/includes/plotly_assets.html serves them from
    # static/css/plotly.css instead. The partial bundle (tools/plotly/) has no
    # map traces (MapLibre's CSS) and sets no style attribute on colorbars.
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Uploaded files are counted separately from DATA_UPLOAD_MAX_MEMORY_SIZE:
# forms check their own size limit (see diagnostics).
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------
# Served by WhiteNoise from STATIC_ROOT (`collectstatic`, the release step):
# hashed names (ManifestStaticFilesStorage), cached a year as immutable, sent
# pre-compressed (brotli, gzip). The DSFR's and htmx's unused files are not
# collected (config/apps.py). plotly.js is a partial bundle built from the npm
# registry (tools/plotly/) and committed under static/vendor/plotly/.
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed names need the manifest that collectstatic writes: in production only
# (DEBUG off and not under pytest), so that `make run` and the tests serve the
# source files directly.
STATIC_MANIFEST = not DEBUG and "PYTEST_VERSION" not in os.environ
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production WhiteNoise serves the source files through the
# finders, as runserver does: no collectstatic needed.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST
# Unhashed copies stay too, cached 60 s only (WHITENOISE_MAX_AGE): the
# DSFR's manifest.webmanifest names its icons without a hash.
# The manifest storage rewrites the url() of the DSFR's stylesheets to hashed
# names, so their content no longer matches django-dsfr's built-in SRI
# hashes. The files are served by this site (script-src/style-src 'self'),
# never by a CDN: subresource integrity would guard nothing here.
DSFR_USE_INTEGRITY_CHECKSUMS = False

# GZipMiddleware and BREACH: a compressed response's size can leak a secret
# it reflects next to attacker-controlled text. The secrets in our pages are
# the CSRF token, masked anew on every response by Django (so it never
# repeats), and none else (session ids stay in cookies). Django adds random
# bytes to every gzipped response (the "Heal the BREACH" mitigation), and
# the session and CSRF cookies are SameSite=Lax, so a cross-site request, as
# the attack needs, is not signed in. Compression stays on for every page.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"

# --- Background tasks -----------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Seconds between two progress writes of a running import (one UPDATE each).
IMPORT_PROGRESS_INTERVAL = 1.0
# Seconds after which a still pending import says that no worker took it.
IMPORT_WORKER_NOTICE_AFTER = 10

# --- Caching --------------------------------------------------------------
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "bassins",
    }
}

# --- Import-export --------------------------------------------------------
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# Official data files (INSEE, France Travail, Etalab), outside the repository.
DATA_DIR = Path(os.environ.get("BASSINS_DATA_DIR", BASE_DIR.parent / "shared" / "data"))

# --- E-mail ---------------------------------------------------------------
# SMTP from the environment (a PaaS's SMTP add-on, the ministry's relay):
# DJANGO_EMAIL_HOST, DJANGO_EMAIL_PORT (587 with DJANGO_EMAIL_USE_TLS=1, 465
# with DJANGO_EMAIL_USE_SSL=1, else 25), DJANGO_EMAIL_HOST_USER and
# DJANGO_EMAIL_HOST_PASSWORD. Without DJANGO_EMAIL_HOST, mail is printed on
# the console in DEBUG and sent to an SMTP server on localhost otherwise.
if "DJANGO_EMAIL_HOST" in os.environ or not DEBUG:
    _smtp = {
        "host": os.environ.get("DJANGO_EMAIL_HOST", "localhost"),
        "username": os.environ.get("DJANGO_EMAIL_HOST_USER", ""),
        "password": os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("DJANGO_EMAIL_USE_TLS"),
        "use_ssl": env_bool("DJANGO_EMAIL_USE_SSL"),
        "timeout": 10,
    }
    if os.environ.get("DJANGO_EMAIL_PORT"):
        _smtp["port"] = int(os.environ["DJANGO_EMAIL_PORT"])
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": _smtp,
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get(
    "DJANGO_DEFAULT_FROM_EMAIL", "Bassins industriels <ne-pas-repondre@localhost>"
)
SERVER_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Error reporting ------------------------------------------------------
# Both optional, both off by default:
# - DJANGO_ADMINS ('"Name, Team" <address>, other@address'): each server error
#   (500) is mailed to them by Django, with its traceback (DEBUG off only);
# - SENTRY_DSN: errors go to Sentry or a compatible service (GlitchTip,
#   self-hosted), with `pip install -e '.[sentry]'`; no personal data is sent
#   (send_default_pii off). SENTRY_ENVIRONMENT, SENTRY_RELEASE and
#   SENTRY_TRACES_SAMPLE_RATE (0 by default: errors only) tune it.
ADMINS = [
    f'"{name}" <{address}>' if name else address
    for name, address in getaddresses([os.environ.get("DJANGO_ADMINS", "")])
    if "@" in address
]
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: "
            "pip install -e '.[sentry]'."
        ) from None
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
    )

# --- Logging --------------------------------------------------------------
# One JSON object per line on stderr (LOG_FORMAT=json, the default without
# DEBUG), or plain text (LOG_FORMAT=text, the default with DEBUG); every line
# logged during a request carries its id (config/middleware.py), and each
# request gets one line on bassins.access. LOG_LEVEL (INFO) for the rest.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "config.logs.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "json": {"()": "config.logs.JsonFormatter"},
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        },
        # Does nothing while ADMINS is empty.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replace Django's defaults (their console handler only works in DEBUG).
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.request": {"handlers": ["mail_admins"], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        "axes": {"level": "WARNING"},
    },
}
