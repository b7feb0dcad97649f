"""HTTP API speed benchmark: `POST /api/v1/classify` under gunicorn, loaded by wrk on loopback.

    .venv/bin/python benchmarks/api.py                  # `make bench`
    .venv/bin/python benchmarks/api.py --sweep          # compare gunicorn configurations, then stop

The app runs as in production: gunicorn with `discriminamometro.settings.production`,
PostgreSQL, Redis for the key cache and the rate-limit counters (every request
passes through both), DEBUG off. The load comes from wrk (one thread, a
separate process; `apt-get install -y wrk`), through benchmarks/wrk_post.lua,
with real texts: the HatEval 2019 Spanish dev set, rotated so requests differ.
Requests use the endpoint's defaults: explanation on, nothing stored.
`--only perspective` (or `classify`) runs one endpoint's scenarios.

0. The reference: `POST /bench/bare` (benchmarks/api_urls.py), a minimal Django view that
   parses the same JSON bodies and answers a small JSON, behind the same middleware, in the same
   gunicorn workers (benchmarks/api_wsgi.py adds its route), loaded the same way.
1. One text per request. Targets: at least 0.5x the bare view's requests/s, p99 latency at most
   25 ms (on this 2-core machine 0.5x has been about 800 requests/s).
2. 100 texts per request. Target: 20,000 texts/s.
3. The Perspective-compatible endpoint, `POST /v1alpha1/comments:analyze?key=…`:
   one comment per request with every attribute the toxicity model offers and
   span annotations. Targets: 800 requests/s, p99 latency at most 25 ms.

wrk keeps a fixed number of connections busy (a closed loop), so latency
includes the wait for a free worker; at a given throughput it grows with the
connections. Any answer other than 200, or a socket error, makes a run invalid.

The model: the active `discrimination` model of a dedicated database
(`API_BENCH_DATABASE_URL`, default discriminamometro_api_bench). When there is
none, the database is recreated, the labelled data benchmarks/score.py uses is
imported (HatEval, EXIST, the original project's weak labels: `discriminatory` and
the 7 categories) and the task is trained with the defaults (a few minutes);
later runs reuse it. The toxicity model is trained the same way when missing, from
DETOXIS, OffendES and MEX-A3T imported beside them (about two minutes). Pointing
`API_BENCH_DATABASE_URL` at another database with an active model (e.g.
benchmarks/score.py's discriminamometro_bench) uses that model and drops
nothing. A key is created for the run (with a very high rate limit, so the
limiter counts but never refuses) and deleted at the end; gunicorn is stopped
on every exit, Ctrl-C included.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import sys
import time
from io import StringIO
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from benchmarks.http_load import (  # noqa: E402
    BARE_PATH,
    OUT,
    PATH,
    REDIS_URL,
    LoadResult,
    Server,
    ServerConfig,
    http_call,
    scenario_run,
    wrk_binary,
)
from benchmarks.ingest import database_recreate, django_environment_set  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
APP = "benchmarks.api_wsgi:application"  # the project's application plus the bare view's route
HATEVAL = ROOT.parent / "shared" / "data" / "hateval2019_es"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/discriminamometro_api_bench"
BATCH = 100
KEY_RATE_PER_MINUTE = 10_000_000
TARGET_RPS = 800  # the Perspective scenario's
TARGET_BARE_RATIO = 0.5  # one text per request, against the bare view's requests/s in the same run
TARGET_P99_MS = 25.0
TARGET_TEXTS_PER_SECOND = 20_000
PERSPECTIVE_PATH = "/v1alpha1/comments:analyze"
# The reference for the Perspective scenario: the same model, one text, through our own predict endpoint.
PREDICT_PATH = "/api/v1/tasks/toxicity/predict"
# Redis, PostgreSQL and the kernel's loopback work take about 0.15 of a core at 800 requests/s;
# more than this means something else ran beside the benchmark.
BUSY_OTHER_CORES = 0.3


# On the 2-core machine, one worker per core: with the engine's small-batch path and one Redis round
# trip per request, 2 sync workers served 1,143 single texts/s (p99 9 ms) and 21,515 texts/s in batches;
# 3 sync workers 1,210/s but 18,931 texts/s (a third worker on two cores costs batches contention).
# Earlier, slower code favoured 3 for single texts. gthread was unreliable: a kept-alive connection stays
# with the worker that accepted it, and in about half the runs one worker took every connection.
DEFAULT_SERVER = ServerConfig(workers=2, worker_class="sync")
SWEEP = [
    ServerConfig(2), ServerConfig(3), ServerConfig(4),
    ServerConfig(2, "gthread", 1), ServerConfig(2, "gthread", 2), ServerConfig(3, "gthread", 1),
]


# --- Model, key and texts (in this process, Django on the benchmark database) ---------------

def model_ensure(url: str) -> tuple[object, str]:
    """The active discrimination model version, and where it came from."""
    from django.core.management import call_command
    from django.db import connections

    if _database_exists():
        call_command("migrate", interactive=False, verbosity=0)  # the code may have gained migrations since
        found = _active_version()
        if found is not None:
            return found, "reused from an earlier run"
        if (os.environ.get("API_BENCH_DATABASE_URL") or DEFAULT_URL) != DEFAULT_URL:
            sys.exit(f"{url} has no usable active discrimination model: train one there or unset API_BENCH_DATABASE_URL")
    connections.close_all()
    database_recreate(url)
    started = time.perf_counter()
    version = _model_train()
    return version, f"trained now in {time.perf_counter() - started:.0f} s"


def _database_exists() -> bool:
    from django.db import connection
    from django.db.utils import OperationalError

    try:
        connection.ensure_connection()
    except OperationalError:
        return False
    return True


def _active_version() -> object | None:
    """The active version, if its artifact is still there (`make clean` removes var/archive)."""
    from classifier.artifacts import ArtifactRefused, artifact_load
    from classifier.models import ModelVersion

    version = ModelVersion.objects.filter(task="discrimination", status=ModelVersion.Status.ACTIVE).first()
    if version is None or len(version.metrics.get("labels", [])) < 2:  # an older run's HatEval-only model
        return None
    try:
        artifact_load(path=version.artifact_path, sha256=version.artifact_sha256)
    except (OSError, ArtifactRefused):
        return None
    return version


def _model_train() -> object:
    """The discrimination task as production trains it: every label set the platform has
    (HatEval, EXIST, the original project's weakly labelled tweets), so every category is scored."""
    from django.core.management import call_command

    from benchmarks.score import labelled_import
    from classifier.services.training import TrainParams, model_version_train

    call_command("migrate", interactive=False, verbosity=0)
    labelled_import()
    print("  no usable model yet: training the discrimination task (HatEval, EXIST, weak labels) with the defaults...",
          flush=True)
    return model_version_train(task="discrimination", params=TrainParams(include_weak=True))


def model_describe(version) -> str:  # noqa: ANN001 (a ModelVersion)
    metrics = version.metrics
    vectors = metrics.get("embedding_version")
    labels = sorted(metrics["labels"])
    return (f"{version.task} v{version.version}, {len(labels)} label{'s' if len(labels) != 1 else ''} ({', '.join(labels)}), "
            f"{'word vectors v' + str(vectors) if vectors else 'without word vectors'}, "
            f"trained on {metrics['training_rows']:,} texts")


def call_command_migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def toxicity_model_ensure() -> tuple[object, str]:
    """The active toxicity model (the Perspective endpoint's), trained now from the corpora when there is none."""
    from django.core.management import call_command

    from classifier.models import ModelVersion
    from classifier.services.training import model_version_train

    found = ModelVersion.objects.filter(task="toxicity", status=ModelVersion.Status.ACTIVE).first()
    if found is not None and _artifact_usable(found):
        return found, "reused from an earlier run"
    print("  no usable toxicity model yet: importing DETOXIS, OffendES and MEX-A3T and training it...", flush=True)
    started = time.perf_counter()
    for path, fmt, split in TOXICITY_FILES:
        call_command("import_labeled", str(DATA / path), format=fmt, split=split, no_progress=True, stdout=StringIO())
    return model_version_train(task="toxicity"), f"trained now in {time.perf_counter() - started:.0f} s"


DATA = ROOT.parent / "shared" / "data"
TOXICITY_FILES = [
    ("detoxis2021/detoxis2021_train.csv", "detoxis", "train"), ("mexa3t2018/mexa3t2018_train.tsv", "mexa3t", "train"),
    ("mexa3t2018/mexa3t2018_dev.tsv", "mexa3t", "dev"), ("offendes/offendes_train.tsv", "offendes", "train"),
    ("offendes/offendes_dev.tsv", "offendes", "dev"),
]


def _artifact_usable(version) -> bool:  # noqa: ANN001 (a ModelVersion)
    from classifier.artifacts import ArtifactRefused, artifact_load

    try:
        artifact_load(path=version.artifact_path, sha256=version.artifact_sha256)
    except (OSError, ArtifactRefused):
        return False
    return True


def perspective_bodies(texts: list[str], *, attributes: list[str]) -> list[dict]:
    """One comment per request, every offered attribute, span annotations: Perspective's heaviest single request."""
    requested = {name: {} for name in attributes}
    return [{"comment": {"text": text}, "requestedAttributes": requested, "spanAnnotations": True, "languages": ["es"]}
            for text in texts]


def key_create() -> tuple[object, str]:
    from api.keys import api_key_create

    return api_key_create(name="benchmarks/api.py", scopes={"classify"}, rate_limit=KEY_RATE_PER_MINUTE)


def key_delete(row) -> None:  # noqa: ANN001 (an ApiKey)
    from api.keys import api_key_forget

    row.delete()
    api_key_forget(prefix=row.prefix)


def texts_load() -> list[str]:
    with (HATEVAL / "hateval2019_es_dev.csv").open(encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle) if row["text"].strip()]


def bodies_write(name: str, bodies: list[dict]) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    path.write_text("".join(json.dumps(body, ensure_ascii=False) + "\n" for body in bodies), encoding="utf-8")
    return path


def batches(texts: list[str], *, size: int) -> list[dict]:
    """Windows of `size` texts starting every 10 texts: each batch differs from the next."""
    return [{"texts": [texts[(start + i) % len(texts)] for i in range(size)]} for start in range(0, len(texts), 10)]


def answer_check(port: int, key: str, body: dict, *, path: str = PATH) -> None:
    """The endpoint answers 200 with one result per text before anything is measured."""
    if "comment" in body:
        status, raw = http_call(port, "POST", f"{PERSPECTIVE_PATH}?key={key}", body)
        scores = json.loads(raw).get("attributeScores", {}) if status == 200 else {}
        if status != 200 or set(scores) != set(body["requestedAttributes"]) or "spanScores" not in next(iter(scores.values())):
            raise RuntimeError(f"POST {PERSPECTIVE_PATH} answered {status}: {raw[:500]!r}")
        return
    status, raw = http_call(port, "POST", path, body, key)
    if status != 200:
        raise RuntimeError(f"POST {path} answered {status}: {raw[:500]!r}")
    results = json.loads(raw)["results"]
    expected = len(body.get("texts", [None]))
    if len(results) != expected or "explanation" not in results[0]:
        raise RuntimeError(f"POST {PATH}: {len(results)} results for {expected} texts, or no explanation: {raw[:300]!r}")


# --- Report -----------------------------------------------------------------------------------

def at_least(value: float, target: float, unit: str) -> str:
    if value >= target:
        return f"target met ({value:,.0f} >= {target:,.0f} {unit})"
    return f"target MISSED by {target - value:,.0f} {unit} ({value:,.0f} of {target:,.0f}, {value / target:.0%})"


def at_most(value: float, target: float, unit: str) -> str:
    if value <= target:
        return f"target met ({value:.1f} <= {target:.0f} {unit})"
    return f"target MISSED by {value - target:.1f} {unit} ({value:.1f} against {target:.0f} {unit})"


def result_lines(result: LoadResult, *, texts_per_request: int) -> list[str]:
    return [
        f"{result.requests:,} requests in {result.seconds:.1f} s: {result.rps:,.0f} requests/s = "
        f"{result.rps * texts_per_request:,.0f} texts/s",
        f"latency per request: p50 {result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms, p99 {result.p99_ms:.1f} ms "
        f"(max {result.max_ms:.0f} ms)",
        f"errors: {result.problems() or 'none (every answer a 200)'}",
        cpu_line(result),
    ]


def cpu_line(result: LoadResult) -> str:
    cpu = result.cpu
    line = (f"CPU, in cores of {os.cpu_count()}: gunicorn {cpu['server']:.2f} ({cpu['server'] / result.rps * 1000:.2f} ms "
            f"per request), wrk {cpu['wrk']:.2f}, everything else {cpu['other']:.2f}, idle {cpu['idle']:.2f}")
    if cpu["other"] > BUSY_OTHER_CORES:
        line += ("\n   WARNING: other work shared the machine during this run (over "
                 f"{BUSY_OTHER_CORES:.2f} of a core besides gunicorn and wrk): the figures are lower than on a quiet machine")
    return line


def verdict_lines(result: LoadResult, *, texts_per_request: int, bare: LoadResult | None = None) -> list[str]:
    if result.problems():
        return ["INVALID run (errors above): no verdict"]
    if texts_per_request > 1:
        return [f"throughput: {at_least(result.rps * texts_per_request, TARGET_TEXTS_PER_SECOND, 'texts/s')}"]
    latency = f"p99 latency: {at_most(result.p99_ms, TARGET_P99_MS, 'ms')}"
    if bare is None:
        return [f"throughput: {at_least(result.rps, TARGET_RPS, 'requests/s')}", latency]
    ratio = result.rps / bare.rps
    verdict = "target met" if ratio >= TARGET_BARE_RATIO else f"target MISSED by {TARGET_BARE_RATIO - ratio:.2f}x"
    # When other work takes cores during one scenario and not the other, requests/s compare badly; the CPU
    # each request costs (gunicorn's, plus wrk's and the rest's share) says what a quiet machine would show.
    cost = {name: (run.cpu["server"] + run.cpu["wrk"]) / run.rps for name, run in (("api", result), ("bare", bare))}
    return [f"throughput: {ratio:.2f}x the bare view's {bare.rps:,.0f} requests/s, {verdict} (>= {TARGET_BARE_RATIO}x)",
            f"CPU per request (gunicorn + wrk): {cost['api'] * 1000:.2f} ms against the bare view's "
            f"{cost['bare'] * 1000:.2f} ms: {cost['bare'] / cost['api']:.2f}x the bare view's requests/s on equal cores",
            latency]


def header(args: argparse.Namespace, *, url: str, model: str, texts: list[str], batch_bytes: float) -> None:
    from importlib.metadata import version

    print(f"  machine: {os.cpu_count()} CPUs, shared by gunicorn and wrk (loopback)")
    print(f"  model: {model} (database {url.rsplit('/', 1)[-1]})")
    print(f"  texts: HatEval 2019 Spanish dev, {len(texts)} texts, {sum(map(len, texts)) / len(texts):.0f} characters on "
          f"average, rotated; batches: windows of {BATCH} of them ({batch_bytes / 1024:.0f} KB of JSON each)")
    print("  requests: the endpoint's defaults (explanation on, nothing stored); the key's rate limit is "
          f"{KEY_RATE_PER_MINUTE:,}/min, so the Redis limiter counts every request but never refuses one")
    print(f"  server: gunicorn {version('gunicorn')} --preload, settings.production, DEBUG off, PostgreSQL and Redis "
          "on 127.0.0.1")
    print(f"  load: wrk, 1 thread, {args.connections} connections (one text) / {args.batch_connections} (batches); "
          f"{args.warmup} s warm-up (discarded, loads the model in every worker), then {args.seconds} s measured")


def measure(args: argparse.Namespace, *, url: str, key: str, bodies: dict[str, Path], samples: dict[str, dict]) -> None:
    config = ServerConfig(args.workers, args.worker_class, args.threads, args.keep_alive)
    print(f"  server configuration: {config.describe()}", flush=True)
    server = Server(config, url=url, app=APP)
    try:
        server.wait_ready()
        paths = {name: path for name, _size, _connections, path in _scenarios(args)}
        for name, sample in samples.items():
            answer_check(server.port, key, sample, path=paths[name])
        bare = None
        for number, (name, size, connections, path) in enumerate(_scenarios(args)):
            if name not in samples and not (name == "bare" and "single" in samples):
                continue
            result = scenario_run(server, bodies=bodies[name], key=key, connections=connections, seconds=args.seconds,
                                  warmup=args.warmup, path=path.replace("KEY", key))
            print(f"\n{number}. {_title(name, size)}, {connections} connections:")
            verdicts = [] if name == "bare" else verdict_lines(result, texts_per_request=size,
                                                              bare=bare if name == "single" else None)
            for line in result_lines(result, texts_per_request=size) + verdicts:
                print(f"   {line}", flush=True)
            bare = result if name == "bare" else bare
    finally:
        server.stop()


def _title(name: str, size: int) -> str:
    return {
        "bare": f"reference: POST {BARE_PATH}, a minimal Django JSON view (the same bodies as 1., parsed; a small JSON back)",
        "perspective": f"POST {PERSPECTIVE_PATH}?key=…, one comment with every offered attribute and its spans",
        "toxicity-predict": f"reference: POST {PREDICT_PATH}, the same model, one text, its explanation",
    }.get(name, "one text per request" if size == 1 else f"{size} texts per request")


def sweep(args: argparse.Namespace, *, url: str, key: str, bodies: dict[str, Path]) -> None:
    """Each configuration of SWEEP on both scenarios, shorter runs; a table to choose DEFAULT_SERVER from."""
    print(f"\nSweep: {args.seconds} s per scenario after {args.warmup} s of warm-up")
    print(f"  {'configuration':<46} {'1 text: req/s':>14} {'p50':>6} {'p99':>6}   {BATCH} texts: texts/s {'p99':>7}"
          "   other load (cores)")
    for config in SWEEP:
        server = Server(config, url=url)
        try:
            server.wait_ready()
            row = []
            for name, _size, connections, _path in _scenarios(args)[1:3]:
                row.append(scenario_run(server, bodies=bodies[name], key=key, connections=connections,
                                        seconds=args.seconds, warmup=args.warmup))
        finally:
            server.stop()
        one, many = row
        flags = "; ".join(filter(None, [one.problems(), many.problems()]))
        print(f"  {config.describe().split(' (')[0]:<46} {one.rps:>14,.0f} {one.p50_ms:>6.1f} {one.p99_ms:>6.1f}   "
              f"{many.rps * BATCH:>16,.0f} {many.p99_ms:>7.1f}   {one.cpu['other']:.2f} / {many.cpu['other']:.2f}"
              + (f"  INVALID: {flags}" if flags else ""), flush=True)


def _scenarios(args: argparse.Namespace) -> list[tuple[str, int, int, str]]:
    return [("bare", 1, args.connections, BARE_PATH), ("single", 1, args.connections, PATH),
            ("batch", BATCH, args.batch_connections, PATH),
            ("toxicity-predict", 1, args.connections, PREDICT_PATH),
            ("perspective", 1, args.connections, f"{PERSPECTIVE_PATH}?key=KEY")]


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(f"stopped by signal {signum}")  # so every `finally` runs: gunicorn stopped, key deleted


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=20, help="measured seconds per scenario (default 20)")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up seconds per scenario, discarded (default 5)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections, one text per request (default 8)")
    parser.add_argument("--batch-connections", type=int, default=4, help="wrk connections, batches (default 4)")
    parser.add_argument("--workers", type=int, default=DEFAULT_SERVER.workers)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default=DEFAULT_SERVER.worker_class)
    parser.add_argument("--threads", type=int, default=DEFAULT_SERVER.threads, help="threads per gthread worker")
    parser.add_argument("--keep-alive", type=int, default=DEFAULT_SERVER.keep_alive, help="seconds (gthread only)")
    parser.add_argument("--sweep", action="store_true", help="try the configurations in SWEEP instead (10 s runs)")
    parser.add_argument("--only", choices=["classify", "perspective"], help="one endpoint's scenarios")
    args = parser.parse_args()
    if args.sweep and "--seconds" not in sys.argv:
        args.seconds = 10
    return args


def main() -> None:
    args = arguments()
    wrk_binary()
    url = os.environ.get("API_BENCH_DATABASE_URL") or DEFAULT_URL
    django_environment_set(url)
    os.environ["REDIS_URL"] = REDIS_URL  # the key this process creates is cached where the server looks
    signal.signal(signal.SIGTERM, _terminate)
    import django

    django.setup()
    print(f"HTTP API speed benchmark: POST {PATH}, POST {PREDICT_PATH} and POST {PERSPECTIVE_PATH}", flush=True)
    classify_model = "not measured (--only perspective)"
    if args.only != "perspective":
        version, origin = model_ensure(url)
        classify_model = f"{model_describe(version)}; {origin}"
    else:
        call_command_migrate()
    texts = texts_load()
    toxicity, toxicity_origin = toxicity_model_ensure()
    attributes = sorted(toxicity.metrics["labels"])
    perspective = perspective_bodies(texts, attributes=attributes)
    samples = {"single": {"text": texts[0]}, "batch": batches(texts, size=BATCH)[0],
               "toxicity-predict": {"text": texts[0]}, "perspective": perspective[0]}
    if args.only:
        toxicity_names = {"toxicity-predict", "perspective"}
        samples = {name: body for name, body in samples.items() if (name in toxicity_names) == (args.only == "perspective")}
    bodies = {"single": bodies_write("api-single.jsonl", [{"text": text} for text in texts]),
              "batch": bodies_write("api-batch.jsonl", batches(texts, size=BATCH)),
              "perspective": bodies_write("api-perspective.jsonl", perspective)}
    bodies["toxicity-predict"] = bodies["bare"] = bodies["single"]  # the same {"text": ...} bodies
    batch_bytes = bodies["batch"].stat().st_size / len(batches(texts, size=BATCH))
    header(args, url=url, model=classify_model, texts=texts, batch_bytes=batch_bytes)
    print(f"  Perspective endpoint: {model_describe(toxicity)}; {toxicity_origin}; every request asks for "
          f"{', '.join(attributes)} with spanAnnotations and the key as ?key=")
    row, key = key_create()
    try:
        if args.sweep:
            sweep(args, url=url, key=key, bodies=bodies)
        else:
            measure(args, url=url, key=key, bodies=bodies, samples=samples)
    finally:
        key_delete(row)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted (gunicorn stopped, the benchmark's key deleted)")
