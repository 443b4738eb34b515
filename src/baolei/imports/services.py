"""What the import pages and the imports API share: the sheets a person may import, the
jobs they may see (another region's job is "not found"), and the files served from them."""

import io
from pathlib import PurePath

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

from baolei.accounts.scope import Scope, get_in_scope, scoped
from baolei.imports import exporting, pipeline, privacy, workbooks
from baolei.imports.models import ImportJob


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
