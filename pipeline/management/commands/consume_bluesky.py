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
    source_jetstream_url,
)
from pipeline.tasks import run_score_task

logger = logging.getLogger("pipeline.bluesky")


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
        source = self._source(options["source"])
        if options["max_events"] is not None and options["max_events"] < 1:
            raise CommandError(_("--max-events debe ser al menos 1."))
        if options["max_events"] is not None and not source.enabled:
            raise CommandError(_("La fuente %(name)s está apagada: se enciende en el admin (Fuentes → habilitada).")
                               % {"name": source.name})
        stop = threading.Event()
        # SIGTERM (docker stop, honcho) and Ctrl-C end the reading cleanly: the batch in hand is stored, the
        # run closed and its scoring queued, and the command exits 0.
        previous = {signum: signal.signal(signum, lambda *_args: stop.set()) for signum in (signal.SIGTERM, signal.SIGINT)}
        url = options["url"] or source_jetstream_url(source=source)
        logger.info(_("Bluesky: leyendo %(url)s para la fuente %(slug)s"), {"url": url, "slug": source.slug})
        try:
            result = bluesky_follow(
                source_id=source.pk, stop=stop, url=options["url"], max_events=options["max_events"],
                options=JetstreamOptions(run_seconds=options["run_seconds"]),
                on_run_finished=run_score_queue, on_progress=progress_log,
            )
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if result.end == ConsumeEnd.BUSY:
            raise CommandError(_("Otra instancia ya lee la fuente %(slug)s.") % {"slug": source.slug})
        if result.end == ConsumeEnd.DISABLED and not result.runs:
            raise CommandError(_("La fuente %(name)s está apagada.") % {"name": source.name})
        self.stdout.write(_("Bluesky: %(events)d eventos leídos, %(new)d publicaciones nuevas, %(dup)d repetidas, "
                            "%(bad)d rechazadas.") % {"events": result.events, "new": result.new,
                                                       "dup": result.duplicate, "bad": result.rejected})

    def _source(self, slug: str) -> Source:
        sources = Source.objects.filter(kind=Source.Kind.BLUESKY).order_by("pk")
        if slug:
            sources = sources.filter(slug=slug)
        source = sources.first()
        if source is None:
            raise CommandError(_("No hay una fuente Bluesky%(which)s; se crea en el admin (Fuentes).")
                               % {"which": f" «{slug}»" if slug else ""})
        return source
