"""careprog settings: one module, configured by environment variables.

With no variables set it runs on a local SQLite file with DEBUG off, which
refuses to start without SECRET_KEY. `make run` sets DEBUG=1 for local work, and
writes it to `.env` for the manage.py commands typed in the checkout: manage.py
reads that file, this module never does (so neither gunicorn nor the tests see it).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

from careprog.periods import BANK_HOLIDAY_REGIONS

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no), not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_email(name: str) -> str:
    """An email address, or "" when unset: an address a reader cannot write to is refused."""
    raw = os.environ.get(name, "").strip()
    if raw:
        try:
            validate_email(raw)
        except ValidationError:
            raise ImproperlyConfigured(f"{name} must be an email address, not {raw!r}") from None
    return raw


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "simple_history",
    "axes",
    "django_tables2",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "careprog",
    "actions",
    "kpis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a body (sessions, CSRF, forms).
    "careprog.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "careprog.middleware.SessionActivityMiddleware",
    "careprog.middleware.NoStoreWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Answers only a callback from the council's provider, and only when OIDC_ISSUER is set.
    "careprog.oidc.backend.CouncilAccountBackend",
]

ROOT_URLCONF = "careprog.urls"
WSGI_APPLICATION = "careprog.wsgi.application"

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
                "csp.context_processors.nonce",
                "careprog.context_processors.service",
            ],
        },
    },
]

# SQLite file by default; DATABASE_URL selects PostgreSQL (or another SQLite path). Health
# checks replace a persistent connection the server dropped at the next request, not fail it.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several workers saving at once: a deferred transaction that reads, then writes, is
    # refused ("database is locked") when another holds the write lock; IMMEDIATE takes
    # the write lock at BEGIN, so writers queue, each waiting up to `timeout` seconds.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The background queue (careprog.jobs, docs/decisions/0028): jobs are rows in this database,
# run (TASKS_RUN) by `manage.py db_worker` ("worker", PostgreSQL's default), by a thread of the
# process that queued them ("thread", SQLite's, where one process serves), or by the tests.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TASKS_RUN = os.environ.get("TASKS_RUN", "").strip() or (
    "thread" if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else "worker"
)
if TASKS_RUN not in {"worker", "thread", "manual", "on-commit"}:
    raise ImproperlyConfigured(
        f"TASKS_RUN must be worker, thread, manual or on-commit: {TASKS_RUN!r}"
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed sign-ins (django-axes; docs/operating.md, "Sign-in throttling"). Within the cool-off, a
# username is locked out at each limit: from one address, from all addresses, and an address
# for every username. careprog.throttling.SignInThrottle gives each parameter its limit.
AXES_HANDLER = "careprog.throttling.SignInThrottle"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_ACCOUNT_FAILURE_LIMIT = env_int("AXES_ACCOUNT_FAILURE_LIMIT", 20)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20)
if min(AXES_FAILURE_LIMIT, AXES_ACCOUNT_FAILURE_LIMIT, AXES_ADDRESS_FAILURE_LIMIT) < 1:
    raise ImproperlyConfigured(
        "AXES_FAILURE_LIMIT, AXES_ACCOUNT_FAILURE_LIMIT and AXES_ADDRESS_FAILURE_LIMIT must each"
        " be at least 1"
    )
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The client's address (django-ipware): REMOTE_ADDR, unless AXES_PROXY_COUNT proxies stand in
# front, each appending the address it received from to X-Forwarded-For. The client is then
# the entry that many from the right; entries further left are whatever the client sent.
# ipware counts the entries after the client, and must not be strict, or a forged entry
# would make it fall back to the proxy's own address.
# (Read into a private name: axes warns of a setting called AXES_PROXY_COUNT, its old name.)
_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)
if _PROXY_COUNT < 0:
    raise ImproperlyConfigured("AXES_PROXY_COUNT must be 0 or more")
if _PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    AXES_IPWARE_PROXY_COUNT = _PROXY_COUNT - 1
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
    AXES_IPWARE_PROXY_COUNT = None
IPWARE_STRICT = False

# Password-reset requests (careprog.throttling.PasswordResetView): at most this many acted on
# per address, and emails per account, in each window; past either the "sent" page is shown
# and nothing is sent. The counts live in the "throttle" cache: this process's memory, unless
# THROTTLE_CACHE_TABLE names a database cache table (`manage.py createcachetable`) that every
# worker shares.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env_int("PASSWORD_RESET_LIMIT_PER_ADDRESS", 5)
PASSWORD_RESET_LIMIT_PER_ACCOUNT = env_int("PASSWORD_RESET_LIMIT_PER_ACCOUNT", 3)
PASSWORD_RESET_LIMIT_WINDOW = 60 * 60  # seconds
_THROTTLE_CACHE_TABLE = os.environ.get("THROTTLE_CACHE_TABLE", "").strip()


def env_cache(name: str) -> dict:
    """A cache from a URL: unset, this process's memory; ``redis://host:port/db`` (or
    ``rediss://``), Redis shared by every process and machine that names it."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if raw.split("://", 1)[0] in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": raw}
    raise ImproperlyConfigured(f"{name} must be a redis:// or rediss:// URL, not {raw!r}")


# The "default" cache keeps the KPI readings the dashboard and a programme's pages show
# (kpis.reading_cache): set CACHE_URL when several machines serve one council, so that a
# change made through one is never shown stale by another.
# KPI readings (kpis.reading_cache) are cached in this process's memory only when one process
# serves (runserver, one gunicorn worker): another process would not hear of a change there.
# With CACHE_URL (a shared cache) they are cached whatever this says.
READINGS_CACHE_IN_PROCESS = env_bool("READINGS_CACHE_IN_PROCESS", False)
CACHES = {
    "default": env_cache("CACHE_URL"),
    "throttle": (
        {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": _THROTTLE_CACHE_TABLE,
        }
        if _THROTTLE_CACHE_TABLE
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
    ),
}

# Password reset emails: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "careprog@localhost")

DJANGO_TABLES2_TEMPLATE = "includes/table.html"

# The council whose figures the KPI catalogue holds, by DfE's LA number (Wirral for the demo);
# its statistical neighbours, region and England are its comparators.
HOME_LA_NUMBER = env_int("HOME_LA_NUMBER", 344)

# Whose bank holidays are not working days when a measure's figure falls due (kpis.due):
# ENG England, WLS Wales, SCT Scotland, NIR Northern Ireland.
BANK_HOLIDAYS_REGION = os.environ.get("BANK_HOLIDAYS_REGION", "ENG").strip().upper() or "ENG"
if BANK_HOLIDAYS_REGION not in BANK_HOLIDAY_REGIONS:
    raise ImproperlyConfigured(
        f"BANK_HOLIDAYS_REGION must be one of {', '.join(BANK_HOLIDAY_REGIONS)}, "
        f"not {BANK_HOLIDAYS_REGION!r}"
    )

# KPI returns: the largest upload (set the proxy's limit to match; read only by gate.upload_limits),
# how far a value may move from the previous period before the preview warns, and the rows past
# which reading, confirming and approving one are background jobs (docs/operating.md says why).
KPI_IMPORT_MAX_BYTES = env_int("KPI_IMPORT_MAX_MB", 10) * 1024 * 1024
KPI_IMPORT_WARN_CHANGE_PERCENT = env_int("KPI_IMPORT_WARN_CHANGE_PERCENT", 25)
KPI_IMPORT_QUEUE_ROWS = env_int("KPI_IMPORT_QUEUE_ROWS", 2000, minimum=0)
# Every request: a declared body over this is refused with 413 before it is read
# (careprog.middleware.RequestSizeLimitMiddleware). The largest return plus room for the
# rest of the form; the proxy's limit should be higher still, so the refusal is ours.
REQUEST_MAX_BYTES = KPI_IMPORT_MAX_BYTES + 1024 * 1024
# Form fields alone (file uploads aside): the largest form typed here is a few kilobytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024


# Single sign-on with the council's own accounts (OpenID Connect; docs/single-sign-on.md).
# With no OIDC_ISSUER, sign-in is by local password only, as it always was.
def env_role_groups(name: str) -> dict[str, str]:
    """`group=Role,group=Role` → {group: Role}; careprog.oidc checks the roles exist."""
    mapping = {}
    for pair in env_list(name, []):
        group, equals, role = pair.partition("=")
        if not equals or not group.strip() or not role.strip():
            raise ImproperlyConfigured(f"{name} must be group=Role pairs, not {pair!r}")
        mapping[group.strip()] = role.strip()
    return mapping


OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").strip().rstrip("/")
if OIDC_ISSUER and not (
    urlsplit(OIDC_ISSUER).scheme == "https"
    or urlsplit(OIDC_ISSUER).hostname in {"localhost", "127.0.0.1"}  # a provider for local work
):
    raise ImproperlyConfigured(f"OIDC_ISSUER must be an https:// address, not {OIDC_ISSUER!r}")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
if OIDC_ISSUER and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured("OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "").strip() or "your council account"
OIDC_ROLE_GROUPS = env_role_groups("OIDC_ROLE_GROUPS")
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "").strip() or "groups"
# Off: only a superuser may sign in with a password (the break-glass account).
OIDC_LOCAL_PASSWORDS = env_bool("OIDC_LOCAL_PASSWORDS", True)
# mozilla-django-oidc's own settings; the endpoints come from the issuer's discovery
# document (careprog.oidc.provider), which the library does not read.
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_TOKEN_USE_BASIC_AUTH = True  # client_secret_basic: the method every provider accepts
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_STORE_ID_TOKEN = True  # sent back as id_token_hint when signing out at the provider
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10, minimum=1)  # every call to the provider
OIDC_DISCOVERY_CACHE_SECONDS = 60 * 60

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static" / "build"]
# The only files careprog keeps outside the database, all through Django's default storage: a
# published paper's files (PDF, Word, Excel), built once when it is published, and a progress
# table waiting between its preview and its confirmation. The app serves them itself, to those
# who may read them: never serve them directly. The filesystem (MEDIA_ROOT) unless
# AWS_STORAGE_BUCKET_NAME names an S3-compatible bucket, which several machines share
# (docs/scaling.md); back either up with the database (docs/operating.md).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", "").strip() or BASE_DIR / "media")
if not MEDIA_ROOT.is_absolute():  # else it would move with the server's working directory
    raise ImproperlyConfigured(f"MEDIA_ROOT must be an absolute path, not {str(MEDIA_ROOT)!r}")
_BUCKET = os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
_FILE_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if _BUCKET:
    # Private objects read through the app: no ACL, no public URL, never one file written over
    # another (names carry a digest or a random part, as on the filesystem). Credentials come
    # from boto3's own chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the machine's role.
    _FILE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _BUCKET,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL", "").strip() or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME", "").strip() or None,
            "location": os.environ.get("AWS_LOCATION", "").strip().strip("/"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": _FILE_STORAGE,
    "staticfiles": {
        # Hashed, compressed files from `collectstatic` in production; the tests and
        # local work read the build output directly.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

SERVICE_NAME = "Care programmes"
SERVICE_PHASE = "Alpha"

# The council that runs the service, as its accessibility statement and privacy notice name it
# (/accessibility/, /privacy/). An administrator's entries in Django admin ("Accessibility
# statement and privacy notice") win over these; with neither, the pages say "the council"
# and send problems to the performance team, so a fresh install still publishes both pages.
COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "").strip()
COUNCIL_CONTACT_EMAIL = env_email("COUNCIL_CONTACT_EMAIL")
COUNCIL_CONTACT_PHONE = os.environ.get("COUNCIL_CONTACT_PHONE", "").strip()
COUNCIL_DPO_EMAIL = env_email("COUNCIL_DPO_EMAIL")

# Security: production defaults, relaxed only for local DEBUG work.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:
    # The __Host- prefix makes the browser refuse these cookies unless they are Secure,
    # for the whole site (Path=/) and for this host alone (no Domain): no sibling
    # subdomain can set or overwrite them. Plain names over local http.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_HTTPONLY = True
# Signed out after SESSION_IDLE_MINUTES without a request: activity moves the expiry on
# (careprog.middleware.SessionActivityMiddleware).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 60, minimum=1) * 60
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# django-csp 4: everything from our own origin; the one inline script (GOV.UK
# Frontend's "js enabled" class) carries a per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # Signing out at the provider is a redirect from careprog's sign-out form.
        "form-action": [SELF]
        + (
            [f"{urlsplit(OIDC_ISSUER).scheme}://{urlsplit(OIDC_ISSUER).netloc}"]
            if OIDC_ISSUER
            else []
        ),
        "frame-ancestors": [NONE],
    }
}

# The read API (careprog.api, docs/api.md): tokens or the browser's session, read only, JSON
# or CSV, strict paging, a rate limit per token.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "careprog.api.authentication.BearerTokenAuthentication",
        # The browser's session, for /api/docs/'s "Try it out" (the API has no writes).
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["careprog.api.throttling.PerTokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "careprog.api.renderers.CSVRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_PAGINATION_CLASS": "careprog.api.pagination.StrictPagination",
    "DEFAULT_SCHEMA_CLASS": "careprog.api.schema.ReadSchema",
    "EXCEPTION_HANDLER": "careprog.api.errors.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": False,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "careprog API",
    "DESCRIPTION": (
        "Read-only flat tables of a council's programmes, actions, updates, KPIs, figures, "
        "papers and risks, for Power BI and Excel. Send a personal token as "
        "`Authorization: Bearer <token>`; every list pages (`page`, `page_size`), answers "
        "`?format=csv`, and carries an ETag for conditional requests."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two lists' "status" are different choices: each named after its model.
    "ENUM_NAME_OVERRIDES": {
        "ActionStatusEnum": "actions.models.progress.Status",
        "RiskStatusEnum": "actions.models.risks.RiskStatus",
    },
    "DISABLE_ERRORS_AND_WARNINGS": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs each step and page of every PDF at INFO; its warnings still show.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
