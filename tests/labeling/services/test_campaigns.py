"""Campaign contents: filters, random samples, active learning with a fixed random share, and new posts joining."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from classifier.models import Prediction
from ingestion.models import Category
from labeling.models import Campaign, CampaignItem
from labeling.services.campaigns import campaign_items_add, campaigns_extend
from tests.factories import CampaignFactory, ModelVersionFactory, PredictionFactory, TweetCategoryFactory, TweetFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def tweet(*, state: str = "", days_ago: int = 0, category: str | None = None):  # noqa: ANN201
    post = TweetFactory.create(state=state, created_at=NOW - timedelta(days=days_ago))
    if category:
        TweetCategoryFactory.create(tweet=post, category=Category.objects.get(slug=category), created_at=post.created_at)
    return post


def test_filters_choose_the_posts_and_adding_again_adds_nothing(dictionary):
    wanted = tweet(state="JAL", days_ago=1, category="genero")
    tweet(state="JAL", days_ago=1, category="edad")  # another category
    tweet(state="CMX", days_ago=1, category="genero")  # another state
    tweet(state="JAL", days_ago=30, category="genero")  # too old
    campaign = CampaignFactory.create(name="Género en Jalisco", states=["JAL"], since=NOW - timedelta(days=7))
    campaign.categories.add(Category.objects.get(slug="genero"))
    assert campaign_items_add(campaign=campaign) == 1
    assert list(campaign.items.values_list("tweet_id", flat=True)) == [wanted.pk]
    assert campaign_items_add(campaign=campaign) == 0


def test_a_random_sample_stops_at_its_size(db):
    for _ in range(12):
        tweet()
    campaign = CampaignFactory.create(name="Muestra", sample_size=5)
    assert campaign_items_add(campaign=campaign) == 5
    assert campaign_items_add(campaign=campaign) == 0


def test_active_learning_serves_the_least_certain_first_and_keeps_a_random_share(db):
    model = ModelVersionFactory.create(task="discrimination", version=1, status="active")
    posts = [tweet() for _ in range(200)]
    for i, post in enumerate(posts):
        PredictionFactory.create(tweet=post, model_version=model, scores={"discriminatory": i / 199})
    campaign = CampaignFactory.create(name="AL", active_learning=True, random_share=0.2)
    campaign_items_add(campaign=campaign)
    items = list(campaign.items.all())
    share = sum(item.random_slice for item in items) / len(items)
    assert 0.1 < share < 0.3  # fixed by a hash of each post, about the configured share
    chosen = sorted((item for item in items if not item.random_slice), key=lambda item: -item.priority)
    probabilities = [Prediction.objects.get(tweet_id=item.tweet_id).scores["discriminatory"] for item in chosen[:5]]
    assert all(abs(p - 0.5) < 0.05 for p in probabilities)  # nearest to 0.5 first
    again = CampaignFactory.create(name="AL 2", active_learning=True, random_share=0.2)
    campaign_items_add(campaign=again)
    assert sum(item.random_slice for item in again.items.all()) > 0


def test_new_posts_join_running_campaigns_only(db):
    running = CampaignFactory.create(name="En curso", status=Campaign.Status.RUNNING, states=["CMX"])
    paused = CampaignFactory.create(name="En pausa", status=Campaign.Status.PAUSED)
    new = [tweet(state="CMX"), tweet(state="JAL")]
    assert campaigns_extend(tweet_ids=[post.pk for post in new]) == 1
    assert CampaignItem.objects.filter(campaign=running).count() == 1
    assert not CampaignItem.objects.filter(campaign=paused).exists()
