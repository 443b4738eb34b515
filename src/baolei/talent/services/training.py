"""Training of new professional farmers (高素质农民培育): courses, enrolments, completion
and certificates, and the counts per village and year.

A course is hosted by a county or township and visible to the regions below it (villages
enrol their people in the county's courses); an enrolment belongs to the trainee's
village and is seen there and by the course's host.

The counts: *enrolled* is every enrolment, *completed* those who passed, *certified*
those with a certificate; the year is the year the course starts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import Scope
from baolei.messages import lazy_format
from baolei.regions import codes
from baolei.regions.models import Region
from baolei.registry.services import person_for
from baolei.talent.choices import Skill
from baolei.talent.models import Course, Enrolment
from baolei.talent.services.talent import (
    TalentError,
    actor_name,
    check_date,
    check_in_scope,
    child_length,
    children_rows,
    choice,
    cultivate_by_training,
    host_region,
    required_text,
    scope_of,
    training_step_what,
    village,
)

COUNT_KEYS = ("enrolled", "completed", "certified")


def visible_courses(scope: Scope) -> QuerySet[Course]:
    """Courses hosted in the scope and by the regions above it."""
    if scope.empty:
        return Course.objects.none()
    if scope.region_code is None:
        return Course.objects.all()
    above = codes.ancestors_of(scope.region_code)
    return Course.objects.filter(scope.q("region_code") | Q(region_code__in=above))


def visible_enrolments(scope: Scope) -> QuerySet[Enrolment]:
    """Enrolments of the villages in scope, and all of the courses hosted in scope."""
    if scope.empty:
        return Enrolment.objects.none()
    return Enrolment.objects.filter(scope.q("region_code") | scope.q("course__region_code"))


def _positive(value, field_name: str) -> int:
    if value is None or int(value) <= 0:
        raise TalentError("positive", _("Enter a number above zero."), field=field_name)
    return int(value)


@transaction.atomic
def do_create_course(
    actor,
    *,
    code: str,
    title: str,
    subject: str,
    organiser: str,
    region_code: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    capacity: int,
    hours: int,
) -> Course:
    code = required_text(code, "code", 32)
    if starts_on is None:
        raise TalentError("required", _("Enter the date."), field="starts_on")
    if ends_on is None or ends_on < starts_on:
        raise TalentError(
            "ends_before_start", _("The course cannot end before it starts."), field="ends_on"
        )
    course = Course(
        code=code,
        title=required_text(title, "title", 120),
        subject=choice(subject, Skill, "subject"),
        organiser=required_text(organiser, "organiser", 120),
        region_code=host_region(region_code, actor).code,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=_positive(capacity, "capacity"),
        hours=_positive(hours, "hours"),
    )
    if Course.objects.filter(code=code).exists():
        raise TalentError(
            "duplicate_code",
            lazy_format(_("There is already a course with the code %(code)s."), code=code),
            field="code",
        )
    course.save()
    return course


@transaction.atomic
def do_enrol(
    actor,
    course: Course,
    *,
    id_number: str,
    name: str,
    village_code: str,
    enrolled_on: datetime.date | None = None,
) -> Enrolment:
    """Enrol a person of a village in scope, while the course has places."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    region = village(village_code, actor)
    enrolled_on = check_date(enrolled_on or timezone.localdate(), "enrolled_on")
    if enrolled_on > course.ends_on:
        raise TalentError(
            "course_over",
            lazy_format(_("The course ended on %(date)s."), date=course.ends_on.isoformat()),
            field="enrolled_on",
        )
    person = person_for(actor, id_number, name, region.code)
    if course.enrolments.filter(person=person).exists():
        raise _already_enrolled(person.name)
    if course.enrolments.count() >= course.capacity:
        raise TalentError(
            "course_full",
            lazy_format(_("The course is full (%(capacity)d places)."), capacity=course.capacity),
            field="id_number",
        )
    try:
        with transaction.atomic():
            return Enrolment.objects.create(
                course=course, person=person, region_code=region.code, enrolled_on=enrolled_on
            )
    except IntegrityError:
        raise _already_enrolled(person.name) from None


def _already_enrolled(name: str) -> TalentError:
    return TalentError(
        "already_enrolled",
        lazy_format(_("%(name)s is already enrolled on this course."), name=name),
        field="id_number",
    )


def check_completion(
    course: Course,
    hours_attended: int | None,
    passed: bool | None,
    certificate_number: str,
    certificate_issued_on: datetime.date | None,
) -> None:
    """The rules of a completion record, shared by the form, the API and the import."""
    if hours_attended is not None and not 0 <= hours_attended <= course.hours:
        raise TalentError(
            "hours_out_of_range",
            lazy_format(
                _("The hours attended must lie between 0 and the course's %(hours)d."),
                hours=course.hours,
            ),
            field="hours_attended",
        )
    if certificate_number and not passed:
        raise TalentError(
            "certificate_without_pass",
            _("Only a person who passed receives a certificate."),
            field="certificate_number",
        )
    if bool(certificate_number) != bool(certificate_issued_on):
        raise TalentError(
            "certificate_incomplete",
            _("Give both the certificate number and the date it was issued."),
            field="certificate_issued_on" if certificate_number else "certificate_number",
        )
    if certificate_issued_on is not None:
        check_date(certificate_issued_on, "certificate_issued_on", not_before=course.starts_on)


@transaction.atomic
def do_record_completion(
    actor,
    enrolment: Enrolment,
    *,
    hours_attended: int | None,
    passed: bool | None,
    certificate_number: str = "",
    certificate_issued_on: datetime.date | None = None,
) -> Enrolment:
    enrolment = Enrolment.objects.select_for_update().select_related("course").get(pk=enrolment.pk)
    # The trainee's village or the course's host records it.
    scope = scope_of(actor)
    places = (enrolment.region_code, enrolment.course.region_code)
    if scope is not None and not any(scope.contains(code) for code in places):
        check_in_scope(actor, enrolment.region_code, "hours_attended")
    number = (certificate_number or "").strip()
    check_completion(enrolment.course, hours_attended, passed, number, certificate_issued_on)
    if number and (
        Enrolment.objects.filter(certificate_number=number).exclude(pk=enrolment.pk).exists()
    ):
        raise TalentError(
            "duplicate_certificate",
            lazy_format(_("The certificate %(number)s is already recorded."), number=number),
            field="certificate_number",
        )
    newly_passed = passed is True and enrolment.passed is not True
    enrolment.hours_attended = hours_attended
    enrolment.passed = passed
    enrolment.certificate_number = number
    enrolment.certificate_issued_on = certificate_issued_on
    enrolment.save()
    if newly_passed:
        course = enrolment.course
        cultivate_by_training(
            [
                (
                    enrolment.person_id,
                    passed_on(course, certificate_issued_on),
                    training_step_what(course.code, course.title),
                )
            ],
            actor_name(actor),
        )
    return enrolment


def passed_on(course: Course, certificate_issued_on: datetime.date | None) -> datetime.date:
    """The day a pass counts from: the certificate's, else the end of the course (never
    a day still to come)."""
    return min(certificate_issued_on or course.ends_on, timezone.localdate())


# --- counts -----------------------------------------------------------------------------


@dataclass
class TrainingRow:
    region: Region | None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))


def _year_filter(enrolments: QuerySet[Enrolment], year: int | None) -> QuerySet[Enrolment]:
    return enrolments.filter(course__starts_on__year=year) if year else enrolments


def count_enrolments(queryset: QuerySet, *group: str) -> list[dict]:
    """Enrolled, completed (passed) and certified, grouped by `group`."""
    return list(
        queryset.values(*group)
        .annotate(
            enrolled=Count("pk"),
            completed=Count("pk", filter=Q(passed=True)),
            certified=Count("pk", filter=~Q(certificate_number="")),
        )
        .order_by(*group)
    )


def training_counts(
    enrolments: QuerySet[Enrolment], scope: Scope, region_code: str | None, year: int | None
) -> tuple[list[TrainingRow], TrainingRow]:
    """Rows = the regions one level below `region_code` (in scope), for one year or all."""
    rows = children_rows(scope, region_code)
    length = child_length(region_code)
    if region_code:
        enrolments = enrolments.filter(codes.within("region_code", region_code))
    enrolments = _year_filter(enrolments, year).annotate(prefix=Substr("region_code", 1, length))
    found = {row["prefix"]: row for row in count_enrolments(enrolments, "prefix")}
    result, total = [], TrainingRow(region=None)
    for region in rows:
        row = TrainingRow(region=region)
        counted = found.get(region.code[:length])
        if counted:
            row.counts = {key: counted[key] for key in COUNT_KEYS}
        for key in COUNT_KEYS:
            total.counts[key] += row.counts[key]
        result.append(row)
    return result, total


def yearly_counts(enrolments: QuerySet[Enrolment], region_code: str | None) -> list[dict]:
    """Per year of the courses: enrolled, completed, certified — newest year first."""
    if region_code:
        enrolments = enrolments.filter(codes.within("region_code", region_code))
    rows = count_enrolments(enrolments.annotate(year=ExtractYear("course__starts_on")), "year")
    return sorted(rows, key=lambda row: -row["year"])
