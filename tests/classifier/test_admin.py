"""The classifier's admin pages: labeled texts and model versions."""
from __future__ import annotations

import pytest

from classifier.services.registry import (
    model_version_register,
)
from tests.classifier.toy import trained
from tests.factories import LabeledTextFactory


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["labeledtext", "modelversion"])
def test_classifier_admin_pages_open(admin_client, archive_dir, model):
    from django.urls import reverse


    LabeledTextFactory.create(task="t", text="hola", labels=["a"], source="s", external_id="1")
    model_version_register(task="t", model=trained(), metrics={"macro_f1": 0.5}, params={})
    response = admin_client.get(reverse(f"admin:classifier_{model}_changelist"))
    assert response.status_code == 200
    assert ("hola" if model == "labeledtext" else "0.500") in response.content.decode()
