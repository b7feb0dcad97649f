"""Runs name their holder: a run whose process died on this host is failed when the next one starts, a live or
distant holder still blocks, and an admin can fail a dead run by hand (command or admin action)."""
from __future__ import annotations

import os
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ingestion.models import IngestionRun
from ingestion.services.imports import source_file_get
from ingestion.services.runs import RunHolder, process_alive, run_holder_current, run_holder_parse
from ingestion.services.runs import ingestion_run_start as start
from tests.factories import SourceFactory


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    assert not process_alive(process.pid)
    return process.pid


def held_by(run: IngestionRun, holder: RunHolder) -> None:
    IngestionRun.objects.filter(pk=run.pk).update(message=holder.message())


def test_a_holder_message_reads_back():
    holder = run_holder_current()
    assert run_holder_parse(holder.message()) == holder
    assert run_holder_parse("El proceso se detuvo sin terminar.") is None
    assert process_alive(os.getpid())


@pytest.mark.django_db
def test_a_run_whose_process_died_on_this_host_is_failed_and_the_next_one_starts():
    source = SourceFactory()
    dead = start(source=source)
    assert run_holder_parse(dead.message) == run_holder_current()
    assert start(source=source) is None  # its holder (this process) is alive
    me = run_holder_current()
    held_by(dead, RunHolder(host=me.host, pid=dead_pid(), space=me.space))
    assert start(source=source) is not None
    dead.refresh_from_db()
    assert dead.status == IngestionRun.Status.FAILED and dead.finished_at is not None
    assert "terminó sin cerrar la ejecución" in dead.message


@pytest.mark.django_db
def test_a_later_process_given_the_dead_holders_id_does_not_keep_its_run_alive():
    source = SourceFactory()
    dead = start(source=source)
    me = run_holder_current()
    assert me.started > 0
    held_by(dead, RunHolder(host=me.host, pid=me.pid, started=me.started - 1, space=me.space))  # our pid, an earlier process
    assert start(source=source) is not None
    dead.refresh_from_db()
    assert dead.status == IngestionRun.Status.FAILED


@pytest.mark.django_db
def test_a_holder_on_another_host_or_pid_namespace_still_blocks_until_its_lease_ends():
    source = SourceFactory()
    run = start(source=source)
    held_by(run, RunHolder(host="otro-equipo", pid=dead_pid()))
    assert start(source=source) is None
    me = run_holder_current()  # the same name, another container's processes
    held_by(run, RunHolder(host=me.host, pid=dead_pid(), space=me.space + "1"))
    assert start(source=source) is None
    run.refresh_from_db()
    assert run.status == IngestionRun.Status.RUNNING


@pytest.mark.django_db
def test_the_command_fails_a_running_run_by_hand():
    source = SourceFactory()
    run = start(source=source)
    out = StringIO()
    call_command("ingestion_run_fail", str(run.pk), "--reason", "Servidor reiniciado.", stdout=out)
    assert f"#{run.pk} marcada como fallida" in out.getvalue()
    run.refresh_from_db()
    assert run.status == IngestionRun.Status.FAILED and run.message.endswith("Servidor reiniciado.")
    assert start(source=source) is not None
    with pytest.raises(CommandError, match=f"#{run.pk}"):
        call_command("ingestion_run_fail", str(run.pk), stdout=StringIO())


@pytest.mark.django_db
def test_the_admin_action_fails_the_selected_running_runs(admin_client):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    running = start(source=SourceFactory())
    done = start(source=SourceFactory())
    IngestionRun.objects.filter(pk=done.pk).update(status=IngestionRun.Status.SUCCEEDED, message="")
    response = admin_client.post(
        reverse("admin:ingestion_ingestionrun_changelist"),
        {"action": "fail_dead", "_selected_action": [running.pk, done.pk]}, follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["1 ejecuciones marcadas como fallidas.", "1 no estaban en curso: sin cambios."]
    running.refresh_from_db()
    done.refresh_from_db()
    assert running.status == IngestionRun.Status.FAILED and "administración" in running.message
    assert done.status == IngestionRun.Status.SUCCEEDED


@pytest.mark.django_db
def test_a_refused_import_names_the_run_in_the_way_and_how_to_fail_it(tmp_path):
    running = start(source=source_file_get())
    path = tmp_path / "posts.jsonl"
    path.write_bytes((Path(__file__).parents[2] / "fixtures" / "xapi" / "search_page1.json").read_bytes().replace(b"\n", b"") + b"\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_tweets", str(path), "--no-progress", stdout=StringIO(), stderr=err)
    assert f"#{running.pk}" in err.getvalue() and f"ingestion_run_fail {running.pk}" in err.getvalue()
