"""The background worker outlives a busy database: "database is locked" while it records
a task's outcome, or between tasks, is waited out and logged, never the end of it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import OperationalError
from django_tasks_db.management.commands import db_worker as tasks_worker
from django_tasks_db.models import DBTaskResult

from baolei.accounts.scope import Scope
from baolei.imports import jobs, tasks
from baolei.imports.management.commands import db_worker
from baolei.imports.models import ImportJob
from tests.imports.registry_files import register, register_counts, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(db_worker, "RETRY_FIRST", 0.01)
    # The test's own transaction must survive the worker's connection checks.
    monkeypatch.setattr(tasks_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def queued_import(user) -> ImportJob:
    job = jobs.do_create_job(
        kind="households",
        upload=SimpleUploadedFile("户籍.xlsx", xlsx_bytes(register(2))),
        filename="户籍.xlsx",
        user=user,
        scope=Scope.for_user(user),
    )
    return tasks.enqueue(job)


def test_a_locked_database_while_recording_the_outcome_is_waited_out(insider, monkeypatch):
    job = queued_import(insider)
    save = DBTaskResult.save
    refused = []

    def busy_save(self, *args, **kwargs):
        if "return_value" in (kwargs.get("update_fields") or ()) and len(refused) < 8:
            refused.append(self.status)
            raise OperationalError("database is locked")
        return save(self, *args, **kwargs)

    monkeypatch.setattr(DBTaskResult, "save", busy_save)

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert len(refused) == 8
    assert DBTaskResult.objects.get(pk=job.task_id).status == "SUCCESSFUL"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and register_counts()[0] == 2


def test_a_locked_database_between_tasks_is_waited_out(insider, monkeypatch):
    job = queued_import(insider)
    calls = []

    def locked_once():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")

    monkeypatch.setattr(tasks_worker, "close_old_connections", locked_once)

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert DBTaskResult.objects.get(pk=job.task_id).status == "SUCCESSFUL"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
