"""The classifier's commands: export_predictions (the stored predictions of one model version, as CSV or JSON
lines), train_embeddings, train, classify and evaluate."""
from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from classifier.models import EmbeddingVersion, ModelVersion, Prediction
from classifier.services.predictions import prediction_labels_get
from classifier.services.training import TrainParams, model_version_train
from tests.factories import ModelVersionFactory, PredictionFactory, TweetFactory
from tests.shared_data import needs_shared

QUICK = TrainParams(c_grid=(4.0,), scalings=("plain",), balancings=("class_weight",), cv_folds=3)
HEADER = [
    "platform_id", "created_at", "state", "model_task", "model_version", "discriminatory", "categories",
    "p_discriminatory", "p_genero", "p_racismo",
]


def version(number: int, status: str, labels: tuple[str, ...]) -> ModelVersion:
    metrics = {"labels": {label: {"f1": 0.8} for label in labels}, "macro_f1": 0.8}
    return ModelVersionFactory.create(task="discrimination", version=number, status=status, metrics=metrics)


def predict(tweet, model_version, scores: dict[str, float], categories: tuple[str, ...] = ()) -> Prediction:
    return PredictionFactory.create(
        tweet=tweet, model_version=model_version, scores=scores,
        discriminatory=scores.get("discriminatory", 0) >= 0.5, categories=list(categories),
    )


@pytest.fixture
def stored(db):
    """Version 2 (active) scored three posts, one without date or state; the retired version 1 scored one."""
    old = version(1, ModelVersion.Status.RETIRED, ("discriminatory", "genero"))
    active = version(2, ModelVersion.Status.ACTIVE, ("discriminatory", "genero", "racismo"))
    first = TweetFactory(platform_id="1001", created_at=datetime(2024, 5, 1, 15, 30, tzinfo=UTC), state="JAL")
    second = TweetFactory(platform_id="1002", created_at=datetime(2024, 5, 3, 2, 0, tzinfo=UTC), state="CMX")
    undated = TweetFactory(platform_id="1003", created_at=None, state="")
    # Created out of date order: the export is oldest first, undated last.
    predict(second, active, {"discriminatory": 0.1234, "genero": 0.05, "racismo": 0.0871})
    predict(undated, active, {"discriminatory": 0.5, "genero": 0.75, "racismo": 0.6}, ["genero", "racismo"])
    predict(first, active, {"discriminatory": 0.9132, "genero": 0.8811, "racismo": 0.02}, ["genero"])
    predict(first, old, {"discriminatory": 0.4, "genero": 0.3})
    return old, active


def export(*args: str, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("export_predictions", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(StringIO(text)))


@pytest.mark.django_db
def test_csv_on_stdout_holds_the_active_versions_predictions(stored):
    out, err = export()

    lines = out.split("\n")
    assert lines[0].split(",") == HEADER
    assert lines[1:] == [
        "1001,2024-05-01T09:30:00-06:00,JAL,discrimination,2,true,genero,0.9132,0.8811,0.02",
        # 2 a.m. UTC on the 3rd is still the 2nd in Mexico City
        "1002,2024-05-02T20:00:00-06:00,CMX,discrimination,2,false,,0.1234,0.05,0.0871",
        "1003,,,discrimination,2,true,genero|racismo,0.5,0.75,0.6",
        "",
    ]
    assert "3 predicciones de la versión v2 exportadas a la salida estándar." in err
    assert "%|" not in err  # no progress bar mixed into a terminal that shows the data


@pytest.mark.django_db
def test_jsonl_file_holds_the_same_values_and_a_progress_bar_on_stderr(stored, tmp_path):
    path = tmp_path / "predicciones.jsonl"

    out, err = export(format="jsonl", output=str(path))

    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert records == [
        {"platform_id": "1001", "created_at": "2024-05-01T09:30:00-06:00", "state": "JAL", "model_task": "discrimination",
         "model_version": 2, "discriminatory": True, "categories": ["genero"],
         "p_discriminatory": 0.9132, "p_genero": 0.8811, "p_racismo": 0.02},
        {"platform_id": "1002", "created_at": "2024-05-02T20:00:00-06:00", "state": "CMX", "model_task": "discrimination",
         "model_version": 2, "discriminatory": False, "categories": [],
         "p_discriminatory": 0.1234, "p_genero": 0.05, "p_racismo": 0.0871},
        {"platform_id": "1003", "created_at": None, "state": None, "model_task": "discrimination",
         "model_version": 2, "discriminatory": True, "categories": ["genero", "racismo"],
         "p_discriminatory": 0.5, "p_genero": 0.75, "p_racismo": 0.6},
    ]
    assert f"3 predicciones de la versión v2 exportadas a {path}." in out
    assert "3/3" in err
    assert err.count("\n") == 1  # the bar redraws in place and ends its line once
    assert list(tmp_path.iterdir()) == [path]  # the partial file was renamed


@pytest.mark.django_db
def test_no_progress_and_an_unwritable_path(stored, tmp_path):
    path = tmp_path / "p.csv"
    _, err = export(output=str(path), no_progress=True)
    assert err == ""
    assert [row["platform_id"] for row in csv_rows(path.read_text(encoding="utf-8"))] == ["1001", "1002", "1003"]

    with pytest.raises(CommandError, match="No se pudo escribir"):
        export(output=str(tmp_path / "no-existe" / "p.csv"))


@pytest.mark.django_db
def test_dates_are_whole_days_in_mexico_city(stored):
    active = stored[1]
    edges = {
        "0430-late": datetime(2024, 5, 1, 5, 59, tzinfo=UTC),   # 23:59 on 30 April in Mexico City
        "0501-early": datetime(2024, 5, 1, 6, 0, tzinfo=UTC),   # 00:00 on 1 May
        "0501-late": datetime(2024, 5, 2, 5, 59, tzinfo=UTC),   # 23:59 on 1 May
        "0502-early": datetime(2024, 5, 2, 6, 0, tzinfo=UTC),   # 00:00 on 2 May
    }
    for platform_id, created_at in edges.items():
        predict(TweetFactory(platform_id=platform_id, created_at=created_at), active, {"discriminatory": 0.2})

    one_day, _ = export(since="2024-05-01", until="2024-05-01")
    assert [row["platform_id"] for row in csv_rows(one_day)] == ["0501-early", "1001", "0501-late"]
    from_2nd, _ = export(since="2024-05-02")
    assert [row["platform_id"] for row in csv_rows(from_2nd)] == ["0502-early", "1002"]
    to_30th, _ = export(until="2024-04-30")
    assert [row["platform_id"] for row in csv_rows(to_30th)] == ["0430-late"]


@pytest.mark.django_db
def test_discriminatory_only(stored):
    out, err = export(discriminatory_only=True)
    assert [(row["platform_id"], row["discriminatory"]) for row in csv_rows(out)] == [("1001", "true"), ("1003", "true")]
    assert "2 predicciones" in err


@pytest.mark.django_db
def test_version_option_exports_that_versions_rows_and_labels(stored):
    out, _ = export("--version", "1")  # parsed as on the command line, where Django has its own --version

    assert csv_rows(out) == [{
        "platform_id": "1001", "created_at": "2024-05-01T09:30:00-06:00", "state": "JAL", "model_task": "discrimination",
        "model_version": "1", "discriminatory": "false", "categories": "", "p_discriminatory": "0.4", "p_genero": "0.3",
    }]
    with pytest.raises(CommandError, match="No existe la versión v7 del modelo de discriminación"):
        export(version=7)


@pytest.mark.django_db
def test_default_follows_the_active_version(stored):
    old, active = stored
    active.status = ModelVersion.Status.RETIRED
    active.save(update_fields=["status"])
    old.status = ModelVersion.Status.ACTIVE
    old.save(update_fields=["status"])

    out, _ = export(format="jsonl")
    assert [(r["platform_id"], r["model_version"]) for r in map(json.loads, out.splitlines())] == [("1001", 1)]


@pytest.mark.django_db
def test_errors_in_spanish(stored):
    old, active = stored
    active.status = ModelVersion.Status.RETIRED
    active.save(update_fields=["status"])
    with pytest.raises(CommandError, match="No hay un modelo activo de discriminación"):
        export()
    for bad in ("ayer", "2024-02-30", "01/05/2024"):
        with pytest.raises(CommandError, match=f"Fecha no válida: {bad} \\(use AAAA-MM-DD\\)"):
            export(version=2, since=bad)
    with pytest.raises(CommandError, match="--until \\(2024-05-01\\) es anterior a --since \\(2024-05-03\\)"):
        export(version=2, since="2024-05-03", until="2024-05-01")


@pytest.mark.django_db
def test_labels_are_the_union_of_scores_and_metrics_on_any_database(stored, monkeypatch):
    _, active = stored
    predict(TweetFactory(), active, {"discriminatory": 0.3, "xenofobia": 0.9})
    active.metrics["labels"]["apariencia"] = {"f1": None}
    expected = ["apariencia", "discriminatory", "genero", "racismo", "xenofobia"]

    assert prediction_labels_get(version=active) == expected
    monkeypatch.setattr(connection, "vendor", "sqlite")  # the path that reads the scores row by row
    assert prediction_labels_get(version=active) == expected


@pytest.mark.django_db
def test_command_trains_vectors_and_says_so_when_there_is_no_corpus(archive_dir):
    with pytest.raises(CommandError, match="no hay textos en es"):
        call_command("train_embeddings", no_progress=True, stdout=StringIO())
    assert not EmbeddingVersion.objects.exists()
    for n in range(20):
        TweetFactory(text=f"hola mundo de las redes {n}")
    out = StringIO()
    call_command("train_embeddings", "--min-count", "1", "--dimensions", "8", no_progress=True, stdout=out)
    assert "Vectores es v1:" in out.getvalue() and "de 20 textos" in out.getvalue()


@needs_shared
@pytest.mark.django_db
def test_classify_and_evaluate_commands(hateval):
    with pytest.raises(CommandError, match="No hay un modelo activo"):
        call_command("classify", "hola", stdout=StringIO())
    model_version_train(task="discrimination", params=QUICK)

    out = StringIO()
    call_command("classify", "Que se larguen todos los inmigrantes, qué naco", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "discrimination v1"
    assert lines[1].split()[0] == "discriminatory" and 0.0 <= float(lines[1].split()[1]) <= 1.0
    assert "términos del diccionario: naco" in out.getvalue()

    out = StringIO()
    call_command("evaluate", task="discrimination", stdout=out)
    assert "discrimination v1: activa" in out.getvalue()
    assert "sin entrenar por falta de ejemplos" in out.getvalue()


@pytest.mark.django_db
def test_training_without_data_says_so():
    with pytest.raises(CommandError, match="no hay textos etiquetados"):
        call_command("train", task="discrimination", stdout=StringIO())


@needs_shared
@pytest.mark.django_db
def test_train_leaves_a_corpus_out_and_reports_what_each_label_learnt_from(tmp_path, archive_dir):
    from tests.shared_data import SHARED, csv_head, labeled_import

    labeled_import(csv_head(SHARED / "hateval2019_es" / "hateval2019_es_train.csv", tmp_path / "hateval_train.csv", 300), "hateval")
    labeled_import(csv_head(SHARED / "exist2021_es" / "exist2021_es_train.csv", tmp_path / "exist_train.csv", 300), "exist")
    out = StringIO()
    call_command("train", task="discrimination", exclude_source=["import:exist2021"], c=[1.0], stdout=out)

    trained = ModelVersion.objects.get(task="discrimination")
    assert trained.metrics["rows_per_source"] == {"import:hateval2019": 300}
    assert "discriminatory aprendió de: import:hateval2019" in out.getvalue()
