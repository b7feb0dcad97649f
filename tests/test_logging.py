"""Logging: each record printed once, in one line format and in TIME_ZONE, whichever process logs it."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
# A 404 as runserver logs it: Django's request logger, then the server's request line.
CODE = """
import logging, django
django.setup()
logging.getLogger("django.request").warning("Not Found: /nada")
logging.getLogger("django.server").info('"GET /nada HTTP/1.1" 404 179')
logging.getLogger("pipeline.tasks").info("descarga en cola")
"""


def logged(tmp_path: Path, **env: str) -> list[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LOG_", "TZ"))}
    environment |= {"DJANGO_SETTINGS_MODULE": "discriminamometro.settings.base", "DISCRIMINAMOMETRO_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", CODE], cwd=ROOT, env=environment | env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.splitlines()


def test_each_record_once_with_the_time_level_and_logger(tmp_path):
    lines = logged(tmp_path, TZ="UTC", DJANGO_TIME_ZONE="America/Mexico_City")  # the embedded mode: DEBUG on
    stamp = r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),\d{3}"
    expected = [
        "WARNING django.request: Not Found: /nada",
        'INFO django.server: "GET /nada HTTP/1.1" 404 179',
        "INFO pipeline.tasks: descarga en cola",
    ]
    assert [re.sub(f"^{stamp} ", "", line) for line in lines] == expected
    # In TIME_ZONE, not in the machine's zone (UTC here).
    when = datetime.strptime(re.match(stamp, lines[0]).group(1), "%Y-%m-%d %H:%M:%S")
    now = datetime.now(ZoneInfo("America/Mexico_City")).replace(tzinfo=None)
    assert abs(now - when) < timedelta(minutes=1)


def test_without_timestamps_when_a_process_manager_stamps_the_lines(tmp_path):
    assert logged(tmp_path, LOG_TIMESTAMPS="false")[0] == "WARNING django.request: Not Found: /nada"
