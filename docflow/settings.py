"""Django settings. Every value comes from ``docflow.config`` (the environment)."""

from __future__ import annotations

from pathlib import Path

from docflow.config import load_config

BASE_DIR = Path(__file__).resolve().parent.parent
CONFIG = load_config(base_dir=BASE_DIR)
CONFIG.data_dir.mkdir(parents=True, exist_ok=True)

DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.secret_key
ALLOWED_HOSTS = CONFIG.allowed_hosts
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins
DOCFLOW_ENV = CONFIG.environment
DOCFLOW_SITE_URL = CONFIG.site_url
DOCFLOW_DEMO_PASSWORD = CONFIG.demo_password
DOCFLOW_MAX_UPLOAD_BYTES = CONFIG.max_upload_bytes
DOCFLOW_TRUST_ROOTS = CONFIG.trust_roots  # CA certificates that signatures chain to
# Prepared external signing requests (digest handed out, signature awaited) expire after this.
DOCFLOW_SIGNING_REQUEST_SECONDS = 15 * 60
# Fetch CRLs/OCSP named in certificates when verifying (off: "could not check" instead).
DOCFLOW_REVOCATION_FETCH = CONFIG.revocation_fetch
DOCFLOW_TSA_URL = CONFIG.tsa_url  # RFC 3161 timestamp authority: signatures become PAdES B-T
# An exchange request carries its attachments (base64 in JSON or XML): refused past this.
DOCFLOW_EXCHANGE_MAX_BODY_BYTES = 2 * CONFIG.max_upload_bytes
# A webhook the receiver refuses is tried again this many times, with backoff, then left to pull.
DOCFLOW_EXCHANGE_WEBHOOK_RETRIES = 8
DOCFLOW_EXCHANGE_WEBHOOK_TIMEOUT = 10
# Pull feeds serve rows older than this, so a cursor never passes a row still committing.
DOCFLOW_EXCHANGE_FEED_SETTLE_SECONDS = 5
# The national exchange axis connector (docs/EXCHANGE.md): None when DOCFLOW_AXIS_* are unset.
DOCFLOW_AXIS = CONFIG.axis

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # WhiteNoise serves static files under runserver too, the same way as in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "docflow.tenancy",
    "docflow.audit",
    "docflow.outbox",
    "docflow.notifications",
    "docflow.documents.signing",
    "docflow.documents",
    "docflow.routing",
    "docflow.exchange",
    "docflow.exchange.axis",
    "docflow.reports",
    "docflow.records",
    "docflow.restructuring",  # merge_agencies
    "docflow.api",
    "docflow.web",
    "docflow.demo",  # seed_demo and demo_info
    "workers",
    "axes",  # failed logins counted in the database (docs/SECURITY.md "Logins")
    "django_otp",
    "django_otp.plugins.otp_totp",  # the second factor of leaders and agency admins
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A NUL in the path, a query parameter, a header or a form field is a 400 naming it, not a
    # PostgreSQL error (a 500) when it reaches a query.
    "docflow.core.middleware.NulByteMiddleware",
    # Pages, JSON and the embedded mode's CSS/JS go compressed (WhiteNoise's own .gz files in
    # production pass through untouched). BREACH needs a secret reflected next to attacker text
    # in a compressed body: Django masks the CSRF token afresh on every response, so its bytes
    # never repeat, and no other secret is printed on a page.
    "docflow.web.middleware.TextGZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "docflow.web.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "docflow.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "docflow.tenancy.middleware.AgencyScopeMiddleware",
    # A leader or admin of an agency that requires a second factor enrols before anything else.
    "docflow.web.second_factor.EnrolmentRequiredMiddleware",
    # Last, so the lockout answer replaces whatever the login view said.
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "docflow.tenancy.logins.LoginBackend",  # refuses a locked username/address before the password
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "docflow.urls"
WSGI_APPLICATION = "docflow.wsgi.application"
AUTH_USER_MODEL = "tenancy.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"

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
                "docflow.web.context_processors.web",
            ],
        },
    },
]

DATABASES = {"default": CONFIG.database}
# `migrate` and `db_app_role` connect with these credentials instead (docs/RUNTIME.md).
DOCFLOW_DB_OWNER = CONFIG.owner_database
DOCFLOW_DB_APP_ROLE = CONFIG.db_app_role
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "docflow" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["docflow.web.formats"]  # dd/mm/yyyy in both languages

STATIC_URL = "static/"
STATIC_ROOT = CONFIG.data_dir / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise looks there first, even before collectstatic
MEDIA_ROOT = CONFIG.data_dir / "files"
STORAGES = {
    "default": {"BACKEND": CONFIG.storage_backend},
    # Production serves hashed, compressed files collected by `collectstatic`; the embedded mode
    # serves them straight from the apps (WHITENOISE_USE_FINDERS), no build step.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if CONFIG.production
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not CONFIG.production
# Hashed names (the manifest, production) are cached a year as `immutable` by WhiteNoise itself;
# this is for names without a hash: the embedded mode's files, which change when Docflow is
# updated, so a browser asks again after five minutes (an hour in production).
WHITENOISE_MAX_AGE = 3600 if CONFIG.production else 300
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # pages carry the token; no script reads the cookie
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = CONFIG.max_upload_bytes + 1024 * 1024

EMAIL_BACKEND = CONFIG.email_backend
EMAIL_HOST = CONFIG.email_host
EMAIL_PORT = CONFIG.email_port
EMAIL_HOST_USER = CONFIG.email_user
EMAIL_HOST_PASSWORD = CONFIG.email_password
EMAIL_USE_TLS = CONFIG.email_use_tls
DEFAULT_FROM_EMAIL = CONFIG.default_from_email

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "docflow.api.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "docflow.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "docflow.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Bounded JSON (size, depth, NUL): docflow/api/parsers.py; DRF's own reads past Django's limit.
    "DEFAULT_PARSER_CLASSES": [
        "docflow.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
DOCFLOW_MAX_JSON_BYTES = 2 * 1024 * 1024
# Exchange rate limits are counted per client in a cache every process shares: Redis beside
# the broker when there is one (docflow/api/exchange/throttling.py).
CACHES = globals().get("CACHES") or {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CACHES["exchange"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CONFIG.broker_url,
     "KEY_PREFIX": "docflow-exchange"}
    if CONFIG.broker_url.startswith(("redis://", "rediss://"))
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "exchange-throttle"}
)
DOCFLOW_EXCHANGE_RATE = "120/min"
DOCFLOW_EXCHANGE_WRITE_RATE = "30/min"
DOCFLOW_MAX_JSON_DEPTH = 64
SPECTACULAR_SETTINGS = {
    "TITLE": "Docflow API",
    "DESCRIPTION": "Document routing between Vietnamese People's Committees.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files: no CDN on a commune's connection.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Logins (docs/SECURITY.md): failures are counted per username+address and per username in the
# database (shared by every process); a pair is locked after a few, a username alone after more,
# so one attacker behind a town's shared address does not lock out everyone there.
AXES_HANDLER = "docflow.tenancy.logins.LoginAttemptsHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_FAILURE_LIMIT = CONFIG.login_failures_per_address
DOCFLOW_LOGIN_FAILURES_PER_USERNAME = CONFIG.login_failures_per_username
AXES_COOLOFF_TIME = CONFIG.login_cooloff_minutes / 60  # hours
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # only failures are counted; no row per successful sign-in
# A try during the lockout does not extend it: the cool-off (and Retry-After) is what it says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "docflow.tenancy.logins.client_ip"
AXES_LOCKOUT_CALLABLE = "docflow.tenancy.logins.lockout_response"
AXES_ENABLE_ADMIN = True
DOCFLOW_TRUSTED_PROXIES = CONFIG.trusted_proxies  # X-Forwarded-For trusted only behind these
# API tokens: hashed at rest, one per sign-in, fixed lifetime from their creation.
DOCFLOW_TOKEN_DAYS = CONFIG.token_days
DOCFLOW_SECOND_FACTOR_DEFAULT = CONFIG.second_factor_default  # new agencies; on in production
OTP_TOTP_ISSUER = "Docflow"

# Celery: JSON only, late acks so a killed worker's task is redelivered, one task at a time.
CELERY_BROKER_URL = CONFIG.broker_url
CELERY_TASK_ALWAYS_EAGER = CONFIG.tasks_eager
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task running when the broker connection drops cannot be acknowledged and is delivered again
# anyway (tasks are idempotent): stop it rather than run it twice at once.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# The visibility timeout must outlast the longest task, or Redis hands it to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A lost send is re-driven by the outbox sweeper; do not block a request on a dead broker.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# Read only by workers and beat (not by publishing): they reconnect for as long as Redis is away.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
DOCFLOW_OUTBOX_RESEND_AFTER_SECONDS = 60
# Recovery (docs/RUNTIME.md): a worker renews the lease of the outbox row it runs every third of
# the lease; the sweeper (beat, every DOCFLOW_OUTBOX_SWEEP_SECONDS) re-sends a row sent but
# neither done nor leased after the redrive time. A whole worker killed is so re-driven within
# lease + sweep period (90 s); Redis's own redelivery (the visibility timeout) stays a backstop
# longer than any task, as it cannot tell a running task from a dead one.
DOCFLOW_OUTBOX_LEASE_SECONDS = 60
DOCFLOW_OUTBOX_REDRIVE_AFTER_SECONDS = 60
DOCFLOW_OUTBOX_SWEEP_SECONDS = 30
# Automatic retries: capped exponential backoff with equal jitter (half the step guaranteed),
# 12 retries spanning 17–35 minutes of a database or SMTP outage; the sweeper is the backstop.
DOCFLOW_TASK_RETRY_BASE_SECONDS = 5
DOCFLOW_TASK_RETRY_MAX_SECONDS = 300
DOCFLOW_TASK_MAX_RETRIES = 12

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": CONFIG.log_level},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # pyHanko logs every signature that fails to validate with a traceback; the result says it.
        "pyhanko.sign.validation": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
        # Axes says every attempt at INFO; failures and lockouts are WARNING.
        "axes": {"level": "WARNING"},
        # pikepdf announces its logging bridge at INFO in every process that checks a PDF.
        "pikepdf": {"level": "WARNING"},
    },
}

if CONFIG.production:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
