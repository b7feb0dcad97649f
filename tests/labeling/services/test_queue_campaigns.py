"""Campaigns from the labeling queue: which pending texts they take, and how a settled queued text becomes a
training label of the campaign's task (undo and adjudication included)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from classifier.label_sets import ATTRIBUTES
from classifier.models import LabeledText
from labeling.models import Campaign, CampaignItem, QueuedText
from labeling.services.assignment import annotation_submit, annotation_undo, assignment_next
from labeling.services.campaigns import (
    QueueFilters,
    campaign_from_queue_create,
    campaign_items_add,
    campaigns_extend,
)
from labeling.services.consensus import item_adjudicate
from labeling.services.queue import queued_texts_create
from tests.factories import (
    ApiKeyFactory,
    CampaignFactory,
    ModelVersionFactory,
    QueuedTextFactory,
    TweetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
SCORES = {"TOXICITY": 0.92, "SEVERE_TOXICITY": 0.2, "INSULT": 0.81, "PROFANITY": 0.5, "THREAT": 0.05}


@pytest.fixture
def people() -> tuple[int, int, int]:
    ana, beto, rita = (UserFactory.create(username=name).pk for name in ("ana", "beto", "rita"))
    return ana, beto, rita


def answer(campaign: Campaign, user: int, value: str, categories: list[str] | tuple[str, ...] = ()) -> None:
    assignment = assignment_next(campaign=campaign, annotator_id=user)
    assert assignment is not None
    annotation_submit(assignment_id=assignment.pk, annotator_id=user, answer=value, categories=list(categories))


def toxicity_suggestion() -> QueuedText:
    (row,) = queued_texts_create(
        task="toxicity", texts=["Cállate, pendejo"], origin=QueuedText.Origin.SUGGESTSCORE, suggested_scores=SCORES,
        reference="comentario-7", comment="es un insulto",
    )
    return row


def running_queue_campaign(task: str, **filters) -> Campaign:  # noqa: ANN003
    campaign, _taken = campaign_from_queue_create(
        name="Cola", filters=QueueFilters(task=task, **filters), status=Campaign.Status.RUNNING,
    )
    return campaign


def test_suggested_scores_are_kept_as_sent_and_give_the_suggested_labels():
    row = toxicity_suggestion()
    row.refresh_from_db()
    assert row.suggested_scores == SCORES
    assert row.suggested_labels == ["TOXICITY", "INSULT", "PROFANITY"]  # 0.5 and above, in Perspective's order
    assert (row.origin, row.status, row.reference) == ("suggestscore", "pending", "comentario-7")
    (given,) = queued_texts_create(task="toxicity", texts=["x"], origin=QueuedText.Origin.SUGGESTSCORE,
                                   suggested_labels=["INSULT"], suggested_scores={"INSULT": 0.3})
    assert given.suggested_labels == ["INSULT"]  # labels the caller sends win over the derived ones


def test_analyze_keeps_the_models_scores_and_version():
    version = ModelVersionFactory.create(task="toxicity", version=3, status="active")
    (row,) = queued_texts_create(task="toxicity", texts=["hola"], origin=QueuedText.Origin.ANALYZE,
                                 scores=[{"TOXICITY": 0.4}], model_version_id=version.pk)
    row.refresh_from_db()
    assert (row.origin, row.model_scores, row.model_version_id, row.suggested_scores) == (
        "analyze", {"TOXICITY": 0.4}, version.pk, None
    )


def test_a_toxicity_suggestion_settles_into_a_toxicity_label_with_every_attribute_judged(people):
    ana, beto, _ = people
    row = toxicity_suggestion()
    campaign = running_queue_campaign("toxicity")
    assert campaign.items.get().queued_text_id == row.pk
    row.refresh_from_db()
    assert row.status == "in_campaign"
    answer(campaign, ana, "yes", ["INSULT"])
    answer(campaign, beto, "yes", ["INSULT"])
    label = LabeledText.objects.get()
    assert (label.task, label.source, label.external_id, label.text, label.labels) == (
        "toxicity", "annotators", f"queued:{row.pk}", "Cállate, pendejo", ["TOXICITY", "INSULT"]
    )
    assert label.extra["attributes"] == list(ATTRIBUTES) and label.extra["queued_text"] == row.pk
    row.refresh_from_db()
    assert row.status == "labeled"


def test_a_toxicity_no_is_an_empty_label_list(people):
    ana, beto, _ = people
    toxicity_suggestion()
    campaign = running_queue_campaign("toxicity")
    answer(campaign, ana, "no")
    answer(campaign, beto, "no")
    assert LabeledText.objects.get().labels == []


def test_undo_reopens_a_settled_queued_text_and_its_label_goes(people):
    ana, beto, _ = people
    row = toxicity_suggestion()
    campaign = running_queue_campaign("toxicity")
    answer(campaign, ana, "yes", ["THREAT"])
    answer(campaign, beto, "yes", ["THREAT"])
    assert LabeledText.objects.filter(external_id=f"queued:{row.pk}").exists()
    undone = annotation_undo(campaign=campaign, annotator_id=beto)
    assert undone is not None and (undone.answer, undone.categories) == ("yes", ["THREAT"])
    item = CampaignItem.objects.get()
    row.refresh_from_db()
    assert (item.status, row.status, LabeledText.objects.count()) == ("open", "in_campaign", 0)
    answer(campaign, beto, "yes", ["THREAT"])  # the same answer again settles it again
    assert LabeledText.objects.get().labels == ["TOXICITY", "THREAT"]


def test_a_reviewer_settles_a_disputed_queued_text_and_may_correct_it(people):
    ana, beto, rita = people
    (row,) = queued_texts_create(task="discrimination", texts=["Pinche naco"], origin=QueuedText.Origin.FEEDBACK,
                                 suggested_labels=["apariencia", "discriminatory"])
    campaign = running_queue_campaign("discrimination")
    answer(campaign, ana, "yes", ["apariencia"])
    answer(campaign, beto, "unsure")
    item = CampaignItem.objects.get()
    assert item.status == "disputed" and not LabeledText.objects.exists()
    item_adjudicate(item_id=item.pk, reviewer_id=rita, answer="yes", categories=["apariencia"])
    label = LabeledText.objects.get()
    assert (label.task, label.external_id, label.labels, label.extra["reviewed"]) == (
        "discrimination", f"queued:{row.pk}", ["discriminatory", "apariencia"], True
    )
    item_adjudicate(item_id=item.pk, reviewer_id=rita, answer="no", categories=[])
    assert LabeledText.objects.get().labels == []  # a correction updates the same row
    row.refresh_from_db()
    assert row.status == "labeled"
    assert annotation_undo(campaign=campaign, annotator_id=ana) is None  # a reviewer's decision stays


def test_filters_choose_pending_texts_of_the_task_and_no_text_joins_two_campaigns():
    key = ApiKeyFactory.create(name="Observatorio")
    wanted = QueuedTextFactory.create(task="toxicity", origin="suggestscore", api_key=key)
    QueuedTextFactory.create(task="toxicity", origin="analyze", api_key=key)  # another origin
    QueuedTextFactory.create(task="toxicity", origin="suggestscore")  # another key
    QueuedTextFactory.create(task="discrimination", origin="suggestscore", api_key=key)  # another task
    QueuedTextFactory.create(task="toxicity", origin="suggestscore", api_key=key, status="discarded")
    old = QueuedTextFactory.create(task="toxicity", origin="suggestscore", api_key=key)
    QueuedText.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    filters = QueueFilters(task="toxicity", origin="suggestscore", api_key_id=key.pk,
                           since=timezone.now() - timedelta(days=7))
    campaign, taken = campaign_from_queue_create(name="Observatorio", filters=filters)
    assert taken == 1 and list(campaign.items.values_list("queued_text_id", flat=True)) == [wanted.pk]
    assert (campaign.task, campaign.source, campaign.status) == ("toxicity", "queue", "draft")
    _again, taken_again = campaign_from_queue_create(name="Otra", filters=filters)
    assert taken_again == 0  # already in a campaign
    assert campaign_items_add(campaign=campaign) == 0


def test_a_sample_stops_at_its_size_and_new_posts_never_join_a_queue_campaign():
    for _ in range(6):
        QueuedTextFactory.create(task="discrimination")
    campaign, taken = campaign_from_queue_create(
        name="Muestra", filters=QueueFilters(task="discrimination", sample_size=4), status=Campaign.Status.RUNNING,
    )
    assert taken == 4 and QueuedText.objects.filter(status="pending").count() == 2
    assert campaigns_extend(tweet_ids=[TweetFactory.create().pk]) == 0
    assert campaign.items.filter(tweet__isnull=False).count() == 0


def test_deleting_a_campaign_returns_its_unlabeled_texts_to_the_queue(people):
    ana, beto, _ = people
    QueuedTextFactory.create(task="discrimination", text="uno")
    QueuedTextFactory.create(task="discrimination", text="dos")
    campaign = running_queue_campaign("discrimination")
    answer(campaign, ana, "no")
    answer(campaign, beto, "no")  # both answer the first text: it settles
    campaign.delete()
    assert dict(QueuedText.objects.values_list("text", "status")) == {"uno": "labeled", "dos": "pending"}


def test_an_item_is_a_post_or_a_queued_text_never_both_nor_neither():
    campaign = CampaignFactory.create()
    text, tweet = QueuedTextFactory.create(), TweetFactory.create()
    for fields in ({}, {"tweet": tweet, "queued_text": text}):
        with pytest.raises(IntegrityError), transaction.atomic():
            CampaignItem.objects.create(campaign=campaign, **fields)
    CampaignItem.objects.create(campaign=campaign, queued_text=text)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignItem.objects.create(campaign=campaign, queued_text=text)  # once per campaign


def test_a_toxicity_campaign_of_posts_labels_the_post_by_its_platform_id(people):
    ana, beto, _ = people
    campaign = CampaignFactory.create(task="toxicity", status=Campaign.Status.RUNNING, annotators_per_item=2)
    TweetFactory.create(platform_id="p-77", text="Eres un idiota")
    assert campaign_items_add(campaign=campaign) == 1
    answer(campaign, ana, "yes", ["INSULT", "PROFANITY"])
    answer(campaign, beto, "yes", ["PROFANITY", "INSULT"])
    label = LabeledText.objects.get()
    assert (label.task, label.external_id, label.labels) == ("toxicity", "p-77", ["TOXICITY", "INSULT", "PROFANITY"])
    assert "queued_text" not in label.extra
