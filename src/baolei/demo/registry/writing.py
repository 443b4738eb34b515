"""The writing of a synthetic register: drafts to rows, written set-based in batches
(`executemany` on SQLite, `COPY` on PostgreSQL) while the next batch is generated.

Apart from the generator, which knows nothing of tables and ids; see `synthetic.py` for
why the ORM's `bulk_create` is not used.
"""

import datetime
import json
import queue
import threading
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from django.db import connection, models
from django.utils import timezone

from baolei.demo.registry.drafts import Counts, HouseholdDraft
from baolei.registry.models import (
    AssistanceMeasure,
    Helper,
    Household,
    HouseholdYear,
    Member,
    MonitoringCase,
    Pairing,
    Person,
    Procedure,
    ProcedureStep,
    RiskEvent,
    StatusChange,
    Visit,
)

_NULL = "\\N"  # COPY's text format for NULL


def _copy_text(value: str) -> str:
    value = value.replace("\\", "\\\\").replace("\t", "\\t")
    return value.replace("\n", "\\n").replace("\r", "\\r")


class _TableWriter:
    """One table's rows, converted as the database wants them and written in batches.

    The columns are the model's own, so a new field cannot be forgotten; a value the
    generator does not set takes the field's default. Ids are assigned before writing
    (see `_Ids`), so children can point at parents that are not yet written. Per row the
    work is a dict merge and a C-level `itemgetter` (SQLite) or `format_map` (COPY), plus
    the few conversions the driver does not do by itself: Django's per-field
    `get_db_prep_save` would cost more than the insert.

    COPY lines are not escaped: every text comes from the vocabulary
    (`synthetic_vocabulary.py`) or from the division names, and neither holds a tab, a
    newline or a backslash (`_clean`).
    """

    def __init__(self, model: type[models.Model], now: datetime.datetime) -> None:
        self.copy = connection.vendor == "postgresql"
        fields = model._meta.concrete_fields
        self.values = itemgetter(*(f.attname for f in fields))
        self.conversions = [
            (f.attname, convert) for f in fields if (convert := self._converter(f)) is not None
        ]
        self.nullable = [f.attname for f in fields if f.null]
        # The field's default ("" for a text field without one), the time of the run for
        # the timestamps: computed and converted once, not per row.
        defaults = {
            f.attname: now if getattr(f, "auto_now", False) else f.get_default() for f in fields
        }
        for attname, convert in self.conversions:
            if defaults[attname] is not None:
                defaults[attname] = convert(defaults[attname])
        if self.copy:  # formatting a timestamp costs microseconds: once, not per row
            defaults = {name: _NULL if v is None else str(v) for name, v in defaults.items()}
        self.defaults = defaults
        # COPY's text format is what format() gives for text, numbers, dates, decimals,
        # booleans and timestamps; only NULL needs saying.
        self.template = "\t".join(f"{{{f.attname}}}" for f in fields) + "\n"
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        if self.copy:
            self.sql = f"COPY {table} ({columns}) FROM STDIN"
        else:
            self.sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(fields))})"
        self.rows: list = []

    def _converter(self, f: models.Field) -> Callable[[Any], Any] | None:
        """What the field's own `get_db_prep_save` would give, where the driver (or
        COPY's text format) does not give the same by itself. Not called for None."""
        if isinstance(f, models.JSONField):
            if self.copy:
                return lambda v: _copy_text(json.dumps(v, ensure_ascii=False))
            return json.dumps  # as Django's adapt_json_value, with no custom encoder
        if self.copy:
            return None
        if isinstance(f, models.DateTimeField):
            return connection.ops.adapt_datetimefield_value  # UTC, as Django stores it
        if isinstance(f, models.DateField):
            return datetime.date.isoformat
        if isinstance(f, models.DecimalField):
            return str  # the adapter Django registers for Decimal
        return None

    def add(self, values: dict[str, Any]) -> None:
        row = {**self.defaults, **values}
        for attname, convert in self.conversions:
            if attname in values and row[attname] is not None:  # defaults are converted
                row[attname] = convert(row[attname])
        if not self.copy:
            self.rows.append(self.values(row))
            return
        for attname in self.nullable:
            if row[attname] is None:
                row[attname] = _NULL
        self.rows.append(self.template.format_map(row))

    def take_batch(self) -> Callable[[Any], None] | None:
        """The rows gathered so far, as a job that writes them given a raw cursor."""
        rows, self.rows = self.rows, []
        if not rows:
            return None
        sql = self.sql
        if self.copy:

            def write(raw) -> None:
                with raw.copy(sql) as copy:
                    copy.write("".join(rows))

        else:

            def write(raw) -> None:
                raw.executemany(sql, rows)

        return write


class _Background:
    """Writes each batch in a second thread while the next one is generated.

    Both drivers let go of the GIL while the database works (sqlite3 around each step,
    psycopg while it waits for the server), so writing and generating overlap. The
    thread writes on the same connection, in the same transaction, through its own raw
    cursor: psycopg serialises the connection's use with a lock, and on SQLite the
    generating thread does not touch the database until `finish`.
    """

    def __init__(self, cursor) -> None:
        if connection.vendor == "postgresql":
            self.raw = cursor.cursor.connection.cursor()
        else:
            self.raw = cursor.connection  # sqlite3's Connection.executemany
        self.jobs: queue.Queue = queue.Queue(maxsize=1)  # at most one batch waiting
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="register-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (jobs := self.jobs.get()) is not None:
            if self.error is not None:
                continue  # drain: the transaction is lost anyway
            try:
                for job in jobs:
                    job(self.raw)
            except BaseException as error:  # re-raised in the generating thread
                self.error = error

    def _check(self) -> None:
        if self.error is not None:
            raise self.error

    def submit(self, jobs: list[Callable[[Any], None]]) -> None:
        self._check()
        self.jobs.put(jobs)

    def finish(self) -> None:
        """Wait for the last batch; always called before the transaction ends."""
        self.jobs.put(None)
        self.thread.join()
        self._check()


class _Ids:
    """Ids handed out before the rows are written.

    SQLite: after the largest id ever used (the AUTOINCREMENT counter too), safe because
    the transaction holds the database's only write lock. PostgreSQL: reserved from the
    table's sequence in blocks, so concurrent writers get other ids; the sequence is
    where new rows take their ids from anyway.
    """

    LARGEST_BLOCK = 1_000_000

    def __init__(self, cursor, model: type[models.Model]) -> None:
        self.cursor = cursor
        self.table = model._meta.db_table
        self.sequence = connection.vendor == "postgresql"
        self.pending: list[int] = []
        # Doubling: few round trips for big tables (each may wait for the COPY in
        # progress, which holds the connection), few unused ids for small ones.
        self.block = 1000
        self.next = 0
        if not self.sequence:
            cursor.execute(f'SELECT max(id) FROM "{self.table}"')
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
            row = cursor.fetchone()
            self.next = max(top, row[0] if row else 0) + 1

    def take(self) -> int:
        if not self.sequence:
            self.next += 1
            return self.next - 1
        if not self.pending:
            self.cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [self.table, self.block],
            )
            self.block = min(self.block * 2, self.LARGEST_BLOCK)
            self.pending = [row[0] for row in self.cursor.fetchall()]
            self.pending.reverse()
        return self.pending.pop()


class _RegisterWriter:
    """Drafts to rows: parents' ids first, children pointing at them, flushed per batch."""

    MODELS = (
        Person,
        Helper,
        Household,
        Member,
        HouseholdYear,
        StatusChange,
        MonitoringCase,
        AssistanceMeasure,
        Procedure,
        ProcedureStep,
        RiskEvent,
        Pairing,
        Visit,
    )

    def __init__(self, cursor, counts: Counts) -> None:
        now = timezone.now()
        self.cursor = cursor
        self.counts = counts
        self.tables = {model: _TableWriter(model, now) for model in self.MODELS}
        self.ids = {model: _Ids(cursor, model) for model in self.MODELS}

    def _add(self, model: type[models.Model], values: dict[str, Any], **links: Any) -> int:
        pk = self.ids[model].take()
        values.update(links, id=pk)  # the drafts are used once: no copy needed
        self.tables[model].add(values)
        return pk

    def add(self, draft: HouseholdDraft) -> None:
        counts = self.counts
        helper_id = None
        if draft.helper is not None:
            helper_id = draft.helper.pk
            if helper_id is None:
                person_id = self._add(Person, draft.helper.person)
                helper_id = self._add(Helper, draft.helper.helper, person_id=person_id)
                draft.helper.pk = helper_id
                counts.helpers += 1
                counts.people += 1
        household_id = self.ids[Household].take()
        head_id = None
        for person, member in draft.people:
            person_id = self._add(Person, person)
            head_id = head_id or person_id
            self._add(Member, member, household_id=household_id, person_id=person_id)
        self.tables[Household].add({**draft.household, "id": household_id, "head_id": head_id})
        for year in draft.years:
            self._add(HouseholdYear, year, household_id=household_id)
        for change in draft.changes:
            self._add(StatusChange, change, household_id=household_id)
        for case in draft.cases:
            case_id = self._add(MonitoringCase, case.case, household_id=household_id)
            for measure in case.measures:
                self._add(AssistanceMeasure, measure, case_id=case_id)
            counts.measures += len(case.measures)
            for procedure in case.procedures:
                procedure_id = self._add(
                    Procedure, procedure.procedure, household_id=household_id, case_id=case_id
                )
                for step in procedure.steps:
                    self._add(ProcedureStep, step, procedure_id=procedure_id)
                counts.procedure_steps += len(procedure.steps)
            counts.procedures += len(case.procedures)
        for risk in draft.risks:
            self._add(RiskEvent, risk, household_id=household_id)
        if helper_id is not None:
            self._add(
                Pairing,
                {"started_on": draft.paired_since},
                helper_id=helper_id,
                household_id=household_id,
            )
            counts.pairings += 1
        for visit in draft.visits:
            self._add(Visit, visit, household_id=household_id, helper_id=helper_id)
        counts.households += 1
        counts.members += len(draft.people)
        counts.people += len(draft.people)
        counts.years += len(draft.years)
        counts.status_changes += len(draft.changes)
        counts.cases += len(draft.cases)
        counts.risk_events += len(draft.risks)
        counts.visits += len(draft.visits)
        counts.monitored += bool(draft.household["monitoring_type"])

    def batch(self) -> list[Callable[[Any], None]]:
        """The jobs that write what was gathered, parents first."""
        return [job for table in self.tables.values() if (job := table.take_batch())]
