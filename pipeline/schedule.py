"""Every periodic task of the platform, declared in one place.

`schedules_sync` writes them into django-celery-beat's tables after each
migrate. It creates what is missing and never overwrites a schedule an admin
has edited, so the admin stays the place to change them. The names are what
the (Spanish) admin lists; a row still under a name a task had before is
renamed in place, keeping whatever the admin changed in it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class PeriodicTaskSpec:
    name: str
    task: str
    crontab: str  # "minute hour day_of_month month_of_year day_of_week"
    expires_seconds: int  # a run not started by then is dropped, so a backlog cannot pile up
    description: str
    former_names: tuple[str, ...] = field(default=())  # names its row may still have in a database made before


PERIODIC_TASKS: tuple[PeriodicTaskSpec, ...] = (
    PeriodicTaskSpec(
        name="Ingesta: descargar cada fuente habilitada",
        former_names=("ingestion: download every enabled source",),
        task="ingestion.tasks.sources_download_due",
        crontab="*/15 * * * *",
        expires_seconds=14 * 60,
        description="Descarga las publicaciones nuevas de cada fuente habilitada cada 15 minutos.",
    ),
    PeriodicTaskSpec(
        name="Clasificador: reentrenar cada tarea una vez al mes",
        former_names=("classifier: retrain every task monthly",),
        task="classifier.tasks.tasks_retrain",
        crontab="0 3 1 * *",
        expires_seconds=23 * 60 * 60,
        description="El día 1 de cada mes reentrena y evalúa cada tarea y activa el modelo nuevo si no es peor.",
    ),
    PeriodicTaskSpec(
        name="Semáforo: calificar la historia con el modelo activo",
        former_names=("dashboard: score the active model's history",),
        task="dashboard.tasks.rollups_history_catch_up",
        crontab="*/10 * * * *",
        expires_seconds=9 * 60,
        description=(
            "Califica con el modelo activo las publicaciones de la historia que el semáforo compara y las suma a "
            "sus conteos; no hace nada cuando ya están todas."
        ),
    ),
)


def schedules_sync() -> int:
    """Create the missing periodic tasks; return how many were created.

    A task whose row has one of its former names is renamed, its schedule, expiry and switch kept as the admin
    left them; one whose task path already has a row under another name (an admin renamed it) is left alone
    rather than scheduled twice.
    """
    from django_celery_beat.models import PeriodicTask

    created = 0
    for spec in PERIODIC_TASKS:
        if PeriodicTask.objects.filter(name=spec.name).exists():
            continue
        former = PeriodicTask.objects.filter(name__in=spec.former_names, task=spec.task).first()
        if former is not None:
            former.name = spec.name
            former.save(update_fields=["name"])  # save(), not update(): beat hears of the change
            continue
        if PeriodicTask.objects.filter(task=spec.task).exists():
            continue
        _periodic_task_create(spec)
        created += 1
    return created


def _periodic_task_create(spec: PeriodicTaskSpec) -> None:
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    minute, hour, day_of_month, month_of_year, day_of_week = spec.crontab.split()
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute=minute, hour=hour, day_of_month=day_of_month,
        month_of_year=month_of_year, day_of_week=day_of_week,
        timezone="UTC",
    )
    PeriodicTask.objects.create(
        name=spec.name, task=spec.task, crontab=schedule, description=spec.description,
        expire_seconds=spec.expires_seconds, kwargs=json.dumps({}),
    )
