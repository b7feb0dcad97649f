"""Production settings: everything from the environment, and loud failures.

`DJANGO_SECRET_KEY` is required and `DJANGO_DEBUG` must be off; the process
refuses to start otherwise.
"""
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # raises ImproperlyConfigured when missing
DEBUG = env.bool("DJANGO_DEBUG", default=False)
if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production settings.")
if SECRET_KEY.startswith("insecure-") or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a long random value in production.")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
# No embedded fallbacks in production: a missing server is a configuration error.
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL")
# API keys and rate-limit counters are shared by every web process through Redis.
REDIS_URL = env.str("REDIS_URL")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
# Sessions read from Redis on every page, written through to the database so a Redis restart logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CELERY_BROKER_TRANSPORT_OPTIONS = {}  # type: ignore[no-redef]  # the embedded filesystem options do not apply
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
