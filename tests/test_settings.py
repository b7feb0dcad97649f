"""Settings come from the environment; production refuses to start when misconfigured."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "discriminamometro.settings.production",
    "DJANGO_SECRET_KEY": "q8Vd-3nLx0WcR7tZp2KjY5uHs9GbE4aMf6ToN1iUwXyQ_vCz7Pe",
    "DJANGO_ALLOWED_HOSTS": "example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
}


def clean_environment(env: dict[str, str], unset: tuple[str, ...] = ()) -> dict[str, str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in unset and not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "REDIS_URL"))
    }
    environment.update({k: v for k, v in env.items() if k not in unset})
    return environment


def python_run(code: str, env: dict[str, str], unset: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean_environment(env, unset), capture_output=True, text=True, timeout=60
    )


def django_setup(env: dict[str, str], unset: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])"
    return python_run(code, env, unset)


def setting_values(env: dict[str, str], *names: str) -> list[str]:
    code = "import django; django.setup(); from django.conf import settings; " + "; ".join(
        f"print(repr(getattr(settings, {name!r}, None)))" for name in names
    )
    result = python_run(code, env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


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


def test_the_embedded_broker_keeps_every_folder_under_var(tmp_path):
    """kombu's filesystem transport puts its exchange tables in ./control unless told: beside the sources."""
    code = (
        "import django, celery; django.setup(); from discriminamometro.celery import app; "
        "c = app.connection(); c.default_channel; print(c.transport_options['control_folder'])"
    )
    environment = {"DJANGO_SETTINGS_MODULE": "discriminamometro.settings.base", "DISCRIMINAMOMETRO_VAR_DIR": str(tmp_path)}
    result = python_run(code, environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "broker" / "control")
    assert (tmp_path / "broker" / "control").is_dir() and not (ROOT / "control").exists()


@pytest.mark.parametrize("key", [
    "change-me-to-a-long-random-string-of-at-least-50-characters",  # .env.example's
    "insecure-embedded-default-do-not-use-in-production",  # the embedded default's
    "this-is-a-placeholder-secret-key-for-the-production-server-x",
    "k" * 50,
    "abcdefghij" * 6,  # long, but ten distinct characters
    "Zx9-Lm2Qa7",  # random, but short
])
def test_production_refuses_a_placeholder_or_weak_secret_key(key):
    result = django_setup({**PRODUCTION_ENV, "DJANGO_SECRET_KEY": key})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr and "secrets.token_urlsafe" in result.stderr


def test_the_env_example_secret_key_is_refused():
    example = dict(
        line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines() if line.startswith("DJANGO_SECRET_KEY=")
    )
    result = django_setup({**PRODUCTION_ENV, **example})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is a placeholder" in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=clean_environment(PRODUCTION_ENV), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_is_https_only_unless_told_otherwise():
    assert setting_values(PRODUCTION_ENV, "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE") == [
        "True", "31536000", "True",
    ]
    turned_off = {**PRODUCTION_ENV, "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_SECURE_HSTS_SECONDS": "0"}
    assert setting_values(turned_off, "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS") == ["False", "0"]


def test_the_forwarded_protocol_is_trusted_only_behind_a_proxy():
    assert setting_values(PRODUCTION_ENV, "SECURE_PROXY_SSL_HEADER") == ["None"]
    behind = {**PRODUCTION_ENV, "DJANGO_BEHIND_PROXY": "true"}
    assert setting_values(behind, "SECURE_PROXY_SSL_HEADER") == ["('HTTP_X_FORWARDED_PROTO', 'https')"]


@pytest.mark.parametrize("module", ["discriminamometro.wsgi", "discriminamometro.asgi", "discriminamometro.celery"])
def test_deployment_entry_points_default_to_the_production_settings(module):
    code = f"import os, {module}; import django.conf; django.conf.settings.DEBUG; print(os.environ['DJANGO_SETTINGS_MODULE'])"
    refused = python_run(code, {}, unset=("DJANGO_SETTINGS_MODULE",))
    assert refused.returncode != 0 and "DJANGO_SECRET_KEY" in refused.stderr
    started = python_run(code, {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SETTINGS_MODULE"})
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "discriminamometro.settings.production"


def test_manage_py_without_a_settings_module_is_production_and_says_how_to_choose_the_embedded_one(tmp_path):
    environment = clean_environment({"DISCRIMINAMOMETRO_VAR_DIR": str(tmp_path)}, unset=("DJANGO_SETTINGS_MODULE",))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "DJANGO_SETTINGS_MODULE=discriminamometro.settings.base" in result.stderr


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"  # no nonce unless a page uses one; never 'unsafe-inline'
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
