"""Helpers, their pairing with households, and the visits they make.

Separate from the household writes: a helper is a cadre or party member (a person of the
register, not of a household), paired with households over time, and the visits are
recorded from the village.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope
from baolei.messages import lazy_format
from baolei.regions import codes
from baolei.regions.models import Region
from baolei.registry.models import Helper, Household, Pairing, Visit
from baolei.registry.services.people import (
    EARLIEST_YEAR,
    RegistryError,
    _scope_of,
    check_not_future,
    clean_model,
    person_for,
)


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
    person = person_for(actor, id_number, name, region.code, phone=phone)
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
    """The helpers a user sees and may name: the one accessor of the helper list, the
    pairing form and the API (a visit's helper).

    A helper's region is where they work (their unit's region: a county bureau's cadre
    has the county's code, a township government's the township's). Everyone sees the
    helpers working in their scope and those paired, now or before, with a household of
    their scope. Who may pair households (`EDIT_REGISTRY`) also sees the helpers of the
    regions above, the pool they pair from (a county cadre helps households in every
    township). Nobody else does: a first secretary of one village sees the helpers of
    their village's households, not every cadre of the county.
    """
    if scope.empty:
        return Helper.objects.none()
    if scope.region_code is None:
        return Helper.objects.all()
    paired = Pairing.objects.filter(scope.q(Pairing.scope_field)).values("helper_id")
    visible = scope.q("region_code") | Q(pk__in=paired)
    if scope.can(Perm.EDIT_REGISTRY):
        visible |= Q(region_code__in=codes.ancestors_of(scope.region_code))
    return Helper.objects.filter(visible)


OFFERED_HELPERS = 50


def helpers_to_offer(
    scope: Scope, household: Household, search: str = "", chosen: str | int | None = None
) -> list[Helper]:
    """The few helpers the pairing form lists: those found by name or unit when searching,
    else those already helping households of the household's village (plus the one chosen
    in a form that came back). Listing every helper in scope (6,000 for a county) made the
    form take seconds to render; any other helper in scope is found by the search."""
    helpers = helpers_for(scope).select_related("person").order_by("person__name", "pk")
    search = (search or "").strip()[:64]
    if search:
        return list(
            helpers.filter(Q(person__name__contains=search) | Q(unit__contains=search))[
                :OFFERED_HELPERS
            ]
        )
    near = Pairing.objects.filter(household__village_id=household.village_id).values("helper_id")
    offered = list(helpers.filter(pk__in=near)[:OFFERED_HELPERS])
    if chosen and str(chosen).isdigit() and all(h.pk != int(chosen) for h in offered):
        offered = [*helpers.filter(pk=int(chosen)), *offered]
    return offered


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


EARLIEST_VISIT = datetime.date(EARLIEST_YEAR, 1, 1)  # without a helper to date it


def _check_visit_date(household: Household, helper: Helper | None, visited_on) -> None:
    """A helper visits the household from the day they were paired with it; a visit without
    a helper is dated within the register's years."""
    if helper is None:
        if visited_on < EARLIEST_VISIT:
            raise RegistryError(
                "too_early",
                lazy_format(
                    _("The visit date cannot be before %(date)s."), date=EARLIEST_VISIT.isoformat()
                ),
                field="visited_on",
            )
        return
    started = (
        Pairing.objects.filter(household=household, helper=helper)
        .order_by("started_on")
        .values_list("started_on", flat=True)
        .first()
    )
    if started is None:
        raise RegistryError(
            "not_paired",
            lazy_format(_("%(name)s is not paired with this household."), name=helper.person.name),
            field="helper",
        )
    if visited_on < started:
        raise RegistryError(
            "before_pairing",
            lazy_format(
                _(
                    "%(name)s has been this household's helper since %(date)s: the visit "
                    "cannot be earlier."
                ),
                name=helper.person.name,
                date=started.isoformat(),
            ),
            field="visited_on",
        )


@transaction.atomic
def helper_of(user, helpers) -> Helper | None:
    """The user's own record among `helpers`, if there is exactly one. An account is not
    linked to a person of the register: it is found by the account's full name; a phone
    on both that differs tells two namesakes apart (a record without a phone is not
    ruled out by it, as registers often lack one)."""
    name = (getattr(user, "full_name", "") or "").strip()
    if not name:
        return None
    phone = (getattr(user, "phone", "") or "").strip()
    found = [
        helper
        for helper in helpers
        if helper.person.name == name
        and not (phone and helper.person.phone and helper.person.phone != phone)
    ]
    return found[0] if len(found) == 1 else None


def own_helper(actor, household: Household) -> Helper | None:
    """The actor's helper record among the household's current helpers, if they are one."""
    if not getattr(actor, "is_authenticated", False):
        return None
    current = Helper.objects.filter(
        pairings__household=household, pairings__ended_on__isnull=True
    ).select_related("person")
    return helper_of(actor, current)


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
    """A visit to the household, as recorded from the village (often on a phone). The
    recording user is always kept; without a helper given, the visit is the user's own
    as the household's helper when they are one."""
    if helper is None:
        helper = own_helper(actor, household)
    if visited_on is None:
        raise RegistryError("required", _("Enter the date of the visit."), field="visited_on")
    check_not_future(visited_on, "visited_on")
    _check_visit_date(household, helper, visited_on)
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
