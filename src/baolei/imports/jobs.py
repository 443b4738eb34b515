"""Import jobs: the upload stored and queued, `run_job` driving an `ImportJob` through
`run_import` to done, rejected (with the rejected-rows files) or failed, and the progress
written where the job's page reads it.
"""

import hashlib
import json
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import BinaryIO

from django.core.files import File
from django.db import DatabaseError, IntegrityError, connection, connections, models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from baolei.accounts.permissions import Role
from baolei.accounts.scope import Scope
from baolei.audit import context as audit_context
from baolei.imports import parsing
from baolei.imports.models import ImportJob, progress_file
from baolei.imports.pipeline import ImportContext, Outcome, get_sheet
from baolei.imports.running import Progress, run_import
from baolei.imports.workbooks import write_rejected_csv, write_rejected_xlsx
from baolei.messages import lazy_format

logger = logging.getLogger(__name__)

STORED_ERRORS = 500  # errors kept on the job for the page; the file has them all


def sha256_of(handle: BinaryIO) -> str:
    digest = hashlib.sha256()
    handle.seek(0)
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def do_create_job(
    *,
    kind: str,
    upload: File,
    filename: str,
    user=None,
    scope: Scope,
    channel: str = "web",
    language: str | None = None,
) -> ImportJob:
    """Store the uploaded file under MEDIA_ROOT/imports/ and record the job, queued.

    The caller enqueues it (`tasks.enqueue`) or runs it (`run_job`). The job's region is the
    uploader's scope, so that it is seen by those whose scope contains it.
    """
    digest = sha256_of(upload)
    job = ImportJob(
        kind=kind,
        filename=PurePath(filename).name[:255],
        sha256=digest,
        size=upload.size or 0,
        uploaded_by=user if getattr(user, "pk", None) else None,
        uploader_name=(user.get_username() if getattr(user, "pk", None) else "")[:150],
        channel=channel,
        region_code=scope.region_code or "",
        language=language or translation.get_language() or "zh-hans",
    )
    job.file.save(filename, upload, save=False)
    job.save()
    return job


def previous_imports(job: ImportJob) -> models.QuerySet:
    """Earlier successful imports of the very same file (same SHA-256) in the same scope."""
    return ImportJob.objects.filter(
        sha256=job.sha256, kind=job.kind, status=ImportJob.Status.DONE, region_code=job.region_code
    ).exclude(pk=job.pk)


def job_scope(job: ImportJob) -> Scope:
    """The uploader's scope as it is now (a deactivated uploader has none); a job from
    the command line without `--as` is the operator's, for the whole country."""
    if job.uploaded_by_id is not None:
        return Scope.for_user(job.uploaded_by)
    return Scope(role=Role.SYSTEM_ADMIN, region_code=None)


class JobProgress(Progress):
    """Writes the phase and the rows done to the job's row, every `every` rows, each in
    its own short transaction so that the page polling the job sees it at once.

    Every write is also the job's heartbeat (`heartbeat_at`): a job in progress whose
    heartbeat stopped long ago was left by a worker that died (`stale.sweep_stale_jobs`).

    During the load, the pipeline is inside its one big transaction; on PostgreSQL the
    progress goes through a second connection, on SQLite (one writer at a time, held by
    the load) into a small side file that the job's page reads
    (`ImportJob.with_live_progress`). `echo` receives every report too (the terminal's
    bar).
    """

    def __init__(self, job: ImportJob, echo: Callable[[str, int, int], None] | None = None):
        self.job = job
        self.echo = echo
        self.status = job.status
        self.total = 0
        self.done = 0
        self.written = 0
        self.every = 1
        self._side = None
        self._file: Path | None = None

    def phase(self, status: str, total: int) -> None:
        self.status, self.total, self.done, self.written = status, total, 0, 0
        self.every = max(1, min(parsing.PARSE_CHUNK, total // 100 or 1))
        self._write(force=True)

    def rows(self, done: int) -> None:
        if self.status == ImportJob.Status.LOADING:
            self.done = min(self.total, self.done + done)  # the loader counts per batch
        else:
            self.done = done
        if self.done - self.written >= self.every or self.done == self.total:
            self._write()

    def _write(self, force: bool = False) -> None:
        """`phase` is reported before the load's transaction begins; rows loaded are
        reported from inside it."""
        self.written = self.done
        if self.echo is not None:
            self.echo(self.status, self.done, self.total)
        values = {
            "status": self.status,
            "rows_done": self.done,
            "rows_total": self.total,
            "heartbeat_at": timezone.now(),
        }
        if force or self.status != ImportJob.Status.LOADING:
            ImportJob.objects.filter(pk=self.job.pk).update(**values)
        elif connection.vendor == "postgresql":
            self._write_aside(values)
        else:
            self._write_file(values)

    def _write_aside(self, values: dict) -> None:
        try:
            if self._side is None:
                self._side = connections.create_connection(connection.alias)
            with self._side.cursor() as cursor:
                cursor.execute(
                    "UPDATE imports_importjob SET status = %s, rows_done = %s, rows_total = %s, "
                    "heartbeat_at = %s WHERE id = %s",
                    [
                        values["status"],
                        values["rows_done"],
                        values["rows_total"],
                        values["heartbeat_at"],
                        self.job.pk,
                    ],
                )
        except DatabaseError:  # progress is a courtesy; the import must not fail for it
            logger.warning("could not report the progress of import job %s", self.job.pk)

    def _write_file(self, values: dict) -> None:
        path = progress_file(self.job.pk)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial")
            partial.write_text(
                json.dumps({"rows_done": values["rows_done"], "rows_total": values["rows_total"]})
            )
            partial.replace(path)  # a reader sees the old report or the new, never half
            self._file = path
        except OSError:
            logger.warning("could not report the progress of import job %s", self.job.pk)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None
        if self._file is not None:
            self._file.unlink(missing_ok=True)
            self._file = None


def _save_rejected_files(job: ImportJob, outcome: Outcome) -> None:
    if not outcome.source_rows:
        return
    stem = f"{job.pk}-rejected"
    with tempfile.TemporaryFile() as handle:
        write_rejected_xlsx(outcome, handle)
        handle.seek(0)
        job.error_file.save(f"{stem}.xlsx", File(handle), save=False)
    if job.is_csv:
        with tempfile.TemporaryFile() as handle:
            write_rejected_csv(outcome, handle)
            handle.seek(0)
            job.error_csv.save(f"{stem}.csv", File(handle), save=False)


def run_job(job: ImportJob, echo: Callable[[str, int, int], None] | None = None) -> ImportJob:
    """Run one job to its end: done, rejected (with the rejected-rows files) or failed.

    Every change is attributed to the uploader and made within their scope as it is now.
    A loaded file is marked done in the transaction that loads it, so the job's status
    and the register never disagree. An unexpected error marks the job failed (nothing
    was written: the load is one transaction) and is raised again for the worker's log.
    """
    job.status = ImportJob.Status.VALIDATING
    job.started_at = job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "started_at", "heartbeat_at"])
    progress = JobProgress(job, echo)
    scope = job_scope(job)
    actor = audit_context.Actor(
        id=job.uploaded_by_id,
        name=job.uploader_name or audit_context.current_actor().name,
        channel=job.channel,
    )
    try:
        with translation.override(job.language), audit_context.acting_as(actor):
            sheet = get_sheet(job.kind)
            if not scope.can(sheet.import_permission):
                raise PermissionError("the uploader may no longer import this sheet")
            context = ImportContext(
                scope=scope,
                filename=job.filename,
                sha256=job.sha256,
                actor_name=actor.name,
                job_id=job.pk,
            )
            # A loaded file's job is finished inside the load's transaction: a worker
            # killed just after the commit cannot leave data behind a job that says
            # nothing was written.
            outcome = run_import(
                sheet,
                _source(job),
                job.filename,
                context,
                progress,
                loaded=lambda outcome: _finish(job, outcome),
            )
            if outcome.status != ImportJob.Status.DONE:
                _finish(job, outcome)
    except IntegrityError as error:
        _fail(
            job,
            _(
                "The register changed while the file was loading (another import or edit "
                "added the same person or household). Nothing was changed; upload it again."
            ),
        )
        logger.warning("import job %s: %s", job.pk, error)
    except Exception as error:
        with translation.override(job.language):
            _fail(job, lazy_format(_("The import stopped: %(error)s"), error=str(error)))
        raise
    finally:
        progress.close()
    return job


def _source(job: ImportJob) -> str | bytes:
    """The stored file's path, or its bytes where the storage has no local paths."""
    try:
        return job.file.path
    except NotImplementedError:
        with job.file.open("rb") as handle:
            return handle.read()


def _finish(job: ImportJob, outcome: Outcome) -> None:
    job.status = outcome.status
    job.counts = outcome.counts
    job.rows_total = outcome.rows
    job.rows_done = outcome.rows if outcome.status == ImportJob.Status.DONE else 0
    job.error_count = len(outcome.errors)
    job.errors = [error.as_json() for error in outcome.errors.first(STORED_ERRORS)]
    if outcome.ignored_columns:
        job.message = str(
            lazy_format(
                _("These columns were ignored: %(columns)s"),
                columns="、".join(outcome.ignored_columns),
            )
        )
    if outcome.status == ImportJob.Status.REJECTED:
        _save_rejected_files(job, outcome)
    job.finished_at = timezone.now()
    job.save()


def _fail(job: ImportJob, message) -> None:
    job.status = ImportJob.Status.FAILED
    job.message = str(message)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at"])
