"""Settings shared by every environment.

Everything that differs between machines comes from the environment (see ``docs/configuration.md``).
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

# ------------------------------------------------------------------------------
# General
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
TIME_ZONE = "Europe/London"
LANGUAGE_CODE = "en-gb"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# ------------------------------------------------------------------------------
# Databases
# ------------------------------------------------------------------------------
# SQLite file by default; PostgreSQL (psycopg 3) when DATABASE_URL says so.
def database_from_url(url: str) -> dict:
    """A database URL as a Django database: the services own their transactions, and on
    PostgreSQL the parameters go apart from the SQL and psycopg prepares a statement run five
    times on a connection, so PostgreSQL parses and plans it once per connection rather than on
    every request (the case list's database time 2.6 -> 1.2 ms, docs/benchmarks.md).
    ``AIA_DB_PREPARED_STATEMENTS=false`` turns that off, for a pooler in transaction mode that
    cannot carry prepared statements."""
    database = env.db_url_config(url)
    database["ATOMIC_REQUESTS"] = False
    if database["ENGINE"] == "django.db.backends.postgresql" and env.bool(
        "AIA_DB_PREPARED_STATEMENTS", default=True
    ):
        database.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
    return database


DATABASES = {
    "default": database_from_url(
        env("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
    )
}

# ------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    # The admin, for superusers who have verified a one-time code (aia.admin_site).
    "aia.apps.AIAAdminConfig",
    # Before django.contrib.auth, so that its ``changepassword`` command (which changes a
    # password through the service that revokes the account's API token) is the one run.
    "aia",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Sign-in throttling and lockout after repeated failures.
    "axes",
    # One-time codes from an authenticator app, the second factor of signing in.
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Browser forms in the GOV.UK Design System's markup (crispy-forms-gds pins crispy < 2.4).
    "crispy_forms",
    "crispy_forms_gds",
    # Beat's schedule and each periodic task's last run, in the database (see Celery below).
    "django_celery_beat",
]

AUTH_USER_MODEL = "aia.User"
LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:sign-in"

MIDDLEWARE = [
    # First: under /api/, a foreign host and any error Django would answer in HTML get the envelope.
    "aia.api.middleware.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session has entered its one-time code.
    "django_otp.middleware.OTPMiddleware",
    # Holds a session that needs a one-time code at that step until it is entered.
    "aia.web.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so that it sees the outcome of every sign-in attempt.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, which also answers from permissions loaded in bulk.
    "aia.permission_loading.ModelBackend",
]

# The name authenticator apps show beside the codes. Keys are never shown in the admin.
OTP_TOTP_ISSUER = env("AIA_OTP_ISSUER", default="AIA")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "aia.web.context_processors.web",
            ],
            # The browser pages' tags (aia.web is a package of the aia app, not an app).
            "libraries": {"aia_web": "aia.web.templatetags.aia_web"},
        },
    },
]

# ------------------------------------------------------------------------------
# Passwords and sessions
# ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# An idle timeout: every request renews the session, so it ends after this long unused.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# ------------------------------------------------------------------------------
# Sign-in protection (django-axes) and the Content Security Policy (django-csp)
# ------------------------------------------------------------------------------
# Five failures lock a username (whatever the address) and an address (whatever the username)
# for 15 minutes: a brute-force run is stopped either way, at the price that someone can lock a
# colleague out for a quarter of an hour.
AXES_FAILURE_LIMIT = env.int("AIA_SIGN_IN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AIA_SIGN_IN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_VERBOSE = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "aia/web/locked_out.html"
AXES_LOCKOUT_CALLABLE = "aia.lockout.lockout_response"
# Only our own files: no inline script or style, no third-party origin, no framing by others.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    },
}

# ------------------------------------------------------------------------------
# Static and media files
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "aia" / "static"]
# GOV.UK Frontend's prebuilt CSS, JS, fonts and images, installed by `npm ci` (`make assets`);
# served as static/govuk/. Its CSS asks for /assets/…, which config.urls redirects there.
GOVUK_FRONTEND_DIR = BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"
if GOVUK_FRONTEND_DIR.is_dir():
    STATICFILES_DIRS.append(("govuk", GOVUK_FRONTEND_DIR))
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"
# Where the daily chain-head digests go (aia.services.anchors): storage the database cannot
# rewrite: in production, an append-only directory or an object-locked bucket
# (docs/configuration.md, AIA_ANCHORS_ROOT).
ANCHORS_ROOT = env.path("AIA_ANCHORS_ROOT", default=BASE_DIR / "var" / "anchors")
ANCHORS_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(ANCHORS_ROOT)},
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "anchors": ANCHORS_STORAGE,
}
# Files in an S3-compatible object store (AWS S3, MinIO) once a bucket is named, so that every
# web process can serve what any worker wrote; the local disk otherwise (``make run``). Files are
# private: the web process streams them after the need-to-know check and the SHA-256 check
# (aia.stored_files), so no URL is handed out, and a name already taken gets a new one instead of
# overwriting a signed file.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")


def _s3_storage(bucket_name: str) -> dict:
    """django-storages' S3 backend for ``bucket_name``, from the standard AWS_* names."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket_name,
            # Unset for AWS itself; the store's address for MinIO and others.
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="") or None,
            "access_key": env("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default="") or None,
            "region_name": env("AWS_S3_REGION_NAME", default="") or None,
            # MinIO and most other stores answer at one host name, the bucket in the path.
            "addressing_style": env(
                "AWS_S3_ADDRESSING_STYLE",
                default="path" if env("AWS_S3_ENDPOINT_URL", default="") else "auto",
            ),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=60),
            "file_overwrite": False,
            # A file read from the bucket is held in memory up to 8 MiB, then in a temporary
            # file: a 20 MiB source file does not sit whole in a web process's memory.
            "max_memory_size": 8 * 1024 * 1024,
        },
    }


if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = _s3_storage(AWS_STORAGE_BUCKET_NAME)
# The chain-head digests in a bucket of their own when one is named, so that whichever worker
# host runs the daily task writes to, and chains from, the same place; give that bucket object
# lock (WORM retention) so that nobody, the database's administrators included, can rewrite a
# digest (docs/deployment.md). The same AWS_* settings reach it.
AIA_ANCHORS_BUCKET = env("AIA_ANCHORS_BUCKET", default="")
if AIA_ANCHORS_BUCKET:
    STORAGES["anchors"] = _s3_storage(AIA_ANCHORS_BUCKET)

# ------------------------------------------------------------------------------
# Browser forms (crispy-forms-gds)
# ------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# ------------------------------------------------------------------------------
# Cache
# ------------------------------------------------------------------------------
# The cache keeps what every process must share: the API's throttle counts (DRF), so that a
# rate is the service's rate, not each worker's, and survives a restart. Redis when there is
# one (production); otherwise memory, per process (``make run``, the tests). A Redis outage
# must not stop the service: cache errors are then logged and ignored, and throttling lets
# requests through (django-axes, which counts in the database, still locks out sign-ins).
# Redis: the Celery broker (below) and, when set, the cache.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "aia",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# ------------------------------------------------------------------------------
# Celery
# ------------------------------------------------------------------------------
# Without a broker the tasks run in-process, so a laptop needs no Redis.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Fail fast when the broker is down: the outbox keeps the work and the sweeper sends it later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 15 * 60}
# Recycle workers: WeasyPrint's memory grows over long runs.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=50)
CELERY_TIMEZONE = TIME_ZONE
# Integration tests run beat with every periodic job due each few seconds.
_beat_interval = env.float("AIA_BEAT_INTERVAL_SECONDS", default=0)
CELERY_BEAT_SCHEDULE = {
    # Every minute: send outbox work that was never sent or was lost.
    "outbox-sweep": {"task": "aia.tasks.outbox_sweep", "schedule": 60.0},
    # Every 15 minutes: deadline reminders and escalations (each sent once).
    "deadline-reminders": {"task": "aia.tasks.deadline_reminders", "schedule": 15 * 60.0},
    # 07:00 London time: the daily digest (https://crontab.guru/#0_7_*_*_*).
    "daily-digest": {
        "task": "aia.tasks.daily_digest",
        "schedule": crontab(hour=7, minute=0),
    },
    # 02:00 London time: publish every case's chain head outside the database.
    "chain-heads-digest": {
        "task": "aia.tasks.chain_heads_digest",
        "schedule": crontab(hour=2, minute=0),
    },
}
if _beat_interval:
    for _job in CELERY_BEAT_SCHEDULE.values():
        _job["schedule"] = _beat_interval
# Beat keeps the schedule above, and when each task last ran, in the database: a beat restarted
# on another host carries on from there rather than from a file on one machine's disk. It copies
# CELERY_BEAT_SCHEDULE into the database each time it starts, so this file stays the source.
# Run exactly one beat (docs/deployment.md); each periodic task is also safe to run twice.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# ------------------------------------------------------------------------------
# Email
# ------------------------------------------------------------------------------
# Where mail goes, as one URL that django-environ reads: ``smtp://host:25``,
# ``smtp+tls://user:password@host:587``, ``consolemail://`` (printed: the default, unset or
# empty). Production without it sends by SMTP (config.settings.production).
_email = env.email_url_config(env("EMAIL_URL", default="") or "consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
# Seconds: a mail server that stops answering fails the email (which is tried again later)
# instead of holding a worker until the task's time limit.
EMAIL_TIMEOUT = 10

# ------------------------------------------------------------------------------
# Django REST framework
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "aia.api.authentication.TokenAuthentication",
        "aia.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON in and out; bodies are capped at DATA_UPLOAD_MAX_MEMORY_SIZE (aia.api.parsers).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["aia.api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "aia.api.exceptions.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "aia.api.pagination.PageNumberPagination",
    # Only sign-in and trigger ingestion are throttled (aia.api.throttling).
    "DEFAULT_THROTTLE_RATES": {
        "auth": env("AIA_API_THROTTLE_AUTH", default="10/min"),
        "triggers": env("AIA_API_THROTTLE_TRIGGERS", default="120/min"),
    },
    # How many proxies in front of the app add to X-Forwarded-For: throttling takes the client's
    # address from that header only behind them. None by default: the header is the client's
    # to write, so the connection's own address counts (DRF would otherwise trust the header).
    "NUM_PROXIES": env.int("AIA_API_NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# How long an API token works after it is issued; signing in again once it has expired issues
# a new one (aia.api.auth). A token that leaks is not good for ever.
AIA_API_TOKEN_LIFETIME = datetime.timedelta(
    hours=env.int("AIA_API_TOKEN_LIFETIME_HOURS", default=24)
)
SPECTACULAR_SETTINGS = {
    "TITLE": "AIA — Atrocity Impact Assessment API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Token authentication: get a token from `POST /api/v1/auth/token/` and send "
        "`Authorization: Token <token>`. JSON only. Every error answers "
        '`{"message": "…", "extra": {…}}`: 400 invalid input (`extra.fields`), 401 no valid '
        "token, 403 not allowed, 404 not found or not visible, 409 the state or a guard "
        "forbids it, 429 throttled (`extra.retry_after`). See docs/api.md."
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs are public and need no token (a bad one must not break them).
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Then what drf-spectacular cannot infer: strict bodies, shared enums (aia.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "aia.api.schema.strict_and_shared",
    ],
    # One name per choice set (confidence shares Level's high/medium/low).
    "ENUM_NAME_OVERRIDES": {
        "CapacityEnum": "aia.models.choices.Capacity",
        "CaseStateEnum": "aia.models.choices.CaseState",
        "CoreOptionCategoryEnum": "aia.api.serializers.CORE_CATEGORY_CHOICES",
        "CrimeEnum": "aia.models.choices.Crime",
        "DecisionEnum": "aia.models.choices.Decision",
        "EventTypeEnum": "aia.models.choices.EventType",
        "FindingEnum": "aia.models.choices.Finding",
        "InstrumentEnum": "aia.models.choices.Instrument",
        "LeadDepartmentEnum": "aia.models.choices.LeadDepartment",
        "LevelEnum": "aia.models.choices.Level",
        "MarkingEnum": "aia.models.choices.Marking",
        "OptionCategoryEnum": "aia.models.choices.OptionCategory",
        "OptionDecisionEnum": "aia.api.serializers.OPTION_DECISION_CHOICES",
        "RatingEnum": "aia.models.choices.Rating",
        "RecommendationEnum": "aia.models.choices.Recommendation",
        "ReportStatusEnum": "aia.models.choices.ReportStatus",
        "SectionCodeEnum": "aia.api.serializers.SECTION_CODE_CHOICES",
        "SectionKindEnum": "aia.models.choices.SectionKind",
        "SectionStatusEnum": "aia.models.choices.SectionStatus",
        "TrackEnum": "aia.models.choices.Track",
        "TriggerKindEnum": "aia.models.choices.TriggerKind",
        "TriggerOutcomeEnum": "aia.api.serializers.TRIGGER_OUTCOME_CHOICES",
    },
    # Served from drf-spectacular-sidecar's static files: the docs page needs no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {
        "deepLinking": True,
        "persistAuthorization": True,
        # Swagger UI would otherwise send the schema to an online validator.
        "validatorUrl": None,
    },
}

# ------------------------------------------------------------------------------
# AIA
# ------------------------------------------------------------------------------
# The assessment framework (UN Framework of Analysis + AIA dimensions) loaded by aia.framework.
AIA_FRAMEWORK_FILE = BASE_DIR / "aia" / "framework" / "framework-v1.yaml"
# The address used in emails to link back to AIA.
AIA_SITE_URL = env("AIA_SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="aia-noreply@localhost")
# Whether someone who may not see a situation's open case (not on its team, or not cleared for
# its marking) may still add a trigger to it. Yes by default: a warning must not be lost. They
# are answered with a receipt that names no case, the case's team is told, and the audit trail
# records it. With false, such a trigger is refused (which tells the poster that the situation
# has a case they may not see).
AIA_INTAKE_JOIN_UNSEEN_CASES = env.bool("AIA_INTAKE_JOIN_UNSEEN_CASES", default=True)
# The largest file a case's source library accepts (aia.uploads), in bytes: 20 MiB.
AIA_SOURCE_MAX_BYTES = env.int("AIA_SOURCE_MAX_BYTES", default=20 * 1024 * 1024)
# Serve GET /api/v1/_bench/ping/, the bare endpoint bench/api_bench.py compares against.
AIA_BENCH_ENDPOINTS = env.bool("AIA_BENCH_ENDPOINTS", default=False)

# ------------------------------------------------------------------------------
# Logging
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every layout step at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes logs every attempt at INFO; the security log keeps what matters.
        "axes": {"level": "WARNING"},
    },
}
