"""The exit rules, configured per year through `AnnualStandard`, each verdict explained.

A verdict is never a bare yes or no: it lists every criterion with what was found and
what the rule asked for, so that a village cadre can see why a household may not exit yet
and what is missing. Pure domain logic: reads only, changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import Scope, scoped
from baolei.messages import lazy_format
from baolei.regions import codes
from baolei.regions.models import Region
from baolei.registry import choices
from baolei.registry.models import AnnualStandard, Household, HouseholdYear, Member

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


@dataclass
class Criterion:
    code: str
    label: str | Promise
    passed: bool
    detail: str | Promise
    measured: str = ""  # the figure in short, for lists: "2.50% (1/40)"


@dataclass
class Verdict:
    passed: bool
    criteria: list[Criterion] = field(default_factory=list)

    @classmethod
    def of(cls, criteria: Iterable[Criterion]) -> Verdict:
        """All criteria must pass; a verdict without criteria proves nothing and fails."""
        criteria = list(criteria)
        return cls(passed=bool(criteria) and all(c.passed for c in criteria), criteria=criteria)

    @property
    def failed(self) -> list[Criterion]:
        return [c for c in self.criteria if not c.passed]


def yuan(amount: Decimal) -> str:
    """4512 -> '4,512.00': the way amounts are written in the verdicts."""
    return f"{amount:,.2f}"


def percent(value: Decimal) -> str:
    return f"{value:.2f}"


def standard_for(year: int) -> AnnualStandard | None:
    return AnnualStandard.objects.filter(year=year).first()


def latest_year(household: Household, up_to: int | None = None) -> int | None:
    """The latest year with income recorded for the household (up to `up_to` if given)."""
    years = HouseholdYear.objects.filter(household=household)
    if up_to is not None:
        years = years.filter(year__lte=up_to)
    return years.order_by("-year").values_list("year", flat=True).first()


# --- household exit -------------------------------------------------------------------

INCOME_LABEL = _("Per-capita net income above the poverty line")


def income_criterion(
    record: HouseholdYear | None, standard: AnnualStandard | None, year: int
) -> Criterion:
    """Strictly above the line: income exactly at the line does not exit."""
    if record is None:
        detail = lazy_format(_("no income is recorded for %(year)s"), year=year)
        return Criterion("income", INCOME_LABEL, False, detail)
    if standard is None or standard.poverty_line is None:
        detail = lazy_format(_("no poverty line is set for %(year)s"), year=year)
        return Criterion("income", INCOME_LABEL, False, detail)
    income, line = record.per_capita_net_income, standard.poverty_line
    passed = income > line
    template = (
        _("per-capita net income %(income)s yuan is above the %(year)s line of %(line)s yuan")
        if passed
        else _(
            "per-capita net income %(income)s yuan is not above the %(year)s line of %(line)s yuan"
        )
    )
    detail = lazy_format(template, income=yuan(income), year=year, line=yuan(line))
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
    """Exit (脱贫) in `year`: income strictly above that year's poverty line and the two
    assurances, three guarantees and safe drinking water all met."""
    record = HouseholdYear.objects.filter(household=household, year=year).first()
    standard = standard_for(year)
    return Verdict.of([income_criterion(record, standard, year), *assurance_criteria(record, year)])


# --- village exit and county readiness ------------------------------------------------

INCIDENCE_LABEL = _("Poverty incidence below the limit")


def is_western(region_code: str) -> bool:
    return region_code[:2] in WESTERN_PROVINCES


def incidence_limit(standard: AnnualStandard, region_code: str) -> Decimal:
    if is_western(region_code):
        return standard.western_incidence_limit
    return standard.village_incidence_limit


def incidence_verdict(
    village_code: str, poor: int, registered: int, standard: AnnualStandard | None, year: int
) -> Verdict:
    """The village's verdict from its two counts; shared by the single and the set check.

    The real rule divides by the village's rural population, which Baolei does not hold
    yet: the denominator here is everyone in the village's register, and the detail says so.
    """
    if standard is None:
        detail = lazy_format(_("no annual standard is set for %(year)s"), year=year)
        return Verdict.of([Criterion("incidence", INCIDENCE_LABEL, False, detail)])
    limit = incidence_limit(standard, village_code)
    incidence = (
        (Decimal(poor) * 100 / Decimal(registered)).quantize(Decimal("0.01"))
        if registered
        else Decimal("0.00")
    )
    passed = incidence < limit
    western = _("western province limit") if is_western(village_code) else _("limit")
    template = (
        _(
            "%(poor)s of %(registered)s people in the village's register are in households "
            "not yet lifted out or relapsed: incidence %(incidence)s%%, below the %(year)s "
            "%(kind)s of %(limit)s%%"
        )
        if passed
        else _(
            "%(poor)s of %(registered)s people in the village's register are in households "
            "not yet lifted out or relapsed: incidence %(incidence)s%%, not below the "
            "%(year)s %(kind)s of %(limit)s%%"
        )
    )
    detail = lazy_format(
        _(
            "%(finding)s. Counted against the people in the register, not the village's rural "
            "population, which Baolei does not hold yet."
        ),
        finding=lazy_format(
            template,
            poor=poor,
            registered=registered,
            incidence=percent(incidence),
            year=year,
            kind=western,
            limit=percent(limit),
        ),
    )
    measured = f"{percent(incidence)}% ({poor}/{registered})"
    return Verdict.of([Criterion("incidence", INCIDENCE_LABEL, passed, detail, measured)])


def _people_counts(households_q: Q) -> Iterable[dict]:
    """Per village: everyone in the register, and those in poor registered households.

    One grouped query, whatever the number of villages.
    """
    poor = Q(household__registered_poor=True, household__status__in=POOR_STATUSES)
    return (
        Member.objects.filter(households_q)
        .values("household__village_id")
        .annotate(registered=Count("id"), poor=Count("id", filter=poor))
        .order_by()
    )


def village_exit_check(village_code: str, year: int) -> Verdict:
    """Village exit (贫困村退出) in `year`: poverty incidence below the year's limit."""
    counts = {
        row["household__village_id"]: row
        for row in _people_counts(Q(household__village_id=village_code))
    }
    row = counts.get(village_code, {"registered": 0, "poor": 0})
    return incidence_verdict(village_code, row["poor"], row["registered"], standard_for(year), year)


def county_readiness(county_code: str, year: int, scope: Scope) -> list[tuple[Region, Verdict]]:
    """Every village of the county within `scope`, failing villages first.

    Two queries in all (the villages, the grouped counts) and one for the standard.
    """
    villages = list(scoped(Region.objects.villages().within(county_code), scope).order_by("code"))
    counts = {
        row["household__village_id"]: row
        for row in _people_counts(codes.within("household__village_id", county_code))
    }
    standard = standard_for(year)
    ranked = []
    for village in villages:
        row = counts.get(village.code, {"registered": 0, "poor": 0})
        verdict = incidence_verdict(village.code, row["poor"], row["registered"], standard, year)
        share = Decimal(row["poor"]) / row["registered"] if row["registered"] else Decimal(0)
        # Failing villages first, the worst of them at the top.
        ranked.append(((verdict.passed, -share, village.code), village, verdict))
    ranked.sort(key=lambda entry: entry[0])
    return [(village, verdict) for _key, village, verdict in ranked]
