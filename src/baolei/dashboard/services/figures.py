"""Reading the stored figures: an indicator's value for a region and year, for the
children of a region, and over the years — each from the roll-ups in one indexed query.

Scope is the caller's: pages and the API check that the region is the viewer's before
asking (dashboard views use `accounts.scope.get_in_scope` on the region)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from baolei.dashboard.models import RollUp
from baolei.dashboard.services.facts import NATION, registered
from baolei.indicators import CURRENT, Indicator

Store = dict[tuple[str, str, int], int]  # (region code, measure, year) -> value


@dataclass(frozen=True)
class Value:
    indicator: Indicator
    region_code: str
    year: int
    numerator: int
    denominator: int | None
    value: float | int | None
    previous: float | int | None = None  # the year before, for yearly indicators

    @property
    def change(self) -> float | int | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def url(self) -> str | None:
        records = self.indicator.records
        return records(self.region_code, self.year) if records else None


def indicators(keys: Iterable[str] | None = None) -> list[Indicator]:
    catalogue = registered().indicators
    if keys is None:
        return list(catalogue.values())
    return [catalogue[key] for key in keys if key in catalogue]


def _measures(chosen: list[Indicator]) -> set[str]:
    return {m for i in chosen for m in (i.numerator, i.denominator) if m is not None}


def _year_of(indicator: Indicator, year: int) -> int:
    return year if indicator.yearly else CURRENT


def load(condition: Q, chosen: list[Indicator], years: Iterable[int]) -> Store:
    """The stored roll-ups matching `condition` for the measures of `chosen`."""
    wanted_years = {CURRENT, *years}
    rows = RollUp.objects.filter(
        condition, measure__in=_measures(chosen), year__in=wanted_years
    ).values_list("region_code", "measure", "year", "value")
    return {(code, measure, year): value for code, measure, year, value in rows}


def value_of(store: Store, indicator: Indicator, code: str, year: int) -> Value:
    at = _year_of(indicator, year)
    numerator = store.get((code, indicator.numerator, at), 0)
    denominator = (
        None if indicator.denominator is None else store.get((code, indicator.denominator, at), 0)
    )
    previous = None
    if indicator.yearly:
        before_numerator = store.get((code, indicator.numerator, year - 1), 0)
        before_denominator = (
            None
            if indicator.denominator is None
            else store.get((code, indicator.denominator, year - 1), 0)
        )
        previous = indicator.value(before_numerator, before_denominator)
    return Value(
        indicator,
        code,
        year,
        numerator,
        denominator,
        indicator.value(numerator, denominator),
        previous,
    )


def this_year(today: datetime.date | None = None) -> int:
    return (today or timezone.localdate()).year


def region_values(
    code: str, keys: Iterable[str] | None = None, year: int | None = None
) -> list[Value]:
    """Each chosen indicator's value for the region `code` ("" the nation) in `year`."""
    year = year or this_year()
    chosen = indicators(keys)
    store = load(Q(region_code=code), chosen, (year, year - 1))
    return [value_of(store, indicator, code, year) for indicator in chosen]


def children_values(
    code: str, keys: Iterable[str] | None = None, year: int | None = None
) -> dict[str, list[Value]]:
    """For every child of `code` that has any stored figure: its indicators' values."""
    year = year or this_year()
    chosen = indicators(keys)
    store = load(Q(parent_code=code), chosen, (year, year - 1))
    children = sorted({child for child, _measure, _year in store})
    return {child: [value_of(store, i, child, year) for i in chosen] for child in children}


def trend(code: str, key: str, years: Iterable[int]) -> list[Value]:
    """A yearly indicator's value for `code` in each of `years`."""
    indicator = registered().indicators[key]
    years = list(years)
    store = load(Q(region_code=code), [indicator], years)
    return [value_of(store, indicator, code, year) for year in years]


def years_with_figures(code: str = NATION) -> list[int]:
    """The years some yearly figure is stored for at `code`, oldest first."""
    found = (
        RollUp.objects.filter(region_code=code)
        .exclude(year=CURRENT)
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted(set(found))


def by_code(values: dict[str, list[Value]]) -> dict[str, dict[str, Value]]:
    table: dict[str, dict[str, Value]] = defaultdict(dict)
    for code, row in values.items():
        for value in row:
            table[code][value.indicator.key] = value
    return dict(table)
