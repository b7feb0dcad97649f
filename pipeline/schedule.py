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
    PeriodicTaskSpec(
        name="Alertas: volver a juzgar las series vigiladas",
        task="alerts.tasks.alerts_evaluate",
        crontab="*/5 * * * *",
        expires_seconds=4 * 60,
        description=(
            "Juzga cada 5 minutos las series que alguien vigila (la ventana avanza aunque no lleguen publicaciones) "
            "y avisa lo pendiente a quien terminó su periodo de silencio. Tras cada lote calificado se juzgan también."
        ),
    ),
    PeriodicTaskSpec(
        name="Alertas: enviar los mensajes pendientes",
        task="alerts.tasks.messages_due_send",
        crontab="* * * * *",
        expires_seconds=50,
        description="Cada minuto pone en la cola los mensajes cuyo envío vence o cuya tarea se perdió.",
    ),
    PeriodicTaskSpec(
        name="Alertas: resumen diario",
        task="alerts.tasks.digests_send",
        crontab="0 14 * * *",  # 08:00 in Mexico City (UTC-6 all year)
        expires_seconds=6 * 60 * 60,
        description="A las 8:00 (Ciudad de México) envía a cada suscripción con resumen diario los cambios del día.",
    ),
    PeriodicTaskSpec(
        name="Boletín: publicar el boletín del mes anterior",
        task="alerts.tasks.bulletin_monthly",
        crontab="0 8 1 * *",  # 02:00 on the 1st in Mexico City: the month has closed there
        expires_seconds=20 * 60 * 60,
        description="El día 1 de cada mes genera el boletín del mes anterior (HTML y PDF), lo publica y lo envía a sus suscriptores.",
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
