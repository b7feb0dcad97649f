"""Bluesky consumption: read Jetstream while the source is on, storing the Spanish posts that match the dictionary.

One long-running process per Bluesky source (`manage.py consume_bluesky`), never a Celery task.
Matched posts are stored in batches (every `flush_posts` posts or `flush_seconds`, whichever comes
first) through `source_batch_store`: raw events, posts, run counts and the cursor (`SourceCursor`
"jetstream", `position` = Jetstream's `time_us`) in one transaction. The cursor therefore never
passes a post that is not committed; most events match nothing, so it also moves every
`cursor_seconds` without posts. A (re)connection resumes `rewind_seconds` before the cursor: the
posts read again are stored once (their platform id is unique) and counted as duplicates.

A dropped connection or a connection error is retried with exponential backoff and jitter (1 s,
doubling, at most 60 s), counted in `Source.reconnects` and, for errors, `Source.failures` and
`Source.last_error`. A malformed frame is a run error and never stops the consumer. The run held
(`IngestionRun`, one running per source) is finished and a new one opened every `run_seconds`, so
its posts are scored while the stream goes on. Turning the source off in the admin stops the
consumption at the next batch; `bluesky_follow` then waits until it is turned on again.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK, InvalidHandshake, InvalidURI
from websockets.frames import CloseCode
from websockets.sync.client import ClientConnection, connect

from ingestion.models import IngestionRun, Source, SourceCursor
from ingestion.records import RecordError
from ingestion.selectors.dictionary import category_ids_by_slug, matcher_current
from ingestion.services.downloads import source_batch_store
from ingestion.services.posts import StoreContext
from ingestion.services.runs import ingestion_run_finish, ingestion_run_start
from ingestion.sources.base import CursorUpdate, SourceBatch
from ingestion.sources.bluesky import POST_COLLECTION, BlueskyProfiles, JetstreamEvent, jetstream_event_read

logger = logging.getLogger(__name__)

CURSOR_KEY = "jetstream"
RUN_LABEL = "Bluesky (Jetstream)"


@dataclass(frozen=True, slots=True)
class JetstreamOptions:
    flush_posts: int = 500
    flush_seconds: float = 2.0
    cursor_seconds: float = 5.0  # how often the cursor moves while nothing matches
    rewind_seconds: float = 5.0
    backoff_first: float = 1.0
    backoff_max: float = 60.0
    run_seconds: float = 300.0
    progress_seconds: float = 60.0
    # How long a read waits for a frame before the consumer looks at the clock and the stop flag.
    receive_timeout: float = 0.25
    max_frame_bytes: int = 1024 * 1024  # a larger frame cannot exhaust memory: it is refused, then skipped


class ConsumeEnd(StrEnum):
    STOPPED = "stopped"  # SIGTERM / SIGINT
    MAX_EVENTS = "max_events"
    DISABLED = "disabled"  # the source is switched off
    BUSY = "busy"  # another process holds the source's running run


@dataclass(slots=True)
class ConsumeResult:
    end: ConsumeEnd
    events: int = 0
    new: int = 0
    duplicate: int = 0
    rejected: int = 0
    runs: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ConsumeProgress:
    """What the consumer did since its last report, for the operator's log."""

    events: int
    seconds: float
    new: int
    duplicate: int
    rejected: int
    lag: timedelta | None  # how far behind real time the newest event read is

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def jetstream_url(*, base: str, cursor: int | None) -> str:
    """The subscription URL: only posts (`wantedCollections`, unless the URL already asks for some) and,
    when resuming, `cursor`."""
    parts = urlsplit(base)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "cursor"]
    if not any(key == "wantedCollections" for key, _ in query):
        query.append(("wantedCollections", POST_COLLECTION))
    if cursor is not None:
        query.append(("cursor", str(cursor)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def source_jetstream_url(*, source: Source) -> str:
    """Where the source reads: its `config["url"]`, else `BLUESKY_JETSTREAM_URL`."""
    configured = source.config.get("url") if isinstance(source.config, dict) else None
    return configured if isinstance(configured, str) and configured.strip() else settings.BLUESKY_JETSTREAM_URL


def bluesky_follow(
    *,
    source_id: int,
    stop: threading.Event,
    url: str = "",
    max_events: int | None = None,
    options: JetstreamOptions = JetstreamOptions(),
    on_run_finished: Callable[[IngestionRun], None] | None = None,
    on_progress: Callable[[ConsumeProgress], None] | None = None,
    wait_seconds: float = 30.0,
) -> ConsumeResult:
    """Consume while the source is on; while it is off (or another process holds it), wait and look
    again every `wait_seconds`. Ends on `stop`, after `max_events`, or, with `max_events`, when the
    source is off (a bounded run has nothing to wait for)."""
    said = ""
    profiles = BlueskyProfiles()  # kept while the source is off: the cache is still good when it comes back
    while not stop.is_set():
        source = Source.objects.get(pk=source_id)
        if source.enabled:
            result = bluesky_consume(
                source=source, url=url or source_jetstream_url(source=source), stop=stop, max_events=max_events,
                options=options, on_run_finished=on_run_finished, on_progress=on_progress, profiles=profiles,
            )
            if result.end in (ConsumeEnd.STOPPED, ConsumeEnd.MAX_EVENTS) or max_events is not None:
                return result
            state = result.end
        else:
            if max_events is not None:
                return ConsumeResult(end=ConsumeEnd.DISABLED)
            state = ConsumeEnd.DISABLED
        if said != state:  # said once, not every `wait_seconds`
            logger.info(_WAITING[state], {"name": source.name, "seconds": f"{wait_seconds:g}"})
            said = state
        stop.wait(wait_seconds)
    return ConsumeResult(end=ConsumeEnd.STOPPED)


_WAITING = {
    ConsumeEnd.DISABLED: "La fuente «%(name)s» está apagada: no se lee Bluesky. Se enciende en el admin "
                         "(Fuentes → habilitada); se vuelve a mirar cada %(seconds)s s.",
    ConsumeEnd.BUSY: "La fuente «%(name)s» ya se lee en otro proceso; se vuelve a mirar cada %(seconds)s s.",
}


def bluesky_consume(
    *,
    source: Source,
    url: str,
    stop: threading.Event,
    max_events: int | None = None,
    options: JetstreamOptions = JetstreamOptions(),
    on_run_finished: Callable[[IngestionRun], None] | None = None,
    on_progress: Callable[[ConsumeProgress], None] | None = None,
    profiles: BlueskyProfiles | None = None,
) -> ConsumeResult:
    """Read the Jetstream at `url` for `source` until `stop` is set, `max_events` events are read or the
    source is switched off, reconnecting whenever the connection drops."""
    consumer = JetstreamConsumer(
        source=source, url=url, stop=stop, max_events=max_events, options=options,
        on_run_finished=on_run_finished, on_progress=on_progress, profiles=profiles or BlueskyProfiles(),
    )
    return consumer.consume()


class JetstreamConsumer:
    """The state of one consumption: the batch being gathered, the cursor, the run held and the counts."""

    def __init__(self, *, source: Source, url: str, stop: threading.Event, max_events: int | None,
                 options: JetstreamOptions, on_run_finished: Callable[[IngestionRun], None] | None,
                 on_progress: Callable[[ConsumeProgress], None] | None, profiles: BlueskyProfiles):
        self.source, self.url, self.stop, self.max_events, self.options = source, url, stop, max_events, options
        self.on_run_finished, self.on_progress, self.profiles = on_run_finished, on_progress, profiles
        self.result = ConsumeResult(end=ConsumeEnd.STOPPED)
        self.pending: list[JetstreamEvent] = []
        self.errors: list[RecordError] = []
        self.read_us: int | None = None  # newest event read
        self.committed_us: int | None = None  # the cursor as committed
        self.resume_us: int | None = None  # where to reconnect instead of the rewound cursor
        self.oversize_skip_us = 0
        self.run: IngestionRun | None = None
        self.sequence = 0
        self.matcher = matcher_current()
        now = time.monotonic()
        self.flushed_at = self.run_started_at = now
        self.reported = (now, 0, 0, 0, 0)  # (when, events, new, duplicate, rejected) at the last report
        self._run_events = 0  # events read before the current run opened
        self._read_since_connect = False
        self._oversize_anchor: int | None = None

    # --- the loop -------------------------------------------------------------------------------------------

    def consume(self) -> ConsumeResult:
        cursor = SourceCursor.objects.filter(source=self.source, key=CURSOR_KEY).first()
        self.read_us = self.committed_us = cursor.position if cursor and cursor.position else None
        self.run = ingestion_run_start(source=self.source, label=RUN_LABEL)
        if self.run is None:
            return ConsumeResult(end=ConsumeEnd.BUSY)
        where = f"desde {datetime.fromtimestamp(self.committed_us / 1e6, tz=UTC):%Y-%m-%d %H:%M:%S} UTC" \
            if self.committed_us else "desde el presente"
        logger.info("Bluesky: leyendo %s (%s) para la fuente «%s»", self.url, where, self.source.name)
        self.result.runs.append(self.run.pk)
        try:
            self.result.end = self._connections_follow()
            self._flush()
        except Exception as error:
            self._fail(error)
            raise
        self._run_close()
        self._report(force=True)
        return self.result

    def _fail(self, error: Exception) -> None:
        """Say in the database why the consumer stopped (the database itself may be what failed). The
        posts of the batch it was gathering are not lost: the cursor has not passed them."""
        message = f"{type(error).__name__}: {error}"[:2000]
        try:
            Source.objects.filter(pk=self.source.pk).update(failures=F("failures") + 1, last_error=message)
            self._run_close(status=IngestionRun.Status.FAILED, message=message)
        except Exception:
            logger.exception("Bluesky: no se pudo registrar el error %s", message)

    def _connections_follow(self) -> ConsumeEnd:
        attempt = 0
        while True:
            self._read_since_connect = False
            try:
                with connect(self._connect_url(), max_size=self.options.max_frame_bytes, open_timeout=10,
                             close_timeout=2) as connection:
                    return self._frames_take(connection)
            except ConnectionClosed as closed:
                if closed.sent is not None and closed.sent.code == CloseCode.MESSAGE_TOO_BIG:
                    self._oversize_skip()
                else:
                    self._connection_lost(error=None if isinstance(closed, ConnectionClosedOK) else closed)
                attempt = 0 if self._read_since_connect else attempt  # it worked for a while: start over at 1 s
            except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as error:
                self._connection_lost(error=error)
            self._flush()  # what was read is committed before the cursor is rewound
            if not Source.objects.filter(pk=self.source.pk, enabled=True).exists():
                return ConsumeEnd.DISABLED
            self._tick()
            attempt += 1
            if self.stop.wait(self._backoff(attempt)):
                return ConsumeEnd.STOPPED
            Source.objects.filter(pk=self.source.pk).update(reconnects=F("reconnects") + 1)

    def _frames_take(self, connection: ClientConnection) -> ConsumeEnd:
        """Read frames until the stop flag, the event budget or a switched-off source says to end."""
        receive, timeout = connection.recv, self.options.receive_timeout
        while not self.stop.is_set():
            try:
                frame = receive(timeout=timeout, decode=False)
            except TimeoutError:
                frame = None
            if frame is not None:
                self._read_since_connect = True
                self._event_take(frame)
                if self.max_events is not None and self.result.events >= self.max_events:
                    return ConsumeEnd.MAX_EVENTS
            end = self._tick()
            if end is not None:
                return end
        return ConsumeEnd.STOPPED

    def _event_take(self, frame: bytes | str) -> None:
        self.result.events += 1
        event = jetstream_event_read(frame, matcher=self.matcher)
        if event.time_us is not None and (self.read_us is None or event.time_us > self.read_us):
            self.read_us = event.time_us
        if event.post is not None:
            self.pending.append(event)
        elif event.identity is not None:
            did, handle = event.identity
            self.profiles.handle_note(did=did, handle=handle)
        elif event.invalid is not None:
            # The line is the frame's position in what this process read; the id finds it in the stream.
            ident = event.reference or (str(event.time_us) if event.time_us else "")
            self.errors.append(RecordError(line=self.result.events, message=str(event.invalid), record_id=ident))

    def _tick(self) -> ConsumeEnd | None:
        """Store the batch when it is due, open the next run when this one is old enough; DISABLED when
        the source was switched off (looked at after each batch)."""
        now = time.monotonic()
        waited = now - self.flushed_at
        due = (
            len(self.pending) >= self.options.flush_posts
            or ((self.pending or self.errors) and waited >= self.options.flush_seconds)
            or waited >= self.options.cursor_seconds  # the cursor moves, and the switch is seen, on a quiet stream too
        )
        if due:
            self._flush()
            if not Source.objects.filter(pk=self.source.pk, enabled=True).exists():
                return ConsumeEnd.DISABLED
        if now - self.run_started_at >= self.options.run_seconds:
            self._flush()
            if not self._run_rotate():
                return ConsumeEnd.BUSY
        if now - self.reported[0] >= self.options.progress_seconds:
            self._report()
        return None

    # --- batches --------------------------------------------------------------------------------------------

    def _flush(self) -> None:
        """Store what was read, and move the cursor to the newest event read, in one transaction."""
        self.flushed_at = time.monotonic()
        if not self.pending and not self.errors and self.read_us == self.committed_us:
            return
        records = self.profiles.records_complete([e.post for e in self.pending if e.post is not None])
        position = self.read_us
        batch = SourceBatch(
            items=[event.raw for event in self.pending],
            records=records,
            errors=list(self.errors),
            cursor_updates=[CursorUpdate(key=CURSOR_KEY, query=self.url, position=position)] if position else [],
        )
        if self.run is None:
            raise RuntimeError("no hay una ejecución abierta donde guardar el lote")
        self.sequence += 1
        stored = source_batch_store(source=self.source, run=self.run, batch=batch, sequence=self.sequence,
                                    context=self._context())
        self.committed_us = position
        self.result.new += stored.new
        self.result.duplicate += stored.duplicate
        self.result.rejected += len(self.errors)
        self.pending.clear()
        self.errors.clear()
        self._health_note()

    def _context(self) -> StoreContext:
        self.matcher = matcher_current()  # a dictionary edited in the admin applies within seconds
        return StoreContext(matcher=self.matcher, category_ids=category_ids_by_slug(), source=self.source,
                            run=self.run, raw_batch=None, now=timezone.now())

    def _health_note(self) -> None:
        fields: dict[str, datetime] = {"last_read_at": timezone.now()}
        if self.read_us:
            fields["last_event_at"] = datetime.fromtimestamp(self.read_us / 1e6, tz=UTC)
        Source.objects.filter(pk=self.source.pk).update(**fields)

    # --- runs -----------------------------------------------------------------------------------------------

    def _run_rotate(self) -> bool:
        """Close the run and open the next; False when another process opened one in between (it reads now)."""
        self._run_close()
        self.run = ingestion_run_start(source=self.source, label=RUN_LABEL)
        if self.run is None:
            return False
        self.result.runs.append(self.run.pk)
        self.run_started_at = time.monotonic()
        self.sequence = 0
        self._run_events = self.result.events
        return True

    def _run_close(self, *, status: str | None = None, message: str = "") -> None:
        if self.run is None:
            return
        read = self.result.events - self._run_events
        summary = f"Eventos de Jetstream leídos: {read:,}.".replace(",", " ")
        run = ingestion_run_finish(run=self.run, status=status, message=f"{message} {summary}".strip())
        self.run = None
        if self.on_run_finished is not None:
            self.on_run_finished(run)  # also a failed run's posts are stored, and want scoring

    # --- connections ----------------------------------------------------------------------------------------

    def _connect_url(self) -> str:
        if self.resume_us is not None:
            cursor: int | None = self.resume_us
            self.resume_us = None
        elif self.committed_us:
            cursor = max(self.committed_us - int(self.options.rewind_seconds * 1e6), 1)
        else:
            cursor = None  # never read: start at the live tail
        return jetstream_url(base=self.url, cursor=cursor)

    def _connection_lost(self, *, error: BaseException | None) -> None:
        if error is None:
            logger.info("Bluesky: Jetstream cerró la conexión; se reconecta")
            return
        message = f"{type(error).__name__}: {error}"[:2000]
        logger.warning("Bluesky: falló la conexión con Jetstream (%s); se reintenta", message)
        Source.objects.filter(pk=self.source.pk).update(failures=F("failures") + 1, last_error=message)

    def _oversize_skip(self) -> None:
        """A frame over `max_frame_bytes` closes the connection; resuming at the cursor would meet it again.
        Resume just past the last event read (1 ms, doubling while the same frame comes back), and say so."""
        anchor = self.read_us
        same = anchor == self._oversize_anchor and self.oversize_skip_us
        self.oversize_skip_us = self.oversize_skip_us * 2 if same else 1000
        self._oversize_anchor = anchor
        self.resume_us = anchor + self.oversize_skip_us if anchor else None
        limit = self.options.max_frame_bytes // 1024
        self.errors.append(RecordError(
            line=self.result.events + 1, record_id=str(anchor or ""),
            message=f"un evento de más de {limit} KiB se omitió (con los de los {self.oversize_skip_us // 1000} ms "
                    "siguientes al último leído)",
        ))

    def _backoff(self, attempt: int) -> float:
        """Exponential (1 s, 2 s, 4 s … at most 60 s) with jitter, so many consumers do not return together."""
        ceiling = min(self.options.backoff_max, self.options.backoff_first * 2 ** (attempt - 1))
        return ceiling / 2 + random.random() * ceiling / 2

    # --- progress -------------------------------------------------------------------------------------------

    def _report(self, *, force: bool = False) -> None:
        if self.on_progress is None:
            return
        now = time.monotonic()
        since, events, new, duplicate, rejected = self.reported
        if not force and now - since < self.options.progress_seconds:
            return
        lag = timezone.now() - datetime.fromtimestamp(self.read_us / 1e6, tz=UTC) if self.read_us else None
        result = self.result
        self.on_progress(ConsumeProgress(
            events=result.events - events, seconds=now - since, new=result.new - new,
            duplicate=result.duplicate - duplicate, rejected=result.rejected - rejected, lag=lag,
        ))
        self.reported = (now, result.events, result.new, result.duplicate, result.rejected)

