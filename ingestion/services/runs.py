"""Writes of ingestion runs: start one (one at a time per source), add a batch's counts and errors, finish it,
and give up on one whose process died.

A running run names its holder (host, process id and the process's start) in its
message, so that a new run on the same host can tell a holder killed with
`kill -9` (no such process any more) from a live one, and take over at once
instead of waiting out the heartbeat lease; runs held on other hosts are still
recovered by the lease, or failed by hand (`manage.py ingestion_run_fail`, the admin).
"""
from __future__ import annotations

import logging
import os
import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ingestion.models import IngestionRun, Source
from ingestion.records import RecordError
from ingestion.services.posts import (
    StoreResult,
)

logger = logging.getLogger(__name__)


MAX_STORED_ERRORS = 500


@dataclass(frozen=True, slots=True)
class RunHolder:
    """The process running a run: host, process id, its start (clock ticks after boot; 0 where unknown),
    and its pid namespace ("" where unknown): containers sharing a host name (`network_mode: host`)
    number their processes apart, so a process id means something only within one namespace."""

    host: str
    pid: int
    started: int = 0
    space: str = ""

    def message(self) -> str:
        return f"En curso en el equipo {self.host}, proceso {self.pid} (inicio {self.started}, espacio {self.space or '-'})."

    def here(self, other: RunHolder) -> bool:
        """Whether `other` runs where this holder could look its process up."""
        return (self.host, self.space) == (other.host, other.space)


_HOLDER_RE = re.compile(
    r"^En curso en el equipo (?P<host>[^,\s]+), proceso (?P<pid>\d+) \(inicio (?P<started>\d+), espacio (?P<space>\d+|-)\)\.$"
)


def run_holder_current() -> RunHolder:
    stat = _process_stat(os.getpid())
    try:
        space = re.sub(r"\D", "", os.readlink("/proc/self/ns/pid"))  # "pid:[4026531836]"
    except OSError:
        space = ""
    return RunHolder(host=socket.gethostname(), pid=os.getpid(), started=stat[1] if stat else 0, space=space)


def run_holder_parse(message: str) -> RunHolder | None:
    """The holder a running run's message names; None for a run started before holders were recorded."""
    found = _HOLDER_RE.match(message)
    if not found:
        return None
    space = "" if found["space"] == "-" else found["space"]
    return RunHolder(host=found["host"], pid=int(found["pid"]), started=int(found["started"]), space=space)


def _process_stat(pid: int) -> tuple[str, int] | None:
    """A process's state letter and start time from /proc; None without /proc or without the process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            # "pid (comm) S ppid ...": fields counted after the last ")", as comm may hold one.
            fields = stat.read().rsplit(b")", 1)[1].split()
        return fields[0].decode(), int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def process_alive(pid: int, *, started: int = 0) -> bool:
    """Whether the process of this id on this host still runs: not exited, not a zombie, and, given
    its start, the same process and not a later one given the same id (a container restarted after
    an out-of-memory kill starts its worker again under the same pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process, but it exists
    stat = _process_stat(pid)
    if stat is None:
        return True  # no /proc (macOS): os.kill said it exists
    state, start = stat
    return state != "Z" and (not started or start == started)


def ingestion_runs_expire(*, source: Source) -> int:
    """Close the running runs of the source whose process is gone: on this host, a holder
    process that no longer exists; anywhere, no heartbeat within the lease."""
    lease = timedelta(seconds=settings.INGESTION["RUN_LEASE_SECONDS"])
    abandoned = IngestionRun.objects.filter(
        source=source, status=IngestionRun.Status.RUNNING, heartbeat_at__lt=timezone.now() - lease
    ).update(
        status=IngestionRun.Status.ABANDONED,
        finished_at=timezone.now(),
        message="El proceso se detuvo sin terminar (sin latido dentro del plazo).",
    )
    return abandoned + _runs_of_dead_holders_fail(source=source)


def _runs_of_dead_holders_fail(*, source: Source) -> int:
    current = run_holder_current()
    failed = 0
    for run in IngestionRun.objects.filter(source=source, status=IngestionRun.Status.RUNNING).only("pk", "message"):
        holder = run_holder_parse(run.message)
        if holder is None or not current.here(holder) or process_alive(holder.pid, started=holder.started):
            continue
        message = (
            f"El proceso {holder.pid} del equipo {holder.host} terminó sin cerrar la ejecución "
            "(p. ej. kill -9 o falta de memoria); se marcó como fallida al iniciar otra."
        )
        # Conditional on the status: two starts racing to recover the same run close it once,
        # and a run that finished meanwhile keeps its own ending.
        failed += _run_fail(run_id=run.pk, message=message)
    if failed:
        logger.warning("ingestion: %d run(s) of %s failed: their process is gone", failed, source.slug)
    return failed


def _run_fail(*, run_id: int, message: str) -> int:
    return IngestionRun.objects.filter(pk=run_id, status=IngestionRun.Status.RUNNING).update(
        status=IngestionRun.Status.FAILED, finished_at=timezone.now(), message=message[:5000]
    )


def ingestion_run_fail(*, run_id: int, reason: str = "") -> bool:
    """Mark a running run as failed by hand (its process died); False if it was not running.

    For a holder on another host, or one whose process id was reused, which
    `ingestion_runs_expire` cannot tell is dead before the lease ends. A run
    whose process is in fact alive goes on storing posts (each once), but no
    longer keeps another run of its source from starting.
    """
    message = "Marcada como fallida a mano: el proceso que la ejecutaba ya no existe."
    return _run_fail(run_id=run_id, message=f"{message} {reason}".strip()) == 1


def ingestion_run_start(*, source: Source, label: str = "") -> IngestionRun | None:
    """Open a run for the source, held by this process, or return None when another run of it is going.

    The partial unique constraint `one_running_run_per_source` is the guard: two
    workers racing to start the same source both try to insert, and the database
    lets exactly one through.
    """
    ingestion_runs_expire(source=source)
    try:
        with transaction.atomic():
            return IngestionRun.objects.create(source=source, label=label, message=run_holder_current().message())
    except IntegrityError:
        return None


def ingestion_run_add(*, run: IngestionRun, fetched: int, stored: StoreResult, errors: Sequence[RecordError]) -> None:
    """Add a batch's counts to the run (inside the batch's transaction) and beat its heart."""
    IngestionRun.objects.filter(pk=run.pk).update(
        fetched=F("fetched") + fetched,
        new=F("new") + stored.new,
        duplicate=F("duplicate") + stored.duplicate,
        rejected=F("rejected") + len(errors),
        heartbeat_at=timezone.now(),
    )
    if errors:
        run.refresh_from_db(fields=["errors"])
        room = MAX_STORED_ERRORS - len(run.errors)
        if room > 0:
            run.errors = run.errors + [e.as_dict() for e in errors[:room]]
            run.save(update_fields=["errors"])


def ingestion_run_finish(*, run: IngestionRun, status: str | None = None, message: str = "") -> IngestionRun:
    run.refresh_from_db()
    if status is None:
        status = IngestionRun.Status.PARTIAL if run.rejected else IngestionRun.Status.SUCCEEDED
    run.status = status
    run.message = message[:5000]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "message", "finished_at"])
    return run
