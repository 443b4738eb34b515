"""The village reports of a whole township or county as one ZIP of PDFs, built in the
background (`dashboard.tasks`) with its progress in a `ReportBatch` row.

A batch is its creator's alone: the PDFs are drawn with the creator's scope, so only the
creator, and only while the region is still in their scope, sees its progress or
downloads it."""

from __future__ import annotations

import logging
import tempfile
import zipfile

from django.conf import settings
from django.core.files import File
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation

from baolei.accounts.scope import Scope, scoped
from baolei.dashboard.models import ReportBatch
from baolei.dashboard.services import report
from baolei.regions import codes
from baolei.regions.models import Level, Region

log = logging.getLogger(__name__)

# Whole townships and counties: a village has its own report, and a city's thousands of
# villages are a county's batches, one after another.
BATCH_LEVELS = (Level.COUNTY, Level.TOWNSHIP)


def batch_regions(scope: Scope) -> list[Region]:
    """The townships and counties of the scope a batch may be started for: the viewer's
    own region when it is one, and the townships and counties just below it."""
    code = scope.region_code
    if scope.empty or not code:  # national users: thousands of counties, none offered
        return []
    level = codes.level_of(code)
    return list(
        Region.objects.within(code)
        .filter(level__in=BATCH_LEVELS, level__lte=level + 2)
        .order_by("code")
    )


def villages_of(code: str) -> QuerySet[Region]:
    return Region.objects.within(code).villages().order_by("code")


def visible_batches(scope: Scope, user) -> QuerySet[ReportBatch]:
    """The user's own batches of regions still in their scope."""
    return scoped(ReportBatch.objects.all(), scope).filter(created_by=user)


def batch_in_scope(scope: Scope, user, pk: int) -> ReportBatch:
    """The batch `pk` if it is the user's and in their scope; 404 otherwise."""
    batch = visible_batches(scope, user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


def start_batch(user, region: Region) -> ReportBatch:
    """A queued batch for `region` (a township or county the caller found in the user's
    scope)."""
    if region.level not in BATCH_LEVELS:
        raise ValueError("a batch is built for a township or a county")
    return ReportBatch.objects.create(
        region_code=region.code, created_by=user, total=villages_of(region.code).count()
    )


def run_batch(batch: ReportBatch) -> ReportBatch:
    """Draw every village's PDF into one ZIP, counting `done` as it goes. The report is
    read with the creator's scope as it is now: a user moved out of the region gets an
    empty batch, never another region's figures."""
    scope = Scope.for_user(batch.created_by)
    villages = list(villages_of(batch.region_code))
    if not scope.contains(batch.region_code):
        villages = []
    _update(batch, status=ReportBatch.Status.RUNNING, total=len(villages), done=0)
    today = timezone.localdate()
    try:
        with tempfile.TemporaryFile() as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for done, village in enumerate(villages, start=1):
                    # In the site's language, as every file passed between offices is.
                    with translation.override(settings.LANGUAGE_CODE):
                        made = report.village_report(scope, village, today)
                        pdf = report.report_pdf(made)
                    # By code first, so the files list in the order of the division.
                    archive.writestr(f"{village.code}-{village.name}.pdf", pdf)
                    _update(batch, done=done)
            handle.seek(0)
            region = Region.objects.filter(code=batch.region_code).first()
            name = f"村级作战图-{region.name if region else ''}-{batch.region_code}-{today:%Y%m%d}"
            batch.file.save(f"{name}.zip", File(handle), save=False)
    except Exception as error:
        log.exception("report batch %s failed", batch.pk)
        _update(batch, status=ReportBatch.Status.FAILED, message=str(error)[:500])
        raise
    _update(batch, file=batch.file.name, status=ReportBatch.Status.DONE)
    return batch


def _update(batch: ReportBatch, **values) -> None:
    """Write the progress at once, so that the polling page sees it while the job runs."""
    if values.get("status") in ReportBatch.FINISHED:
        values["finished_at"] = timezone.now()
    ReportBatch.objects.filter(pk=batch.pk).update(**values)
    for name, value in values.items():
        setattr(batch, name, value)
