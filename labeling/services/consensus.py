"""Consensus and adjudication: how an item's answers become a training label.

When all of an item's annotators have answered, the item is settled if they
agree (the same answer, not "unsure", and for "Sí" the same categories), or goes
to the reviewers' queue otherwise. A settled item becomes (or updates) a
`LabeledText` of the campaign's task with source `annotators`, the table every
training run reads; a reviewer's later correction updates that row. A post's
row is keyed by its platform id, a queued text's by `queued:<id>`, and the
queued text moves to `labeled` (back to `in_campaign` when an undo reopens it).
A post of the demo replay is synthetic: its row goes to the demo's source (`demo`, keyed `annotators:<id>`),
which training sets aside once real data exists, so a demo campaign cannot pass for real judgements.
A toxicity row lists in `extra["attributes"]` every attribute the answer judged.
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from classifier.label_sets import ATTRIBUTES, TOXICITY
from classifier.models import LabeledText
from classifier.toxicity import DEMO_SOURCE
from ingestion.models import DEMO_SOURCE_SLUG, Tweet
from labeling.models import Annotation, Assignment, CampaignItem, QueuedText
from labeling.questions import answer_labels
from labeling.selectors.review import items_reviewable

SOURCE = "annotators"


class AdjudicationRefused(Exception):
    """The post is not one a reviewer may decide (still open, or its campaign is not running)."""


def item_settle(*, item_id: int) -> CampaignItem:
    """Settle or dispute the post once every annotator has answered; nothing happens before."""
    with transaction.atomic():
        # Locked: the last two answers of a post may arrive at once, and only one may decide.
        item = (
            CampaignItem.objects.select_for_update(of=("self",)).select_related("campaign", "tweet", "queued_text")
            .get(pk=item_id)
        )
        if item.status != CampaignItem.Status.OPEN:
            return item
        answers = list(
            Annotation.objects.filter(assignment__item_id=item_id, assignment__status=Assignment.Status.DONE)
            .values_list("answer", "categories")
        )
        if len(answers) < item.campaign.annotators_per_item:
            return item
        distinct = {(answer, tuple(sorted(categories))) for answer, categories in answers}
        if len(distinct) == 1 and answers[0][0] != Annotation.Answer.UNSURE:
            answer, categories = distinct.pop()
            return _settled(item, answer=answer, categories=list(categories), reviewer_id=None)
        item.status = CampaignItem.Status.DISPUTED
        item.save(update_fields=["status"])
        return item


def item_adjudicate(*, item_id: int, reviewer_id: int, answer: str, categories: list[str]) -> CampaignItem:
    """A reviewer's decision on a disputed post, or a correction of a settled one.

    Refused (`AdjudicationRefused`) for any other post: the rule is `items_reviewable`'s, checked
    under the row lock so a post reopened meanwhile by an annotator's undo is not settled over them.
    """
    if answer not in (Annotation.Answer.YES, Annotation.Answer.NO):
        raise ValueError("un revisor decide Sí o No")
    with transaction.atomic():
        item = (
            items_reviewable().select_for_update(of=("self",)).select_related("tweet", "queued_text", "campaign")
            .filter(pk=item_id).first()
        )
        if item is None:
            raise AdjudicationRefused(item_id)
        chosen = sorted(set(categories)) if answer == Annotation.Answer.YES else []
        return _settled(item, answer=answer, categories=chosen, reviewer_id=reviewer_id)


def item_reopen(*, item_id: int) -> bool:
    """Undo a decision the annotators' answers made (an annotator took theirs back): the post is open again
    and its training label goes. A reviewer's decision is never undone this way; returns False then."""
    with transaction.atomic():
        item = (
            CampaignItem.objects.select_for_update(of=("self",)).select_related("tweet", "campaign").get(pk=item_id)
        )
        if item.settled_by_id is not None:
            return False
        if item.status == CampaignItem.Status.SETTLED:
            source, external_id = _row_key(item)
            LabeledText.objects.filter(task=item.campaign.task, source=source, external_id=external_id, extra__item=item.pk).delete()
            if item.queued_text_id is not None:
                QueuedText.objects.filter(pk=item.queued_text_id).update(status=QueuedText.Status.IN_CAMPAIGN)
        item.status, item.final_answer, item.final_categories, item.settled_at = CampaignItem.Status.OPEN, "", [], None
        item.save(update_fields=["status", "final_answer", "final_categories", "settled_at"])
        return True


def _settled(item: CampaignItem, *, answer: str, categories: list[str], reviewer_id: int | None) -> CampaignItem:
    item.status = CampaignItem.Status.SETTLED
    item.final_answer, item.final_categories = answer, categories
    item.settled_by_id, item.settled_at = reviewer_id, timezone.now()
    item.save(update_fields=["status", "final_answer", "final_categories", "settled_by", "settled_at"])
    task = item.campaign.task
    extra: dict[str, object] = {"campaign": item.campaign_id, "item": item.pk, "reviewed": reviewer_id is not None}
    if task == TOXICITY:
        extra["attributes"] = list(ATTRIBUTES)  # every attribute was judged: one not chosen is a "no"
    if item.queued_text_id is not None:
        extra["queued_text"] = item.queued_text_id
        QueuedText.objects.filter(pk=item.queued_text_id).update(status=QueuedText.Status.LABELED)
    source, external_id = _row_key(item)
    LabeledText.objects.update_or_create(
        task=task, source=source, external_id=external_id,
        defaults={"text": item.text, "labels": answer_labels(task=task, answer=answer, categories=categories),
                  "extra": extra},
    )
    return item


def _row_key(item: CampaignItem) -> tuple[str, str]:
    """The source and external id of the item's training row: the demo's own for a demo post."""
    synthetic = item.tweet_id is not None and Tweet.objects.filter(pk=item.tweet_id, source__slug=DEMO_SOURCE_SLUG).exists()
    if synthetic:
        return DEMO_SOURCE, f"{SOURCE}:{item.external_id}"
    return SOURCE, item.external_id
