"""Evaluate the watched series after every rollup update, and tell each subscription what changed for it.

Two steps, each in one transaction with what it writes:

1. `alerts_evaluate`, in the scoring step's transaction: the levels come from
   the semáforo's own rule and windows (`dashboard.selectors.semaforo.series_judge`),
   so an alert says what the dashboard shows. Each watched series keeps its last
   level (`SeriesLevel`); every watched series is judged in at most three
   queries, and a level that moved is recorded as a `SeriesChange`. That is all
   a scoring batch pays, however many subscriptions there are.
2. `changes_apply`, queued when that commits (and run by the beat every few
   minutes, should a queueing be lost): each change, oldest first, moves the
   states of its series' subscriptions and writes their messages to the outbox.
   Subscriptions that share a series, a trigger and a state move alike, in one
   statement on PostgreSQL.

Per subscription (`transition`): its state is green, or the highest level of the
episode under way. It gets a message when its series reaches its trigger level
(green → yellow or red for a yellow subscription; → red for a red one), when the
episode rises from yellow to red, and when the series returns to green; nothing
while the series stays, falls from red to yellow, or turns grey (too few posts
to judge says nothing about the series). A new subscription hears the current
level if it is at its trigger. The message goes to the outbox unless:

* the subscription wants a daily digest: the message is held for it;
* the quiet period since its last message has not passed: the state changes,
  and the subscriber is told the latest state when the period ends
  (`alerts_owed_send`), once, however often the series moved meanwhile.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import orjson
from celery import current_app
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from alerts.models import Message, SeriesChange, SeriesLevel, Subscription
from alerts.series import LEVEL_RANK, judgement_dict, series_info, series_judge_many
from alerts.services.messages import messages_bulk_create, messages_queue
from classifier.selectors.model_versions import model_version_for_reads
from dashboard.levels import Level

EVALUATED_FIELDS = ["level", "level_since", "notified_level", "notified_at"]
APPLY_TASK = "alerts.tasks.changes_apply"  # by name: the tasks module imports these services


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
    """Judge every watched series and record each level that moved as a `SeriesChange`, in the caller's
    transaction; `changes_apply` is queued for when it commits.

    `model_version_id`: the version whose rollups were just updated; nothing to
    do when the pages read another one's.
    """
    now = now or timezone.now()
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
    if not changed:
        return summary
    with transaction.atomic():
        # Two workers scoring at once both see a series change. The first to lock its row records the
        # change; the second waits here, then finds the row already at the new level (re-read under
        # the lock) and records nothing: a change is recorded, and so announced, once.
        locked = SeriesLevel.objects.select_for_update().filter(series__in=sorted(changed)).order_by("series")
        rows, changes = [], []
        for row in locked:
            judgement = judgements[row.series]
            if row.level == judgement.level:
                continue
            changes.append(SeriesChange(series=row.series, level=judgement.level, previous_level=row.level,
                                        judgement=judgement_dict(judgement, judged), created_at=now))
            row.level, row.judgement, row.changed_at, row.judged_at = judgement.level, changes[-1].judgement, now, now
            rows.append(row)
        _levels_write(rows, now=now)
        SeriesChange.objects.bulk_create(changes)
        if changes:
            changes_apply_queue()
    summary.changed = len(rows)
    return summary


def _levels_write(rows: list[SeriesLevel], *, now: datetime) -> None:
    """Store the series' new levels; on PostgreSQL in one statement (bulk_update's CASE per row and field took
    a third of a scoring batch's evaluation)."""
    if connection.vendor != "postgresql":
        SeriesLevel.objects.bulk_update(rows, ["level", "judgement", "changed_at", "judged_at"])
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE alerts_serieslevel AS s SET level = t.level, judgement = t.judgement::jsonb, changed_at = %s, "
            "judged_at = %s FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS t(id, level, judgement) WHERE s.id = t.id",
            [now, now, [row.pk for row in rows], [row.level for row in rows],
             [orjson.dumps(row.judgement).decode() for row in rows]],
        )


def changes_apply_queue() -> None:
    """Queue `changes_apply` for when the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: current_app.send_task(APPLY_TASK))


def alerts_sweep(*, now: datetime | None = None) -> int:
    """The beat's round: judge every watched series (the window slides even when no post arrives), apply what
    moved, and tell the subscribers whose quiet period has ended what they have not heard; the messages queued."""
    with transaction.atomic():
        alerts_evaluate(now=now)
    return changes_apply(now=now).messages + alerts_owed_send(now=now)


def changes_apply(*, now: datetime | None = None) -> EvaluationSummary:
    """Apply every recorded change to its series' subscriptions, oldest first, and give subscriptions not
    evaluated yet their first look: states and messages in one transaction.

    New subscriptions of a series nobody watched yet have it judged first.
    """
    now = now or timezone.now()
    fresh = _fresh_series()
    summary = alerts_evaluate(now=now) if _series_register(fresh) else EvaluationSummary()
    with transaction.atomic():
        # Appliers take turns (a plain lock, not skip_locked): a series' changes must reach its
        # subscriptions in order, or a "leave" could be applied before its "enter". The second
        # applier, once the first commits, finds those changes applied and skips them.
        changes = list(SeriesChange.objects.select_for_update().filter(applied_at__isnull=True).order_by("id"))
        for change in changes:
            current = {change.series: {**change.judgement, "at": change.created_at.isoformat()}}
            _subscriptions_advance({change.series}, current=current, now=now, summary=summary)
        SeriesChange.objects.filter(pk__in=[change.pk for change in changes]).update(applied_at=now)
        if fresh:
            known = SeriesLevel.objects.filter(series__in=fresh).exclude(level="").values_list("series", "judgement")
            _subscriptions_advance(set(), current=dict(known), now=now, summary=summary)
    return summary


def _fresh_series() -> set[str]:
    """The series of the subscriptions not evaluated yet (new, or resumed)."""
    return set(Subscription.objects.filter(active=True, level="").exclude(watch=Subscription.Watch.BULLETIN)
               .values_list("series", flat=True).distinct())


def _series_register(watched: set[str]) -> bool:
    """Give each of these series a `SeriesLevel` row; whether any was new (to be judged)."""
    known = set(SeriesLevel.objects.filter(series__in=watched).values_list("series", flat=True))
    if watched <= known:
        return False
    SeriesLevel.objects.bulk_create([SeriesLevel(series=key) for key in watched - known], ignore_conflicts=True)
    return True


def _subscriptions_advance(
    changed: set[str], *, current: dict[str, dict[str, Any]], now: datetime, summary: EvaluationSummary,
) -> None:
    """Apply `transition` to every subscription of the changed series (and to the fresh ones), set-wise.

    Subscriptions that share a series, a trigger and a state move alike: each
    such group is one row of `moves`, and the database applies them all at once.
    """
    moves = []
    for key, judgement in current.items():
        for trigger in (Level.YELLOW, Level.RED):
            for prior in ("", Level.GREEN, Level.YELLOW, Level.RED) if key in changed else ("",):
                state, event = transition(state=prior, trigger=trigger, level=judgement["level"])
                if (state, event) != (prior, None):
                    moves.append(Move(key, trigger, prior, state, event or ""))
    if not moves:
        return
    info = series_info({move.series for move in moves})
    payloads = {key: {"series": info[key], "at": now.isoformat(), **judgement} for key, judgement in current.items()
                if key in info}
    advance = _advance_postgresql if connection.vendor == "postgresql" else _advance_rows
    moved, pending, held = advance(moves, payloads=payloads, now=now)
    messages_queue(pending)
    summary.subscriptions += moved
    summary.messages += len(pending)
    summary.held += held


class Move(NamedTuple):
    """Subscriptions of `series` with this `trigger` in state `prior` go to `state`, with `event` ("" for none)."""

    series: str
    trigger: str
    prior: str
    state: str
    event: str


# The quiet period's test, on the row's values before the update: told now, or owed for later.
_TOLD = ("(t.event <> '' AND (s.digest OR s.notified_at IS NULL "
         "OR s.notified_at + s.quiet_minutes * interval '1 minute' <= %(now)s))")
_ADVANCE_SQL = f"""
WITH t AS (
    SELECT * FROM unnest(%(series)s::text[], %(trigger)s::text[], %(prior)s::text[], %(state)s::text[],
                         %(event)s::text[]) AS t(series, trigger, prior, state, event)
), moved AS (
    UPDATE alerts_subscription AS s SET level = t.state, level_since = %(now)s,
        notified_level = CASE WHEN t.event = '' OR {_TOLD} THEN t.state ELSE s.notified_level END,
        notified_at = CASE WHEN {_TOLD} THEN %(now)s ELSE s.notified_at END
    FROM t
    WHERE s.active AND s.watch <> 'bulletin' AND s.series = t.series AND s.trigger = t.trigger AND s.level = t.prior
    RETURNING s.id, s.digest, t.series, t.trigger, t.prior, t.event,
        t.event <> '' AND s.notified_at = %(now)s AS told  -- the row as updated: told now
), written AS (
    INSERT INTO alerts_message (id, subscription_id, kind, status, payload, attempts, next_attempt_at, last_error,
                                created_at)
    SELECT gen_random_uuid(), m.id, m.event, CASE WHEN m.digest THEN 'held' ELSE 'pending' END,
           (%(payloads)s::jsonb -> m.series)
               || jsonb_build_object('trigger', m.trigger, 'previous_level', NULLIF(m.prior, '')),
           0, CASE WHEN m.digest THEN NULL ELSE %(now)s END, '', %(now)s
    FROM moved AS m WHERE m.told
    RETURNING id, status
)
SELECT (SELECT count(*) FROM moved), w.id, w.status FROM written AS w
UNION ALL SELECT (SELECT count(*) FROM moved), NULL, NULL WHERE NOT EXISTS (SELECT 1 FROM written)
"""


def _advance_postgresql(moves: list[Move], *, payloads: dict[str, Any], now: datetime) -> tuple[int, list[Any], int]:
    """One statement: the row locks of its update make a second evaluation, waiting on them, re-check each
    subscription's state and skip those already moved, so a change is told once."""
    columns = {name: [getattr(move, name) for move in moves] for name in Move._fields}
    with connection.cursor() as cursor:
        cursor.execute(_ADVANCE_SQL, {**columns, "payloads": orjson.dumps(payloads).decode(), "now": now})
        rows = cursor.fetchall()
    moved = rows[0][0] if rows else 0
    pending = [message_id for _, message_id, status in rows if status == Message.Status.PENDING]
    return moved, pending, sum(status == Message.Status.HELD for _, _, status in rows)


def _advance_rows(moves: list[Move], *, payloads: dict[str, Any], now: datetime) -> tuple[int, list[Any], int]:
    """The same, row by row (the embedded SQLite, which lets one writer in at a time anyway)."""
    messages, updated = [], []
    for move in moves:
        group = Subscription.objects.filter(active=True, series=move.series, trigger=move.trigger, level=move.prior)
        for subscription in group.exclude(watch=Subscription.Watch.BULLETIN):
            told = bool(move.event) and (subscription.digest or not _quiet(subscription, now))
            subscription.level, subscription.level_since = move.state, now
            if told or not move.event:
                subscription.notified_level = move.state
            if told:
                subscription.notified_at = now
                payload = _payload(payloads[move.series], trigger=move.trigger, previous=move.prior)
                messages.append(Message(
                    subscription=subscription, kind=move.event, payload=payload, created_at=now,
                    status=Message.Status.HELD if subscription.digest else Message.Status.PENDING,
                    next_attempt_at=None if subscription.digest else now,
                ))
            updated.append(subscription)
    Subscription.objects.bulk_update(updated, EVALUATED_FIELDS)
    created = Message.objects.bulk_create(messages)
    pending = [m.pk for m in created if m.status == Message.Status.PENDING]
    return len(updated), pending, len(created) - len(pending)


def _payload(change: dict[str, Any], *, trigger: str, previous: str) -> dict[str, Any]:
    """A series change as one subscriber's message carries it (the SQL of `_advance_postgresql` builds the same)."""
    return {**change, "trigger": trigger, "previous_level": previous or None}


def _quiet(subscription: Subscription, now: datetime) -> bool:
    return (subscription.notified_at is not None
            and now < subscription.notified_at + timedelta(minutes=subscription.quiet_minutes))


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
            payload = _payload({"series": info[subscription.series], **levels.get(subscription.series, {}),
                                "at": now.isoformat()}, trigger=subscription.trigger, previous=previous)
            messages.append(Message(subscription=subscription, kind=event, payload=payload, next_attempt_at=now))
        Subscription.objects.bulk_update(due, ["notified_level", "notified_at"])
        messages_bulk_create(messages)
    return len(messages)
