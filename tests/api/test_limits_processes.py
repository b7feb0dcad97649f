"""The per-key limit holds across web processes: gunicorn with two workers, requests from several clients at once."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from api.keys import api_key_create

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 1000  # leased (api/throttling.py LEASE_FROM): each worker claims 10 numbers at a time
SENT = LIMIT + 100

pytestmark = pytest.mark.django_db(transaction=True)  # the workers must see the key


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, key: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/api/v1/dictionary?page_size=1", headers={"Authorization": f"Api-Key {key}"})
        answer = conn.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        conn.close()


@pytest.fixture
def two_workers(tmp_path):
    db = connection.settings_dict
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "discriminamometro.settings.test",
           "TEST_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "discriminamometro.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT)],
        cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def test_two_workers_let_through_at_most_the_limit_then_429_with_retry_after(two_workers):
    for _attempt in range(2):  # requests that straddle a minute boundary count in two windows: again, with a new key
        _, key = api_key_create(name="dos procesos", scopes={"read"}, rate_limit=LIMIT)
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(_get, [two_workers] * SENT, [key] * SENT))
        if len({headers["X-RateLimit-Reset"] for _, headers, _ in answers}) == 1:
            break
    statuses = Counter(status for status, _, _ in answers)
    assert set(statuses) == {200, 429}, statuses
    # Never more than the limit; at most one lease of the other worker (1 %) unused when the window filled.
    assert LIMIT - LIMIT // 100 <= statuses[200] <= LIMIT
    for status, headers, body in answers:
        if status == 429:
            assert 1 <= int(headers["Retry-After"]) <= 60 and headers["X-RateLimit-Remaining"] == "0"
            assert json.loads(body)["code"] == "throttled"
