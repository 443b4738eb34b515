"""Monitoring against relapse (防止返贫动态监测): flagging, risk events, measures, and the
criteria for eliminating a risk.

A household is flagged when its per-capita income falls below the monitoring line that
applies to it in the year (the same year rule as the exit check: see `services.rules`)
or when a risk event is recorded. A risk event opens a monitoring case at once and starts
its identification procedure with the risk alert; the case becomes "monitored" only when
that procedure completes (see `services.procedures`), and the risk is eliminated only through the
risk-elimination procedure, which refuses to start unless `risk_elimination_check` passes.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    DateField,
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
from baolei.registry import choices
from baolei.registry.models import (
    AssistanceMeasure,
    Household,
    HouseholdYear,
    MonitoringCase,
    Procedure,
    ProcedureStep,
    RiskEvent,
)
from baolei.registry.services import procedures, rules

CaseStatus = choices.CaseStatus
ACTIVE_CASE_STATUSES = (CaseStatus.IDENTIFYING, CaseStatus.MONITORED)
LIFTED = (choices.PovertyStatus.LIFTED_WITH_POLICY, choices.PovertyStatus.LIFTED_NO_POLICY)
# Events that make a household not in the register a "sudden severe hardship" household.
SUDDEN_KINDS = (choices.RiskKind.DISASTER, choices.RiskKind.ACCIDENT)
# Support that keeps a household fed without work: 社会保障 and 低保/特困兜底.


# An identification for monitoring is due within 15 days of its risk alert.
OVERDUE_DAYS = 15


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


# --- lists ----------------------------------------------------------------------------


def open_identifications(scope, today: datetime.date, days: int = OVERDUE_DAYS):
    """Open identifications for monitoring in scope, open for longer than `days` days, the
    oldest first, each with `open_since`: the day the procedure started or, while it has
    no step recorded yet, the day its case was opened (a case opens with its risk alert;
    the procedure may have been started on it later)."""
    no_step = ~Exists(ProcedureStep.objects.filter(procedure=OuterRef("pk")))
    identifications = scoped(
        Procedure.objects.filter(kind=Procedure.Kind.MONITORING, outcome=Procedure.Outcome.OPEN),
        scope,
    ).annotate(
        open_since=Case(
            When(no_step & Q(case__isnull=False), then=F("case__opened_on")),
            default=F("started_on"),
            output_field=DateField(),
        )
    )
    cutoff = today - datetime.timedelta(days=days)
    return identifications.filter(open_since__lt=cutoff).order_by("open_since", "id")
