"""`run_import`: one file through a sheet, read, parsed, checked against the register
and — only if every row passed — loaded in one transaction with one audit event.

`parsing`'s names are looked up on the module at each use rather than imported, so that
a test's smaller PARSE_CHUNK or the bench's timer around `parse_rows` reaches them here.
"""

import contextlib
import gc
import itertools
from collections.abc import Iterator
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.imports import parsing
from baolei.imports.models import ImportJob
from baolei.imports.pipeline import Errors, ImportContext, Outcome, Sheet
from baolei.imports.reading import UnreadableFile, iter_table


class Progress:
    """What the pipeline reports: the phase, then rows done of the total."""

    def phase(self, status: str, total: int) -> None:  # pragma: no cover - interface
        pass

    def rows(self, done: int) -> None:  # pragma: no cover - interface
        pass


class _Rejected(Exception):
    """Leaves the load transaction when the register check rejected rows."""


def run_import(
    sheet: Sheet,
    source: str | Path | bytes,
    filename: str,
    context: ImportContext,
    progress: Progress | None = None,
) -> Outcome:
    """Read, parse, check and — only if every row passed — load the file, in one
    transaction with one audit event. Nothing is written when anything was rejected."""
    with _no_cycle_collection():
        return _run_import(sheet, source, filename, context, progress)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused for the import: a file of a hundred thousand
    rows makes millions of lists and strings, none of them in a cycle, and the collector
    would walk all of them again and again (a quarter of the reading time). Objects in
    cycles made meanwhile are collected once it runs again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run_import(
    sheet: Sheet,
    source: str | Path | bytes,
    filename: str,
    context: ImportContext,
    progress: Progress | None,
) -> Outcome:
    progress = progress or Progress()
    errors = Errors()
    try:
        rows = iter_table(source, filename)
        header = next(rows)
        found, ignored = parsing.match_header(sheet, header, errors)
        if errors:  # without its columns, row by row checks would only repeat the same
            return Outcome(ImportJob.Status.REJECTED, 0, errors, header=header.values)
        progress.phase(ImportJob.Status.VALIDATING, 0)  # reading: the total is not known yet
        source_rows = []
        while chunk := list(itertools.islice(rows, parsing.PARSE_CHUNK)):
            source_rows.extend(chunk)
            if len(chunk) == parsing.PARSE_CHUNK:
                progress.rows(len(source_rows))
    except UnreadableFile as error:
        errors.add(0, "", error.message)
        return Outcome(ImportJob.Status.REJECTED, 0, errors)
    total = len(source_rows)
    if not total:
        errors.add(header.number, "", _("The file has only its header row: nothing to import."))
        return Outcome(ImportJob.Status.REJECTED, 0, errors, header=header.values)
    progress.phase(ImportJob.Status.VALIDATING, total)
    table = parsing.parse_rows(sheet, source_rows, found, len(header.values), errors, progress.rows)
    outcome = Outcome(
        ImportJob.Status.REJECTED,
        total,
        errors,
        header=header.values,
        source_rows=source_rows,
        found=found,
        ignored_columns=ignored,
    )
    progress.phase(ImportJob.Status.LOADING, total)
    importer = sheet.importer(sheet, context, errors)
    importer.table = table
    try:
        with transaction.atomic():
            plan = importer.validate(table)
            if errors:
                raise _Rejected
            counts = importer.load(plan, progress.rows)
            counts = {"rows": total, **counts, "rejected": 0}
            audit.record_bulk(
                Action.IMPORT,
                model=sheet.audit_model,
                region_code=context.scope.region_code or "",
                kind=sheet.kind,
                filename=context.filename or filename,
                sha256=context.sha256,
                job=context.job_id,
                counts=counts,
                **importer.audit_details(plan),
            )
    except _Rejected:
        outcome.counts = {"rows": total, "rejected": len(errors.rows)}
        return outcome
    outcome.status = ImportJob.Status.DONE
    outcome.counts = counts
    return outcome
