"""`run_embedded`: honcho under a terminal; Ctrl-C is a normal stop (exit 0), a process that ends stops it all."""
from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from pipeline.management.commands.run_embedded import port_in_use

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def environment(tmp_path) -> dict[str, str]:
    """The embedded settings, on the test database (committed rows only: none) and a broker in tmp_path."""
    if port_in_use():
        pytest.skip("something answers on 127.0.0.1:8000, where run_embedded refuses to start")
    database = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "REDIS_URL"))}
    return env | {
        "DJANGO_SETTINGS_MODULE": "discriminamometro.settings.base",
        "DISCRIMINAMOMETRO_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
    }


def procfile(tmp_path: Path, command: str) -> Path:
    path = tmp_path / "Procfile.test"
    path.write_text(f"one: {sys.executable} -c {command!r}\n")
    return path


def under_a_terminal(script: str, env: dict[str, str], *, press_ctrl_c_after: list[str]) -> tuple[str, int]:
    """Run a shell script on a new pseudo-terminal (as make runs a recipe); Ctrl-C once every marker has shown."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the shell leads the terminal's session, the command is in its foreground group
        os.execve("/bin/sh", ["/bin/sh", "-c", script], env)
    output, pressed, deadline = b"", False, time.monotonic() + 60
    while time.monotonic() < deadline:
        if select.select([terminal], [], [], 0.2)[0]:
            try:
                chunk = os.read(terminal, 65536)
            except OSError:  # the other end closed: everything ended
                break
            if not chunk:
                break
            output += chunk
        if not pressed and all(marker.encode() in output for marker in press_ctrl_c_after):
            os.write(terminal, b"\x03")
            pressed = True
    else:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    return output.decode("utf-8", "replace"), os.waitstatus_to_exitcode(status)


def test_ctrl_c_stops_every_process_and_exits_0(tmp_path, environment):
    sleeper = procfile(tmp_path, "import time; print('proceso listo', flush=True); time.sleep(120)")
    # The shell stands for make: Ctrl-C must not reach it, and it sees the command end with 0.
    script = f"{sys.executable} {ROOT / 'manage.py'} run_embedded --procfile {sleeper} --wait 0.5; echo estado=$?"
    output, status = under_a_terminal(script, environment, press_ctrl_c_after=["proceso listo", "Ctrl-C detiene todo."])
    assert status == 0, output
    assert "SIGINT received" in output and "one.1 stopped" in output
    assert output.rstrip().endswith("Detenido.\r\nestado=0"), output
    assert "Traceback" not in output


def test_a_process_that_ends_stops_honcho_with_an_error(tmp_path, environment):
    failing = procfile(tmp_path, "import sys; sys.exit(3)")
    result = subprocess.run(
        [sys.executable, "manage.py", "run_embedded", "--procfile", str(failing), "--wait", "0.5"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "honcho terminó con el código 3" in result.stderr
    assert "Detenido." not in result.stdout
