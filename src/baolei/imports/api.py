"""The imports API: upload a file (multipart), follow its job, fetch the rejected rows,
get a sheet's template. Scoped like the pages: another region's job is 404."""

import datetime
from pathlib import PurePath

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from baolei.accounts.permissions import Perm
from baolei.bounds import Limit
from baolei.imports import exporting, privacy, services, stale
from baolei.imports.jobs import do_create_job
from baolei.imports.models import ImportJob
from baolei.imports.reading import CSV_EXTENSIONS, SPREADSHEET_EXTENSIONS, Limits, too_big
from baolei.imports.tasks import enqueue

router = Router(tags=["imports"])


class ImportJobOut(Schema):
    id: int
    kind: str
    filename: str
    sha256: str
    status: str
    rows_done: int
    rows_total: int
    percent: int
    counts: dict
    error_count: int
    errors: list[dict]
    message: str
    uploaded_by: str
    region_code: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    rejected_rows_url: str | None

    @staticmethod
    def resolve_errors(job: ImportJob, context) -> list[dict]:
        request = context["request"]
        if privacy.reveals_personal_data(request.scope, request.user, job):
            return job.errors
        return privacy.masked_errors(job.errors)

    @staticmethod
    def resolve_uploaded_by(job: ImportJob) -> str:
        return job.uploader_name

    @staticmethod
    def resolve_rejected_rows_url(job: ImportJob) -> str | None:
        return f"/api/imports/{job.pk}/errors" if job.error_file else None


def _allowed(request: HttpRequest) -> None:
    if not request.scope.can(Perm.VIEW):
        raise HttpError(403, "not allowed")


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    _allowed(request)
    try:
        return services.job_in_scope(request.scope, job_id)
    except PermissionDenied:
        raise HttpError(403, "not allowed") from None


@router.get("/", response=list[ImportJobOut], summary="Import jobs in scope, newest first")
def list_jobs(request: HttpRequest, limit: Limit = 50):
    _allowed(request)
    stale.sweep_stale_jobs()
    jobs = services.visible_jobs(request.scope)[: max(1, min(limit, 500))]
    return [job.with_live_progress() for job in jobs]


@router.post(
    "/",
    response={202: ImportJobOut},
    summary="Upload a file to import; the job is queued for the background worker",
)
def upload(request: HttpRequest, kind: Form[str], file: File[UploadedFile]):
    _allowed(request)
    try:
        sheet = services.sheet_for(request.scope, kind)
    except PermissionDenied:
        raise HttpError(403, "not allowed") from None
    if PurePath(file.name or "").suffix.lower() not in CSV_EXTENSIONS | SPREADSHEET_EXTENSIONS:
        raise HttpError(400, "upload an .xlsx, .xls, .ods or .csv file")
    limits = Limits.from_settings()
    if file.size > limits.upload_bytes:
        raise HttpError(413, str(too_big(file.size, limits).message))
    job = do_create_job(
        kind=sheet.kind,
        upload=file,
        filename=file.name,
        user=request.user,
        scope=request.scope,
        channel="api",
        language=getattr(request, "LANGUAGE_CODE", None),
    )
    enqueue(job)
    return Status(202, job)


@router.get("/{int:job_id}", response=ImportJobOut, summary="One import job: status and progress")
def get_job(request: HttpRequest, job_id: int):
    return _job(request, job_id).with_live_progress()


@router.get(
    "/{int:job_id}/errors",
    summary="The rejected rows as uploaded, with a reason column (format=xlsx or csv)",
)
def job_errors(request: HttpRequest, job_id: int, format: str = exporting.XLSX):
    job = _job(request, job_id)
    reveal = privacy.reveals_personal_data(request.scope, request.user, job)
    return services.rejected_file_response(job, format.lower(), reveal=reveal)


@router.get("/templates/{kind}", summary="The empty Excel template of a sheet")
def template(request: HttpRequest, kind: str):
    _allowed(request)
    try:
        sheet = services.sheet_for(request.scope, kind)
    except PermissionDenied:
        raise HttpError(403, "not allowed") from None
    return services.template_response(sheet, request.scope)
