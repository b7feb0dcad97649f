"""Settings come from the environment; production refuses to start when misconfigured."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "discriminamometro.settings.production",
    "DJANGO_SECRET_KEY": "k" * 50,
    "DJANGO_ALLOWED_HOSTS": "example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
}


def django_setup(env: dict[str, str], unset: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in unset and not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "REDIS_URL"))
    }
    environment.update({k: v for k, v in env.items() if k not in unset})
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)


def test_production_starts_with_everything_set():
    result = django_setup(PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False django.db.backends.postgresql"


def test_production_refuses_to_start_without_a_secret_key():
    result = django_setup(PRODUCTION_ENV, unset=("DJANGO_SECRET_KEY",))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_with_debug_on():
    result = django_setup({**PRODUCTION_ENV, "DJANGO_DEBUG": "true"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be off" in result.stderr


def test_production_refuses_a_missing_database_url():
    result = django_setup(PRODUCTION_ENV, unset=("DATABASE_URL",))
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_refuses_to_start_without_redis_for_the_api_limits():
    result = django_setup(PRODUCTION_ENV, unset=("REDIS_URL",))
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_embedded_default_needs_no_server(tmp_path):
    result = django_setup({"DJANGO_SETTINGS_MODULE": "discriminamometro.settings.base", "DISCRIMINAMOMETRO_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True django.db.backends.sqlite3"
