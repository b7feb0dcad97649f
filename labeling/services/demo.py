"""Writes of the demo: a running campaign over a sample of the demo posts, demo annotators, and their answers.

The answers go through the annotators' own services (`assignment_next`,
`annotation_submit`), so consensus settles the posts two annotators agree on
and sends the others to the reviewers' queue, exactly as with people.
"""
from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import cycle
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from ingestion.models import Category
from ingestion.sources.replay import demo_corpus
from labeling.models import Annotation, Campaign, CampaignItem
from labeling.roles import ANNOTATORS, roles_sync
from labeling.services.assignment import annotation_submit, assignment_next
from labeling.services.campaigns import campaign_items_add

DEMO_CAMPAIGN = "Campaña de demostración"
DEMO_SAMPLE = 100
DEMO_ANNOTATORS = ("anotadora1", "anotadora2", "anotadora3")
# Per annotator: how often her yes/no is the corpus's, how often she is unsure, how often she names the category
# the corpus names (else another one besides it). Careful, quick and hasty, so agreement is real but not perfect.
ANNOTATOR_HABITS: Mapping[str, tuple[float, float, float]] = {
    "anotadora1": (0.96, 0.02, 0.97), "anotadora2": (0.93, 0.04, 0.92), "anotadora3": (0.9, 0.02, 0.88),
}
PAIRED_SHARE = 0.45  # of the campaign's posts, answered by two demo annotators (settled or disputed)
SOLO_SHARE = 0.12  # answered by one only: the admin's answer completes them


def demo_campaign_ensure() -> tuple[Campaign, int]:
    """A running campaign over a sample of the demo posts, so a new installation has something to label.

    Its guidelines list each active category's definition. Created once; returns the campaign and
    how many posts it gained now (0 when it was already there).
    """
    campaign, created = Campaign.objects.get_or_create(
        name=DEMO_CAMPAIGN,
        defaults={"status": Campaign.Status.RUNNING, "sample_size": DEMO_SAMPLE, "guidelines": _demo_guidelines()},
    )
    return campaign, campaign_items_add(campaign=campaign) if created else 0


def _demo_guidelines() -> str:
    lines = [
        "Marca **Sí** cuando la publicación ataca, excluye o menosprecia a una persona o grupo por uno de "
        "estos motivos, y elige el motivo (o los motivos). Una palabra del diccionario no basta: léela "
        "en su contexto. Marca **No estoy seguro** si no puedes decidir; no adivines.",
        "",
    ]
    for category in Category.objects.filter(active=True).order_by("name"):
        lines += [f"## {category.name}", "", category.description or "", ""]
    return "\n".join(lines)


@dataclass(slots=True)
class DemoAnnotators:
    users: list[Any]  # the demo annotators, in DEMO_ANNOTATORS' order
    created: list[tuple[str, str]] = field(default_factory=list)  # (username, password) of those created now


def demo_annotators_ensure() -> DemoAnnotators:
    """The demo annotators, in the annotators' group, each created once with a random password.

    The passwords of the ones created now are returned (and nowhere kept): the caller shows or stores them.
    """
    roles_sync()
    group = Group.objects.get(name=ANNOTATORS)
    User = get_user_model()
    found = DemoAnnotators(users=[])
    with transaction.atomic():
        for username in DEMO_ANNOTATORS:
            user = User.objects.filter(username=username).first()
            if user is None:
                password = secrets.token_urlsafe(12)
                user = User.objects.create_user(username=username, password=password)
                user.groups.add(group)
                found.created.append((username, password))
            found.users.append(user)
    return found


@dataclass(frozen=True, slots=True)
class DemoAnswers:
    answers: int  # given now (0 when the demo annotators had already answered)
    settled: int  # the campaign's posts in each state afterwards
    disputed: int
    open: int


def demo_answers_ensure(*, campaign: Campaign, annotators: Sequence[Any]) -> DemoAnswers:
    """The demo annotators' answers on part of the campaign, once: pairs of them on `PAIRED_SHARE` of its
    posts (some agree and settle, some do not and wait for a reviewer), one of them alone on `SOLO_SHARE`."""
    given = 0
    answered = Annotation.objects.filter(assignment__item__campaign=campaign, assignment__annotator__in=annotators)
    if annotators and not answered.exists():
        size = campaign.items.count()
        paired, solo = int(size * PAIRED_SHARE), int(size * SOLO_SHARE)
        given = _answers_give(campaign, list(annotators), 2 * paired)
        given += _answers_give(campaign, list(annotators)[-1:], solo)
    counts = {status: campaign.items.filter(status=status).count() for status in CampaignItem.Status.values}
    return DemoAnswers(answers=given, settled=counts[CampaignItem.Status.SETTLED],
                       disputed=counts[CampaignItem.Status.DISPUTED], open=counts[CampaignItem.Status.OPEN])


def _answers_give(campaign: Campaign, annotators: list[Any], count: int) -> int:
    """`count` answers, the annotators taking turns at the next post each is given (so pairs rotate)."""
    truth = {item["text"]: item for item in demo_corpus()}
    slugs = list(Category.objects.filter(active=True).order_by("name").values_list("slug", flat=True))
    given, idle = 0, 0
    for user in cycle(annotators):
        if given >= count or idle >= len(annotators):
            break
        assignment = assignment_next(campaign=campaign, annotator_id=user.pk)
        if assignment is None:
            idle += 1
            continue
        idle = 0
        item = assignment.item
        rng = random.Random(f"{user.get_username()}:{item.external_id}")
        answer, categories = _answer(user.get_username(), truth.get(item.text), slugs, rng)
        annotation_submit(assignment_id=assignment.pk, annotator_id=user.pk, answer=answer, categories=categories,
                          seconds=round(rng.uniform(4.0, 40.0), 1))
        given += 1
    return given


def _answer(
    username: str, truth: Mapping[str, Any] | None, slugs: list[str], rng: random.Random,
) -> tuple[str, list[str]]:
    """An annotator's answer on a post: the corpus's judgement, with her habits' mistakes."""
    right, unsure, precise = ANNOTATOR_HABITS.get(username, (0.9, 0.03, 0.9))
    if rng.random() < unsure:
        return Annotation.Answer.UNSURE, []
    says_yes = bool(truth and truth["discriminatory"])
    if rng.random() >= right:
        says_yes = not says_yes
    if not says_yes:
        return Annotation.Answer.NO, []
    categories = [slug for slug in (truth or {}).get("categories", []) if slug in slugs]
    if not categories or rng.random() >= precise:
        categories = sorted({*categories, rng.choice(slugs)}) if slugs else []
    return Annotation.Answer.YES, categories
