"""The triggers that mark regions dirty, one per registered source table.

A trigger runs inside the writing statement's transaction whatever wrote the row — a
page, the API, an import's bulk insert, `QuerySet.update()`, a migration — so no write
path can forget to mark, and a rolled-back write leaves no mark. They are (re)installed
after every `migrate`: SQLite drops a table's triggers when Django rebuilds the table to
alter it, and a changed source must replace the old trigger.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from baolei.dashboard.models import DirtyRegion
from baolei.indicators import Source

PREFIX = "baolei_dirty_"


def _mark(source: Source, row: str, unless_same_as: str | None, distinct: str) -> str:
    """One INSERT marking the code of `row` (NEW or OLD). The expression is written out
    twice rather than selected from a subquery: SQLite does not let a trigger's NEW and
    OLD be read inside a FROM clause."""
    table = DirtyRegion._meta.db_table
    if source.many:
        # Every code the row moves; an update marks the old ones again, which is harmless.
        return f"INSERT INTO {table} (region_code) {source.code_sql.format(row=row)}"
    code = source.code_sql.format(row=row)
    condition = f"COALESCE({code}, '') <> ''"
    if unless_same_as:
        condition += f" AND ({code}) {distinct} ({source.code_sql.format(row=unless_same_as)})"
    return f"INSERT INTO {table} (region_code) SELECT {code} WHERE {condition}"


def _marks(source: Source, event: str, distinct: str) -> list[str]:
    if event == "INSERT":
        return [_mark(source, "NEW", None, distinct)]
    if event == "DELETE":
        return [_mark(source, "OLD", None, distinct)]
    # An update marks where the row is now, and where it was if it moved.
    return [_mark(source, "NEW", None, distinct), _mark(source, "OLD", "NEW", distinct)]


def _sqlite(source: Source) -> list[str]:
    statements = []
    for event in ("INSERT", "UPDATE", "DELETE"):
        name = f"{PREFIX}{source.table}_{event.lower()}"
        body = "".join(f"{statement}; " for statement in _marks(source, event, "IS NOT"))
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {event} ON {source.table} FOR EACH ROW BEGIN {body}END",
        ]
    return statements


def _body(source: Source, event: str) -> str:
    return "".join(f"{statement}; " for statement in _marks(source, event, "IS DISTINCT FROM"))


def _postgresql(source: Source) -> list[str]:
    function = f"{PREFIX}{source.table}"
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_body(source, 'INSERT')} "
        f"ELSIF TG_OP = 'UPDATE' THEN {_body(source, 'UPDATE')} "
        f"ELSE {_body(source, 'DELETE')} END IF; "
        f"RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {PREFIX}marks ON {source.table}",
        f"CREATE TRIGGER {PREFIX}marks AFTER INSERT OR UPDATE OR DELETE ON {source.table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


def install(connection: BaseDatabaseWrapper, sources: list[Source]) -> int:
    """Create or replace the triggers of `sources`; returns how many tables got one."""
    build = _postgresql if connection.vendor == "postgresql" else _sqlite
    with connection.cursor() as cursor:
        for source in sources:
            # Neither database checks a trigger's columns until a row is written: a
            # misspelt source would fail every write to its table. Fail the migrate instead.
            code = source.code_sql.format(row=source.table)
            if source.many:
                code = f"EXISTS ({code})"
            cursor.execute(f"SELECT {code} FROM {source.table} WHERE 1 = 0")
            for statement in build(source):
                cursor.execute(statement)
    return len(sources)


def installed(connection: BaseDatabaseWrapper) -> set[str]:
    """The tables that carry a marking trigger now."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name = %s",
                [f"{PREFIX}marks"],
            )
        else:
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE %s",
                [f"{PREFIX}%"],
            )
        return {table for (table,) in cursor.fetchall()}
