"""Bluesky benchmark: synthetic Jetstream events through the real consumer (filter, match, store) into PostgreSQL.

    .venv/bin/python benchmarks/bluesky.py                  # 200,000 events (`make bench`)
    .venv/bin/python benchmarks/bluesky.py --count 50000    # a quick run

What it measures, on what data. It writes `--count` events in Jetstream's JSON format to
`benchmarks/out/` (kept and reused for the same count and seed), a mix like the real stream's:
about 92% post creations, of them 70% in other languages (`langs` en, pt, ja, de, ...), 17% tagged
Spanish and 13% without `langs` (half Spanish, half English, so the language is detected); a fifth
of the Spanish posts carry a dictionary term (3-4% of all events), and a few of the foreign ones do
too (which the filter must drop); hashtag, mention and link facets with UTF-8 byte offsets, replies,
quotes and link cards; 3% identity, 1% account, 3% deletions, 1% edits and a few malformed frames.
Another process serves them from a WebSocket server on 127.0.0.1 as fast as it can, honouring
`cursor`, and answers `app.bsky.actor.getProfiles` for 20,000 synthetic authors.

It then measures, in this process and in the same run: a plain reference (the same frames received
with the same client and `orjson`-parsed, nothing else), before and after; and the real consumer
(`ingestion.services.bluesky.bluesky_consume`, default batching) with `max_events` = all of them, on
a dedicated database (`BENCH_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/
discriminamometro_bench`; a name without "bench" is refused), dropped, recreated and migrated so
runs are comparable, with the seeded dictionary. It prints events per second through each, their
ratio, what was stored, and the process's resident memory early (10% of the events) and at the end
(it should be flat), with its peak. The language detector's word lists are loaded before timing
(a long-running consumer loads them once). Jetstream's posts peak in the hundreds per second, so the
target is ten times a peak of 500 events/s: 5,000 events/s. A miss is reported, not raised.
"""
from __future__ import annotations

import argparse
import bisect
import contextlib
import multiprocessing
import os
import random
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import orjson

if __package__ in (None, ""):  # run as a script: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import vocabulary as vocab  # noqa: E402
from benchmarks.ingest import (  # noqa: E402
    _cpu_model,
    _url_shown,
    cpu_check,
    database_recreate,
    database_url,
    django_environment_set,
    django_ready,
    rss,
    rss_peak,
    rss_peak_reset,
)
from benchmarks.texts import TERMS_WEIGHTED, Weighted, between, pick, term_written  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "benchmarks" / "out"
GENERATOR_VERSION = 1  # bump when the output for a given seed changes
AUTHORS = 20_000
TARGET_EVENTS_PER_SECOND = 5_000  # ten times a peak of 500 events/s
MB = 1024 * 1024
T0 = 1_762_189_200_000_000  # 2025-11-03 17:00 UTC, in Jetstream's microseconds

FOREIGN = {
    "en": ("good morning everyone, coffee first", "this game is going to be wild tonight",
           "I can't believe it's already Friday", "new blog post about gardening is up",
           "the train was late again, as usual", "anyone else watching the finale tonight?"),
    "pt": ("bom dia, gente, hoje tem jogo", "o trânsito está impossível agora", "que calor absurdo nesta cidade"),
    "ja": ("おはようございます、今日もがんばろう", "新しい記事を書きました", "雨が降っています"),
    "de": ("guten Morgen, der Zug ist wieder zu spät", "heute gibt es Kuchen im Büro"),
    "fr": ("bonjour à tous, encore un lundi", "le match de ce soir sera serré"),
}
_FOREIGN_LANGS = Weighted([("en", 60), ("pt", 15), ("ja", 12), ("de", 7), ("fr", 6)])
_LOCATIONS = Weighted(vocab.LOCATIONS)


# --- Events ------------------------------------------------------------------------------------------------

def did_of(index: int) -> str:
    return f"did:plc:bench{index:06d}{'x' * 13}"


def profile_of(seed: int, index: int) -> dict[str, str]:
    rng = random.Random(f"{seed}:author:{index}")
    first, last = pick(rng, vocab.FIRST_NAMES), pick(rng, vocab.LAST_NAMES)
    description = _LOCATIONS.draw(rng)
    if rng.random() < 0.4:
        description = f"{description} · {pick(rng, vocab.TAGLINES)}".strip(" ·")
    return {"handle": f"{first.lower()}{index}.bsky.social", "displayName": f"{first} {last}", "description": description}


@dataclass(slots=True)
class EventMix:
    count: int = 0
    posts: int = 0
    spanish: int = 0
    with_terms: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


class EventFactory:
    """Jetstream events, one at a time, from a seed; `time_us` rises 2 ms on average between events."""

    def __init__(self, *, seed: int):
        self.rng = random.Random(seed)
        self.time_us = T0
        self.mix = EventMix()
        self.recent: list[tuple[str, str]] = []  # (did, rkey) of recent posts, for edits, deletions, replies

    def event(self) -> bytes:
        rng = self.rng
        self.time_us += between(rng, 200, 3800)
        self.mix.count += 1
        author = int(AUTHORS * rng.random() ** 2)  # a few accounts post far more than the rest
        roll = rng.random()
        if roll < 0.0002:
            return self._count("malformed", b'{"did":"%s","time_us":%d,"kind":"commit","commit":{"rev":"3l'
                               % (did_of(author).encode(), self.time_us))
        if roll < 0.03:
            return self._count("identity", orjson.dumps({"did": did_of(author), "time_us": self.time_us, "kind": "identity",
                               "identity": {"did": did_of(author), "handle": f"u{author}.bsky.social", "seq": self.mix.count,
                                            "time": self._iso()}}))
        if roll < 0.04:
            return self._count("account", orjson.dumps({"did": did_of(author), "time_us": self.time_us, "kind": "account",
                               "account": {"active": True, "did": did_of(author), "seq": self.mix.count, "time": self._iso()}}))
        if roll < 0.08 and self.recent:
            did, rkey = pick(rng, self.recent)
            operation = "delete" if roll < 0.07 else "update"
            commit: dict[str, Any] = {"rev": self._rkey(), "operation": operation, "collection": "app.bsky.feed.post", "rkey": rkey}
            if operation == "update":
                commit["record"] = {"$type": "app.bsky.feed.post", "text": "editado", "createdAt": self._iso()}
            return self._count(operation, orjson.dumps({"did": did, "time_us": self.time_us, "kind": "commit", "commit": commit}))
        return self._post(did_of(author))

    def _count(self, kind: str, frame: bytes) -> bytes:
        self.mix.kinds[kind] = self.mix.kinds.get(kind, 0) + 1
        return frame

    def _iso(self) -> str:
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=self.time_us - between(self.rng, 50_000, 900_000))
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    def _rkey(self) -> str:
        return "3l" + "".join(pick(self.rng, "234567abcdefghijklmnopqrstuvwxyz") for _ in range(11))

    def _post(self, did: str) -> bytes:
        rng = self.rng
        rkey = self._rkey()
        self.recent = (self.recent + [(did, rkey)])[-200:]
        self.mix.posts += 1
        roll = rng.random()
        if roll < 0.17:
            langs: list[str] | None = pick(rng, (["es"], ["es"], ["es-MX"], ["es", "en"]))
            spanish = True
        elif roll < 0.30:
            langs, spanish = (None if rng.random() < 0.7 else []), rng.random() < 0.5
        else:
            langs, spanish = [_FOREIGN_LANGS.draw(rng)], False
        text, facets = self._text(spanish=spanish, lang=(langs or ["en"])[0])
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "createdAt": self._iso(), "text": text}
        if langs is not None:
            record["langs"] = langs
        if facets:
            record["facets"] = facets
        self._extras(record)
        self._count("post", b"")
        return orjson.dumps({"did": did, "time_us": self.time_us, "kind": "commit", "commit": {
            "rev": self._rkey(), "operation": "create", "collection": "app.bsky.feed.post", "rkey": rkey,
            "record": record, "cid": "bafyrei" + rkey}})

    def _text(self, *, spanish: bool, lang: str) -> tuple[str, list[dict[str, Any]]]:
        rng = self.rng
        pieces: list[str] = []
        if spanish:
            self.mix.spanish += 1
            pieces = [pick(rng, vocab.SENTENCES) for _ in range(between(rng, 1, 3))]
            if rng.random() < 0.2:
                self.mix.with_terms += 1
                pieces.insert(between(rng, 0, len(pieces)), term_written(rng, TERMS_WEIGHTED.draw(rng)))
        else:
            pieces = [pick(rng, FOREIGN.get(lang[:2], FOREIGN["en"])) for _ in range(between(rng, 1, 3))]
            if rng.random() < 0.02:
                pieces.append(TERMS_WEIGHTED.draw(rng))  # "naco tacos": a term the language filter must drop
        if rng.random() < 0.3:
            pieces.insert(0, pick(rng, vocab.EMOJI))
        text = " ".join(pieces)
        return self._facets(text)

    def _facets(self, text: str) -> tuple[str, list[dict[str, Any]]]:
        rng = self.rng
        facets = []
        for chance, kind in ((0.25, "tag"), (0.10, "mention"), (0.10, "link")):
            if rng.random() >= chance:
                continue
            shown = {"tag": "#" + pick(rng, vocab.HASHTAGS), "mention": f"@u{between(rng, 0, AUTHORS)}.bsky.social",
                     "link": pick(rng, vocab.URL_DOMAINS) + "/nota"}[kind]
            start = len((text + " ").encode())
            text = f"{text} {shown}"
            feature: dict[str, Any] = {"$type": f"app.bsky.richtext.facet#{kind}"}
            feature.update({"tag": {"tag": shown[1:]}, "mention": {"did": did_of(between(rng, 0, AUTHORS))},
                            "link": {"uri": "https://" + shown}}[kind])
            facets.append({"index": {"byteStart": start, "byteEnd": start + len(shown.encode())}, "features": [feature]})
        return text, facets

    def _extras(self, record: dict[str, Any]) -> None:
        rng = self.rng
        if rng.random() < 0.2 and self.recent:
            did, rkey = pick(rng, self.recent)
            ref = {"uri": f"at://{did}/app.bsky.feed.post/{rkey}", "cid": "bafyrei" + rkey}
            record["reply"] = {"root": ref, "parent": ref}
        roll = rng.random()
        if roll < 0.05 and self.recent:
            did, rkey = pick(rng, self.recent)
            record["embed"] = {"$type": "app.bsky.embed.record",
                               "record": {"uri": f"at://{did}/app.bsky.feed.post/{rkey}", "cid": "bafyrei" + rkey}}
        elif roll < 0.12:
            record["embed"] = {"$type": "app.bsky.embed.external", "external": {
                "uri": f"https://{pick(rng, vocab.URL_DOMAINS)}/articulo", "title": "Nota", "description": ""}}


def data_file(*, count: int, seed: int) -> tuple[Path, dict[str, Any], str]:
    """The events file for (count, seed): reused when a complete one is there, else written now."""
    path = OUT_DIR / f"jetstream-{count}-seed{seed}.jsonl"
    meta_path = path.with_suffix(".meta.json")
    wanted = {"generator": GENERATOR_VERSION, "count": count, "seed": seed}
    if path.exists() and meta_path.exists():
        meta = orjson.loads(meta_path.read_bytes())
        if all(meta.get(k) == v for k, v in wanted.items()):
            return path, meta, "reused from an earlier run"
    started = time.perf_counter()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    factory = EventFactory(seed=seed)
    with path.open("wb") as handle:
        for _ in range(count):
            handle.write(factory.event() + b"\n")
    mix = factory.mix
    meta = {**wanted, "posts": mix.posts, "spanish": mix.spanish, "with_terms": mix.with_terms, "kinds": mix.kinds,
            "bytes": path.stat().st_size}
    meta_path.write_bytes(orjson.dumps(meta))
    return path, meta, f"generated now in {time.perf_counter() - started:.0f} s"


# --- The local Jetstream and AppView (another process) ----------------------------------------------------

def serve(path: Path, seed: int, ready: Any) -> None:
    """Serve the file's frames to every WebSocket connection (from `cursor` on), and getProfiles, until killed."""
    from websockets.sync.server import serve as ws_serve

    frames = [line.decode() for line in path.read_bytes().split(b"\n") if line]
    times, last = [], 0
    for frame in frames:
        head = frame[:120]
        at = head.find('"time_us":')
        if at >= 0:
            last = int(head[at + 10:head.index(",", at)])
        times.append(last)

    def stream(connection: Any) -> None:
        query = dict(parse_qsl(urlsplit(connection.request.path).query))
        start = bisect.bisect_left(times, int(query["cursor"])) if "cursor" in query else 0
        send = connection.send
        try:
            for index in range(start, len(frames)):
                send(frames[index])
            for _ in connection:  # then quiet, like a live stream, until the client leaves
                pass
        except Exception:  # the client went away
            return

    class Profiles(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            actors = parse_qs(urlsplit(self.path).query).get("actors", [])
            found = [{"did": did, **profile_of(seed, int(did[13:19]))} for did in actors if did.startswith("did:plc:bench")]
            body = orjson.dumps({"profiles": found})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    appview = ThreadingHTTPServer(("127.0.0.1", 0), Profiles)
    threading.Thread(target=appview.serve_forever, daemon=True).start()
    with ws_serve(stream, "127.0.0.1", 0, compression=None, max_size=None) as server:
        ready.put((server.socket.getsockname()[1], appview.server_address[1]))
        server.serve_forever()


# --- Measurements -------------------------------------------------------------------------------------------

@dataclass(slots=True)
class Measured:
    events: int = 0
    seconds: float = 0.0
    rss_early: int = 0
    rss_end: int = 0
    rss_peak: int = 0
    result: Any = None
    cpu_check: tuple[float, float] = (0.0, 0.0)

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def reference_pass(url: str, count: int) -> Measured:
    """The same frames with the same client, only parsed: what receiving the stream costs by itself."""
    from websockets.sync.client import connect

    measured = Measured()
    started = time.perf_counter()
    with connect(url, max_size=1024 * 1024, open_timeout=10) as connection:
        for _ in range(count):
            with contextlib.suppress(orjson.JSONDecodeError):  # the few malformed frames
                orjson.loads(connection.recv(decode=False))
    measured.seconds = time.perf_counter() - started
    measured.events = count
    return measured


def consumer_pass(url: str, count: int) -> Measured:
    from ingestion.models import Source
    from ingestion.services.bluesky import JetstreamOptions, bluesky_consume

    source = Source.objects.get(slug="bluesky")
    Source.objects.filter(pk=source.pk).update(enabled=True)
    measured = Measured()
    early_at = count // 10

    def sample(progress: Any) -> None:
        current = rss()
        measured.rss_peak = max(measured.rss_peak, current)
        if not measured.rss_early and measured.events + progress.events >= early_at:
            measured.rss_early = current
        measured.events += progress.events

    speed_before = cpu_check()
    exact = rss_peak_reset()
    started = time.perf_counter()
    measured.result = bluesky_consume(source=source, url=url, stop=threading.Event(), max_events=count,
                                      options=JetstreamOptions(progress_seconds=0.5), on_progress=sample)
    measured.seconds = time.perf_counter() - started
    measured.events = measured.result.events
    measured.rss_end = rss()
    measured.rss_peak = max(measured.rss_peak, rss_peak() if exact else 0, measured.rss_end)
    measured.cpu_check = (speed_before, cpu_check())
    return measured


# --- Report -------------------------------------------------------------------------------------------------

def header_print(*, url: str, path: Path, meta: dict[str, Any], origin: str) -> None:
    import platform

    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), current_setting('synchronous_commit')")
        version, synchronous = cursor.fetchone()
    count = max(meta.get("count", 1), 1)
    kinds = meta.get("kinds", {})
    print("Bluesky benchmark: synthetic Jetstream events through the consumer (filter, match, store) into PostgreSQL")
    print(f"machine:  {os.cpu_count()} CPUs ({_cpu_model()}), {psutil.virtual_memory().total / 1024**3:.1f} GiB RAM, "
          f"{platform.system()} {platform.release()}; Python {platform.python_version()}; the server is another "
          "process on the same CPUs")
    print(f"database: PostgreSQL {version} (synchronous_commit {synchronous}) at {_url_shown(url)}; dropped, "
          "recreated and migrated for this run (the seeded dictionary: 7 categories, 51 terms)")
    print(f"data:     {path.relative_to(ROOT)}: {count:,} events, {meta.get('bytes', 0) / 1e6:,.1f} MB; "
          f"{meta.get('posts', 0) / count:.0%} post creations ({meta.get('spanish', 0) / count:.1%} of events Spanish, "
          f"{meta.get('with_terms', 0) / count:.1%} Spanish with a dictionary term); "
          + ", ".join(f"{kind} {n / count:.2%}" for kind, n in sorted(kinds.items()) if kind != "post")
          + f"; {AUTHORS:,} authors; seed {meta.get('seed')}; {origin}")


def report_print(*, references: list[Measured], consumer: Measured, count: int) -> None:
    from ingestion.models import IngestionRun, Tweet

    result = consumer.result
    reference = sum(r.rate for r in references) / len(references)
    print("\nreference (receive + orjson.loads only): " + " · ".join(f"{r.rate:,.0f} events/s" for r in references)
          + f" (before and after the consumer); mean {reference:,.0f} events/s")
    print(f"consumer (bluesky_consume, default batches of 500 posts or 2 s): {consumer.events:,} events in "
          f"{consumer.seconds:,.1f} s → {consumer.rate:,.0f} events/s, {consumer.rate / reference:.0%} of the reference")
    runs = IngestionRun.objects.filter(pk__in=result.runs)
    located = Tweet.objects.exclude(state="").count()
    stored = Tweet.objects.count()
    print(f"  stored {result.new:,} posts ({result.new / count:.1%} of events; {located / max(stored, 1):.0%} attributed "
          f"to a Mexican state from the profile), duplicate {result.duplicate:,}, rejected {result.rejected:,}; "
          f"runs: {', '.join(f'#{r.pk} {r.status}' for r in runs)}")
    growth = consumer.rss_end - consumer.rss_early
    print(f"  memory (RSS of this process): at 10% of the events {consumer.rss_early / MB:,.0f} MB, at the end "
          f"{consumer.rss_end / MB:,.0f} MB ({growth / MB:+,.1f} MB); peak {consumer.rss_peak / MB:,.0f} MB")
    print(f"  CPU speed check: {consumer.cpu_check[0]:.1f} µs before, {consumer.cpu_check[1]:.1f} µs after "
          f"(a loop of 1,000 additions; lower is faster); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    word = "PASS" if consumer.rate >= TARGET_EVENTS_PER_SECOND else "FALL-SHORT"
    print(f"  target ≥ {TARGET_EVENTS_PER_SECOND:,} events/s (10 × a Jetstream peak of 500/s): {word} "
          f"({consumer.rate / TARGET_EVENTS_PER_SECOND:.1f}× the target)")


# --- Main ---------------------------------------------------------------------------------------------------

def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=200_000, help="events to stream (default 200,000)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the synthetic events (default 42)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = arguments(argv)
    path, meta, origin = data_file(count=args.count, seed=args.seed)
    # The server process starts before Django and the database: it shares nothing with this one.
    context = multiprocessing.get_context("fork")
    ready = context.Queue()
    server = context.Process(target=serve, args=(path, args.seed, ready), daemon=True)
    server.start()
    ws_port, appview_port = ready.get(timeout=120)
    url = database_url()
    django_environment_set(url)
    os.environ["BLUESKY_APPVIEW_URL"] = f"http://127.0.0.1:{appview_port}"
    database_recreate(url)
    django_ready()
    from ingestion.language import languages_detected

    languages_detected("hola a todos")  # the detector's word lists, loaded once as a running consumer would
    header_print(url=url, path=path, meta=meta, origin=origin)
    sys.stdout.flush()
    stream = f"ws://127.0.0.1:{ws_port}/subscribe"
    try:
        before = reference_pass(stream, args.count)
        consumer = consumer_pass(stream, args.count)
        after = reference_pass(stream, args.count)
        report_print(references=[before, after], consumer=consumer, count=args.count)
    finally:
        server.kill()


if __name__ == "__main__":
    main()
