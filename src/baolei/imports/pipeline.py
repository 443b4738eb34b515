"""The import pipeline that every sheet of the project reuses: what a sheet author writes.

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

This module holds the definitions: columns and their parsers, sheets and their register,
the parsed `Table`, the `Importer` a sheet subclasses and the `Outcome` of a run. The
machinery is beside it: `parsing` (header matching, every cell into a `Table`), `running`
(`run_import`, the one-transaction run), `bulk` (the set-based reads and writes importers
use), `workbooks` (the template and the rejected rows) and `jobs` (`ImportJob`: upload,
`run_job` and its progress). The background task and the `baolei import` command both
call `jobs.run_job`, so the web and the terminal run the same code. Sheets live in each
app's `sheets.py` and are found on first use.
"""

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import models
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope
from baolei.imports import cells
from baolei.imports.reading import SourceRow
from baolei.messages import CodedError, lazy_format

SEPARATORS = re.compile(r"[、,，;；/／|\s]+")
YES_NO = ("是", "否")


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


# The parsed file


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
