"""The admin's change page of a model version: its training report as tables, not as raw JSON."""
from __future__ import annotations

import pytest
from django.urls import reverse

from tests.classifier.pages import table_rows


@pytest.mark.django_db
def test_the_change_page_shows_the_figures_per_label_and_per_source_as_tables(admin_client, trained_model):
    response = admin_client.get(reverse("admin:classifier_modelversion_change", args=[trained_model.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    figures = {row[0]: row for row in table_rows(html, "label-figures")}
    roc_auc = trained_model.metrics["labels"]["discriminatory"]["roc_auc"]
    assert figures["Discriminatorio"][3] == f"{roc_auc:.3f}"
    assert table_rows(html, "sources")[0][0] == "test"
    for heading in ("Cifras en las filas reservadas", "Datos de entrenamiento", "De demostración", "Tarea", "Estado"):
        assert heading in html
    # The raw JSON is still there for whoever needs it, folded away below the tables.
    assert html.index('data-testid="label-figures"') < html.index("Informe y parámetros en bruto (JSON)")
    assert reverse("classifier:version", args=["discrimination", trained_model.version]) in html


@pytest.mark.django_db
def test_the_list_shows_whether_a_version_is_a_demo(admin_client, trained_model):
    trained_model.metrics = {**trained_model.metrics, "demo": True}
    trained_model.save(update_fields=["metrics"])
    html = admin_client.get(reverse("admin:classifier_modelversion_changelist")).content.decode()
    assert "de demostración" in html.lower() and 'alt="True"' in html
