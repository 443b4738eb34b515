"""`run_import`: one file through a sheet, read, parsed, checked against the register
and — only if every row passed — loaded in one transaction with one audit event.

On SQLite, where one connection writes at a time, the check against the register must
not hold the write lock for all its length: the transaction begins DEFERRED, so that the
check only reads (readers and other writers go on), and the lock is taken by the load's
first write. SQLite refuses that step if anyone wrote since the check began reading —
the check may then be out of date — and the whole transaction is run again; after a few
such losses it begins IMMEDIATE, as everything else that writes, and cannot lose. Either
way the check and the load see one state of the register, and the file loads completely
or not at all.

`parsing`'s names are looked up on the module at each use rather than imported, so that
a test's smaller PARSE_CHUNK or the bench's timer around `parse_rows` reaches them here.
"""

import contextlib
import gc
import itertools
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import OperationalError, transaction
from django.db.transaction import get_connection
from django.utils.translation import gettext_lazy as _

from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.imports import parsing
from baolei.imports.models import ImportJob
from baolei.imports.pipeline import Errors, ImportContext, Outcome, Sheet, Table
from baolei.imports.reading import UnreadableFile, iter_table

logger = logging.getLogger(__name__)

# Runs of the check and load beginning DEFERRED on SQLite before one IMMEDIATE.
OPTIMISTIC_ATTEMPTS = 3


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
    loaded: Callable[[Outcome], None] | None = None,
) -> Outcome:
    """Read, parse, check and — only if every row passed — load the file, in one
    transaction with one audit event. Nothing is written when anything was rejected.

    `loaded` is called with the outcome inside the load's transaction, after the last
    write: what it records (the job's final status) is committed with the data or not
    at all."""
    with _no_cycle_collection():
        return _run_import(sheet, source, filename, context, progress, loaded)


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
    loaded: Callable[[Outcome], None] | None = None,
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
    attempt = 1
    while True:
        try:
            return _check_and_load(
                sheet, table, filename, context, progress, outcome, loaded, attempt
            )
        except OperationalError as error:
            if not _lost_the_write_lock(error) or attempt > OPTIMISTIC_ATTEMPTS:
                raise
            logger.info("import of %s: the register changed during the check (%s)", filename, error)
            time.sleep(0.1 * attempt)
            attempt += 1


def _check_and_load(
    sheet: Sheet,
    table: Table,
    filename: str,
    context: ImportContext,
    progress: Progress,
    outcome: Outcome,
    loaded: Callable[[Outcome], None] | None,
    attempt: int,
) -> Outcome:
    errors, total = outcome.errors, outcome.rows
    progress.phase(ImportJob.Status.LOADING, total)
    importer = sheet.importer(sheet, context, errors)
    importer.table = table
    try:
        with _write_lock_when_writing(attempt <= OPTIMISTIC_ATTEMPTS), transaction.atomic():
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
            outcome.status = ImportJob.Status.DONE
            outcome.counts = counts
            if loaded is not None:
                loaded(outcome)
    except _Rejected:
        outcome.counts = {"rows": total, "rejected": len(errors.rows)}
        return outcome
    except BaseException:
        outcome.status, outcome.counts = ImportJob.Status.REJECTED, {}
        raise
    return outcome


@contextlib.contextmanager
def _write_lock_when_writing(deferred: bool) -> Iterator[None]:
    """On SQLite, the next transaction begins DEFERRED: it takes the write lock at its
    first write rather than at BEGIN. Elsewhere, and inside an enclosing transaction
    (which already chose), nothing changes."""
    connection = get_connection()
    if not deferred or connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    previous = connection.transaction_mode
    connection.transaction_mode = "DEFERRED"
    try:
        yield
    finally:
        connection.transaction_mode = previous


def _lost_the_write_lock(error: OperationalError) -> bool:
    """SQLite refused to let a DEFERRED transaction write: someone wrote since it began
    reading, or holds the lock now. Worth running the check again, unless an enclosing
    transaction (which the error spoilt) is not ours to run again."""
    connection = get_connection()
    return (
        connection.vendor == "sqlite"
        and not connection.in_atomic_block
        and "locked" in str(error).lower()
    )
