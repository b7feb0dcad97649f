"""The spans of a text that push each of a task model's labels, with a probability each: what the
Perspective-compatible endpoint answers as `spanScores` (`classifier.engine.spans` defines them)."""
from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings

from classifier.engine.spans import ScoredSpan, text_scored_with_spans, text_spans_scored
from classifier.selectors.serving import LoadedModel

__all__ = ["ScoredSpan", "text_scores_spans_get", "text_spans_get"]


def text_spans_get(
    *, loaded: LoadedModel, text: str, labels: Sequence[str], top: int | None = None
) -> dict[str, list[ScoredSpan]]:
    """Per label, the spans of `text` (as sent) that push it, ordered by `begin`: `ScoredSpan(begin, end, value)`,
    `text[begin:end]` the span, `value` the label's calibrated probability for the span's words alone. The spans hold
    the `top` words that push the label most (default: as many as the API's explanations show, `API_EXPLANATION_WORDS`).
    A label no word pushes gets []. Raises ValueError for a label the model does not have."""
    most = int(settings.API["EXPLANATION_WORDS"]) if top is None else top
    return text_spans_scored(loaded.model, text, labels=labels, top=most)


def text_scores_spans_get(
    *, loaded: LoadedModel, text: str, labels: Sequence[str], top: int | None = None
) -> tuple[dict[str, float], dict[str, list[ScoredSpan]]]:
    """Every label's probability for the whole text (what `texts_classify` gives it), and `text_spans_get`'s spans,
    from one scoring pass: for an answer that needs both."""
    most = int(settings.API["EXPLANATION_WORDS"]) if top is None else top
    return text_scored_with_spans(loaded.model, text, labels=labels, top=most)
