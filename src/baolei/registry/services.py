"""The register's write paths and its lists.

Every change to households, members, years, pairings and visits goes through a `do_*`
function here, one transaction each: the pages, the API, the importers and the commands
call the same code, so a rule checked here holds whichever door the data came in by.
Refusals are `RegistryError`s: a `code` for programs, a lazy `message` for people and
the `field` at fault, so that a form can put the message next to the right input and an
importer can name the column.

The lists at the bottom are set-based (subqueries and annotations on the caller's
queryset), never a query per row, so that they hold at the size of a national register.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope
from baolei.audit.models import AuditEvent
from baolei.messages import CodedError, lazy_format
from baolei.regions import codes
from baolei.regions.models import Level, Region
from baolei.registry import choices, idnumbers
from baolei.registry.models import (
    Helper,
    Household,
    HouseholdYear,
    Member,
    Pairing,
    Person,
    StatusChange,
    Visit,
)

# Household fields a person may edit. The poverty status is not among them: it changes
# only when an identification or exit procedure completes (see procedures.py).
HOUSEHOLD_FIELDS = (
    "number",
    "village",
    "address",
    "registered_poor",
    "attribute",
    "identification_year",
    "identification_standard",
    "main_cause",
    "second_cause",
    "third_cause",
    "housing_area",
    "housing_structure",
    "housing_safety",
    "monitoring_type",
)
# Only a new household may be given a status (an existing register being entered); it
# is recorded as the first entry of its status history.
CREATE_ONLY_FIELDS = ("status", "status_since")
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
INCOME_FIELDS = ("wages", "production_business", "property_income", "transfers", "production_costs")
ASSURANCE_FIELDS = tuple(name for name, _label in choices.ASSURANCES)
EARLIEST_YEAR = 2000
PAGE_SIZE = 50


def shown_id_number(scope: Scope, number: str) -> str:
    """The full ID number for roles that may see personal data, the masked one otherwise."""
    return number if scope.can(Perm.SEE_PERSONAL_DATA) else idnumbers.mask(number)


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


def _in_another_household(person: Person, household: Household) -> PersonInAnotherHousehold:
    return PersonInAnotherHousehold(
        lazy_format(
            _(
                "The person with ID number %(id)s is already a member of household "
                "%(number)s. One person can be in one household only: remove them from "
                "that household first."
            ),
            id=person.masked_id_number,
            number=household.number,
        ),
        household.number,
    )


def _refuse_if_member(person: Person, household: Household) -> None:
    membership = Member.objects.select_related("household").filter(person=person).first()
    if membership is None:
        return
    if membership.household_id == household.pk:
        raise RegistryError(
            "already_member",
            lazy_format(
                _("The person with ID number %(id)s is already a member of this household."),
                id=person.masked_id_number,
            ),
            field="id_number",
        )
    raise _in_another_household(person, membership.household)


def _find_or_make_person(
    parsed: idnumbers.IdNumber, name: str, region_code: str, **extra: str | None
) -> Person:
    """The register's one record of this person: the existing one (deduplicated by ID
    number) if there is one, a new one otherwise.

    An existing record under another name is refused rather than renamed: a different
    name under the same number is far more often a mistyped number than a new name.
    """
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


def person_for(id_number: str, name: str, region_code: str, **extra: str | None) -> Person:
    """The one record of a person given by ID number and name, made if new: what the
    organisation, cadres and talent records hang off. Raises `RegistryError` (field
    "id_number" or "name") for an invalid number or a name that does not match."""
    parsed = validate_person_fields(id_number, name)
    return _find_or_make_person(parsed, name, region_code, **extra)


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


def _money(name: str, value: Any) -> Decimal:
    label = HouseholdYear._meta.get_field(name).verbose_name
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation:
        raise RegistryError(
            "not_a_number",
            lazy_format(_("%(field)s: %(value)s is not an amount."), field=label, value=value),
            field=name,
        ) from None
    if not amount.is_finite() or amount < 0:
        raise RegistryError(
            "negative",
            lazy_format(_("%(field)s cannot be negative."), field=label),
            field=name,
        )
    return amount.quantize(Decimal("0.01"))


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


def _check_causes(household: Household) -> None:
    others = [c for c in (household.second_cause, household.third_cause) if c]
    if others and not household.main_cause:
        raise RegistryError(
            "main_cause_required",
            _("Choose the main cause before the other causes."),
            field="main_cause",
        )
    causes = [household.main_cause, *others] if household.main_cause else others
    if len(set(causes)) != len(causes):
        raise RegistryError(
            "duplicate_cause",
            _("The main cause and the other causes must all differ."),
            field="second_cause",
        )


def _check_year(value: int | None, field: str) -> None:
    if value is None:
        return
    this_year = timezone.localdate().year
    if not EARLIEST_YEAR <= value <= this_year:
        raise RegistryError(
            "year_out_of_range",
            lazy_format(
                _("The year must lie between %(first)d and %(last)d."),
                first=EARLIEST_YEAR,
                last=this_year,
            ),
            field=field,
        )


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


# --- households --------------------------------------------------------------------------


def _check_household(household: Household) -> None:
    clean_model(household, exclude=["village", "head"])
    _check_causes(household)
    _check_year(household.identification_year, "identification_year")
    check_not_future(household.status_since, "status_since")
    duplicate = Household.objects.filter(number=household.number).exclude(pk=household.pk)
    if duplicate.exists():
        raise _duplicate_number(household.number)


def _duplicate_number(number: str) -> RegistryError:
    return RegistryError(
        "duplicate_number",
        lazy_format(
            _("The household number %(number)s is already in the register."), number=number
        ),
        field="number",
    )


@transaction.atomic
def do_create_household(
    actor,
    *,
    village: Region | str,
    number: str,
    head_id_number: str | None = None,
    head_name: str = "",
    head_sex: str | None = None,
    head_birth_date: datetime.date | None = None,
    head_labour_capacity: str = choices.LabourCapacity.ORDINARY,
    head_phone: str = "",
    head_ethnicity: str = "",
    **fields: Any,
) -> Household:
    """A new household in a village of the actor's scope, with its head as the first
    member when the head's ID number is given (importers may add members separately).

    A status given here is the household's status when it entered the register (an
    existing register being entered) and starts its status history."""
    unknown_fields(fields, set(HOUSEHOLD_FIELDS) | set(CREATE_ONLY_FIELDS))
    household = Household(village=_village(village, actor), number=(number or "").strip(), **fields)
    if household.status and household.status_since is None:
        household.status_since = timezone.localdate()
    _check_household(household)
    try:
        with transaction.atomic():
            household.save()
    except IntegrityError:
        raise _duplicate_number(household.number) from None
    if household.status:
        StatusChange.objects.create(
            household=household,
            from_status="",
            to_status=household.status,
            changed_on=household.status_since,
            decided_by=_actor_name(actor),
            note=str(_("Status when the household was entered in the register.")),
        )
    if head_id_number:
        do_add_member(
            actor,
            household,
            id_number=head_id_number,
            name=head_name,
            sex=head_sex,
            birth_date=head_birth_date,
            phone=head_phone,
            ethnicity=head_ethnicity,
            relation=choices.Relation.HEAD,
            labour_capacity=head_labour_capacity,
        )
        household.refresh_from_db(fields=["head"])
    return household


def _stale(household_pk: int) -> StaleEdit:
    """The refusal of a stale edit, saying when (and by whom) the newer save was made."""
    current = Household.objects.filter(pk=household_pk).values("version", "updated_at").first()
    if current is None:
        return StaleEdit(_("This household has been deleted."), 0)
    last = (
        AuditEvent.objects.filter(model="registry.household", object_pk=str(household_pk))
        .order_by("-at", "-id")
        .values_list("actor_name", flat=True)
        .first()
    )
    when = timezone.localtime(current["updated_at"]).strftime("%Y-%m-%d %H:%M:%S")
    if last:
        message = lazy_format(
            _(
                "Someone else (%(who)s) saved this household at %(when)s, after you "
                "opened it. Nothing was changed: reload the household and redo your change."
            ),
            who=last,
            when=when,
        )
    else:
        message = lazy_format(
            _(
                "Someone else saved this household at %(when)s, after you opened it. "
                "Nothing was changed: reload the household and redo your change."
            ),
            when=when,
        )
    return StaleEdit(message, current["version"])


@transaction.atomic
def do_update_household(
    actor, household: Household, expected_version: int, **fields: Any
) -> Household:
    """Save changes made from version `expected_version` of the household.

    Optimistic locking: the version is claimed with `UPDATE … WHERE id = … AND version =
    expected`. If another save came first, no row matches and the edit is refused with
    `StaleEdit`: nothing is overwritten. The claim also holds the row until this
    transaction ends, so two saves from the same version can never both pass.
    """
    unknown_fields(fields, HOUSEHOLD_FIELDS)
    fresh = Household.objects.filter(pk=household.pk).first()
    if fresh is None or fresh.version != expected_version:
        raise _stale(household.pk)
    if "village" in fields:
        fields["village"] = _village(fields["village"], actor)
    if "number" in fields:
        fields["number"] = (fields["number"] or "").strip()
    changed = [name for name, value in fields.items() if getattr(fresh, name) != value]
    if not changed:
        return fresh
    old_village = fresh.village_id
    for name in changed:
        setattr(fresh, name, fields[name])
    _check_household(fresh)
    claimed = Household.objects.filter(pk=fresh.pk, version=expected_version).update(
        version=expected_version + 1
    )
    if not claimed:
        raise _stale(fresh.pk)
    fresh.version = expected_version + 1
    try:
        with transaction.atomic():
            fresh.save(update_fields=[*changed, "version", "updated_at"])
    except IntegrityError:
        raise _duplicate_number(fresh.number) from None
    if fresh.village_id != old_village:
        # People carry their household's village, so that they are scoped with it.
        for person in Person.objects.filter(membership__household=fresh):
            person.region_code = fresh.village_id
            person.save(update_fields=["region_code", "updated_at"])
    return fresh


# --- members -----------------------------------------------------------------------------


def _clean_member(member: Member) -> None:
    clean_model(member, exclude=["household", "person"])
    grade = member.disability_grade
    if grade is not None and not 1 <= grade <= 4:
        raise RegistryError(
            "disability_grade",
            _("The disability grade runs from 1 (most severe) to 4."),
            field="disability_grade",
        )


def _check_single_head(household: Household, person: Person) -> None:
    if not household.head_id or household.head_id == person.pk:
        return
    head = Member.objects.filter(household=household, person_id=household.head_id)
    head = head.select_related("person").first()
    if head is not None:
        raise RegistryError(
            "second_head",
            lazy_format(
                _(
                    "Household %(number)s already has a head (%(name)s): change that "
                    "member's relation first."
                ),
                number=household.number,
                name=head.person.name,
            ),
            field="relation",
        )


def _set_head(household: Household, person: Person | None) -> None:
    household.head = person
    household.save(update_fields=["head", "updated_at"])


@transaction.atomic
def do_add_member(
    actor,
    household: Household,
    *,
    id_number: str,
    name: str,
    relation: str,
    labour_capacity: str,
    sex: str | None = None,
    birth_date: datetime.date | None = None,
    ethnicity: str = "",
    phone: str = "",
    **member_fields: Any,
) -> Member:
    """Add a person to a household: one register record per ID number, one household per
    person. A person already known (say as a helper) and in no household is reused; a
    person in another household is refused, naming that household."""
    unknown_fields(member_fields, MEMBER_FIELDS)
    parsed = validate_person_fields(id_number, name, sex, birth_date)
    household = Household.objects.get(pk=household.pk)
    person = _find_or_make_person(
        parsed, name, household.village_id, ethnicity=ethnicity, phone=phone
    )
    _refuse_if_member(person, household)
    member = Member(
        household=household,
        person=person,
        relation=relation,
        labour_capacity=labour_capacity,
        **member_fields,
    )
    _clean_member(member)
    if relation == choices.Relation.HEAD:
        _check_single_head(household, person)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        # The check above passed, yet the database refused: a concurrent save made the
        # person a member elsewhere. The one-to-one key is the final word.
        existing = Member.objects.select_related("household").filter(person=person).first()
        if existing is None:
            raise
        raise _in_another_household(person, existing.household) from None
    changed = []
    if person.region_code != household.village_id:
        person.region_code = household.village_id
        changed.append("region_code")
    for name_, value in (("ethnicity", ethnicity), ("phone", phone)):
        if value and getattr(person, name_) != value:
            setattr(person, name_, value)
            changed.append(name_)
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
    if relation == choices.Relation.HEAD:
        _set_head(household, person)
    return member


@transaction.atomic
def do_update_member(actor, member: Member, **fields: Any) -> Member:
    """Change a member's own details and their place in the household. The ID number
    may be corrected, but not to one that another person in the register holds."""
    unknown_fields(fields, set(PERSON_FIELDS) | set(MEMBER_FIELDS))
    member = Member.objects.select_related("person", "household").get(pk=member.pk)
    person, household = member.person, member.household
    if {"id_number", "name", "sex", "birth_date"} & set(fields):
        parsed = validate_person_fields(
            fields.get("id_number", person.id_number),
            fields.get("name", person.name),
            fields.get("sex"),
            fields.get("birth_date"),
        )
        if parsed.number != person.id_number:
            holder = Person.objects.filter(id_number=parsed.number).exclude(pk=person.pk).first()
            if holder is not None:
                raise RegistryError(
                    "id_number_taken",
                    lazy_format(
                        _("Another person in the register (%(name)s) has the ID number %(id)s."),
                        name=holder.name,
                        id=holder.masked_id_number,
                    ),
                    field="id_number",
                )
        person.id_number = parsed.number
        person.sex = parsed.sex
        person.birth_date = parsed.birth_date
        person.name = fields.get("name", person.name).strip()
    if fields.get("ethnicity"):
        person.ethnicity = fields["ethnicity"]
    if "phone" in fields:
        person.phone = fields["phone"] or ""
    clean_model(person, exclude=["region_code"])
    for name in MEMBER_FIELDS:
        if name in fields:
            setattr(member, name, fields[name])
    _clean_member(member)
    if fields.get("relation") == choices.Relation.HEAD:
        _check_single_head(household, person)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise RegistryError(
            "id_number_taken",
            _("Another person in the register has this ID number."),
            field="id_number",
        ) from None
    member.save()
    if member.relation == choices.Relation.HEAD and household.head_id != person.pk:
        _set_head(household, person)
    elif member.relation != choices.Relation.HEAD and household.head_id == person.pk:
        _set_head(household, None)
    return member


@transaction.atomic
def do_remove_member(actor, member: Member) -> None:
    """Take a person out of a household; the person stays in the register (their ID
    number may join another household, and their history is kept)."""
    member = Member.objects.select_related("household").get(pk=member.pk)
    household = member.household
    person_id = member.person_id
    member.delete()
    if household.head_id == person_id:
        _set_head(household, None)


# --- years ------------------------------------------------------------------------------


@transaction.atomic
def do_save_household_year(
    actor,
    household: Household,
    year: int,
    *,
    member_count: int | None = None,
    assurance_notes: dict[str, str] | None = None,
    **values: Any,
) -> HouseholdYear:
    """Write a household's income and assurances for one year (all of them: a value not
    given is zero, or "not known" for an assurance), and its per-capita net income.

    `member_count` defaults to the household's members today."""
    unknown_fields(values, set(INCOME_FIELDS) | set(ASSURANCE_FIELDS))
    _check_year(year, "year")
    record = HouseholdYear.objects.filter(household=household, year=year).first()
    if record is None:
        record = HouseholdYear(household=household, year=year)
    for name in INCOME_FIELDS:
        setattr(record, name, _money(name, values.get(name)))
    for name in ASSURANCE_FIELDS:
        value = values.get(name)
        if value not in (None, True, False):
            raise RegistryError(
                "not_a_boolean",
                lazy_format(_("%(field)s: answer yes, no or not known."), field=name),
                field=name,
            )
        setattr(record, name, value)
    notes = assurance_notes or {}
    unknown_fields(notes, ASSURANCE_FIELDS)
    record.assurance_notes = {k: str(v).strip() for k, v in notes.items() if str(v or "").strip()}
    if member_count is None:
        member_count = max(Member.objects.filter(household=household).count(), 1)
    if member_count < 1:
        raise RegistryError(
            "member_count", _("A household counts at least one member."), field="member_count"
        )
    record.member_count = member_count
    record.per_capita_net_income = record.compute_per_capita()
    # The assurances were checked above: yes, no, or None for "not known".
    clean_model(record, exclude=["household", *ASSURANCE_FIELDS])
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise RegistryError(
            "concurrent", _("This year was saved by someone else just now; try again.")
        ) from None
    return record


# --- helpers, pairing and visits -------------------------------------------------------


@transaction.atomic
def do_create_helper(
    actor,
    *,
    id_number: str,
    name: str,
    unit: str,
    region_code: str,
    post: str = "",
    phone: str = "",
) -> Helper:
    """A responsible helper (a cadre or party member), on the one record of their person."""
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None:
        raise RegistryError(
            "unknown_region",
            lazy_format(_("There is no region with the code %(code)s."), code=region_code),
            field="region_code",
        )
    scope = _scope_of(actor)
    if scope is not None and not scope.contains(region.code):
        raise RegistryError(
            "out_of_scope", _("This region is outside your scope."), field="region_code"
        )
    parsed = validate_person_fields(id_number, name)
    person = _find_or_make_person(parsed, name, region.code, phone=phone)
    if Helper.objects.filter(person=person).exists():
        raise RegistryError(
            "already_helper",
            lazy_format(_("%(name)s is already a helper."), name=person.name),
            field="id_number",
        )
    helper = Helper(person=person, unit=(unit or "").strip(), post=post, region_code=region.code)
    clean_model(helper, exclude=["person"])
    try:
        with transaction.atomic():
            helper.save()
    except IntegrityError:
        raise RegistryError(
            "already_helper",
            lazy_format(_("%(name)s is already a helper."), name=person.name),
            field="id_number",
        ) from None
    return helper


def helpers_for(scope: Scope) -> QuerySet[Helper]:
    """The helpers a user may pair and name: those working in the scope, and those of
    the regions above it (a county cadre helps households in every township)."""
    if scope.empty:
        return Helper.objects.none()
    if scope.region_code is None:
        return Helper.objects.all()
    above = [*codes.ancestors_of(scope.region_code)]
    return Helper.objects.filter(scope.q("region_code") | Q(region_code__in=above))


@transaction.atomic
def do_pair(actor, helper: Helper, household: Household, started_on: datetime.date) -> Pairing:
    """Make `helper` the household's responsible helper from `started_on`; the previous
    helper's pairing ends that day."""
    check_not_future(started_on, "started_on")
    current = (
        Pairing.objects.select_for_update()
        .filter(household=household, ended_on__isnull=True)
        .select_related("helper__person")
        .first()
    )
    if current is not None:
        if current.helper_id == helper.pk:
            raise RegistryError(
                "already_paired",
                lazy_format(
                    _("%(name)s is already this household's helper."),
                    name=current.helper.person.name,
                ),
                field="helper",
            )
        if started_on < current.started_on:
            raise RegistryError(
                "before_current",
                lazy_format(
                    _("The current pairing started on %(date)s; the new one cannot start earlier."),
                    date=current.started_on.isoformat(),
                ),
                field="started_on",
            )
        current.ended_on = started_on
        current.save(update_fields=["ended_on"])
    pairing = Pairing(helper=helper, household=household, started_on=started_on)
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError:
        raise RegistryError(
            "concurrent", _("Someone paired this household just now; reload and check.")
        ) from None
    return pairing


@transaction.atomic
def do_end_pairing(actor, pairing: Pairing, ended_on: datetime.date | None = None) -> Pairing:
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    ended_on = ended_on or timezone.localdate()
    if pairing.ended_on is not None:
        raise RegistryError("already_ended", _("This pairing has already ended."))
    check_not_future(ended_on, "ended_on")
    if ended_on < pairing.started_on:
        raise RegistryError(
            "before_start",
            lazy_format(
                _("The pairing started on %(date)s; it cannot end earlier."),
                date=pairing.started_on.isoformat(),
            ),
            field="ended_on",
        )
    pairing.ended_on = ended_on
    pairing.save(update_fields=["ended_on"])
    return pairing


def current_helper(household: Household) -> Helper | None:
    pairing = (
        Pairing.objects.filter(household=household, ended_on__isnull=True)
        .select_related("helper__person")
        .first()
    )
    return pairing.helper if pairing else None


@transaction.atomic
def do_record_visit(
    actor,
    household: Household,
    *,
    visited_on: datetime.date,
    findings: str,
    actions: str = "",
    follow_up: str = "",
    helper: Helper | None = None,
) -> Visit:
    """A visit to the household, as recorded from the village (often on a phone)."""
    if visited_on is None:
        raise RegistryError("required", _("Enter the date of the visit."), field="visited_on")
    check_not_future(visited_on, "visited_on")
    if not (findings or "").strip():
        raise RegistryError("required", _("Write down what was found."), field="findings")
    visit = Visit(
        household=household,
        helper=helper,
        visited_on=visited_on,
        findings=findings.strip(),
        actions=(actions or "").strip(),
        follow_up=(follow_up or "").strip(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    visit.save()
    return visit


# --- lists -------------------------------------------------------------------------------


def _visited_since(cutoff: datetime.date):
    return Exists(Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=cutoff))


def last_visit_subquery() -> Subquery:
    return Subquery(
        Visit.objects.filter(household=OuterRef("pk"))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )


def households_not_visited(
    queryset: QuerySet[Household], days: int, today: datetime.date
) -> QuerySet[Household]:
    """Households with no visit in the last `days` days (a visit on `today - days` still
    counts), those never visited included; each annotated with `last_visited_on`."""
    cutoff = today - datetime.timedelta(days=days)
    return queryset.filter(~_visited_since(cutoff)).annotate(last_visited_on=last_visit_subquery())


def helpers_with_overdue_visits(
    queryset: QuerySet[Household], days: int, today: datetime.date
) -> QuerySet[Helper]:
    """Helpers currently paired with at least one household of `queryset` (the caller's
    scoped households) that nobody has visited in `days` days, each annotated with the
    number of such households as `overdue_households`, most overdue first.

    One grouped query: the filter on the pairings and the count use the same join."""
    cutoff = today - datetime.timedelta(days=days)
    overdue = queryset.filter(~_visited_since(cutoff)).values("pk")
    return (
        Helper.objects.filter(pairings__ended_on__isnull=True, pairings__household__in=overdue)
        .annotate(overdue_households=Count("pairings"))
        .select_related("person")
        .order_by("-overdue_households", "person__name", "pk")
    )


def _looks_like_id_number(text: str) -> bool:
    return len(text) == idnumbers.LENGTH and all(c in idnumbers.DIGITS + "X" for c in text)


def household_search(queryset: QuerySet[Household], text: str) -> QuerySet[Household]:
    """Households matching `text`: by household number (exact or prefix), by a member's
    name (exact or prefix) or by a member's full ID number (exact, after normalising
    full-width digits and a lower-case x). Every branch is an indexed lookup; partial ID
    numbers are not searched, since no index could answer them."""
    text = " ".join((text or "").split())
    if not text:
        return queryset
    condition = Q(number__startswith=text)
    normalised = idnumbers.normalise(text)
    if _looks_like_id_number(normalised):
        by_id = Member.objects.filter(person__id_number=normalised).values("household_id")
        condition |= Q(pk__in=by_id)
    if not normalised.isdigit():
        by_name = Member.objects.filter(person__name__startswith=text).values("household_id")
        condition |= Q(pk__in=by_name)
    return queryset.filter(condition)


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


# --- keyset pagination ------------------------------------------------------------------


@dataclass
class KeysetPage:
    """One page of households in (village, number) order, with cursors for the pages on
    either side (None when there is none). No COUNT and no OFFSET: each page is an index
    seek, as fast on page 10,000 as on page 1."""

    items: list[Household]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def _encode_key(key: tuple[str, str]) -> str:
    raw = json.dumps(list(key), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def encode_cursor(household: Household) -> str:
    return _encode_key(_key(household))


def decode_cursor(cursor: str | None) -> tuple[str, str] | None:
    """The (village, number) key of a cursor, None for a missing or damaged one (which
    then shows the first page rather than an error)."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        village, number = json.loads(raw.decode())
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        return None
    if not isinstance(village, str) or not isinstance(number, str):
        return None
    return village, number


def _after(key: tuple[str, str]) -> Q:
    # `village >= v` first, so that the database seeks straight to the village in the
    # (village, number) index instead of scanning from the start and discarding.
    village, number = key
    return Q(village_id__gte=village) & (Q(village_id__gt=village) | Q(number__gt=number))


def _before(key: tuple[str, str]) -> Q:
    village, number = key
    return Q(village_id__lte=village) & (Q(village_id__lt=village) | Q(number__lt=number))


def _key(household: Household) -> tuple[str, str]:
    return household.village_id, household.number


def household_page(
    queryset: QuerySet[Household],
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """The page after the `after` cursor, or the one before `before`, or the first.

    A cursor that leads nowhere (damaged, or the rows around it deleted since) gives the
    first page. Whether a page exists on the other side is one `EXISTS` index probe."""
    size = max(1, min(size, 500))
    before_key = decode_cursor(before)
    after_key = None if before_key else decode_cursor(after)
    items: list[Household] = []
    if before_key:
        backwards = queryset.filter(_before(before_key)).order_by("-village_id", "-number")
        rows = list(backwards[: size + 1])
        items = rows[:size][::-1]
        has_previous = len(rows) > size
        has_next = bool(items) and queryset.filter(_after(_key(items[-1]))).exists()
    elif after_key:
        rows = list(queryset.filter(_after(after_key)).order_by("village_id", "number")[: size + 1])
        items = rows[:size]
        has_next = len(rows) > size
        has_previous = bool(items) and queryset.filter(_before(_key(items[0]))).exists()
    if not items:
        rows = list(queryset.order_by("village_id", "number")[: size + 1])
        items = rows[:size]
        has_next, has_previous = len(rows) > size, False
    return KeysetPage(
        items=items,
        next_cursor=encode_cursor(items[-1]) if has_next else None,
        previous_cursor=encode_cursor(items[0]) if has_previous else None,
    )
