"""The import pipeline that every sheet of the project reuses.

A sheet (`Sheet`) is a list of columns (`Column`): the Chinese header a clerk sees, whether
the cell is required, how its text becomes a value, and for enumerations the choices,
accepted as the Chinese term or the code. From that one definition come:

- the Excel template: the Chinese headers, frozen, text format where long digit strings
  must survive Excel (ID and household numbers), and a drop-down list on every
  enumeration (from a hidden "choices" sheet when the list is too long to be inline);
- the validation of a whole file, the way pretix imports orders: every cell of every row
  is parsed, column by column, collecting every error as `RowError(row, column, reason)`
  rather than stopping at the first; then the sheet's importer checks the file against
  the register a whole column at a time (one query for all ID numbers, one for all
  villages), still collecting;
- all or nothing: if any row is rejected nothing is written, and the clerk gets their own
  rows back with a "错误原因" (reason) column, as XLSX (and as CSV when they uploaded CSV);
  otherwise the importer writes everything set-based (COPY on PostgreSQL, bulk inserts
  on SQLite) in ONE transaction that also records ONE audit event with the counts and the
  file's SHA-256.

`run_job` drives an `ImportJob` through all of it; the background task and the
`baolei import` command both call it, so the web and the terminal run the same code.
Sheets live in each app's `sheets.py` and are found on first use.
"""

import contextlib
import csv
import datetime
import gc
import hashlib
import io
import itertools
import json
import logging
import operator
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePath
from typing import IO, Any, BinaryIO

import xlsxwriter
from django.core.files import File
from django.db import DatabaseError, IntegrityError, connection, connections, models, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from baolei.accounts.permissions import Perm, Role
from baolei.accounts.scope import Scope
from baolei.audit import context as audit_context
from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.imports import cells
from baolei.imports.models import ImportJob, progress_file
from baolei.imports.reading import SourceRow, UnreadableFile, iter_table
from baolei.messages import CodedError, lazy_format

logger = logging.getLogger(__name__)

REASON_HEADER = "错误原因"  # the column added to the rejected rows; ignored on upload
CHOICES_SHEET = "choices"
INSTRUCTIONS_SHEET = "说明"
INLINE_LIST_LIMIT = 255  # Excel refuses an inline drop-down list longer than this
MAX_TEMPLATE_ROWS = 1_048_576
PARSE_CHUNK = 5_000  # rows parsed between two progress reports
STORED_ERRORS = 500  # errors kept on the job for the page; the file has them all
SEPARATORS = re.compile(r"[、,，;；/／|\s]+")
YES_NO = ("是", "否")
COPY_ROWS = 2_000  # rows formatted and sent to a COPY at a time
INSERT_BATCH = 20_000  # rows per COPY or executemany: progress moves between batches
KEY_SEPARATOR = "\x1f"  # the unit separator: no key read from a cell holds it


class _Invalid:
    """A refused cell's value: falsy, so that checks of other columns pass it over (its
    refusal is already recorded), and never equal to a real value."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


class CellProblem(CodedError):
    """A cell refused by a column itself (a value outside its choices or limits)."""


# Errors


@dataclass(frozen=True, slots=True)
class RowError:
    """Why a row was rejected: its number as the clerk sees it, the column, the reason."""

    row: int
    column: str
    reason: str | Promise

    def as_json(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": str(self.reason)}


class Errors:
    """Every rejection of a file, by row; the pipeline never stops at the first."""

    def __init__(self) -> None:
        self._by_row: dict[int, list[RowError]] = {}
        self.count = 0

    def add(self, row: int, column: str, reason: str | Promise) -> None:
        self._by_row.setdefault(row, []).append(RowError(row, column, reason))
        self.count += 1

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[RowError]:
        for row in sorted(self._by_row):
            yield from self._by_row[row]

    @property
    def rows(self) -> set[int]:
        return set(self._by_row)

    def for_row(self, row: int) -> list[RowError]:
        return self._by_row.get(row, [])

    def first(self, limit: int) -> list[RowError]:
        found = []
        for error in self:
            if len(found) == limit:
                break
            found.append(error)
        return found


# Columns and sheets


def fold(text: str) -> str:
    """What two spellings of the same word have in common: full width folded, spaces and
    case dropped. Used to match headers and enumeration terms, never to store."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


@dataclass(frozen=True, eq=False)
class Column:
    """One column of a sheet.

    `parser` turns the cell's text (never empty; stripped) into a value or raises a
    `CodedError` whose message is the reason shown to the clerk. `choices` makes it an
    enumeration: the cell may hold the code or the term, the term being `labels[code]`
    (the Chinese word of the national system) or else the choice's label; `synonyms`
    maps other words clerks write to codes. `many` lets an
    enumeration cell hold several values separated by 、 or commas; the value is then a
    tuple. `options` gives a drop-down list other than the choices (e.g. the villages of
    the uploader's scope); `strict` makes Excel refuse other values in it.
    """

    key: str
    header: str
    required: bool = False
    parser: Callable[[str], Any] | None = None
    choices: type[models.Choices] | None = None
    help: str | Promise = ""
    labels: Mapping[str, str] | None = None
    synonyms: Mapping[str, str] | None = None
    many: int = 1
    options: Callable[[Scope | None], Sequence[str]] | None = None
    strict: bool = True
    text: bool = False
    width: int = 14
    aliases: tuple[str, ...] = ()
    cacheable: bool = True  # the same text always gives the same value: parse it once

    @cached_property
    def terms(self) -> dict[str, str]:
        """code → the term written in the sheet and offered in the drop-down."""
        if self.choices is None:
            return {}
        with translation.override("zh-hans"):
            return {
                code: (self.labels or {}).get(code) or str(label)
                for code, label in self.choices.choices
            }

    @cached_property
    def _lookup(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if self.choices is None:
            return found
        for language in ("en", "zh-hans"):
            with translation.override(language):
                for code, label in self.choices.choices:
                    found.setdefault(fold(str(label)), code)
        for word, code in (self.synonyms or {}).items():
            found[fold(word)] = code
        for code, term in self.terms.items():
            found[fold(term)] = code
            found[fold(str(code))] = code
        return found

    def term(self, code: str | None) -> str:
        """The sheet's word for a stored code: what an export writes."""
        if not code:
            return ""
        return self.terms.get(code, code)

    def dropdown(self, scope: Scope | None = None) -> list[str]:
        if self.options is not None:
            return list(self.options(scope))
        return list(self.terms.values())

    def _choice(self, text: str) -> str:
        code = self._lookup.get(fold(text))
        if code is None:
            shown = "、".join(list(self.terms.values())[:15])
            raise CellProblem(
                "choice",
                lazy_format(
                    _("“%(text)s” is not one of the choices: %(choices)s"),
                    text=text[:40],
                    choices=shown,
                ),
            )
        return code

    def parse(self, text: str) -> Any:
        """The value of a non-empty cell, or a `CodedError` saying why not."""
        if self.choices is None:
            return self.parser(text) if self.parser is not None else text
        if self.many == 1:
            return self._choice(text)
        codes = list(dict.fromkeys(self._choice(part) for part in SEPARATORS.split(text) if part))
        if len(codes) > self.many:
            raise CellProblem(
                "too_many",
                lazy_format(_("At most %(count)d values, separated by 、."), count=self.many),
            )
        return tuple(codes)


def text_parser(max_length: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if len(text) > max_length:
            raise CellProblem(
                "too_long",
                lazy_format(
                    _("At most %(limit)d characters, not %(length)d."),
                    limit=max_length,
                    length=len(text),
                ),
            )
        return text

    return parse


def integer_parser(minimum: int | None = None, maximum: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = cells.parse_int(text)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise CellProblem(
                "range",
                lazy_format(
                    _("Expected a whole number from %(minimum)s to %(maximum)s, not %(value)d."),
                    minimum=minimum if minimum is not None else "…",
                    maximum=maximum if maximum is not None else "…",
                    value=value,
                ),
            )
        return value

    return parse


def yes_no(scope: Scope | None = None) -> Sequence[str]:
    return YES_NO


def terms_column(
    key: str, header: str, enumeration: type, terms: dict[str, Sequence[str]], **options: Any
) -> Column:
    """An enumeration column whose cells are Chinese terms: `terms` maps each code to its
    words, the first shown in templates and exports, the others accepted on import."""
    return Column(
        key,
        header,
        choices=enumeration,
        labels={code: words[0] for code, words in terms.items()},
        synonyms={word: code for code, words in terms.items() for word in words[1:]},
        **options,
    )


def boolean_column(key: str, header: str, **options: Any) -> Column:
    """A 是/否 column with its drop-down; 有/无, Y/N, 1/0 are read too."""
    options.setdefault("width", 8)
    return Column(key, header, parser=cells.parse_bool, options=yes_no, **options)


@dataclass(frozen=True, eq=False)
class Sheet:
    """One kind of file: its columns, who may import it and the importer that loads it.

    `importer` is a subclass of `Importer`; `sheet_name` names the worksheet of the
    template (Chinese, as clerks know it); `list_url` names the page where the loaded
    records are seen, linked from a finished job.
    """

    kind: str
    title: str | Promise
    sheet_name: str
    columns: tuple[Column, ...]
    importer: type["Importer"] | None = None
    import_permission: Perm = Perm.EDIT_REGISTRY
    audit_model: str = ""
    description: str | Promise = ""
    list_url: str = ""  # URL name of the page listing what the sheet loads

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]


_sheets: dict[str, Sheet] = {}
_discovered = False


def register(sheet: Sheet) -> Sheet:
    """Called from an app's `sheets.py`; the last definition of a kind wins (reloads)."""
    _sheets[sheet.kind] = sheet
    return sheet


def sheets() -> dict[str, Sheet]:
    """Every sheet of the project, found in the installed apps' `sheets` modules."""
    global _discovered
    if not _discovered:
        autodiscover_modules("sheets")
        _discovered = True
    return dict(_sheets)


def get_sheet(kind: str) -> Sheet:
    """The sheet of that kind; `KeyError` if there is none (a view answers 404)."""
    return sheets()[kind]


def sheets_for(scope: Scope) -> list[Sheet]:
    """The sheets this person may import."""
    return [sheet for sheet in sheets().values() if scope.can(sheet.import_permission)]


# Reading and parsing a file


@dataclass
class Table:
    """A file's parsed cells, column by column: `columns[key][i]` is row i's value, None
    for an empty cell or a column the file does not have, `INVALID` for a refused cell.

    `present` holds the keys of the columns the file has: an importer updating a record
    leaves alone what the file does not mention.
    """

    numbers: list[int]
    columns: dict[str, list[Any]]
    present: frozenset[str]

    def __len__(self) -> int:
        return len(self.numbers)

    def column(self, key: str) -> list[Any]:
        return self.columns[key]

    def value(self, key: str, index: int) -> Any:
        return self.columns[key][index]


def _header_key(text: str) -> str:
    return fold(text).strip("*＊")


def match_header(
    sheet: Sheet, header: SourceRow, errors: Errors
) -> tuple[dict[str, int], list[str]]:
    """Which file column holds each sheet column, and the file's headers that are ignored.

    Headers match whatever their width, spacing or a trailing * (some clerks mark required
    columns); the key or an alias is accepted too. A missing required column rejects the
    whole file, reported on the header row.
    """
    wanted: dict[str, Column] = {}
    for column in sheet.columns:
        for name in (column.header, column.key, *column.aliases):
            wanted.setdefault(_header_key(name), column)
    found: dict[str, int] = {}
    ignored: list[str] = []
    for index, text in enumerate(header.values):
        column = wanted.get(_header_key(text)) if text else None
        if column is None:
            if text and text != REASON_HEADER:
                ignored.append(text)
            continue
        if column.key in found:
            errors.add(
                header.number,
                column.header,
                lazy_format(
                    _("The column appears twice (columns %(first)d and %(second)d)."),
                    first=found[column.key] + 1,
                    second=index + 1,
                ),
            )
            continue
        found[column.key] = index
    for column in sheet.columns:
        if column.required and column.key not in found:
            errors.add(
                header.number,
                column.header,
                _("The column is missing: the file's first row must name it."),
            )
    return found, ignored


def parse_rows(
    sheet: Sheet,
    rows: Sequence[SourceRow],
    found: Mapping[str, int],
    header_width: int,
    errors: Errors,
    progress: Callable[[int], None] | None = None,
) -> Table:
    """Every cell of every row, a column at a time within chunks of rows.

    Enumeration, yes/no and number columns repeat the same few texts, so each distinct
    text is parsed once per column and looked up after. Every refusal is recorded;
    nothing stops early.
    """
    columns: dict[str, list[Any]] = {column.key: [] for column in sheet.columns}
    caches: dict[str, dict[str, Any]] = {column.key: {} for column in sheet.columns}
    refused: dict[str, set[str]] = {column.key: set() for column in sheet.columns}
    for start in range(0, len(rows), PARSE_CHUNK):
        chunk = rows[start : start + PARSE_CHUNK]
        # The chunk's cells by column; `reading` pads every row to the header's width.
        by_column = list(zip(*(row.values for row in chunk), strict=False))
        for column in sheet.columns:
            values = columns[column.key]
            index = found.get(column.key)
            if index is None or index >= len(by_column):
                values.extend([None] * len(chunk))
                continue
            texts = by_column[index]
            if column.cacheable:
                outcomes, refusals = _parse_cached(
                    column, texts, caches[column.key], refused[column.key]
                )
            else:
                outcomes = [_outcome(column, text) for text in texts]
                refusals = True
            if refusals:
                _collect(column, chunk, outcomes, errors)
            values.extend(outcomes)
        for row in chunk:
            if len(row.values) > header_width:
                extra = [i for i, text in enumerate(row.values[header_width:], 1) if text]
                if extra:
                    errors.add(
                        row.number,
                        "",
                        lazy_format(
                            _("There is a value in column %(column)d, which has no header."),
                            column=header_width + extra[0],
                        ),
                    )
        if progress is not None:
            progress(start + len(chunk))
    return Table(numbers=[row.number for row in rows], columns=columns, present=frozenset(found))


def _collect(column: Column, chunk: Sequence[SourceRow], outcomes: list, errors: Errors) -> None:
    """Record the refusals among the outcomes, which become `INVALID` in place."""
    for i, outcome in enumerate(outcomes):
        if outcome.__class__ is _Refusal:
            errors.add(chunk[i].number, column.header, outcome.message)
            outcomes[i] = INVALID


@dataclass(frozen=True, slots=True)
class _Refusal:
    message: str | Promise


_EMPTY_REQUIRED_REFUSAL = _Refusal(_("Required; the cell is empty."))


def _outcome(column: Column, text: str) -> Any:
    """The cell's value, None for an empty optional cell, or a `_Refusal`."""
    if not text:
        return _EMPTY_REQUIRED_REFUSAL if column.required else None
    try:
        return column.parse(text)
    except CodedError as error:
        return _Refusal(error.message)


def _parse_cached(
    column: Column, texts: Sequence[str], cache: dict[str, Any], refused: set[str]
) -> tuple[list[Any], bool]:
    """The outcomes of the texts, each distinct text parsed once, and whether any of
    them is a refusal (most chunks have none, and are not looked at again). `refused`
    holds the column's texts refused so far."""
    for text in set(texts).difference(cache):
        outcome = cache[text] = _outcome(column, text)
        if outcome.__class__ is _Refusal:
            refused.add(text)
    outcomes = list(map(cache.__getitem__, texts))
    return outcomes, bool(refused) and not refused.isdisjoint(texts)


# Importers


@dataclass
class ImportContext:
    """Who imports which file, within which scope."""

    scope: Scope
    filename: str = ""
    sha256: str = ""
    actor_name: str = ""
    job_id: int | None = None
    today: datetime.date = field(default_factory=timezone.localdate)


class Importer:
    """Checks a parsed `Table` against the register and writes it.

    `validate` looks at whole columns (one query for all the keys of the file, never one
    per row), records every problem with `self.reject(...)` and returns a plan;
    `load` writes the plan set-based and returns the counts. Both run inside one
    transaction, and `load` runs only when no row at all was rejected.
    """

    def __init__(self, sheet: Sheet, context: ImportContext, errors: Errors) -> None:
        self.sheet = sheet
        self.context = context
        self.errors = errors
        self.table: Table | None = None

    def reject(self, index: int, key: str, reason: str | Promise) -> None:
        """Reject row `index` of the table, in column `key` ("" for the row as a whole)."""
        header = self.sheet.column(key).header if key else ""
        self.errors.add(self.table.numbers[index], header, reason)

    def validate(self, table: Table) -> Any:
        raise NotImplementedError

    def load(self, plan: Any, progress: Callable[[int], None]) -> dict[str, int]:
        raise NotImplementedError

    def audit_details(self, plan: Any) -> dict[str, Any]:
        """Extra details for the one audit event of the import."""
        return {}


@dataclass
class Outcome:
    status: str  # ImportJob.Status.DONE or REJECTED
    rows: int
    errors: Errors
    counts: dict[str, int] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)
    source_rows: list[SourceRow] = field(default_factory=list)
    found: dict[str, int] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)


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
        found, ignored = match_header(sheet, header, errors)
        if errors:  # without its columns, row by row checks would only repeat the same
            return Outcome(ImportJob.Status.REJECTED, 0, errors, header=header.values)
        progress.phase(ImportJob.Status.VALIDATING, 0)  # reading: the total is not known yet
        source_rows = []
        while chunk := list(itertools.islice(rows, PARSE_CHUNK)):
            source_rows.extend(chunk)
            if len(chunk) == PARSE_CHUNK:
                progress.rows(len(source_rows))
    except UnreadableFile as error:
        errors.add(0, "", error.message)
        return Outcome(ImportJob.Status.REJECTED, 0, errors)
    total = len(source_rows)
    if not total:
        errors.add(header.number, "", _("The file has only its header row: nothing to import."))
        return Outcome(ImportJob.Status.REJECTED, 0, errors, header=header.values)
    progress.phase(ImportJob.Status.VALIDATING, total)
    table = parse_rows(sheet, source_rows, found, len(header.values), errors, progress.rows)
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


# Set-based writing, shared by the importers


def _batches(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def query_chunk_size() -> int:
    """How many keys one `IN (...)` may carry on this database."""
    limit = connection.features.max_query_params or 50_000
    return max(100, min(limit - 10, 20_000))


def fetch_in(queryset: models.QuerySet, field_name: str, keys: Iterable[Any]) -> list[Any]:
    """`queryset.filter(field__in=keys)` for any number of keys in as few queries as the
    database allows: one on PostgreSQL (the keys travel as one array parameter, so a
    hundred thousand of them cost no more to parse than ten), batches on SQLite (which
    caps the parameters of a statement)."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    if connection.vendor == "postgresql":
        cast = queryset.model._meta.get_field(field_name).cast_db_type(connection)
        if all(key.__class__ is str and key and KEY_SEPARATOR not in key for key in keys):
            # One text parameter split by the server: psycopg dumps a list of a hundred
            # thousand strings in Python, a joined string at once.
            keys_sql = RawSQL(
                f"SELECT unnest(string_to_array(%s, %s))::{cast}",
                [KEY_SEPARATOR.join(keys), KEY_SEPARATOR],
            )
        else:
            keys_sql = RawSQL(f"SELECT unnest(%s::{cast}[])", [keys])
        return list(queryset.filter(**{f"{field_name}__in": keys_sql}))
    found: list[Any] = []
    for batch in _batches(keys, query_chunk_size()):
        found.extend(queryset.filter(**{f"{field_name}__in": batch}))
    return found


# Fields whose Python value is not what the database driver takes as is: aware datetimes
# on SQLite (stored naive, in UTC), JSON everywhere; psycopg adapts the rest natively.
_PREPARED_TYPES = {
    "postgresql": frozenset({"JSONField"}),
    "sqlite": frozenset({"DateTimeField", "JSONField", "DurationField", "TimeField", "UUIDField"}),
}


def _converters(fields: list[models.Field]) -> list[Callable[[Any], Any] | None]:
    """Per field, None (the value goes as it is) or a memoised `get_db_prep_save`: a
    load writes the same timestamp into every row, converted once."""

    def converter(field: models.Field) -> Callable[[Any], Any]:
        memo: dict[Any, Any] = {}

        def convert(value: Any) -> Any:
            try:
                return memo[value]
            except (KeyError, TypeError):
                prepared = field.get_db_prep_save(value, connection)
                with contextlib.suppress(TypeError):  # unhashable (a JSON dict): not memoised
                    memo[value] = prepared
                return prepared

        return convert

    prepared = _PREPARED_TYPES.get(connection.vendor)
    return [
        converter(field) if prepared is None or field.get_internal_type() in prepared else None
        for field in fields
    ]


def _prepare(rows: Iterable[Sequence[Any]], converters: list) -> Iterable[Sequence[Any]]:
    active = [(i, convert) for i, convert in enumerate(converters) if convert is not None]
    if not active:
        return rows  # as they are: no generator between the rows and COPY
    return _converted(rows, active)


def _converted(rows: Iterable[Sequence[Any]], active: list) -> Iterator[Sequence[Any]]:
    for row in rows:
        row = list(row)
        for i, convert in active:
            row[i] = convert(row[i])
        yield row


# Field types whose Python values CSV writes as PostgreSQL reads them (str() of a date, a
# number, a bool, a UUID); JSON, binary, durations and arrays go through `write_row`.
_CSV_COPY_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "BigIntegerField",
        "IntegerField",
        "SmallIntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "BooleanField",
        "CharField",
        "TextField",
        "SlugField",
        "EmailField",
        "URLField",
        "DateField",
        "DateTimeField",
        "TimeField",
        "DecimalField",
        "FloatField",
        "UUIDField",
        "GenericIPAddressField",
    }
)


def _csv_copy_options(fields: Sequence[models.Field]) -> str | None:
    """The options of a `COPY … FROM STDIN` in CSV format for rows of these fields, or
    None when CSV cannot carry them all.

    CSV is written by the C `csv` module, many times faster than formatting row by row.
    An empty unquoted cell is NULL, so every non-null text column is FORCE_NOT_NULL (its
    empty string stays an empty string), and a nullable text column, where CSV could not
    tell the two apart, is left to `write_row`.
    """
    quote = connection.ops.quote_name
    not_null = []
    for f in fields:
        base = f.target_field if f.is_relation else f
        if base.get_internal_type() not in _CSV_COPY_TYPES:
            return None
        if base.empty_strings_allowed:
            if f.null:
                return None
            not_null.append(quote(f.column))
    forced = f", FORCE_NOT_NULL ({', '.join(not_null)})" if not_null else ""
    return f"FORMAT csv{forced}"


def _copy(cursor, sql: str, options: str | None, rows: Iterable[Sequence[Any]]) -> None:
    """`sql` is "COPY table (columns) FROM STDIN"; the rows go as CSV when they can."""
    if options is None:
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows = iter(rows)
    with cursor.copy(f"{sql} ({options})") as copy:
        # A few thousand rows at a time: the server takes in one part while the next is
        # formatted.
        while part := list(itertools.islice(rows, COPY_ROWS)):
            writer.writerows(part)
            copy.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()


class _Defaults:
    """Every column of a new row that the caller does not give, filled as `save()` would:
    the field's default (a callable evaluated once per load), now for auto_now fields."""

    def __init__(self, model: type[models.Model], field_names: list[str]) -> None:
        meta = model._meta
        given = [meta.get_field(name) for name in field_names]
        self.fields = [f for f in meta.concrete_fields if f is not meta.pk]
        position = {f.attname: index for index, f in enumerate(given)}
        now = timezone.now()
        self.sources: list[tuple[bool, Any]] = []  # (from the row?, row index or constant)
        for f in self.fields:
            if f.attname in position:
                self.sources.append((True, position[f.attname]))
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.sources.append((False, now))
            elif f.has_default():
                self.sources.append((False, f.get_default()))
            elif f.null:
                self.sources.append((False, None))
            elif f.blank and f.empty_strings_allowed:
                self.sources.append((False, ""))
            else:
                raise ValueError(f"{model.__name__}.{f.name} must be given for new rows")

        # (key, *constants, *row) picked in the table's column order by one C call.
        constants = [source for given, source in self.sources if not given]
        picks, constant = [0], 1
        for given, source in self.sources:
            if given:
                picks.append(1 + len(constants) + source)
            else:
                picks.append(constant)
                constant += 1
        self._constants = tuple(constants)
        self._pick = operator.itemgetter(*picks)

    def as_text(self) -> None:
        """Dates and times among the constants turned into their text once, for CSV:
        formatting the same timestamp in every row costs more than the rest of it."""
        self._constants = tuple(
            str(value) if isinstance(value, datetime.date | datetime.time) else value
            for value in self._constants
        )

    def keyed(self, key: int, row: Sequence[Any]) -> tuple:
        """The whole row for the table: its primary key, then every other column."""
        return self._pick((key, *self._constants, *row))


def _new_keys(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for `count` new rows, taken before they are written.

    PostgreSQL draws them from the table's sequence (safe beside concurrent inserts).
    SQLite has one writer at a time and the load holds the write lock (the transaction
    began IMMEDIATE), so the keys after the highest ever used are free.
    """
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As one text value: a hundred thousand keys as rows cost a second to fetch.
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            sequence = cursor.fetchone()[0]
            cursor.execute(
                "SELECT string_agg(nextval(%s::regclass)::text, ',') FROM generate_series(1, %s)",
                [sequence, count],
            )
            return list(map(int, cursor.fetchone()[0].split(",")))
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        start = max(highest, found[0] if found else 0) + 1
        return list(range(start, start + count))


class Ticker:
    """Turns objects written into rows of the file done, for a progress bar that moves
    through the load as evenly as through the validation: `work` objects in all stand
    for `rows` rows."""

    def __init__(self, rows: int, work: int, progress: Callable[[int], None]) -> None:
        self.rows, self.work, self.progress = rows, max(work, 1), progress
        self.done = self.reported = 0

    def __call__(self, count: int) -> None:
        self.done += count
        rows = min(self.rows, self.rows * self.done // self.work)
        if rows > self.reported:
            self.progress(rows - self.reported)
            self.reported = rows

    def finish(self) -> None:
        if self.rows > self.reported:
            self.progress(self.rows - self.reported)
            self.reported = self.rows


def insert_rows(
    model: type[models.Model],
    field_names: list[str],
    rows: list[Sequence[Any]],
    progress: Callable[[int], None],
) -> list[int]:
    """Insert new rows, given as values in `field_names` order, and return their primary
    keys in the same order. No model instances, no save() and no signals: the import
    records one audit event for the whole file instead of one per row.

    PostgreSQL: COPY. SQLite: one prepared INSERT run for every row (`executemany`).
    Columns not named get their defaults, as `save()` would give them.
    """
    if not rows:
        return []
    defaults = _Defaults(model, field_names)
    keys = _new_keys(model, len(rows))
    quote = connection.ops.quote_name
    pk = model._meta.pk
    fields = defaults.fields
    columns = ", ".join(quote(f.column) for f in [pk, *fields])
    converters = [None, *_converters(fields)]
    table = quote(model._meta.db_table)
    options = _csv_copy_options([pk, *fields]) if connection.vendor == "postgresql" else None
    if options is not None:
        defaults.as_text()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH):
            batch = rows[start : start + INSERT_BATCH]
            full = _prepare(map(defaults.keyed, keys[start:], batch), converters)
            if connection.vendor == "postgresql":
                _copy(cursor, f"COPY {table} ({columns}) FROM STDIN", options, full)
            else:
                marks = ", ".join(["%s"] * (len(fields) + 1))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(full))
            progress(len(batch))
    return keys


def update_rows(
    model: type[models.Model],
    field_names: list[str],
    rows: list[Sequence[Any]],
    progress: Callable[[int], None],
) -> None:
    """Set `field_names` of existing rows, given as (primary key, *values) in that order,
    set-based and without model instances or signals.

    PostgreSQL: COPY into a temporary table, then one UPDATE … FROM. SQLite: one prepared
    UPDATE run for every row (`executemany`), which is as fast as SQLite gets.
    """
    if not rows:
        return
    meta = model._meta
    pk = meta.pk
    fields = [meta.get_field(name) for name in field_names]
    converters = [None, *_converters(fields)]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            stage = quote(f"stage_{meta.db_table}")
            columns = ", ".join(quote(f.column) for f in [pk, *fields])
            cursor.execute(f"DROP TABLE IF EXISTS {stage}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "
                f"SELECT {columns} FROM {table} WITH NO DATA"
            )
            _copy(
                cursor,
                f"COPY {stage} ({columns}) FROM STDIN",
                _csv_copy_options([pk, *fields]),
                _prepare(rows, converters),
            )
            assignments = ", ".join(f"{quote(f.column)} = s.{quote(f.column)}" for f in fields)
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM {stage} AS s "
                f"WHERE t.{quote(pk.column)} = s.{quote(pk.column)}"
            )
            cursor.execute(f"DROP TABLE {stage}")
            progress(len(rows))
            return
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        sql = f"UPDATE {table} SET {assignments} WHERE {quote(pk.column)} = %s"
        for batch in _batches(rows, INSERT_BATCH):
            cursor.executemany(sql, [[*row[1:], row[0]] for row in _prepare(batch, converters)])
            progress(len(batch))


# Files for people: the template and the rejected rows


def write_template(sheet: Sheet, target: str | Path | IO[bytes], scope: Scope | None = None):
    """The sheet's empty Excel template: Chinese headers (required ones in red, with the
    column's help as a comment), the header row frozen, text format on the columns whose
    digits Excel would otherwise mangle, a drop-down list on every enumeration, and a
    second sheet explaining every column. No example row: it would be imported."""
    workbook = xlsxwriter.Workbook(target, {"in_memory": True})
    header = workbook.add_format(
        {"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True, "valign": "top"}
    )
    required = workbook.add_format(
        {
            "bold": True,
            "bg_color": "#F2F2F2",
            "border": 1,
            "font_color": "#C00000",
            "text_wrap": True,
            "valign": "top",
        }
    )
    text = workbook.add_format({"num_format": 49})
    worksheet = workbook.add_worksheet(sheet.sheet_name)
    instructions = workbook.add_worksheet(INSTRUCTIONS_SHEET)
    choices = None
    choices_used = 0
    for index, column in enumerate(sheet.columns):
        worksheet.set_column(index, index, column.width, text if column.text else None)
        worksheet.write_string(0, index, column.header, required if column.required else header)
        if column.help:
            worksheet.write_comment(0, index, str(column.help), {"x_scale": 2, "y_scale": 1.5})
        values = column.dropdown(scope)
        if not values:
            continue
        inline = ",".join(values)
        if len(inline) <= INLINE_LIST_LIMIT and not any("," in value for value in values):
            source: Any = list(values)
        else:
            if choices is None:
                choices = workbook.add_worksheet(CHOICES_SHEET)
                choices.hide()
            for row, value in enumerate(values):
                choices.write_string(row, choices_used, value)
            letter = xlsxwriter.utility.xl_col_to_name(choices_used)
            source = f"={CHOICES_SHEET}!${letter}$1:${letter}${len(values)}"
            choices_used += 1
        validation = {
            "validate": "list",
            "source": source,
            "error_type": "stop" if column.strict and column.many == 1 else "warning",
            "error_title": column.header[:32],
            "error_message": str(_("Choose a value from the list."))[:255],
        }
        if column.help:
            validation["input_title"] = column.header[:32]
            validation["input_message"] = str(column.help)[:255]
        worksheet.data_validation(1, index, MAX_TEMPLATE_ROWS - 1, index, validation)
    worksheet.freeze_panes(1, 0)
    worksheet.set_row(0, 30)
    _write_instructions(workbook, instructions, sheet, scope, header)
    workbook.close()


def _write_instructions(workbook, worksheet, sheet: Sheet, scope, header_format) -> None:
    worksheet.set_column(0, 0, 16)
    worksheet.set_column(1, 1, 8)
    worksheet.set_column(2, 2, 60)
    worksheet.set_column(3, 3, 60)
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    titles = [_("Column"), _("Required"), _("What to write"), _("Choices")]
    for index, title in enumerate(titles):
        worksheet.write_string(0, index, str(title), header_format)
    for row, column in enumerate(sheet.columns, start=1):
        worksheet.write_string(row, 0, column.header, wrap)
        worksheet.write_string(row, 1, "是" if column.required else "", wrap)
        worksheet.write_string(row, 2, str(column.help), wrap)
        values = column.dropdown(scope) if column.options is None else []
        worksheet.write_string(row, 3, "、".join(values), wrap)
    worksheet.freeze_panes(1, 0)


def _reasons(errors: Errors, row: int) -> str:
    return "；".join(
        f"{error.column}：{error.reason}" if error.column else str(error.reason)
        for error in errors.for_row(row)
    )


def _without_reason(header: list[str]) -> tuple[list[str], int | None]:
    """The file's header without a reason column from an earlier rejection, which a
    clerk who fixed the returned file uploads again."""
    if REASON_HEADER in header:
        position = header.index(REASON_HEADER)
        return header[:position] + header[position + 1 :], position
    return header, None


def _original(values: list[str], width: int, skip: int | None) -> list[str]:
    values = values + [""] * (width - len(values))
    if skip is not None and skip < len(values):
        values = values[:skip] + values[skip + 1 :]
    return values


def rejected_rows(outcome: Outcome) -> tuple[list[str], Iterator[tuple[bool, list[str]]]]:
    """The header with the reason column added, and every row of the file as uploaded
    with its reasons: the whole file, so the clerk can fix the marked rows and upload it
    again as it is (the reason column is ignored then)."""
    header, skip = _without_reason(outcome.header)
    width = max([len(outcome.header), *(len(row.values) for row in outcome.source_rows)])

    def rows() -> Iterator[tuple[bool, list[str]]]:
        for row in outcome.source_rows:
            reasons = _reasons(outcome.errors, row.number)
            yield bool(reasons), [*_original(row.values, width, skip), reasons]

    return [*header, *([""] * (width - len(outcome.header))), REASON_HEADER], rows()


def write_rejected_xlsx(outcome: Outcome, target: str | Path | IO[bytes]) -> None:
    """The rows as uploaded, as text, with the reason column; rejected rows in red."""
    header, rows = rejected_rows(outcome)
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
    bold = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    bad = workbook.add_format({"bg_color": "#FFE0E0", "num_format": 49})
    reason = workbook.add_format({"font_color": "#C00000", "bg_color": "#FFE0E0"})
    plain = workbook.add_format({"num_format": 49})
    worksheet = workbook.add_worksheet("导入结果")
    reason_column = len(header) - 1
    worksheet.set_column(0, reason_column - 1, 14, plain)
    worksheet.set_column(reason_column, reason_column, 60)
    worksheet.write_row(0, 0, header, bold)
    row_index = 0
    for row_index, (rejected, values) in enumerate(rows, start=1):
        for column, value in enumerate(values[:-1]):
            worksheet.write_string(row_index, column, value, bad if rejected else plain)
        if values[-1]:
            worksheet.write_string(row_index, reason_column, values[-1], reason)
    worksheet.freeze_panes(1, 0)
    worksheet.autofilter(0, 0, max(row_index, 1), reason_column)
    workbook.close()


def write_rejected_csv(outcome: Outcome, target: IO[bytes]) -> None:
    """The same as CSV, in UTF-8 with a byte-order mark, which Excel and WPS open as is."""
    header, rows = rejected_rows(outcome)
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    for _rejected, values in rows:
        writer.writerow(values)
    text.flush()
    text.detach()


# Jobs: the upload, the run and its progress


def sha256_of(handle: BinaryIO) -> str:
    digest = hashlib.sha256()
    handle.seek(0)
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def do_create_job(
    *,
    kind: str,
    upload: File,
    filename: str,
    user=None,
    scope: Scope,
    channel: str = "web",
    language: str | None = None,
) -> ImportJob:
    """Store the uploaded file under MEDIA_ROOT/imports/ and record the job, queued.

    The caller enqueues it (`enqueue`) or runs it (`run_job`). The job's region is the
    uploader's scope, so that it is seen by those whose scope contains it.
    """
    digest = sha256_of(upload)
    job = ImportJob(
        kind=kind,
        filename=PurePath(filename).name[:255],
        sha256=digest,
        size=upload.size or 0,
        uploaded_by=user if getattr(user, "pk", None) else None,
        uploader_name=(user.get_username() if getattr(user, "pk", None) else "")[:150],
        channel=channel,
        region_code=scope.region_code or "",
        language=language or translation.get_language() or "zh-hans",
    )
    job.file.save(filename, upload, save=False)
    job.save()
    return job


def enqueue(job: ImportJob) -> ImportJob:
    """Queue the job for the background worker (`baolei db_worker`). The queue is a
    database table, so a restart of the web server loses nothing."""
    from baolei.imports.tasks import run_import_job

    result = run_import_job.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)
    return job


def previous_imports(job: ImportJob) -> models.QuerySet:
    """Earlier successful imports of the very same file (same SHA-256) in the same scope."""
    return ImportJob.objects.filter(
        sha256=job.sha256, kind=job.kind, status=ImportJob.Status.DONE, region_code=job.region_code
    ).exclude(pk=job.pk)


def job_scope(job: ImportJob) -> Scope:
    """The uploader's scope as it is now (a deactivated uploader has none); a job from
    the command line without `--as` is the operator's, for the whole country."""
    if job.uploaded_by_id is not None:
        return Scope.for_user(job.uploaded_by)
    return Scope(role=Role.SYSTEM_ADMIN, region_code=None)


class JobProgress(Progress):
    """Writes the phase and the rows done to the job's row, every `every` rows, each in
    its own short transaction so that the page polling the job sees it at once.

    Every write is also the job's heartbeat (`heartbeat_at`): a job in progress whose
    heartbeat stopped long ago was left by a worker that died (`stale.sweep_stale_jobs`).

    During the load, the pipeline is inside its one big transaction; on PostgreSQL the
    progress goes through a second connection, on SQLite (one writer at a time, held by
    the load) into a small side file that the job's page reads
    (`ImportJob.with_live_progress`). `echo` receives every report too (the terminal's
    bar).
    """

    def __init__(self, job: ImportJob, echo: Callable[[str, int, int], None] | None = None):
        self.job = job
        self.echo = echo
        self.status = job.status
        self.total = 0
        self.done = 0
        self.written = 0
        self.every = 1
        self._side = None
        self._file: Path | None = None

    def phase(self, status: str, total: int) -> None:
        self.status, self.total, self.done, self.written = status, total, 0, 0
        self.every = max(1, min(PARSE_CHUNK, total // 100 or 1))
        self._write(force=True)

    def rows(self, done: int) -> None:
        if self.status == ImportJob.Status.LOADING:
            self.done = min(self.total, self.done + done)  # the loader counts per batch
        else:
            self.done = done
        if self.done - self.written >= self.every or self.done == self.total:
            self._write()

    def _write(self, force: bool = False) -> None:
        """`phase` is reported before the load's transaction begins; rows loaded are
        reported from inside it."""
        self.written = self.done
        if self.echo is not None:
            self.echo(self.status, self.done, self.total)
        values = {
            "status": self.status,
            "rows_done": self.done,
            "rows_total": self.total,
            "heartbeat_at": timezone.now(),
        }
        if force or self.status != ImportJob.Status.LOADING:
            ImportJob.objects.filter(pk=self.job.pk).update(**values)
        elif connection.vendor == "postgresql":
            self._write_aside(values)
        else:
            self._write_file(values)

    def _write_aside(self, values: dict) -> None:
        try:
            if self._side is None:
                self._side = connections.create_connection(connection.alias)
            with self._side.cursor() as cursor:
                cursor.execute(
                    "UPDATE imports_importjob SET status = %s, rows_done = %s, rows_total = %s, "
                    "heartbeat_at = %s WHERE id = %s",
                    [
                        values["status"],
                        values["rows_done"],
                        values["rows_total"],
                        values["heartbeat_at"],
                        self.job.pk,
                    ],
                )
        except DatabaseError:  # progress is a courtesy; the import must not fail for it
            logger.warning("could not report the progress of import job %s", self.job.pk)

    def _write_file(self, values: dict) -> None:
        path = progress_file(self.job.pk)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial")
            partial.write_text(
                json.dumps({"rows_done": values["rows_done"], "rows_total": values["rows_total"]})
            )
            partial.replace(path)  # a reader sees the old report or the new, never half
            self._file = path
        except OSError:
            logger.warning("could not report the progress of import job %s", self.job.pk)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None
        if self._file is not None:
            self._file.unlink(missing_ok=True)
            self._file = None


def _save_rejected_files(job: ImportJob, outcome: Outcome) -> None:
    if not outcome.source_rows:
        return
    stem = f"{job.pk}-rejected"
    with tempfile.TemporaryFile() as handle:
        write_rejected_xlsx(outcome, handle)
        handle.seek(0)
        job.error_file.save(f"{stem}.xlsx", File(handle), save=False)
    if job.is_csv:
        with tempfile.TemporaryFile() as handle:
            write_rejected_csv(outcome, handle)
            handle.seek(0)
            job.error_csv.save(f"{stem}.csv", File(handle), save=False)


def run_job(job: ImportJob, echo: Callable[[str, int, int], None] | None = None) -> ImportJob:
    """Run one job to its end: done, rejected (with the rejected-rows files) or failed.

    Every change is attributed to the uploader and made within their scope as it is now.
    An unexpected error marks the job failed (nothing was written: the load is one
    transaction) and is raised again for the worker's log.
    """
    job.status = ImportJob.Status.VALIDATING
    job.started_at = job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "started_at", "heartbeat_at"])
    progress = JobProgress(job, echo)
    scope = job_scope(job)
    actor = audit_context.Actor(
        id=job.uploaded_by_id,
        name=job.uploader_name or audit_context.current_actor().name,
        channel=job.channel,
    )
    try:
        with translation.override(job.language), audit_context.acting_as(actor):
            sheet = get_sheet(job.kind)
            if not scope.can(sheet.import_permission):
                raise PermissionError("the uploader may no longer import this sheet")
            context = ImportContext(
                scope=scope,
                filename=job.filename,
                sha256=job.sha256,
                actor_name=actor.name,
                job_id=job.pk,
            )
            outcome = run_import(sheet, _source(job), job.filename, context, progress)
            _finish(job, outcome)
    except IntegrityError as error:
        _fail(
            job,
            _(
                "The register changed while the file was loading (another import or edit "
                "added the same person or household). Nothing was changed; upload it again."
            ),
        )
        logger.warning("import job %s: %s", job.pk, error)
    except Exception as error:
        with translation.override(job.language):
            _fail(job, lazy_format(_("The import stopped: %(error)s"), error=str(error)))
        raise
    finally:
        progress.close()
    return job


def _source(job: ImportJob) -> str | bytes:
    """The stored file's path, or its bytes where the storage has no local paths."""
    try:
        return job.file.path
    except NotImplementedError:
        with job.file.open("rb") as handle:
            return handle.read()


def _finish(job: ImportJob, outcome: Outcome) -> None:
    job.status = outcome.status
    job.counts = outcome.counts
    job.rows_total = outcome.rows
    job.rows_done = outcome.rows if outcome.status == ImportJob.Status.DONE else 0
    job.error_count = len(outcome.errors)
    job.errors = [error.as_json() for error in outcome.errors.first(STORED_ERRORS)]
    if outcome.ignored_columns:
        job.message = str(
            lazy_format(
                _("These columns were ignored: %(columns)s"),
                columns="、".join(outcome.ignored_columns),
            )
        )
    if outcome.status == ImportJob.Status.REJECTED:
        _save_rejected_files(job, outcome)
    job.finished_at = timezone.now()
    job.save()


def _fail(job: ImportJob, message) -> None:
    job.status = ImportJob.Status.FAILED
    job.message = str(message)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at"])
