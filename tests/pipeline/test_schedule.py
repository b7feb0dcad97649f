"""Every periodic task is declared in the beat tables, with its crontab, its expiry and a Spanish name; rows made
under the former English names are renamed without losing what an admin changed in them."""
from __future__ import annotations

import pytest
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from pipeline.schedule import PERIODIC_TASKS, schedules_sync

pytestmark = pytest.mark.django_db
DOWNLOAD = PERIODIC_TASKS[0]


def test_download_schedule_is_declared_in_the_beat_tables():
    task = PeriodicTask.objects.get(name=DOWNLOAD.name)
    assert task.task == "ingestion.tasks.sources_download_due"
    assert (task.crontab.minute, task.crontab.hour) == ("*/15", "*")
    assert task.expire_seconds == 14 * 60
    assert task.enabled


def test_every_task_has_its_spanish_name_once():
    assert set(PeriodicTask.objects.values_list("name", flat=True)) >= {spec.name for spec in PERIODIC_TASKS}
    assert [spec.name for spec in PERIODIC_TASKS] == [
        "Ingesta: descargar cada fuente habilitada",
        "Clasificador: reentrenar cada tarea una vez al mes",
        "Semáforo: calificar la historia con el modelo activo",
        "Alertas: volver a juzgar las series vigiladas",
        "Alertas: enviar los mensajes pendientes",
        "Alertas: resumen diario",
        "Boletín: publicar el boletín del mes anterior",
    ]
    assert schedules_sync() == 0  # a second sync finds everything in place
    for spec in PERIODIC_TASKS:
        assert PeriodicTask.objects.filter(task=spec.task).count() == 1


def test_a_row_under_its_former_english_name_is_renamed_keeping_the_admins_edits():
    PeriodicTask.objects.filter(task=DOWNLOAD.task).delete()
    every_half_hour, _ = CrontabSchedule.objects.get_or_create(minute="*/30", hour="*", timezone="UTC")
    PeriodicTask.objects.create(
        name="ingestion: download every enabled source", task=DOWNLOAD.task, crontab=every_half_hour,
        expire_seconds=20 * 60, enabled=False, description="Editada en la administración.",
    )
    assert schedules_sync() == 0
    renamed = PeriodicTask.objects.get(task=DOWNLOAD.task)
    assert renamed.name == "Ingesta: descargar cada fuente habilitada"
    assert (renamed.crontab.minute, renamed.expire_seconds, renamed.enabled) == ("*/30", 20 * 60, False)
    assert renamed.description == "Editada en la administración."


def test_a_row_an_admin_renamed_is_left_alone_and_not_scheduled_twice():
    PeriodicTask.objects.filter(task=DOWNLOAD.task).update(name="Descarga de la ONG")
    assert schedules_sync() == 0
    assert list(PeriodicTask.objects.filter(task=DOWNLOAD.task).values_list("name", flat=True)) == ["Descarga de la ONG"]


def test_a_deleted_task_is_declared_again():
    PeriodicTask.objects.filter(task=DOWNLOAD.task).delete()
    assert schedules_sync() == 1
    assert PeriodicTask.objects.get(task=DOWNLOAD.task).name == DOWNLOAD.name
