"""`make test` on a machine with no configured PostgreSQL or Redis: the session starts its own (tests/testenv.py)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.testenv import ServicesUnavailable, services_start

ROOT = Path(__file__).resolve().parents[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def redis_ping(url: str) -> bytes:
    with socket.create_connection((urlsplit(url).hostname, urlsplit(url).port), timeout=2) as connection:
        connection.sendall(b"PING\r\n")
        return connection.recv(16)


def test_a_throwaway_cluster_and_redis_start_answer_and_leave_nothing_behind():
    services = services_start({}, install=False, report=lambda text: None)
    database, redis = urlsplit(services.database_url), urlsplit(services.redis_url)
    directories = [server.directory for server in services.started]
    try:
        assert [server.name for server in services.started] == ["PostgreSQL", "Redis"]
        assert database.port != 5432 and redis.port != 6379
        with psycopg.connect(host="127.0.0.1", port=database.port, user="postgres", dbname="postgres") as connection:
            # trust authentication, UTF-8 and the C.UTF-8 collation, as the machines the suite was written on
            assert connection.execute("SHOW server_encoding").fetchone() == ("UTF8",)
            assert connection.execute("SELECT upper('añoñez')").fetchone() == ("AÑOÑEZ",)
        assert redis_ping(services.redis_url) == b"+PONG\r\n"
        assert services.environment()["TEST_CELERY_BROKER_URL"] == f"{services.redis_url}/15"
    finally:
        services.stop()
    assert not port_open(database.port) and not port_open(redis.port)
    assert not any(directory.exists() for directory in directories)


def test_services_named_in_the_environment_are_used_as_given():
    services = services_start(
        {"TEST_DATABASE_URL": "postgres://postgres@db.example:5433/ci", "REDIS_URL": "redis://cache.example:6380/2"},
        install=False, report=lambda text: None,
    )
    assert services.started == []
    assert services.environment() == {
        "TEST_DATABASE_URL": "postgres://postgres@db.example:5433/ci",
        "TEST_REDIS_URL": "redis://cache.example:6380/14",
        "TEST_CELERY_BROKER_URL": "redis://cache.example:6380/15",
    }


def test_without_binaries_or_a_way_to_install_them_one_message_says_what_to_install(tmp_path):
    with pytest.raises(ServicesUnavailable) as refused:
        services_start({}, postgres_search=[str(tmp_path / "*")], redis_search=[str(tmp_path / "redis-server")], install=False)
    message = str(refused.value)
    assert "sudo apt-get install -y postgresql redis-server" in message
    assert "TEST_DATABASE_URL" in message


def test_a_pytest_session_without_configured_services_brings_up_its_own_and_stops_them(tmp_path):
    """The bootstrap as `make test` runs it: a whole pytest session, Django and its migrations included."""
    report = tmp_path / "report.json"
    environment = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("TEST_", "REDIS_URL", "DATABASE_URL", "CELERY_", "DJANGO_SETTINGS_MODULE"))
    }
    environment["TESTENV_REPORT"] = str(report)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/fixtures/testenv/inner_check.py", "-p", "no:cacheprovider"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=240,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "PostgreSQL temporal en 127.0.0.1:" in run.stdout
    seen = json.loads(report.read_text())
    redis_port = urlsplit(seen["redis"]).port
    assert int(seen["database"]) not in (5432, urlsplit(os.environ["TEST_DATABASE_URL"]).port)
    assert urlsplit(seen["broker"]).port == redis_port and redis_port != 6379
    assert not port_open(int(seen["database"])) and not port_open(redis_port)
