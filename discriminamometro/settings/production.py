"""Production settings: everything from the environment, and loud failures.

`DJANGO_SECRET_KEY` is required and must be a real secret (not a placeholder such as
`.env.example`'s); `DJANGO_DEBUG` must be off; the process refuses to start otherwise.
HTTPS is assumed: HSTS, the redirect to HTTPS and secure cookies are on unless a variable
turns them off. `manage.py check --deploy` is clean with the variables `.env.example` lists.
"""
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

# Values that must never sign sessions: the embedded default, `.env.example`'s and common placeholders.
PLACEHOLDER_WORDS = ("change-me", "changeme", "insecure", "placeholder", "example", "secret-key", "not-secret")
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT_CHARS = 20


def secret_key_problem(key: str) -> str | None:
    """Why the key is not good enough to sign sessions in production, or None."""
    lowered = key.lower()
    if any(word in lowered for word in PLACEHOLDER_WORDS):  # the embedded default and .env.example's too
        return "is a placeholder"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"has fewer than {SECRET_KEY_MIN_LENGTH} characters"
    if len(set(key)) < SECRET_KEY_MIN_DISTINCT_CHARS:
        return f"has fewer than {SECRET_KEY_MIN_DISTINCT_CHARS} distinct characters"
    return None


SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # raises ImproperlyConfigured when missing
DEBUG = env.bool("DJANGO_DEBUG", default=False)
if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production settings.")
if problem := secret_key_problem(SECRET_KEY):
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY {problem}: generate one with "
        "`python -c \"import secrets; print(secrets.token_urlsafe(50))\"`."
    )

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

# --- HTTPS ------------------------------------------------------------------------
# X-Forwarded-Proto is trusted only behind a proxy that sets it: without one, any client
# could claim HTTPS. The proxy must overwrite the header a client sends.
if env.bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# The health check is asked over plain HTTP inside the container network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
