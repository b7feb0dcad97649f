"""Every periodic task is declared in the beat tables, with its crontab and expiry."""
from __future__ import annotations

import pytest

from pipeline.schedule import PERIODIC_TASKS


@pytest.mark.django_db
def test_download_schedule_is_declared_in_the_beat_tables():
    from django_celery_beat.models import PeriodicTask

    spec = PERIODIC_TASKS[0]
    task = PeriodicTask.objects.get(name=spec.name)
    assert task.task == "ingestion.tasks.sources_download_due"
    assert (task.crontab.minute, task.crontab.hour) == ("*/15", "*")
    assert task.expire_seconds == 14 * 60
    assert task.enabled
