"""Settings shared by every environment, read from environment variables.

The defaults describe the embedded mode: SQLite, a local storage folder and a
filesystem Celery broker, so the platform runs on a laptop with no servers.
A full deployment overrides them with `DATABASE_URL`, `CELERY_BROKER_URL`,
`STORAGE_*` and friends (see `.env.example`).
"""
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("DISCRIMINAMOMETRO_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY", default="insecure-embedded-default-do-not-use-in-production"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "import_export",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI as static files: no CDN is needed
    "axes",  # login throttling: labeling/login_throttling.py
    "api",
    "ingestion",
    "classifier",
    "labeling",
    "dashboard",
    "pipeline",
    "alerts",
]

# The api.middleware classes are Django's (django-csp's) with one test in front: a request that presents
# an API key skips what only browsers need (sessions, messages, the session user; api/middleware.py).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "api.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "api.middleware.SessionMiddleware",
    "api.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "api.middleware.QueryNulRefusedMiddleware",  # a NUL in a query string is a 400, never a database error
    "django.middleware.csrf.CsrfViewMiddleware",
    "api.middleware.AuthenticationMiddleware",
    "api.middleware.MessageMiddleware",
    "labeling.middleware.AnnotatorScopeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into its answer
]

# --- Content-Security-Policy (django-csp) --------------------------------------
# Scripts only from our own static files (vendored Chart.js, dashboard/ and labeling/ scripts)
# or an inline block carrying the request's nonce (`request.csp_nonce`). Inline styles stay
# allowed: the analysis bars' widths and third-party pages (admin, Swagger UI) use them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],  # chart and map PNG exports draw through data: URLs
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "discriminamometro.urls"
WSGI_APPLICATION = "discriminamometro.wsgi.application"
ASGI_APPLICATION = "discriminamometro.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "labeling.middleware.roles_context",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file in the embedded mode: WAL lets
    # readers run beside the writer, IMMEDIATE avoids lock-upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's model backend, with each user's permissions kept in the cache for a minute (see labeling/permissions.py).
# Axes's gatekeeper goes first: a locked-out login stops there (labeling/login_throttling.py).
AUTHENTICATION_BACKENDS = ["labeling.login_throttling.LoginThrottleBackend", "labeling.permissions.CachedModelBackend"]
# Login throttling (django-axes), for /cuenta/entrar/ and /admin/login/: after 5 failures of one
# username from one address, that pair is refused (even with the right password) for 15 minutes.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "labeling.login_throttling.login_locked_out"
AXES_RESET_ON_SUCCESS = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "es-mx"
# Spanish only until a translation is complete: a browser asking for English would
# otherwise get an English admin around Spanish pages.
LANGUAGES = [("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["discriminamometro.formats"]  # Mexico's number and date formats for "es"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="America/Mexico_City")
USE_I18N = True
USE_TZ = True

# --- Static files and storage ----------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request without it
MEDIA_ROOT = VAR_DIR / "media"

# The raw archive lives in its own storage alias ("archive"). Without a bucket it
# is a local folder; with STORAGE_BUCKET it is S3 (or any S3-compatible server).
STORAGE_BUCKET = env.str("STORAGE_BUCKET", default="")
if STORAGE_BUCKET:
    ARCHIVE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_BUCKET,
            "endpoint_url": env.str("STORAGE_ENDPOINT_URL", default="") or None,
            "access_key": env.str("STORAGE_ACCESS_KEY", default="") or None,
            "secret_key": env.str("STORAGE_SECRET_KEY", default="") or None,
            "region_name": env.str("STORAGE_REGION", default="") or None,
            "location": env.str("STORAGE_PREFIX", default=""),
            "file_overwrite": False,
            "default_acl": None,
        },
    }
else:
    ARCHIVE_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.str("STORAGE_LOCAL_DIR", default=str(VAR_DIR / "archive"))},
    }
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    },
    "archive": ARCHIVE_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Celery -----------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost//")  # a host, or kombu warns at every connection
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("out", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),  # kombu's default is ./control, beside the sources
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_TASK_TIME_LIMIT = 11 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.KeyRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.FastJSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API del Discriminamómetro",
    "DESCRIPTION": (
        "Clasificación de textos en español (¿es discriminatorio? ¿de qué categoría?), "
        "predicción de cualquier tarea entrenada y lectura de publicaciones, estadísticas, "
        "modelos y diccionario. Autenticación: `Authorization: Api-Key <clave>`.\n\n"
        "Para probar una operación desde esta página: **Authorize** (arriba) guarda tu clave, "
        "**Try it out** abre el formulario de la operación y **Execute** la envía."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True, "displayRequestDuration": True},
}
API = {
    "MAX_TEXTS": env.int("API_MAX_TEXTS", default=1000),
    "MAX_TEXT_CHARS": env.int("API_MAX_TEXT_CHARS", default=5000),
    # A full batch (1,000 texts of 5,000 characters) fits; JSON escapes can double a text's bytes.
    "MAX_BODY_BYTES": env.int("API_MAX_BODY_BYTES", default=12 * 1024 * 1024),
    # Requests per minute of a key (its own limit is set in the admin), a logged-in
    # browser session and an anonymous client (per IP, the movie-genre reference route).
    "DEFAULT_KEY_RATE": env.int("API_DEFAULT_KEY_RATE", default=600),
    "SESSION_RATE": env.int("API_SESSION_RATE", default=300),
    "ANONYMOUS_RATE": env.int("API_ANONYMOUS_RATE", default=60),
    "EXPLANATION_WORDS": env.int("API_EXPLANATION_WORDS", default=8),
}

# --- Ingestion ----------------------------------------------------------------
X_BEARER_TOKEN = env.str("X_BEARER_TOKEN", default="")
X_API_BASE_URL = env.str("X_API_BASE_URL", default="https://api.twitter.com/2/")
# X's pay-per-use price of one post read (USD), for the admin's cost estimate; a source may set its own.
X_PRICE_PER_POST = env.str("X_PRICE_PER_POST", default="0.005")
# Bluesky: Jetstream (the public JSON firehose; any compatible URL) and the public profile endpoint.
BLUESKY_JETSTREAM_URL = env.str(
    "BLUESKY_JETSTREAM_URL",
    default="wss://jetstream2.us-east.bsky.network/subscribe?wantedCollections=app.bsky.feed.post",
)
BLUESKY_APPVIEW_URL = env.str("BLUESKY_APPVIEW_URL", default="https://public.api.bsky.app")
INGESTION = {
    # A running run whose heartbeat is older than this is considered dead and
    # no longer blocks the next run of its source.
    "RUN_LEASE_SECONDS": env.int("INGESTION_RUN_LEASE_SECONDS", default=15 * 60),
    "BATCH_SIZE": env.int("INGESTION_BATCH_SIZE", default=2000),
    "MAX_TEXT_CHARS": env.int("INGESTION_MAX_TEXT_CHARS", default=10_000),
    "MAX_LINE_BYTES": env.int("INGESTION_MAX_LINE_BYTES", default=5 * 1024 * 1024),
    # A gzipped file is refused once it has inflated past this, whatever its ratio allows.
    "MAX_DECOMPRESSED_BYTES": env.int("INGESTION_MAX_DECOMPRESSED_BYTES", default=16 * 1024**3),
    # Longest wait in-process for an X API rate-limit window; longer ones reschedule.
    "RATE_LIMIT_MAX_WAIT_SECONDS": env.int("INGESTION_RATE_LIMIT_MAX_WAIT_SECONDS", default=60),
}

# --- Alerts and bulletins ---------------------------------------------------------
# Where the links in alerts and bulletins point: the site's public address.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# E-mail through any SMTP server: EMAIL_URL=smtp://user:password@host:587/?tls=True (django-environ's form).
# Without it, the embedded default writes each e-mail to a file under var/mail instead of sending it.
_EMAIL = env.email_url("EMAIL_URL", default="filemail://")
EMAIL_BACKEND = _EMAIL["EMAIL_BACKEND"]
EMAIL_HOST = _EMAIL["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _EMAIL["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _EMAIL["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _EMAIL["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = bool(_EMAIL.get("EMAIL_USE_TLS") or _EMAIL.get("OPTIONS", {}).get("TLS"))
EMAIL_USE_SSL = bool(_EMAIL.get("EMAIL_USE_SSL"))
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=15)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Discriminamómetro <alertas@localhost>")
# Telegram's Bot API: a channel is offered only where a bot token is set.
TELEGRAM_BOT_TOKEN = env.str("TELEGRAM_BOT_TOKEN", default="")
TELEGRAM_API_URL = env.str("TELEGRAM_API_URL", default="https://api.telegram.org").rstrip("/")
ALERTS = {
    # Attempts of one message before it is marked failed; the wait doubles from BACKOFF_SECONDS.
    "MAX_ATTEMPTS": env.int("ALERTS_MAX_ATTEMPTS", default=6),
    "BACKOFF_SECONDS": env.int("ALERTS_BACKOFF_SECONDS", default=30),
    # Longest wait for a webhook or Telegram to answer: a dead endpoint holds a worker this long at most.
    "TIMEOUT_SECONDS": env.int("ALERTS_TIMEOUT_SECONDS", default=10),
}

# --- Public corpora (`manage.py datasets`) -----------------------------------------
# Where `datasets fetch` keeps the files it has verified, one folder per corpus; and an
# organisation's own copies, looked up as DATASETS_MIRROR/<corpus>/<file>, to download
# from instead of the publishers.
DATASETS_DIR = Path(env.str("DATASETS_DIR", default=str(VAR_DIR / "datasets")))
DATASETS_MIRROR = env.str("DATASETS_MIRROR", default="")

# --- Logging ------------------------------------------------------------------------
# One line format in web, worker and beat: time, level, logger, message. Every process logs in
# TIME_ZONE (Django sets the process's TZ from it) with logging's own date format, which Celery's
# formatter uses too. Under `make run` honcho already stamps each line, so Procfile.dev turns the
# processes' own stamp off (LOG_TIMESTAMPS=false).
LOG_FORMAT = ("%(asctime)s " if env.bool("LOG_TIMESTAMPS", default=True) else "") + "%(levelname)s %(name)s: %(message)s"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": LOG_FORMAT}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's defaults give "django" a console handler of its own (on with DEBUG), so that with the
        # root's each of its records (a 404's "Not Found", a view's error) was printed twice; and
        # "django.server" (runserver's request lines) another, with a date format of its own. Here both
        # only pass their records up to the root's handler.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        # gensim logs every epoch's progress at INFO; its warnings are enough.
        "gensim": {"level": "WARNING"},
        "smart_open": {"level": "WARNING"},
        # django-axes announces its version at INFO in every process that starts.
        "axes.apps": {"level": "WARNING"},
    },
}
# The Celery worker and beat put a handler of their own on the root logger: the same line.
CELERY_WORKER_LOG_FORMAT = LOG_FORMAT
CELERY_WORKER_TASK_LOG_FORMAT = LOG_FORMAT.replace("%(name)s", "%(task_name)s[%(task_id)s]")
