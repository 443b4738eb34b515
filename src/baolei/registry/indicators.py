"""The register's measures and indicators for the command centre (see baolei.indicators).

Each measure counts, set-based, per region code; `codes` limits it to some codes (the
refresher's dirty ones), None counts everywhere (the full rebuild and the check).

The definitions are the register's own, so that a figure on the dashboard and the page
it links to agree: "poor at the end of a year" is `services.rules.poor_people`'s, the
rural population carried forward is `rules.populations_within`'s, an identification
overdue is `services.monitoring.open_identifications`'s, "visited in 90 days" is the
complement of `services.lists.households_not_visited`.

A yearly stock (poor people and households, the population) is emitted for every year
from the village's own first year with data up to this year. The first year is taken
per village, from the village's own rows, never from the whole register: a refresh
recounts only the villages that changed, so a village's rows may depend on nothing else.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from baolei.accounts.permissions import Role
from baolei.accounts.scope import Scope
from baolei.indicators import CURRENT, Indicator, Row, catalogue
from baolei.messages import lazy_format
from baolei.regions import codes as region_codes
from baolei.registry import choices
from baolei.registry.models import (
    Household,
    Member,
    MonitoringCase,
    Pairing,
    Procedure,
    ProcedureStep,
    StatusChange,
    VillagePopulation,
    Visit,
)
from baolei.registry.services import monitoring, rules
from baolei.registry.services.people import EARLIEST_YEAR

Status = choices.PovertyStatus
LIFTED = (Status.LIFTED_WITH_POLICY, Status.LIFTED_NO_POLICY)
VISIT_DAYS = 90  # "visited in the last 90 days", as the visits-overdue list counts it
NATIONAL = Scope(role=Role.SYSTEM_ADMIN, region_code=None)  # every row: no viewer's scope

# --- sources: the tables whose rows move a measure ----------------------------------------

HOUSEHOLD = "(SELECT village_code FROM registry_household WHERE id = {row}.household_id)"
PROCEDURE = (
    "(SELECT h.village_code FROM registry_household h JOIN registry_procedure p "
    "ON p.household_id = h.id WHERE p.id = {row}.procedure_id)"
)

catalogue.source(Household._meta.db_table, "{row}.village_code")
catalogue.source(VillagePopulation._meta.db_table, "{row}.village_code")
for _model in (Member, StatusChange, Visit, Pairing, MonitoringCase, Procedure):
    catalogue.source(_model._meta.db_table, HOUSEHOLD)
# A step ends "no step recorded yet", which moves the day an identification counts from.
catalogue.source(ProcedureStep._meta.db_table, PROCEDURE)


# --- counting helpers -----------------------------------------------------------------------


def _in(queryset: QuerySet, field: str, codes: Sequence[str] | None) -> QuerySet:
    return queryset if codes is None else queryset.filter(**{f"{field}__in": codes})


def _per_code(queryset: QuerySet, field: str, year: int = CURRENT) -> Iterable[Row]:
    for code, value in queryset.values_list(field).annotate(n=Count("pk")).values_list(field, "n"):
        yield code, year, value


def _per_code_and_year(
    queryset: QuerySet, field: str, date_field: str, count: str = "household_id"
) -> Iterable[Row]:
    """Distinct `count` per (code, year of `date_field`): one grouped query."""
    rows = (
        queryset.annotate(year=ExtractYear(date_field))
        .values(field, "year")
        .annotate(n=Count(count, distinct=True))
        .values_list(field, "year", "n")
        .order_by()
    )
    yield from rows


def _households(codes: Sequence[str] | None, **filters) -> QuerySet[Household]:
    return _in(Household.objects.filter(**filters), "village_id", codes)


# --- households and people --------------------------------------------------------------


def households(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    return _per_code(_households(codes), "village_id")


def registered_households(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    return _per_code(_households(codes, registered_poor=True), "village_id")


def people(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    members = _in(Member.objects.all(), "household__village_id", codes)
    return _per_code(members, "household__village_id")


def registered_people(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    members = Member.objects.filter(household__registered_poor=True)
    return _per_code(_in(members, "household__village_id", codes), "household__village_id")


def monitored_households(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    # As the household list's "monitored: yes": a monitoring type is set.
    return _per_code(_households(codes).exclude(monitoring_type=""), "village_id")


def paired_households(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    # A current pairing has no end date; the database allows one per household.
    pairings = _in(Pairing.objects.filter(ended_on__isnull=True), "household__village_id", codes)
    rows = (
        pairings.values("household__village_id")
        .annotate(n=Count("household_id", distinct=True))
        .values_list("household__village_id", "n")
        .order_by()
    )
    for code, value in rows:
        yield code, CURRENT, value


def visited_households_90d(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    """Households with a visit in the last 90 days, a visit on `today - 90` included: the
    complement of `lists.households_not_visited(…, 90, today)`, so that households minus
    this figure is what the list of households not visited shows."""
    cutoff = today - datetime.timedelta(days=VISIT_DAYS)
    recent = Exists(Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=cutoff))
    return _per_code(_households(codes).filter(recent), "village_id")


# --- the poor at the end of a year --------------------------------------------------------


def _first_years(codes: Sequence[str] | None) -> dict[str, int]:
    """Per village, the first year with poverty data of its own: the earliest
    identification year of its households or the earliest year of their status history."""
    first: dict[str, int] = {}
    identified = (
        _households(codes, identification_year__isnull=False)
        .values("village_id")
        .annotate(first=Min("identification_year"))
        .values_list("village_id", "first")
        .order_by()
    )
    changed = (
        _in(StatusChange.objects.all(), "household__village_id", codes)
        .values("household__village_id")
        .annotate(first=Min("changed_on"))
        .values_list("household__village_id", "first")
        .order_by()
    )
    for code, year in [*identified, *((code, day.year) for code, day in changed)]:
        # Years before the register's data begin are typing errors, not data.
        year = max(year, EARLIEST_YEAR)
        first[code] = min(first.get(code, year), year)
    return first


def _identified_by(year: int, prefix: str = "") -> Q:
    # As rules.poor_people: a household identified after `year` was not poor in it.
    return Q(**{f"{prefix}identification_year__isnull": True}) | Q(
        **{f"{prefix}identification_year__lte": year}
    )


def _poor_households_at_end_of(codes: Sequence[str] | None, year: int) -> dict[str, int]:
    """Per village, the registered households not lifted out or relapsed on 31 December
    of `year`: `rules.poor_people`'s reading of the status history, counting households
    instead of their members. One grouped query."""
    end = datetime.date(year, 12, 31)
    history = StatusChange.objects.filter(household=OuterRef("pk"))
    then = history.filter(changed_on__lte=end).order_by("-changed_on", "-id").values("to_status")
    status_then = Case(
        When(Exists(history), then=Coalesce(Subquery(then[:1]), Value(""))),
        default=F("status"),
        output_field=CharField(),
    )
    rows = (
        _households(codes, registered_poor=True)
        .filter(_identified_by(year))
        .alias(status_then=status_then)
        .filter(status_then__in=rules.POOR_STATUSES)
        .values("village_id")
        .annotate(n=Count("pk"))
        .values_list("village_id", "n")
        .order_by()
    )
    return dict(rows)


def _poor_people_at_end_of(codes: Sequence[str] | None, year: int) -> dict[str, int]:
    households_q = Q() if codes is None else Q(household__village_id__in=codes)
    return rules.poor_people(households_q, year)


def _poor_now(codes: Sequence[str] | None, today: datetime.date, people: bool) -> dict[str, int]:
    """This year's figure is the present status (the history's last word, cheaper)."""
    if people:
        members = Member.objects.filter(
            _identified_by(today.year, "household__"),
            household__registered_poor=True,
            household__status__in=rules.POOR_STATUSES,
        )
        members = _in(members, "household__village_id", codes)
        rows = members.values("household__village_id").annotate(n=Count("pk"))
        return {row["household__village_id"]: row["n"] for row in rows.order_by()}
    households = _households(codes, registered_poor=True, status__in=rules.POOR_STATUSES)
    rows = (
        households.filter(_identified_by(today.year)).values("village_id").annotate(n=Count("pk"))
    )
    return {row["village_id"]: row["n"] for row in rows.order_by()}


def _poor(codes: Sequence[str] | None, today: datetime.date, people: bool) -> Iterable[Row]:
    """One grouped query per year, from the earliest first year among `codes` (each
    village's rows from its own first year) to this year."""
    first = _first_years(codes)
    at_end_of = _poor_people_at_end_of if people else _poor_households_at_end_of
    for year in range(min(first.values(), default=today.year), today.year):
        for code, value in at_end_of(codes, year).items():
            if first.get(code, today.year) <= year:
                yield code, year, value
    for code, value in _poor_now(codes, today, people).items():
        yield code, today.year, value


def poor_people(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    return _poor(codes, today, people=True)


def poor_households(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    return _poor(codes, today, people=False)


def population(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    """Each village's rural population in every year from its first recorded one, the
    latest recorded up to the year (as `rules.populations_within` applies it). One query."""
    recorded: dict[str, dict[int, int]] = defaultdict(dict)
    rows = _in(VillagePopulation.objects.all(), "village_id", codes).values_list(
        "village_id", "year", "population"
    )
    for code, year, people_count in rows:
        recorded[code][year] = people_count
    for code, by_year in recorded.items():
        current = 0
        for year in range(min(by_year), max(today.year, max(by_year)) + 1):
            current = by_year.get(year, current)
            yield code, year, current


# --- flows of a year ----------------------------------------------------------------------


def lifted_households(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    """Households whose status went from poor (not lifted, relapsed) to lifted out in the
    year. Entering the register as lifted, or losing the policy after exit, is no exit."""
    changes = StatusChange.objects.filter(to_status__in=LIFTED, from_status__in=rules.POOR_STATUSES)
    return _per_code_and_year(
        _in(changes, "household__village_id", codes), "household__village_id", "changed_on"
    )


def relapsed_households(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    """Households that went from lifted out back into poverty in the year."""
    changes = StatusChange.objects.filter(to_status=Status.RELAPSED, from_status__in=LIFTED)
    return _per_code_and_year(
        _in(changes, "household__village_id", codes), "household__village_id", "changed_on"
    )


def risks_eliminated(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    """Households whose monitoring case ended with the risk eliminated in the year."""
    cases = MonitoringCase.objects.filter(
        status=choices.CaseStatus.RISK_ELIMINATED, eliminated_on__isnull=False
    )
    return _per_code_and_year(
        _in(cases, "household__village_id", codes), "household__village_id", "eliminated_on"
    )


def identifications_overdue(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    """Identifications for monitoring open longer than 15 days, as the overdue list."""
    overdue = _in(monitoring.open_identifications(NATIONAL, today), "household__village_id", codes)
    rows = overdue.order_by().values("household__village_id").annotate(n=Count("pk"))
    for code, value in rows.values_list("household__village_id", "n"):
        yield code, CURRENT, value


# --- breakdowns -----------------------------------------------------------------------------


def _breakdown(**filters):
    def compute(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
        return _per_code(_households(codes, **filters), "village_id")

    return compute


# --- the list behind a figure -----------------------------------------------------------


def _households_url(code: str, year: int, **filters: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"region": code, **filters}.items() if v != "")
    return f"{reverse('registry:household_list')}?{query}"


def _incidence_url(code: str, year: int) -> str:
    """A village's exit check or a county's readiness for the year show the same
    incidence, person by person counted; other levels have no such page, and get the
    nearest list: the registered households not lifted out (relapsed ones are left out,
    since the list filters on one status)."""
    if code and region_codes.level_of(code) == 5:
        return f"{reverse('registry:village_exit', args=[code])}?year={year}"
    if code and region_codes.level_of(code) == 3:
        return f"{reverse('registry:county_readiness', args=[code])}?year={year}"
    return _households_url(code, year, registered="yes", status=Status.NOT_LIFTED)


def _overdue_url(code: str, year: int) -> str:
    # The overdue list has no region filter: it shows the viewer's whole scope, which is
    # the nearest list (the region's rows are among them).
    return reverse("registry:monitoring_overdue")


# --- the catalogue ----------------------------------------------------------------------------

catalogue.measure("households", households)
catalogue.measure("registered_households", registered_households)
catalogue.measure("people", people)
catalogue.measure("registered_people", registered_people)
catalogue.measure("poor_people", poor_people, yearly=True)
catalogue.measure("poor_households", poor_households, yearly=True)
catalogue.measure("population", population, yearly=True)
catalogue.measure("lifted_households", lifted_households, yearly=True)
catalogue.measure("relapsed_households", relapsed_households, yearly=True)
catalogue.measure("monitored_households", monitored_households)
catalogue.measure("identifications_overdue", identifications_overdue, daily=True)
catalogue.measure("risks_eliminated", risks_eliminated, yearly=True)
catalogue.measure("visited_households_90d", visited_households_90d, daily=True)
catalogue.measure("paired_households", paired_households)

catalogue.indicator(
    Indicator(
        key="households",
        capability="registry",
        name=_("Households"),
        unit=pgettext_lazy("unit", "households"),
        definition=_("Households in the register, registered poor or not."),
        numerator="households",
        records=lambda code, year: _households_url(code, year),
    )
)
catalogue.indicator(
    Indicator(
        key="registered_households",
        capability="registry",
        name=_("Registered poor households"),
        unit=pgettext_lazy("unit", "households"),
        definition=_("Households registered as poor (建档立卡), whatever their status now."),
        numerator="registered_households",
        records=lambda code, year: _households_url(code, year, registered="yes"),
    )
)
catalogue.indicator(
    Indicator(
        key="registered_people",
        capability="registry",
        name=_("People in registered poor households"),
        unit=pgettext_lazy("unit", "people"),
        definition=_(
            "Members of the households registered as poor (建档立卡), whatever their status now."
        ),
        numerator="registered_people",
        # The list shows households, not people: the nearest list.
        records=lambda code, year: _households_url(code, year, registered="yes"),
    )
)
catalogue.indicator(
    Indicator(
        key="poverty_incidence",
        capability="registry",
        name=_("Poverty incidence"),
        unit="%",
        definition=_(
            "People of registered poor households not lifted out or relapsed at the end of "
            "the year, per hundred of the rural population (the latest recorded up to the "
            "year). Above a village it is the sum of the poor over the sum of the "
            "populations; the poor of a village without a recorded population count in the "
            "first sum only."
        ),
        numerator="poor_people",
        denominator="population",
        scale=100,
        better="lower",
        yearly=True,
        records=_incidence_url,
    )
)
catalogue.indicator(
    Indicator(
        key="lifted_households",
        capability="registry",
        name=_("Households lifted out"),
        unit=pgettext_lazy("unit", "households"),
        definition=_(
            "Households whose status went from not lifted out or relapsed to lifted out "
            "during the year."
        ),
        numerator="lifted_households",
        better="higher",
        yearly=True,
        # Nearest list: households lifted out now; the list cannot filter by the year of exit.
        records=lambda code, year: _households_url(
            code, year, registered="yes", status=Status.LIFTED_WITH_POLICY
        ),
    )
)
catalogue.indicator(
    Indicator(
        key="relapsed_households",
        capability="registry",
        name=_("Households relapsed"),
        unit=pgettext_lazy("unit", "households"),
        definition=_("Households lifted out that fell back into poverty during the year."),
        numerator="relapsed_households",
        better="lower",
        yearly=True,
        # Nearest list: households relapsed now, whatever the year they relapsed.
        records=lambda code, year: _households_url(code, year, status=Status.RELAPSED),
    )
)
catalogue.indicator(
    Indicator(
        key="monitored_households",
        capability="registry",
        name=_("Monitored households"),
        unit=pgettext_lazy("unit", "households"),
        definition=_("Households monitored against relapse now (a monitoring type is set)."),
        numerator="monitored_households",
        records=lambda code, year: _households_url(code, year, monitored="yes"),
    )
)
catalogue.indicator(
    Indicator(
        key="identifications_overdue",
        capability="registry",
        name=_("Identifications open over 15 days"),
        unit=pgettext_lazy("unit", "procedures"),
        definition=_(
            "Identifications for monitoring still open more than 15 days after the risk "
            "alert (or after the procedure started, once a step is recorded)."
        ),
        numerator="identifications_overdue",
        better="lower",
        records=_overdue_url,
    )
)
catalogue.indicator(
    Indicator(
        key="risks_eliminated",
        capability="registry",
        name=_("Risks eliminated"),
        unit=pgettext_lazy("unit", "households"),
        definition=_("Monitored households whose risk was eliminated during the year."),
        numerator="risks_eliminated",
        better="higher",
        yearly=True,
        # Nearest list: households not monitored now, among them those whose risk was
        # eliminated; no list filters cases by the date of elimination.
        records=lambda code, year: _households_url(code, year, monitored="no"),
    )
)
catalogue.indicator(
    Indicator(
        key="visit_coverage",
        capability="registry",
        name=_("Households visited in the last 90 days"),
        unit="%",
        definition=_(
            "Share of the households in the register with a visit recorded in the last 90 days."
        ),
        numerator="visited_households_90d",
        denominator="households",
        scale=100,
        better="higher",
        # The list of the households not visited in 90 days: the ones left to visit,
        # the complement of the figure (no list shows the visited ones).
        records=lambda code, year: _households_url(code, year, not_visited=str(VISIT_DAYS)),
    )
)
catalogue.indicator(
    Indicator(
        key="paired_households",
        capability="registry",
        name=_("Households paired with a helper"),
        unit=pgettext_lazy("unit", "households"),
        definition=_("Households with a responsible helper now (结对帮扶)."),
        numerator="paired_households",
        better="higher",
        # Nearest list: the region's households (the list has no pairing filter).
        records=lambda code, year: _households_url(code, year),
    )
)

for _value, _label in choices.PovertyCause.choices:
    catalogue.measure(f"cause_{_value}", _breakdown(registered_poor=True, main_cause=_value))
    catalogue.indicator(
        Indicator(
            key=f"cause_{_value}",
            capability="registry",
            name=_label,
            unit=pgettext_lazy("unit", "households"),
            definition=lazy_format(
                _("Registered poor households whose main cause of poverty is “%(cause)s”."),
                cause=_label,
            ),
            numerator=f"cause_{_value}",
            records=lambda code, year, value=_value: _households_url(
                code, year, registered="yes", main_cause=value
            ),
            group="cause",
        )
    )

for _value, _label in choices.HouseholdAttribute.choices:
    catalogue.measure(f"attribute_{_value}", _breakdown(registered_poor=True, attribute=_value))
    catalogue.indicator(
        Indicator(
            key=f"attribute_{_value}",
            capability="registry",
            name=_label,
            unit=pgettext_lazy("unit", "households"),
            definition=lazy_format(
                _("Registered poor households of the attribute “%(attribute)s”."),
                attribute=_label,
            ),
            numerator=f"attribute_{_value}",
            records=lambda code, year, value=_value: _households_url(
                code, year, registered="yes", attribute=value
            ),
            group="attribute",
        )
    )

for _value, _label in choices.MonitoringType.choices:
    catalogue.measure(f"monitoring_{_value}", _breakdown(monitoring_type=_value))
    catalogue.indicator(
        Indicator(
            key=f"monitoring_{_value}",
            capability="registry",
            name=_label,
            unit=pgettext_lazy("unit", "households"),
            definition=lazy_format(_("Households monitored now as “%(type)s”."), type=_label),
            numerator=f"monitoring_{_value}",
            records=lambda code, year, value=_value: _households_url(
                code, year, monitoring_type=value
            ),
            group="monitoring",
        )
    )
