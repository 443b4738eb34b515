"""The command centre's stored figures.

`Fact` holds each measure counted at the region code its records carry; `RollUp` holds
the same summed over a region and everything below it, for every level from the nation
(code "") down to the village, so a page reads a region and its children with one
indexed query. `DirtyRegion` is the queue of codes whose facts a write has moved: the
database's own triggers fill it in the writing transaction, the refresher empties it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Fact(models.Model):
    region_code = models.CharField(_("region code"), max_length=12)
    measure = models.CharField(_("measure"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"), default=0)  # 0: the present state
    value = models.BigIntegerField(_("value"))

    class Meta:
        verbose_name = _("fact")
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "measure", "year"], name="dashboard_fact_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_code or '—'} {self.measure} {self.year}: {self.value}"


class RollUp(models.Model):
    region_code = models.CharField(_("region code"), max_length=12)  # "" is the nation
    # NULL only for the nation: "" is the nation's own code, the provinces' parent.
    parent_code = models.CharField(_("parent code"), max_length=12, null=True)  # noqa: DJ001
    level = models.PositiveSmallIntegerField(_("level"))  # 0 nation … 5 village
    measure = models.CharField(_("measure"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"), default=0)
    value = models.BigIntegerField(_("value"))

    class Meta:
        verbose_name = _("roll-up")
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "measure", "year"], name="dashboard_rollup_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["parent_code", "measure", "year"], name="dashboard_rollup_children"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_code or '—'} {self.measure} {self.year}: {self.value}"


class DirtyRegion(models.Model):
    """A region code a committed write has touched and the refresher has not yet
    recounted. Rows are only ever inserted (by triggers) and deleted by id (by the
    refresher), so a write that commits while a refresh runs is never lost."""

    region_code = models.CharField(_("region code"), max_length=12, db_index=True)

    class Meta:
        verbose_name = _("region awaiting a recount")

    def __str__(self) -> str:
        return self.region_code


class RefreshState(models.Model):
    """One row: when the stored figures were last brought up to date, and the day the
    date-dependent ones were counted for."""

    refreshed_at = models.DateTimeField(_("refreshed at"), null=True)
    rebuilt_at = models.DateTimeField(_("rebuilt at"), null=True)
    facts_date = models.DateField(_("counted for"), null=True)

    class Meta:
        verbose_name = _("refresh state")

    def __str__(self) -> str:
        return f"{self.refreshed_at}"


class Boundary(models.Model):
    """The outlines of a region's children, as an administrator uploaded them: one GeoJSON
    FeatureCollection per parent region ("" the nation), each feature carrying its child's
    division code. ECharts ships no map data any more, and a published map needs an
    approval number (审图号), so the site draws a map only from boundaries it was given."""

    region_code = models.CharField(_("region code"), max_length=12, unique=True)
    geojson = models.TextField(_("GeoJSON"))
    features = models.PositiveIntegerField(_("features"))
    approval_number = models.CharField(_("map approval number"), max_length=60, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)
    uploaded_by = models.CharField(_("uploaded by"), max_length=150, blank=True)

    scope_field = "region_code"

    class Meta:
        verbose_name = _("boundary map")
        verbose_name_plural = _("boundary maps")

    def __str__(self) -> str:
        return f"{self.region_code or '—'} ({self.features})"


class ReportBatch(models.Model):
    """The one-page reports of every village of a region, built as PDFs into one ZIP by
    the task worker (`dashboard.tasks`). The row is the page's progress: the worker counts
    `done` up to `total`. It is its creator's: another user, even of the same scope, never
    sees it, since the reports were built with the creator's scope."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    FINISHED = frozenset({Status.DONE, Status.FAILED})

    scope_field = "region_code"

    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", max_length=200, blank=True)
    message = models.TextField(_("message"), blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("village report batch")
        verbose_name_plural = _("village report batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.region_code} {self.status} {self.done}/{self.total}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0
