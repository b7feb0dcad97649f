"""What an annotator may be shown besides the text: the model's estimate and a client's suggestion.

Both are shown to annotators only when the campaign turns pre-annotation on
(an annotator should otherwise judge blind), and always to reviewers. For a
post the estimate is the active model's prediction of the campaign's task; for
a queued text it is the scores the model gave when the text was queued. The
suggestion is what a client sent as a correction (`/api/v1/feedback` labels,
or `comments:suggestscore` scores).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from classifier.label_sets import ATTRIBUTES, DISCRIMINATORY, TOXICITY
from classifier.models import ModelVersion, Prediction
from labeling.models import CampaignItem
from labeling.questions import Question


@dataclass(frozen=True, slots=True)
class ModelHint:
    """The model's view of an item: the probability of the task's positive label."""

    probability: float
    positive: bool
    categories: list[str]
    version: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A client's correction as the annotator reads it: label names, scores by attribute name, and its comment."""

    origin: str
    labels: list[str]
    scores: list[tuple[str, float]]
    comment: str


def _positive(task: str) -> str:
    return ATTRIBUTES[0] if task == TOXICITY else DISCRIMINATORY


def model_hint(*, tweet_id: int, task: str) -> ModelHint | None:
    """The active model's prediction of the task for the post, if it has scored it."""
    active = ModelVersion.objects.filter(task=task, status=ModelVersion.Status.ACTIVE).first()
    if active is None:
        return None
    prediction = Prediction.objects.filter(model_version=active, tweet_id=tweet_id).first()
    if prediction is None or _positive(task) not in prediction.scores:
        return None
    return ModelHint(probability=float(prediction.scores[_positive(task)]), positive=prediction.discriminatory,
                     categories=list(prediction.categories), version=f"v{active.version}")


def item_model_hint(*, item: CampaignItem) -> ModelHint | None:
    """The model's estimate for the item: the active model's prediction of a post, the scores kept with a queued text."""
    task = item.campaign.task
    if item.tweet_id is not None:
        return model_hint(tweet_id=item.tweet_id, task=task)
    queued = item.queued_text
    probability = (queued.model_scores or {}).get(_positive(task)) if queued is not None else None
    if queued is None or probability is None:
        return None
    version = queued.model_version
    return ModelHint(probability=float(probability), positive=float(probability) >= 0.5, categories=[],
                     version=f"v{version.version}" if version is not None else "")


def item_suggestion(*, item: CampaignItem, question: Question) -> Suggestion | None:
    """The client's correction of a queued text, named as the question names its labels; None when there is none."""
    queued = item.queued_text if item.queued_text_id is not None else None
    if queued is None or (queued.suggested_labels is None and not queued.suggested_scores):
        return None
    names = {question.positive: question.positive_name, **dict(question.categories)}
    labels = [names.get(label, label) for label in queued.suggested_labels or []]
    # In the question's order (the database keeps a JSON object's keys in an order of its own).
    rank = {label: index for index, label in enumerate(names)}
    sent = sorted((queued.suggested_scores or {}).items(), key=lambda pair: (rank.get(pair[0], len(rank)), pair[0]))
    scores = [(names.get(key, key), float(value)) for key, value in sent]
    return Suggestion(origin=queued.get_origin_display(), labels=labels or [_("ninguna")], scores=scores,
                      comment=queued.comment)
