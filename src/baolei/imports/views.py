"""Import and export pages: upload a file, watch its job, fetch the rejected rows, get a
template; download the household list. Every job is found through the scope (another
region's job is "not found"), and each sheet asks for its own permission to import."""

from pathlib import PurePath

from django import forms
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.forms import BulmaFormMixin
from baolei.imports import exporting, pipeline, privacy, stale
from baolei.imports.jobs import do_create_job, previous_imports
from baolei.imports.reading import CSV_EXTENSIONS, SPREADSHEET_EXTENSIONS, Limits, too_big
from baolei.imports.services import (
    importable_sheets,
    job_in_scope,
    rejected_file_response,
    sheet_for,
    template_response,
    visible_jobs,
)
from baolei.imports.tasks import enqueue

JOBS_PER_PAGE = 30
SHOWN_ERRORS = 200


class UploadForm(BulmaFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Sheet"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel workbook (.xlsx, .xls, .ods) or a CSV file (UTF-8 or GBK)."),
    )

    def __init__(self, *args, sheets: list[pipeline.Sheet], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(sheet.kind, sheet.title) for sheet in sheets]
        self.fields["file"].widget.attrs["class"] = ""  # the browser's own file picker
        self.fields["file"].widget.attrs["accept"] = ",".join(
            sorted(CSV_EXTENSIONS | SPREADSHEET_EXTENSIONS)
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = PurePath(upload.name).suffix.lower()
        if extension not in CSV_EXTENSIONS | SPREADSHEET_EXTENSIONS:
            raise forms.ValidationError(
                _("Upload an .xlsx, .xls, .ods or .csv file."), code="extension"
            )
        limits = Limits.from_settings()
        if upload.size > limits.upload_bytes:
            raise forms.ValidationError(too_big(upload.size, limits).message, code="size")
        return upload


def _optional_url(name: str) -> str | None:
    """The page where the imported records are listed, if the app provides one."""
    try:
        return reverse(name) if name else None
    except NoReverseMatch:
        return None


@require_perm(Perm.VIEW)
def upload(request: HttpRequest) -> HttpResponse:
    """Choose a sheet and a file; the job is queued for the worker and its page shown."""
    sheets = importable_sheets(request.scope)
    initial = {"kind": request.GET.get("kind") or sheets[0].kind}
    form = UploadForm(request.POST or None, request.FILES or None, sheets=sheets, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = do_create_job(
            kind=form.cleaned_data["kind"],
            upload=upload,
            filename=upload.name,
            user=request.user,
            scope=request.scope,
            channel="web",
            language=request.LANGUAGE_CODE,
        )
        enqueue(job)
        return redirect("imports:job_detail", pk=job.pk)
    context = {
        "form": form,
        "sheets": sheets,
        "recent": visible_jobs(request.scope).select_related("uploaded_by")[:5],
    }
    return render(request, "imports/upload.html", context)


@require_perm(Perm.VIEW)
def job_list(request: HttpRequest) -> HttpResponse:
    importable_sheets(request.scope)
    stale.sweep_stale_jobs()
    jobs = visible_jobs(request.scope).select_related("uploaded_by")
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    titles = {sheet.kind: sheet.title for sheet in pipeline.sheets().values()}
    return render(request, "imports/job_list.html", {"page_obj": page, "titles": titles})


@require_perm(Perm.VIEW)
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's state; the page polls it (HTMX, every second) until it has finished."""
    job = job_in_scope(request.scope, pk).with_live_progress()
    sheet = pipeline.get_sheet(job.kind)
    errors = job.errors[:SHOWN_ERRORS]
    if not privacy.reveals_personal_data(request.scope, request.user, job):
        errors = privacy.masked_errors(errors)
    context = {
        "job": job,
        "sheet": sheet,
        "errors": errors,
        "more_errors": max(0, job.error_count - min(len(job.errors), SHOWN_ERRORS)),
        "previous": previous_imports(job).first() if job.is_finished else None,
        "list_url": _optional_url(sheet.list_url),
    }
    polled = request.headers.get("HX-Request") == "true"
    template = "imports/_job.html" if polled else "imports/job_detail.html"
    return render(request, template, context)


@require_perm(Perm.VIEW)
def job_errors(request: HttpRequest, pk: int) -> FileResponse:
    job = job_in_scope(request.scope, pk)
    reveal = privacy.reveals_personal_data(request.scope, request.user, job)
    return rejected_file_response(job, exporting.chosen_format(request), reveal=reveal)


@require_perm(Perm.VIEW)
def template(request: HttpRequest, kind: str) -> HttpResponse:
    """The sheet's empty template, with the villages of the person's scope to pick."""
    return template_response(sheet_for(request.scope, kind), request.scope)
