"""What a campaign asks, by its task: the question, the checkboxes under "Sí", and the labels a settled answer gives.

`discrimination` asks "¿Es discriminatorio?" with the dictionary's categories
(read from the database by `labeling.selectors.annotation.question_get`);
`toxicity` asks "¿Es tóxico?" with Perspective's attributes other than
TOXICITY, which a "Sí" implies. A toxicity answer judges every attribute at
once, so its training row says so (`extra["attributes"]`): an attribute not
chosen is a negative, not a gap.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from classifier.label_sets import ATTRIBUTES, DISCRIMINATION, DISCRIMINATORY, TOXICITY

# Perspective's attributes under "¿Es tóxico?", in its own order, with the names annotators read.
TOXICITY_CHOICES: tuple[tuple[str, str | Promise], ...] = (
    ("SEVERE_TOXICITY", _("Toxicidad grave")),
    ("INSULT", _("Insulto")),
    ("PROFANITY", _("Groserías")),
    ("THREAT", _("Amenaza")),
    ("IDENTITY_ATTACK", _("Ataque a la identidad")),
)
# A suggestion's score at or above this counts as the client saying "yes" to the attribute.
SUGGESTION_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Question:
    """The question of a campaign's task and the checkboxes that follow a "Sí"."""

    task: str
    title: str
    positive: str  # the label a "Sí" gives, before the chosen categories
    positive_name: str
    categories: list[tuple[str, str]]  # (label, name), in the order of their number keys
    categories_required: bool  # a "Sí" needs at least one category


def question_of(*, task: str, categories: list[tuple[str, str]]) -> Question:
    """The question for the task; `categories` are the dictionary's, used by the discrimination task only."""
    if task == TOXICITY:
        return Question(task=task, title=str(_("¿Es tóxico?")), positive=ATTRIBUTES[0], positive_name=str(_("Tóxico")),
                        categories=[(key, str(name)) for key, name in TOXICITY_CHOICES], categories_required=False)
    return Question(task=DISCRIMINATION, title=str(_("¿Es discriminatorio?")), positive=DISCRIMINATORY,
                    positive_name=str(_("Discriminatorio")),
                    categories=categories, categories_required=True)


def answer_labels(*, task: str, answer: str, categories: list[str]) -> list[str]:
    """The training labels of a settled answer: the positive label and the chosen categories for "yes", [] for "no"."""
    if answer != "yes":
        return []
    if task == TOXICITY:  # in Perspective's order, as the attributes are listed everywhere else
        rank = {label: index for index, label in enumerate(ATTRIBUTES)}
        return [ATTRIBUTES[0], *sorted(categories, key=lambda label: (rank.get(label, len(rank)), label))]
    return [DISCRIMINATORY, *categories]


def suggested_labels_from_scores(*, scores: dict[str, float]) -> list[str]:
    """Perspective's corrected scores as labels: the attributes at or above `SUGGESTION_THRESHOLD`, in its order."""
    return [attribute for attribute in ATTRIBUTES if float(scores.get(attribute, 0.0)) >= SUGGESTION_THRESHOLD]
