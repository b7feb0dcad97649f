"""Classifier speed benchmark: training time, batch scoring throughput, word vectors on 1,000,000 posts.

    .venv/bin/python benchmarks/score.py                  # `make bench`, after benchmarks/ingest.py
    .venv/bin/python benchmarks/score.py --posts 100000   # a quick run
    .venv/bin/python benchmarks/score.py --skip-training --skip-embeddings --score 20000 --only workers

It works in the ingestion benchmark's database (`BENCH_DATABASE_URL`, default
discriminamometro_bench). When that database already holds at least `--posts`
synthetic posts (as it does right after benchmarks/ingest.py) they are used as
they are; otherwise the database is recreated and the posts are generated and
imported the ingestion benchmark's way. Labelled data and models are replaced
on every run; the posts are not.

1. Training: the discrimination task on about 11,500 labelled texts (HatEval
   train and dev, EXIST 2021, and the original project's weakly labelled 2020
   tweets), with the training defaults. Target: under 5 minutes.
2. Scoring `--score` posts (default 200,000), side by side in one run: the model
   in memory in one process and in two; a plain COPY of as many prediction rows
   into an equivalent table with its unique index (what the database alone
   needs); end to end in this process, as `manage.py score` does (claim posts
   above the scoring mark, score, write predictions by COPY, add the rollups,
   judge the alerts, one transaction per batch of 2,000); and end to end in a
   real Celery worker with 1 and with 2 worker processes on the Redis broker
   (`BENCH_CELERY_BROKER_URL`, default redis://127.0.0.1:6379/5), each process
   running one `posts_score` task for its share. Each pass prints posts/s, the
   CPU of Python and of the PostgreSQL backends per post, and peak memory.
   Target: 20,000 posts/s end to end with 2 worker processes.
   `--skip-training` scores with the active model an earlier run trained;
   `--only memory|copy|process|workers` runs some passes only.
3. Word vectors: `manage.py train_embeddings` over every post in a separate
   process, with its wall time and peak resident memory.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from io import StringIO
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.ingest import (  # noqa: E402
    cpu_check,
    data_file,
    database_recreate,
    database_url,
    django_environment_set,
    django_ready,
    import_pass,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
TARGET_POSTS_PER_SECOND = 20_000
TARGET_TRAIN_SECONDS = 300
BATCH = 2000


def posts_count(url: str) -> int:
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    try:
        with psycopg.connect(dbname=config["NAME"], host=config.get("HOST") or None, port=config.get("PORT") or None,
                             user=config.get("USER") or None, password=config.get("PASSWORD") or None) as connection:
            return connection.execute("SELECT count(*) FROM ingestion_tweet").fetchone()[0]
    except psycopg.Error:
        return 0


def posts_ensure(url: str, *, count: int) -> str:
    found = posts_count(url)
    if found >= count:
        django_ready()
        return f"{found:,} posts already in the database (left by benchmarks/ingest.py or an earlier run)"
    database_recreate(url)
    django_ready()
    path, _meta, origin = data_file(count=count, seed=42)
    result = import_pass(path, label="import", batch_size=None, quiet=False)
    return f"{result.new:,} synthetic posts imported now ({path.name}, {origin})"


def model_reuse():  # noqa: ANN201 (a ModelVersion or None)
    """The active discrimination version an earlier run trained, if any (`--retrain` trains anew)."""
    from classifier.models import ModelVersion

    return ModelVersion.objects.filter(task="discrimination", status=ModelVersion.Status.ACTIVE).first()


def labelled_import() -> int:
    from django.core.management import call_command

    from classifier.models import LabeledText, ModelVersion, Prediction

    Prediction.objects.all().delete()
    ModelVersion.objects.all().delete()
    LabeledText.objects.all().delete()
    quiet = {"no_progress": True, "stdout": StringIO(), "stderr": StringIO()}
    for name in ("hateval2019_es_train.csv", "hateval2019_es_dev.csv"):
        call_command("import_labeled", str(DATA / "hateval2019_es" / name), format="hateval", **quiet)
    call_command("import_labeled", str(DATA / "exist2021_es" / "exist2021_es_train.csv"), format="exist", **quiet)
    for path in sorted((DATA / "discriminamometro").glob("json_*.txt")):
        call_command("import_labeled", str(path), format="legacy", **quiet)
    return LabeledText.objects.count()


def texts_load(limit: int) -> list[str]:
    from ingestion.models import Tweet

    return list(Tweet.objects.order_by("pk").values_list("text", flat=True)[:limit])


_worker_model = None


def _worker_init(path: str, sha256: str) -> None:
    import django

    django.setup()
    from classifier.artifacts import artifact_load

    global _worker_model
    _worker_model = artifact_load(path=path, sha256=sha256)


def _worker_score(texts: list[str]) -> int:
    from classifier.engine.scoring import model_decisions, model_scores

    model_decisions(_worker_model, model_scores(_worker_model, texts))
    return len(texts)


def scoring_in_memory(version, texts: list[str], *, processes: int) -> float:  # noqa: ANN001 (a ModelVersion)
    """Posts per second scoring `texts` in batches, in this process or in a pool (warm caches excluded)."""
    from classifier.artifacts import artifact_load
    from classifier.engine.scoring import model_decisions, model_scores

    batches = [texts[i:i + BATCH] for i in range(0, len(texts), BATCH)]
    if processes == 1:
        model = artifact_load(path=version.artifact_path, sha256=version.artifact_sha256)
        started = time.perf_counter()
        for batch in batches:
            model_decisions(model, model_scores(model, batch))
        return len(texts) / (time.perf_counter() - started)
    with ProcessPoolExecutor(processes, initializer=_worker_init, initargs=(version.artifact_path, version.artifact_sha256)) as pool:
        list(pool.map(_worker_score, [batches[0]] * processes))  # load the model in every worker
        started = time.perf_counter()
        scored = sum(pool.map(_worker_score, batches))
        return scored / (time.perf_counter() - started)


def scored_reset() -> None:
    """No prediction, no rollup and no scoring mark: the next pass scores from the first post."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE classifier_prediction, classifier_scoringmark, dashboard_hourlycount, "
                       "dashboard_termhourly")
        cursor.execute("VACUUM ANALYZE classifier_prediction")


class PostgresCpu:
    """CPU seconds of the PostgreSQL backends serving the benchmark database, sampled while a pass runs
    (a backend's counters only grow; one that exits keeps its last sample)."""

    def __init__(self, database: str):
        self.database = database
        self.seen: dict[int, float] = {}
        self.start: dict[int, float] = {}

    def sample(self) -> None:
        import psutil

        for process in psutil.process_iter(["cmdline"]):
            cmdline = " ".join(process.info["cmdline"] or ())
            if cmdline.startswith("postgres: ") and f" {self.database} " in cmdline:
                try:
                    times = process.cpu_times()
                except psutil.Error:
                    continue
                self.seen[process.pid] = times.user + times.system
                self.start.setdefault(process.pid, self.seen[process.pid])

    def begin(self) -> None:
        self.sample()
        self.start = dict(self.seen)

    def seconds(self) -> float:
        return sum(value - self.start.get(pid, 0.0) for pid, value in self.seen.items())


def scoring_in_process(limit: int, *, pg: PostgresCpu) -> dict[str, float]:
    """`tweets_score(limit=...)` here, as `manage.py score` runs it."""
    import resource

    from classifier.selectors import serving
    from pipeline.services.scoring import tweets_score

    serving.models_forget()
    scored_reset()
    serving.model_active_get(task="discrimination")  # loading the artifact is not scoring
    pg.begin()
    cpu, started = time.process_time(), time.perf_counter()
    scored = tweets_score(limit=limit).scored
    wall = time.perf_counter() - started
    pg.sample()
    return {"posts": scored, "wall": wall, "python": time.process_time() - cpu, "pg": pg.seconds(),
            "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def scoring_workers(limit: int, *, processes: int, pg: PostgresCpu) -> dict[str, float]:
    """Real Celery worker processes on the Redis broker: `processes` scoring tasks, each `limit / processes` posts."""
    import psutil

    from classifier.models import Prediction

    broker = os.environ.get("BENCH_CELERY_BROKER_URL", "redis://127.0.0.1:6379/5")
    scored_reset()
    env = {**os.environ, "CELERY_BROKER_URL": broker}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "discriminamometro", "worker", "-c", str(processes), "--pool", "prefork",
         "-Q", "bench-scoring", "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "WARNING"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        parent = psutil.Process(worker.pid)
        deadline = time.monotonic() + 120
        while len(parent.children()) < processes and time.monotonic() < deadline:
            time.sleep(0.2)
        from celery import Celery

        app = Celery(broker=broker)
        for _ in range(processes):  # each child loads the model (limit 0 scores nothing): loading is not scoring
            app.send_task("classifier.tasks.posts_score", kwargs={"limit": 0, "follow": False}, queue="bench-scoring")
        time.sleep(8)
        share = -(-limit // processes)
        children = parent.children()
        before = {child.pid: sum(child.cpu_times()[:2]) for child in children}
        pg.begin()
        started = time.perf_counter()
        for _ in range(processes):
            app.send_task("classifier.tasks.posts_score", kwargs={"limit": share, "follow": False}, queue="bench-scoring")
        peak, done = 0, 0
        while done < limit and time.perf_counter() - started < 1800:
            time.sleep(0.25)
            pg.sample()
            peak = max([peak, *(child.memory_info().rss for child in children)])
            cpu = {child.pid: sum(child.cpu_times()[:2]) for child in children}
            done = Prediction.objects.count()
            if worker.poll() is not None:
                sys.exit(f"the Celery worker stopped:\n{worker.stderr.read()[-2000:] if worker.stderr else ''}")
        wall = time.perf_counter() - started
        pg.sample()
        return {"posts": done, "wall": wall, "python": sum(cpu[pid] - before[pid] for pid in cpu), "pg": pg.seconds(),
                "peak": peak}
    finally:
        worker.terminate()
        worker.wait(30)


def copy_anchor(count: int, *, pg: PostgresCpu) -> dict[str, float]:
    """Plain COPY of `count` prediction rows (the same columns, text format) into an equivalent table with its
    unique index, one transaction per 2,000 rows: what the database alone needs to store the predictions."""
    import orjson
    from django.db import connection, transaction

    scores = orjson.dumps({f"label{i}": 0.1234 for i in range(8)})
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_prediction_copy")
        cursor.execute("CREATE TABLE bench_prediction_copy (id bigserial PRIMARY KEY, tweet_id bigint, model_version_id bigint, "
                       "scores jsonb, discriminatory boolean, categories jsonb, created_at timestamptz DEFAULT now(), "
                       "UNIQUE (tweet_id, model_version_id))")
    pg.begin()
    cpu, started = time.process_time(), time.perf_counter()
    for low in range(0, count, BATCH):
        lines = b"".join(b"%d\t1\t%s\tf\t[]\n" % (pk, scores) for pk in range(low, min(low + BATCH, count)))
        statement = "COPY bench_prediction_copy (tweet_id, model_version_id, scores, discriminatory, categories) FROM STDIN"
        with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            copy.write(lines)
    wall = time.perf_counter() - started
    pg.sample()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_prediction_copy")
    return {"posts": count, "wall": wall, "python": time.process_time() - cpu, "pg": pg.seconds(), "peak": 0}


def pass_line(name: str, result: dict[str, float]) -> str:
    rate = result["posts"] / result["wall"]
    per = 1e6 / max(result["posts"], 1)
    peak = f", peak memory {result['peak'] / 2**20:,.0f} MB" if result["peak"] else ""
    return (f"   {name}: {result['posts']:,.0f} posts in {result['wall']:.1f} s = {rate:,.0f} posts/s; CPU Python "
            f"{result['python']:.1f} s ({result['python'] * per:.0f} µs/post), PostgreSQL {result['pg']:.1f} s "
            f"({result['pg'] * per:.0f} µs/post){peak}")


def embeddings_run() -> tuple[float, int, str]:
    """Train the vectors in a child process: its wall time, its own peak RSS (bytes) and summary line."""
    code = (
        "import resource, django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('train_embeddings', language='es', no_progress=True)\n"
        "print('peak', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy(),
                          cwd=ROOT, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"train_embeddings failed:\n{done.stderr[-2000:]}")
    lines = done.stdout.strip().splitlines()
    peak_kb = int(lines[-1].split()[1])  # Linux reports kilobytes
    return seconds, peak_kb * 1024, lines[-2]


def verdict(value: float, target: float, *, higher_is_better: bool = True) -> str:
    met = value >= target if higher_is_better else value <= target
    if met:
        return "target met"
    ratio = target / value if higher_is_better else value / target
    return f"target MISSED by {ratio:.1f}x"


def scoring_passes(version, *, count: int, only: set[str], url: str) -> None:  # noqa: ANN001 (a ModelVersion)
    import environ

    pg = PostgresCpu(environ.Env.db_url_config(url)["NAME"])
    texts = texts_load(count)
    chars = sum(map(len, texts)) / max(len(texts), 1)
    labels = len(version.metrics["labels"])
    print(f"\n2. scoring {len(texts):,} synthetic posts ({chars:.0f} characters on average), {labels} labels, "
          f"batches of {BATCH:,}; target {TARGET_POSTS_PER_SECOND:,} posts/s end to end with 2 worker processes:")
    if "memory" in only:
        for processes in (1, 2):
            rate = scoring_in_memory(version, texts, processes=processes)
            print(f"   model in memory, {processes} process{'es' if processes > 1 else ''}: {rate:,.0f} posts/s")
            sys.stdout.flush()
    del texts
    if "copy" in only:
        print(pass_line("plain COPY of the prediction rows, 2,000 per transaction", copy_anchor(count, pg=pg)))
        sys.stdout.flush()
    if "process" in only:
        print(pass_line("end to end (manage.py score), 1 process", scoring_in_process(count, pg=pg)))
        sys.stdout.flush()
    if "workers" in only:
        for processes in (1, 2):
            result = scoring_workers(count, processes=processes, pg=pg)
            name = f"end to end, {processes} Celery worker process{'es' if processes > 1 else ''}"
            print(pass_line(name, result) + f" ({verdict(result['posts'] / result['wall'], TARGET_POSTS_PER_SECOND)})"
                  if processes == 2 else pass_line(name, result))
            sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1_000_000, help="posts for the word vectors (default 1,000,000)")
    parser.add_argument("--score", type=int, default=200_000, help="posts to score (default 200,000)")
    parser.add_argument("--skip-embeddings", action="store_true")
    parser.add_argument("--skip-training", action="store_true",
                        help="score with the active model an earlier run trained (trains one if there is none)")
    parser.add_argument("--only", choices=("memory", "copy", "process", "workers"), action="append",
                        help="run only these scoring passes (repeatable; default all)")
    args = parser.parse_args()
    url = database_url()
    django_environment_set(url)
    print("Classifier speed benchmark")
    print(f"  machine: {os.cpu_count()} CPUs; CPU check {cpu_check():.1f} µs (lower is faster)")
    print(f"  posts: {posts_ensure(url, count=args.posts)}")
    sys.stdout.flush()

    from classifier.services.training import TrainParams, model_version_train

    version = model_reuse() if args.skip_training else None
    if version is None:
        rows = labelled_import()
        started = time.perf_counter()
        version = model_version_train(task="discrimination", params=TrainParams(include_weak=True))
        seconds = time.perf_counter() - started
        m = version.metrics
        print(f"\n1. training the discrimination task: {rows:,} labelled texts ({m['training_rows']:,} trained, "
              f"{m['held_out_rows']:,} held out), {len(m['labels'])} labels, in {seconds:.0f} s "
              f"(target under {TARGET_TRAIN_SECONDS} s: {verdict(seconds, TARGET_TRAIN_SECONDS, higher_is_better=False)})")
    else:
        print(f"\n1. training skipped: the active version v{version.version} of an earlier run scores")
    sys.stdout.flush()
    scoring_passes(version, count=args.score, only=set(args.only or ("memory", "copy", "process", "workers")), url=url)

    if not args.skip_embeddings:
        seconds, peak, line = embeddings_run()
        print(f"\n3. word vectors over every post: {seconds:.0f} s wall, peak memory {peak / 2**20:,.0f} MB\n   {line}")


if __name__ == "__main__":
    main()
