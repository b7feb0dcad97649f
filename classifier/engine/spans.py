"""The parts of a text that push a label, each with a probability: the Perspective API's `spanScores`.

Per label asked for:

1. the text's tokens, each placed in the text as sent (`classifier.engine.offsets`);
2. every word's contribution to the label's decision value in this text, split among
   the words exactly as the API's explanations split it (`Scorer.score_labels`);
3. the pushing words are the `top` words (8 by default, as many as the API's
   explanations show) that push the label up most (contribution > 0), every
   occurrence of each; a span is a maximal run of consecutive pushing tokens, from
   its first token's start to its last token's end, so "hijo de puta" is one span
   when its three words push, and punctuation between them falls inside it;
4. its value is the calibrated probability the label has for the run's tokens alone,
   scored as a text of their own (gated like the label, if it is): what the model says
   of that part of the comment without the rest. The same words get the same value in
   any text, and the run is never normalised again (its tokens are scored as they are).

Spans are ordered by their start; a text with no word pushing the label has none. Offsets
are Python string indices (code points) into the text as sent.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from classifier.engine.model import TaskModel
from classifier.engine.offsets import PlacedToken, text_tokens_placed
from classifier.engine.scoring import model_scorer, model_token_scores


class ScoredSpan(NamedTuple):
    begin: int  # the first character's index in the text as sent
    end: int  # the index after the last character
    value: float  # the label's calibrated probability for the span's words alone


def _runs(pushing: list[bool]) -> list[tuple[int, int]]:
    """(first, after last) token index of every maximal run of True."""
    runs: list[tuple[int, int]] = []
    for i, push in enumerate(pushing):
        if not push:
            continue
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


def text_spans_scored(
    model: TaskModel, text: str, *, labels: Sequence[str], top: int = 8
) -> dict[str, list[ScoredSpan]]:
    """Per label of `labels`, the spans of `text` that push it, each with its probability alone (module docstring).

    Raises ValueError for a label the model does not have, or a model whose features cannot be explained."""
    return text_scored_with_spans(model, text, labels=labels, top=top)[1]


def text_scored_with_spans(
    model: TaskModel, text: str, *, labels: Sequence[str], top: int = 8
) -> tuple[dict[str, float], dict[str, list[ScoredSpan]]]:
    """Every label's probability for the whole text, and `text_spans_scored`'s spans, from one tokenisation and
    one scoring pass (the whole text is scored in the same batch as its spans)."""
    scorer = model_scorer(model)
    if scorer is None:
        raise ValueError("this model's features cannot be explained (they are not features_build's)")
    placed: list[PlacedToken] = text_tokens_placed(text, config=model.text)
    tokens = [token for token, _, _ in placed]
    _, explained = scorer.score_labels([tokens], labels=labels, top=len(tokens))
    runs = {}
    for label in labels:
        pushing = set([word for word, contribution in explained[label][0] if contribution > 0][:top])
        runs[label] = _runs([token in pushing for token in tokens])
    distinct = sorted({run for found in runs.values() for run in found})
    scores = model_token_scores(model, [tokens, *(tokens[first:last] for first, last in distinct)])
    row = {run: i for i, run in enumerate(distinct, start=1)}
    spans = {
        label: [
            ScoredSpan(placed[first][1], placed[last - 1][2], float(scores[label][row[(first, last)]]))
            for first, last in found
        ]
        for label, found in runs.items()
    }
    return {label: float(values[0]) for label, values in scores.items()}, spans
