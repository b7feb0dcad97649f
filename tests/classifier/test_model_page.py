"""The model page (/clasificador/): every task's versions with the active one marked, the active model's figures
per label, per source and per held-out corpus as tables, a demo model named as such, and each task's empty state."""
from __future__ import annotations

import re

import pytest

from classifier.models import ModelVersion
from classifier.services.training import demo_model_ensure
from tests.classifier.pages import section, table_rows
from tests.factories import ModelVersionFactory

DEMO_NOTE = "Modelo de demostración, aprendido de publicaciones sintéticas: sus puntuaciones no describen la realidad."


@pytest.mark.django_db
def test_without_models_every_task_says_how_to_train_one(client):
    html = client.get("/clasificador/").content.decode()
    assert "llegarán pronto" not in html
    for task in ("discrimination", "toxicity", "movie-genres"):
        empty = section(html, f"task-{task}")
        assert "Aún no hay modelo de" in empty and f"manage.py train --task {task}" in empty
        assert 'data-testid="label-figures"' not in empty
    assert "Modelo de demostración" not in html


@pytest.mark.django_db
def test_the_versions_are_listed_with_the_active_one_and_its_figures_per_label(client, trained_model):
    ModelVersionFactory.create(task="discrimination", version=2, status=ModelVersion.Status.CANDIDATE,
                               metrics={"macro_f1": 0.5, "training_rows": 10}, reason="Macro F1 peor; sigue como candidata.")
    html = client.get("/clasificador/").content.decode()
    task = section(html, "task-discrimination")
    rows = table_rows(task, "versions-discrimination")
    assert [row[0].split()[0] for row in rows] == ["v2", "v1"]  # newest first
    assert [row[1] for row in rows] == ["candidata", "activa"]
    active_rows = re.findall(r'<tr class="[^"]*is-active[^"]*"[^>]*aria-current="true"', task)
    assert len(active_rows) == 1
    metrics = trained_model.metrics
    assert rows[1][3] == str(metrics["training_rows"]) and rows[1][5] == f"{metrics['macro_f1']:.3f}"

    active = section(html, "active-discrimination")
    assert "Modelo activo: v1" in active and "Modelo de demostración" not in active
    figures = {row[0]: row for row in table_rows(active, "label-figures")}
    discriminatory = metrics["labels"]["discriminatory"]
    row = figures["Discriminatorio"]
    assert row[3:8] == [f"{discriminatory[key]:.3f}" for key in ("roc_auc", "f1", "precision", "recall", "threshold")]
    assert row[2] == str(discriminatory["support"]) and row[8] == f"{discriminatory['calibration_error']:.3f}"
    assert row[1] == str(sum(metrics["signals"]["discriminatory"].values()))
    assert set(figures) >= {"Discriminatorio", "Género"}  # categories by their names
    sources = table_rows(active, "sources")
    assert sources[0][:2] == ["test", str(metrics["rows_per_source"]["test"])]
    assert f"discriminatory {metrics['signals']['discriminatory']['test']}" in sources[0][2]
    assert "{" not in active  # no raw JSON
    # The other tasks still have their empty state.
    assert "manage.py train --task toxicity" in section(html, "task-toxicity")


@pytest.mark.django_db
def test_a_demo_model_says_plainly_it_is_one(client, dictionary, archive_dir):
    demo_model_ensure()  # the embedded demo's discrimination and toxicity models, from the synthetic corpus
    html = client.get("/clasificador/").content.decode()
    for task in ("discrimination", "toxicity"):
        active = section(html, f"active-{task}")
        assert DEMO_NOTE in active and "demostración" in active
    rows = table_rows(section(html, "task-discrimination"), "versions-discrimination")
    assert rows[0][0] == "v1 demostración"
    assert table_rows(section(html, "active-discrimination"), "sources")[0][0] == "demo sintético"
    not_offered = section(html, "active-toxicity")
    assert "Etiquetas que este modelo no ofrece" in not_offered and "Amenaza" in not_offered
    detail = client.get("/clasificador/toxicity/v1/").content.decode()
    assert DEMO_NOTE in detail


@pytest.mark.django_db
def test_a_version_page_has_its_figures_per_held_out_corpus_and_calibration(client, trained_model):
    response = client.get(f"/clasificador/discrimination/v{trained_model.version}/")
    assert response.status_code == 200
    html = response.content.decode()
    corpus = {(row[0], row[1]): row for row in table_rows(html, "corpus-figures")}
    figures = trained_model.metrics["held_out_per_label_source"]["discriminatory"]["test"]
    assert corpus[("Discriminatorio", "test")][2:5] == [str(figures["rows"]), str(figures["support"]), f"{figures['roc_auc']:.3f}"]
    reliability = {row[0]: row[1] for row in table_rows(html, "reliability")}
    first_bin = trained_model.metrics["labels"]["discriminatory"]["reliability"][0]
    assert reliability["Discriminatorio"].startswith(f"{first_bin['bin']} {first_bin['mean_probability']:.2f} →")
    assert client.get("/clasificador/discrimination/v99/").status_code == 404
    assert client.get("/clasificador/discrimination/v99999999999999999999999/").status_code == 404  # past any integer column
    assert client.get("/clasificador/no-such-task/").status_code == 404


@pytest.mark.django_db
def test_a_task_with_many_versions_is_paged(client):
    for number in range(1, 24):
        ModelVersionFactory.create(task="toxicity", version=number, status=ModelVersion.Status.RETIRED)
    first = client.get("/clasificador/toxicity/").content.decode()
    assert len(table_rows(first, "versions-toxicity")) == 20 and "Página 1 de 2" in first
    second = client.get("/clasificador/toxicity/?pagina=2").content.decode()
    assert [row[0] for row in table_rows(second, "versions-toxicity")] == ["v3", "v2", "v1"]
    # The overview shows the latest few and links to the rest.
    overview = section(client.get("/clasificador/").content.decode(), "task-toxicity")
    assert len(table_rows(overview, "versions-toxicity")) == 5 and "Todas las versiones (23)" in overview
    assert "Ninguna versión está activa" in overview


@pytest.mark.django_db
def test_a_failed_trainings_error_is_for_staff_only(client, admin_client):
    ModelVersionFactory.create(task="discrimination", status=ModelVersion.Status.FAILED, reason="ValueError: /srv/secret/path")
    assert "/srv/secret/path" not in client.get("/clasificador/").content.decode()
    assert "/srv/secret/path" in admin_client.get("/clasificador/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("metrics", "demo"), [
    ({"demo": True, "rows_per_source": {"demo": 483}}, True),
    ({"rows_per_source": {"demo": 483}}, True),  # the demo retrained by the monthly task: unmarked, still synthetic
    ({"rows_per_source": {"demo": 483, "import:hateval2019": 5000}}, False),
    ({}, False),
])
def test_a_version_is_a_demo_when_marked_or_learnt_from_demo_rows_alone(client, metrics, demo):
    ModelVersionFactory.create(task="discrimination", version=1, status=ModelVersion.Status.ACTIVE, metrics=metrics)
    html = section(client.get("/clasificador/").content.decode(), "active-discrimination")
    assert (DEMO_NOTE in html) is demo
