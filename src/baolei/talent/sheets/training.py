"""The training enrolments sheet (培训学员), through the shared pipeline: upsert by course
code and ID number, with the completion and the certificate checked as on the page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from baolei import idnumbers
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, scoped
from baolei.imports import pipeline
from baolei.imports.bulk import Ticker, fetch_in, insert_rows, update_rows
from baolei.imports.pipeline import (
    Column,
    Importer,
    Sheet,
    Table,
    boolean_column,
    integer_parser,
    text_parser,
)
from baolei.messages import lazy_format
from baolei.registry.sheets import id_number_column
from baolei.talent.models import Course, Enrolment
from baolei.talent.services.talent import TalentError, cultivate_by_training, training_step_what
from baolei.talent.services.training import check_completion, passed_on, visible_courses
from baolei.talent.sheets.common import (
    check_names,
    chunks,
    full_names,
    given,
    insert_new_people,
    iso,
    known_people,
    name_column,
    parse_date,
    reject_duplicates,
    resolve_villages,
    village_column,
)


def parse_hours(text: str) -> int:
    return integer_parser(0, 10_000)(text)


ENROLMENT_COLUMNS = (
    Column(
        "course_code",
        "课程编号",
        required=True,
        parser=text_parser(32),
        text=True,
        width=16,
        help=_("The code of the course, as on its page."),
    ),
    name_column(),
    id_number_column(),
    village_column(),
    Column(
        "enrolled_on",
        "报名日期",
        parser=parse_date,
        width=12,
        help=_("Default: the day the course starts."),
    ),
    Column("hours_attended", "参训学时", parser=parse_hours, width=10),
    boolean_column("passed", "是否结业", aliases=("结业", "考核合格")),
    Column("certificate_number", "证书编号", parser=text_parser(40), text=True, width=18),
    Column("certificate_issued_on", "发证日期", parser=parse_date, width=12),
)

ENROLMENT_VALUES = (
    "id",
    "course_id",
    "person_id",
    "region_code",
    "enrolled_on",
    "hours_attended",
    "passed",
    "certificate_number",
    "certificate_issued_on",
)
ENROLMENT_UPDATE_FIELDS = [
    "region_code",
    "hours_attended",
    "passed",
    "certificate_number",
    "certificate_issued_on",
]
NEW_ENROLMENT_FIELDS = ["course_id", "person_id", "enrolled_on", *ENROLMENT_UPDATE_FIELDS]


@dataclass
class EnrolmentPlan:
    people: dict[str, dict] = field(default_factory=dict)
    villages: dict[str, str] = field(default_factory=dict)
    courses: dict[str, Course] = field(default_factory=dict)
    existing: dict[tuple[int, int], dict] = field(default_factory=dict)
    # (index, course, known person, existing enrolment, values) of every row checked
    rows: list[tuple] = field(default_factory=list)


class EnrolmentImporter(Importer):
    """Enrolments with their completion and certificate, upserted by course code and ID
    number; the completion rules and the course's capacity are checked as on the page."""

    def validate(self, table: Table) -> EnrolmentPlan | None:
        scope = self.context.scope
        reject_duplicates(self, table, self._key)
        plan = EnrolmentPlan(villages=resolve_villages(self, table))
        plan.courses = self._courses(table, scope)
        plan.people = known_people(table)
        enrolments_here = scoped(Enrolment.objects.all(), scope)
        check_names(self, table, plan.people, held=(enrolments_here, "person"))
        course_ids = [course.pk for course in plan.courses.values()]
        person_ids = [row["id"] for row in plan.people.values()]
        for row in fetch_in(
            Enrolment.objects.filter(course_id__in=course_ids).values(*ENROLMENT_VALUES),
            "person_id",
            person_ids,
        ):
            plan.existing[(row["course_id"], row["person_id"])] = row
        self._check_rows(table, plan)
        return None if self.errors else plan

    def _key(self, index: int) -> tuple[str, str] | None:
        """A row's (course code, ID number): the same pair twice is the same enrolment."""
        code, parsed = self.table.value("course_code", index), self.table.value("id_number", index)
        return (code, parsed.number) if code and parsed else None

    def _courses(self, table: Table, scope: Scope) -> dict[str, Course]:
        wanted = {code for code in table.column("course_code") if code}
        courses = {c.code: c for c in fetch_in(visible_courses(scope), "code", wanted)}
        for index, code in enumerate(table.column("course_code")):
            if code and code not in courses:
                self.reject(
                    index,
                    "course_code",
                    lazy_format(_("There is no course %(code)s in your scope."), code=code),
                )
        return courses

    def _check_rows(self, table: Table, plan: EnrolmentPlan) -> None:
        scope = self.context.scope
        places: dict[int, int] = {}
        for index, parsed in enumerate(table.column("id_number")):
            course = plan.courses.get(table.value("course_code", index))
            village = plan.villages.get(table.value("village", index) or "")
            if not parsed or course is None or not village:
                continue
            known = plan.people.get(parsed.number)
            old = plan.existing.get((course.pk, known["id"])) if known else None
            if old is not None and not scope.contains(old["region_code"]):
                self.reject(
                    index, "id_number", _("This enrolment belongs to a village outside your scope.")
                )
                continue
            values = self._values(table, index, old, village)
            try:
                check_completion(course, values[1], values[2], values[3], values[4])
            except TalentError as error:  # its field is the column's key
                self.reject(index, error.field or "", error.message)
                continue
            if old is None:
                places[course.pk] = places.get(course.pk, 0) + 1
            plan.rows.append((index, course, known, old, values))
        self._check_capacity(plan, places)
        self._check_certificates(table, plan)

    def _check_capacity(self, plan: EnrolmentPlan, places: dict[int, int]) -> None:
        taken = {
            row["course_id"]: row["n"]
            for row in Enrolment.objects.filter(course_id__in=list(places))
            .values("course_id")
            .annotate(n=Count("pk"))
            .order_by()
        }
        for index, course, _known, old, _values in plan.rows:
            if old is None and taken.get(course.pk, 0) + places[course.pk] > course.capacity:
                self.reject(
                    index,
                    "course_code",
                    lazy_format(
                        _("The course is full (%(capacity)d places)."), capacity=course.capacity
                    ),
                )

    def _check_certificates(self, table: Table, plan: EnrolmentPlan) -> None:
        numbers = {row[4][3]: row for row in plan.rows if row[4][3]}
        taken = {
            number: pk
            for number, pk in fetch_in(
                Enrolment.objects.values_list("certificate_number", "id"),
                "certificate_number",
                numbers,
            )
        }
        seen: dict[str, int] = {}
        for index, _course, _known, old, values in plan.rows:
            number = values[3]
            if not number:
                continue
            holder = taken.get(number)
            if (holder is not None and (old is None or holder != old["id"])) or number in seen:
                self.reject(
                    index,
                    "certificate_number",
                    lazy_format(
                        _("The certificate %(number)s is already recorded."), number=number
                    ),
                )
            seen[number] = index

    @staticmethod
    def _values(table: Table, index: int, old: dict | None, village: str) -> tuple:
        cell = partial(given, table, index)
        current = old or {
            "hours_attended": None,
            "passed": None,
            "certificate_number": "",
            "certificate_issued_on": None,
        }
        return (
            village,
            cell("hours_attended", current["hours_attended"]),
            cell("passed", current["passed"]),
            cell("certificate_number", current["certificate_number"]),
            cell("certificate_issued_on", current["certificate_issued_on"]),
        )

    def load(self, plan: EnrolmentPlan, progress) -> dict[str, int]:
        table = self.table
        tick = Ticker(len(table), len(table) * 2, progress)
        fresh = [index for index, _c, known, _old, _v in plan.rows if known is None]
        person_ids, people_created = insert_new_people(
            table, fresh, plan.villages, plan.people, tick
        )
        new, updates, unchanged = [], [], 0
        for index, course, _known, old, values in plan.rows:
            if old is None:
                enrolled_on = table.value("enrolled_on", index) or course.starts_on
                person = person_ids[table.value("id_number", index).number]
                new.append((course.pk, person, enrolled_on, *values))
            elif values != tuple(old[key] for key in ENROLMENT_UPDATE_FIELDS):
                updates.append((old["id"], *values))
            else:
                unchanged += 1
        insert_rows(Enrolment, NEW_ENROLMENT_FIELDS, new, tick)
        update_rows(Enrolment, ENROLMENT_UPDATE_FIELDS, updates, tick)
        steps = cultivate_by_training(
            self._passes(plan, person_ids), self.context.actor_name, bulk=True
        )
        tick.finish()
        return {
            "created": len(new),
            "updated": len(updates),
            "unchanged": unchanged,
            "people_created": people_created,
            "talent_steps": steps,
        }

    def _passes(self, plan: EnrolmentPlan, person_ids: dict[str, int]) -> list[tuple]:
        """(person, day, what) of every row that passes where it had not passed before."""
        passes = []
        for index, course, _known, old, values in plan.rows:
            if values[2] is True and (old is None or old["passed"] is not True):
                person = person_ids[self.table.value("id_number", index).number]
                day = passed_on(course, values[4])
                passes.append((person, day, training_step_what(course.code, course.title)))
        return passes


ENROLMENT_SHEET = pipeline.register(
    Sheet(
        kind="training_enrolments",
        title=_("Training enrolments"),
        sheet_name="培训学员",
        columns=ENROLMENT_COLUMNS,
        importer=EnrolmentImporter,
        import_permission=Perm.EDIT_ORGANISATION,
        audit_model="talent.enrolment",
        list_url="talent:course_list",
        description=_(
            "One row per trainee and course, matched by 课程编号 and 身份证号: loading a "
            "file again changes only what differs. 是否结业 is whether they passed; a "
            "certificate needs a pass, its number and its date."
        ),
    )
)


# --- the export -------------------------------------------------------------------------


def enrolment_export_rows(enrolments: QuerySet[Enrolment], reveal: bool) -> Iterator[list[Any]]:
    rows = enrolments.order_by("course__code", "region_code", "person__name", "pk").values_list(
        "course__code",
        "person__name",
        "person__id_number",
        "region_code",
        "enrolled_on",
        "hours_attended",
        "passed",
        "certificate_number",
        "certificate_issued_on",
    )
    names: dict[str, str] = {}
    for chunk in chunks(rows.iterator(chunk_size=2000), 2000):
        names.update(full_names(row[3] for row in chunk if row[3] not in names))
        for code, name, number, region, enrolled, hours, passed, certificate, issued in chunk:
            yield [
                code,
                name,
                number if reveal else idnumbers.mask(number),
                names.get(region, region),
                iso(enrolled),
                "" if hours is None else hours,
                {True: "是", False: "否"}.get(passed, ""),
                certificate,
                iso(issued),
            ]
