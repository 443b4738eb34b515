"""Matching a file's header to a sheet's columns and parsing every cell into a `Table`.

Every refusal is collected in `Errors` as (row, column, reason); nothing stops at the
first. The hot loop of an import lives here: keep per-cell work out of it.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from baolei.imports.pipeline import INVALID, Column, Errors, Sheet, Table, fold
from baolei.imports.reading import SourceRow
from baolei.imports.workbooks import REASON_HEADER
from baolei.messages import CodedError, lazy_format

PARSE_CHUNK = 5_000  # rows parsed between two progress reports


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
