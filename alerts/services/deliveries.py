"""Sending the outbox: claim a message, hand it to its channel once, record the attempt, schedule the next one.

`message_deliver` is the only code that sends a message. It claims the row
with a conditional update (pending, or sending with an expired lease →
sending, leased), so of every worker that holds a task for the same message
exactly one sends it; the others find it claimed or sent and do nothing. Each
try is a `DeliveryAttempt` with the other side's answer. A failure waits
`BACKOFF_SECONDS * 2**(attempts-1)` (capped, with jitter) before the next try,
or as long as the endpoint asked (Telegram's `retry_after`, a webhook's
`Retry-After`); after `MAX_ATTEMPTS` tries, or at once when the answer says
trying again cannot help, the message is failed. `messages_due_send` is the
sweep that queues again what a lost task left behind.
"""
from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from alerts.channels import ANSWER_MAX, Answer, channel_send
from alerts.models import DeliveryAttempt, Message
from alerts.services.messages import messages_queue

logger = logging.getLogger(__name__)

BACKOFF_CAP_SECONDS = 6 * 3600  # however many tries, the next one comes within six hours
EARLY_TOLERANCE = timedelta(seconds=5)  # a retry's timer and the row's next_attempt_at come from two clocks
SWEEP_GRACE = timedelta(seconds=60)  # a message due for less than this is most likely in the queue already
SWEEP_BATCH = 5000
LAST_ERROR_MAX = 500


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    status: str  # "sent", "retry", "failed", or "skipped" (not ours to send: claimed elsewhere, sent, not due)
    retry_in: float | None = None  # seconds until the next try, when status is "retry"
    detail: str = ""


def lease_seconds() -> int:
    """How long a claim holds: past the slowest channel's timeouts and the sending task's hard time limit."""
    return 2 * max(int(settings.ALERTS["TIMEOUT_SECONDS"]), int(settings.EMAIL_TIMEOUT or 0)) + 60


def backoff_seconds(attempts: int) -> float:
    """The wait after the `attempts`-th failed try: doubling from BACKOFF_SECONDS, capped, with up to 10 % jitter
    so the messages a dead endpoint failed together do not all come back in the same second."""
    delay = min(settings.ALERTS["BACKOFF_SECONDS"] * 2 ** max(0, attempts - 1), BACKOFF_CAP_SECONDS)
    return float(delay) * (1 + random.uniform(0, 0.1))


def message_deliver(*, message_id: Any) -> DeliveryOutcome:
    """Send one message through its subscription's channel, once; record the attempt and what comes next."""
    now = timezone.now()
    lease_until = now + timedelta(seconds=lease_seconds())
    if not _claim(message_id, now=now, lease_until=lease_until):
        return DeliveryOutcome("skipped", detail="not pending, claimed elsewhere, or not due")
    message = Message.objects.select_related("subscription", "subscription__owner").filter(pk=message_id).first()
    if message is None:  # its subscription was deleted meanwhile, and the message with it
        return DeliveryOutcome("skipped", detail="deleted")
    if not message.subscription.active:
        reason = gettext("La suscripción está pausada: el mensaje no se envió.")
        _finish(message, lease_until, status=Message.Status.FAILED, last_error=reason, next_attempt_at=None)
        return DeliveryOutcome("failed", detail=reason)
    if message.attempts > settings.ALERTS["MAX_ATTEMPTS"]:
        # Only a claim that keeps expiring gets here: a message whose sending kills its worker every time.
        reason = gettext("Se agotaron los intentos: ninguno terminó.")
        _finish(message, lease_until, status=Message.Status.FAILED, last_error=reason, next_attempt_at=None)
        return DeliveryOutcome("failed", detail=reason)

    started_at, clock = timezone.now(), time.monotonic()
    try:
        answer = channel_send(message)
    except Exception as exc:  # a rendering bug or a time limit: recorded on the message, retried, never lost
        logger.exception("Message %s could not be sent", message.pk)
        answer = Answer(ok=False, text=f"{type(exc).__name__}: {exc}")
    attempt = DeliveryAttempt(
        message=message, started_at=started_at, duration_ms=int((time.monotonic() - clock) * 1000),
        ok=answer.ok, status_code=answer.status_code, answer=answer.text[:ANSWER_MAX],
    )
    return _record(message, attempt, answer, lease_until=lease_until)


def _claim(message_id: Any, *, now: datetime, lease_until: datetime) -> bool:
    """Take the message for this worker; False when someone else has it or it is not for sending now.

    The race: two workers with the same task (a redelivery after a lost
    acknowledgement), a task re-queued by the sweep or by an admin's "retry"
    while the first is still queued, or a task retry. One UPDATE ... WHERE
    status matches: PostgreSQL locks the row for the first, and the second
    re-reads it after that commits, sees "sending" with a live lease (or
    "sent"), and updates nothing. A lease that expired means its worker died
    mid-send: the message is taken again, and may reach its receiver twice —
    the reason a webhook carries the delivery id for receivers to dedupe on.
    `attempts` counts the claim, so a message that kills its worker every time
    still runs out of tries.
    """
    due = Q(status=Message.Status.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + EARLY_TOLERANCE))
    abandoned = Q(status=Message.Status.SENDING, claimed_until__lt=now)
    return Message.objects.filter(pk=message_id).filter(due | abandoned).update(
        status=Message.Status.SENDING, claimed_until=lease_until, attempts=F("attempts") + 1,
    ) == 1


def _finish(message: Message, lease_until: datetime, **fields: Any) -> bool:
    """Release the claim with the result; False when the lease was lost (never, while it outlasts the task)."""
    done = Message.objects.filter(pk=message.pk, status=Message.Status.SENDING, claimed_until=lease_until).update(
        claimed_until=None, **fields)
    if not done:
        logger.warning("Message %s: the claim expired before its attempt was recorded", message.pk)
    return bool(done)


def _record(message: Message, attempt: DeliveryAttempt, answer: Answer, *, lease_until: datetime) -> DeliveryOutcome:
    now = timezone.now()
    with transaction.atomic():
        attempt.save()
        if answer.ok:
            # The evaluation set the subscription's state when it wrote the message: sending changes nothing else.
            _finish(message, lease_until, status=Message.Status.SENT, sent_at=now, last_error="", next_attempt_at=None)
            return DeliveryOutcome("sent", detail=attempt.answer)
        error = _error_text(answer)
        if answer.permanent or message.attempts >= settings.ALERTS["MAX_ATTEMPTS"]:
            _finish(message, lease_until, status=Message.Status.FAILED, last_error=error, next_attempt_at=None)
            return DeliveryOutcome("failed", detail=error)
        wait = backoff_seconds(message.attempts)
        if answer.retry_after is not None:
            wait = min(max(answer.retry_after, 1.0), float(BACKOFF_CAP_SECONDS)) + random.uniform(0, 1)
        _finish(message, lease_until, status=Message.Status.PENDING, last_error=error,
                next_attempt_at=now + timedelta(seconds=wait))
        return DeliveryOutcome("retry", retry_in=wait, detail=error)


def _error_text(answer: Answer) -> str:
    head = f"{answer.status_code}: " if answer.status_code is not None else ""
    return (head + (answer.text or gettext("sin respuesta")))[:LAST_ERROR_MAX]


def messages_due_send(*, now: datetime | None = None) -> int:
    """Queue every due message that has no task on its way; how many were queued.

    Pending messages never tried whose time has come (those queued by this
    sweep rather than one by one, or whose queueing was lost), pending ones
    whose retry is past due by a grace period (their task's own retry is
    normally on its way), and sending ones whose claim expired (their worker
    died). A message queued twice is still sent once: `message_deliver` claims it.
    """
    now = now or timezone.now()
    fresh = Q(attempts=0) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    retry_lost = Q(attempts__gt=0, next_attempt_at__lte=now - SWEEP_GRACE)
    abandoned = Q(status=Message.Status.SENDING, claimed_until__lt=now)
    ids = list(Message.objects.filter(Q(status=Message.Status.PENDING) & (fresh | retry_lost) | abandoned)
               .order_by(F("next_attempt_at").asc(nulls_first=True)).values_list("pk", flat=True)[:SWEEP_BATCH])
    messages_queue(ids, one_by_one=True)  # never back to the sweep as one task: this is the sweep
    return len(ids)


def messages_retry(*, message_ids: list[Any], now: datetime | None = None) -> int:
    """Give failed messages a fresh round of tries, starting now (the admin's "retry"); how many were reset."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(Message.objects.select_for_update().filter(pk__in=message_ids, status=Message.Status.FAILED)
                   .values_list("pk", flat=True))
        Message.objects.filter(pk__in=ids).update(status=Message.Status.PENDING, attempts=0, next_attempt_at=now,
                                                  claimed_until=None)
        messages_queue(ids)
    return len(ids)
