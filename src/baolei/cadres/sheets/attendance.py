"""The monthly attendance sheet of the work teams (驻村考勤): one row per person and month,
the days they spent in the village. A row is matched to the team member by the village
and the person's ID number (the member in post in that village during that month); a
month already entered is replaced, so loading the same file again changes nothing.

Checked a whole column at a time: villages (one query), people (one query), members of
those villages (one query), the months already entered (one query).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.accounts.permissions import Perm
from baolei.cadres.models import AttendanceMonth, TeamMember
from baolei.cadres.sheets.cadres import resolve_regions
from baolei.imports import pipeline
from baolei.imports.bulk import Ticker, fetch_in, insert_rows, update_rows
from baolei.imports.pipeline import Column, Importer, Sheet, Table, integer_parser, text_parser
from baolei.messages import lazy_format
from baolei.registry.models import Person
from baolei.registry.services.people import PERSON_OUTSIDE_SCOPE, people_outside_scope
from baolei.registry.sheets import id_number_column, village_options

COLUMNS = (
    Column(
        "village",
        "村",
        required=True,
        parser=text_parser(160),
        options=village_options,
        strict=False,
        width=36,
        help=_("The village: its 12-digit code or its full name."),
        aliases=("行政村", "村代码", "驻村"),
    ),
    Column("name", "姓名", required=True, parser=text_parser(64), width=10),
    id_number_column(),
    Column("year", "年度", required=True, parser=integer_parser(2000, 2100), width=8),
    Column("month", "月份", required=True, parser=integer_parser(1, 12), width=8),
    Column("days", "在村天数", required=True, parser=integer_parser(0, 31), width=10),
    Column("note", "备注", parser=text_parser(200), width=24),
)


@dataclass
class Plan:
    new: list[tuple] = field(default_factory=list)
    updates: list[tuple] = field(default_factory=list)
    unchanged: int = 0


class AttendanceImporter(Importer):
    def validate(self, table: Table) -> Plan | None:
        villages = resolve_regions(self, table, "village", village=True)
        person_ids = self._people(table)
        members: dict[tuple[str, int], list[dict]] = {}
        # A file covers at most the scope's villages: a plain IN is small enough.
        for row in TeamMember.objects.filter(team__village_id__in=set(villages.values())).values(
            "id", "team__village_id", "cadre__person_id", "starts_on", "ended_on"
        ):
            members.setdefault((row["team__village_id"], row["cadre__person_id"]), []).append(row)
        today = self.context.today
        seen: dict[tuple[int, int, int], int] = {}
        chosen: list[tuple[int, dict, int, int, int, str]] = []
        for index in range(len(table)):
            village = villages.get(table.value("village", index) or "")
            parsed = table.value("id_number", index)
            year, month = table.value("year", index), table.value("month", index)
            days = table.value("days", index)
            if not (village and parsed) or not all(
                isinstance(value, int) for value in (year, month, days)
            ):
                continue  # a refused or missing cell, already reported
            first = datetime.date(year, month, 1)
            last = first.replace(day=calendar.monthrange(year, month)[1])
            if first > today:
                self.reject(index, "month", _("That month has not begun."))
                continue
            candidates = [
                m
                for m in members.get((village, person_ids.get(parsed.number)), [])
                if m["starts_on"] <= last and (m["ended_on"] is None or m["ended_on"] >= first)
            ]
            if not candidates:
                self.reject(
                    index,
                    "id_number",
                    _("This person was not in the village's work team that month."),
                )
                continue
            member = candidates[-1]
            start = max(first, member["starts_on"])
            end = min(last, member["ended_on"] or last)
            in_post = (end - start).days + 1
            if days > in_post:
                self.reject(
                    index,
                    "days",
                    lazy_format(
                        _("Enter between 0 and %(days)s days: the days in post that month."),
                        days=in_post,
                    ),
                )
                continue
            key = (member["id"], year, month)
            if key in seen:
                self.reject(
                    index,
                    "month",
                    lazy_format(
                        _("The same person and month as row %(row)d."),
                        row=table.numbers[seen[key]],
                    ),
                )
                continue
            seen[key] = index
            chosen.append((index, member, year, month, days, table.value("note", index) or ""))
        if self.errors:
            return None
        existing = {
            (row["member_id"], row["year"], row["month"]): row
            for row in fetch_in(
                AttendanceMonth.objects.filter(
                    Q(year__in={c[2] for c in chosen}) & Q(month__in={c[3] for c in chosen})
                ).values("id", "member_id", "year", "month", "days", "note"),
                "member",
                {c[1]["id"] for c in chosen},
            )
        }
        plan = Plan()
        now = timezone.now()
        for _index, member, year, month, days, note in chosen:
            current = existing.get((member["id"], year, month))
            if current is None:
                plan.new.append((member["id"], year, month, days, note, now))
            elif (current["days"], current["note"]) == (days, note):
                plan.unchanged += 1
            else:
                plan.updates.append((current["id"], days, note, now))
        return plan

    def _people(self, table: Table) -> dict[str, int]:
        """The register's person of each ID number (one person may have several months
        in a file); a number registered under another name is refused, without naming
        anyone registered outside the scope."""
        numbers = {parsed.number for parsed in table.column("id_number") if parsed}
        persons = {
            row["id_number"]: row
            for row in fetch_in(
                Person.objects.values("id", "id_number", "name", "region_code"),
                "id_number",
                numbers,
            )
        }
        foreign = people_outside_scope(
            self.context.scope, [(row["id"], row["region_code"]) for row in persons.values()]
        )
        for index, parsed in enumerate(table.column("id_number")):
            person = persons.get(parsed.number) if parsed else None
            name = table.value("name", index)
            if person is None or not name or person["name"] == name:
                continue
            if person["id"] in foreign:
                self.reject(index, "id_number", PERSON_OUTSIDE_SCOPE)
            else:
                self.reject(
                    index,
                    "name",
                    lazy_format(
                        _("The ID number is registered to %(registered)s, not %(given)s."),
                        registered=person["name"],
                        given=name,
                    ),
                )
        return {number: row["id"] for number, row in persons.items()}

    def load(self, plan: Plan, progress) -> dict[str, int]:
        total = len(plan.new) + len(plan.updates)
        tick = Ticker(total + plan.unchanged, total, progress)
        insert_rows(
            AttendanceMonth,
            ["member", "year", "month", "days", "note", "entered_at"],
            plan.new,
            tick,
        )
        update_rows(AttendanceMonth, ["days", "note", "entered_at"], plan.updates, tick)
        tick.finish()
        return {"created": len(plan.new), "updated": len(plan.updates), "unchanged": plan.unchanged}


SHEET = pipeline.register(
    Sheet(
        kind="team_attendance",
        title=_("Work-team attendance"),
        sheet_name="驻村考勤",
        columns=COLUMNS,
        importer=AttendanceImporter,
        import_permission=Perm.MANAGE_CADRES,
        audit_model="cadres.attendancemonth",
        list_url="cadres:below_rule",
        description=_(
            "One row per work-team member and month: the days spent in the village. A month "
            "already entered is replaced by the file's figure."
        ),
    )
)
