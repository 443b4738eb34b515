"""The write paths of the party organisation system: organisations and host entities
here, members and household links in `services.members`, the two committees in
`services.committees`, with the checks they share defined here.

Every change made by the pages and the API goes through a `do_*` function, one
transaction each. The importers (`sheets`) and the demo generator write set-based and
check a whole column at a time instead, repeating the rules that matter there (scope,
natural keys, ID numbers and names, credit codes, the joining age). Refusals are
`OrganisationError`s with a `code`, a lazy `message` and the `field` at fault.

`actor` is the user making the change (None for commands and the demo, which are not
confined to a scope); a region outside the actor's scope is refused here as well as in
the views, so that no door forgets it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei import versioning
from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.messages import lazy_format
from baolei.organisation.choices import (
    HostKind,
    OrganisationKind,
    OrganisationStatus,
)
from baolei.organisation.models import (
    HostEntity,
    HostEntityVillage,
    OrganisationStatusChange,
    PartyOrganisation,
)
from baolei.organisation.services.common import (
    OrganisationError,
    _actor_name,
    _choice,
    _clean,
    _in_scope,
    _not_future,
    _person,
    _region,
    _required_text,
    _scope_of,
    _unknown,
    may_set_up,
    stale,
)
from baolei.organisation.services.members import do_transfer_member
from baolei.regions import codes
from baolei.regions.models import Level
from baolei.registry.services.people import (
    kept_id_number,
)

# Kinds that may have organisations under them (a branch is the bottom of the tree).
PARENT_KINDS = (OrganisationKind.COMMITTEE, OrganisationKind.GENERAL_BRANCH)
# GB 32100-2015: the unified social credit code's characters and weights.
CREDIT_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


# --- unified social credit codes ---------------------------------------------------------


def credit_check_character(first17: str) -> str:
    total = sum(
        CREDIT_CHARACTERS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CHARACTERS[(31 - total % 31) % 31]


def validate_credit_code(raw: str) -> str:
    """The code in capitals, checked by GB 32100 (length, characters, check character)."""
    code = "".join(str(raw or "").split()).upper()
    if len(code) != 18:
        raise OrganisationError(
            "credit_code_length",
            lazy_format(
                _("A unified social credit code has 18 characters, not %(count)d."),
                count=len(code),
            ),
            field="registration_number",
        )
    if any(character not in CREDIT_CHARACTERS for character in code):
        raise OrganisationError(
            "credit_code_characters",
            _("A credit code has only digits and capitals other than I, O, S, V and Z."),
            field="registration_number",
        )
    if credit_check_character(code[:17]) != code[17]:
        raise OrganisationError(
            "credit_code_check",
            _("The check character of this unified social credit code is wrong: check the code."),
            field="registration_number",
        )
    return code


# --- host entities -----------------------------------------------------------------------

HOST_FIELDS = (
    "kind",
    "name",
    "region_code",
    "registration_number",
    "industry",
    "size",
    "founded_year",
    "instructor",
    "last_activity_on",
)


def common_region(village_codes: Sequence[str]) -> str:
    """The lowest region holding every one of the codes (a county, a township…)."""
    if not village_codes:
        return ""
    for length in sorted(codes.LEVEL_LENGTHS.values(), reverse=True):
        prefixes = {code[:length] for code in village_codes}
        if len(prefixes) == 1 and all(len(code) >= length for code in village_codes):
            return prefixes.pop()
    return ""


def _host_villages(actor, villages: Iterable[str]) -> list[str]:
    found = []
    for code in dict.fromkeys(str(c).strip() for c in villages if str(c).strip()):
        found.append(_region(code, actor, field="villages", level=Level.VILLAGE).code)
    return found


def _check_host(entity: HostEntity, actor) -> None:
    entity.name = _required_text(entity.name, "name", _("Enter the name."))
    _choice(entity.kind, HostKind, "kind")
    if entity.registration_number:
        entity.registration_number = validate_credit_code(entity.registration_number)
    elif entity.kind == HostKind.COOPERATIVE:
        raise OrganisationError(
            "required",
            _("A cooperative is registered: enter its unified social credit code."),
            field="registration_number",
        )
    if entity.size is None or entity.size < 0:
        raise OrganisationError("negative", _("The size cannot be negative."), field="size")
    this_year = timezone.localdate().year
    if entity.founded_year is not None and not 1949 <= entity.founded_year <= this_year:
        raise OrganisationError(
            "year_out_of_range",
            lazy_format(_("The year must lie between 1949 and %(last)d."), last=this_year),
            field="founded_year",
        )
    _not_future(entity.last_activity_on, "last_activity_on")
    _clean(entity)
    if entity.registration_number:
        taken = HostEntity.objects.filter(registration_number=entity.registration_number)
        if taken.exclude(pk=entity.pk).exists():
            raise OrganisationError(
                "duplicate_registration",
                lazy_format(
                    _("The unified social credit code %(code)s is already registered."),
                    code=entity.registration_number,
                ),
                field="registration_number",
            )


def _save_host(entity: HostEntity, actor, villages: list[str] | None) -> HostEntity:
    if villages:
        entity.region_code = common_region(villages)
    entity.region_code = _region(entity.region_code, actor).code
    _check_host(entity, actor)
    try:
        with transaction.atomic():
            entity.save()
    except IntegrityError:
        raise OrganisationError(
            "duplicate_registration",
            _("This unified social credit code is already registered."),
            field="registration_number",
        ) from None
    if villages is not None:
        HostEntityVillage.objects.filter(entity=entity).exclude(region_code__in=villages).delete()
        known = set(entity.villages.values_list("region_code", flat=True))
        HostEntityVillage.objects.bulk_create(
            HostEntityVillage(entity=entity, region_code=code)
            for code in villages
            if code not in known
        )
    return entity


@transaction.atomic
def do_create_host_entity(actor, *, villages: Iterable[str] = (), **fields: Any) -> HostEntity:
    """A cooperative, association, chain project, enterprise or social organisation. A
    project spanning villages gives them in `villages`; its region is then the lowest
    region holding them all."""
    _unknown(fields, HOST_FIELDS)
    fields.setdefault("size", 0)
    fields.setdefault("registration_number", "")
    fields = {k: ("" if v is None and k in _TEXT_HOST_FIELDS else v) for k, v in fields.items()}
    village_codes = _host_villages(actor, villages)
    return _save_host(HostEntity(**fields), actor, village_codes or None)


_TEXT_HOST_FIELDS = ("registration_number", "industry", "instructor", "region_code")


@transaction.atomic
def do_update_host_entity(
    actor,
    entity: HostEntity,
    *,
    villages: Iterable[str] | None = None,
    expected_version: int | None = None,
    **fields: Any,
) -> HostEntity:
    _unknown(fields, HOST_FIELDS)
    entity = HostEntity.objects.select_for_update().get(pk=entity.pk)
    _in_scope(actor, entity.region_code, "region_code")
    versioning.claim(entity, expected_version, stale)
    for name, value in fields.items():
        setattr(entity, name, "" if value is None and name in _TEXT_HOST_FIELDS else value)
    village_codes = None if villages is None else _host_villages(actor, villages)
    return _save_host(entity, actor, village_codes)


# --- organisations -----------------------------------------------------------------------

ORGANISATION_FIELDS = ("kind", "name", "region_code", "parent", "host_entity", "founded_on")


def _check_parent(organisation: PartyOrganisation) -> None:
    parent = organisation.parent
    if parent is None:
        return
    if parent.kind not in PARENT_KINDS:
        raise OrganisationError(
            "parent_kind",
            _("Only a party committee or a general branch can have organisations under it."),
            field="parent",
        )
    if parent.status != OrganisationStatus.ACTIVE:
        raise OrganisationError(
            "parent_inactive",
            lazy_format(_("%(name)s is no longer active."), name=parent.name),
            field="parent",
        )
    if not codes.contains(parent.region_code, organisation.region_code):
        raise OrganisationError(
            "parent_region",
            lazy_format(
                _("The higher organisation %(name)s is not in a region above this one."),
                name=parent.name,
            ),
            field="parent",
        )
    # A parent that is the organisation itself or one of its descendants would make a loop.
    seen, current = set(), parent
    while current is not None and organisation.pk is not None:
        if current.pk == organisation.pk or current.pk in seen:
            raise OrganisationError(
                "parent_loop",
                _("An organisation cannot be under itself or one of its own branches."),
                field="parent",
            )
        seen.add(current.pk)
        current = current.parent


def _check_entity_in(organisation: PartyOrganisation, entity: HostEntity, field: str) -> None:
    if not codes.contains(organisation.region_code, entity.region_code):
        raise OrganisationError(
            "entity_region",
            lazy_format(
                _("%(name)s is not in the organisation's region."),
                name=entity.name,
            ),
            field=field,
        )


def _check_organisation(organisation: PartyOrganisation, covered: list[HostEntity]) -> None:
    organisation.name = _required_text(
        organisation.name, "name", _("Enter the organisation's name.")
    )
    _choice(organisation.kind, OrganisationKind, "kind")
    _not_future(organisation.founded_on, "founded_on")
    _clean(organisation, exclude=["parent", "host_entity", "secretary"])
    _check_parent(organisation)
    if organisation.host_entity is not None:
        _check_entity_in(organisation, organisation.host_entity, "host_entity")
    if covered and organisation.kind != OrganisationKind.JOINT_BRANCH:
        raise OrganisationError(
            "not_joint",
            _("Only a joint branch covers other entities."),
            field="covered_entities",
        )
    for entity in covered:
        _check_entity_in(organisation, entity, "covered_entities")
    same_name = PartyOrganisation.objects.filter(
        region_code=organisation.region_code, name=organisation.name
    )
    if same_name.exclude(pk=organisation.pk).exists():
        raise _duplicate_name(organisation)


def _duplicate_name(organisation: PartyOrganisation) -> OrganisationError:
    return OrganisationError(
        "duplicate_name",
        lazy_format(
            _("There is already an organisation called %(name)s in this region."),
            name=organisation.name,
        ),
        field="name",
    )


def _set_secretary(
    actor, organisation: PartyOrganisation, id_number: str | None, name: str | None
) -> None:
    if id_number is None and name is None:
        return
    if not (id_number or "").strip() and not (name or "").strip():
        organisation.secretary = None
        return
    current = organisation.secretary
    # The secretary as shown (masked for a role that may not see ID numbers) and sent
    # back unchanged: kept, not looked up again by a masked number.
    if (
        current is not None
        and (name or "").strip() == current.name
        and kept_id_number(id_number or "", current.id_number) == current.id_number
    ):
        return
    organisation.secretary = _person(
        actor, id_number or "", name or "", organisation.region_code, "secretary_"
    )


def _save_organisation(
    organisation: PartyOrganisation, covered: list[HostEntity] | None
) -> PartyOrganisation:
    _check_organisation(organisation, covered or [])
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        raise _duplicate_name(organisation) from None
    if covered is not None:
        before = sorted(organisation.covered_entities.values_list("pk", flat=True))
        after = sorted(entity.pk for entity in covered)
        if before != after:
            organisation.covered_entities.set(covered)
            # The join table is not a model anyone saves, so its change is recorded here.
            audit.record(
                Action.UPDATE,
                instance=organisation,
                changes={"covered_entities": [before, after]},
            )
    return organisation


@transaction.atomic
def do_create_organisation(
    actor,
    *,
    covered_entities: Iterable[HostEntity] = (),
    secretary_id_number: str | None = None,
    secretary_name: str | None = None,
    **fields: Any,
) -> PartyOrganisation:
    """A new, active organisation in a region of the actor's scope."""
    _unknown(fields, ORGANISATION_FIELDS)
    scope = _scope_of(actor)
    if scope is not None and not may_set_up(scope):
        raise OrganisationError(
            "not_allowed", _("A new party organisation is set up by the township or the county.")
        )
    organisation = PartyOrganisation(**fields)
    organisation.region_code = _region(organisation.region_code, actor).code
    _set_secretary(actor, organisation, secretary_id_number, secretary_name)
    return _save_organisation(organisation, list(covered_entities))


@transaction.atomic
def do_update_organisation(
    actor,
    organisation: PartyOrganisation,
    *,
    covered_entities: Iterable[HostEntity] | None = None,
    secretary_id_number: str | None = None,
    secretary_name: str | None = None,
    expected_version: int | None = None,
    **fields: Any,
) -> PartyOrganisation:
    """Change the fields given; the status changes only through `do_change_status`.
    `expected_version`: the version the edit started from (None: no check)."""
    _unknown(fields, ORGANISATION_FIELDS)
    organisation = PartyOrganisation.objects.select_for_update().get(pk=organisation.pk)
    _in_scope(actor, organisation.region_code, "region_code")
    versioning.claim(organisation, expected_version, stale)
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.region_code = _region(organisation.region_code, actor).code
    _set_secretary(actor, organisation, secretary_id_number, secretary_name)
    covered = None if covered_entities is None else list(covered_entities)
    return _save_organisation(organisation, covered)


@transaction.atomic
def do_change_status(
    actor,
    organisation: PartyOrganisation,
    *,
    to_status: str,
    changed_on: datetime.date,
    reason: str,
    merged_into: PartyOrganisation | None = None,
) -> OrganisationStatusChange:
    """Merge, dissolve or revive an organisation, with the decision recorded.

    A merged organisation's members move to the one it merged into (each move recorded
    as a transfer); a dissolved one must have no members or active organisations left
    under it, so that nobody is silently left without a branch.
    """
    organisation = PartyOrganisation.objects.select_for_update().get(pk=organisation.pk)
    _in_scope(actor, organisation.region_code, "region_code")
    to_status = _choice(to_status, OrganisationStatus, "to_status")
    reason = _required_text(reason, "reason", _("Give the reason for the change."))
    if to_status == organisation.status:
        raise OrganisationError(
            "same_status",
            lazy_format(
                _("The organisation is already %(status)s."),
                status=OrganisationStatus(to_status).label,
            ),
            field="to_status",
        )
    _not_future(changed_on, "changed_on")
    if organisation.founded_on and changed_on < organisation.founded_on:
        raise OrganisationError(
            "before_founding",
            lazy_format(
                _("The organisation was founded on %(date)s; the change cannot be earlier."),
                date=organisation.founded_on.isoformat(),
            ),
            field="changed_on",
        )
    if to_status != OrganisationStatus.ACTIVE:
        _check_can_close(organisation, to_status, merged_into, actor)
    else:
        merged_into = None
    change = OrganisationStatusChange.objects.create(
        organisation=organisation,
        changed_on=changed_on,
        from_status=organisation.status,
        to_status=to_status,
        merged_into=merged_into,
        reason=reason,
        decided_by=_actor_name(actor),
    )
    if merged_into is not None:
        reason_text = str(lazy_format(_("Merged into %(name)s"), name=merged_into.name))
        for member in organisation.members.all():
            do_transfer_member(actor, member, merged_into, changed_on, reason_text)
    organisation.status = to_status
    organisation.save(update_fields=["status", "updated_at"])
    return change


def _check_can_close(
    organisation: PartyOrganisation,
    to_status: str,
    merged_into: PartyOrganisation | None,
    actor,
) -> None:
    children = organisation.children.filter(status=OrganisationStatus.ACTIVE)
    if children.exists():
        raise OrganisationError(
            "has_children",
            _("Active organisations are still under this one: merge or move them first."),
            field="to_status",
        )
    if to_status == OrganisationStatus.MERGED:
        if merged_into is None:
            raise OrganisationError(
                "merged_into_required",
                _("Choose the organisation it merges into."),
                field="merged_into",
            )
        if merged_into.pk == organisation.pk or merged_into.status != OrganisationStatus.ACTIVE:
            raise OrganisationError(
                "merged_into_invalid",
                _("It can merge only into another active organisation."),
                field="merged_into",
            )
        _in_scope(actor, merged_into.region_code, "merged_into")
    elif organisation.members.exists():
        raise OrganisationError(
            "has_members",
            _("The organisation still has members: transfer them before dissolving it."),
            field="to_status",
        )
