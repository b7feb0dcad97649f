"""Handing out items: the next post (or queued text) for an annotator, served atomically.

An item is held by at most `annotators_per_item` annotators and never twice by
the same one, even with many annotators asking at once on PostgreSQL: the
candidate item is locked with `SELECT ... FOR UPDATE SKIP LOCKED`, so two
requests never take the last free place of the same item (the race this
guards against), and a second request skips to the next item instead of
waiting. The unique (item, annotator) constraint backs the second rule.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from labeling.models import Annotation, Assignment, Campaign, CampaignItem
from labeling.services.consensus import item_reopen, item_settle


def assignment_next(*, campaign: Campaign, annotator_id: int) -> Assignment | None:
    """The annotator's open assignment in the campaign, or a new one; None when nothing is left."""
    with transaction.atomic():
        current = (
            Assignment.objects.select_related("item__tweet", "item__queued_text", "item__campaign")
            .filter(item__campaign=campaign, annotator_id=annotator_id, status=Assignment.Status.ASSIGNED)
            .order_by("assigned_at").first()
        )
        if current is not None:  # a reload or a second tab resumes the same post
            return current
        item = (
            CampaignItem.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("tweet", "queued_text", "campaign")
            .filter(campaign=campaign, status=CampaignItem.Status.OPEN, taken__lt=campaign.annotators_per_item)
            .exclude(assignments__annotator_id=annotator_id)
            .order_by("-priority", "id").first()
        )
        if item is None:
            return None
        CampaignItem.objects.filter(pk=item.pk).update(taken=F("taken") + 1)
        return Assignment.objects.create(item=item, annotator_id=annotator_id)


def assignment_skip(*, assignment: Assignment) -> None:
    """The annotator passes: the place goes back to the others; this annotator never gets the post again."""
    with transaction.atomic():
        updated = Assignment.objects.filter(pk=assignment.pk, status=Assignment.Status.ASSIGNED).update(
            status=Assignment.Status.SKIPPED, finished_at=timezone.now()
        )
        if updated:  # a double click skips once
            CampaignItem.objects.filter(pk=assignment.item_id).update(taken=F("taken") - 1)


MAX_SECONDS = 3600.0


def annotation_seconds(*, reported: float | None, assigned_at: datetime) -> float:
    """The time an annotator spent on a post: the page's measure, never more than the time since it was handed
    out (a page can lie; the clock cannot); the time since then, at most an hour, when the page sent none."""
    elapsed = (timezone.now() - assigned_at).total_seconds()
    if reported is None:
        return min(elapsed, MAX_SECONDS)
    return max(0.0, min(reported, elapsed))


class AnswerRefused(Exception):
    """The answer cannot be recorded (not this annotator's open assignment, or invalid)."""


def annotation_submit(
    *, assignment_id: int, annotator_id: int, answer: str, categories: list[str], comment: str = "", seconds: float = 0.0,
) -> Annotation:
    """Record the answer and close the assignment, once: a second submit of the same assignment is refused."""
    if answer not in Annotation.Answer.values:
        raise AnswerRefused(f"respuesta desconocida: {answer!r}")
    chosen = sorted(set(categories)) if answer == Annotation.Answer.YES else []  # categories only once "Sí" is chosen
    with transaction.atomic():
        closed = Assignment.objects.filter(
            pk=assignment_id, annotator_id=annotator_id, status=Assignment.Status.ASSIGNED
        ).update(status=Assignment.Status.DONE, finished_at=timezone.now())
        if not closed:  # a double submit, someone else's assignment, or a skipped one
            raise AnswerRefused("esta asignación no está abierta para este anotador")
        annotation = Annotation.objects.create(
            assignment_id=assignment_id, answer=answer, categories=chosen, comment=comment, seconds=max(0.0, seconds)
        )
        item_id = Assignment.objects.values_list("item_id", flat=True).get(pk=assignment_id)
        item_settle(item_id=item_id)
        return annotation


@dataclass(frozen=True, slots=True)
class Undone:
    """The reopened assignment and the answer it had, so the page can show it again for correction."""

    assignment: Assignment
    answer: str
    categories: list[str] = field(default_factory=list)
    comment: str = ""


def annotation_undo(*, campaign: Campaign, annotator_id: int) -> Undone | None:
    """Reopen the annotator's last answer in the campaign (the U key).

    A post the answers had already settled or sent to review opens again (its
    training label goes with it); one a reviewer decided stays decided.
    """
    with transaction.atomic():
        last = (
            Assignment.objects.select_for_update(of=("self",))
            .filter(item__campaign=campaign, annotator_id=annotator_id, status=Assignment.Status.DONE)
            .order_by("-finished_at", "-pk").first()
        )
        if last is None or not item_reopen(item_id=last.item_id):
            return None
        previous = Annotation.objects.filter(assignment=last).first()
        if previous is not None:
            previous.delete()
        last.status, last.finished_at = Assignment.Status.ASSIGNED, None
        last.save(update_fields=["status", "finished_at"])
        if previous is None:
            return Undone(assignment=last, answer="")
        return Undone(assignment=last, answer=previous.answer, categories=list(previous.categories),
                      comment=previous.comment)
