"""Import jobs left running by a worker that died.

The load is one transaction, so a worker killed in the middle of a job wrote nothing; but
its job stays "validating" or "loading" for ever, and the clerk watching the page waits
for ever. Every progress report of a running job is its heartbeat (`heartbeat_at`, or
on SQLite during the load the side file's time); a job whose heartbeat is older than
`BAOLEI_IMPORT_STALE_SECONDS` (10 minutes by default) is marked failed with a message
telling the clerk to upload the file again.

The job's final status is committed with its data (`jobs.run_job`), so a job still
running never wrote anything: the message is true. django-tasks' own row of the task
(`DBTaskResult`), left "running" by the dead worker, is closed at the same time.

The sweep runs when a worker takes up an import (`tasks.run_import_job`), when the job
list is shown, and from `baolei sweep-imports` (for `baolei serve` to run as the worker
starts, and for cron).
"""

import datetime
import logging
from functools import partial

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from baolei.imports.models import ImportJob, progress_file, read_progress_file
from baolei.transactions import unless_busy

logger = logging.getLogger(__name__)

DEFAULT_STALE_SECONDS = 600
STOPPED = _(
    "The worker stopped while this job was running; nothing was written. Upload the file again."
)


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(
        seconds=getattr(settings, "BAOLEI_IMPORT_STALE_SECONDS", DEFAULT_STALE_SECONDS)
    )


def _last_sign_of_life(job: ImportJob) -> datetime.datetime:
    beats = [job.heartbeat_at or job.started_at or job.created_at]
    reported = read_progress_file(job.pk)
    if reported is not None:
        beats.append(datetime.datetime.fromtimestamp(reported["at"], tz=datetime.UTC))
    return max(beats)


def sweep_stale_jobs(now: datetime.datetime | None = None) -> list[int]:
    """Mark failed every running job silent for longer than `stale_after()`; returns
    their ids. Each is updated only if it is still as it was read (a worker that comes
    back to life and finishes wins), and a database busy with a load is left for the
    next sweep rather than waited for."""
    now = now or timezone.now()
    cutoff = now - stale_after()
    running = ImportJob.objects.filter(
        status__in=[ImportJob.Status.VALIDATING, ImportJob.Status.LOADING]
    )
    silent = running.filter(
        Q(heartbeat_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__isnull=True, created_at__lt=cutoff)
    )
    swept = []
    for job in silent:
        if _last_sign_of_life(job) >= cutoff:
            continue
        with translation.override(job.language):
            message = str(STOPPED)
        marked = running.filter(pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at)
        try:
            # SQLite locked by a load: skipped, not waited for; the next sweep will do.
            changed = unless_busy(
                partial(
                    marked.update,
                    status=ImportJob.Status.FAILED,
                    message=message,
                    finished_at=now,
                ),
                f"sweeping import job {job.pk}",
            )
        except DatabaseError as error:
            logger.warning("could not sweep import job %s: %s", job.pk, error)
            continue
        if changed:
            progress_file(job.pk).unlink(missing_ok=True)
            logger.warning("import job %s was stale since %s: marked failed", job.pk, cutoff)
            swept.append(job.pk)
    _close_dead_tasks(cutoff, now)
    return swept


def _close_dead_tasks(cutoff: datetime.datetime, now: datetime.datetime) -> None:
    """Close the task rows of finished import jobs that a dead worker left running: as
    failed when the job failed, as successful when it was done or rejected (the worker
    died after committing the job's outcome, before recording the task's)."""
    try:
        tasks = {
            str(task.pk): task
            for task in DBTaskResult.objects.filter(
                status=TaskResultStatus.RUNNING, started_at__lt=cutoff
            )
        }
        if not tasks:
            return
        finished = ImportJob.objects.filter(
            task_id__in=list(tasks), status__in=ImportJob.FINISHED, finished_at__lte=now
        )
        for job in finished:
            task = tasks[job.task_id]
            closing = DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING)
            if job.status == ImportJob.Status.FAILED:
                close = partial(
                    closing.update,
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    exception_class_path="baolei.imports.stale.WorkerStopped",
                    traceback=f"The worker stopped while running import job {job.pk}.",
                )
            else:
                close = partial(
                    closing.update,
                    status=TaskResultStatus.SUCCESSFUL,
                    finished_at=now,
                    return_value={"status": job.status, "counts": job.counts},
                )
            if unless_busy(close, f"closing task {task.pk}"):
                logger.warning("task %s of import job %s was left running: closed", task.pk, job.pk)
    except DatabaseError as error:  # busy: the next sweep will do
        logger.warning("could not close the tasks of dead workers: %s", error)
