"""Writes of the annotators' queue: texts that did not come from the post stream (API clients' texts and feedback)."""
from __future__ import annotations

from collections.abc import Sequence

from labeling.models import QueuedText


def queued_texts_create(
    *, task: str, texts: Sequence[str], origin: str, scores: Sequence[dict[str, float]] | None = None,
    suggested_labels: list[str] | None = None, comment: str = "", reference: str = "",
    model_version_id: int | None = None, api_key_id: str | None = None, user_id: int | None = None,
) -> list[QueuedText]:
    """Queue texts for annotators, in one insert."""
    rows = [
        QueuedText(
            task=task, text=text, origin=origin, suggested_labels=suggested_labels, comment=comment,
            reference=reference, model_version_id=model_version_id, model_scores=(scores[i] if scores else {}),
            api_key_id=api_key_id, user_id=user_id,
        )
        for i, text in enumerate(texts)
    ]
    return QueuedText.objects.bulk_create(rows)
