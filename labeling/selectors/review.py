"""Reads of the reviewers' pages: disputed items (posts or queued texts), the next one, and every answer given to one."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from labeling.models import Annotation, Campaign, CampaignItem


@dataclass(frozen=True, slots=True)
class AnswerShown:
    annotator: str
    answer: str
    answer_label: str
    categories: list[str]
    comment: str
    seconds: float


def items_reviewable() -> QuerySet[CampaignItem]:
    """The posts a reviewer may open and decide: disputed ones (to settle) and settled ones (to correct),
    of running campaigns only.

    An open post is still being answered: its reviewer would read a co-annotator's answer and comment
    before giving their own, and a decision would cut the annotators short. A draft campaign has not
    started, and a paused or finished one is closed to every role's work.
    """
    return CampaignItem.objects.filter(
        status__in=(CampaignItem.Status.DISPUTED, CampaignItem.Status.SETTLED), campaign__status=Campaign.Status.RUNNING,
    )


def item_reviewable_get(*, item_id: int) -> CampaignItem | None:
    """The post for the review page, or None when a reviewer may not see it."""
    return items_reviewable().select_related("campaign", "tweet", "queued_text", "settled_by").filter(pk=item_id).first()


def items_disputed(*, campaign_id: int | None = None) -> QuerySet[CampaignItem]:
    """Posts waiting for a reviewer (disputed, of running campaigns), oldest first."""
    items = items_reviewable().filter(status=CampaignItem.Status.DISPUTED)
    if campaign_id is not None:
        items = items.filter(campaign_id=campaign_id)
    return items.select_related("campaign", "tweet", "queued_text").order_by("pk")


def campaigns_disputed() -> QuerySet[Campaign]:
    """The campaigns with posts in the reviewers' queue, for its filter."""
    return Campaign.objects.filter(pk__in=items_disputed().values("campaign_id")).order_by("name")


def item_disputed_next(*, after_id: int) -> CampaignItem | None:
    """The disputed post a reviewer sees after deciding one: the next in the queue, else the first."""
    queue = items_disputed()
    return queue.filter(pk__gt=after_id).first() or queue.first()


def item_answers(*, item: CampaignItem) -> list[AnswerShown]:
    """Every annotator's answer on the post, for the reviewer."""
    rows = (
        Annotation.objects.filter(assignment__item=item)
        .select_related("assignment__annotator").order_by("assignment__annotator__username")
    )
    return [
        AnswerShown(annotator=row.assignment.annotator.get_username(), answer=row.answer,
                    answer_label=row.get_answer_display(), categories=list(row.categories), comment=row.comment,
                    seconds=row.seconds)
        for row in rows
    ]
