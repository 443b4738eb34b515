"""Monitoring against relapse (防止返贫动态监测): flagging, risk events, measures, and the
criteria for eliminating a risk.

A household is flagged when its per-capita income falls below the monitoring line that
applies to it in the year (the same year rule as the exit check: see `rules`)
or when a risk event is recorded. A risk event opens a monitoring case at once and starts
its identification procedure with the risk alert; the case becomes "monitored" only when
that procedure completes (see `procedures`), and the risk is eliminated only through the
risk-elimination procedure, which refuses to start unless `risk_elimination_check` passes.
"""

from __future__ import annotations

import calendar
import datetime

from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import Scope, scoped
from baolei.messages import lazy_format
from baolei.regions import codes
from baolei.registry import choices, procedures, rules
from baolei.registry.models import (
    AssistanceMeasure,
    Household,
    HouseholdYear,
    Member,
    MonitoringCase,
    Procedure,
    RiskEvent,
)
from baolei.registry.rules import Criterion, Verdict

CaseStatus = choices.CaseStatus
ACTIVE_CASE_STATUSES = (CaseStatus.IDENTIFYING, CaseStatus.MONITORED)
LIFTED = (choices.PovertyStatus.LIFTED_WITH_POLICY, choices.PovertyStatus.LIFTED_NO_POLICY)
# Events that make a household not in the register a "sudden severe hardship" household.
SUDDEN_KINDS = (choices.RiskKind.DISASTER, choices.RiskKind.ACCIDENT)
# Support that keeps a household fed without work: 社会保障 and 低保/特困兜底.
SAFETY_NET = frozenset({choices.MeasureKind.SOCIAL_SECURITY, choices.MeasureKind.MINIMUM_LIVING})
ABLE = (choices.LabourCapacity.ORDINARY, choices.LabourCapacity.SKILLED)
MONITORED_MONTHS = 6


# --- flagging ---------------------------------------------------------------------------


def candidates(year: int, scope: Scope) -> QuerySet[Household]:
    """Households in scope to consider for monitoring in `year`, annotated with why.

    Income below the monitoring line that applies to the household in `year` (its
    province's or the national one, carried forward from an earlier year if need be: see
    `rules.line_for`) (`low_income`, with the amount in `line`) or an unresolved risk event
    (`unresolved_risk`); households already in an open or monitored case, and registered
    poor households not yet lifted out (assisted as poor, not monitored), are left out.
    One query with correlated subqueries, whatever the size of the scope.
    """
    national, provincial = rules.lines_by_province(
        rules.MONITORING_LINE, year, None if scope.is_national else scope.region_code
    )
    income = HouseholdYear.objects.filter(household=OuterRef("pk"), year=year)
    unresolved = RiskEvent.objects.filter(household=OuterRef("pk"), resolved_on__isnull=True)
    active = MonitoringCase.objects.filter(
        household=OuterRef("pk"), status__in=ACTIVE_CASE_STATUSES
    )
    money = DecimalField(max_digits=8, decimal_places=2)
    line = Case(
        *(
            When(codes.within("village_id", province), then=Value(own.amount, money))
            for province, own in provincial.items()
        ),
        default=Value(national.amount if national else None, money),
        output_field=money,
    )
    households = (
        scoped(Household.objects.all(), scope)
        .annotate(
            income=Subquery(income.values("per_capita_net_income")[:1]),
            unresolved_risk=Exists(unresolved),
            line=line,
        )
        .annotate(
            low_income=Case(
                When(Q(income__lt=F("line")), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )
    return (
        households.filter(Q(low_income=True) | Q(unresolved_risk=True))
        .filter(~Exists(active))
        .exclude(registered_poor=True, status__in=rules.POOR_STATUSES)
        .select_related("village", "head")
        .order_by("village_id", "number")
    )


def candidate_lines(year: int, scope: Scope) -> list[rules.Line]:
    """The monitoring lines the candidates of `year` in `scope` are measured against: the
    national one (if any) and those of the provinces in scope that set their own."""
    national, provincial = rules.lines_by_province(
        rules.MONITORING_LINE, year, None if scope.is_national else scope.region_code
    )
    if not scope.is_national:
        own = provincial.get(rules.province_of(scope.region_code), national)
        return [own] if own is not None else []
    provinces = [line for line in provincial.values() if line.region_code]
    return [line for line in (national, *provinces) if line is not None]


def flag_households(year: int, scope: Scope) -> list[Household]:
    """The candidates for monitoring in `year` within `scope` (see `candidates`)."""
    return list(candidates(year, scope))


def monitoring_type_for(household: Household, kind: str) -> str:
    """脱贫不稳定户 for a registered household lifted out; otherwise 突发严重困难户 after a
    disaster or accident, else 边缘易致贫户."""
    if household.registered_poor:
        return choices.MonitoringType.UNSTABLE
    if kind in SUDDEN_KINDS:
        return choices.MonitoringType.SUDDEN_HARDSHIP
    return choices.MonitoringType.MARGINAL


def active_case(household: Household) -> MonitoringCase | None:
    return (
        MonitoringCase.objects.filter(household=household, status__in=ACTIVE_CASE_STATUSES)
        .order_by("-opened_on", "-id")
        .first()
    )


# --- recording ------------------------------------------------------------------------


def do_record_risk_event(
    household: Household,
    kind: str,
    *,
    on: datetime.date,
    note: str,
    actor,
    route: str,
) -> RiskEvent:
    """Record a risk event; open a monitoring case for it when the household has none.

    The new case starts its identification procedure with the risk alert done on the
    event's date. A registered poor household not yet lifted out gets no case: it is
    assisted as poor. `event.opened_case` is the case opened, or None.
    """
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        procedures.check_not_in_future(on)
        event = RiskEvent.objects.create(household=household, kind=kind, occurred_on=on, note=note)
        event.opened_case = None
        still_poor = household.registered_poor and household.status in rules.POOR_STATUSES
        if still_poor or active_case(household) is not None:
            return event
        case = MonitoringCase.objects.create(
            household=household,
            monitoring_type=monitoring_type_for(household, kind),
            route=route,
            status=CaseStatus.IDENTIFYING,
            opened_on=on,
            reason=note,
        )
        procedure = procedures.do_start_procedure(
            household, Procedure.Kind.MONITORING, on=on, actor=actor, case=case
        )
        procedures.do_record_step(procedure, "risk_alert", on=on, actor=actor, note=note)
        event.opened_case = case
        return event


def do_resolve_risk_event(event: RiskEvent, *, on: datetime.date) -> RiskEvent:
    """Mark a risk as gone (e.g. recovered, rebuilt, back at work) on `on`."""
    with transaction.atomic():
        event = RiskEvent.objects.select_for_update().get(pk=event.pk)
        if event.resolved_on is not None:
            raise procedures.ProcedureError(
                "already_resolved",
                lazy_format(_("This risk was resolved on %(date)s."), date=event.resolved_on),
            )
        procedures.check_not_in_future(on)
        if on < event.occurred_on:
            raise procedures.ProcedureError(
                "before_event", _("A risk cannot be resolved before it occurred.")
            )
        event.resolved_on = on
        event.save(update_fields=["resolved_on"])
        return event


def do_add_measure(
    case: MonitoringCase, kind: str, description: str, started_on: datetime.date
) -> AssistanceMeasure:
    """An assistance measure for a case being identified or monitored."""
    with transaction.atomic():
        case = MonitoringCase.objects.select_for_update().get(pk=case.pk)
        if case.status not in ACTIVE_CASE_STATUSES:
            raise procedures.ProcedureError(
                "case_closed",
                lazy_format(
                    _("Measures are added only to open cases; this case is “%(status)s”."),
                    status=case.get_status_display(),
                ),
            )
        return AssistanceMeasure.objects.create(
            case=case, kind=kind, description=description, started_on=started_on
        )


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
