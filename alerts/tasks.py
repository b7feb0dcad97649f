"""Celery tasks of the alerts app: thin adapters that take ids and call one service each."""
from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.exceptions import MaxRetriesExceededError
from django.conf import settings

from alerts.services.bulletins import bulletin_monthly_publish
from alerts.services.deliveries import lease_seconds, message_deliver, messages_due_send
from alerts.services.digests import digests_send
from alerts.services.evaluation import alerts_sweep, changes_apply

# The hard limit ends a send before its claim expires, so no second worker takes a message still being sent.
SEND_SOFT_TIME_LIMIT = lease_seconds() - 30
SEND_TIME_LIMIT = lease_seconds() - 20


@shared_task(bind=True, name="alerts.tasks.message_send", acks_late=True, ignore_result=True,
             soft_time_limit=SEND_SOFT_TIME_LIMIT, time_limit=SEND_TIME_LIMIT)
def message_send(self: Any, message_id: str) -> str:
    """Send one outbox message; when it failed for now, come back when its next try is due."""
    outcome = message_deliver(message_id=message_id)
    if outcome.status == "retry":
        try:
            raise self.retry(countdown=outcome.retry_in, max_retries=settings.ALERTS["MAX_ATTEMPTS"])
        except MaxRetriesExceededError:
            pass  # the message is still pending in its table with its next try: the sweep queues it then
    return outcome.status


@shared_task(name="alerts.tasks.messages_due_send", ignore_result=True, soft_time_limit=60, time_limit=90)
def messages_due_send_task() -> int:
    """The sweep: queue again the messages whose task was lost."""
    return messages_due_send()


@shared_task(name="alerts.tasks.bulletin_monthly", ignore_result=True, soft_time_limit=600, time_limit=660)
def bulletin_monthly() -> str:
    """On the 1st: last month's bulletin (Mexico City), made again if it exists, sent once to each subscriber."""
    bulletin, sent = bulletin_monthly_publish()
    return f"{bulletin.slug}: {sent}"


@shared_task(name="alerts.tasks.alerts_evaluate", ignore_result=True, soft_time_limit=120, time_limit=150)
def alerts_evaluate_task() -> int:
    """Every few minutes: judge the watched series again (the window slides even when no post arrives), apply
    what moved, and tell the subscribers whose quiet period has ended the level they have not heard yet."""
    return alerts_sweep()


@shared_task(name="alerts.tasks.changes_apply", ignore_result=True, soft_time_limit=120, time_limit=150)
def changes_apply_task() -> int:
    """After a scoring batch moved a light (or a subscription was added): tell the subscribers."""
    return changes_apply().messages


@shared_task(name="alerts.tasks.digests_send", ignore_result=True, soft_time_limit=300, time_limit=330)
def digests_send_task() -> int:
    """Once a day: one message per digest subscription with the day's changes."""
    return digests_send()
