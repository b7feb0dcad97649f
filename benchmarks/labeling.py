"""Labeling benchmark: 50 annotators at once asking for the next post and answering it, on PostgreSQL.

    .venv/bin/python benchmarks/labeling.py                    # `make bench`
    .venv/bin/python benchmarks/labeling.py --think-ms 5000    # slower annotators in phase 1

Phases 1 and 2 are at service level: the annotators call `labeling.services.assignment`
(`assignment_next`, `annotation_submit`, `assignment_skip`) directly. Phase 3
is the same at human pace through HTTP, as browsers against gunicorn
(`benchmarks/labeling_http.py`): the page that hands out and renders the next
post, and the POST of its answer form, with sessions, CSRF and templates.

It drops, recreates and migrates a dedicated database
(`LABELING_BENCH_DATABASE_URL`, default
`postgres://postgres@127.0.0.1:5432/discriminamometro_labeling_bench`; a name
without "bench" is refused), writes 5,000 minimal posts and 50 annotator
users, and for each phase a new running campaign with k = 2 annotators per
post over 2,000 of the posts (random priorities).

The annotators are 50 threads of this process, each with its own PostgreSQL
connection (opened before the clock starts), released together by a barrier.
Threads, not processes: the time goes mostly to PostgreSQL round trips and row
locks, during which a thread releases the GIL, and 50 Django processes on a
2-core machine would measure process scheduling more than the database. The
GIL still queues the Python part of the calls, so the report gives the
thread's own CPU time per call next to its latency. Each annotator loops: next
post, a pause, then an answer ("no" 55%, "yes" with one or two categories 25%,
"unsure" 10%) or a skip (10%), until nothing is left for it or time is up.

1. Human pace (service level): a random pause of 0-2 s before each answer (1 s on average,
   quicker than anyone reads a post), for 30 s: the latency an annotator sees.
2. Saturation: no pause, until the campaign is done (at most 60 s): every
   annotator always has a call in flight, the most contention on the same
   posts and the end of the campaign. This is a closed loop, so latency here
   is the 50 annotators queueing behind the throughput (Little's law), which
   the report states next to the numbers.

3. Human pace through HTTP: as phase 1, for 30 s, each annotator signed in
   with its own session and keep-alive connection to gunicorn (4 gthread
   workers x 2 threads), on the same 2 cores as PostgreSQL and the clients.

Each phase prints count, p50, p95, p99 and max latency of next-item, submit
and skip, the throughput and CPU use, then checks the database: posts held by
more than k annotators (not counting skips), (post, annotator) pairs handed
out more than once, and posts whose `taken` counter disagrees with their
non-skipped assignments. All three must be 0, and no call may fail: otherwise
the script exits with status 1. A latency target (p95 at most 100 ms for
next-item and for submit) that is missed is reported, not raised.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labeling.models import Campaign

if __package__ in (None, ""):  # run as a script: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import labeling_http  # noqa: E402
from benchmarks.ingest import (  # noqa: E402
    CpuClock,
    PassResult,
    _cpu_model,
    _url_shown,
    database_recreate,
    django_environment_set,
    django_ready,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/discriminamometro_labeling_bench"
TARGET_P95_MS = 100.0
WARM_S = 5.0  # phase 3 also reports the requests after the start-up burst
OPERATIONS = ("next-item", "submit", "skip")
ANSWERS = (("no", 0.55), ("yes", 0.25), ("unsure", 0.10), ("skip", 0.10))


@dataclass(slots=True)
class Calls:
    """One annotator's timings, in seconds: wall latency and the thread's own CPU, per operation."""

    wall: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op in OPERATIONS})
    cpu: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op in OPERATIONS})
    assigned: int = 0
    empty: int = 0  # next-item calls that found nothing left
    error: BaseException | None = None

    def timed(self, operation: str, call, /, **kwargs):  # noqa: ANN001, ANN202 (any service function)
        cpu, wall = time.thread_time(), time.perf_counter()
        result = call(**kwargs)
        self.wall[operation].append(time.perf_counter() - wall)
        self.cpu[operation].append(time.thread_time() - cpu)
        return result


# --- Setup -------------------------------------------------------------------------

def data_create(*, posts: int, annotators: int) -> list[int]:
    """Minimal posts and the annotator users (unusable passwords); the users' ids."""
    from django.contrib.auth import get_user_model

    from ingestion.models import Tweet

    Tweet.objects.bulk_create(
        [Tweet(platform_id=f"labeling-bench-{i}", text=f"Publicación sintética número {i} para etiquetar.")
         for i in range(posts)], batch_size=2000)
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"anotador-bench-{i}", password="!") for i in range(annotators)])
    return [user.pk for user in users]


def campaign_create(*, name: str, items: int, k: int, rng: random.Random) -> Campaign:
    """A running campaign over `items` posts drawn at random, with random priorities."""
    from ingestion.models import Tweet
    from labeling.models import Campaign, CampaignItem

    campaign = Campaign.objects.create(name=name, status=Campaign.Status.RUNNING, annotators_per_item=k)
    tweet_ids = rng.sample(list(Tweet.objects.values_list("pk", flat=True)), items)
    CampaignItem.objects.bulk_create(
        [CampaignItem(campaign=campaign, tweet_id=pk, priority=rng.random()) for pk in tweet_ids], batch_size=2000)
    return campaign


def category_slugs() -> list[str]:
    from ingestion.models import Category

    return list(Category.objects.values_list("slug", flat=True))


# --- The annotators ----------------------------------------------------------------

@dataclass(slots=True)
class Context:
    campaign: Campaign
    categories: list[str]
    think_ms: float
    seed: int
    start: threading.Barrier
    deadline: float = 0.0


def annotate(ctx: Context, annotator_id: int, calls: Calls) -> None:
    """One annotator: next post, (pause), answer or skip, until nothing is left or the time is up."""
    from django.db import connection

    from labeling.services.assignment import annotation_submit, assignment_next, assignment_skip

    rng = random.Random(ctx.seed * 1000 + annotator_id)
    try:
        connection.ensure_connection()  # the connection's setup is not part of any call's latency
        ctx.start.wait()
        while time.perf_counter() < ctx.deadline:
            assignment = calls.timed("next-item", assignment_next, campaign=ctx.campaign, annotator_id=annotator_id)
            if assignment is None:
                calls.empty += 1
                return
            calls.assigned += 1
            if ctx.think_ms:
                time.sleep(rng.uniform(0, ctx.think_ms) / 1000)
            answer = rng.choices([a for a, _ in ANSWERS], weights=[w for _, w in ANSWERS])[0]
            if answer == "skip":
                calls.timed("skip", assignment_skip, assignment=assignment)
                continue
            chosen = rng.sample(ctx.categories, rng.choice((1, 2))) if answer == "yes" else []
            calls.timed("submit", annotation_submit, assignment_id=assignment.pk, annotator_id=annotator_id,
                        answer=answer, categories=chosen, seconds=ctx.think_ms / 2000)
    except BaseException as error:  # noqa: B036 (recorded and reported: the run then fails)
        calls.error = error
        ctx.start.abort()  # one annotator could not start: release the others rather than wait forever
    finally:
        connection.close()


def annotators_run(ctx: Context, annotator_ids: list[int], *, budget: float) -> tuple[list[Calls], float, PassResult]:
    """All annotators at once: their timings, the wall time from the start signal to the last one's end, CPU used."""
    results = [Calls() for _ in annotator_ids]
    threads = [threading.Thread(target=annotate, args=(ctx, pk, calls), daemon=True)
               for pk, calls in zip(annotator_ids, results, strict=True)]
    ctx.deadline = time.perf_counter() + budget + 60  # provisional: the threads are still connecting
    for thread in threads:
        thread.start()
    while ctx.start.n_waiting < len(threads) and not ctx.start.broken:
        time.sleep(0.01)
    clock, cpu = CpuClock(), PassResult(label="labeling")
    ctx.deadline = time.perf_counter() + budget
    started = time.perf_counter()
    with contextlib.suppress(threading.BrokenBarrierError):  # the failing annotator's error is reported
        ctx.start.wait()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    clock.stop(cpu)
    return results, seconds, cpu


# --- Checks ------------------------------------------------------------------------

INTEGRITY_SQL = {
    "posts held by more than k annotators (skips not counted)": """
        SELECT count(*) FROM (
            SELECT a.item_id FROM labeling_assignment a
            JOIN labeling_campaignitem i ON i.id = a.item_id JOIN labeling_campaign c ON c.id = i.campaign_id
            WHERE a.status <> 'skipped' GROUP BY a.item_id, c.annotators_per_item
            HAVING count(*) > c.annotators_per_item) over_assigned""",
    "(post, annotator) pairs handed out more than once": """
        SELECT count(*) FROM (
            SELECT 1 FROM labeling_assignment GROUP BY item_id, annotator_id HAVING count(*) > 1) repeated""",
    "posts whose `taken` disagrees with their non-skipped assignments": """
        SELECT count(*) FROM labeling_campaignitem i
        WHERE i.taken <> (SELECT count(*) FROM labeling_assignment a
                          WHERE a.item_id = i.id AND a.status <> 'skipped')""",
}


def integrity_counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for label, query in INTEGRITY_SQL.items():
            cursor.execute(query)
            counts[label] = cursor.fetchone()[0]
    return counts


def campaign_state(campaign: Campaign) -> dict[str, int]:
    from django.db.models import Count

    from labeling.models import Assignment, CampaignItem

    items: dict[str, int] = dict(
        CampaignItem.objects.filter(campaign=campaign).values_list("status").annotate(n=Count("pk")))
    assignments: dict[str, int] = dict(
        Assignment.objects.filter(item__campaign=campaign).values_list("status").annotate(n=Count("pk")))
    return {**{f"posts {s}": items.get(s, 0) for s in CampaignItem.Status.values},
            **{f"assignments {s}": assignments.get(s, 0) for s in Assignment.Status.values}}


# --- Report ------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of unsorted values; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def verdict(p95_ms: float) -> str:
    if p95_ms <= TARGET_P95_MS:
        return "target met"
    return f"target MISSED by {p95_ms / TARGET_P95_MS:.1f}x"


def operation_line(operation: str, wall: list[float], cpu: list[float]) -> str:
    ms = [v * 1000 for v in wall]
    line = (f"{operation:<10} {len(ms):>6,} calls · p50 {percentile(ms, 50):6.1f} ms · p95 {percentile(ms, 95):6.1f} ms"
            f" · p99 {percentile(ms, 99):6.1f} ms · max {max(ms, default=0):6.1f} ms"
            f" · thread CPU p50 {percentile([v * 1000 for v in cpu], 50):.1f} ms")
    if operation != "skip":
        line += f"  (target p95 ≤ {TARGET_P95_MS:.0f} ms: {verdict(percentile(ms, 95))})"
    return line


def header_print(args: argparse.Namespace, *, url: str, categories: int) -> None:
    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), current_setting('synchronous_commit'), "
                       "current_setting('max_connections')")
        version, synchronous, max_connections = cursor.fetchone()
    print("Labeling benchmark: annotators asking for the next post and answering it, all at once")
    print("  level:    phases 1-2 service level (labeling.services.assignment called directly); phase 3 through HTTP")
    print(f"  machine:  {os.cpu_count()} CPUs ({_cpu_model()}), {psutil.virtual_memory().total / 1024**3:.1f} GiB RAM, "
          f"shared by the annotators and PostgreSQL")
    print(f"  database: PostgreSQL {version} (synchronous_commit {synchronous}, max_connections {max_connections}) at "
          f"{_url_shown(url)}; dropped, recreated and migrated for this run; DEBUG off")
    print(f"  data:     {args.posts:,} minimal posts, {args.annotators} annotator users, {categories} categories; "
          f"per phase a new running campaign over {args.items:,} of the posts drawn at random, k = {args.k} "
          f"annotators per post, random priorities; seed {args.seed}")
    print(f"  load:     {args.annotators} threads in one Python process, one PostgreSQL connection each (opened "
          f"before the clock starts), released together; each: next post, a pause, then an answer (no 55%, "
          f"yes with 1-2 categories 25%, unsure 10%) or a skip (10%), until nothing is left for it or the phase's "
          f"time is up")
    print("  phases:   1. human pace: a random pause of 0 to --think-ms before answering (a person reads the post);"
          "\n            2. saturation: no pause at all, every annotator always has a call in flight, until the "
          "campaign is done;"
          f"\n            3. human pace through HTTP: {labeling_http.describe()}")


def results_print(results: list[Calls], *, seconds: float, clock: PassResult, budget: float) -> None:
    assigned, empty = sum(r.assigned for r in results), sum(r.empty for r in results)
    answered = sum(len(r.wall["submit"]) for r in results)
    ended = f"{empty} of {len(results)} annotators found nothing left" + (
        "" if empty == len(results) else f"; the others stopped at the {budget:g} s budget")
    print(f"  ran {seconds:.1f} s wall; {ended}")
    print(f"  throughput: {assigned / seconds:,.0f} assignments/s handed out, {answered / seconds:,.0f} answers/s "
          f"recorded ({assigned:,} assignments, {answered:,} answers)")
    server = "unknown (not on this machine)" if clock.cpu_server is None else f"{clock.cpu_server / seconds:.2f} cores"
    print(f"  CPU: Python {clock.cpu_python / seconds:.2f} cores (one GIL), PostgreSQL server {server}; "
          f"load average {clock.load[0]:.1f} → {clock.load[1]:.1f}")
    print("  latency per call (wall time around the service call; 'thread CPU' is the Python work of the call itself,"
          " the rest is PostgreSQL, row locks and waiting for the GIL or a core):")
    for operation in OPERATIONS:
        wall = [v for r in results for v in r.wall[operation]]
        cpu = [v for r in results for v in r.cpu[operation]]
        print(f"    {operation_line(operation, wall, cpu)}")


def checks_print(results: list[Calls], campaign: Campaign) -> bool:
    """The integrity checks and any failed call; True when everything is as it must be."""
    state = campaign_state(campaign)
    print("  campaign after the phase: " + ", ".join(f"{label} {n:,}" for label, n in state.items()))
    print("  integrity (each must be 0):")
    counts = integrity_counts()
    for label, count in counts.items():
        print(f"    {label}: {count} {'OK' if count == 0 else 'FAILED'}")
    errors = [r.error for r in results if r.error is not None]
    print(f"    annotators whose calls raised an error: {len(errors)} {'OK' if not errors else 'FAILED'}")
    for error in errors[:5]:
        print(f"      {type(error).__name__}: {error}")
    return not errors and not any(counts.values())


# --- Main ----------------------------------------------------------------------------

def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--annotators", type=int, default=50, help="annotators at once (default 50)")
    parser.add_argument("--posts", type=int, default=5000, help="posts in the database (default 5,000)")
    parser.add_argument("--items", type=int, default=2000, help="posts in the campaign (default 2,000)")
    parser.add_argument("-k", type=int, default=2, help="annotators per post (default 2)")
    parser.add_argument("--think-ms", type=float, default=2000.0,
                        help="phase 1: longest random pause before answering (default 2,000 ms, 1 s on average)")
    parser.add_argument("--seconds", type=float, default=30.0, help="phase 1's length (default 30 s)")
    parser.add_argument("--saturation-seconds", type=float, default=60.0,
                        help="phase 2's time budget if the campaign is not done first (default 60 s)")
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args(argv)


def phase_run(title: str, *, ctx: Context, annotator_ids: list[int], budget: float) -> bool:
    """One phase on its own campaign: timings, verdicts and integrity; True when the integrity holds."""
    print(f"\n{title}")
    results, seconds, cpu = annotators_run(ctx, annotator_ids, budget=budget)
    results_print(results, seconds=seconds, clock=cpu, budget=budget)
    if not ctx.think_ms:
        calls = sum(len(r.wall[op]) for r in results for op in OPERATIONS)
        print(f"  with no pause the annotators queue behind one another (a closed loop): mean latency ≈ "
              f"{len(annotator_ids)} annotators / {calls / seconds:,.0f} calls/s = "
              f"{len(annotator_ids) / (calls / seconds) * 1000:,.0f} ms over all calls whatever the database does; "
              f"row locks decide which calls do the waiting")
    ok = checks_print(results, ctx.campaign)
    sys.stdout.flush()
    return ok


def main(argv: Sequence[str] | None = None) -> None:
    args = arguments(argv)
    url = os.environ.get("LABELING_BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    django_environment_set(url)
    database_recreate(url)
    django_ready()
    annotator_ids = data_create(posts=args.posts, annotators=args.annotators)
    categories, rng = category_slugs(), random.Random(args.seed)
    header_print(args, url=url, categories=len(categories))
    phases = [
        (f"1. human pace: a random pause of 0-{args.think_ms:,.0f} ms before each answer, for {args.seconds:g} s",
         args.think_ms, args.seconds),
        (f"2. saturation: no pause, until the campaign is done (at most {args.saturation_seconds:g} s)",
         0.0, args.saturation_seconds),
    ]
    ok = True
    for number, (title, think_ms, budget) in enumerate(phases, start=1):
        campaign = campaign_create(name=f"Benchmark, phase {number}", items=args.items, k=args.k, rng=rng)
        ctx = Context(campaign=campaign, categories=categories, think_ms=think_ms, seed=args.seed + number,
                      start=threading.Barrier(len(annotator_ids) + 1))
        ok = phase_run(title, ctx=ctx, annotator_ids=annotator_ids, budget=budget) and ok
    campaign = campaign_create(name="Benchmark, phase 3", items=args.items, k=args.k, rng=rng)
    ok = http_phase(args, url=url, campaign=campaign, annotator_ids=annotator_ids, categories=categories) and ok
    if not ok:
        sys.exit("\nFAILED: posts over-assigned, repeated or miscounted, or calls that failed (see above)")
    print("\nIntegrity: OK in all three phases")


def http_phase(args: argparse.Namespace, *, url: str, campaign: Campaign, annotator_ids: list[int],
               categories: list[str]) -> bool:
    print(f"\n3. human pace through HTTP: a random pause of 0-{args.think_ms:,.0f} ms before each answer, "
          f"for {args.seconds:g} s")
    phase = labeling_http.http_phase_run(
        url=url, campaign_id=campaign.pk, annotator_ids=annotator_ids, categories=categories,
        think_ms=args.think_ms, answers=ANSWERS, seconds=args.seconds, seed=args.seed + 3)
    results, seconds = phase.results, phase.seconds
    pages, answered = sum(r.assigned for r in results), sum(len(r.wall["submit"]) for r in results)
    statuses: dict[int, int] = {}
    for result in results:
        for status, n in result.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    requests = sum(statuses.values())
    print(f"  ran {seconds:.1f} s wall; {pages / seconds:,.1f} posts handed out/s, {answered / seconds:,.1f} answers/s; "
          f"HTTP statuses {dict(sorted(statuses.items()))} (pages 200, form posts 302 to the next page)")
    print(f"  CPU: gunicorn {phase.server_cores:.2f} cores ({phase.server_cores * seconds / max(requests, 1) * 1000:.1f} ms "
          f"per request), the simulated browsers {phase.client_cores:.2f}, PostgreSQL, Redis and the kernel "
          f"{phase.other_cores:.2f}, of {os.cpu_count()} cores")
    print("  latency per request (wall time seen by the client, connection kept alive); all requests, then those "
          f"sent after the first {WARM_S:g} s (the 50 arrive in the same instant at cold worker threads):")
    for operation, label in (("page", "next-item"), ("submit", "submit"), ("skip", "skip")):
        for title, after in (("all", 0.0), (f"after {WARM_S:g} s", WARM_S)):
            wall = [v for r in results for v, at in zip(r.wall[operation], r.at[operation], strict=True)
                    if at - phase.began >= after]
            target = (f"  (target p95 ≤ {TARGET_P95_MS:.0f} ms: {verdict(percentile([v * 1000 for v in wall], 95))})"
                      if operation != "skip" else "")
            print(f"    {operation_line(label, wall, []).split(' · thread CPU')[0]} [{title}]{target}")
    unexpected = {status: n for status, n in statuses.items() if status not in (200, 302)}
    failed = [r.error for r in results if r.error is not None]
    as_calls = [Calls(error=r.error) for r in results]
    ok = checks_print(as_calls, campaign)
    if unexpected:
        print(f"    unexpected HTTP statuses: {unexpected} FAILED")
    return ok and not unexpected and not failed


if __name__ == "__main__":
    main()
