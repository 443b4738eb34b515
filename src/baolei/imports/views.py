"""Import and export pages: upload a file, watch its job, fetch the rejected rows, get a
template; download the household list. Every job is found through the scope (another
region's job is "not found"), and each sheet asks for its own permission to import."""

import io
from pathlib import PurePath

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, get_in_scope, scoped
from baolei.forms import BulmaFormMixin
from baolei.imports import exporting, pipeline, privacy, stale, workbooks
from baolei.imports.jobs import do_create_job, enqueue, previous_imports
from baolei.imports.models import ImportJob
from baolei.imports.reading import CSV_EXTENSIONS, SPREADSHEET_EXTENSIONS, Limits, too_big

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


def importable_sheets(scope: Scope) -> list[pipeline.Sheet]:
    """The sheets this person may import; none at all is a 403."""
    sheets = pipeline.sheets_for(scope)
    if not sheets:
        raise PermissionDenied
    return sheets


def visible_jobs(scope: Scope):
    """Jobs within the scope, of the sheets the person may import."""
    kinds = [sheet.kind for sheet in pipeline.sheets_for(scope)]
    return scoped(ImportJob.objects.filter(kind__in=kinds), scope)


def job_in_scope(scope: Scope, pk: int) -> ImportJob:
    """The job, or 404 when it is outside the scope (as if it did not exist); 403 when
    the person may not import its sheet."""
    job = get_in_scope(ImportJob.objects.select_related("uploaded_by"), scope, pk=pk)
    try:
        sheet = pipeline.get_sheet(job.kind)
    except KeyError:
        raise Http404 from None
    if not scope.can(sheet.import_permission):
        raise PermissionDenied
    return job


def sheet_for(scope: Scope, kind: str) -> pipeline.Sheet:
    try:
        sheet = pipeline.get_sheet(kind)
    except KeyError:
        raise Http404 from None
    if not scope.can(sheet.import_permission):
        raise PermissionDenied
    return sheet


def _optional_url(name: str) -> str | None:
    """The page where the imported records are listed, if the app provides one."""
    try:
        return reverse(name) if name else None
    except NoReverseMatch:
        return None


def rejected_file_response(job: ImportJob, fmt: str, *, reveal: bool) -> FileResponse:
    """The rejected rows as uploaded with the reason column: CSV when asked and the
    upload was CSV, XLSX otherwise; with the ID numbers masked unless `reveal`
    (`privacy.reveals_personal_data`)."""
    stored = job.error_csv if fmt == exporting.CSV and job.error_csv else job.error_file
    if not stored:
        raise Http404
    extension = PurePath(stored.name).suffix
    name = f"{PurePath(job.filename).stem}-{workbooks.REASON_HEADER}{extension}"
    if reveal:
        return FileResponse(stored.open("rb"), as_attachment=True, filename=name)
    masked = privacy.masked_copy(stored, xlsx=extension.lower() != ".csv")
    return FileResponse(masked, as_attachment=True, filename=name)


def template_response(sheet: pipeline.Sheet, scope: Scope) -> HttpResponse:
    buffer = io.BytesIO()
    workbooks.write_template(sheet, buffer, scope)
    response = HttpResponse(buffer.getvalue(), content_type=exporting.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        # Named as the link that offers it (its title), in Chinese for everyone.
        as_attachment=True,
        filename=f"{exporting.chinese(sheet.title)}-模板.xlsx",
    )
    return response


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


@require_perm(Perm.VIEW)
def export_households(request: HttpRequest) -> HttpResponse:
    """The filtered household list, one row per person in the import sheet's columns;
    ID numbers masked (health and disability hidden) unless the role may see them."""
    from baolei.registry import services
    from baolei.registry import sheets as registry_sheets
    from baolei.registry.forms import HouseholdFilterForm
    from baolei.registry.models import Household

    params = request.GET.copy()
    params.pop("format", None)
    form = HouseholdFilterForm(params or None, scope=request.scope)
    if form.is_bound and not form.is_valid():
        if "region" in form.errors:  # unknown or outside the scope: not found, alike
            raise Http404
        return HttpResponseBadRequest(_("The filters are not valid."))
    households = services.filter_households(
        scoped(Household.objects.all(), request.scope), form.to_filters()
    )
    reveal = request.scope.can(Perm.SEE_PERSONAL_DATA)
    members = registry_sheets.export_members(households)
    filters = form.cleaned_data if form.is_bound else {}
    return exporting.export_response(
        request,
        header=registry_sheets.export_header(),
        rows=registry_sheets.export_rows(members.iterator(chunk_size=2000), reveal),
        filename=exporting.file_name(request.scope, registry_sheets.SHEET.title),
        model="registry.household",
        filters=filters,
        count=members.count,
        sheet_name=registry_sheets.SHEET.sheet_name,
        text_columns=registry_sheets.text_columns(),
        widths=[column.width for column in registry_sheets.COLUMNS],
        details={"masked": not reveal},
    )
