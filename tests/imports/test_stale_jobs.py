"""A worker killed in the middle of an import: its job must not say "loading" for ever.
And the progress of a load on SQLite, which cannot be written to the job's row."""

import contextlib
import datetime
import io
import types

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from baolei.accounts.scope import Scope
from baolei.imports import jobs, stale, tasks
from baolei.imports.models import ImportJob, progress_file
from tests.imports.registry_files import register, register_counts, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

STOPPED = (
    "The worker stopped while this job was running; nothing was written. Upload the file again."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def job_of(user, status: str, silent_for: datetime.timedelta, language: str = "en") -> ImportJob:
    """A job as a worker left it: `status`, its last progress `silent_for` ago."""
    job = jobs.do_create_job(
        kind="households",
        upload=SimpleUploadedFile("兴国镇户籍.xlsx", xlsx_bytes(register(1))),
        filename="兴国镇户籍.xlsx",
        user=user,
        scope=Scope.for_user(user),
        language=language,
    )
    beat = timezone.now() - silent_for
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, started_at=beat, heartbeat_at=beat, created_at=beat
    )
    job.refresh_from_db()
    return job


MINUTES = datetime.timedelta(minutes=1)


def test_a_job_silent_for_more_than_ten_minutes_is_marked_failed(insider):
    dead = job_of(insider, ImportJob.Status.LOADING, 11 * MINUTES)
    reading = job_of(insider, ImportJob.Status.VALIDATING, 30 * MINUTES)
    alive = job_of(insider, ImportJob.Status.LOADING, 9 * MINUTES)
    queued = job_of(insider, ImportJob.Status.QUEUED, 60 * MINUTES)
    done = job_of(insider, ImportJob.Status.DONE, 60 * MINUTES)

    swept = stale.sweep_stale_jobs()

    assert sorted(swept) == sorted([dead.pk, reading.pk])
    for job in (dead, reading):
        job.refresh_from_db()
        assert job.status == ImportJob.Status.FAILED and job.message == STOPPED
        assert job.finished_at is not None
    for job, status in ((alive, "loading"), (queued, "queued"), (done, "done")):
        job.refresh_from_db()
        assert job.status == status and job.message == ""
    assert stale.sweep_stale_jobs() == []  # nothing left to sweep


def test_the_timeout_is_a_setting(insider, settings):
    settings.BAOLEI_IMPORT_STALE_SECONDS = 60
    job = job_of(insider, ImportJob.Status.LOADING, 2 * MINUTES)

    assert stale.sweep_stale_jobs() == [job.pk]


def test_a_load_reporting_to_its_side_file_is_alive(insider):
    """On SQLite the load cannot write the job's row: its side file is its heartbeat."""
    job = job_of(insider, ImportJob.Status.LOADING, 11 * MINUTES)
    path = progress_file(job.pk)
    path.parent.mkdir(parents=True)
    path.write_text('{"rows_done": 5, "rows_total": 10}')

    assert stale.sweep_stale_jobs() == []
    job.refresh_from_db()
    assert job.status == ImportJob.Status.LOADING


def test_the_job_list_sweeps_and_shows_the_failure(client_insider, insider):
    job = job_of(insider, ImportJob.Status.LOADING, 11 * MINUTES)

    page = client_insider.get("/imports/").content.decode()

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "Failed" in page
    detail = client_insider.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert STOPPED in detail


def test_the_api_job_list_sweeps(client_insider, insider):
    job = job_of(insider, ImportJob.Status.VALIDATING, 11 * MINUTES)

    listed = client_insider.get("/api/imports/").json()

    assert [(j["id"], j["status"]) for j in listed if j["id"] == job.pk] == [(job.pk, "failed")]


def test_the_command_sweeps(insider):
    job = job_of(insider, ImportJob.Status.LOADING, 11 * MINUTES)
    out = io.StringIO()

    call_command("sweep_imports", stdout=out)

    assert out.getvalue().strip() == f"1 stale import jobs marked failed. ({job.pk})"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED


def test_a_worker_taking_up_a_job_sweeps_the_one_a_dead_worker_left(
    client_insider, insider, monkeypatch
):
    dead = job_of(insider, ImportJob.Status.LOADING, 11 * MINUTES)
    client_insider.post(
        "/imports/upload/",
        {"kind": "households", "file": SimpleUploadedFile("户籍.xlsx", xlsx_bytes(register(2)))},
    )
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    dead.refresh_from_db()
    assert dead.status == ImportJob.Status.FAILED
    fresh = ImportJob.objects.latest("pk")
    assert fresh.status == ImportJob.Status.DONE and register_counts()[0] == 2


def test_progress_is_the_heartbeat(insider):
    job = job_of(insider, ImportJob.Status.VALIDATING, 30 * MINUTES)
    progress = jobs.JobProgress(job)
    before = timezone.now()

    progress.phase(ImportJob.Status.VALIDATING, 100)
    progress.rows(50)

    job.refresh_from_db()
    assert job.rows_done == 50 and job.heartbeat_at >= before
    assert stale.sweep_stale_jobs() == []


def test_a_job_run_from_start_to_end_has_a_heartbeat(insider):
    job = job_of(insider, ImportJob.Status.QUEUED, 0 * MINUTES)

    jobs.run_job(job)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.heartbeat_at is not None and job.heartbeat_at >= job.started_at


def test_the_load_on_sqlite_reports_to_a_side_file_that_the_page_reads(
    client_insider, insider, monkeypatch
):
    """Inside the load's transaction SQLite has one writer (the load), so the rows loaded
    go to a side file; the job's page and the API show them, and the file is removed at
    the end."""
    job = job_of(insider, ImportJob.Status.VALIDATING, 0 * MINUTES)
    progress = jobs.JobProgress(job)
    progress.phase(ImportJob.Status.LOADING, 200)  # before the transaction: the row
    monkeypatch.setattr(jobs, "connection", types.SimpleNamespace(vendor="sqlite"))

    progress.rows(50)  # from inside the load

    job.refresh_from_db()
    assert job.status == ImportJob.Status.LOADING and job.rows_done == 0  # the row waits
    page = client_insider.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert "50 / 200 (25%)" in page
    assert client_insider.get(f"/api/imports/{job.pk}").json()["rows_done"] == 50
    progress.close()
    assert not progress_file(job.pk).exists()
    page = client_insider.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert "0 / 200 (0%)" in page


class WorkerKilled(BaseException):
    """The worker process dies: nothing after this point of the job runs."""


def test_a_worker_killed_just_after_the_load_committed_leaves_the_job_done(insider, monkeypatch):
    """The job's outcome is committed with its data: a worker killed right after the
    commit leaves a finished job, and the sweep never says that nothing was written
    while the households are in the register."""
    from baolei.imports import running

    atomic = running.transaction.atomic

    @contextlib.contextmanager
    def committed_then_killed(*args, **kwargs):
        with atomic(*args, **kwargs):
            yield
        raise WorkerKilled

    monkeypatch.setattr(running, "transaction", types.SimpleNamespace(atomic=committed_then_killed))
    job = job_of(insider, ImportJob.Status.QUEUED, 0 * MINUTES)

    with pytest.raises(WorkerKilled):
        jobs.run_job(job)
    beat = timezone.now() - 11 * MINUTES
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=beat, started_at=beat)
    stale.sweep_stale_jobs()

    job.refresh_from_db()
    assert register_counts()[0] == 1  # the household is in the register
    assert job.status == ImportJob.Status.DONE and job.message != STOPPED
    assert job.counts["rows"] == 3 and job.finished_at is not None


def test_the_task_row_a_dead_worker_left_running_is_closed_with_its_job(insider):
    """django-tasks' own row of the task: left "running" by a worker that died, it is
    closed when its job is swept, so that the admin's task list tells the truth too."""
    from django_tasks_db.models import DBTaskResult

    from baolei.imports.tasks import run_import_job

    dead = job_of(insider, ImportJob.Status.LOADING, 11 * MINUTES)
    tasks.enqueue(dead)
    DBTaskResult.objects.filter(pk=dead.task_id).update(
        status="RUNNING", started_at=timezone.now() - 11 * MINUTES, worker_ids=["gone"]
    )
    alive = job_of(insider, ImportJob.Status.LOADING, 1 * MINUTES)
    tasks.enqueue(alive)
    DBTaskResult.objects.filter(pk=alive.task_id).update(
        status="RUNNING", started_at=timezone.now() - 1 * MINUTES, worker_ids=["here"]
    )

    stale.sweep_stale_jobs()

    assert DBTaskResult.objects.get(pk=dead.task_id).status == "FAILED"
    assert DBTaskResult.objects.get(pk=alive.task_id).status == "RUNNING"
    assert run_import_job.get_result(dead.task_id).status == "FAILED"
