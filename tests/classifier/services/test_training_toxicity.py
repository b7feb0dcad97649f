"""Training the toxicity task: from the corpora imported under discrimination, read through the mapping of
`classifier.toxicity`, each attribute measured on every corpus that informs it; and the fixture's model."""
from __future__ import annotations

import dataclasses
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from classifier.engine.fitting import SearchParams
from classifier.label_sets import TOXICITY
from classifier.models import LabeledText, ModelVersion
from classifier.services.training import (
    TrainParams,
    demo_model_ensure,
    model_version_train,
    tasks_retrain,
    training_data_load,
)
from classifier.training_settings import TOXICITY_CROSS_CORPUS, task_training_settings
from tests.demo_data import SMALL
from tests.shared_data import SHARED, csv_head, labeled_import, needs_shared

pytestmark = pytest.mark.django_db

ONE = SearchParams(c_grid=(1.0,), scalings=("plain",), balancings=("class_weight",))
TINY = dataclasses.replace(
    TrainParams(**task_training_settings(task=TOXICITY)), min_positives=10, embeddings=False,
    scalings=("plain",), cross_corpus=dataclasses.replace(ONE, calibration=TOXICITY_CROSS_CORPUS.calibration),
)


def lines_head(source: Path, target: Path, rows: int, *, header: bool, every: int = 1) -> Path:
    """`rows` lines of a tab-separated file (after its header, kept when it has one), one in `every`
    (OffendES's file is sorted by label)."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    body = lines[int(header)::every][:rows]
    target.write_text("".join(lines[:1] * int(header) + body), encoding="utf-8")
    return target


def corpora_heads(tmp_path: Path) -> None:
    """Small heads of DETOXIS, OffendES, MEX-A3T and HatEval, imported as `manage.py datasets import` does."""
    labeled_import(csv_head(SHARED / "detoxis2021" / "detoxis2021_train.csv", tmp_path / "detoxis.csv", 500), "detoxis")
    labeled_import(lines_head(SHARED / "offendes" / "offendes_train.tsv", tmp_path / "offendes_train.tsv", 900, header=True, every=18), "offendes")
    labeled_import(lines_head(SHARED / "mexa3t2018" / "mexa3t2018_train.tsv", tmp_path / "mexa3t_train.tsv", 400, header=False), "mexa3t")
    labeled_import(lines_head(SHARED / "mexa3t2018" / "mexa3t2018_dev.tsv", tmp_path / "mexa3t_dev.tsv", 150, header=False), "mexa3t")
    labeled_import(csv_head(SHARED / "hateval2019_es" / "hateval2019_es_train.csv", tmp_path / "hateval_train.csv", 300), "hateval")


@needs_shared
def test_toxicity_trains_from_the_corpora_and_is_measured_on_every_corpus_that_informs_an_attribute(
    tmp_path, dictionary, archive_dir,
):
    corpora_heads(tmp_path)
    version = model_version_train(task=TOXICITY, params=TINY)

    metrics = version.metrics
    assert version.status == ModelVersion.Status.ACTIVE
    assert {"TOXICITY", "INSULT", "PROFANITY", "IDENTITY_ATTACK"} <= set(metrics["labels"])
    assert "THREAT" in metrics["not_offered"] and "0 ejemplos positivos" in metrics["not_offered"]["THREAT"]
    per_source = metrics["held_out_per_label_source"]
    # TOXICITY: DETOXIS and OffendES hold out a fifth of their rows, MEX-A3T its dev split; HatEval gives only positives.
    assert set(per_source["TOXICITY"]) == {"import:detoxis2021", "import:offendes", "import:mexa3t2018"}
    assert all(0.5 < figures["roc_auc"] <= 1 for figures in per_source["TOXICITY"].values())
    # PROFANITY is judged by DETOXIS and OffendES only: MEX-A3T's rows neither train nor measure it.
    assert set(per_source["PROFANITY"]) <= {"import:detoxis2021", "import:offendes"}
    assert "import:mexa3t2018" not in metrics["signals"]["PROFANITY"]
    toxicity = metrics["labels"]["TOXICITY"]
    assert sum(b["rows"] for b in toxicity["reliability"]) == sum(map(sum, toxicity["confusion"]))
    assert toxicity["calibration_error"] < 0.2 and toxicity["brier"] < 0.25
    # Calibrated on every row as a fit that never saw its corpus scores it and as one that has seen it.
    assert version.params["per_label"]["TOXICITY"]["calibration"] == "por corpus y estratificada"
    # Two or more corpora judge TOXICITY with both classes: it is chosen leave-one-corpus-out.
    assert set(metrics["left_out_corpora"]["TOXICITY"]) >= {"import:detoxis2021", "import:mexa3t2018"}
    # Nothing was copied: the toxicity task has no rows of its own.
    assert not LabeledText.objects.filter(task=TOXICITY).exists()


@needs_shared
def test_each_corpus_is_held_out_by_its_dev_split_or_a_fifth_of_its_rows(tmp_path, dictionary):
    corpora_heads(tmp_path)
    data = training_data_load(task=TOXICITY, params=TINY)
    for source, share in (("import:detoxis2021", 0.2), ("import:offendes", 0.2), ("import:mexa3t2018", 150 / 550)):
        mine = data.row_sources == source
        assert data.held_out[mine].mean() == pytest.approx(share, abs=0.01)
    # HatEval's tweets that are neither hateful nor aggressive judge IDENTITY_ATTACK only.
    hateval = data.row_sources == "import:hateval2019"
    assert data.informed is not None
    assert data.informed["IDENTITY_ATTACK"][hateval].all()
    assert not data.informed["TOXICITY"][hateval].all()


def test_the_fixture_offers_toxicity_and_identity_attack_and_not_threat(trained_toxicity_model):
    version = trained_toxicity_model
    assert version.task == "toxicity" and version.status == ModelVersion.Status.ACTIVE
    assert {"TOXICITY", "IDENTITY_ATTACK"} <= set(version.metrics["labels"])
    assert "THREAT" in version.metrics["not_offered"] and "THREAT" not in version.metrics["labels"]


def test_an_attribute_whose_positives_come_from_too_few_corpora_is_not_offered(trained_toxicity_model):
    LabeledText.objects.bulk_create([
        LabeledText(task=TOXICITY, text=f"eres un idiota número {i}", labels=["TOXICITY", "INSULT"] if i % 2 else [],
                    source="annotators", external_id=str(i), extra={"attributes": ["TOXICITY", "INSULT"]})
        for i in range(60)
    ])
    version = model_version_train(task=TOXICITY, params=dataclasses.replace(SMALL, min_corpora=2))
    # TOXICITY has positives from the fixture's rows and the annotators'; INSULT and IDENTITY_ATTACK from one source.
    assert set(version.metrics["labels"]) == {"TOXICITY"}
    assert version.metrics["not_offered"]["INSULT"] == "positivos de 1 corpus (se necesitan 2)"
    assert "IDENTITY_ATTACK" in version.metrics["not_offered"]


def test_the_demo_has_a_toxicity_model_too_marked_as_a_demo(dictionary, archive_dir):
    discrimination = demo_model_ensure()
    assert discrimination is not None and discrimination.metrics["demo"]
    toxicity = ModelVersion.objects.get(task=TOXICITY)
    assert toxicity.status == ModelVersion.Status.ACTIVE and toxicity.metrics["demo"]
    assert {"TOXICITY", "IDENTITY_ATTACK"} == set(toxicity.metrics["labels"])
    assert toxicity.metrics["rows_per_source"] == {"demo": 483}
    assert demo_model_ensure() is None and ModelVersion.objects.filter(task=TOXICITY).count() == 1


def test_the_monthly_retraining_trains_toxicity_whenever_the_corpora_are_there(dictionary, archive_dir):
    extra = {"offendes_label": "NO", "influencer": "x", "influencer_gender": "f", "media": "youtube"}
    LabeledText.objects.create(task="discrimination", text="qué bonito video", source="import:offendes", external_id="1", extra=extra)
    outcome = tasks_retrain(params=TINY)
    assert set(outcome) == {"discrimination", "toxicity"}  # one row cannot train: both fail, visibly
    assert ModelVersion.objects.get(task=TOXICITY).status == ModelVersion.Status.FAILED


def test_manage_py_train_prints_each_attribute_per_corpus_and_what_is_not_offered(trained_toxicity_model):
    out = StringIO()
    call_command("train", task=TOXICITY, min_positives=10, stdout=out)
    printed = out.getvalue()
    assert "TOXICITY, ROC AUC en la evaluación de cada corpus: test " in printed
    assert "TOXICITY, probabilidad media frente a proporción observada: 0.0-0.2" in printed
    assert "THREAT: no se ofrece (0 ejemplos positivos de entrenamiento (se necesitan 10))" in printed
