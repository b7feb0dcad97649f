"""Rows for exporting a campaign: every annotation, and every settled label, streamed.

Both are plain dicts with the same keys in the same order, written as CSV or JSON
lines by `api.csv` for `manage.py export_annotations` and the coordinator's downloads.
An item is a post (`platform_id`) or a queued text (`queued_text`, its id); the other
column is empty.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models.functions import Coalesce

from labeling.models import Annotation, Campaign, CampaignItem

CHUNK = 2000


def annotation_rows(*, campaign: Campaign) -> Iterator[dict[str, Any]]:
    """One row per answer: the item, the annotator, the answer, categories, comment and time spent."""
    answers = (
        Annotation.objects.filter(assignment__item__campaign=campaign)
        .order_by("assignment__item_id", "assignment__annotator_id")
        .values_list("assignment__item__tweet__platform_id", "assignment__item__queued_text_id",
                     "assignment__annotator__username", "answer", "categories", "comment", "seconds", "created_at")
    )
    for platform_id, queued, annotator, answer, categories, comment, seconds, created_at in answers.iterator(
        chunk_size=CHUNK
    ):
        yield {"platform_id": platform_id or "", "queued_text": queued or "", "annotator": annotator, "answer": answer, "categories": categories,
               "comment": comment, "seconds": round(seconds, 1), "created_at": created_at.isoformat()}


def settled_rows(*, campaign: Campaign) -> Iterator[dict[str, Any]]:
    """One row per settled item: its text, the final answer and categories, and who settled it."""
    items = (
        CampaignItem.objects.filter(campaign=campaign, status=CampaignItem.Status.SETTLED).order_by("pk")
        .values_list("tweet__platform_id", "queued_text_id", Coalesce("tweet__text", "queued_text__text"),
                     "final_answer", "final_categories", "settled_by__username", "settled_at")
    )
    for platform_id, queued, text, answer, categories, reviewer, settled_at in items.iterator(chunk_size=CHUNK):
        yield {"platform_id": platform_id or "", "queued_text": queued or "", "text": text, "answer": answer, "categories": categories,
               "settled_by": reviewer or "acuerdo", "settled_at": settled_at.isoformat() if settled_at else ""}

