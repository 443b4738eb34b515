"""The work teams' measures and indicators for the command centre (see baolei.indicators).

Each measure counts, set-based, per village code; `codes` limits it to some codes (the
refresher's dirty ones), None counts everywhere (the full rebuild and the check).

The definitions are the cadres app's own, so that a figure and the list it links to agree:

- a first secretary *in post* on a day is a first-secretary membership of an active team
  that has started and not ended by then (its last day, `ended_on`, still counts);
- *attendance below the rule* is `services.teams.month_attendance`'s judgement for the last
  complete month (`teams.last_complete_month`), as the below-the-rule list shows by
  default: days entered under the rule's days prorated to the days in post, less approved
  leave. It is computed here for many villages at once (a handful of queries, the rules of
  the year read once) rather than by calling `month_attendance`, which looks the rule up
  member by member; the tests check the two agree;
- a village *needing a first secretary* is a gap of `services.selection`: one the rules
  say needs one (branch designated weak and lax this year, or at least the rules'
  `monitored_threshold` households with an open monitoring case) and that has no active
  first secretary — the villages of the gap list.

Rules set above a village (a county's attendance or selection rules) mark only their own
region when they change; the villages below follow at the next daily rebuild, which the
two measures that depend on rules get anyway (both are `daily`).
"""

from __future__ import annotations

import datetime
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from baolei.cadres.models import (
    AttendanceMonth,
    AttendanceRule,
    LeaveRequest,
    LeaveStatus,
    MemberRole,
    SelectionRules,
    TeamMember,
    TeamStatus,
    WorkTeam,
)
from baolei.cadres.services import criteria, selection, teams
from baolei.indicators import CURRENT, Indicator, Row, catalogue, codes_below
from baolei.organisation.models import WeakBranchDesignation
from baolei.regions import codes as region_codes
from baolei.regions.models import Level, Region
from baolei.registry.indicators import HOUSEHOLD
from baolei.registry.models import Household, MonitoringCase

CHUNK = 500  # codes per IN (...) list

# --- sources: the tables whose rows move a measure ----------------------------------------

TEAM = "(SELECT region_code FROM cadres_workteam WHERE id = {row}.team_id)"
MEMBER = (
    "(SELECT t.region_code FROM cadres_workteam t JOIN cadres_teammember m "
    "ON m.team_id = t.id WHERE m.id = {row}.member_id)"
)

catalogue.source(WorkTeam._meta.db_table, "{row}.region_code")
catalogue.source(TeamMember._meta.db_table, TEAM)
catalogue.source(AttendanceMonth._meta.db_table, MEMBER)
catalogue.source(LeaveRequest._meta.db_table, MEMBER)  # approved leave lowers the requirement
# A rule set for a county or township moves the figures of every village below it.
for _model in (AttendanceRule, SelectionRules):
    catalogue.source(_model._meta.db_table, codes_below("{row}.region_code"), many=True)
catalogue.source(WeakBranchDesignation._meta.db_table, "{row}.region_code")
# Open monitoring cases make a village need a first secretary; a household moving village
# takes its cases along.
catalogue.source(MonitoringCase._meta.db_table, HOUSEHOLD)
catalogue.source(Household._meta.db_table, "{row}.village_code")


# --- helpers --------------------------------------------------------------------------------


def _in(queryset: QuerySet, field: str, codes: Sequence[str] | None) -> QuerySet:
    return queryset if codes is None else queryset.filter(**{f"{field}__in": codes})


def _chunks(items: Iterable[str]) -> Iterator[list[str]]:
    items = sorted(items)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _most_specific(rules: dict[str, object], default: object) -> Callable[[str], object]:
    """The rule of a village as `teams.attendance_rule` and `criteria.selection_rules` pick
    it: that of the most specific region containing it, else the defaults — resolved from
    rules read once, not one query per village."""

    @cache
    def rule_of(code: str) -> object:
        for prefix in reversed([*region_codes.ancestors_of(code), code]):
            if prefix in rules:
                return rules[prefix]
        return default

    return rule_of


# --- first secretaries in post --------------------------------------------------------------


def first_secretaries(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    in_post = (
        TeamMember.objects.filter(
            role=MemberRole.FIRST_SECRETARY,
            team__status=TeamStatus.ACTIVE,
            starts_on__lte=today,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .values_list("team__village_id", flat=True)
        .distinct()
    )
    for code in _in(in_post, "team__village_id", codes):
        yield code, CURRENT, 1


# --- attendance below the rule --------------------------------------------------------------


def _attendance_rules(year: int) -> Callable[[str], AttendanceRule]:
    rules = {rule.region_code: rule for rule in AttendanceRule.objects.filter(year=year)}
    return _most_specific(rules, AttendanceRule(region_code="", year=year))


def below_rule_per_village(
    queryset: QuerySet[TeamMember], year: int, month: int, today: datetime.date
) -> Counter:
    """Members below the attendance rule in the month, per village: the judgement of
    `teams.month_attendance` (same members in post, same requirement), in bulk."""
    first, month_end = teams._month_bounds(year, month)
    last = min(month_end, today)
    if last < first:
        return Counter()
    in_post = queryset.filter(starts_on__lte=last).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=first)
    )
    ids = in_post.values("pk")
    entered = dict(
        AttendanceMonth.objects.filter(member__in=ids, year=year, month=month).values_list(
            "member_id", "days"
        )
    )
    leaves: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    for member_id, starts_on, ends_on in LeaveRequest.objects.filter(
        member__in=ids, status=LeaveStatus.APPROVED, starts_on__lte=last, ends_on__gte=first
    ).values_list("member_id", "starts_on", "ends_on"):
        leaves[member_id].append((starts_on, ends_on))
    rule_of = _attendance_rules(year)
    below: Counter = Counter()
    for pk, village, starts_on, ended_on in in_post.values_list(
        "pk", "team__village_id", "starts_on", "ended_on"
    ):
        start, end = max(first, starts_on), min(last, ended_on or last)
        days_in_post = (end - start).days + 1
        leave = sum(teams._overlap(start, end, a, b) for a, b in leaves[pk])
        prorated = math.ceil(rule_of(village).min_days_month * days_in_post / month_end.day)
        if entered.get(pk, 0) < max(0, prorated - leave):
            below[village] += 1
    return below


def attendance_below_rule(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    year, month = teams.last_complete_month(today)
    members = _in(TeamMember.objects.all(), "team__village_id", codes)
    for code, count in below_rule_per_village(members, year, month, today).items():
        yield code, CURRENT, count


# --- villages needing a first secretary -----------------------------------------------------


def _monitored_thresholds(year: int) -> Callable[[str], SelectionRules]:
    rules = {rule.region_code: rule for rule in SelectionRules.objects.filter(year=year)}
    return _most_specific(rules, criteria.selection_rules("", year))


def villages_needing_first_secretary(
    codes: Sequence[str] | None, today: datetime.date
) -> Iterable[Row]:
    """The gaps of `selection.village_needs` for this year, every village at once: the
    weak ones, those with many monitored households, less those with a first secretary."""
    year = today.year
    weak = selection.weak_villages("", year)
    if codes is not None:
        weak &= set(codes)
    cases = _in(
        MonitoringCase.objects.filter(status__in=selection.OPEN_CASES),
        "household__village_id",
        codes,
    )
    monitored = (
        cases.values("household__village_id")
        .annotate(n=Count("household_id", distinct=True))
        .values_list("household__village_id", "n")
    )
    rules_of = _monitored_thresholds(year)
    needing = weak | {code for code, n in monitored if n >= rules_of(code).monitored_threshold}
    if not needing:
        return
    served = teams.current_first_secretary_villages(
        _in(TeamMember.objects.all(), "team__village_id", codes)
    )
    for chunk in _chunks(needing - served):
        villages = Region.objects.filter(code__in=chunk, level=Level.VILLAGE)
        for code in villages.values_list("code", flat=True):
            yield code, CURRENT, 1


# --- the catalogue --------------------------------------------------------------------------


def _url(name: str, code: str, **params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"region": code, **params}.items() if v)
    return f"{reverse(name)}?{query}" if query else reverse(name)


catalogue.measure("first_secretaries", first_secretaries, daily=True)
catalogue.measure("attendance_below_rule", attendance_below_rule, daily=True)
catalogue.measure("villages_needing_first_secretary", villages_needing_first_secretary, daily=True)

catalogue.indicator(
    Indicator(
        key="first_secretary_coverage",
        capability="cadres",
        name=_("First-secretary coverage"),
        unit="%",
        definition=_(
            "Share of villages with a first secretary in post today, in an active work team."
        ),
        numerator="first_secretaries",
        denominator="villages",
        scale=100,
        better="higher",
        # The nearest list: the active work teams, each with its first secretary.
        records=lambda code, year: _url("cadres:team_list", code),
    )
)
catalogue.indicator(
    Indicator(
        key="attendance_below_rule",
        capability="cadres",
        name=_("Attendance below the rule"),
        unit=pgettext_lazy("unit", "people"),
        definition=_(
            "Work-team members who spent fewer days in the village last month than the "
            "attendance rule requires (prorated to their days in post, less approved leave)."
        ),
        numerator="attendance_below_rule",
        better="lower",
        # The list defaults to the last complete month, the month counted here.
        records=lambda code, year: _url("cadres:below_rule", code),
    )
)
catalogue.indicator(
    Indicator(
        key="villages_needing_first_secretary",
        capability="cadres",
        name=_("Villages needing a first secretary"),
        unit=pgettext_lazy("unit", "villages"),
        definition=_(
            "Villages that the selection rules say need a first secretary (branch "
            "designated weak and lax this year, or many households under monitoring) and "
            "that have none in post."
        ),
        numerator="villages_needing_first_secretary",
        better="lower",
        # The gap list of the year (the page's default: this year); above a county the
        # page first asks which county.
        records=lambda code, year: _url("cadres:gap_list", code, year=year),
    )
)
