"""Whether a monitoring case's risk may be eliminated (风险消除), every criterion explained.

The procedure's county step (`services.procedures`) asks this before it approves; the
pages show the same verdict beforehand. Income stably above the line is read as:
monitored for at least six months and the latest year's per-capita income above that
year's monitoring line.
"""

from __future__ import annotations

import calendar
import datetime

from django.db.models import (
    Q,
)
from django.utils.translation import gettext_lazy as _

from baolei.messages import lazy_format
from baolei.registry import choices
from baolei.registry.models import (
    AssistanceMeasure,
    Household,
    HouseholdYear,
    Member,
    MonitoringCase,
    RiskEvent,
)
from baolei.registry.services import rules
from baolei.registry.services.rules import Criterion, Verdict

CaseStatus = choices.CaseStatus
SAFETY_NET = frozenset({choices.MeasureKind.SOCIAL_SECURITY, choices.MeasureKind.MINIMUM_LIVING})
ABLE = (choices.LabourCapacity.ORDINARY, choices.LabourCapacity.SKILLED)
MONITORED_MONTHS = 6


# --- risk elimination -----------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day (31 August + 6 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def risk_elimination_check(case: MonitoringCase, on: datetime.date) -> Verdict:
    """May the case's risk be eliminated on `on`? Every criterion explained.

    Income stably above the line is read as: monitored for at least six months and the
    latest year's per-capita income above that year's monitoring line.
    """
    household = case.household
    record = (
        HouseholdYear.objects.filter(household=household, year__lte=on.year)
        .order_by("-year")
        .first()
    )
    return Verdict.of(
        [
            _period_criterion(case, on),
            _income_criterion(record, household),
            _assurances_criterion(record),
            _risks_criterion(household),
            _support_criterion(case, on),
        ]
    )


def _period_criterion(case: MonitoringCase, on: datetime.date) -> Criterion:
    label = _("Monitored for at least six months")
    if case.identified_on is None:
        detail = _("the household has not been included for monitoring yet")
        return Criterion("monitoring_period", label, False, detail)
    due = add_months(case.identified_on, MONITORED_MONTHS)
    passed = on >= due
    template = (
        _("monitored since %(since)s; six months were reached on %(due)s")
        if passed
        else _("monitored since %(since)s; six months are reached only on %(due)s")
    )
    detail = lazy_format(template, since=case.identified_on.isoformat(), due=due.isoformat())
    return Criterion("monitoring_period", label, passed, detail)


def _income_criterion(record: HouseholdYear | None, household: Household) -> Criterion:
    label = _("Per-capita net income above the monitoring line")
    if record is None:
        return Criterion("income", label, False, _("no income is recorded"))
    line = rules.line_for(rules.MONITORING_LINE, record.year, household.village_id)
    if line is None:
        detail = rules.no_line_detail(rules.MONITORING_LINE, record.year)
        return Criterion("income", label, False, detail)
    income = record.per_capita_net_income
    passed = income > line.amount
    template = (
        _("per-capita net income %(income)s yuan in %(year)s is above %(line)s")
        if passed
        else _("per-capita net income %(income)s yuan in %(year)s is not above %(line)s")
    )
    detail = lazy_format(template, income=rules.yuan(income), year=record.year, line=line.phrase)
    return Criterion("income", label, passed, detail)


def _assurances_criterion(record: HouseholdYear | None) -> Criterion:
    label = _("Assurances, guarantees and safe drinking water secure")
    if record is None:
        return Criterion("assurances", label, False, _("no assurances are recorded"))
    insecure = [
        str(name) for field, name in choices.ASSURANCES if getattr(record, field) is not True
    ]
    if not insecure:
        detail = lazy_format(_("all secure in %(year)s"), year=record.year)
        return Criterion("assurances", label, True, detail)
    detail = lazy_format(
        _("not secure or not assessed in %(year)s: %(names)s"),
        year=record.year,
        names=_LazyJoin(choices.ASSURANCES, record),
    )
    return Criterion("assurances", label, False, detail)


class _LazyJoin:
    """The assurances not secure, named in the language active when shown."""

    def __init__(self, assurances, record: HouseholdYear) -> None:
        self.assurances, self.record = assurances, record

    def __str__(self) -> str:
        return ", ".join(
            str(name) for field, name in self.assurances if getattr(self.record, field) is not True
        )


def _risks_criterion(household: Household) -> Criterion:
    label = _("No unresolved risk")
    unresolved = list(
        RiskEvent.objects.filter(household=household, resolved_on__isnull=True).order_by(
            "occurred_on", "id"
        )
    )
    if not unresolved:
        return Criterion("risks", label, True, _("every recorded risk is resolved"))
    detail = lazy_format(
        _("unresolved: %(events)s"),
        events=_LazyEvents(unresolved),
    )
    return Criterion("risks", label, False, detail)


class _LazyEvents:
    def __init__(self, events: list[RiskEvent]) -> None:
        self.events = events

    def __str__(self) -> str:
        return ", ".join(
            f"{e.get_kind_display()} ({e.occurred_on.isoformat()})" for e in self.events
        )


def _support_criterion(case: MonitoringCase, on: datetime.date) -> Criterion:
    """Never for a household that cannot work and lives on social security alone: such a
    household's risk is not gone, it is carried by the safety net, and it stays monitored."""
    label = _("Not a household without labour living on social security alone")
    capacities = list(
        Member.objects.filter(household=case.household_id).values_list("labour_capacity", flat=True)
    )
    if not capacities:
        return Criterion(
            "support", label, False, _("no members are recorded, so labour cannot be judged")
        )
    able = sum(1 for capacity in capacities if capacity in ABLE)
    if able:
        detail = lazy_format(
            _("%(able)s of %(total)s members can work"), able=able, total=len(capacities)
        )
        return Criterion("support", label, True, detail)
    current = AssistanceMeasure.objects.filter(case=case, started_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=on)
    )
    kinds = set(current.values_list("kind", flat=True))
    if kinds and kinds <= SAFETY_NET:
        detail = _(
            "no member can work and the only support is social security or the minimum "
            "living guarantee: the household stays monitored"
        )
        return Criterion("support", label, False, detail)
    if not kinds:
        detail = _("no member can work; no current assistance measure is recorded")
    else:
        detail = _("no member can work, but the support goes beyond social security")
    return Criterion("support", label, True, detail)
