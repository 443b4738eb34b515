"""Coverage: how far the party reaches into the new economic and social organisations
(organisation and work coverage) and into the households of the register (党员联户).

Definitions, as the organisation department counts them:

- an entity has **organisation coverage** (组织覆盖) when an *active* party organisation is
  built in it (`PartyOrganisation.host_entity`) or an *active* joint branch covers it
  (`PartyOrganisation.covered_entities`); merged and dissolved organisations cover nothing;
- an entity has **work coverage** (工作覆盖) when it has organisation coverage (an
  organisation of its own does party work there), or a party-building instructor is
  assigned to it, or a party activity was held in it in the twelve months before the day
  of the count;
- a household is **linked** when a party member has an open link with it (党员联户).

Every figure is computed set-based: the entities (or households) of the region are
annotated with `Exists` subqueries and counted grouped by the code prefix of the
level below, so a county's drill-down is one query whatever its size.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from baolei.accounts.scope import Scope, scoped
from baolei.organisation.choices import OrganisationStatus
from baolei.organisation.models import HostEntity, HouseholdLink, PartyOrganisation
from baolei.regions import codes
from baolei.regions.models import Region
from baolei.registry import choices as registry_choices
from baolei.registry.models import Household, MonitoringCase

WORK_WINDOW_DAYS = 365

# The monitoring case states in which a household is still watched.
OPEN_CASE_STATES = (registry_choices.CaseStatus.MONITORED,)


def year_before(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=WORK_WINDOW_DAYS)


def organisation_covered() -> Q:
    """Entities with an active organisation of their own or an active joint branch."""
    active = PartyOrganisation.objects.filter(status=OrganisationStatus.ACTIVE)
    own = Exists(active.filter(host_entity=OuterRef("pk")))
    joint = Exists(active.filter(covered_entities=OuterRef("pk")))
    return Q(own) | Q(joint)


def work_covered(today: datetime.date) -> Q:
    return organisation_covered() | ~Q(instructor="") | Q(last_activity_on__gt=year_before(today))


def annotate_coverage(entities: QuerySet[HostEntity], today: datetime.date) -> QuerySet:
    """Each entity with `org_covered` and `work_covered` booleans (for lists)."""
    active = PartyOrganisation.objects.filter(status=OrganisationStatus.ACTIVE)
    return entities.annotate(
        own_organisation=Exists(active.filter(host_entity=OuterRef("pk"))),
        joint_organisation=Exists(active.filter(covered_entities=OuterRef("pk"))),
    )


def covered_flag(entity) -> bool:
    return bool(entity.own_organisation or entity.joint_organisation)


def work_flag(entity, today: datetime.date) -> bool:
    recent = entity.last_activity_on is not None and entity.last_activity_on > year_before(today)
    return covered_flag(entity) or bool(entity.instructor) or recent


@dataclass
class Rate:
    """`part` of `whole`; `percent` is None when there is nothing to count."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.part / self.whole, 1) if self.whole else None


@dataclass
class CoverageRow:
    code: str
    name: str
    entities: int = 0
    organisation: int = 0
    work: int = 0

    @property
    def organisation_rate(self) -> Rate:
        return Rate(self.organisation, self.entities)

    @property
    def work_rate(self) -> Rate:
        return Rate(self.work, self.entities)


@dataclass
class CoverageTable:
    """The figures of a region (`total`) and of each region one level below it; `here`
    counts entities registered at the region itself (a county-wide association)."""

    region: Region | None
    total: CoverageRow
    rows: list[CoverageRow] = field(default_factory=list)
    here: CoverageRow | None = None


def _children(region_code: str | None, scope: Scope) -> list[Region]:
    return list(scoped(Region.objects.children_of(region_code), scope).order_by("code"))


def entity_coverage(
    scope: Scope,
    region_code: str | None,
    today: datetime.date,
    kind: str | None = None,
) -> CoverageTable:
    """Organisation and work coverage of the host entities of a region of the scope, in
    total and per region one level below, in one grouped query."""
    entities = scoped(HostEntity.objects.all(), scope)
    if region_code:
        entities = entities.filter(codes.within("region_code", region_code))
    if kind:
        entities = entities.filter(kind=kind)
    region = Region.objects.filter(code=region_code).first() if region_code else None
    total = CoverageRow(region_code or "", region.name if region else "")
    rows = {
        child.code: CoverageRow(child.code, child.name) for child in _children(region_code, scope)
    }
    here = CoverageRow(region_code or "", total.name)
    length = codes.child_length(region_code)
    counts = (
        entities.annotate(prefix=Substr("region_code", 1, length or 12))
        .values("prefix")
        .annotate(
            entities=Count("pk"),
            organisation=Count("pk", filter=organisation_covered()),
            work=Count("pk", filter=work_covered(today)),
        )
        .order_by("prefix")
    )
    for group in counts:
        target = rows.get(group["prefix"]) if length else None
        if target is None:
            target = here
        target.entities += group["entities"]
        target.organisation += group["organisation"]
        target.work += group["work"]
        total.entities += group["entities"]
        total.organisation += group["organisation"]
        total.work += group["work"]
    return CoverageTable(
        region=region,
        total=total,
        rows=list(rows.values()),
        here=here if here.entities else None,
    )


def uncovered_entities(
    scope: Scope, region_code: str | None, today: datetime.date, kind: str | None = None
) -> QuerySet[HostEntity]:
    """Entities without organisation coverage, the largest first: where a branch (or a
    place in a joint branch) would reach the most people."""
    entities = scoped(HostEntity.objects.all(), scope)
    if region_code:
        entities = entities.filter(codes.within("region_code", region_code))
    if kind:
        entities = entities.filter(kind=kind)
    return annotate_coverage(entities.exclude(organisation_covered()), today).order_by(
        "-size", "region_code", "name"
    )


# --- households: 党员联户 --------------------------------------------------------------------


@dataclass
class LinkRow:
    code: str
    name: str
    registered: int = 0
    registered_linked: int = 0
    monitored: int = 0
    monitored_linked: int = 0

    @property
    def registered_rate(self) -> Rate:
        return Rate(self.registered_linked, self.registered)

    @property
    def monitored_rate(self) -> Rate:
        return Rate(self.monitored_linked, self.monitored)


@dataclass
class LinkTable:
    region: Region | None
    total: LinkRow
    rows: list[LinkRow] = field(default_factory=list)


def linked() -> Exists:
    return Exists(HouseholdLink.objects.filter(household=OuterRef("pk"), ended_on__isnull=True))


def monitored() -> Exists:
    open_cases = MonitoringCase.objects.filter(
        household=OuterRef("pk"), status__in=OPEN_CASE_STATES
    )
    return Exists(open_cases)


def household_link_coverage(scope: Scope, region_code: str | None) -> LinkTable:
    """The share of registered households, and of households under monitoring (an open
    case), that a party member is linked with; per region one level below."""
    households = scoped(Household.objects.all(), scope)
    if region_code:
        households = households.filter(codes.within("village_id", region_code))
    region = Region.objects.filter(code=region_code).first() if region_code else None
    total = LinkRow(region_code or "", region.name if region else "")
    rows = {child.code: LinkRow(child.code, child.name) for child in _children(region_code, scope)}
    length = codes.child_length(region_code) or 12
    is_linked, is_monitored = linked(), monitored()
    counts = (
        households.annotate(prefix=Substr("village_id", 1, length))
        .values("prefix")
        .annotate(
            registered=Count("pk", filter=Q(registered_poor=True)),
            registered_linked=Count("pk", filter=Q(registered_poor=True) & Q(is_linked)),
            monitored=Count("pk", filter=Q(is_monitored)),
            monitored_linked=Count("pk", filter=Q(is_monitored) & Q(is_linked)),
        )
        .order_by("prefix")
    )
    for group in counts:
        target = rows.get(group["prefix"])
        for name in ("registered", "registered_linked", "monitored", "monitored_linked"):
            if target is not None:
                setattr(target, name, getattr(target, name) + group[name])
            setattr(total, name, getattr(total, name) + group[name])
    return LinkTable(region=region, total=total, rows=list(rows.values()))


# --- members and organisations by region ---------------------------------------------------


def organisations_by_kind(scope: Scope, region_code: str | None) -> dict[str, int]:
    """Active organisations of the region, counted by kind."""
    organisations = scoped(PartyOrganisation.objects.all(), scope).filter(
        status=OrganisationStatus.ACTIVE
    )
    if region_code:
        organisations = organisations.filter(codes.within("region_code", region_code))
    counts = organisations.values("kind").annotate(n=Count("pk")).order_by()
    return {row["kind"]: row["n"] for row in counts}
