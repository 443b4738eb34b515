"""Exports: one row iterator, written as XLSX or CSV in constant memory, and recorded.

A list page builds an iterator of rows (already scoped, filtered and masked for the
reader) and hands it here with its header. XLSX is written by `xlsx.write_workbook`, our
own streaming SpreadsheetML writer (each row goes into the compressed worksheet as it
comes), into a temporary file that is then streamed back; CSV is streamed as it is
produced. Neither holds the list in memory, so a million rows cost what a thousand do.

Every export is one audit event (`Action.EXPORT`) with the number of rows and the
filters, in the reader's name and scope.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header

from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.imports import xlsx
from baolei.regions.models import Region

XLSX = "xlsx"
CSV = "csv"
FORMATS = (XLSX, CSV)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_ROWS_PER_CHUNK = 500


def chinese(text) -> str:
    """`text` (a lazy translation) in Chinese, whatever the reader's language: files are
    named one way for everyone, since they are passed from office to office."""
    with translation.override("zh-hans"):
        return str(text)


def file_name(scope, title, *qualifiers: object) -> str:
    """An export's name without its extension, one convention for every export: the
    title, any qualifiers (a year, a quarter), the region the reader's scope covers, the
    day — `组织生活-2026Q3-阳新县-20261204`. The download keeps the Chinese through the
    RFC 5987 `filename*` of Content-Disposition."""
    code = getattr(scope, "region_code", None)
    region = (
        Region.objects.filter(code=code).values_list("name", flat=True).first() if code else None
    )
    parts = [chinese(title), *(str(q) for q in qualifiers if q not in (None, "")), region or "全国"]
    return "-".join([*parts, f"{timezone.localdate():%Y%m%d}"])


def chosen_format(request: HttpRequest) -> str:
    """`?format=csv` or `?format=xlsx` (the default)."""
    value = request.GET.get("format", XLSX).lower()
    return value if value in FORMATS else XLSX


def write_xlsx(
    target,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_name: str = "Sheet1",
    text_columns: Sequence[int] = (),
    widths: Sequence[int] = (),
) -> int:
    """Write the rows into an XLSX workbook in constant memory; returns the row count.

    Cells of `text_columns` are written as text (ID numbers must not become 4.2E+17);
    the header row is frozen and filterable. `target` is a path or a binary file.
    """
    return xlsx.write_workbook(
        target, header, rows, sheet_name=sheet_name, text_columns=text_columns, widths=widths
    )


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The CSV file in UTF-8 with a byte-order mark (Excel and WPS open it as is), a few
    hundred rows per chunk; a formula-looking text behind an apostrophe (`xlsx.neutralised`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    quoted = xlsx.neutralised
    for count, row in enumerate(rows, start=1):
        writer.writerow([quoted(value) if value.__class__ is str else value for value in row])
        if count % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def export_response(
    request: HttpRequest,
    *,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    filename: str,
    model: str,
    filters: dict[str, Any],
    count: Callable[[], int],
    fmt: str | None = None,
    sheet_name: str = "Sheet1",
    text_columns: Sequence[int] = (),
    widths: Sequence[int] = (),
    details: dict[str, Any] | None = None,
) -> HttpResponse:
    """The download of `rows` as XLSX or CSV, recorded in the audit trail.

    XLSX is complete before it is sent, so its event has the exact number of rows. CSV
    starts at once and is recorded first, with `count()` (one COUNT query): an export is
    in the trail even if the download is interrupted.
    """
    fmt = fmt or chosen_format(request)
    scope = request.scope
    record = {
        "region_code": scope.region_code or "",
        "format": fmt,
        "filename": f"{filename}.{fmt}",
        "filters": {key: value for key, value in filters.items() if value not in (None, "")},
        **(details or {}),
    }
    if fmt == CSV:
        audit.record_bulk(Action.EXPORT, model=model, rows=count(), **record)
        response = StreamingHttpResponse(
            csv_chunks(header, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{filename}.csv"
        )
        return response
    # Closed by the response once sent (the file has no name: it vanishes then).
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        written = write_xlsx(
            handle,
            header,
            rows,
            sheet_name=sheet_name,
            text_columns=text_columns,
            widths=widths,
        )
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    audit.record_bulk(Action.EXPORT, model=model, rows=written, **record)
    return FileResponse(
        handle, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_TYPE
    )
