"""`python manage.py run_embedded`: web, worker and beat of the embedded mode, as `make run` starts them.

honcho runs Procfile.dev's processes; this command runs honcho and adds what a first run needs:

- honcho stamps every line in TIME_ZONE, the processes' own clock (Django sets TZ from the settings
  in this process, and honcho inherits it);
- the welcome (`manage.py welcome`: addresses and sign-ins) is printed once the web server and a
  worker answer, after their start-up lines;
- Ctrl-C is a normal stop: honcho stops every process, then "Detenido." and exit status 0.

The terminal sends Ctrl-C to its foreground process group. Under make that group is make's own, and
make dies of the signal (reporting "Error 130") whatever its recipe answers. So while it runs, this
command puts itself and honcho in a process group of their own and makes it the terminal's
foreground: Ctrl-C reaches them, not make, and make sees its recipe end with 0. honcho starts each
process in a session of its own and stops it with SIGTERM.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from pipeline.management.commands.ensure_admin import embedded_mode
from pipeline.management.commands.welcome import processes_wait, welcome_lines

HOST, PORT = "127.0.0.1", 8000  # Procfile.dev's runserver address
WAIT_SECONDS = 180.0


def port_in_use() -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex((HOST, PORT)) == 0


@contextlib.contextmanager
def signals_ignored(*signums: int) -> Iterator[None]:
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in signums}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def terminal_foreground() -> Iterator[bool]:
    """While the block runs, this process's own group is the terminal's foreground; yields whether it is.

    Only when the process was in the foreground already: started in the background, without a
    terminal (CI, a service) or when anything fails, the terminal is left alone.
    """
    try:
        terminal = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        yield False
        return
    try:
        previous = os.tcgetpgrp(terminal)
        if previous != os.getpgrp() or os.getsid(0) == os.getpid():  # in the background, or a session's leader
            yield False
            return
        # Changing the foreground from a group that is not (yet) in front raises SIGTTOU: ignored here.
        try:
            with signals_ignored(signal.SIGTTOU):
                os.setpgid(0, 0)
                os.tcsetpgrp(terminal, os.getpgrp())
        except OSError:
            with contextlib.suppress(OSError):
                os.setpgid(0, previous)  # back in make's group, where Ctrl-C reaches it
            yield False
            return
        try:
            # Ctrl-Z would stop this group while make, in the background, waits for it: nobody could resume it.
            with signals_ignored(signal.SIGTSTP):
                yield True
        finally:
            with signals_ignored(signal.SIGTTOU), contextlib.suppress(OSError):  # make may be gone
                os.tcsetpgrp(terminal, previous)
    finally:
        os.close(terminal)


class Command(BaseCommand):
    help = (
        "Arranca web, worker y beat del modo integrado (Procfile.dev, con honcho), muestra la bienvenida cuando "
        "responden y lo detiene todo con Ctrl-C. Es lo que hace «make run» tras preparar la base de datos."
    )
    requires_system_checks: list[str] = []  # `make run` ran them with migrate; the processes skip them too

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--procfile", default="Procfile.dev")
        parser.add_argument(
            "--wait", type=float, default=WAIT_SECONDS, metavar="SEGUNDOS",
            help="cuánto esperar, como máximo, a que respondan el servidor web y el worker antes de la bienvenida",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not embedded_mode():
            raise CommandError(
                "run_embedded es solo para el modo integrado (make run). Un despliegue arranca web, worker y beat "
                "por separado (docker-compose.yml)."
            )
        if port_in_use():
            raise CommandError(
                f"Algo ya responde en {HOST}:{PORT}: ¿sigue en marcha otro «make run»? Deténgalo (Ctrl-C) y vuelva "
                "a intentarlo."
            )
        with terminal_foreground():
            returncode, stopped_by = self.honcho_run(options["procfile"], wait=options["wait"])
            if stopped_by is not None:
                self.stdout.write("Detenido.")  # before make has the terminal back
                return
        raise CommandError(
            f"honcho terminó con el código {returncode}: un proceso se detuvo (vea sus mensajes arriba) y honcho "
            "detuvo los demás.",
            returncode=returncode or 1,
        )

    def honcho_run(self, procfile: str, *, wait: float) -> tuple[int, int | None]:
        """Run honcho until it ends: its exit status, and the signal that stopped it (None: a process ended)."""
        received: list[int] = []
        honcho = subprocess.Popen([sys.executable, "-m", "honcho", "start", "-f", procfile], cwd=settings.BASE_DIR)

        def stop(signum: int, frame: FrameType | None) -> None:
            received.append(signum)
            if signum != signal.SIGINT:  # Ctrl-C reaches honcho directly: it is in this process's group
                honcho.send_signal(signal.SIGTERM)

        previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
        stopping = threading.Event()
        welcome = threading.Thread(target=self.welcome_when_ready, args=(wait, stopping), daemon=True)
        welcome.start()
        try:
            returncode = honcho.wait()
        finally:
            stopping.set()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        welcome.join(timeout=5)
        return returncode, (received[0] if received else None)

    def welcome_when_ready(self, wait: float, stopping: threading.Event) -> None:
        try:
            ready = processes_wait(seconds=wait, stop=stopping)
            if not stopping.is_set():
                for line in welcome_lines(username="admin", ready=ready, style=self.style):
                    self.stdout.write(line)
                self.stdout.flush()
        finally:
            connection.close()  # this thread's own database connection
