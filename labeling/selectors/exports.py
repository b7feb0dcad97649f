"""Rows for exporting a campaign: every annotation, and every settled label, streamed.

Both are plain dicts with the same keys in the same order, written as CSV or JSON
lines by `manage.py export_annotations` (and by the coordinator's downloads).
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, TextIO

from labeling.models import Annotation, Campaign, CampaignItem

CHUNK = 2000


def annotation_rows(*, campaign: Campaign) -> Iterator[dict[str, Any]]:
    """One row per answer: the post, the annotator, the answer, categories, comment and time spent."""
    answers = (
        Annotation.objects.filter(assignment__item__campaign=campaign)
        .order_by("assignment__item_id", "assignment__annotator_id")
        .values_list("assignment__item__tweet__platform_id", "assignment__annotator__username", "answer",
                     "categories", "comment", "seconds", "created_at")
    )
    for platform_id, annotator, answer, categories, comment, seconds, created_at in answers.iterator(chunk_size=CHUNK):
        yield {"platform_id": platform_id, "annotator": annotator, "answer": answer, "categories": categories,
               "comment": comment, "seconds": round(seconds, 1), "created_at": created_at.isoformat()}


def settled_rows(*, campaign: Campaign) -> Iterator[dict[str, Any]]:
    """One row per settled post: its text, the final answer and categories, and who settled it."""
    items = (
        CampaignItem.objects.filter(campaign=campaign, status=CampaignItem.Status.SETTLED).order_by("pk")
        .values_list("tweet__platform_id", "tweet__text", "final_answer", "final_categories", "settled_by__username",
                     "settled_at")
    )
    for platform_id, text, answer, categories, reviewer, settled_at in items.iterator(chunk_size=CHUNK):
        yield {"platform_id": platform_id, "text": text, "answer": answer, "categories": categories,
               "settled_by": reviewer or "acuerdo", "settled_at": settled_at.isoformat() if settled_at else ""}


def rows_serialize(rows: Iterator[dict[str, Any]], *, fmt: str) -> Iterator[str]:
    """Each row as text, one piece per row: CSV (with its header first; lists joined by "|") or JSON lines."""
    buffer, writer = io.StringIO(), None
    for row in rows:
        if fmt == "jsonl":
            yield json.dumps(row, ensure_ascii=False) + "\n"
            continue
        if writer is None:
            writer = csv.DictWriter(buffer, fieldnames=list(row))
            writer.writeheader()
        writer.writerow({k: "|".join(v) if isinstance(v, list) else v for k, v in row.items()})
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def rows_write(rows: Iterator[dict[str, Any]], *, output: TextIO, fmt: str) -> int:
    """Write rows as CSV or JSON lines; returns how many."""
    count = 0
    for piece in rows_serialize(rows, fmt=fmt):
        output.write(piece)
        count += 1
    return count
