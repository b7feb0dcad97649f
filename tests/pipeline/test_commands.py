"""The pipeline's commands: `load_demo` (the embedded demo answers out of the box: a model trained from the synthetic
corpus, once, and posts to label) and `score`."""
from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from classifier.models import ModelVersion, Prediction
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
    # One demo model per task: discrimination, toxicity (for the Perspective-compatible endpoint) and movie
    # genres (for the reference route /classifier/).
    assert sorted(ModelVersion.objects.values_list("task", flat=True)) == ["discrimination", "movie-genres", "toxicity"]
    assert Tweet.objects.count() == 40 and CampaignItem.objects.count() == 40


def test_score_command_since_a_date(trained_model, demo_run):
    out = StringIO()
    call_command("score", since="2000-01-01", stdout=out)
    assert "60 publicaciones puntuadas con la versión v1" in out.getvalue()
    with pytest.raises(CommandError, match="Fecha no válida"):
        call_command("score", since="ayer", stdout=StringIO())
