"""Party members: joining, the branch they belong to and its transfers (组织关系转接),
and the households they keep in touch with (党员联户). Same conventions as `services`."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei import idnumbers, versioning
from baolei.accounts.scope import scoped
from baolei.messages import lazy_format
from baolei.organisation.choices import MemberCategory, MemberStanding, OrganisationStatus
from baolei.organisation.models import HouseholdLink, MemberTransfer, PartyMember, PartyOrganisation
from baolei.organisation.services.common import (
    OrganisationError,
    _actor_name,
    _choice,
    _clean,
    _end_period,
    _in_scope,
    _not_future,
    _person,
    _required_text,
    _scope_of,
    _unknown,
    stale,
)
from baolei.registry.models import Household

# A person may join the party from the age of eighteen (Party Constitution, art. 1).
JOINING_AGE = 18


# --- party members -----------------------------------------------------------------------

MEMBER_FIELDS = ("joined_on", "standing", "category", "posts")


def _active_branch(branch: PartyOrganisation, actor, field: str = "branch") -> None:
    if branch.status != OrganisationStatus.ACTIVE:
        raise OrganisationError(
            "branch_inactive",
            lazy_format(_("%(name)s is no longer active."), name=branch.name),
            field=field,
        )
    _in_scope(actor, branch.region_code, field)


def _check_member(member: PartyMember) -> None:
    member.standing = _choice(member.standing, MemberStanding, "standing")
    member.category = _choice(member.category, MemberCategory, "category")
    if member.joined_on is None:
        raise OrganisationError(
            "required", _("Enter the date the member joined the party."), field="joined_on"
        )
    _not_future(member.joined_on, "joined_on")
    age = idnumbers.age_on(member.person.birth_date, member.joined_on)
    if age < JOINING_AGE:
        raise OrganisationError(
            "too_young",
            lazy_format(
                _("On %(date)s the person was %(age)d: members join at 18 or older."),
                date=member.joined_on.isoformat(),
                age=age,
            ),
            field="joined_on",
        )
    _clean(member, exclude=["person", "branch"])


@transaction.atomic
def do_create_member(
    actor,
    *,
    id_number: str,
    name: str,
    branch: PartyOrganisation,
    joined_on: datetime.date | None,
    standing: str = MemberStanding.FULL,
    category: str = MemberCategory.RESIDENT,
    posts: str = "",
) -> PartyMember:
    """A party member of `branch`, on the registry's one record of the person."""
    _active_branch(branch, actor)
    person = _person(actor, id_number, name, branch.region_code)
    existing = PartyMember.objects.filter(person=person).select_related("branch").first()
    scope = _scope_of(actor)
    elsewhere = existing is not None and scope is not None
    if elsewhere and not scope.contains(existing.branch.region_code):
        # A branch outside the scope is not named.
        raise OrganisationError(
            "already_member",
            lazy_format(_("%(name)s is already a party member."), name=person.name),
            field="id_number",
        )
    if existing is not None:
        raise OrganisationError(
            "already_member",
            lazy_format(
                _("%(name)s is already a member of %(branch)s: transfer them instead."),
                name=person.name,
                branch=existing.branch.name,
            ),
            field="id_number",
        )
    member = PartyMember(
        person=person,
        branch=branch,
        joined_on=joined_on,
        standing=standing,
        category=category,
        posts=posts or "",
    )
    _check_member(member)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise OrganisationError(
            "already_member",
            lazy_format(_("%(name)s is already a party member."), name=person.name),
            field="id_number",
        ) from None
    return member


@transaction.atomic
def do_update_member(
    actor, member: PartyMember, *, expected_version: int | None = None, **fields: Any
) -> PartyMember:
    """Standing, category, posts and joining date; the branch changes by transfer only.
    `expected_version`: the version the edit started from (None: no check)."""
    _unknown(fields, MEMBER_FIELDS)
    member = (
        PartyMember.objects.select_for_update().select_related("person", "branch").get(pk=member.pk)
    )
    _in_scope(actor, member.branch.region_code, "branch")
    versioning.claim(member, expected_version, stale)
    for name, value in fields.items():
        setattr(member, name, "" if value is None and name == "posts" else value)
    _check_member(member)
    member.save()
    return member


@transaction.atomic
def do_transfer_member(
    actor,
    member: PartyMember,
    to_branch: PartyOrganisation,
    transferred_on: datetime.date,
    reason: str,
) -> MemberTransfer:
    """Move the member's organisational relationship (组织关系) to another branch, with
    the move kept in the member's history."""
    member = PartyMember.objects.select_for_update().select_related("branch").get(pk=member.pk)
    _in_scope(actor, member.branch.region_code, "branch")
    _active_branch(to_branch, actor, "to_branch")
    if to_branch.pk == member.branch_id:
        raise OrganisationError(
            "same_branch",
            _("The member is already in this branch."),
            field="to_branch",
        )
    reason = _required_text(reason, "reason", _("Give the reason for the transfer."))
    if transferred_on is None:
        raise OrganisationError("required", _("Enter the date."), field="transferred_on")
    _not_future(transferred_on, "transferred_on")
    last = member.transfers.order_by("-transferred_on", "-id").first()
    earliest = max(member.joined_on, last.transferred_on if last else member.joined_on)
    if transferred_on < earliest:
        raise OrganisationError(
            "before_last",
            lazy_format(
                _("The transfer cannot be earlier than %(date)s."), date=earliest.isoformat()
            ),
            field="transferred_on",
        )
    transfer = MemberTransfer.objects.create(
        member=member,
        from_branch=member.branch,
        to_branch=to_branch,
        transferred_on=transferred_on,
        reason=reason[:200],
        recorded_by=_actor_name(actor),
    )
    member.branch = to_branch
    member.save(update_fields=["branch", "updated_at"])
    return transfer


# --- 党员联户: members linked to households --------------------------------------------------


def links_in_scope(user_or_scope) -> QuerySet[HouseholdLink]:
    """The links a user may see and end: both the household and the member in scope (a
    link is seen from the household's village, its member from the branch's region)."""
    members = scoped(PartyMember.objects.all(), user_or_scope)
    return scoped(HouseholdLink.objects.filter(member__in=members), user_or_scope)


@transaction.atomic
def do_link_household(
    actor, member: PartyMember, household: Household, started_on: datetime.date | None = None
) -> HouseholdLink:
    """The member keeps in touch with the household from `started_on` (default today)."""
    started_on = started_on or timezone.localdate()
    _in_scope(actor, member.branch.region_code, "member")
    _in_scope(actor, household.village_id, "household")
    _not_future(started_on, "started_on")
    if started_on < member.joined_on:
        raise OrganisationError(
            "before_joining",
            _("The link cannot start before the member joined the party."),
            field="started_on",
        )
    open_links = HouseholdLink.objects.select_for_update().filter(
        member=member, household=household, ended_on__isnull=True
    )
    if open_links.exists():
        raise OrganisationError(
            "already_linked",
            lazy_format(
                _("%(name)s is already linked with household %(number)s."),
                name=member.person.name,
                number=household.number,
            ),
            field="household",
        )
    try:
        with transaction.atomic():
            return HouseholdLink.objects.create(
                member=member, household=household, started_on=started_on
            )
    except IntegrityError:
        raise OrganisationError(
            "already_linked", _("This member is already linked with the household.")
        ) from None


@transaction.atomic
def do_end_link(actor, link: HouseholdLink, ended_on: datetime.date | None = None) -> HouseholdLink:
    link = HouseholdLink.objects.select_for_update().select_related("household").get(pk=link.pk)
    _in_scope(actor, link.household.village_id, "household")
    ended_on = ended_on or timezone.localdate()
    if link.ended_on is not None:
        raise OrganisationError("already_ended", _("This link has already ended."))
    _not_future(ended_on, "ended_on")
    _end_period(
        link,
        ended_on,
        "before_start",
        lazy_format(
            _("The link started on %(date)s; it cannot end earlier."),
            date=link.started_on.isoformat(),
        ),
    )
    return link
