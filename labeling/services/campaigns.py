"""Which posts (or queued texts) a campaign holds: its filters, a random sample, or the model's least certain first.

Posts are added when a campaign is filled and, while it runs, as new posts are
scored (`campaigns_extend`). A campaign from the queue takes pending texts of
its task instead (`campaign_from_queue_create`, or filling it again later);
each text taken moves to `in_campaign`, so no two campaigns label it. In
active-learning mode each item is served by the model's uncertainty (the
task's positive label near 0.5 first: the active model's prediction for a
post, the scores kept with a queued text), except a fixed random share,
chosen by a hash of the item so it never changes, that is served in random
order: the unbiased part an evaluation needs.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from classifier.label_sets import ATTRIBUTES, DISCRIMINATORY, TOXICITY
from classifier.models import ModelVersion, Prediction
from ingestion.models import Tweet, TweetCategory
from labeling.models import Campaign, CampaignItem, QueuedText
from labeling.selectors.queue import campaign_queued_texts

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
    """Add the matching posts not in the campaign yet (only those of `tweet_ids` when given); returns how many.

    A campaign from the queue takes matching pending texts instead (`tweet_ids` does not apply)."""
    if campaign.source == Campaign.Source.QUEUE:
        return campaign_queued_items_add(campaign=campaign)
    tweets = campaign_tweets(campaign=campaign).exclude(campaign_items__campaign=campaign)
    if tweet_ids is not None:
        tweets = tweets.filter(pk__in=list(tweet_ids))
    room = _sample_room(campaign)
    if room is not None:
        if room <= 0:
            return 0
        tweets = tweets.order_by("?")[:room]
    ids = list(tweets.values_list("pk", flat=True))
    added = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        order = _post_priorities(campaign=campaign, tweet_ids=chunk)
        rows = [CampaignItem(campaign=campaign, tweet_id=pk, priority=order[pk][0], random_slice=order[pk][1]) for pk in chunk]
        # A post joins once even if two runs add it at the same time.
        added += len(CampaignItem.objects.bulk_create(rows, ignore_conflicts=True))
    return added


def campaign_queued_items_add(*, campaign: Campaign, queued_text_ids: Iterable[int] | None = None) -> int:
    """Take pending queued texts the campaign matches (only those of `queued_text_ids` when given), up to
    its sample size; each becomes an item and moves to `in_campaign`. Returns how many were taken."""
    with transaction.atomic():
        # Locked and skipped when locked: two campaigns made at the same time from the same queue
        # never take the same text (the other's rows are skipped here, then no longer pending).
        texts = campaign_queued_texts(campaign=campaign).select_for_update(skip_locked=True)
        if queued_text_ids is not None:
            texts = texts.filter(pk__in=list(queued_text_ids))
        room = _sample_room(campaign)
        if room is not None:
            if room <= 0:
                return 0
            texts = texts.order_by("?")[:room]
        taken = list(texts.values_list("pk", "model_scores"))
        ids = [pk for pk, _scores in taken]
        QueuedText.objects.filter(pk__in=ids).update(status=QueuedText.Status.IN_CAMPAIGN)
        order = _queued_priorities(campaign=campaign, scores=dict(taken))
        rows = [CampaignItem(campaign=campaign, queued_text_id=pk, priority=order[pk][0], random_slice=order[pk][1])
                for pk in ids]
        return len(CampaignItem.objects.bulk_create(rows, batch_size=CHUNK))


def _sample_room(campaign: Campaign) -> int | None:
    """How many more items a sampled campaign may take (None: no sample size, every match joins)."""
    return None if campaign.sample_size is None else campaign.sample_size - campaign.items.count()


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """Which pending texts a campaign from the queue takes; every empty filter matches all."""

    task: str
    origin: str = ""
    api_key_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    sample_size: int | None = None


def campaign_from_queue_create(
    *, name: str, filters: QueueFilters, annotators_per_item: int = 2, pre_annotation: bool = False,
    guidelines: str = "", status: str = Campaign.Status.DRAFT, queued_text_ids: Iterable[int] | None = None,
) -> tuple[Campaign, int]:
    """A campaign whose items are pending queued texts (those of `queued_text_ids` when given, e.g. an
    admin's selection); returns it and how many texts it took."""
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name, task=filters.task, source=Campaign.Source.QUEUE, queue_origin=filters.origin,
            queue_api_key_id=filters.api_key_id, since=filters.since, until=filters.until,
            sample_size=filters.sample_size, annotators_per_item=annotators_per_item, pre_annotation=pre_annotation,
            guidelines=guidelines, status=status,
        )
        return campaign, campaign_queued_items_add(campaign=campaign, queued_text_ids=queued_text_ids)


def campaigns_extend(*, tweet_ids: list[int]) -> int:
    """New posts join every running campaign of posts whose filters they match."""
    return sum(
        campaign_items_add(campaign=campaign, tweet_ids=tweet_ids)
        for campaign in Campaign.objects.filter(status=Campaign.Status.RUNNING, source=Campaign.Source.POSTS)
    )


def campaigns_extend_run(*, run_id: int) -> int:
    """The posts an ingestion run stored join the running campaigns they match."""
    return campaigns_extend(tweet_ids=list(Tweet.objects.filter(run_id=run_id).values_list("pk", flat=True)))


def _unit(*parts: object) -> float:
    """A number in [0, 1) fixed by its parts: random-looking, the same on every run."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _post_priorities(*, campaign: Campaign, tweet_ids: list[int]) -> dict[int, tuple[float, bool]]:
    """Each post's (priority, in the random share). Without active learning, oldest first (all 0, then by id)."""
    if not campaign.active_learning:
        return {pk: (0.0, False) for pk in tweet_ids}
    active = ModelVersion.objects.filter(task=campaign.task, status=ModelVersion.Status.ACTIVE).first()
    scores = {} if active is None else dict(
        Prediction.objects.filter(model_version=active, tweet_id__in=tweet_ids).values_list("tweet_id", "scores")
    )
    return _priorities(campaign=campaign, scores={pk: scores.get(pk, {}) for pk in tweet_ids})


def _queued_priorities(*, campaign: Campaign, scores: dict[int, dict]) -> dict[int, tuple[float, bool]]:
    """Each queued text's (priority, in the random share), from the model's scores kept when it was queued."""
    if not campaign.active_learning:
        return {pk: (0.0, False) for pk in scores}
    return _priorities(campaign=campaign, scores=scores, salt="queued")


def _priorities(*, campaign: Campaign, scores: dict[int, dict], salt: str = "") -> dict[int, tuple[float, bool]]:
    positive = ATTRIBUTES[0] if campaign.task == TOXICITY else DISCRIMINATORY
    order = {}
    for pk, item_scores in scores.items():
        # The salt keeps a queued text's draw apart from a post's with the same id; posts keep theirs.
        key = (campaign.pk, salt, pk) if salt else (campaign.pk, pk)
        if _unit(*key, "share") < campaign.random_share:
            order[pk] = (_unit(*key, "order"), True)
        else:
            probability = (item_scores or {}).get(positive)
            order[pk] = (0.0 if probability is None else 1.0 - 2.0 * abs(float(probability) - 0.5), False)
    return order
