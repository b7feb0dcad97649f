"""Which posts a campaign holds: its filters, a random sample, or the model's least certain posts first.

Posts are added when a campaign is filled and, while it runs, as new posts are
scored (`campaigns_extend`). In active-learning mode each post is served by the
active model's uncertainty (probability of `discriminatory` near 0.5 first),
except a fixed random share, chosen by a hash of the post so it never changes,
that is served in random order: the unbiased part an evaluation needs.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from classifier.label_sets import DISCRIMINATION, DISCRIMINATORY
from classifier.models import ModelVersion, Prediction
from ingestion.models import Tweet, TweetCategory
from labeling.models import Campaign, CampaignItem

CHUNK = 5000


def campaign_tweets(*, campaign: Campaign) -> QuerySet[Tweet]:
    """The posts the campaign's filters match (every empty filter matches all)."""
    tweets = Tweet.objects.all()
    if campaign.since is not None:
        tweets = tweets.filter(created_at__gte=campaign.since)
    if campaign.until is not None:
        tweets = tweets.filter(created_at__lt=campaign.until)
    if campaign.states:
        tweets = tweets.filter(state__in=campaign.states)
    category_ids = list(campaign.categories.values_list("pk", flat=True))
    if category_ids:
        tweets = tweets.filter(Exists(TweetCategory.objects.filter(tweet=OuterRef("pk"), category_id__in=category_ids)))
    return tweets


def campaign_items_add(*, campaign: Campaign, tweet_ids: Iterable[int] | None = None) -> int:
    """Add the matching posts not in the campaign yet (only those of `tweet_ids` when given); returns how many."""
    tweets = campaign_tweets(campaign=campaign).exclude(campaign_items__campaign=campaign)
    if tweet_ids is not None:
        tweets = tweets.filter(pk__in=list(tweet_ids))
    if campaign.sample_size is not None:
        room = campaign.sample_size - campaign.items.count()
        if room <= 0:
            return 0
        tweets = tweets.order_by("?")[:room]
    ids = list(tweets.values_list("pk", flat=True))
    added = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        order = _priorities(campaign=campaign, tweet_ids=chunk)
        rows = [CampaignItem(campaign=campaign, tweet_id=pk, priority=order[pk][0], random_slice=order[pk][1]) for pk in chunk]
        # A post joins once even if two runs add it at the same time.
        added += len(CampaignItem.objects.bulk_create(rows, ignore_conflicts=True))
    return added


def campaigns_extend(*, tweet_ids: list[int]) -> int:
    """New posts join every running campaign whose filters they match."""
    return sum(
        campaign_items_add(campaign=campaign, tweet_ids=tweet_ids)
        for campaign in Campaign.objects.filter(status=Campaign.Status.RUNNING)
    )


def campaigns_extend_run(*, run_id: int) -> int:
    """The posts an ingestion run stored join the running campaigns they match."""
    return campaigns_extend(tweet_ids=list(Tweet.objects.filter(run_id=run_id).values_list("pk", flat=True)))


def _unit(*parts: object) -> float:
    """A number in [0, 1) fixed by its parts: random-looking, the same on every run."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _priorities(*, campaign: Campaign, tweet_ids: list[int]) -> dict[int, tuple[float, bool]]:
    """Each post's (priority, in the random share). Without active learning, oldest first (all 0, then by id)."""
    if not campaign.active_learning:
        return {pk: (0.0, False) for pk in tweet_ids}
    active = ModelVersion.objects.filter(task=DISCRIMINATION, status=ModelVersion.Status.ACTIVE).first()
    scores = {} if active is None else dict(
        Prediction.objects.filter(model_version=active, tweet_id__in=tweet_ids).values_list("tweet_id", "scores")
    )
    order = {}
    for pk in tweet_ids:
        if _unit(campaign.pk, pk, "share") < campaign.random_share:
            order[pk] = (_unit(campaign.pk, pk, "order"), True)
        else:
            probability = scores.get(pk, {}).get(DISCRIMINATORY)
            order[pk] = (0.0 if probability is None else 1.0 - 2.0 * abs(float(probability) - 0.5), False)
    return order
