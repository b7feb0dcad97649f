"""Engine cost for the REST API: µs per text scoring 1 text and batches of 100, with and without explanation.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/dm_engine_small
    .venv/bin/python benchmarks/engine_small.py [--task discrimination] [--rounds 7]

It loads the active model of the task from `DATABASE_URL` (train one first:
`manage.py import_labeled ... && manage.py train --task discrimination`) and
scores the HatEval 2019 dev texts (500 real tweets), in one process, the way an
API worker would: normalise, score, decide, and optionally explain the first
label. Only the engine is measured (no HTTP, no database).

The first pass over the texts is reported apart ("cold"): it fills the word
store (`classifier.engine.explain`) the way a freshly started worker does. The table is the steady state:
`--rounds` passes of each configuration, interleaved, with the median pass and
the best one (the best is what the code costs when nothing else runs on the
machine). Targets (single process, engine only): under 500 µs for one text with
its explanation, under 25 µs per text in batches of 100.
"""
from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from classifier.engine.model import TaskModel

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
DEV_TEXTS = ROOT.parent / "shared" / "data" / "hateval2019_es" / "hateval2019_es_dev.csv"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dm_engine_small"
TARGET_SINGLE_US = 500.0
TARGET_BATCH_US = 25.0


def texts_load() -> list[str]:
    with DEV_TEXTS.open(encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def model_load(task: str) -> tuple[TaskModel, str]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "discriminamometro.settings.base")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_DEBUG", "false")
    django.setup()
    from classifier.artifacts import artifact_load
    from classifier.models import ModelVersion

    active = ModelVersion.objects.filter(task=task, status=ModelVersion.Status.ACTIVE).first()
    if active is None:
        sys.exit(f"no active {task} model in {os.environ['DATABASE_URL']}; train one first (see the docstring)")
    model = artifact_load(path=active.artifact_path, sha256=active.artifact_sha256)
    embedding = model.embedding
    blocks = "words + chars" + ("" if embedding is None else f" + {embedding.vectors.shape[1]}-d word vectors")
    width = sum(len(v.vocabulary_) for _, v in model.vectorizer.transformer_list)
    return model, f"{task} v{active.version}: {len(model.labels)} labels, {width:,} TF-IDF columns ({blocks})"


def scorer(model: TaskModel, *, explain: bool) -> Callable[[list[str]], object]:
    """What an API request does with the engine: scores, decisions and, optionally, the first label's explanation."""
    from classifier.engine import scoring as engine

    if not explain:
        return lambda batch: engine.model_decisions(model, engine.model_scores(model, batch))
    label = model.labels[0]

    def run(batch: list[str]) -> object:
        scores, explanations = engine.model_scores_explained(model, batch, label=label)
        return engine.model_decisions(model, scores), explanations

    return run


def one_pass(run: Callable[[list[str]], object], texts: list[str], size: int) -> tuple[float, list[float]]:
    """Seconds for the whole pass, and each call's seconds."""
    calls = []
    started = time.perf_counter()
    for start in range(0, len(texts), size):
        begun = time.perf_counter()
        run(texts[start:start + size])
        calls.append(time.perf_counter() - begun)
    return time.perf_counter() - started, calls


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


Passes = dict[tuple[int, bool], list[tuple[float, list[float]]]]


def passes_run(model: TaskModel, texts: list[str], *, rounds: int, explainable: bool) -> Passes:
    """`rounds` passes of each (batch size, explain) configuration, interleaved, so a busy
    moment of the machine touches every configuration alike."""
    configurations = [(size, explain) for size in (1, 100) for explain in (False, True) if explainable or not explain]
    runs = {key: scorer(model, explain=key[1]) for key in configurations}
    passes: Passes = {key: [] for key in configurations}
    for _ in range(rounds):
        for key, run in runs.items():
            passes[key].append(one_pass(run, texts, key[0]))
    return passes


def row_print(size: int, explain: bool, measured: list[tuple[float, list[float]]], texts: int) -> None:
    median = statistics.median(seconds for seconds, _ in measured) / texts * 1e6
    best = min(seconds for seconds, _ in measured) / texts * 1e6
    calls = [call * 1e6 for _, per_call in measured for call in per_call]
    target = TARGET_SINGLE_US if size == 1 else TARGET_BATCH_US
    verdict = "met" if median <= target else f"MISSED ({median / target:.1f}x)"
    print(f"  {size:>5}  {'yes' if explain else 'no':>7}  {median:>9,.1f}  {best:>9,.1f}  "
          f"{percentile(calls, 0.5):>11,.0f}  {percentile(calls, 0.99):>11,.0f}  {target:,.0f} µs/text {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="discrimination")
    parser.add_argument("--rounds", type=int, default=7, help="steady-state passes per configuration")
    args = parser.parse_args()
    model, description = model_load(args.task)
    texts = texts_load()
    from classifier.engine import scoring as engine

    explainable = hasattr(engine, "model_scores_explained")
    print(f"Engine cost per text, one process ({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})")
    print(f"  model: {description}")
    average = sum(map(len, texts)) / len(texts)
    print(f"  texts: {len(texts)} HatEval 2019 dev tweets, {average:.0f} characters on average")
    cold, _ = one_pass(scorer(model, explain=False), texts, 100)
    print(f"  cold first pass (batches of 100, empty caches): {cold / len(texts) * 1e6:,.1f} µs/text\n")
    passes = passes_run(model, texts, rounds=args.rounds, explainable=explainable)
    print(f"  {'batch':>5}  {'explain':>7}  {'µs/text':>9}  {'best pass':>9}  {'p50 µs/call':>11}  "
          f"{'p99 µs/call':>11}  target")
    for (size, explain), measured in passes.items():
        row_print(size, explain, measured, len(texts))
    if not explainable:
        print("  (engine.model_scores_explained does not exist yet: no explained runs)")


if __name__ == "__main__":
    main()
