"""Robustness benchmark: import 100,000 posts of which 5% are hostile, next to the same import with none.

    .venv/bin/python benchmarks/robustness.py                  # 100,000 records, 5% hostile (`make bench`)
    .venv/bin/python benchmarks/robustness.py --count 20000    # a quick run

It drops, recreates and migrates a dedicated database (`BENCH_DATABASE_URL`,
default `postgres://postgres@127.0.0.1:5432/discriminamometro_robustness_bench`;
a name without "bench" is refused), writes two JSON-lines files into
`benchmarks/out/` (one X API v2 tweet per line, so every record has a line):
the reference, all good, and the hostile one, where 5% of the lines carry one
of the hostile classes of the hardening issue, mixed (dates in year 9999 or 1,
NUL in the author's name, location, lang, a hashtag or the text, an author id
longer than its column, `author`/`entities`/`referenced_tweets` of the wrong
shape, lone surrogates, broken JSON, bytes that are not UTF-8, lines past the
line limit), and imports both through `manage.py import_tweets`'s path
(`FileReader`, `tweets_import_file`). Last it feeds the same path a file with
one 200 MB line, and a gzip bomb (1 GB of "a" without a newline).

It prints, per pass: records read, good stored, bad rejected, good lost (must
be 0), whether every bad record was reported with its own line, the time, and
the peak resident memory (target: under 300 MB), the kernel's high-water mark
reset before each pass. A miss is reported, not raised.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.ingest import (  # noqa: E402
    OUT_DIR,
    database_recreate,
    django_environment_set,
    django_ready,
    rss,
    rss_peak,
    rss_peak_reset,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/discriminamometro_robustness_bench"
TARGET_PEAK_RSS = 300 * 1024 * 1024
MB = 1024 * 1024
LONG_LINES = 2  # lines past the 5 MB line limit: few, each costs 6 MB of file
TEXTS = (
    "Qué naco el de la combi, de veras", "Hoy llueve en Mérida y no hay camiones", "Buenos días, #CDMX",
    "Esa vieja no sabe manejar", "Los indios de mi pueblo hacen el mejor mole", "Nos vemos en el Zócalo a las 5",
)
PLACES = ({"full_name": "Mérida, Yucatán", "country_code": "MX"}, {"full_name": "Guadalajara, Jalisco", "country_code": "MX"})

# Every hostile class of the hardening issue: how a good tweet is spoiled (None: the whole line is spoiled).
HOSTILE_FIELDS: dict[str, dict[str, Any] | None] = {
    "fecha año 9999": {"created_at": "9999-12-31T23:59:59-05:00"},
    "fecha año 1": {"created_at": "0001-01-01T00:00:00+05:00"},
    "NUL en el nombre": {"author": {"id": "u1", "username": "lupita", "name": "Lu\x00pe"}},
    "NUL en la ubicación": {"author": {"id": "u1", "username": "lupita", "location": "Mérida\x00"}},
    "NUL en lang": {"lang": "e\x00s"},
    "NUL en un hashtag": {"entities": {"hashtags": [{"tag": "cdmx\x00"}]}},
    "NUL en el texto": {"text": "hola\x00"},
    "author_id largo": {"author_id": "9" * 200},
    "author lista": {"author": [1, 2]},
    "entities texto": {"entities": "x"},
    "referenced_tweets texto": {"referenced_tweets": "x"},
    "sustituto suelto": {"text": "hola \ud800"},
    "JSON roto": None,
    "bytes no UTF-8": None,
}


def good_tweet(ident: str, rng: random.Random) -> dict[str, Any]:
    tweet: dict[str, Any] = {
        "id": ident, "text": f"{rng.choice(TEXTS)} {ident}", "created_at": "2026-11-20T10:00:00.000Z",
        "lang": "es", "author_id": f"u{rng.randrange(5000)}",
        "author": {"id": "u1", "username": "lupita", "name": "Lupita", "location": "Mérida, Yucatán"},
        "public_metrics": {"like_count": rng.randrange(100), "retweet_count": rng.randrange(10)},
    }
    if rng.random() < 0.2:
        tweet["geo"] = {"place": rng.choice(PLACES)}
    return tweet


def hostile_line(kind: str, ident: str, rng: random.Random) -> bytes:
    fields = HOSTILE_FIELDS.get(kind)
    if kind == "JSON roto":
        return json.dumps(good_tweet(ident, rng)).encode()[:-3]
    if kind == "bytes no UTF-8":
        return json.dumps(good_tweet(ident, rng), ensure_ascii=False).replace("lupita", "lup\udcedta").encode(
            "utf-8", "surrogateescape"
        )
    if kind == "línea demasiado larga":
        return json.dumps({**good_tweet(ident, rng), "text": "a" * (6 * MB)}).encode()
    return json.dumps({**good_tweet(ident, rng), **(fields or {})}).encode()


@dataclass(slots=True)
class Plan:
    path: Path
    good_ids: set[str] = field(default_factory=set)
    bad_lines: dict[int, str] = field(default_factory=dict)  # line → hostile class


def file_write(*, count: int, share: float, prefix: str, seed: int) -> Plan:
    """`count` records, one per line; `share` of them hostile, the classes mixed at random."""
    rng = random.Random(seed)
    plan = Plan(path=OUT_DIR / f"robustness-{prefix}-{count}-{share:.2f}-seed{seed}.jsonl")
    kinds = list(HOSTILE_FIELDS)
    bad = set(rng.sample(range(1, count + 1), round(count * share)))
    long_lines = set(rng.sample(sorted(bad), min(LONG_LINES, len(bad))))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with plan.path.open("wb") as handle:
        for number in range(1, count + 1):
            ident = f"{prefix}{number}"
            if number in bad:
                kind = "línea demasiado larga" if number in long_lines else rng.choice(kinds)
                plan.bad_lines[number] = kind
                handle.write(hostile_line(kind, ident, rng) + b"\n")
            else:
                plan.good_ids.add(ident)
                handle.write(json.dumps(good_tweet(ident, rng), ensure_ascii=False).encode() + b"\n")
    return plan


@dataclass(slots=True)
class PassResult:
    label: str
    read: int = 0
    good: int = 0
    bad: int = 0
    lost: int = 0
    unreported: int = 0
    seconds: float = 0.0
    peak_rss: int = 0
    peak_exact: bool = True
    note: str = ""


def import_pass(plan: Plan, *, label: str) -> PassResult:
    from ingestion.models import Tweet
    from ingestion.services.imports import tweets_import_file
    from ingestion.sources.files import FileReader

    result = PassResult(label=label, peak_exact=rss_peak_reset())
    sampled: list[int] = []
    started = time.perf_counter()
    summary = tweets_import_file(
        reader=FileReader(path=plan.path, fmt="xapi", encoding="utf-8"), on_batch=lambda _summary: sampled.append(rss())
    )
    result.seconds = time.perf_counter() - started
    # The kernel updates its high-water mark lazily: the RSS seen after each batch bounds it from below.
    result.peak_rss = max(rss_peak(), *sampled, rss())
    stored = set(Tweet.objects.filter(run=summary.run).values_list("platform_id", flat=True).iterator(chunk_size=10_000))
    result.read, result.good, result.bad = summary.read, len(stored & plan.good_ids), summary.rejected
    result.lost = len(plan.good_ids - stored)
    reported = {error.line for error in summary.errors}
    result.unreported = len(set(plan.bad_lines) - reported) + len(stored - plan.good_ids)
    return result


def bomb_pass(*, size: int) -> PassResult:
    """A gzip of `size` bytes of "a" without a newline, written a megabyte at a time, then imported."""
    from ingestion.services.imports import tweets_import_file
    from ingestion.sources.files import FileReader, FileUnreadable

    path = OUT_DIR / f"robustness-bomb-{size // MB}mb.jsonl.gz"
    if not path.exists():
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        with path.open("wb") as handle:
            for _ in range(size // MB):
                handle.write(packer.compress(b"a" * MB))
            handle.write(packer.flush())
    result = PassResult(label=f"gzip bomb ({path.stat().st_size / MB:.1f} MB → {size // MB:,} MB)", peak_exact=rss_peak_reset())
    started = time.perf_counter()
    try:
        tweets_import_file(reader=FileReader(path=path, fmt="xapi", encoding="utf-8"))
        result.note = "NOT refused"
    except FileUnreadable as error:
        result.note = f"refused: {error}"
    result.seconds = time.perf_counter() - started
    result.peak_rss = max(rss_peak(), rss())
    return result


def long_line_pass(*, size: int) -> PassResult:
    """A plain file whose middle line is `size` bytes, between two good ones: refused, the others kept."""
    from ingestion.models import Tweet
    from ingestion.services.imports import tweets_import_file
    from ingestion.sources.files import FileReader

    path = OUT_DIR / f"robustness-line-{size // MB}mb.jsonl"
    if not path.exists():
        with path.open("wb") as handle:
            handle.write(json.dumps({"id": "line-1", "text": "antes"}).encode() + b"\n")
            handle.write(b'{"id": "line-2", "text": "')
            for _ in range(size // MB):
                handle.write(b"a" * MB)
            handle.write(b'"}\n' + json.dumps({"id": "line-3", "text": "después"}).encode() + b"\n")
    result = PassResult(label=f"one line of {size // MB:,} MB between two good ones", peak_exact=rss_peak_reset())
    started = time.perf_counter()
    summary = tweets_import_file(reader=FileReader(path=path, fmt="xapi", encoding="utf-8"))
    result.seconds = time.perf_counter() - started
    result.peak_rss = max(rss_peak(), rss())
    stored = set(Tweet.objects.filter(platform_id__in=["line-1", "line-3"]).values_list("platform_id", flat=True))
    result.read, result.good, result.bad = summary.read, len(stored), summary.rejected
    result.lost = 2 - len(stored)
    result.unreported = 0 if [e.line for e in summary.errors] == [2] else 1
    return result


def pass_print(result: PassResult) -> None:
    peak = f"{result.peak_rss / MB:,.0f} MB" + ("" if result.peak_exact else " (process peak: reset unsupported)")
    verdict = "ok" if result.peak_rss < TARGET_PEAK_RSS else "MISS"
    print(f"\n{result.label}")
    if result.read:
        rate = result.read / result.seconds if result.seconds else 0
        print(f"  read {result.read:,} in {result.seconds:,.1f} s ({rate:,.0f} records/s)")
        print(f"  good stored {result.good:,}, bad rejected {result.bad:,}, good lost {result.lost:,}"
              f" ({'ok' if result.lost == 0 else 'MISS'})")
        print(f"  every bad record reported with its line: {'yes' if result.unreported == 0 else f'NO ({result.unreported:,} not)'}")
    else:
        print(f"  {result.note[:220]}")
        print(f"  in {result.seconds:,.1f} s")
    print(f"  peak RSS {peak}: {verdict} (target under {TARGET_PEAK_RSS // MB} MB)")


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=100_000, help="records per file")
    parser.add_argument("--hostile", type=float, default=0.05, help="share of hostile records")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--line-mb", type=int, default=200, help="size of the one over-long line (0: skip)")
    parser.add_argument("--bomb-mb", type=int, default=1024, help="decompressed size of the gzip bomb (0: skip)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    import os

    options = arguments(argv)
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    django_environment_set(url)
    name = database_recreate(url)
    django_ready()
    print(f"Robustness benchmark on database {name}: {options.count:,} records per file, "
          f"{options.hostile:.0%} hostile ({len(HOSTILE_FIELDS) + 1} classes, mixed), seed {options.seed}")
    reference = file_write(count=options.count, share=0.0, prefix="r", seed=options.seed)
    hostile = file_write(count=options.count, share=options.hostile, prefix="h", seed=options.seed)
    classes: dict[str, int] = {}
    for kind in hostile.bad_lines.values():
        classes[kind] = classes.get(kind, 0) + 1
    print("hostile records by class: " + ", ".join(f"{k} {n}" for k, n in sorted(classes.items())))
    pass_print(import_pass(reference, label=f"reference: {reference.path.name} (0% hostile)"))
    pass_print(import_pass(hostile, label=f"hostile: {hostile.path.name} ({options.hostile:.0%} hostile)"))
    if options.line_mb:
        pass_print(long_line_pass(size=options.line_mb * MB))
    if options.bomb_mb:
        pass_print(bomb_pass(size=options.bomb_mb * MB))


if __name__ == "__main__":
    main()
