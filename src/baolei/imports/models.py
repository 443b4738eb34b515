"""Import jobs: one uploaded file, its validation, its load and what came of it."""

import json
import uuid
from pathlib import Path, PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def upload_path(job: "ImportJob", filename: str) -> str:
    """Under MEDIA_ROOT/imports/, by month, never under the clerk's own file name: the
    name they chose is kept in `filename` for display, the path stays plain ASCII."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ImportJob(models.Model):
    """One uploaded file and its import, from the queue to the outcome.

    The job is a row in the database, as is the task that runs it (the django-tasks
    database queue), so a restart of the web server loses neither. `region_code` is
    the uploader's scope when they uploaded: the job, its rows and its rejected-rows file
    are visible to people whose scope contains it, like any other record.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Validating")
        LOADING = "loading", _("Loading")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")

    FINISHED = frozenset({Status.DONE, Status.REJECTED, Status.FAILED})

    scope_field = "region_code"

    kind = models.CharField(_("sheet"), max_length=32)
    file = models.FileField(_("file"), upload_to=upload_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploader_name = models.CharField(_("uploader"), max_length=150, blank=True)
    channel = models.CharField(_("channel"), max_length=16, default="web")
    region_code = models.CharField(_("region code"), max_length=12, blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=16, default=settings.LANGUAGE_CODE)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(
        _("first errors"),
        default=list,
        blank=True,
        help_text=_("The first errors, for the page; the rejected-rows file has them all."),
    )
    error_file = models.FileField(
        _("rejected rows (XLSX)"), upload_to=upload_path, max_length=200, blank=True
    )
    error_csv = models.FileField(
        _("rejected rows (CSV)"), upload_to=upload_path, max_length=200, blank=True
    )
    message = models.TextField(_("message"), blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("last progress"),
        null=True,
        blank=True,
        help_text=_("When the worker last reported progress; a job silent for long is stale."),
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region_code", "created_at"], name="import_region_created")]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))

    @property
    def is_csv(self) -> bool:
        return PurePath(self.filename).suffix.lower() == ".csv"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.LOADING)

    def with_live_progress(self) -> "ImportJob":
        """The job with the progress of its load, which on SQLite is in a side file (the
        job's row cannot be written while the load's transaction holds the database)."""
        if self.status == self.Status.LOADING:
            reported = read_progress_file(self.pk)
            if reported is not None:
                self.rows_done = reported["rows_done"]
                self.rows_total = reported["rows_total"]
        return self


def progress_file(job_id: int) -> Path:
    """Where a load's progress goes when the database cannot take it (SQLite)."""
    return Path(settings.MEDIA_ROOT) / "imports" / "progress" / f"{job_id}.json"


def read_progress_file(job_id: int) -> dict | None:
    """The progress the worker last wrote aside, with the file's time (`at`), if any."""
    path = progress_file(job_id)
    try:
        reported = json.loads(path.read_text())
        reported["at"] = path.stat().st_mtime
    except (OSError, ValueError):
        return None
    return reported
