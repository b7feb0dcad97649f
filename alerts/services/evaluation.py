"""Evaluate the watched series after every rollup update, and tell each subscription what changed for it.

The levels come from the semáforo's own rule and windows
(`dashboard.selectors.semaforo.series_judge`): an alert says what the dashboard
shows. Each watched series keeps its last level (`SeriesLevel`); an evaluation
judges every watched series in at most three queries, and reads subscriptions
only for the series whose level changed (and for subscriptions not evaluated
yet), so 10,000 subscriptions whose series stay put cost two small reads.

Per subscription (`transition`): its state is green, or the highest level of the
episode under way. It gets a message when its series reaches its trigger level
(green → yellow or red for a yellow subscription; → red for a red one), when the
episode rises from yellow to red, and when the series returns to green; nothing
while the series stays, falls from red to yellow, or turns grey (too few posts
to judge says nothing about the series). A message goes to the outbox in the
caller's transaction (the scoring step's), unless:

* the subscription wants a daily digest: the message is held for it;
* the quiet period since its last message has not passed: the state changes,
  and the subscriber is told the latest state when the period ends
  (`alerts_owed_send`), once, however often the series moved meanwhile.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from alerts.models import Message, SeriesLevel, Subscription
from alerts.series import LEVEL_RANK, judgement_dict, series_info, series_judge_many
from alerts.services.messages import messages_bulk_create
from classifier.selectors.model_versions import model_version_for_reads
from dashboard.levels import Level

EVALUATED_FIELDS = ["level", "level_since", "notified_level", "notified_at"]


@dataclass(slots=True)
class EvaluationSummary:
    series: int = 0  # watched series judged
    changed: int = 0  # of them, whose level changed
    subscriptions: int = 0  # subscriptions whose state was looked at
    messages: int = 0  # messages queued
    held: int = 0  # messages held for a digest


def transition(*, state: str, trigger: str, level: str) -> tuple[str, str | None]:
    """A subscription's next state and its event ("enter", "leave" or None) when its series is judged `level`.

    `state` is "" before the first evaluation, else green or the episode's highest level.
    """
    if level == Level.GREY:
        return state or Level.GREEN, None  # too few posts: nothing is known, nothing changes
    if LEVEL_RANK[Level(level)] >= LEVEL_RANK[Level(trigger)]:
        if state in ("", Level.GREEN) or LEVEL_RANK[Level(level)] > LEVEL_RANK[Level(state)]:
            return level, "enter"
        return state, None
    if level == Level.GREEN and state not in ("", Level.GREEN):
        return Level.GREEN, "leave"
    return state or Level.GREEN, None


def alerts_evaluate(*, now: datetime | None = None, model_version_id: int | None = None) -> EvaluationSummary:
    """Judge every watched series and write the messages their changes call for, in the caller's transaction.

    `model_version_id`: the version whose rollups were just updated; nothing to
    do when the pages read another one's.
    """
    now = now or timezone.now()
    fresh = _fresh_series()
    stored = dict(SeriesLevel.objects.values_list("series", "level"))
    if not stored:
        return EvaluationSummary()
    if model_version_id is not None:
        read = model_version_for_reads()
        if read is None or read.pk != model_version_id:
            return EvaluationSummary()
    judged, judgements = series_judge_many(stored, now=now)
    summary = EvaluationSummary(series=len(judgements))
    changed = {key for key, judgement in judgements.items() if judgement.level != stored.get(key)}
    if not changed and not fresh:
        return summary
    with transaction.atomic():
        # Two workers scoring at once both see a series change. The first to lock its row writes the
        # change and the messages; the second waits here, then finds the row already at the new level
        # (re-read under the lock) and writes nothing: a change is announced once.
        locked = SeriesLevel.objects.select_for_update().filter(series__in=sorted(changed)).order_by("series")
        rows = [row for row in locked if row.level != judgements[row.series].level]
        for row in rows:
            row.level, row.changed_at, row.judged_at = judgements[row.series].level, now, now
            row.judgement = judgement_dict(judgements[row.series], judged)
        SeriesLevel.objects.bulk_update(rows, ["level", "judgement", "changed_at", "judged_at"])
        summary.changed = len(rows)
        moved = {row.series for row in rows}
        current = {key: judgement_dict(judgement, judged) for key, judgement in judgements.items()
                   if key in fresh or key in moved}
        _subscriptions_advance(moved, current=current, now=now, summary=summary)
    return summary


def _fresh_series() -> set[str]:
    """The series of subscriptions not evaluated yet, each given its `SeriesLevel` row if it has none."""
    fresh = set(Subscription.objects.filter(active=True, level="").exclude(watch=Subscription.Watch.BULLETIN)
                .values_list("series", flat=True).distinct())
    if fresh:
        SeriesLevel.objects.bulk_create([SeriesLevel(series=key) for key in fresh], ignore_conflicts=True)
    return fresh


def _subscriptions_advance(
    changed: set[str], *, current: dict[str, dict[str, Any]], now: datetime, summary: EvaluationSummary,
) -> None:
    # Locked in id order (one statement), so two evaluations queue rather than deadlock; a fresh
    # subscription another evaluation has just set is no longer fresh when re-checked under the lock.
    wanted = Q(series__in=sorted(changed)) | Q(level="")
    subscriptions = list(
        Subscription.objects.select_for_update().filter(wanted, active=True, series__in=sorted(current))
        .exclude(watch=Subscription.Watch.BULLETIN).order_by("id")
    )
    info = series_info({s.series for s in subscriptions})
    messages, updated = [], []
    for subscription in subscriptions:
        judgement = current[subscription.series]
        previous = subscription.level
        state, event = transition(state=previous, trigger=subscription.trigger, level=judgement["level"])
        if state == previous and event is None:
            continue
        subscription.level, subscription.level_since = state, now
        if event is None:  # a first evaluation below the trigger: nothing to tell
            subscription.notified_level = state
        else:
            message = _message_for(subscription, event=event, previous=previous, judgement=judgement,
                                   series=info[subscription.series], now=now)
            if message is not None:
                messages.append(message)
        updated.append(subscription)
    Subscription.objects.bulk_update(updated, EVALUATED_FIELDS)
    messages_bulk_create(messages)
    summary.subscriptions += len(subscriptions)
    summary.held += sum(m.status == Message.Status.HELD for m in messages)
    summary.messages += sum(m.status == Message.Status.PENDING for m in messages)


def _quiet(subscription: Subscription, now: datetime) -> bool:
    return (subscription.notified_at is not None
            and now < subscription.notified_at + timedelta(minutes=subscription.quiet_minutes))


def _message_for(
    subscription: Subscription, *, event: str, previous: str, judgement: dict[str, Any], series: dict[str, str],
    now: datetime,
) -> Message | None:
    """The message of an event, held for the digest, or None in the quiet period (the subscriber is owed it)."""
    payload = {"series": series, **judgement, "previous_level": previous or None, "trigger": subscription.trigger,
               "at": now.isoformat()}
    if subscription.digest:
        subscription.notified_level, subscription.notified_at = subscription.level, now
        return Message(subscription=subscription, kind=event, payload=payload, status=Message.Status.HELD)
    if _quiet(subscription, now):
        return None
    subscription.notified_level, subscription.notified_at = subscription.level, now
    return Message(subscription=subscription, kind=event, payload=payload, next_attempt_at=now)


def alerts_owed_send(*, now: datetime | None = None) -> int:
    """Tell each subscriber whose quiet period has ended the level they have not heard yet; the messages queued."""
    now = now or timezone.now()
    with transaction.atomic():
        owed = (Subscription.objects.select_for_update(skip_locked=True)
                .filter(active=True, digest=False).exclude(level=F("notified_level")).exclude(level="")
                .exclude(watch=Subscription.Watch.BULLETIN).order_by("id"))
        due = [s for s in owed if not _quiet(s, now)]
        levels = dict(SeriesLevel.objects.filter(series__in={s.series for s in due}).values_list("series", "judgement"))
        info = series_info({s.series for s in due})
        messages = []
        for subscription in due:
            event = "leave" if subscription.level == Level.GREEN else "enter"
            previous = subscription.notified_level
            subscription.notified_level, subscription.notified_at = subscription.level, now
            payload = {"series": info[subscription.series], **levels.get(subscription.series, {}),
                       "previous_level": previous or None, "trigger": subscription.trigger, "at": now.isoformat()}
            messages.append(Message(subscription=subscription, kind=event, payload=payload, next_attempt_at=now))
        Subscription.objects.bulk_update(due, ["notified_level", "notified_at"])
        messages_bulk_create(messages)
    return len(messages)
