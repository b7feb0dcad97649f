"""Alerts fixtures: a real Celery worker process on the test's database and broker."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(tmp_path):
    """A worker process started as the platform starts one, sharing the test's database and broker."""
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    db = connection.settings_dict
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "discriminamometro.settings.test", "PYTHONUNBUFFERED": "1",
        "TEST_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "ALERTS_BACKOFF_SECONDS": "1", "ALERTS_TIMEOUT_SECONDS": "3",
    }
    log_path = tmp_path / "worker.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "discriminamometro", "worker", "--pool=solo", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    yield lambda: log_path.read_text(errors="replace")[-4000:]
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
