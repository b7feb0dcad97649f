"""Ingestion benchmark: import synthetic X API v2 posts into PostgreSQL, then import them again.

    .venv/bin/python benchmarks/ingest.py                 # 1,000,000 posts (`make bench`)
    .venv/bin/python benchmarks/ingest.py --count 50000   # a quick run

It drops, recreates and migrates a dedicated database (`BENCH_DATABASE_URL`,
default `postgres://postgres@127.0.0.1:5432/discriminamometro_bench`; a name
without "bench" is refused) so runs are comparable; writes the posts with `benchmarks/generator.py` into
`benchmarks/out/` (kept and reused for the same count and seed); and imports
the file through the same path as `manage.py import_tweets`: `FileReader` and
`ingestion.services.imports.tweets_import_file`, dictionary matching and state attribution
included, with the default batch size from the settings.

It prints what it ran on; two references measured in the same run, on the same
file: parsing alone (each line through orjson, then through the standard
library's json) and a plain binary `COPY` of the essential columns into an
equivalently indexed table, one transaction per batch (measured before pass 1
and after pass 2, so a machine that slows down shows); then for each pass the
posts per second against the target (20,000 posts/s) and as a share of the COPY, the CPU seconds spent by Python and by the PostgreSQL
server, a CPU speed check (shared virtual machines vary from minute to
minute), the process's resident memory at 25/50/75/100% of the file and its
peak, and the rows in the tweet and tweet-category tables. The second pass
must add no row and be no slower. A miss is reported, not raised.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import platform
import resource
import subprocess
import sys
import time
import timeit
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil  # noqa: E402
from tqdm import tqdm  # noqa: E402

from benchmarks.generator import GENERATOR_VERSION, PAGE_SIZE, generation_meta, posts_generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "benchmarks" / "out"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/discriminamometro_bench"
TARGET_POSTS_PER_SECOND = 20_000
NO_SLOWER_TOLERANCE = 0.95  # pass 2 may be up to 5% slower than pass 1: run-to-run noise
MARKS = (25, 50, 75, 100)
MB = 1024 * 1024


# --- Setup -------------------------------------------------------------------------

def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL


def django_environment_set(url: str) -> None:
    """Point Django at the benchmark database, with production's DEBUG off; before `django.setup()`."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "discriminamometro.settings.base"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "false"


def database_recreate(url: str) -> str:
    """Drop and create the benchmark database; refuse any database not named for benchmarks."""
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    name = config["NAME"]
    if "bench" not in name:
        sys.exit(f"refusing to drop database {name!r}: its name must contain 'bench' (set BENCH_DATABASE_URL)")
    server: dict[str, Any] = {"host": config.get("HOST") or None, "port": config.get("PORT") or None,
                              "user": config.get("USER") or None, "password": config.get("PASSWORD") or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def django_ready() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def data_file(*, count: int, seed: int) -> tuple[Path, dict[str, Any], str]:
    """The posts file for (count, seed): reused when a complete one is there, else written now."""
    path = OUT_DIR / f"posts-{count}-seed{seed}.jsonl"
    meta = generation_meta(path)
    wanted = {"generator": GENERATOR_VERSION, "count": count, "seed": seed, "page_size": PAGE_SIZE}
    if meta is not None and all(meta.get(k) == v for k, v in wanted.items()):
        return path, meta, "reused from an earlier run"
    started = time.perf_counter()
    with tqdm(total=count, unit="posts", unit_scale=True, desc="generating", file=sys.stderr) as bar:
        posts_generate(path=path, count=count, seed=seed, on_page=lambda done: bar.update(done - bar.n))
    took = timedelta(seconds=round(time.perf_counter() - started))
    return path, generation_meta(path) or {}, f"generated now in {took}"


# --- Memory ------------------------------------------------------------------------

def cpu_check() -> float:
    """Microseconds for a fixed loop of 1,000 additions, best of 5: how fast this CPU is right now.

    On shared virtual machines the same code runs up to twice as fast or slow
    from one minute to the next; this figure lets two runs be compared fairly.
    """
    return min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6


def rss() -> int:
    return psutil.Process().memory_info().rss


def rss_peak_reset() -> bool:
    """Reset the kernel's high-water mark of this process's RSS (Linux); False where unsupported."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def rss_peak() -> int:
    """The kernel's high-water mark (VmHWM) since the last reset, else since the process started."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


# --- One pass ------------------------------------------------------------------------

@dataclass(slots=True)
class PassResult:
    label: str
    read: int = 0
    new: int = 0
    duplicate: int = 0
    rejected: int = 0
    status: str = ""
    run_id: int = 0
    seconds: float = 0.0
    rss_start: int = 0
    rss_peak: int = 0
    rss_peak_exact: bool = True
    rss_sampled_peak: int = 0  # the largest RSS seen after a batch
    rss_marks: dict[int, int] = field(default_factory=dict)
    tweets: int = 0
    categories: int = 0
    cpu_python: float = 0.0  # seconds of CPU this process used during the pass
    cpu_server: float | None = None  # the same for the PostgreSQL backend, when it runs on this machine
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after
    cpu_check: tuple[float, float] = (0.0, 0.0)  # `cpu_check()` before and after

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


class Progress:
    """The import's `on_batch`: a bar on stderr, and RSS as the file passes 25/50/75/100%."""

    def __init__(self, reader: Any, result: PassResult, *, quiet: bool):
        self.reader, self.result = reader, result
        self.pending = list(MARKS)
        self.bar = tqdm(total=reader.size, unit="B", unit_scale=True, desc=result.label, file=sys.stderr,
                        disable=quiet)

    def __call__(self, summary: Any) -> None:
        done = self.reader.position()
        self.bar.update(done - self.bar.n)
        self.bar.set_postfix_str(f"new {summary.new:,}, duplicate {summary.duplicate:,}, rejected {summary.rejected:,}")
        self.mark(100 * done / self.reader.size)

    def mark(self, percent: float) -> None:
        current = rss()
        self.result.rss_sampled_peak = max(self.result.rss_sampled_peak, current)
        while self.pending and self.pending[0] <= percent:
            self.result.rss_marks[self.pending.pop(0)] = current

    def close(self) -> None:
        self.mark(100.0)
        self.bar.close()


def checkpoint() -> None:
    """Start each pass without the previous one's dirty pages waiting to be flushed."""
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        pass  # needs superuser or pg_checkpoint; the pass is still measured


class CpuClock:
    """CPU seconds used by this process and by the PostgreSQL server (when local) over a pass.

    The import stores batches on a second connection that ends with the pass, so
    the server's time is read from the postmaster: its live processes plus the
    children it has already reaped.
    """

    def __init__(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        self.load_before = os.getloadavg()[0]
        self.python, self.server = psutil.Process(), self._postmaster(pid)
        self.python_start, self.server_start = self._own_seconds(self.python), self._server_seconds(self.server)

    @staticmethod
    def _postmaster(backend_pid: int) -> psutil.Process | None:
        try:
            return psutil.Process(backend_pid).parent()  # only when the server runs here and we may read it
        except psutil.Error:
            return None

    @staticmethod
    def _own_seconds(process: psutil.Process) -> float:
        times = process.cpu_times()
        return times.user + times.system

    @classmethod
    def _server_seconds(cls, postmaster: psutil.Process | None) -> float | None:
        if postmaster is None:
            return None
        try:
            times = postmaster.cpu_times()
            total = times.user + times.system + times.children_user + times.children_system
            for child in postmaster.children():
                # A child that ends while we look is counted in the postmaster's children times.
                with contextlib.suppress(psutil.Error):
                    total += cls._own_seconds(child)
            return total
        except psutil.Error:
            return None

    def server_elapsed(self) -> float | None:
        """The server's CPU seconds since the clock started; None when it cannot be read from here."""
        server_end = self._server_seconds(self.server)
        if server_end is None or self.server_start is None:
            return None
        return server_end - self.server_start

    def stop(self, result: PassResult) -> None:
        result.cpu_python = self._own_seconds(self.python) - self.python_start
        if (server := self.server_elapsed()) is not None:
            result.cpu_server = server
        result.load = (self.load_before, os.getloadavg()[0])


def table_rows() -> tuple[int, int]:
    from ingestion.models import Tweet, TweetCategory

    return Tweet.objects.count(), TweetCategory.objects.count()


def import_pass(path: Path, *, label: str, batch_size: int | None, quiet: bool) -> PassResult:
    """Import the file as `import_tweets` does, timed, with memory watched."""
    from ingestion.services.imports import tweets_import_file
    from ingestion.sources.files import FileReader

    checkpoint()
    result = PassResult(label=label)
    speed_before = cpu_check()
    reader = FileReader(path=path, fmt="xapi", encoding="utf-8")
    progress = Progress(reader, result, quiet=quiet)
    clock = CpuClock()
    result.rss_peak_exact = rss_peak_reset()
    result.rss_start = rss()
    started = time.perf_counter()
    summary = tweets_import_file(reader=reader, batch_size=batch_size, on_batch=progress)
    result.seconds = time.perf_counter() - started
    clock.stop(result)
    progress.close()
    # The kernel updates its high-water mark lazily; never report less than was seen.
    result.rss_peak = max(rss_peak(), result.rss_sampled_peak)
    result.read, result.new, result.duplicate = summary.read, summary.new, summary.duplicate
    result.rejected, result.status, result.run_id = summary.rejected, summary.run.status, summary.run.pk
    result.tweets, result.categories = table_rows()
    result.cpu_check = (speed_before, cpu_check())
    return result


# --- References ----------------------------------------------------------------------

ANCHOR_SQL = """
DROP TABLE IF EXISTS bench_anchor;
CREATE TABLE bench_anchor (
    id bigint PRIMARY KEY, platform_id varchar(255) NOT NULL, text text NOT NULL, created_at timestamptz,
    author_handle varchar(255) NOT NULL, state varchar(3) NOT NULL, CONSTRAINT bench_anchor_pid UNIQUE (platform_id)
);
CREATE INDEX bench_anchor_created ON bench_anchor (created_at, id);
CREATE INDEX bench_anchor_state ON bench_anchor (state, created_at);
CREATE INDEX bench_anchor_handle ON bench_anchor (author_handle);
"""


def parse_alone(path: Path) -> tuple[float, float, int]:
    """Posts per second of CPU for parsing every line with orjson, then with json; and the posts."""
    import json

    import orjson

    rates = []
    posts = 0
    for loads in (orjson.loads, json.loads):
        started, posts = time.process_time(), 0
        with path.open("rb") as handle:
            for line in handle:
                posts += len(loads(line).get("data") or ())
        rates.append(posts / (time.process_time() - started))
    return rates[0], rates[1], posts


def copy_anchor(path: Path, *, batch_size: int) -> float:
    """Posts per second of a binary COPY of six columns, one transaction per batch (parsing not timed)."""
    from datetime import datetime

    import orjson
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(ANCHOR_SQL)
    checkpoint()
    seconds, posts = 0.0, 0
    batch: list[tuple[int, str, str, datetime, str, str]] = []

    def flush() -> float:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(
            "COPY bench_anchor (id, platform_id, text, created_at, author_handle, state) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(["bigint", "varchar", "text", "timestamptz", "varchar", "varchar"])
            for row in batch:
                copy.write_row(row)
        return time.perf_counter() - started

    with path.open("rb") as handle:
        for line in handle:
            page = orjson.loads(line)
            users = {u["id"]: u for u in page.get("includes", {}).get("users", ())}
            for tweet in page.get("data") or ():
                posts += 1
                handle_ = users.get(tweet.get("author_id"), {}).get("username", "")
                batch.append((posts, tweet["id"], tweet["text"], datetime.fromisoformat(tweet["created_at"]), handle_, ""))
                if len(batch) >= batch_size:
                    seconds += flush()
                    batch = []
    if batch:
        seconds += flush()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_anchor")
    return posts / seconds


# --- Report --------------------------------------------------------------------------

def _mb(value: int) -> str:
    return f"{value / MB:,.0f} MB"


def verdict(rate: float) -> str:
    word = "PASS" if rate >= TARGET_POSTS_PER_SECOND else "FALL-SHORT"
    return f"{word} ({rate:,.0f} posts/s, {rate / TARGET_POSTS_PER_SECOND:.0%} of the target)"


def pass_print(result: PassResult) -> None:
    print(f"\n{result.label}")
    print(f"  read {result.read:,} · new {result.new:,} · duplicate {result.duplicate:,} · "
          f"rejected {result.rejected:,} · ingestion run #{result.run_id} {result.status}")
    print(f"  elapsed {result.seconds:,.1f} s → {result.rate:,.0f} posts/s")
    server = "unknown (not on this machine)" if result.cpu_server is None else (
        f"{result.cpu_server:,.1f} s ({result.cpu_server / result.seconds:.0%})")
    print(f"  CPU: Python {result.cpu_python:,.1f} s ({result.cpu_python / result.seconds:.0%} of elapsed), "
          f"PostgreSQL server {server}; load average {result.load[0]:.1f} → {result.load[1]:.1f} "
          f"on {os.cpu_count()} CPUs")
    print(f"  CPU speed check: {result.cpu_check[0]:.1f} µs before, {result.cpu_check[1]:.1f} µs after "
          f"(a loop of 1,000 additions; lower is faster, compare runs by it)")
    marks = ", ".join(f"{mark}% {_mb(value)}" for mark, value in sorted(result.rss_marks.items()))
    growth = result.rss_marks.get(100, 0) - result.rss_marks.get(25, 0)
    print(f"  memory (RSS of this process): start {_mb(result.rss_start)}; at {marks}; "
          f"growth 25%→100% {growth / MB:+,.1f} MB")
    kind = "since the pass started" if result.rss_peak_exact else "since the process started"
    print(f"  peak RSS {_mb(result.rss_peak)} ({kind})")
    print(f"  rows: ingestion_tweet {result.tweets:,} · ingestion_tweetcategory {result.categories:,}")
    print(f"  target ≥ {TARGET_POSTS_PER_SECOND:,} posts/s: {verdict(result.rate)}")


def data_check_print(meta: dict[str, Any]) -> None:
    """What the import made of the data: a sanity check on matching and attribution."""
    from ingestion.models import Tweet

    total = Tweet.objects.count() or 1
    matched = Tweet.objects.exclude(matches=[]).count()
    located = Tweet.objects.exclude(state="").count()
    intended = meta.get("with_terms", 0) / max(meta.get("count", 1), 1)
    print(f"  stored posts matching a dictionary term: {matched / total:.1%} (the generator wrote terms into "
          f"{intended:.1%}); attributed to a Mexican state: {located / total:.1%}")


def header_print(*, url: str, path: Path, meta: dict[str, Any], origin: str, batch_size: int | None) -> None:
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), current_setting('shared_buffers'), "
                       "current_setting('synchronous_commit')")
        version, buffers, synchronous = cursor.fetchone()
    memory = psutil.virtual_memory().total / 1024**3
    print("Ingestion benchmark: synthetic X API v2 posts imported into PostgreSQL, twice")
    print(f"machine:  {os.cpu_count()} CPUs ({_cpu_model()}), {memory:.1f} GiB RAM, {platform.system()} "
          f"{platform.release()}; Python {platform.python_version()}")
    print(f"database: PostgreSQL {version} (shared_buffers {buffers}, synchronous_commit {synchronous}) at "
          f"{_url_shown(url)}; dropped, recreated and migrated for this run")
    print(f"data:     {_relative(path)}: {meta.get('count', 0):,} posts in {meta.get('pages', 0):,} response pages "
          f"({meta.get('page_size', 0)} a page), {meta.get('bytes', 0) / 1e6:,.1f} MB, "
          f"{meta.get('with_terms', 0) / max(meta.get('count', 1), 1):.1%} written with dictionary terms, "
          f"{meta.get('authors', 0):,}-author pool, seed {meta.get('seed')}; {origin}")
    size = batch_size or settings.INGESTION["BATCH_SIZE"]
    print(f"code:     {_code_version()}")
    print(f"import:   FileReader(fmt='xapi') + tweets_import_file, as manage.py import_tweets; "
          f"batch size {size:,}{'' if batch_size else ' (settings default)'}; DEBUG off")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _url_shown(url: str) -> str:
    """The URL without its password, if it has one."""
    scheme, _, rest = url.partition("://")
    credentials, at, place = rest.rpartition("@")
    return f"{scheme}://{credentials.split(':', 1)[0]}{at}{place}" if at else url


def _code_version() -> str:
    """The commit measured, and whether the code that runs differs from it."""
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        changed = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "ingestion", "discriminamometro"],
                                 capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"commit {commit}" + (" with uncommitted changes in ingestion/ or settings" if changed else "")


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def second_pass_print(first: PassResult, second: PassResult) -> None:
    added = (second.tweets - first.tweets, second.categories - first.categories)
    ok = second.new == 0 and added == (0, 0)
    print(f"  new rows: {second.new} (ingestion_tweet {added[0]:+,}, ingestion_tweetcategory {added[1]:+,}): "
          f"{'OK' if ok else 'UNEXPECTED, the re-import added rows'}")
    ratio = second.rate / first.rate if first.rate else 0.0
    no_slower = ratio >= NO_SLOWER_TOLERANCE
    print(f"  no slower than pass 1: {'yes' if no_slower else 'NO'} ({ratio:.2f}× pass 1's rate; "
          f"{NO_SLOWER_TOLERANCE:.0%} counts as no slower)")


def summary_print(*, first: PassResult, second: PassResult, anchors: list[float], parsing: tuple[float, float]) -> None:
    anchor = sum(anchors) / len(anchors)
    print("\nside by side (same run)")
    print("  | path | posts/s | × COPY |\n  | --- | --- | --- |")
    print(f"  | parsing alone, orjson / json (CPU) | {parsing[0]:,.0f} / {parsing[1]:,.0f} | |")
    print(f"  | plain binary COPY, before pass 1 / after pass 2 | {anchors[0]:,.0f} / {anchors[1]:,.0f} | 1.00 |")
    for result in (first, second):
        server = "?" if result.cpu_server is None else f"{result.cpu_server / result.read * 1e6:,.0f}"
        print(f"  | {result.label} (CPU per post: Python {result.cpu_python / result.read * 1e6:,.0f} µs, "
              f"PostgreSQL {server} µs; peak RSS {_mb(result.rss_peak)}) | {result.rate:,.0f} | "
              f"{result.rate / anchor:.2f} |")


# --- Main ----------------------------------------------------------------------------

def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=1_000_000, help="posts to import (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the synthetic posts (default 42)")
    parser.add_argument("--batch-size", type=int, default=None, help="posts per transaction (default: settings)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = arguments(argv)
    url = database_url()
    django_environment_set(url)
    database_recreate(url)
    django_ready()
    path, meta, origin = data_file(count=args.count, seed=args.seed)
    header_print(url=url, path=path, meta=meta, origin=origin, batch_size=args.batch_size)
    sys.stdout.flush()
    from django.conf import settings

    size = args.batch_size or settings.INGESTION["BATCH_SIZE"]
    orjson_rate, json_rate, _ = parse_alone(path)
    print(f"\nparsing alone (CPU): orjson {orjson_rate:,.0f} posts/s · json {json_rate:,.0f} posts/s")
    anchors = [copy_anchor(path, batch_size=size)]
    print(f"plain binary COPY of 6 columns into an equally indexed table, {size:,} rows a transaction: "
          f"{anchors[0]:,.0f} posts/s")
    sys.stdout.flush()
    first = import_pass(path, label="pass 1: into empty tables", batch_size=args.batch_size, quiet=args.no_progress)
    pass_print(first)
    data_check_print(meta)
    sys.stdout.flush()
    second = import_pass(path, label="pass 2: the same file again", batch_size=args.batch_size,
                         quiet=args.no_progress)
    pass_print(second)
    second_pass_print(first, second)
    anchors.append(copy_anchor(path, batch_size=size))
    summary_print(first=first, second=second, anchors=anchors, parsing=(orjson_rate, json_rate))


if __name__ == "__main__":
    main()
