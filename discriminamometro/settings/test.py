"""Test settings: the real PostgreSQL and Redis that run on every machine."""
import tempfile

from .base import *  # noqa: F403
from .base import env

DEBUG = False
DATABASES = {
    "default": env.db(
        "TEST_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/discriminamometro"
    )
}
REDIS_URL = env.str("TEST_REDIS_URL", default="redis://127.0.0.1:6379/14")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
CELERY_BROKER_URL = env.str("TEST_CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
# A message whose worker died unacknowledged is handed out again after this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("TEST_VISIBILITY_TIMEOUT", default=3600)}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "archive": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env.str("TEST_ARCHIVE_DIR", default="") or tempfile.mkdtemp(prefix="discriminamometro-archive-")
        },
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
X_BEARER_TOKEN = "test-bearer-token"
