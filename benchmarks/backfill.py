"""Backfill benchmark: `manage.py backfill` of synthetic posts, import and scoring in one pass, into empty tables.

    .venv/bin/python benchmarks/backfill.py                 # 1,000,000 posts (`make bench`)
    .venv/bin/python benchmarks/backfill.py --count 200000  # a quick run

It works in its own database (`BENCH_BACKFILL_DATABASE_URL`, default
`postgres://postgres@127.0.0.1:5432/discriminamometro_backfill_bench`; a name
without "bench" is refused). The first run imports the labelled data and trains
the discrimination model with the training defaults (minutes); later runs keep
that model and empty only the tables of posts, predictions and counts before
each pass. The posts file is `benchmarks/generator.py`'s (kept in
`benchmarks/out/` and reused).

Each pass runs the command as an operator would, in a subprocess, and reports
its wall time, posts per second, the CPU seconds of the command with its scoring
processes and of the PostgreSQL server, and the command's peak memory. In the same
run, as references: the plain `COPY` of the posts' essential columns (id, text,
date) parsed from the same file, in one process, and the two stages one after the
other as before the backfill existed (`import_tweets`, then `score`). Target: the
backfill of 1,000,000 posts under 2 minutes.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson  # noqa: E402
import psutil  # noqa: E402
from django.db import DatabaseError  # noqa: E402

from benchmarks.ingest import CpuClock, cpu_check, data_file, database_recreate, django_environment_set, django_ready  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/discriminamometro_backfill_bench"
TARGET_SECONDS_PER_MILLION = 120
EMPTIED = (
    "ingestion_tweet", "ingestion_tweetcategory", "ingestion_ingestionrun", "ingestion_rawbatch", "ingestion_sourcecursor",
    "classifier_prediction", "dashboard_hourlycount", "dashboard_termhourly", "dashboard_rolluphistory",
    "alerts_serieslevel", "alerts_serieschange", "alerts_message",
)


@dataclass(slots=True)
class Pass:
    label: str
    seconds: float = 0.0
    cpu_command: float = 0.0
    cpu_server: float | None = None
    peak_mb: float = 0.0
    posts: int = 0
    scored: int = 0

    def rate(self) -> float:
        return self.posts / self.seconds if self.seconds else 0.0


def database_url() -> str:
    return os.environ.get("BENCH_BACKFILL_DATABASE_URL") or DEFAULT_DATABASE_URL


def model_ensure(url: str) -> str:
    """The active discrimination model: kept from an earlier run, or trained now (the database recreated)."""
    with contextlib.suppress(DatabaseError):  # no database yet, or not migrated
        django_ready()
        from classifier.models import ModelVersion

        version = ModelVersion.objects.filter(task="discrimination", status=ModelVersion.Status.ACTIVE).first()
        if version is not None:
            return f"v{version.version}, kept from an earlier run"
    database_recreate(url)
    django_ready()
    from django.core.management import call_command

    from classifier.services.training import TrainParams, model_version_train

    quiet = {"no_progress": True, "stdout": StringIO(), "stderr": StringIO()}
    for name in ("hateval2019_es_train.csv", "hateval2019_es_dev.csv"):
        call_command("import_labeled", str(DATA / "hateval2019_es" / name), format="hateval", **quiet)
    call_command("import_labeled", str(DATA / "exist2021_es" / "exist2021_es_train.csv"), format="exist", **quiet)
    started = time.perf_counter()
    version = model_version_train(task="discrimination", params=TrainParams())
    return f"v{version.version}, trained now in {time.perf_counter() - started:.0f} s ({len(version.metrics['labels'])} labels)"


def tables_empty() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(EMPTIED)} CASCADE")
        cursor.execute("CHECKPOINT")
        cursor.execute("ANALYZE")


def command_pass(label: str, commands: list[list[str]], *, url: str) -> Pass:
    """Run the commands one after the other as subprocesses; their wall time, CPU and peak memory."""
    tables_empty()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "discriminamometro.settings.base", "DATABASE_URL": url,
           "DJANGO_DEBUG": "false"}
    clock = CpuClock()
    result = Pass(label=label)
    started = time.perf_counter()
    for args in commands:
        done = subprocess.run(
            [sys.executable, "-c", _MEASURED, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        )
        if done.returncode != 0:
            sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
        cpu, peak_kb = done.stdout.strip().splitlines()[-1].split()[1:]
        result.cpu_command += float(cpu)
        result.peak_mb = max(result.peak_mb, int(peak_kb) / 1024)
    result.seconds = time.perf_counter() - started
    result.cpu_server = clock.server_elapsed()
    from classifier.models import Prediction
    from ingestion.models import Tweet

    result.posts, result.scored = Tweet.objects.count(), Prediction.objects.count()
    return result


# The command in a child that reports its CPU (with its own children: the scoring processes) and peak memory.
_MEASURED = """
import resource, sys
import django
django.setup()
from django.core.management import call_command
call_command(*sys.argv[1:])
own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
print("measured", round(cpu, 2), max(own.ru_maxrss, children.ru_maxrss))
"""


def copy_pass(path: Path) -> Pass:
    """The plain reference: parse the file and COPY id, text and date into an indexed table, in one transaction."""
    from django.db import connection, transaction

    result = Pass(label="plain COPY (id, text, date)")
    clock = CpuClock()
    cpu_before = time.process_time()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_plain")
        cursor.execute("CREATE TABLE bench_plain (id bigserial PRIMARY KEY, platform_id text UNIQUE, text text, "
                       "created_at timestamptz)")
        with cursor.connection.cursor().copy("COPY bench_plain (platform_id, text, created_at) FROM STDIN") as copy, \
                path.open("rb") as lines:
            for line in lines:
                for post in orjson.loads(line).get("data", ()):
                    copy.write_row((post["id"], post["text"], post.get("created_at")))
                    result.posts += 1
    result.seconds = time.perf_counter() - started
    result.cpu_command = time.process_time() - cpu_before
    result.cpu_server = clock.server_elapsed()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_plain")
    return result


def pass_print(result: Pass, *, reference: Pass | None) -> None:
    server = f"{result.cpu_server:,.0f} s" if result.cpu_server is not None else "n/a"
    peak = f"; peak memory {result.peak_mb:,.0f} MB" if result.peak_mb else ""
    ratio = f", {result.rate() / reference.rate():.2f}× the plain COPY" if reference and reference.rate() else ""
    print(f"   {result.label:<44} {result.seconds:7.1f} s  {result.rate():9,.0f} posts/s{ratio}; "
          f"CPU: command {result.cpu_command:,.0f} s, PostgreSQL {server}{peak}; "
          f"{result.posts:,} posts, {result.scored:,} scored")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000, help="posts (default 1,000,000)")
    parser.add_argument("--procesos", type=int, default=os.cpu_count() or 1, help="scoring processes (default: cores)")
    parser.add_argument("--skip-stages", action="store_true", help="leave out the import-then-score reference")
    args = parser.parse_args()
    url = database_url()
    django_environment_set(url)
    path, _meta, origin = data_file(count=args.count, seed=42)
    print("Backfill benchmark: import and scoring of synthetic X API v2 posts into empty tables")
    print(f"  machine: {os.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.0f} GB; "
          f"CPU check {cpu_check():.1f} µs (lower is faster)")
    print(f"  posts: {args.count:,} in {path.name} ({path.stat().st_size / 2**20:,.0f} MB, {origin})")
    print(f"  model: {model_ensure(url)}")
    print("  passes (each into emptied tables):")
    sys.stdout.flush()
    reference = copy_pass(path)
    pass_print(reference, reference=None)
    file = str(path)
    backfill = command_pass(
        f"manage.py backfill, {args.procesos} scoring processes",
        [["backfill", file, "--procesos", str(args.procesos), "--no-progress"]], url=url,
    )
    pass_print(backfill, reference=reference)
    if not args.skip_stages:
        stages = command_pass("import_tweets, then score (the stages in turn)",
                              [["import_tweets", file, "--no-progress"], ["score"]], url=url)
        pass_print(stages, reference=reference)
    target = TARGET_SECONDS_PER_MILLION * args.count / 1_000_000
    met = backfill.seconds <= target
    print(f"  backfill of {args.count:,} posts in {backfill.seconds:.0f} s against a target of {target:.0f} s: "
          + ("met" if met else f"MISSED by {backfill.seconds / target:.2f}×"))


if __name__ == "__main__":
    main()
