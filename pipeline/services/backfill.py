"""Backfill: import a large file (or a folder of them) and score each batch as soon as it is stored.

A backfill is one pass: each batch the import commits is scored right away by the
active model (predictions, the semáforo's counts and the alerts, in the scoring
transaction), while the import parses the next batch. Posts stored and lines
read are remembered per file in a cursor of the files source, moved only after a
batch is both stored and scored: a backfill stopped at any moment (Ctrl-C, kill
-9, a reboot) and started again with the same paths goes on from the first line
not yet done. Files already done are skipped, and a file that changed since
(another size or modification time) is read again from its start.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, connections

from classifier.label_sets import DISCRIMINATION
from classifier.selectors.serving import LoadedModel, model_active_get
from ingestion.models import SourceCursor
from ingestion.records import RecordError
from ingestion.services.imports import ImportSummary, source_file_get, tweets_import_file
from ingestion.sources.files import FileReader, FileUnreadable, Parsed, default_encoding, file_format_detect
from pipeline.processes import process_setup
from pipeline.services.scoring import batch_store, tweets_score

CURSOR_PREFIX = "backfill:"
DONE = "done"  # a cursor's newest_id once its file is finished; before, the id of the run storing it


@dataclass(frozen=True, slots=True)
class BackfillFile:
    path: Path
    fmt: str
    size: int


@dataclass(slots=True)
class BackfillProgress:
    """Running totals over every file of the backfill, for the progress bar and the summary."""

    files: int = 0
    skipped_files: int = 0
    bytes_done: int = 0  # of the files finished
    position: int = 0  # bytes read of the file being read
    read: int = 0
    new: int = 0
    duplicate: int = 0
    rejected: int = 0
    scored: int = 0
    resumed_lines: int = 0
    started: float = field(default_factory=time.monotonic)
    model_version: int | None = None
    processes: int = 0  # scoring processes beside the import (0: it scores each batch itself)
    errors: list[tuple[Path, RecordError]] = field(default_factory=list)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)

    def rate(self) -> float:
        """Posts (new and already stored) handled per second since the start."""
        elapsed = time.monotonic() - self.started
        return (self.new + self.duplicate) / elapsed if elapsed > 0 else 0.0


def backfill_files_find(paths: list[Path], *, fmt: str | None = None) -> tuple[list[BackfillFile], list[tuple[Path, str]]]:
    """The files to read, in order: each path given, and a folder's files (recursively, by name).

    A folder's files whose format cannot be told from their name are left out; a
    file named on the command line is refused with its reason instead.
    """
    found: list[BackfillFile] = []
    refused: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                try:
                    found.append(BackfillFile(path=child, fmt=fmt or file_format_detect(child), size=child.stat().st_size))
                except FileUnreadable:
                    continue
        elif not path.exists():
            refused.append((path, f"no existe {path}"))
        else:
            try:
                found.append(BackfillFile(path=path, fmt=fmt or file_format_detect(path), size=path.stat().st_size))
            except FileUnreadable as error:
                refused.append((path, str(error)))
    return found, refused


def backfill_run(
    *, files: list[BackfillFile], encoding: str | None = None, batch_size: int | None = None, restart: bool = False,
    processes: int | None = None, on_progress: Callable[[BackfillProgress], None] | None = None,
) -> BackfillProgress:
    """Import and score every file, going on where an earlier backfill of the same files stopped.

    `processes`: scoring processes beside the import (default one per core; none on SQLite).
    """
    progress = BackfillProgress()
    loaded = model_active_get(task=DISCRIMINATION)
    progress.model_version = loaded.version.version if loaded else None
    scorer = BatchScorer(processes=(os.cpu_count() or 1 if processes is None else processes) if loaded else 0)
    progress.processes = scorer.processes
    try:
        for item in files:
            try:
                _file_backfill(item, encoding=encoding or default_encoding(item.fmt), batch_size=batch_size,
                               restart=restart, loaded=loaded, scorer=scorer, progress=progress, on_progress=on_progress)
            except FileUnreadable as error:
                scorer.drain()
                progress.unreadable.append((item.path, str(error)))
            progress.bytes_done += item.size
            progress.position = 0
            if on_progress:
                on_progress(progress)
    finally:
        scorer.close()
    return progress


def stored_posts_score(batch: list[tuple[int, str]]) -> int:
    """Score posts (id, text) that the import has just stored, with the active model; how many."""
    loaded = model_active_get(task=DISCRIMINATION)
    return batch_store(batch, loaded=loaded) if loaded is not None and batch else 0


class BatchScorer:
    """Scores each stored batch: here, or in `processes` processes of its own.

    Other processes see committed rows only: on SQLite, or inside a caller's
    transaction, the batches are scored here.

    Results are taken in the order the batches were given, so `done` moves a
    file's cursor past a batch only once it and every batch before it are scored.
    At most two batches per process wait, so memory and the distance between
    what is stored and what is scored stay bounded.
    """

    def __init__(self, *, processes: int) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._pending: deque[tuple[Future[int], Callable[[int], None]]] = deque()
        self._limit = 2 * max(processes, 1)
        self._processes = processes
        if processes > 0 and connection.vendor == "postgresql" and not connection.in_atomic_block:
            connections.close_all()
            self._pool = ProcessPoolExecutor(
                max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
                initializer=process_setup, initargs=(os.environ["DJANGO_SETTINGS_MODULE"], connection.settings_dict["NAME"]),
            )

    @property
    def processes(self) -> int:
        return self._processes if self._pool else 0

    def submit(self, batch: list[tuple[int, str]], *, done: Callable[[int], None]) -> None:
        if self._pool is None:
            done(stored_posts_score(batch))
            return
        self._pending.append((self._pool.submit(stored_posts_score, batch), done))
        self._collect(block=len(self._pending) > self._limit)

    def drain(self) -> None:
        while self._pending:
            self._collect(block=True)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _collect(self, *, block: bool) -> None:
        while self._pending and (block or self._pending[0][0].done()):
            future, done = self._pending.popleft()
            done(future.result())  # re-raises a scoring process's error here
            block = False


def backfill_cursor_key(item: BackfillFile) -> str:
    """A file's cursor: its absolute path, size and modification time (a changed file starts over)."""
    stat = item.path.stat()
    identity = f"{item.path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    return CURSOR_PREFIX + hashlib.sha256(identity.encode()).hexdigest()[: 64 - len(CURSOR_PREFIX)]


class ResumedReader:
    """A file reader that skips the lines an earlier backfill finished, and knows which lines are done.

    Records come in line order, and one line (an X API page) may hold many posts,
    which a batch may split. `lines_done(n)` is the last line all of whose records
    are among the first `n` read: the cursor never passes a line half stored.
    """

    def __init__(self, reader: FileReader, *, after_line: int) -> None:
        self.reader, self.after_line = reader, after_line
        self.path, self.size, self.fmt = reader.path, reader.size, reader.fmt
        self._lines: deque[int] = deque()  # the line of each record read and not yet known done
        self._finished = False
        self._done_count = 0
        self._done_line = after_line

    def position(self) -> int:
        return self.reader.position()

    def records(self) -> Iterator[Parsed]:
        for line, item in self.reader.records():
            if line <= self.after_line:
                continue
            self._lines.append(line)
            yield line, item
        self._finished = True

    def lines_done(self, count: int) -> int:
        while self._done_count < count and self._lines:
            self._done_line = self._lines.popleft()
            self._done_count += 1
        if self._done_count == 0 or self._finished and not self._lines:
            return self._done_line
        if self._lines and self._lines[0] > self._done_line:
            return self._done_line
        return self._done_line - 1  # its line may go on in the next batch


def _file_backfill(
    item: BackfillFile, *, encoding: str, batch_size: int | None, restart: bool, loaded: LoadedModel | None,
    scorer: BatchScorer, progress: BackfillProgress, on_progress: Callable[[BackfillProgress], None] | None,
) -> None:
    source = source_file_get()
    cursor, _ = SourceCursor.objects.get_or_create(
        source=source, key=backfill_cursor_key(item), defaults={"query": str(item.path.resolve())[:2000]}
    )
    if restart:
        cursor.position, cursor.newest_id = 0, ""
    if cursor.newest_id == DONE:
        progress.skipped_files += 1
        return
    progress.files += 1
    progress.resumed_lines += cursor.position
    if loaded is not None and cursor.newest_id.isdigit():
        # The run of the last batch scored: an interrupted backfill may have stored one more and not scored it.
        progress.scored += tweets_score(run_id=int(cursor.newest_id)).scored
    reader = ResumedReader(FileReader(path=item.path, fmt=item.fmt, encoding=encoding), after_line=cursor.position)
    base = _totals(progress)

    def batch_stored(summary: ImportSummary) -> None:
        # The posts this batch stored come with the summary: they are scored without being read again.
        _totals_set(progress, base, summary)
        progress.position = reader.position()
        lines, batch = reader.lines_done(summary.read), summary.batch_stored
        # The run storing the file, for a resumed backfill to score what this one stored and did not score.
        SourceCursor.objects.filter(pk=cursor.pk).update(newest_id=str(summary.run.pk))

        def batch_scored(scored: int) -> None:
            progress.scored += scored
            SourceCursor.objects.filter(pk=cursor.pk).update(position=lines)
            if on_progress:
                on_progress(progress)

        if loaded is None or not batch:
            batch_scored(0)
        else:
            scorer.submit(batch, done=batch_scored)

    summary = tweets_import_file(reader=reader, batch_size=batch_size, on_batch=batch_stored)  # type: ignore[arg-type]
    scorer.drain()
    _totals_set(progress, base, summary)
    progress.errors.extend((item.path, error) for error in summary.errors)
    SourceCursor.objects.filter(pk=cursor.pk).update(position=reader.lines_done(summary.read), newest_id=DONE)


def _totals(progress: BackfillProgress) -> tuple[int, int, int, int]:
    return progress.read, progress.new, progress.duplicate, progress.rejected


def _totals_set(progress: BackfillProgress, base: tuple[int, int, int, int], summary: ImportSummary) -> None:
    progress.read = base[0] + summary.read
    progress.new = base[1] + summary.new
    progress.duplicate = base[2] + summary.duplicate
    progress.rejected = base[3] + summary.rejected
