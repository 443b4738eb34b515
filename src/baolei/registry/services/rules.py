"""The exit rules, configured per year through `AnnualStandard`, each verdict explained.

A verdict is never a bare yes or no: it lists every criterion with what was found and
what the rule asked for, so that a village cadre can see why a household may not exit yet
and what is missing. Pure domain logic: reads only, changes nothing.

The year rule, the same on every page: a household's line for a year is its province's
line of that year if one is set, else the national line of that year; a year with
neither carries the latest earlier line forward (province first within a year), and the
verdict says which line of which year it used. The village exit limits and the villages'
rural populations follow the same rule.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import Scope, scoped
from baolei.messages import lazy_format
from baolei.regions import codes
from baolei.regions.models import Region
from baolei.registry import choices
from baolei.registry.models import (
    NATIONAL,
    AnnualStandard,
    Household,
    HouseholdYear,
    Member,
    StatusChange,
    VillagePopulation,
)

# The 12 western provinces of the western development strategy (西部大开发), where a
# village exits with an incidence below the western limit (3%) instead of 2%.
WESTERN_PROVINCES = frozenset(
    {
        "15",  # 内蒙古
        "45",  # 广西
        "50",  # 重庆
        "51",  # 四川
        "52",  # 贵州
        "53",  # 云南
        "54",  # 西藏
        "61",  # 陕西
        "62",  # 甘肃
        "63",  # 青海
        "64",  # 宁夏
        "65",  # 新疆
    }
)

# A registered-poor household in one of these statuses counts as poor for the incidence.
POOR_STATUSES = (choices.PovertyStatus.NOT_LIFTED, choices.PovertyStatus.RELAPSED)

POVERTY_LINE = "poverty_line"
MONITORING_LINE = "monitoring_line"


@dataclass
class Criterion:
    code: str
    label: str | Promise
    passed: bool
    detail: str | Promise
    measured: str = ""  # the figure in short, for lists: "2.50% (1/40)"
    checked: bool = True  # False: the data to judge it is missing ("cannot check")


@dataclass
class Verdict:
    passed: bool
    criteria: list[Criterion] = field(default_factory=list)

    @classmethod
    def of(cls, criteria: Iterable[Criterion]) -> Verdict:
        """All criteria must pass; a verdict without criteria, or with a criterion that
        cannot be checked, proves nothing and does not pass."""
        criteria = list(criteria)
        passed = bool(criteria) and all(c.passed and c.checked for c in criteria)
        return cls(passed=passed, criteria=criteria)

    @property
    def failed(self) -> list[Criterion]:
        return [c for c in self.criteria if c.checked and not c.passed]

    @property
    def unchecked(self) -> list[Criterion]:
        return [c for c in self.criteria if not c.checked]


def yuan(amount: Decimal) -> str:
    """4512 -> '4,512.00': the way amounts are written in the verdicts."""
    return f"{amount:,.2f}"


def percent(value: Decimal) -> str:
    return f"{value:.2f}"


def province_of(region_code: str | None) -> str:
    """The province of a region code; national ("") for none."""
    return (region_code or "")[:2]


def province_name(province: str) -> str:
    if not province:
        return ""
    name = Region.objects.filter(code=province).values_list("name", flat=True).first()
    return name or province


# --- the lines of a year ------------------------------------------------------------------


def _applicable(year: int, region_code: str | None = None) -> QuerySet[AnnualStandard]:
    """The standards that may apply to a region in `year`: its province's and the national
    ones of that year and before, the most recent first, the province first within a year."""
    province = province_of(region_code)
    regions = [NATIONAL, province] if province else [NATIONAL]
    return AnnualStandard.objects.filter(year__lte=year, region_code__in=regions).order_by(
        "-year", "-region_code"
    )


def standard_for(year: int, region_code: str | None = None) -> AnnualStandard | None:
    """The standard in force in `year` for the region (its village exit limits): the
    year's own, provincial before national, else the latest earlier one. Its province's
    name is looked up once, here, as `region_name`."""
    standard = _applicable(year, region_code).first()
    if standard is not None:
        standard.region_name = province_name(standard.region_code)
    return standard


@dataclass(frozen=True)
class Line:
    """A line as applied to one year: its amount and where it comes from."""

    kind: str  # POVERTY_LINE or MONITORING_LINE
    amount: Decimal
    year: int  # the year it was set for
    region_code: str  # the province that set it, or "" for the national line
    region_name: str
    for_year: int  # the year it is applied to

    @property
    def carried_forward(self) -> bool:
        return self.year < self.for_year

    @property
    def phrase(self) -> Promise:
        """'the 2020 line of 4,000.00 yuan (2020 line carried forward to 2024)'."""
        if self.region_code:
            text = lazy_format(
                _("the %(region)s %(year)s line of %(line)s yuan"),
                region=self.region_name,
                year=self.year,
                line=yuan(self.amount),
            )
        else:
            text = lazy_format(
                _("the %(year)s line of %(line)s yuan"), year=self.year, line=yuan(self.amount)
            )
        if not self.carried_forward:
            return text
        return lazy_format(
            _("%(line)s (%(year)s line carried forward to %(for_year)s)"),
            line=text,
            year=self.year,
            for_year=self.for_year,
        )


def line_for(kind: str, year: int, region_code: str | None = None) -> Line | None:
    """The poverty or monitoring line for a household of `region_code` in `year`."""
    standard = _applicable(year, region_code).filter(**{f"{kind}__isnull": False}).first()
    if standard is None:
        return None
    return Line(
        kind=kind,
        amount=getattr(standard, kind),
        year=standard.year,
        region_code=standard.region_code,
        region_name=province_name(standard.region_code),
        for_year=year,
    )


def lines_by_province(
    kind: str, year: int, region_code: str | None = None
) -> tuple[Line | None, dict[str, Line]]:
    """The national line for `year` and the line of every province within `region_code`
    (all of them for None) that has set a line of its own up to `year`; a province not
    listed applies the national line. A few queries, whatever the size of the region."""
    provinced = AnnualStandard.objects.exclude(region_code=NATIONAL).filter(
        year__lte=year, **{f"{kind}__isnull": False}
    )
    if region_code:
        provinced = provinced.filter(region_code=province_of(region_code))
    provinces = sorted(set(provinced.values_list("region_code", flat=True)))
    own = {province: line_for(kind, year, province) for province in provinces}
    return line_for(kind, year), {p: line for p, line in own.items() if line is not None}


def no_line_detail(kind: str, year: int) -> Promise:
    if kind == POVERTY_LINE:
        template = _("no poverty line is set for %(year)s or any earlier year")
    else:
        template = _("no monitoring line is set for %(year)s or any earlier year")
    return lazy_format(template, year=year)


def latest_year(household: Household, up_to: int | None = None) -> int | None:
    """The latest year with income recorded for the household (up to `up_to` if given)."""
    years = HouseholdYear.objects.filter(household=household)
    if up_to is not None:
        years = years.filter(year__lte=up_to)
    return years.order_by("-year").values_list("year", flat=True).first()


# --- household exit -------------------------------------------------------------------

INCOME_LABEL = _("Per-capita net income above the poverty line")


def income_criterion(record: HouseholdYear | None, line: Line | None, year: int) -> Criterion:
    """Strictly above the line: income exactly at the line does not exit."""
    if record is None:
        detail = lazy_format(_("no income is recorded for %(year)s"), year=year)
        return Criterion("income", INCOME_LABEL, False, detail)
    if line is None:
        return Criterion("income", INCOME_LABEL, False, no_line_detail(POVERTY_LINE, year))
    income = record.per_capita_net_income
    passed = income > line.amount
    template = (
        _("per-capita net income %(income)s yuan is above %(line)s")
        if passed
        else _("per-capita net income %(income)s yuan is not above %(line)s")
    )
    detail = lazy_format(template, income=yuan(income), line=line.phrase)
    return Criterion("income", INCOME_LABEL, passed, detail)


def assurance_criteria(record: HouseholdYear | None, year: int) -> list[Criterion]:
    """One criterion per assurance and guarantee; not assessed (None) does not pass."""
    criteria = []
    notes = (record.assurance_notes or {}) if record is not None else {}
    for name, label in choices.ASSURANCES:
        value = getattr(record, name) if record is not None else None
        if record is None:
            detail = lazy_format(_("nothing is recorded for %(year)s"), year=year)
        elif value is None:
            detail = lazy_format(_("not assessed for %(year)s"), year=year)
        elif value:
            detail = lazy_format(_("met in %(year)s"), year=year)
        else:
            detail = lazy_format(_("not met in %(year)s"), year=year)
        note = notes.get(name) if isinstance(notes, dict) else None
        if note:
            detail = lazy_format(_("%(detail)s (note: %(note)s)"), detail=detail, note=note)
        criteria.append(Criterion(name, label, value is True, detail))
    return criteria


def household_exit_check(household: Household, year: int) -> Verdict:
    """Exit (脱贫) in `year`: income strictly above the poverty line that applies to the
    household in that year (see the year rule above) and the two assurances, three
    guarantees and safe drinking water all met."""
    record = HouseholdYear.objects.filter(household=household, year=year).first()
    line = line_for(POVERTY_LINE, year, household.village_id)
    return Verdict.of([income_criterion(record, line, year), *assurance_criteria(record, year)])


# --- village exit and county readiness ------------------------------------------------

INCIDENCE_LABEL = _("Poverty incidence below the limit")


def is_western(region_code: str) -> bool:
    return region_code[:2] in WESTERN_PROVINCES


def incidence_limit(standard: AnnualStandard, region_code: str) -> Decimal:
    if is_western(region_code):
        return standard.western_incidence_limit
    return standard.village_incidence_limit


@dataclass(frozen=True)
class Population:
    """A village's rural population as applied to one year."""

    people: int
    year: int  # the year it was recorded for
    for_year: int

    @property
    def carried_forward(self) -> bool:
        return self.year < self.for_year


def populations_within(region_code: str, year: int) -> dict[str, Population]:
    """Village code → its rural population for `year` (the latest recorded up to it), for
    every village of the region that has one. One query."""
    rows = (
        VillagePopulation.objects.filter(codes.within("village_id", region_code), year__lte=year)
        .order_by("village_id", "-year")
        .values_list("village_id", "year", "population")
    )
    found: dict[str, Population] = {}
    for code, recorded, people in rows:
        found.setdefault(code, Population(people, recorded, year))
    return found


def population_for(village_code: str, year: int) -> Population | None:
    return populations_within(village_code, year).get(village_code)


def _limit_text(standard: AnnualStandard, village_code: str, year: int) -> Promise:
    """'the 2020 limit of 2.00%', naming a provincial or carried-forward limit as such."""
    kind = _("western province limit") if is_western(village_code) else _("limit")
    text = lazy_format(
        _("the %(year)s %(kind)s of %(limit)s%%"),
        year=standard.year,
        kind=kind,
        limit=percent(incidence_limit(standard, village_code)),
    )
    if standard.region_code:
        text = lazy_format(
            _("%(limit)s of %(region)s"),
            limit=text,
            region=getattr(standard, "region_name", None) or province_name(standard.region_code),
        )
    if standard.year < year:
        text = lazy_format(
            _("%(limit)s (%(year)s standard carried forward to %(for_year)s)"),
            limit=text,
            year=standard.year,
            for_year=year,
        )
    return text


def incidence_verdict(
    village_code: str,
    poor: int,
    population: Population | None,
    standard: AnnualStandard | None,
    year: int,
) -> Verdict:
    """The village's verdict: the people of its registered households not lifted out (or
    relapsed) at the end of `year`, against its rural population. Without a population
    the criterion cannot be checked, which is not a failure of the village."""
    if standard is None:
        detail = lazy_format(
            _("no annual standard is set for %(year)s or any earlier year"), year=year
        )
        return Verdict.of([Criterion("incidence", INCIDENCE_LABEL, False, detail)])
    if population is None:
        detail = lazy_format(
            _(
                "cannot check: population not recorded (none for %(year)s or any earlier "
                "year; people of the register in households not lifted out or relapsed: "
                "%(poor)s)"
            ),
            year=year,
            poor=poor,
        )
        measured = f"— ({poor}/?)"
        return Verdict.of(
            [Criterion("incidence", INCIDENCE_LABEL, False, detail, measured, checked=False)]
        )
    limit = incidence_limit(standard, village_code)
    incidence = (Decimal(poor) * 100 / Decimal(population.people)).quantize(Decimal("0.01"))
    passed = incidence < limit
    template = (
        _(
            "%(poor)s of a rural population of %(population)s are in registered households "
            "not lifted out or relapsed at the end of %(year)s: incidence %(incidence)s%%, "
            "below %(limit)s"
        )
        if passed
        else _(
            "%(poor)s of a rural population of %(population)s are in registered households "
            "not lifted out or relapsed at the end of %(year)s: incidence %(incidence)s%%, "
            "not below %(limit)s"
        )
    )
    detail = lazy_format(
        template,
        poor=poor,
        population=f"{population.people:,}",
        year=year,
        incidence=percent(incidence),
        limit=_limit_text(standard, village_code, year),
    )
    if population.carried_forward:
        detail = lazy_format(
            _(
                "%(finding)s. The population recorded for %(recorded)s is used: none is recorded "
                "for %(year)s."
            ),
            finding=detail,
            recorded=population.year,
            year=year,
        )
    measured = f"{percent(incidence)}% ({poor}/{population.people})"
    return Verdict.of([Criterion("incidence", INCIDENCE_LABEL, passed, detail, measured)])


def poor_people(households_q: Q, year: int) -> dict[str, int]:
    """Per village: the people of registered-poor households that were not lifted out, or
    had relapsed, at the end of `year`.

    The status at the end of the year is read from the household's status history (the
    last change on or before 31 December; before its first change it was not yet in the
    register); a household without any history has its current status. Households
    identified after `year` do not count. One grouped query, whatever the number of
    villages.
    """
    end = datetime.date(year, 12, 31)
    history = StatusChange.objects.filter(household=OuterRef("household_id"))
    then = history.filter(changed_on__lte=end).order_by("-changed_on", "-id").values("to_status")
    status_then = Case(
        When(Exists(history), then=Coalesce(Subquery(then[:1]), Value(""))),
        default=F("household__status"),
        output_field=CharField(),
    )
    identified = Q(household__identification_year__isnull=True) | Q(
        household__identification_year__lte=year
    )
    rows = (
        Member.objects.filter(households_q, identified, household__registered_poor=True)
        .alias(status_then=status_then)
        .filter(status_then__in=POOR_STATUSES)
        .values("household__village_id")
        .annotate(poor=Count("id"))
        .order_by()
    )
    return {row["household__village_id"]: row["poor"] for row in rows}


def village_exit_check(village_code: str, year: int) -> Verdict:
    """Village exit (贫困村退出) in `year`: poverty incidence below the year's limit."""
    poor = poor_people(Q(household__village_id=village_code), year).get(village_code, 0)
    return incidence_verdict(
        village_code,
        poor,
        population_for(village_code, year),
        standard_for(year, village_code),
        year,
    )


@dataclass
class Readiness:
    """A county's villages with their verdicts: failing first (the worst at the top), then
    those that cannot be checked for want of a population, then those ready."""

    year: int
    results: list[tuple[Region, Verdict]]

    @property
    def failing(self) -> int:
        return sum(1 for _v, verdict in self.results if verdict.failed)

    @property
    def unchecked(self) -> int:
        return sum(1 for _v, verdict in self.results if verdict.unchecked and not verdict.failed)

    @property
    def passing(self) -> int:
        return sum(1 for _v, verdict in self.results if verdict.passed)


def county_readiness(county_code: str, year: int, scope: Scope) -> Readiness:
    """Every village of the county within `scope`, with its verdict for `year`.

    Four queries in all (the villages, the grouped counts, the populations, the standard).
    """
    villages = list(scoped(Region.objects.villages().within(county_code), scope).order_by("code"))
    poor = poor_people(codes.within("household__village_id", county_code), year)
    populations = populations_within(county_code, year)
    standard = standard_for(year, county_code)
    ranked = []
    for village in villages:
        population = populations.get(village.code)
        count = poor.get(village.code, 0)
        verdict = incidence_verdict(village.code, count, population, standard, year)
        share = Decimal(count) / population.people if population else Decimal(0)
        rank = 0 if verdict.failed else 1 if verdict.unchecked else 2
        ranked.append(((rank, -share, village.code), village, verdict))
    ranked.sort(key=lambda entry: entry[0])
    return Readiness(year, [(village, verdict) for _key, village, verdict in ranked])
