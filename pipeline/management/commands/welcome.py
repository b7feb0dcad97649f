"""`python manage.py welcome`: the embedded mode's addresses and sign-ins, as `make run` prints them last.

The admin's password is the one `ensure_admin` keeps in `var/<username>-password.txt`; the demo
annotators' are in `var/demo-annotators.txt` (a `username<TAB>password` line each) when the demo
created them. Both files are readable by their owner only (0600); an account that no longer exists or
is inactive is left out. Like `ensure_admin`, the command refuses to run outside the embedded mode
(DEBUG off or the production settings), so no password is ever printed there.

`--wait SECONDS` first waits, at most that long, until the web server answers /healthz and a Celery
worker answers a ping: `make run` (`run_embedded`) prints the welcome after the processes' start-up lines.
"""
from __future__ import annotations

import logging
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import Style

from pipeline.management.commands.ensure_admin import embedded_mode

SITE = "http://127.0.0.1:8000"
ANNOTATORS_FILE = "demo-annotators.txt"  # written by load_demo
POLL_SECONDS = 0.5
HEALTHZ_SECONDS = 10.0  # the first request imports every app's views: seconds on a busy laptop
PING_SECONDS = 2.0  # the filesystem broker is polled once a second: a ping and its answer take two turns
RULE = "═" * 72


@dataclass(frozen=True)
class Readiness:
    web: bool
    worker: bool
    waited: float


def web_answers(timeout: float = HEALTHZ_SECONDS) -> bool:
    try:
        with urllib.request.urlopen(f"{SITE}/healthz", timeout=timeout) as response:
            return bool(response.status == 200)
    except OSError:  # refused, reset, timed out, or an HTTP error status
        return False


def worker_answers(timeout: float = PING_SECONDS) -> bool:
    from discriminamometro.celery import app

    # The embedded broker's URL names no host, and kombu warns about it at every connection.
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)
    try:
        return bool(app.control.ping(timeout=timeout))
    except Exception:  # a broker that cannot be reached yet is a worker that does not answer yet
        return False


def processes_wait(*, seconds: float, stop: threading.Event | None = None) -> Readiness:
    """Wait until the web server answers /healthz, then until a worker answers a ping.

    Gives up after `seconds`, or as soon as `stop` is set (the processes are being stopped).
    """
    stop = stop or threading.Event()
    start = time.monotonic()
    web = False
    while True:
        left = seconds - (time.monotonic() - start)
        web = web or web_answers(timeout=max(min(HEALTHZ_SECONDS, left), 0.1))
        if web and worker_answers(timeout=max(min(PING_SECONDS, left), 0.1)):
            return Readiness(web=True, worker=True, waited=time.monotonic() - start)
        if stop.wait(POLL_SECONDS) or time.monotonic() - start >= seconds:
            return Readiness(web=web, worker=False, waited=time.monotonic() - start)


def credentials_read(path: Path) -> list[tuple[str, str]]:
    """The `username<TAB>password` lines of a file; none when it does not exist."""
    if not path.exists():
        return []
    pairs = []
    for line in path.read_text().splitlines():
        username, tab, password = line.partition("\t")
        if username and tab:
            pairs.append((username, password))
    return pairs


def admin_password_read(username: str) -> str | None:
    path = Path(settings.VAR_DIR) / f"{username}-password.txt"
    if not path.exists():
        return None
    return path.read_text().strip() or None


def shown_path(path: Path) -> str:
    """A path under the project as `var/…`, any other in full."""
    try:
        return str(path.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


def active_usernames(usernames: list[str]) -> set[str]:
    found = get_user_model().objects.filter(username__in=usernames, is_active=True)
    return set(found.values_list("username", flat=True))


def mail_note() -> str:
    """Where alert e-mails go when no SMTP server is configured (the embedded default writes them to files)."""
    if settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
        return f"  (los correos se escriben en {shown_path(Path(settings.EMAIL_FILE_PATH))}/)"
    return ""


def welcome_lines(*, username: str, ready: Readiness | None, style: Style) -> list[str]:
    """The welcome: addresses, then under each the accounts to sign in with and their passwords."""
    annotators = credentials_read(Path(settings.VAR_DIR) / ANNOTATORS_FILE)
    active = active_usernames([username, *(name for name, _ in annotators)])
    shown = [(name, password) for name, password in annotators if name in active]
    width = max((len(name) for name, _ in shown), default=0)
    admin_password = admin_password_read(username) if username in active else None
    lines = ["", RULE, style.SUCCESS("  Discriminamómetro está en marcha: web, worker y beat."), ""]
    lines += not_ready_lines(ready, style)
    lines += [
        f"  Semáforo         {SITE}/",
        f"  Administración   {SITE}/admin/",
        admin_line(username, active=username in active, password=admin_password),
        f"  Etiquetado       {SITE}/etiquetado/",
        *(f"                   usuaria: {name:<{width}}  contraseña: {password}" for name, password in shown),
        f"  Alertas          {SITE}/alertas/{mail_note()}",
        f"  Boletines        {SITE}/boletines/",
        f"  API              {SITE}/api/docs/",
        "",
    ]
    if admin_password or shown:
        where = shown_path(Path(settings.VAR_DIR))
        lines.append(f"  Las contraseñas se guardan en {where}/, legibles solo por su usuario (0600).")
    return [*lines, "  Ctrl-C detiene todo.", RULE, ""]


def admin_line(username: str, *, active: bool, password: str | None) -> str:
    if not active:
        return f"                   no hay un administrador «{username}» activo: créelo con «manage.py ensure_admin»"
    if password is None:
        return (f"                   usuario: {username}  (su contraseña no se guardó; cámbiela con "
                f"«manage.py changepassword {username}»)")
    return f"                   usuario: {username}  contraseña: {password}"


def not_ready_lines(ready: Readiness | None, style: Style) -> list[str]:
    if ready is None or (ready.web and ready.worker):
        return []
    waited = f"tras {ready.waited:.0f} s"
    if not ready.web:
        text = f"  El servidor web aún no responde {waited}: vea los mensajes de arriba."
    else:
        text = f"  El worker de Celery aún no responde {waited}: las descargas esperan a que arranque."
    return [style.WARNING(text), ""]


class Command(BaseCommand):
    help = (
        "Muestra las direcciones del modo integrado y con qué usuario y contraseña entrar (administración y "
        "anotadoras de demostración). Solo en el modo integrado."
    )
    requires_system_checks: list[str] = []  # `make run` ran them with migrate

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin", help="el administrador que creó ensure_admin")
        parser.add_argument(
            "--wait", type=float, default=0, metavar="SEGUNDOS",
            help="antes, esperar (como máximo tanto) a que respondan el servidor web y un worker de Celery",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not embedded_mode():
            raise CommandError(
                "welcome es solo para el modo integrado (make run): con DEBUG apagado o con los ajustes de "
                "producción no muestra contraseñas."
            )
        ready = processes_wait(seconds=options["wait"]) if options["wait"] > 0 else None
        self.welcome_write(username=options["username"], ready=ready)

    def welcome_write(self, *, username: str, ready: Readiness | None) -> None:
        for line in welcome_lines(username=username, ready=ready, style=self.style):
            self.stdout.write(line)
        self.stdout.flush()
