"""Writes of the annotators' queue: texts that did not come from the post stream (API clients' texts and corrections)."""
from __future__ import annotations

from collections.abc import Sequence

from labeling.models import QueuedText
from labeling.questions import suggested_labels_from_scores


def queued_texts_create(
    *, task: str, texts: Sequence[str], origin: str, scores: Sequence[dict[str, float]] | None = None,
    suggested_labels: list[str] | None = None, suggested_scores: dict[str, float] | None = None,
    comment: str = "", reference: str = "", model_version_id: int | None = None, api_key_id: str | None = None,
    user_id: int | None = None,
) -> list[QueuedText]:
    """Queue texts for annotators, in one insert.

    `scores` are the model's probabilities for each text (as classified); `suggested_labels` and
    `suggested_scores` are a client's correction. Scores are kept as sent; when only scores come
    (Perspective's suggestscore), the suggested labels are the attributes scored at 0.5 or more.
    """
    if suggested_labels is None and suggested_scores is not None:
        suggested_labels = suggested_labels_from_scores(scores=suggested_scores)
    rows = [
        QueuedText(
            task=task, text=text, origin=origin, suggested_labels=suggested_labels, suggested_scores=suggested_scores,
            comment=comment, reference=reference, model_version_id=model_version_id,
            model_scores=(scores[i] if scores else {}), api_key_id=api_key_id, user_id=user_id,
        )
        for i, text in enumerate(texts)
    ]
    return QueuedText.objects.bulk_create(rows)
