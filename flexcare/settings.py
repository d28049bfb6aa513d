"""Django settings, read entirely from environment variables (see .env.example).

There is one settings module. Production behaviour is what you get when DEBUG is off; the
quickstart turns DEBUG on. Every variable here is listed in .env.example and in the README.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from flexcare.redis_url import celery_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # git-ignored: SQLite file, embedded broker, beat schedule

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

# --- Core -------------------------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    # Without it every request would answer 400: say so at start-up instead.
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
ADMIN_URL = env.str("ADMIN_URL", default="admin/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "flexcare",
    "accounts",
    "devices",
    "conferences",
    # Demo data, the fake VDX and the tablet simulator, installed for their management
    # commands. No production module imports them; seed_demo refuses to run with DEBUG off
    # unless forced (for a throwaway database).
    "devtools",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "flexcare.api.middleware.ApiMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "flexcare.api.middleware.LocaleMiddleware",  # Django's, but API paths stay English
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.sessions.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "flexcare.urls"
WSGI_APPLICATION = "flexcare.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
                "flexcare.context.vdx_mode",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'flexcare.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # The quickstart runs web, worker and beat against one file: WAL and a busy timeout keep
    # them from failing with "database is locked"; IMMEDIATE makes writers queue up front.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The tablets' polls prepare their statements on PostgreSQL (flexcare/fast_read.py). Off
# behind a connection pooler in transaction mode that cannot hold them (PgBouncer < 1.21).
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)

# --- Passwords, i18n, static files ------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("da", "Dansk")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["flexcare.formats"]  # one 24-hour date form in every language
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Copenhagen")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns at every start without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed but not hashed: no manifest is needed, so pages render before collectstatic.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Security (on by default when DEBUG is off; each switchable for TLS-terminating proxies) ---

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/?$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# Admin sessions fit a shared ward PC (accounts.sessions): they end this many minutes after the
# last request, and this many hours after the login however busy.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=8)
X_FRAME_OPTIONS = "DENY"

# --- REST API ---------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "flexcare.api.parsers.ObjectJSONParser",
        "flexcare.api.parsers.StorableFormParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "flexcare.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_RATES": {
        "tablet_login": env.str("TABLET_LOGIN_RATE", default="20/min"),
    },
    # How many proxies sit in front of us: the client address for throttling is taken from
    # X-Forwarded-For only that deep, so clients cannot pick their own address.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}

# Registration and every token reset open a tablet for login by serial or barcode this long
# (docs/domain.md#claim-window, devices.services.device_token_issue); 0 refuses every such login.
TABLET_CLAIM_MINUTES = max(0, env.int("TABLET_CLAIM_MINUTES", default=30))

SPECTACULAR_SETTINGS = {
    "TITLE": "FlexCare Conference API",
    "DESCRIPTION": "Tablet and employee endpoints, wire-compatible with the TelecomX platform.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "flexcare.api.schema.object_id_path_parameters",
        "flexcare.api.schema.body_error_responses",
        "flexcare.api.schema.required_request_bodies",
    ],
}

# --- Employee API: user tokens and the failed-login lockout (accounts.authentication, .lockout) --

# A non-persistent user token expires this long after its last use (recorded once a minute).
EMPLOYEE_TOKEN_IDLE_MINUTES = env.int("EMPLOYEE_TOKEN_IDLE_MINUTES", default=15)
# Revoked and expired tokens (employee and tablet) are deleted this long after they died.
TOKEN_PURGE_AFTER_HOURS = env.int("TOKEN_PURGE_AFTER_HOURS", default=24)
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["employee_login"] = env.str(
    "EMPLOYEE_LOGIN_RATE", default="30/min"
)
# django-axes counts failed logins (API and admin) per e-mail address, in the database so that
# every web process sees them, and refuses that account's logins for the cool-off.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as axes requires
AUTHENTICATION_BACKENDS = [
    "accounts.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=max(1, env.int("LOGIN_LOCKOUT_MINUTES", default=15)))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# A lockout ends LOGIN_LOCKOUT_MINUTES after the failure that caused it; tries meanwhile are
# refused without extending it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Successful logins are not logged by axes (last_login records them): an access-log row would
# also create a session for every API login.
AXES_DISABLE_ACCESS_LOG = True
# axes.W006 asks for the client address among the lockout keys. We lock accounts, not addresses:
# a hospital's staff share one address behind NAT, and locking it would lock them all out.
# Addresses are throttled instead (EMPLOYEE_LOGIN_RATE).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- Cache (throttling counters; shared between web processes when Redis is configured) ---

REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        # Fails open while Redis is out of reach (flexcare.cache), and never waits on it long.
        {"BACKEND": "flexcare.cache.FailOpenRedisCache", "LOCATION": REDIS_URL,
         "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Celery -----------------------------------------------------------------------------------
# With REDIS_URL unset, Celery uses kombu's filesystem transport so that the quickstart needs
# no server. Production sets REDIS_URL (a system check warns otherwise).

CELERY_DATA_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = CELERY_RESULT_BACKEND = celery_url(REDIS_URL)
else:
    for sub in ("broker", "results", "control"):
        (CELERY_DATA_DIR / sub).mkdir(parents=True, exist_ok=True)
    # A host that means nothing to the filesystem transport, named so that kombu does not warn
    # "No hostname was supplied" at every connection.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "broker"),
        "data_folder_out": str(CELERY_DATA_DIR / "broker"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_DATA_DIR / 'results'}"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
# Nothing reads a task's result but `manage.py healthcheck`, whose ping asks for its own. A task
# queued without one neither subscribes to its result in Redis nor stores it: with Redis down,
# a request that queues a task gives up publishing in about a second instead of retrying that
# subscription for twenty, holding its web worker (docs/lifecycle.md#under-faults).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# A provisioning step may make three VDX calls, each with its own retries and timeouts.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=150)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
# A task is acknowledged only once it finished, and re-queued if its worker dies mid-way: every
# task is written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The periodic lifecycle jobs, functions of conferences.sweeps named here and nowhere else, each
# run every LIFECYCLE_SWEEP_SECONDS by the task conferences.sweep.
LIFECYCLE_SWEEP_SECONDS = env.float("LIFECYCLE_SWEEP_SECONDS", default=15.0)
CELERY_BEAT_SCHEDULE = {
    job: {
        "task": "conferences.sweep",
        "schedule": LIFECYCLE_SWEEP_SECONDS,
        "args": (job,),
        # A sweep that could not run in time is superseded by the next one.
        "options": {"expires": LIFECYCLE_SWEEP_SECONDS},
    }
    for job in ("expire_commands", "finish_due_closings", "close_unstarted_meetings",
                "start_due_meetings", "end_due_meetings", "resume_lost_work")
} | {
    # Hourly: tokens long dead, and guests' addresses past their retention.
    task: {"task": task, "schedule": 3600.0, "options": {"expires": 3600.0}}
    for task in ("accounts.purge_tokens", "devices.purge_tokens", "conferences.purge_guests")
} | {
    # Days whose meetings are all closed, into the usage rollup (reports.rollup).
    "reports.rollup_usage": {
        "task": "reports.rollup_usage", "schedule": 600.0, "options": {"expires": 600.0}
    },
}

# --- Meeting and command lifecycle (docs/domain.md#meeting-lifecycle) -------------------------

COMMAND_CLAIM_SECONDS = env.int("COMMAND_CLAIM_SECONDS", default=30)
COMMAND_MAX_DELIVERIES = env.int("COMMAND_MAX_DELIVERIES", default=5)
COMMAND_TTL_SECONDS = env.int("COMMAND_TTL_SECONDS", default=600)
COMMAND_QUEUE_LIMIT = env.int("COMMAND_QUEUE_LIMIT", default=50)
MEETING_START_WINDOW_SECONDS = env.int("MEETING_START_WINDOW_SECONDS", default=30 * 60)
MEETING_MAX_DURATION_SECONDS = env.int("MEETING_MAX_DURATION_SECONDS", default=4 * 3600)
MEETING_CLOSE_GRACE_SECONDS = env.int("MEETING_CLOSE_GRACE_SECONDS", default=120)
# A meeting booked ahead is shown to its tablets (getmeeting) this long before its start.
MEETING_TABLET_LEAD_SECONDS = env.int("MEETING_TABLET_LEAD_SECONDS", default=300)
# Guests' e-mail addresses are deleted this many days after their meeting closed (hourly job).
GUEST_RETENTION_DAYS = env.int("GUEST_RETENTION_DAYS", default=30)
PROVISION_POLL_SECONDS = env.float("PROVISION_POLL_SECONDS", default=3.0)
PROVISION_TIMEOUT_SECONDS = env.int("PROVISION_TIMEOUT_SECONDS", default=600)
PROVISION_MAX_ATTEMPTS = env.int("PROVISION_MAX_ATTEMPTS", default=6)
PROVISION_BACKOFF_SECONDS = env.float("PROVISION_BACKOFF_SECONDS", default=2.0)
PROVISION_BACKOFF_MAX_SECONDS = env.float("PROVISION_BACKOFF_MAX_SECONDS", default=60.0)
PROVISION_STALE_SECONDS = env.int("PROVISION_STALE_SECONDS", default=300)
DEVICE_ONLINE_SECONDS = env.int("DEVICE_ONLINE_SECONDS", default=120)
DEVICE_LAST_SEEN_WRITE_SECONDS = env.int("DEVICE_LAST_SEEN_WRITE_SECONDS", default=60)

# --- MedCom VDX booking (conferences/providers/vdx.py) -----------------------------------------

VDX_PROVIDER = env.str("VDX_PROVIDER", default="fake")  # "fake" (offline) or "vdx"
VDX_API_URL = env.str("VDX_API_URL", default="")
VDX_TOKEN_URL = env.str("VDX_TOKEN_URL", default="")
VDX_CLIENT_ID = env.str("VDX_CLIENT_ID", default="")
VDX_CLIENT_SECRET = env.str("VDX_CLIENT_SECRET", default="")
VDX_CLIENT_CERT = env.str("VDX_CLIENT_CERT", default="")
VDX_CLIENT_KEY = env.str("VDX_CLIENT_KEY", default="")
VDX_TIMEOUT_SECONDS = env.float("VDX_TIMEOUT_SECONDS", default=10.0)
VDX_CA_BUNDLE = env.str("VDX_CA_BUNDLE", default="")  # PEM CAs for VDX's server certificate
VDX_RETRIES = env.int("VDX_RETRIES", default=3)  # retries of a call after its first attempt
VDX_BACKOFF_SECONDS = env.float("VDX_BACKOFF_SECONDS", default=0.5)
# The three join links, str.format templates over {uri} {uri_without_domain} {uri_domain} {pin}
# {host_pin} {portal_link} {short_link}. VDX builds the guest portal link and the short link
# itself, so those are the defaults. No source names a Pexip web-app host for VDX; the product's
# example link (https://rooms.dk/webapp/?conference=test@rooms.dk&pin=...) serves the legacy
# Pexip web app from the room's own domain, so the clinical default does the same. Only the guest
# PIN goes into links: a host PIN in a link gives control of the meeting.
VDX_DESKTOP_LINK_TEMPLATE = env.str("VDX_DESKTOP_LINK_TEMPLATE", default="{portal_link}")
VDX_CLINICAL_LINK_TEMPLATE = env.str(
    "VDX_CLINICAL_LINK_TEMPLATE",
    default="https://{uri_domain}/webapp/?conference={uri}&pin={pin}&join=1",
)
VDX_MOBILE_LINK_TEMPLATE = env.str("VDX_MOBILE_LINK_TEMPLATE", default="{short_link}")

# --- E-mail: guests' invitations (docs/lifecycle.md#invitations) --------------------------------
# A URL (django-environ): smtp://user:password@host:587 (smtp+tls://… STARTTLS, smtp+ssl://…
# TLS from the start), filemail:///var/mail (files, relative to the project; the quickstart's
# default), consolemail://. Without DEBUG the default is an SMTP server on localhost.
EMAIL_URL = env.str(
    "EMAIL_URL", default="filemail:///var/mail" if DEBUG else "smtp://localhost:25"
)
_email = env.email_url_config(EMAIL_URL)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = str(BASE_DIR / _email["EMAIL_FILE_PATH"])  # an absolute path stays as it is
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="FlexCare <noreply@flexcare.invalid>")
# Seconds an SMTP connection may block: a mail server that hangs must not hold a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT_SECONDS", default=20)

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "quiet_forbidden": {"()": "flexcare.log_filters.QuietForbidden"},
        "quiet_periodic_jobs": {"()": "flexcare.log_filters.QuietPeriodicJobs"},
        "redact_tokens": {"()": "flexcare.log_filters.RedactTokens"},
        # django-axes logs its start and every login at INFO: routine, so DEBUG here.
        "axes_to_debug": {"()": "flexcare.log_filters.ToDebug", "prefix": "axes"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["axes_to_debug"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"filters": ["quiet_forbidden"]},
        # runserver's access log (gunicorn's is redacted by gunicorn.conf.py).
        "django.server": {"filters": ["redact_tokens"]},
        **{name: {"filters": ["quiet_periodic_jobs"]}
           for name in ("celery.beat", "celery.worker.strategy", "celery.worker.request",
                        "celery.app.trace")},
    },
}
