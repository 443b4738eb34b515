"""Set-based reads and writes for the importers' `validate` and `load`: `fetch_in` for
any number of keys, `insert_rows` and `update_rows` (COPY on PostgreSQL, `executemany` on
SQLite) without model instances or signals, and `Ticker` for the load's progress.
"""

import contextlib
import csv
import datetime
import io
import itertools
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils import timezone

COPY_ROWS = 2_000  # rows formatted and sent to a COPY at a time
INSERT_BATCH = 20_000  # rows per COPY or executemany: progress moves between batches
KEY_SEPARATOR = "\x1f"  # the unit separator: no key read from a cell holds it


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
        meta = queryset.model._meta
        field = meta.pk if field_name == "pk" else meta.get_field(field_name)
        cast = field.cast_db_type(connection)
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
    SQLite has one writer at a time, so the keys after the highest ever used are free:
    the load's transaction either began IMMEDIATE (holding the write lock) or began
    DEFERRED, and then SQLite refuses its first write if anyone wrote since it read
    these keys (`running`: the check and load run again).
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
