"""`python manage.py consume_bluesky`: read Bluesky's Jetstream for as long as it runs, storing the Spanish
posts that match the dictionary; each run's posts are scored when it closes (every few minutes)."""
from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ingestion.models import IngestionRun, Source
from ingestion.services.bluesky import (
    ConsumeEnd,
    ConsumeProgress,
    JetstreamOptions,
    bluesky_follow,
)
from pipeline.tasks import run_score_task

logger = logging.getLogger("pipeline.bluesky")
WAIT_SECONDS = 30  # how often a waiting consumer looks again for its source, or for it to be switched on


def run_score_queue(run: IngestionRun) -> None:
    """Score what a run stored (the run is committed by now); a run that stored nothing needs nothing."""
    if run.new:
        run_score_task.delay(run.pk)


def lag_text(seconds: float) -> str:
    """A lag as people say it: seconds while the stream is live, hours or days when replaying old events."""
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h"
    return _("%(days)d días") % {"days": seconds // 86400}


def progress_log(progress: ConsumeProgress) -> None:
    lag = lag_text(progress.lag.total_seconds()) if progress.lag is not None else _("sin eventos aún")
    logger.info(
        _("Bluesky: %(rate)s eventos/s, %(new)d publicaciones nuevas, %(dup)d repetidas, %(bad)d rechazadas; "
          "retraso %(lag)s"),
        {"rate": f"{progress.events_per_second:.0f}", "new": progress.new, "dup": progress.duplicate,
         "bad": progress.rejected, "lag": lag},
    )


class Command(BaseCommand):
    help = (
        "Lee Bluesky en tiempo real (Jetstream) y guarda las publicaciones en español que coinciden con el "
        "diccionario. Sigue hasta recibir SIGTERM o Ctrl-C; mientras la fuente está apagada, espera."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="", help=_("URL de Jetstream (ws:// o wss://); por omisión, la de la "
                                                        "fuente o BLUESKY_JETSTREAM_URL"))
        parser.add_argument("--max-events", type=int, default=None,
                            help=_("terminar tras leer este número de eventos (pruebas, mediciones)"))
        parser.add_argument("--source", default="", help=_("identificador de la fuente Bluesky (si hay varias)"))
        parser.add_argument("--run-seconds", type=float, default=300.0,
                            help=_("cada cuántos segundos se cierra la ejecución y se puntúan sus publicaciones "
                                   "(300 por omisión)"))

    def handle(self, *args: Any, **options: Any) -> None:
        bounded = options["max_events"] is not None
        if bounded and options["max_events"] < 1:
            raise CommandError(_("--max-events debe ser al menos 1."))
        stop = threading.Event()
        # SIGTERM (docker stop, honcho) and Ctrl-C end the reading cleanly: the batch in hand is stored, the
        # run closed and its scoring queued, and the command exits 0.
        previous = {signum: signal.signal(signum, lambda *_args: stop.set()) for signum in (signal.SIGTERM, signal.SIGINT)}
        try:
            source = self._source_wait(options["source"], stop=stop, bounded=bounded)
            if source is not None:
                self._consume(source, stop=stop, options=options)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _consume(self, source: Source, *, stop: threading.Event, options: dict[str, Any]) -> None:
        if options["max_events"] is not None and not source.enabled:
            raise CommandError(_("La fuente %(name)s está apagada: se enciende en el admin (Fuentes → habilitada).")
                               % {"name": source.name})
        result = bluesky_follow(
            source_id=source.pk, stop=stop, url=options["url"], max_events=options["max_events"],
            options=JetstreamOptions(run_seconds=options["run_seconds"]),
            on_run_finished=run_score_queue, on_progress=progress_log, wait_seconds=WAIT_SECONDS,
        )
        if result.end == ConsumeEnd.BUSY:
            raise CommandError(_("Otra instancia ya lee la fuente %(slug)s.") % {"slug": source.slug})
        if result.end == ConsumeEnd.DISABLED and not result.runs:
            raise CommandError(_("La fuente %(name)s está apagada.") % {"name": source.name})
        self.stdout.write(_("Bluesky: %(events)d eventos leídos, %(new)d publicaciones nuevas, %(dup)d repetidas, "
                            "%(bad)d rechazadas.") % {"events": result.events, "new": result.new,
                                                       "dup": result.duplicate, "bad": result.rejected})

    def _source_wait(self, slug: str, *, stop: threading.Event, bounded: bool) -> Source | None:
        """The Bluesky source (the first, or `slug`). Without one, a bounded run fails; an open-ended one (make run,
        a container) waits for an admin to create it rather than exit, which would stop the processes beside it."""
        said = False
        while not stop.is_set():
            sources = Source.objects.filter(kind=Source.Kind.BLUESKY).order_by("pk")
            source = (sources.filter(slug=slug) if slug else sources).first()
            if source is not None:
                return source
            message = _("No hay una fuente Bluesky%(which)s; se crea en el admin (Fuentes).") % {
                "which": f" «{slug}»" if slug else ""}
            if bounded:
                raise CommandError(message)
            if not said:
                logger.info("%s %s", message, _("Se vuelve a mirar cada %(seconds)d s.") % {"seconds": WAIT_SECONDS})
                said = True
            stop.wait(WAIT_SECONDS)
        return None
