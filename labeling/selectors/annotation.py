"""Reads of the annotation screen: running campaigns, an annotator's progress, the question and its categories, the text as shown."""
from __future__ import annotations

import time
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q, QuerySet

from ingestion.models import Category
from ingestion.selectors.dictionary import matcher_current
from labeling.models import Assignment, Campaign, CampaignItem
from labeling.questions import Question, question_of


@dataclass(frozen=True, slots=True)
class Progress:
    """One annotator's progress in a campaign: shown on every annotation page, so two small counts.

    `done + left` stays the same as the annotator answers, undoes or reloads (it moves only when someone else
    takes a post's last place, or when the annotator skips one): the counter means one thing on every page.
    """

    done: int  # answered by this annotator
    left: int  # still to answer: the posts in hand (the one on screen, one reopened by an undo) and those on offer


def campaigns_running() -> QuerySet[Campaign]:
    return Campaign.objects.filter(status=Campaign.Status.RUNNING).order_by("name")


def campaigns_guidelines_readable(*, user: User | AnonymousUser) -> QuerySet[Campaign]:
    """The campaigns whose guidelines the user may read: every one for staff and coordinators (they
    write them, drafts included), the running ones for annotators (those they may label), none otherwise."""
    if user.is_staff or user.has_perm("labeling.coordinate"):
        return Campaign.objects.all()
    if user.has_perm("labeling.annotate"):
        return campaigns_running()
    return Campaign.objects.none()


def campaign_progress(*, campaign: Campaign, annotator_id: int) -> Progress:
    mine = Assignment.objects.filter(item__campaign=campaign, annotator_id=annotator_id).aggregate(
        done=Count("pk", filter=Q(status=Assignment.Status.DONE)),
        in_hand=Count("pk", filter=Q(status=Assignment.Status.ASSIGNED)),
    )
    on_offer = (
        CampaignItem.objects.filter(campaign=campaign, status=CampaignItem.Status.OPEN,
                                    taken__lt=campaign.annotators_per_item)
        .exclude(assignments__annotator_id=annotator_id).count()
    )
    return Progress(done=mine["done"], left=mine["in_hand"] + on_offer)


CATEGORIES_REFRESH_SECONDS = 10.0


_categories: dict[str, object] = {}


def category_choices() -> list[tuple[str, str]]:
    """The active categories as (slug, name), in the order their number keys follow.

    Read on every annotation page and answer, so kept per process and read again
    at most every `CATEGORIES_REFRESH_SECONDS`: a category an admin adds shows
    up within seconds.
    """
    now = time.monotonic()
    if now - float(_categories.get("read_at", -1e9)) > CATEGORIES_REFRESH_SECONDS:  # type: ignore[arg-type]
        _categories["choices"] = list(Category.objects.filter(active=True).order_by("name").values_list("slug", "name"))
        _categories["read_at"] = now
    return list(_categories["choices"])  # type: ignore[call-overload]


def category_keys(choices: list[tuple[str, str]]) -> list[tuple[int | None, str, str]]:
    """(number key, slug, name) for each category: keys 1-9 for the first nine, None after."""
    return [(index + 1 if index < 9 else None, slug, name) for index, (slug, name) in enumerate(choices)]


def category_choices_forget() -> None:
    _categories.clear()


def question_get(*, task: str) -> Question:
    """The question a campaign of the task asks, with its categories (the dictionary's, for discrimination)."""
    return question_of(task=task, categories=category_choices() if task != Campaign.Task.TOXICITY else [])


def text_segments(*, text: str) -> list[tuple[str, bool]]:
    """The text cut into (piece, is a dictionary term) so a template can mark the terms."""
    spans: list[list[int]] = []
    for found in sorted(matcher_current().match(text).matches, key=lambda m: (m.start, m.end)):
        if spans and found.start <= spans[-1][1]:  # overlapping terms are marked as one
            spans[-1][1] = max(spans[-1][1], found.end)
        else:
            spans.append([found.start, found.end])
    segments: list[tuple[str, bool]] = []
    position = 0
    for start, end in spans:
        if start > position:
            segments.append((text[position:start], False))
        segments.append((text[start:end], True))
        position = end
    if position < len(text):
        segments.append((text[position:], False))
    return segments
