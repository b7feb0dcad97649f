"""Writes of the bulletins: make a period's bulletin (numbers, HTML and PDF in the archive), the monthly one, and
send a bulletin to its subscribers.

A bulletin is one per period (the unique period_start/period_end). Making the
bulletin of a period that already has one replaces its numbers and files: the
same row, the same slug and the same archive names (`bulletins/<slug>.html`,
`.pdf`), so links already sent keep working and a retried monthly task is
harmless. Its subscribers are not told twice: each message's key is the
bulletin and the subscription (`bulletin_send`).
"""
from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone, translation

from alerts.bulletin_render import bulletin_html_render, bulletin_pdf_render, charts_draw
from alerts.models import Bulletin, Message, Subscription
from alerts.selectors.bulletins import bulletin_numbers_get, bulletin_urls, month_bounds, month_previous, period_check
from alerts.services.messages import message_create
from classifier.selectors.model_versions import model_version_for_reads

logger = logging.getLogger(__name__)

ARCHIVE_FOLDER = "bulletins"


def _archive_replace(name: str, content: bytes) -> str:
    """Store `content` under exactly `name`, replacing the file of an earlier run of the same period.

    Storages do not overwrite (the local one renames, S3 may be set not to): the old file is deleted first.
    """
    archive = storages["archive"]
    if archive.exists(name):
        archive.delete(name)
    return archive.save(name, ContentFile(content))


def bulletin_create(*, start: datetime, end: datetime, kind: str = Bulletin.Kind.ON_DEMAND,
                    now: datetime | None = None) -> Bulletin:
    """Make the bulletin of [start, end) (whole days, Mexico City): its numbers as the dashboard showed them, the
    HTML page and the PDF in the archive, and its row. A period that has a bulletin gets it replaced (same row,
    slug and file names)."""
    now = now or timezone.now()
    period_check(start=start, end=end, now=now)
    with translation.override(settings.LANGUAGE_CODE):
        numbers = bulletin_numbers_get(start=start, end=end, now=now)
        charts = charts_draw(numbers)
        slug = numbers["slug"]
        html = bulletin_html_render(numbers, charts=charts, urls=bulletin_urls(slug=slug))
        pdf = bulletin_pdf_render(numbers, charts=charts)
    html_name = _archive_replace(f"{ARCHIVE_FOLDER}/{slug}.html", html.encode("utf-8"))
    pdf_name = _archive_replace(f"{ARCHIVE_FOLDER}/{slug}.pdf", pdf)
    bulletin, created = Bulletin.objects.update_or_create(
        period_start=start, period_end=end,
        defaults={"slug": slug, "kind": kind, "title": numbers["title"], "model_version": model_version_for_reads(),
                  "html_name": html_name, "pdf_name": pdf_name, "summary": numbers},
    )
    logger.info("bulletin %s %s: %s, %s", slug, "created" if created else "replaced", html_name, pdf_name)
    return bulletin


def bulletin_monthly_create(*, now: datetime | None = None) -> Bulletin:
    """The bulletin of the calendar month before `now`'s (Mexico City): on the 1st, the month that just ended."""
    now = now or timezone.now()
    year, month = month_previous(now=now)
    start, end = month_bounds(year=year, month=month)
    return bulletin_create(start=start, end=end, kind=Bulletin.Kind.MONTHLY, now=now)


def bulletin_monthly_publish(*, now: datetime | None = None) -> tuple[Bulletin, int]:
    """Last month's bulletin made (or made again) and sent to the subscribers who have not had it yet."""
    bulletin = bulletin_monthly_create(now=now)
    return bulletin, bulletin_send(bulletin_id=bulletin.pk)


def bulletin_payload(*, bulletin: Bulletin) -> dict[str, object]:
    urls = bulletin_urls(slug=bulletin.slug)
    return {"bulletin": {
        "slug": bulletin.slug, "title": bulletin.title, "period_start": bulletin.period_start.isoformat(),
        "period_end": bulletin.period_end.isoformat(), "url": urls["url"], "pdf_url": urls["pdf_url"],
        "pdf_name": bulletin.pdf_name,
    }}


def bulletin_send(*, bulletin_id: int) -> int:
    """A message to every active bulletin subscription; the number of messages written now.

    Each message's key is the bulletin and the subscription: sending again (a retried task, the admin's button
    pressed twice, a bulletin replaced) writes nothing for those already told, and only reaches new subscribers.
    An unpublished bulletin is sent to nobody.
    """
    bulletin = Bulletin.objects.get(pk=bulletin_id)
    if not bulletin.published:
        return 0
    payload = bulletin_payload(bulletin=bulletin)
    written = 0
    subscriptions = Subscription.objects.filter(active=True, watch=Subscription.Watch.BULLETIN).order_by("pk")
    for subscription_id in subscriptions.values_list("pk", flat=True).iterator():
        key = f"bulletin:{bulletin.pk}:{subscription_id}"
        with transaction.atomic():
            told = Message.objects.filter(key=key).exists()
            message_create(subscription=subscription_id, kind=Message.Kind.BULLETIN, key=key, payload=payload)
        written += not told
    return written
