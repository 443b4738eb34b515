"""Household and member writes: a household made or edited (with optimistic locking)
and the people in it added, changed or taken out.

Separate from `services.py`, which holds the refusals and checks these writes share with
the other topics and apps; the rules about one household and its members are here.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.audit.models import AuditEvent
from baolei.messages import lazy_format
from baolei.regions.models import Region
from baolei.registry import choices
from baolei.registry.models import Household, Member, Person, StatusChange
from baolei.registry.services.people import (
    CREATE_ONLY_FIELDS,
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    PERSON_FIELDS,
    PROCEDURE_FIELD_MESSAGES,
    PROCEDURE_FIELDS,
    PersonInAnotherHousehold,
    PersonOutsideScope,
    RegistryError,
    StaleEdit,
    _actor_name,
    _check_year,
    _scope_of,
    _village,
    check_not_future,
    check_procedure_fields,
    clean_model,
    kept_id_number,
    may_take_person,
    person_for,
    registered_on_entry,
    unknown_fields,
    validate_person_fields,
)

# --- households -------------------------------------------------------------------------


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
    existing register being entered) and starts its status history. Whether it is a
    registered poor household follows from that status (`registered_on_entry`): a
    `registered_poor` that says otherwise is refused."""
    unknown_fields(fields, {*HOUSEHOLD_FIELDS, *CREATE_ONLY_FIELDS, "registered_poor"})
    registered = registered_on_entry(fields.get("status"))
    if fields.pop("registered_poor", registered) != registered:
        raise RegistryError(
            "changed_by_procedure",
            PROCEDURE_FIELD_MESSAGES["registered_poor"],
            field="registered_poor",
        )
    household = Household(
        village=_village(village, actor),
        number=(number or "").strip(),
        registered_poor=registered,
        **fields,
    )
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

    Whether the household is registered as poor and its monitoring type are not edited
    (`PROCEDURE_FIELDS`): a different value is refused, whoever the caller; the value
    it has passes as no change. The status is not a field here at all.
    """
    unknown_fields(fields, {*HOUSEHOLD_FIELDS, *PROCEDURE_FIELDS})
    fresh = Household.objects.filter(pk=household.pk).first()
    if fresh is None or fresh.version != expected_version:
        raise _stale(household.pk)
    check_procedure_fields(fresh, fields)
    fields = {name: value for name, value in fields.items() if name not in PROCEDURE_FIELDS}
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


# --- members ----------------------------------------------------------------------------


def _in_another_household(person: Person, household: Household, actor) -> PersonInAnotherHousehold:
    scope = _scope_of(actor)
    if scope is not None and not scope.contains(household.village_id):
        # Worded as the importer words it: the household outside the scope is not named.
        return PersonInAnotherHousehold(
            lazy_format(
                _(
                    "This person is already a member of another household (%(number)s) "
                    "in the register: one person can be in one household only."
                ),
                number=_("outside your scope"),
            ),
            "",
        )
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


def _refuse_if_member(person: Person, household: Household, actor) -> None:
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
    raise _in_another_household(person, membership.household, actor)


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
    person in another household is refused, naming that household if it lies in the
    actor's scope. A person registered outside the scope is neither taken nor named
    (`person_for`)."""
    unknown_fields(member_fields, MEMBER_FIELDS)
    household = Household.objects.get(pk=household.pk)
    try:
        person = person_for(
            actor,
            id_number,
            name,
            household.village_id,
            sex=sex,
            birth_date=birth_date,
            ethnicity=ethnicity,
            phone=phone,
        )
    except PersonOutsideScope as refusal:
        # Said as the importer says it when that person is in a household elsewhere.
        membership = Member.objects.select_related("household").filter(person=refusal.person)
        if (membership := membership.first()) is not None:
            raise _in_another_household(refusal.person, membership.household, actor) from None
        raise
    _refuse_if_member(person, household, actor)
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
        raise _in_another_household(person, existing.household, actor) from None
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
    if "id_number" in fields:
        # Sent back as shown (masked for a role that may not see it): unchanged.
        fields["id_number"] = kept_id_number(fields["id_number"], person.id_number)
    if {"id_number", "name", "sex", "birth_date"} & set(fields):
        parsed = validate_person_fields(
            fields.get("id_number", person.id_number),
            fields.get("name", person.name),
            fields.get("sex"),
            fields.get("birth_date"),
        )
        if parsed.number != person.id_number:
            holder = Person.objects.filter(id_number=parsed.number).exclude(pk=person.pk).first()
            if holder is not None and not may_take_person(_scope_of(actor), holder.region_code):
                raise RegistryError(
                    "id_number_taken",
                    _("Another person in the register has this ID number."),
                    field="id_number",
                )
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
