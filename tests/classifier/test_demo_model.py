"""The embedded demo answers out of the box: `load_demo` trains a model from the synthetic corpus, once, and never mixes it with real data."""
from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from classifier.models import LabeledText, ModelVersion, Prediction
from classifier.services.training import DEMO_SOURCE, TrainParams, demo_model_ensure, training_data_load
from ingestion.models import Tweet
from labeling.models import Campaign, CampaignItem
from labeling.services.demo import DEMO_CAMPAIGN

pytestmark = pytest.mark.django_db


def test_load_demo_trains_a_demo_model_and_scores_the_posts(dictionary, archive_dir):
    out = StringIO()
    call_command("load_demo", backlog=40, stdout=out)
    version = ModelVersion.objects.get(task="discrimination")
    assert version.status == "active"
    assert "discriminatory" in version.metrics["labels"]
    assert Prediction.objects.filter(model_version=version).count() == Tweet.objects.count() == 40
    assert "Modelo de demostración" in out.getvalue()
    # Something to label out of the box: a running campaign over the demo posts, with guidelines per category.
    campaign = Campaign.objects.get(name=DEMO_CAMPAIGN)
    assert campaign.status == "running" and campaign.items.count() == 40 and campaign.annotators_per_item == 2
    assert "## Orientación sexual" in campaign.guidelines
    call_command("load_demo", stdout=StringIO())  # again: nothing new
    assert ModelVersion.objects.count() == 1 and Tweet.objects.count() == 40 and CampaignItem.objects.count() == 40


def test_no_demo_model_over_real_labels_and_demo_rows_never_train_with_them(dictionary, archive_dir):
    LabeledText.objects.create(task="discrimination", text="real", labels=[], source="annotators", external_id="1")
    assert demo_model_ensure() is None
    assert not LabeledText.objects.filter(source=DEMO_SOURCE).exists()
    LabeledText.objects.create(task="discrimination", text="real dev", labels=[], source="annotators", external_id="2", split="dev")
    LabeledText.objects.create(task="discrimination", text="sintético", labels=[], source=DEMO_SOURCE, external_id="d1")
    data = training_data_load(task="discrimination", params=TrainParams())
    assert data.texts == ["real", "real dev"]
