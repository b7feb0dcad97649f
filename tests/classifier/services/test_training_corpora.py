"""Training `discrimination` from several corpora: chosen leave-one-corpus-out, weighted per corpus,
mixed with hostility, and a gated model for every COPRED category."""
from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import numpy as np
import pytest

from classifier.artifacts import artifact_load
from classifier.engine.fitting import SearchParams
from classifier.engine.scoring import model_decisions, model_scores
from classifier.importers import hostility_of
from classifier.models import LabeledText
from classifier.services.training import TrainParams, corpus_weights, model_version_train
from tests.shared_data import SHARED, csv_head, labeled_import, needs_shared

CATEGORIES = {"apariencia", "discapacidad", "edad", "genero", "ideologia", "orientacion", "religion"}
SMALL = TrainParams(
    c_grid=(1.0,), scalings=("plain",), balancings=("class_weight",), cv_folds=3, embeddings=False,
    cross_corpus=SearchParams(c_grid=(1.0,), scalings=("plain",), balancings=("class_weight",), mixes=(0.0, 1.0), finalists=1),
)


def test_a_corpus_four_times_larger_counts_twice_as_much():
    sources = np.array(["grande"] * 400 + ["chico"] * 100)
    weights = corpus_weights(sources=sources)
    assert weights[sources == "grande"].sum() == pytest.approx(2 * weights[sources == "chico"].sum())
    assert weights.mean() == pytest.approx(1.0)


@pytest.mark.parametrize("labels,extra,hostile", [
    ([], {"aggressive": True, "mapping": "aggressive-no-term"}, True),  # MEX-A3T: an insult is hostile, not discriminatory
    ([], {"offendes_label": "OFP"}, True),
    ([], {"offendes_label": "NOE"}, False),  # expletives alone
    (["discriminatory"], {"offendes_label": "OFG"}, True),
    ([], {"toxicity": 1, "target_person": 1}, True),  # DETOXIS
    ([], {"toxicity": 0, "stereotype": 1}, False),
    ([], {"TR": True, "AG": True}, True),  # HatEval aggressive without hate
    ([], {"sexism_type": "", "platform": "twitter"}, False),  # EXIST non-sexist
    (["discriminatory", "genero"], {}, True),
])
def test_hostility_is_read_from_each_corpus_own_labels(labels, extra, hostile):
    assert hostility_of(labels=labels, extra=extra) is hostile


def _latin1_head(source: Path, target: Path, rows: int) -> None:
    with source.open(encoding="latin-1", newline="") as handle:
        lines = list(csv.reader(handle))[: rows + 1]
    with target.open("w", encoding="latin-1", newline="") as handle:
        csv.writer(handle).writerows(lines)


@needs_shared
@pytest.mark.django_db
def test_discriminatory_is_chosen_by_the_corpora_it_never_saw(tmp_path, archive_dir):
    labeled_import(csv_head(SHARED / "hateval2019_es" / "hateval2019_es_train.csv", tmp_path / "hateval_train.csv", 300), "hateval")
    labeled_import(csv_head(SHARED / "exist2021_es" / "exist2021_es_train.csv", tmp_path / "exist_train.csv", 300), "exist")
    labeled_import(csv_head(SHARED / "detoxis2021" / "detoxis2021_train.csv", tmp_path / "detoxis_train.csv", 400), "detoxis")

    version = model_version_train(task="discrimination", params=dataclasses.replace(SMALL, labels=("discriminatory",)))

    chosen = version.params["per_label"]["discriminatory"]
    assert chosen["folds"] == "por corpus"
    left_out = version.metrics["left_out_corpora"]["discriminatory"]
    assert set(left_out) == {"import:hateval2019", "import:exist2021", "import:detoxis2021"}
    assert all(0.0 <= figures["roc_auc"] <= 1.0 and figures["rows"] > 0 for figures in left_out.values())
    # The search's figure is the mean of the left-out corpora, and it compared mixing in hostility.
    assert chosen["cv_roc_auc"] == pytest.approx(np.mean([f["roc_auc"] for f in left_out.values()]), abs=2e-4)
    assert {"plain/class_weight/1.0/False", "plain/class_weight/1.0/False/1.0"} <= set(chosen["first_fold_roc_auc"])
    assert version.metrics["signals"]["discriminatory"].keys() == {
        "import:hateval2019", "import:exist2021", "import:detoxis2021"}


@needs_shared
@pytest.mark.django_db
def test_every_category_gets_a_model_and_fires_only_on_a_discriminatory_text(tmp_path, archive_dir):
    for category in sorted(CATEGORIES):
        source = SHARED / "discriminamometro" / f"base_{category}.csv"
        target = tmp_path / f"base_{category}.csv"
        _latin1_head(source, target, 70)
        labeled_import(target, "legacy")
    labeled_import(csv_head(SHARED / "hateval2019_es" / "hateval2019_es_train.csv", tmp_path / "hateval_train.csv", 300), "hateval")
    labeled_import(csv_head(SHARED / "exist2021_es" / "exist2021_es_train.csv", tmp_path / "exist_train.csv", 300), "exist")
    assert LabeledText.objects.filter(weak=True).count() >= 7 * 30

    version = model_version_train(task="discrimination", params=SMALL)

    model = artifact_load(path=version.artifact_path, sha256=version.artifact_sha256)
    assert set(model.labels) >= CATEGORIES
    assert model.gates == {category: "discriminatory" for category in CATEGORIES}
    signals = version.metrics["signals"]
    # Each category learnt from the original project's tweets its terms found; genero from EXIST's sexism too.
    assert all(signals[category].get("weak:discriminamometro", 0) >= 30 for category in CATEGORIES)
    assert signals["genero"].get("import:exist2021", 0) > 0
    # The weak rows never teach `discriminatory`.
    assert "weak:discriminamometro" not in signals["discriminatory"]
    texts = list(LabeledText.objects.values_list("text", flat=True)[:400])
    decided = model_decisions(model, model_scores(model, texts))
    for category in CATEGORIES:
        assert not (decided[category] & ~decided["discriminatory"]).any()
    assert any(decided[category].any() for category in CATEGORIES)
