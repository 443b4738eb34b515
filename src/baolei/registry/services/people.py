"""The register's shared write rules: refusals, checks and the one record of a person.

Every change to households, members, years, pairings and visits goes through a `do_*`
function, one transaction each: the pages, the API, the importers and the commands call
the same code, so a rule checked there holds whichever door the data came in by.
Refusals are `RegistryError`s: a `code` for programs, a lazy `message` for people and
the `field` at fault, so that a form can put the message next to the right input and an
importer can name the column.

This module holds what every write path shares, and what other apps use too: the
refusals, the checks of fields, dates, years and villages, the one record of a person
per ID number (`person_for`) and the household list's filters. The writes are in topic
modules built on it: households and members (`services.households`), income and
assurances by year (`services.years`), helpers, pairings and visits
(`services.pairing`); the set-based lists and pages are in `services.lists`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from baolei import idnumbers
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, scope_of
from baolei.messages import CodedError, lazy_format
from baolei.regions import codes
from baolei.regions.models import Level, Region
from baolei.registry import choices
from baolei.registry.models import Household, Person
from baolei.registry.services.lists import household_search, households_not_visited

# Household fields a person may edit. The poverty status is not among them: it changes
# only when an identification or exit procedure completes (see procedures.py).
HOUSEHOLD_FIELDS = (
    "number",
    "village",
    "address",
    "attribute",
    "identification_year",
    "identification_standard",
    "main_cause",
    "second_cause",
    "third_cause",
    "housing_area",
    "housing_structure",
    "housing_safety",
)
# Changed only by procedures, never by an edit or an import: whether the household is
# registered as poor (建档立卡) follows its identification and exit, its monitoring type
# the monitoring procedures of a case (procedures.py). An edit would bypass both: no
# status change recorded, a monitoring type without a case. `check_procedure_fields`
# refuses them in every write path.
PROCEDURE_FIELDS = ("registered_poor", "monitoring_type")
# Only a new household may be given a status (an existing register being entered); it
# is recorded as the first entry of its status history. A household already monitored
# in the register being entered may be given its monitoring type the same way (the
# importer does; the form and the API do not offer it). Whether it is registered as poor
# is not given: it follows from the status (`registered_on_entry`).
CREATE_ONLY_FIELDS = ("status", "status_since", "monitoring_type")
PERSON_FIELDS = ("id_number", "name", "sex", "birth_date", "ethnicity", "phone")
MEMBER_FIELDS = (
    "relation",
    "education",
    "school_status",
    "health",
    "disability_grade",
    "labour_capacity",
    "employment",
    "minimum_living",
    "medical_insurance",
    "pension_insurance",
)
EARLIEST_YEAR = 2000


def shown_id_number(scope: Scope, number: str) -> str:
    """The full ID number for roles that may see personal data, the masked one otherwise."""
    return number if scope.can(Perm.SEE_PERSONAL_DATA) else idnumbers.mask(number)


def kept_id_number(given: str, stored: str | None) -> str:
    """The ID number a form or call sent back, or the stored one when what came back is
    the stored one as `shown_id_number` showed it (masked): an edit saved unchanged
    keeps the full number instead of writing the mask over it."""
    given = (given or "").strip()
    if stored and given.upper() in (stored, idnumbers.mask(stored)):
        return stored
    return given


class RegistryError(CodedError):
    """A refusal: `code` for programs, `message` for people, `field` (None: the record
    as a whole) for the form input or import column at fault."""

    def __init__(self, code: str, message, field: str | None = None) -> None:
        super().__init__(code, message)
        self.field = field


class StaleEdit(RegistryError):
    """Someone else saved the household after this edit was started from it."""

    def __init__(self, message, current_version: int) -> None:
        super().__init__("stale", message)
        self.current_version = current_version


class PersonInAnotherHousehold(RegistryError):
    """One person, one household: the person is already a member elsewhere."""

    def __init__(self, message, household_number: str) -> None:
        super().__init__("in_another_household", message, field="id_number")
        self.household_number = household_number


# --- people ----------------------------------------------------------------------------


def validate_person_fields(
    id_number: str,
    name: str,
    sex: str | None = None,
    birth_date: datetime.date | None = None,
) -> idnumbers.IdNumber:
    """The parsed ID number, after checking that the name is there and that the sex and
    birth date, when given, agree with what the number says."""
    if not (name or "").strip():
        raise RegistryError("required", _("Enter the person's name."), field="name")
    if len(name.strip()) > Person._meta.get_field("name").max_length:
        raise RegistryError("too_long", _("The name is too long."), field="name")
    try:
        parsed = idnumbers.validate(id_number or "", today=timezone.localdate())
    except idnumbers.InvalidIdNumber as error:
        raise RegistryError(
            error.code,
            lazy_format(_("ID number: %(reason)s."), reason=error.message),
            field="id_number",
        ) from None
    if sex:
        if sex not in choices.Sex.values:
            raise RegistryError(
                "unknown_value", lazy_format(_("Unknown sex %(value)s."), value=sex), field="sex"
            )
        if sex != parsed.sex:
            raise RegistryError(
                "sex_mismatch",
                lazy_format(
                    _("Sex: the ID number is that of a person of sex %(expected)s, not %(given)s."),
                    expected=choices.Sex(parsed.sex).label,
                    given=choices.Sex(sex).label,
                ),
                field="sex",
            )
    if birth_date and birth_date != parsed.birth_date:
        raise RegistryError(
            "birth_date_mismatch",
            lazy_format(
                _("Birth date: the ID number gives %(expected)s, not %(given)s."),
                expected=parsed.birth_date.isoformat(),
                given=birth_date.isoformat(),
            ),
            field="birth_date",
        )
    return parsed


# Said of anyone the caller may not take: never their name nor their household, so that
# an ID number cannot be used to find out who is registered where (as the importers say).
PERSON_OUTSIDE_SCOPE = _("The person with this ID number is registered outside your area.")


class PersonOutsideScope(RegistryError):
    """The register's record of this ID number lies outside the caller's scope: they may
    not attach it to a record of theirs, rename it or move it."""

    def __init__(self, person: Person) -> None:
        super().__init__("person_outside_scope", PERSON_OUTSIDE_SCOPE, field="id_number")
        self.person = person


def may_take_person(scope: Scope | None, region_code: str) -> bool:
    """Whether a caller with `scope` may attach, rename or move the record of a person
    registered in `region_code` (None: a command or the system, which may): one of the
    scope, or one registered above it (a county cadre working over its townships, or a
    record without a region), but nobody of another township or county."""
    if scope is None or scope.contains(region_code or ""):
        return True
    return bool(scope.region_code) and scope.region_code.startswith(region_code or "")


def people_outside_scope(
    scope: Scope, people: Iterable[tuple[int, str]], held: tuple[QuerySet, str] | None = None
) -> set[int]:
    """For importers, in one query: the pks of `people` ((pk, region code) pairs) the
    scope may not take (`may_take_person`), but for those who already hold one of
    `held` (the scope's records the sheet writes, and their person field): their record
    is updated, no person taken."""
    from baolei.imports.bulk import fetch_in

    foreign = {pk for pk, region_code in people if not may_take_person(scope, region_code)}
    if foreign and held is not None:
        records, person_field = held
        holders = records.values_list(person_field, flat=True)
        foreign -= set(fetch_in(holders, person_field, foreign))
    return foreign


def person_for(
    actor,
    id_number: str,
    name: str,
    region_code: str,
    *,
    sex: str | None = None,
    birth_date: datetime.date | None = None,
    **extra: str | None,
) -> Person:
    """The one record of a person given by ID number and name, made (in `region_code`)
    if new: what households, helpers, organisation, cadres and talent records hang off.

    `actor` is a user, a `Scope` or None (a command). An existing record registered
    outside the actor's scope is refused (`PersonOutsideScope`) before its name is
    compared, so that the answer says nothing of whom the number belongs to. An
    existing record under another name is refused rather than renamed: a different name
    under the same number is far more often a mistyped number than a new name. Raises
    `RegistryError` (field "id_number" or "name") for an invalid number or a name that
    does not match."""
    parsed = validate_person_fields(id_number, name, sex, birth_date)
    name = name.strip()
    person = Person.objects.filter(id_number=parsed.number).first()
    if person is None:
        person = Person(
            id_number=parsed.number,
            name=name,
            sex=parsed.sex,
            birth_date=parsed.birth_date,
            region_code=region_code,
            ethnicity=extra.get("ethnicity") or "汉族",
            phone=extra.get("phone") or "",
        )
        try:
            with transaction.atomic():
                person.save()
            return person
        except IntegrityError:
            # Someone registered the same number a moment ago: use that record.
            person = Person.objects.get(id_number=parsed.number)
    if actor is not None and not may_take_person(scope_of(actor), person.region_code):
        raise PersonOutsideScope(person)
    if person.name != name:
        raise RegistryError(
            "name_mismatch",
            lazy_format(
                _(
                    "The ID number %(id)s is registered to %(registered)s, not %(given)s: "
                    "check the number and the name."
                ),
                id=person.masked_id_number,
                registered=person.name,
                given=name,
            ),
            field="name",
        )
    return person


# --- validation helpers ----------------------------------------------------------------


def clean_model(
    instance, exclude: Iterable[str] = (), error: type[CodedError] = RegistryError
) -> None:
    """Model validation (choices, lengths, required values) as a refusal (`error`, the
    caller's app's) naming the first field at fault; no database queries (uniqueness is
    checked separately)."""
    try:
        instance.full_clean(
            exclude=list(exclude), validate_unique=False, validate_constraints=False
        )
    except ValidationError as invalid:
        field, errors = next(iter(invalid.error_dict.items()))
        field_name = None if field == "__all__" else field
        # Rendered when shown, in the reader's language, like every message here.
        reason = lazy(lambda: " ".join(message for item in errors for message in item), str)()
        if field_name and _has_field(instance, field_name):
            label = instance._meta.get_field(field_name).verbose_name
            message = lazy_format(_("%(field)s: %(reason)s"), field=label, reason=reason)
        else:
            message = reason
        raise error("invalid", message, field=field_name) from None


def _has_field(instance, name: str) -> bool:
    try:
        instance._meta.get_field(name)
    except Exception:
        return False
    return True


def unknown_fields(
    fields: dict[str, Any], allowed: Iterable[str], error: type[CodedError] = RegistryError
) -> None:
    """Refuse (with `error`, the caller's app's refusal) fields that cannot be set."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise error(
            "unknown_field",
            lazy_format(
                _("These fields cannot be set here: %(fields)s."), fields=", ".join(unknown)
            ),
            field=unknown[0],
        )


def registered_on_entry(status: str | None) -> bool:
    """Whether a household entering the register is a registered poor household (建档立卡):
    exactly when it enters with a poverty status. Afterwards only the identification
    and exit procedures change it. Used by `do_create_household` and the importer."""
    return bool(status)


PROCEDURE_FIELD_MESSAGES = {
    "registered_poor": _(
        "Whether the household is a registered poor household (建档立卡) changes only "
        "through the identification and exit procedures."
    ),
    "monitoring_type": _(
        "The monitoring type changes only through the monitoring procedures (identification "
        "for monitoring, risk elimination)."
    ),
}


def check_procedure_fields(current: Household, fields: dict[str, Any]) -> None:
    """Refuse a change of what only procedures change (`PROCEDURE_FIELDS`); the value the
    household already has passes, as no change."""
    for name in PROCEDURE_FIELDS:
        if name in fields and fields[name] != getattr(current, name):
            raise RegistryError("changed_by_procedure", PROCEDURE_FIELD_MESSAGES[name], field=name)


def _scope_of(actor) -> Scope | None:
    return Scope.for_user(actor) if actor is not None else None


def _village(value: Region | str, actor, field: str = "village") -> Region:
    """A village (12-digit code) that exists and lies in the actor's scope."""
    code = value.code if isinstance(value, Region) else str(value or "").strip()
    region = value if isinstance(value, Region) else Region.objects.filter(code=code).first()
    if region is None or region.level != Level.VILLAGE:
        raise RegistryError(
            "unknown_village",
            lazy_format(_("There is no village with the code %(code)s."), code=code),
            field=field,
        )
    scope = _scope_of(actor)
    if scope is not None and not scope.contains(region.code):
        raise RegistryError(
            "out_of_scope",
            lazy_format(_("The village %(code)s is outside your scope."), code=region.code),
            field=field,
        )
    return region


def _check_year(
    value: int | None, field: str, *, last: int | None = None, required: bool = False
) -> int | None:
    """A year of the register: from EARLIEST_YEAR to `last` (this year unless given). An
    empty year passes unless `required`, when it is refused like one out of range."""
    if value is None and not required:
        return None
    last = timezone.localdate().year if last is None else last
    if value is None or not EARLIEST_YEAR <= value <= last:
        raise RegistryError(
            "year_out_of_range",
            lazy_format(
                _("The year must lie between %(first)d and %(last)d."),
                first=EARLIEST_YEAR,
                last=last,
            ),
            field=field,
        )
    return value


def check_not_future(
    value: datetime.date | None, field: str, error: type[CodedError] = RegistryError
) -> None:
    """Refuse (with `error`, the caller's app's refusal) a date after today."""
    if value is not None and value > timezone.localdate():
        raise error(
            "future_date",
            lazy_format(_("The date %(date)s is in the future."), date=value.isoformat()),
            field=field,
        )


def _actor_name(actor) -> str:
    if actor is None:
        from baolei.audit.context import current_actor

        return current_actor().name
    return getattr(actor, "full_name", "") or actor.get_username()


# --- the household list's filters ------------------------------------------------------


@dataclass(frozen=True)
class HouseholdFilters:
    """The filters of the household list, shared by the page, the API and the export."""

    region: str | None = None
    status: str | None = None
    monitoring_type: str | None = None
    main_cause: str | None = None
    attribute: str | None = None
    registered: bool | None = None
    monitored: bool | None = None
    not_visited_days: int | None = None
    search: str | None = None


def filter_households(
    queryset: QuerySet[Household], filters: HouseholdFilters, today: datetime.date | None = None
) -> QuerySet[Household]:
    """Apply the list's filters to an already scoped queryset. `region` narrows within
    the scope (the caller checks that it lies inside it)."""
    if filters.region:
        queryset = queryset.filter(codes.within("village_id", filters.region))
    for name in ("status", "monitoring_type", "main_cause", "attribute"):
        value = getattr(filters, name)
        if value:
            queryset = queryset.filter(**{name: value})
    if filters.registered is not None:
        queryset = queryset.filter(registered_poor=filters.registered)
    if filters.monitored is True:
        queryset = queryset.exclude(monitoring_type="")
    elif filters.monitored is False:
        queryset = queryset.filter(monitoring_type="")
    if filters.not_visited_days:
        queryset = households_not_visited(
            queryset, filters.not_visited_days, today or timezone.localdate()
        )
    if filters.search:
        queryset = household_search(queryset, filters.search)
    return queryset
