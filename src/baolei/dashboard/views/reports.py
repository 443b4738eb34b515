"""The village one-page report (村级作战图) as a page to print, a PDF and a workbook, and
the batches that build every village's PDF of a township or county into one ZIP.

Scope: a village outside the viewer's scope answers 404 like one that does not exist; a
batch is its creator's and answers 404 to anyone else. Every download is one audit event."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope
from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.dashboard import tasks
from baolei.dashboard.services import report, report_batches, report_xlsx
from baolei.regions.models import Region

BATCHES_SHOWN = 20


def _village(request: HttpRequest, code: str) -> Region:
    region = get_in_scope(Region.objects.all(), request.scope, code=code)
    if not region.is_village:
        raise Http404
    return region


def _audit(request: HttpRequest, model: str, filename: str, fmt: str, rows: int, **filters):
    audit.record_bulk(
        Action.EXPORT,
        model=model,
        rows=rows,
        region_code=request.scope.region_code or "",
        format=fmt,
        filename=filename,
        filters=filters,
    )


@require_GET
@require_perm(Perm.VIEW)
def village_report(request: HttpRequest, code: str) -> HttpResponse:
    """The village's inputs and outcomes on one page, styled to print on one A4 sheet."""
    made = report.village_report(request.scope, _village(request, code))
    return HttpResponse(report.report_html(made))


@require_GET
@require_perm(Perm.VIEW)
def village_report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    made = report.village_report(request.scope, _village(request, code))
    body = report.report_pdf(made)
    filename = f"{report.file_stem(made)}.pdf"
    _audit(request, "dashboard.report", filename, "pdf", 1, village=code)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


@require_GET
@require_perm(Perm.VIEW)
def village_report_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    made = report.village_report(request.scope, _village(request, code))
    return report_xlsx.report_response(request, made)


@require_http_methods(["GET", "POST"])
@require_perm(Perm.VIEW)
def batches(request: HttpRequest) -> HttpResponse:
    """Start a batch for a township or county of the scope; the user's recent batches."""
    regions = report_batches.batch_regions(request.scope)
    if request.method == "POST":
        code = request.POST.get("region", "")
        # Only what the page offers: a township or county of the scope, else 404.
        region = get_in_scope(Region.objects.all(), request.scope, code=code)
        if region.level not in report_batches.BATCH_LEVELS:
            raise Http404
        batch = tasks.enqueue(report_batches.start_batch(request.user, region))
        return redirect("dashboard:report_batch", pk=batch.pk)
    mine = list(report_batches.visible_batches(request.scope, request.user)[:BATCHES_SHOWN])
    names = dict(
        Region.objects.filter(code__in={b.region_code for b in mine}).values_list("code", "name")
    )
    for batch in mine:
        batch.region_name = names.get(batch.region_code, batch.region_code)
    context = {"regions": regions, "chosen": request.GET.get("region", ""), "batches": mine}
    return render(request, "dashboard/report_batches.html", context)


@require_GET
@require_perm(Perm.VIEW)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch's progress; the page polls it (htmx, every second) until it finishes."""
    batch = report_batches.batch_in_scope(request.scope, request.user, pk)
    region = Region.objects.filter(code=batch.region_code).first()
    context = {"batch": batch, "region": region}
    polled = request.headers.get("HX-Request") == "true"
    template = "dashboard/report_batch_progress.html" if polled else "dashboard/report_batch.html"
    return render(request, template, context)


@require_GET
@require_perm(Perm.VIEW)
def batch_download(request: HttpRequest, pk: int) -> FileResponse:
    batch = report_batches.batch_in_scope(request.scope, request.user, pk)
    if batch.status != batch.Status.DONE or not batch.file:
        raise Http404
    filename = batch.file.name.rsplit("/", 1)[-1]
    _audit(request, "dashboard.reportbatch", filename, "zip", batch.total, region=batch.region_code)
    return FileResponse(
        batch.file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/zip",
    )
